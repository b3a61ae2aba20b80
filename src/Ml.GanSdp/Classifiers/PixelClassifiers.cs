using Microsoft.ML;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.LightGbm;

namespace Ml.GanSdp;

/// <summary>The downstream classifiers <see cref="PixelClassifiers.Create"/> builds on a pixel column.</summary>
public enum PixelClassifierKind
{
    /// <summary>ML.NET's <c>LbfgsMaximumEntropy</c> (multinomial logistic regression) on min-max normalized pixels.</summary>
    LbfgsMaximumEntropy,

    /// <summary>ML.NET's <c>SdcaMaximumEntropy</c> on min-max normalized pixels.</summary>
    SdcaMaximumEntropy,

    /// <summary>ML.NET's <c>LightGbm</c> (gradient-boosted trees) on the raw pixels (trees need no scaling).</summary>
    LightGbm,

    /// <summary>The library's CNN (<see cref="ImageCnnTrainer"/>) on the pixels in [0, 255].</summary>
    ImageCnn,
}

/// <summary>
/// Downstream multiclass classifiers on an image's pixel column, built from ML.NET's own estimators only: for the linear
/// trainers <c>NormalizeMinMax</c> (per pixel, into a <c>Features</c> column) then the trainer; LightGbm directly on a
/// <c>Features</c> copy of the pixels; or the image CNN. Each adds <c>Score</c> and <c>PredictedLabel</c>, so
/// <c>mlContext.MulticlassClassification.Evaluate</c> applies. Settings are ML.NET's defaults except for determinism:
/// one training thread for every trainer, and the seed passed to LightGbm and the CNN (SDCA's shuffles follow the
/// <see cref="MLContext"/>'s seed).
/// </summary>
public static class PixelClassifiers
{
    /// <summary>The feature column the linear and tree trainers read.</summary>
    public const string FeatureColumnName = "Features";

    /// <summary>
    /// The estimator of <paramref name="kind"/> on <paramref name="imageColumnName"/> (a known-size Single vector, 0..255
    /// for <see cref="PixelClassifierKind.ImageCnn"/>) and <paramref name="labelColumnName"/> (a key). For
    /// <see cref="PixelClassifierKind.ImageCnn"/> the returned estimator is the <see cref="ImageCnnTrainer"/> itself: dispose it
    /// when done with its models.
    /// </summary>
    /// <param name="mlContext">The context (its seed drives SDCA's shuffles).</param>
    /// <param name="kind">Which classifier.</param>
    /// <param name="labelColumnName">The key label column.</param>
    /// <param name="imageColumnName">The pixel column.</param>
    /// <param name="seed">Seed of LightGbm and of the CNN's weights and shuffles.</param>
    /// <param name="cnnOptions">The CNN's options when <paramref name="kind"/> is ImageCnn (its column names and seed are set from the other arguments).</param>
    public static IEstimator<ITransformer> Create(MLContext mlContext, PixelClassifierKind kind, string labelColumnName = "Label", string imageColumnName = "Image",
        int seed = 0, ImageCnnOptions? cnnOptions = null)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentException.ThrowIfNullOrWhiteSpace(labelColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(imageColumnName);
        var t = mlContext.MulticlassClassification.Trainers;
        return kind switch
        {
            PixelClassifierKind.LbfgsMaximumEntropy => mlContext.Transforms.NormalizeMinMax(FeatureColumnName, imageColumnName)
                .Append(t.LbfgsMaximumEntropy(new LbfgsMaximumEntropyMulticlassTrainer.Options { LabelColumnName = labelColumnName, FeatureColumnName = FeatureColumnName, NumberOfThreads = 1 })),
            PixelClassifierKind.SdcaMaximumEntropy => mlContext.Transforms.NormalizeMinMax(FeatureColumnName, imageColumnName)
                .Append(t.SdcaMaximumEntropy(new SdcaMaximumEntropyMulticlassTrainer.Options { LabelColumnName = labelColumnName, FeatureColumnName = FeatureColumnName, NumberOfThreads = 1 })),
            PixelClassifierKind.LightGbm => mlContext.Transforms.CopyColumns(FeatureColumnName, imageColumnName)
                .Append(t.LightGbm(new LightGbmMulticlassTrainer.Options { LabelColumnName = labelColumnName, FeatureColumnName = FeatureColumnName, NumberOfThreads = 1, Seed = seed })),
            PixelClassifierKind.ImageCnn => t.ImageCnn((cnnOptions ?? new ImageCnnOptions()) with { LabelColumnName = labelColumnName, FeatureColumnName = imageColumnName, Seed = seed }),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a PixelClassifierKind."),
        };
    }
}
