using System.Globalization;
using Ml.GanSdp.Metrics;

namespace Ml.GanSdp;

/// <summary>Progress of an evaluation: rows featurized so far on one side ("real" or "generated").</summary>
/// <param name="Side">"real" or "generated".</param>
/// <param name="Rows">Rows read on that side so far.</param>
public readonly record struct GenerativeEvaluationProgress(string Side, long Rows);

/// <summary>
/// What <see cref="GenerativeCatalog"/> measured between real and generated images, in one feature space. Values
/// are comparable only within the same feature space, sample sizes and (for the classifier) classifier weights.
/// </summary>
public sealed record GenerativeMetrics
{
    /// <summary>The feature space's identifier, e.g. <c>inception-v3-fid-2048</c>, <c>ResNet18</c>, <c>domain-classifier-1x28x28-128</c>.</summary>
    public required string FeatureSpace { get; init; }

    /// <summary>The name of the Frechet distance in reports: "FID" (Inception only), "FD (ResNet18)" or "FD (classifier)".</summary>
    public required string DistanceName { get; init; }

    /// <summary>The Frechet distance ||mu_r - mu_g||^2 + Tr(S_r + S_g - 2 sqrt(S_r S_g)) over all rows of both sides.</summary>
    public double FrechetDistance => FrechetDetails.Distance;

    /// <summary>The Frechet distance with its terms, rank and warnings.</summary>
    public required FrechetDistanceResult FrechetDetails { get; init; }

    /// <summary>KID: mean of the unbiased MMD^2 (cubic polynomial kernel) over <see cref="KidSubsets"/> subsets; null when not computed.</summary>
    public double? KidMean { get; init; }

    /// <summary>KID: standard deviation (ddof 0) over the subsets; null when not computed.</summary>
    public double? KidStandardDeviation { get; init; }

    /// <summary>KID: the number of subsets.</summary>
    public int KidSubsets { get; init; }

    /// <summary>KID: vectors per subset (the option, capped by the smaller feature sample).</summary>
    public int KidSubsetSize { get; init; }

    /// <summary>Improved precision (generated vectors inside the real manifold); null when not computed.</summary>
    public double? Precision { get; init; }

    /// <summary>Improved recall (real vectors inside the generated manifold); null when not computed.</summary>
    public double? Recall { get; init; }

    /// <summary>The k of precision/recall.</summary>
    public int PrecisionRecallNeighbors { get; init; }

    /// <summary>Real images behind the Frechet statistics; null for precomputed statistics without a count (pytorch-fid's files).</summary>
    public long? RealSampleCount { get; init; }

    /// <summary>Generated images behind the Frechet statistics; null for precomputed statistics without a count.</summary>
    public long? GeneratedSampleCount { get; init; }

    /// <summary>Real feature vectors KID and precision/recall used (a uniform sample of at most <see cref="GenerativeEvaluationOptions.MaxFeatureSamples"/>).</summary>
    public int RealFeatureSamples { get; init; }

    /// <summary>Generated feature vectors KID and precision/recall used.</summary>
    public int GeneratedFeatureSamples { get; init; }

    /// <summary>Everything that limits how far the numbers can be trusted (too few samples, metrics left out, unknown feature space of a file).</summary>
    public required IReadOnlyList<string> Warnings { get; init; }

    /// <summary>One line per metric, e.g. <c>FD (ResNet18) = 12.3456 (real 10000, generated 10000)</c>.</summary>
    public override string ToString()
    {
        static string N(long? n) => n?.ToString(CultureInfo.InvariantCulture) ?? "unknown";
        var lines = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture, $"{DistanceName} = {FrechetDistance:F4} (real {N(RealSampleCount)}, generated {N(GeneratedSampleCount)}; feature space {FeatureSpace})"),
        };
        if (KidMean is { } kid)
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"KID = {kid:G5} +- {KidStandardDeviation:G3} ({KidSubsets} subsets of {KidSubsetSize})"));
        if (Precision is { } p && Recall is { } r)
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"precision = {p:F4}, recall = {r:F4} (k = {PrecisionRecallNeighbors}; {RealFeatureSamples} real, {GeneratedFeatureSamples} generated vectors)"));
        lines.AddRange(Warnings.Select(w => "warning: " + w));
        return string.Join(Environment.NewLine, lines);
    }
}
