using Microsoft.ML;
using Ml.GanSdp.Features;
using Ml.GanSdp.Metrics;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp;

/// <summary>
/// Quality measures of a generative model on ML.NET data: <c>mlContext.Generation().Evaluate(real, generated, options)</c>.
/// Both sides are featurized in one feature space (<see cref="GenerativeFeatureSpace"/>: pytorch-fid's Inception with
/// the user's weights, else the ImageNet-pretrained ResNet18, or a domain classifier), then compared with the Frechet
/// distance (<see cref="Metrics.FrechetDistance"/>, every row), KID and improved precision/recall (a seeded uniform
/// sample of the rows). Either side may instead be precomputed <see cref="FeatureStatistics"/> (e.g. cached reference
/// statistics, <see cref="ReferenceStatistics"/>); KID and precision/recall then cannot be computed and are left out
/// with a warning. Featurization reads each side's data once, through ML.NET transforms (ONNX Runtime) or, for the
/// domain classifier, TorchSharp.
/// </summary>
public sealed class GenerativeCatalog
{
    /// <summary>The feature column the evaluation adds to each side's data (must not exist there).</summary>
    public const string FeatureColumnName = "GanSdp.EvaluationFeatures";

    /// <summary>The copy of each side's image column the featurizers read (must not exist there).</summary>
    public const string ImageCopyColumnName = "GanSdp.EvaluationImage";

    private readonly MLContext _ml;

    internal GenerativeCatalog(MLContext mlContext) => _ml = mlContext;

    /// <summary>The report name of the Frechet distance in a feature space: "FID" for Inception only.</summary>
    public static string DistanceNameOf(GenerativeFeatureSpace space) => space switch
    {
        GenerativeFeatureSpace.Inception => "FID",
        GenerativeFeatureSpace.ResNet18 => "FD (ResNet18)",
        GenerativeFeatureSpace.DomainClassifier => "FD (classifier)",
        _ => throw new ArgumentOutOfRangeException(nameof(space), space, "Resolve Auto first (GenerativeEvaluationOptions.ResolvedFeatureSpace)."),
    };

    /// <summary>
    /// Compares real and generated images in column <paramref name="imageColumnName"/>: FID when
    /// <paramref name="inceptionWeightsPath"/> is given, else FD (ResNet18); KID; precision/recall (k = 3).
    /// </summary>
    public GenerativeMetrics Evaluate(IDataView real, IDataView generated, string imageColumnName = "Image", string? inceptionWeightsPath = null)
        => Evaluate(real, generated, new GenerativeEvaluationOptions { ImageColumnName = imageColumnName, InceptionWeightsPath = inceptionWeightsPath });

    /// <summary>Compares real and generated images with every option; <paramref name="progress"/> hears rows featurized per side.</summary>
    public GenerativeMetrics Evaluate(IDataView real, IDataView generated, GenerativeEvaluationOptions options,
        IProgress<GenerativeEvaluationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(real);
        ArgumentNullException.ThrowIfNull(generated);
        return Run(Side.Of(real), Side.Of(generated), options, progress, cancellationToken);
    }

    /// <summary>Compares precomputed real statistics (e.g. cached reference statistics) with generated images: the Frechet distance only.</summary>
    public GenerativeMetrics Evaluate(FeatureStatistics real, IDataView generated, GenerativeEvaluationOptions options,
        IProgress<GenerativeEvaluationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(real);
        ArgumentNullException.ThrowIfNull(generated);
        return Run(Side.Of(real), Side.Of(generated), options, progress, cancellationToken);
    }

    /// <summary>Compares real images with precomputed statistics of generated ones: the Frechet distance only.</summary>
    public GenerativeMetrics Evaluate(IDataView real, FeatureStatistics generated, GenerativeEvaluationOptions options,
        IProgress<GenerativeEvaluationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(real);
        ArgumentNullException.ThrowIfNull(generated);
        return Run(Side.Of(real), Side.Of(generated), options, progress, cancellationToken);
    }

    /// <summary>
    /// The feature statistics of the images in <see cref="GenerativeEvaluationOptions.ImageColumnName"/> of
    /// <paramref name="data"/> in the options' feature space (every row), labelled with the feature space's name:
    /// what <see cref="FeatureStatistics.Save"/> caches as reference statistics. <paramref name="progress"/> hears rows read.
    /// </summary>
    public FeatureStatistics ComputeStatistics(IDataView data, GenerativeEvaluationOptions options, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        using var extraction = new FeatureExtraction(_ml, options);
        return extraction.Extract(data, options.ImageColumnName, "data", progress, sample: null, cancellationToken);
    }

    private GenerativeMetrics Run(Side real, Side generated, GenerativeEvaluationOptions options, IProgress<GenerativeEvaluationProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var space = options.ResolvedFeatureSpace;
        // Fail before loading a network or featurizing anything when a side's row count is known to be too small.
        CheckRowCount(real, "real", FeatureExtraction.DimensionOf(options), options);
        CheckRowCount(generated, "generated", FeatureExtraction.DimensionOf(options), options);
        using var extraction = new FeatureExtraction(_ml, options);
        var warnings = new List<string>();

        var realSample = real.Data is null ? null : new FeatureSample(options.MaxFeatureSamples, options.Seed);
        var generatedSample = generated.Data is null ? null : new FeatureSample(options.MaxFeatureSamples, unchecked(options.Seed + 1));
        var realStatistics = real.Statistics ?? extraction.Extract(real.Data!, options.ImageColumnName, "real", Report(progress, "real"), realSample, cancellationToken);
        var generatedStatistics = generated.Statistics ?? extraction.Extract(generated.Data!, options.GeneratedImageColumnName ?? options.ImageColumnName, "generated", Report(progress, "generated"), generatedSample, cancellationToken);
        foreach (var (side, name) in new[] { (real, "real"), (generated, "generated") })
            if (side.Statistics is { } s) CheckPrecomputed(s, name, extraction, warnings);

        var frechet = FrechetDistance.Compute(realStatistics, generatedStatistics, options.AllowTooFewSamples, FrechetDistance.DefaultEpsilon, null, "real", "generated");
        warnings.AddRange(frechet.Warnings);

        var metrics = new GenerativeMetrics
        {
            FeatureSpace = extraction.FeatureSpace,
            DistanceName = DistanceNameOf(space),
            FrechetDetails = frechet,
            KidSubsets = options.KidSubsets,
            PrecisionRecallNeighbors = options.PrecisionRecallNeighbors,
            RealSampleCount = realStatistics.Count,
            GeneratedSampleCount = generatedStatistics.Count,
            Warnings = warnings,
        };
        if (options.MaxFeatureSamples == 0)
        {
            warnings.Add("KID and precision/recall were not computed (MaxFeatureSamples = 0).");
            return metrics;
        }
        if (realSample is null || generatedSample is null)
        {
            warnings.Add($"KID and precision/recall need feature vectors of both sides; the {(realSample is null ? "real" : "generated")} side is precomputed statistics, so only the Frechet distance was computed.");
            return metrics;
        }
        metrics = metrics with { RealFeatureSamples = realSample.Rows.Count, GeneratedFeatureSamples = generatedSample.Rows.Count };
        return AddSampleMetrics(metrics, realSample, generatedSample, options, warnings);
    }

    /// <summary>KID and precision/recall on the two feature samples, each computed only where defined.</summary>
    private static GenerativeMetrics AddSampleMetrics(GenerativeMetrics metrics, FeatureSample real, FeatureSample generated, GenerativeEvaluationOptions options, List<string> warnings)
    {
        int nr = real.Rows.Count, ng = generated.Rows.Count, k = options.PrecisionRecallNeighbors;
        using var scope = NewDisposeScope();
        var x = ToTensor(real.Rows);
        var y = ToTensor(generated.Rows);
        if (Math.Min(nr, ng) >= 2)
        {
            using var generator = new Generator(unchecked((ulong)options.Seed));
            var kid = KernelInceptionDistance.Compute(x, y, options.KidSubsets, options.KidSubsetSize, generator);
            metrics = metrics with { KidMean = kid.Mean, KidStandardDeviation = kid.StandardDeviation, KidSubsetSize = kid.SubsetSize };
            if (kid.SubsetSize < options.KidSubsetSize)
                warnings.Add($"KID used subsets of {kid.SubsetSize} vectors (the smaller sample), not {options.KidSubsetSize}: compare KIDs only at equal subset sizes.");
        }
        else TooFew($"KID needs at least 2 feature vectors per side, got {nr} real and {ng} generated", options, warnings);
        if (Math.Min(nr, ng) > k)
        {
            var pr = PrecisionRecall.Compute(x, y, k);
            metrics = metrics with { Precision = pr.Precision, Recall = pr.Recall };
        }
        else TooFew($"precision/recall with k = {k} needs more than {k} feature vectors per side, got {nr} real and {ng} generated", options, warnings);
        return metrics;
    }

    private static Tensor ToTensor(IReadOnlyList<float[]> rows)
    {
        int d = rows[0].Length;
        var flat = new float[rows.Count * d];
        for (int i = 0; i < rows.Count; i++) rows[i].CopyTo(flat, i * d);
        return tensor(flat, new long[] { rows.Count, d });
    }

    private static void TooFew(string message, GenerativeEvaluationOptions options, List<string> warnings)
    {
        if (!options.AllowTooFewSamples)
            throw new ArgumentException(message + "; set GenerativeEvaluationOptions.AllowTooFewSamples to compute the rest anyway.");
        warnings.Add(message + ": not computed.");
    }

    private static void CheckRowCount(Side side, string name, int dimension, GenerativeEvaluationOptions options)
    {
        if (options.AllowTooFewSamples || side.Data?.GetRowCount() is not long n || n >= dimension + 1) return;
        throw new ArgumentException($"The {name} data has {n} rows, fewer than d + 1 = {dimension + 1} for {dimension}-d features: the covariance would be singular and the Frechet distance unreliable (use at least 10,000 images for 2048-d Inception features). Set GenerativeEvaluationOptions.AllowTooFewSamples to compute it anyway, with a warning.");
    }

    private static void CheckPrecomputed(FeatureStatistics statistics, string name, FeatureExtraction extraction, List<string> warnings)
    {
        if (statistics.Dimension != extraction.Dimension)
            throw new ArgumentException($"The precomputed {name} statistics are {statistics.Dimension}-d, but the {extraction.FeatureSpace} features are {extraction.Dimension}-d.");
        if (statistics.FeatureSpace is null)
            warnings.Add($"The precomputed {name} statistics do not say their feature space (e.g. pytorch-fid's own file); they are taken to be {extraction.FeatureSpace}.");
        else if (!string.Equals(statistics.FeatureSpace, extraction.FeatureSpace, StringComparison.Ordinal))
            throw new ArgumentException($"The precomputed {name} statistics are in feature space '{statistics.FeatureSpace}', the evaluation in '{extraction.FeatureSpace}': a Frechet distance compares statistics of the same network.");
        if (statistics.Count is null)
            warnings.Add($"The precomputed {name} statistics do not record their sample count.");
    }

    private static IProgress<long>? Report(IProgress<GenerativeEvaluationProgress>? progress, string side)
        => progress is null ? null : new Relay(progress, side);

    /// <summary>One side of an evaluation: data to featurize or precomputed statistics.</summary>
    private readonly record struct Side(IDataView? Data, FeatureStatistics? Statistics)
    {
        public static Side Of(IDataView data) => new(data, null);
        public static Side Of(FeatureStatistics statistics) => new(null, statistics);
    }

    /// <summary>Labels a side's row counts with the side.</summary>
    private sealed class Relay(IProgress<GenerativeEvaluationProgress> inner, string side) : IProgress<long>
    {
        public void Report(long value) => inner.Report(new GenerativeEvaluationProgress(side, value));
    }
}

/// <summary>The entry point of <see cref="GenerativeCatalog"/>: <c>mlContext.Generation()</c>.</summary>
public static class GenerativeCatalogExtensions
{
    /// <summary>Evaluation of generative models (FID, FD in other feature spaces, KID, precision/recall).</summary>
    public static GenerativeCatalog Generation(this MLContext mlContext)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        return new GenerativeCatalog(mlContext);
    }
}
