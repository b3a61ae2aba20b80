using Microsoft.ML;

namespace Ml.GanSdp;

/// <summary>The library's CNN classifier on <c>mlContext.MulticlassClassification.Trainers</c>.</summary>
public static class ImageCnnCatalog
{
    /// <summary>
    /// A small CNN (conv-pool-conv-pool-linear-linear, <see cref="Metrics.DomainClassifier"/>) trained with TorchSharp on a
    /// pixel column, fitted into built-in ML.NET transformers (ONNX) that add <c>Score</c> (softmax probabilities) and
    /// <c>PredictedLabel</c> (the label's key type); see <see cref="ImageCnnTrainer"/>.
    /// </summary>
    /// <param name="catalog">The trainers catalog (<c>mlContext.MulticlassClassification.Trainers</c>).</param>
    /// <param name="labelColumnName">The label column (key of UInt32).</param>
    /// <param name="featureColumnName">The pixel column (Single vector [C, H, W], values 0..255 by default).</param>
    /// <param name="epochs">Passes over the training data.</param>
    /// <param name="seed">Seed of the initial weights and the shuffles.</param>
    public static ImageCnnTrainer ImageCnn(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = "Label", string featureColumnName = "Image", int epochs = 3, long seed = 0)
        => catalog.ImageCnn(new ImageCnnOptions { LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName, Epochs = epochs, Seed = seed });

    /// <summary>The image CNN trainer with all options.</summary>
    public static ImageCnnTrainer ImageCnn(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, ImageCnnOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new ImageCnnTrainer(options);
    }
}
