using Ml.GanSdp.Features;
using Ml.GanSdp.Metrics;

namespace Ml.GanSdp;

/// <summary>The feature space in which <see cref="GenerativeCatalog"/> compares real and generated images.</summary>
public enum GenerativeFeatureSpace
{
    /// <summary>Inception when <see cref="GenerativeEvaluationOptions.InceptionWeightsPath"/> is given (FID), else ResNet18.</summary>
    Auto,
    /// <summary>pytorch-fid's Inception-v3 with the user's weights: the Frechet distance is the FID.</summary>
    Inception,
    /// <summary>The ImageNet-pretrained ResNet18 of ML.NET's featurizer package: reported as "FD (ResNet18)", never FID.</summary>
    ResNet18,
    /// <summary>A <see cref="Metrics.DomainClassifier"/> trained on the real data: reported as "FD (classifier)".</summary>
    DomainClassifier,
}

/// <summary>Options of <see cref="GenerativeCatalog.Evaluate(Microsoft.ML.IDataView, Microsoft.ML.IDataView, GenerativeEvaluationOptions, IProgress{GenerativeEvaluationProgress}?, CancellationToken)"/>.</summary>
public sealed record GenerativeEvaluationOptions
{
    /// <summary>
    /// The image column of the real data (and of the generated data unless <see cref="GeneratedImageColumnName"/> is set):
    /// pixels (<c>Vector&lt;Single&gt;</c> with dimensions [C, H, W], C = 1 or 3, values 0..255, as the data sources,
    /// ExtractPixels and the generator give them) or images (<c>MLImage</c>). Default "Image".
    /// </summary>
    public string ImageColumnName { get; init; } = "Image";

    /// <summary>The generated data's image column; null: <see cref="ImageColumnName"/>.</summary>
    public string? GeneratedImageColumnName { get; init; }

    /// <summary>The feature space (default <see cref="GenerativeFeatureSpace.Auto"/>).</summary>
    public GenerativeFeatureSpace FeatureSpace { get; init; } = GenerativeFeatureSpace.Auto;

    /// <summary>pytorch-fid's <c>pt_inception-2015-12-05-6726825d.pth</c> (or .safetensors/.npz with its keys): needed for FID.</summary>
    public string? InceptionWeightsPath { get; init; }

    /// <summary>Inception feature block: 64, 192, 768 or 2048 (the standard FID features). Default 2048.</summary>
    public int InceptionDimension { get; init; } = InceptionV3Fid.DefaultDimension;

    /// <summary>The trained classifier for <see cref="GenerativeFeatureSpace.DomainClassifier"/> (its image shape must be the data's).</summary>
    public DomainClassifier? DomainClassifier { get; init; }

    /// <summary>The folder holding the ResNet18 ONNX files; null: where the NuGet package puts them.</summary>
    public string? ResNet18ModelDirectory { get; init; }

    /// <summary>For <c>MLImage</c> columns of unknown size (after LoadImages): the images' width. Set with <see cref="ImageHeight"/>.</summary>
    public int? ImageWidth { get; init; }

    /// <summary>For <c>MLImage</c> columns of unknown size: the images' height.</summary>
    public int? ImageHeight { get; init; }

    /// <summary>KID: the number of random subsets (Binkowski et al.: 100).</summary>
    public int KidSubsets { get; init; } = 100;

    /// <summary>KID: vectors per subset, capped by the smaller side (Binkowski et al.: 1000).</summary>
    public int KidSubsetSize { get; init; } = 1000;

    /// <summary>Improved precision and recall: the k of the k-th nearest-neighbour radii (Kynkaanniemi et al.: 3).</summary>
    public int PrecisionRecallNeighbors { get; init; } = 3;

    /// <summary>
    /// Feature vectors kept per side for KID and precision/recall (a uniform random sample of the rows, reservoir
    /// sampling, so ordered data such as class folders is sampled evenly); the Frechet distance always uses every row.
    /// 0 skips KID and precision/recall. Default 10,000 (precision/recall costs O(n^2 d)).
    /// </summary>
    public int MaxFeatureSamples { get; init; } = 10_000;

    /// <summary>Seed of the feature sample and of KID's subsets.</summary>
    public int Seed { get; init; }

    /// <summary>
    /// Whether fewer samples than the metrics need are allowed: fewer than d + 1 rows make the covariance singular and the
    /// Frechet distance strongly biased, fewer than 2 rows leave KID undefined, k rows or fewer leave precision/recall
    /// undefined. False (default): an <see cref="ArgumentException"/>. True: computed where defined, each shortfall
    /// flagged in <see cref="GenerativeMetrics.Warnings"/>.
    /// </summary>
    public bool AllowTooFewSamples { get; init; }

    /// <summary>Threads ONNX Runtime uses inside the feature network for one image; null: the library default (<see cref="OnnxRuntimeThreads"/>).</summary>
    public int? IntraOpThreads { get; init; }

    /// <summary>Where the featurizers write their ONNX files while they run; null: the system temp folder.</summary>
    public string? TempFolder { get; init; }

    /// <summary>The feature space <see cref="FeatureSpace"/> resolves to.</summary>
    public GenerativeFeatureSpace ResolvedFeatureSpace => FeatureSpace != GenerativeFeatureSpace.Auto ? FeatureSpace
        : InceptionWeightsPath is not null ? GenerativeFeatureSpace.Inception : GenerativeFeatureSpace.ResNet18;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(ImageColumnName))
            throw new ArgumentException("GenerativeEvaluationOptions.ImageColumnName must be a column name.", nameof(ImageColumnName));
        if (GeneratedImageColumnName is not null && string.IsNullOrWhiteSpace(GeneratedImageColumnName))
            throw new ArgumentException("GenerativeEvaluationOptions.GeneratedImageColumnName must be a column name or null.", nameof(GeneratedImageColumnName));
        if (!Enum.IsDefined(FeatureSpace))
            throw new ArgumentOutOfRangeException(nameof(FeatureSpace), FeatureSpace, "GenerativeEvaluationOptions.FeatureSpace is not a known feature space.");
        if (ResolvedFeatureSpace == GenerativeFeatureSpace.Inception && string.IsNullOrWhiteSpace(InceptionWeightsPath))
            throw new ArgumentException("GenerativeEvaluationOptions: the Inception feature space (FID) needs InceptionWeightsPath (pytorch-fid's pt_inception-2015-12-05-6726825d.pth); none ship with this library. Without them use the ResNet18 feature space.", nameof(InceptionWeightsPath));
        if (!InceptionV3Fid.BlockDimensions.Contains(InceptionDimension))
            throw new ArgumentOutOfRangeException(nameof(InceptionDimension), InceptionDimension, "GenerativeEvaluationOptions.InceptionDimension must be 64, 192, 768 or 2048.");
        if (ResolvedFeatureSpace == GenerativeFeatureSpace.DomainClassifier && DomainClassifier is null)
            throw new ArgumentException("GenerativeEvaluationOptions: the DomainClassifier feature space needs a trained DomainClassifier.", nameof(DomainClassifier));
        if (ImageWidth.HasValue != ImageHeight.HasValue)
            throw new ArgumentException($"GenerativeEvaluationOptions.ImageWidth ({ImageWidth?.ToString() ?? "null"}) and ImageHeight ({ImageHeight?.ToString() ?? "null"}) must be set together.", nameof(ImageWidth));
        foreach (var (name, value) in new[] { (nameof(ImageWidth), ImageWidth), (nameof(ImageHeight), ImageHeight) })
            if (value is < 1 or > FidPreprocessing.MaxSide)
                throw new ArgumentOutOfRangeException(name, value, $"GenerativeEvaluationOptions.{name} must be 1..{FidPreprocessing.MaxSide}.");
        if (KidSubsets < 1) throw new ArgumentOutOfRangeException(nameof(KidSubsets), KidSubsets, "GenerativeEvaluationOptions.KidSubsets must be at least 1.");
        if (KidSubsetSize < 2) throw new ArgumentOutOfRangeException(nameof(KidSubsetSize), KidSubsetSize, "GenerativeEvaluationOptions.KidSubsetSize must be at least 2.");
        if (PrecisionRecallNeighbors < 1) throw new ArgumentOutOfRangeException(nameof(PrecisionRecallNeighbors), PrecisionRecallNeighbors, "GenerativeEvaluationOptions.PrecisionRecallNeighbors must be at least 1.");
        if (MaxFeatureSamples is < 0 or > 1_000_000) throw new ArgumentOutOfRangeException(nameof(MaxFeatureSamples), MaxFeatureSamples, "GenerativeEvaluationOptions.MaxFeatureSamples must be 0..1,000,000 (0 skips KID and precision/recall).");
        if (IntraOpThreads is < 1 or > 1024)
            throw new ArgumentOutOfRangeException(nameof(IntraOpThreads), IntraOpThreads, "GenerativeEvaluationOptions.IntraOpThreads must be 1..1024 or null.");
        if (ResNet18ModelDirectory is not null && string.IsNullOrWhiteSpace(ResNet18ModelDirectory))
            throw new ArgumentException("GenerativeEvaluationOptions.ResNet18ModelDirectory must be a folder or null.", nameof(ResNet18ModelDirectory));
        if (TempFolder is not null && string.IsNullOrWhiteSpace(TempFolder))
            throw new ArgumentException("GenerativeEvaluationOptions.TempFolder must be a folder or null.", nameof(TempFolder));
    }
}
