namespace Ml.GanSdp;

/// <summary>Options of the image CNN trainer (<see cref="ImageCnnCatalog.ImageCnn(Microsoft.ML.MulticlassClassificationCatalog.MulticlassClassificationTrainers, ImageCnnOptions)"/>).</summary>
public sealed record ImageCnnOptions
{
    /// <summary>The label column: a key of UInt32 with at least 2 classes. Default "Label".</summary>
    public string LabelColumnName { get; init; } = "Label";

    /// <summary>The pixel column: a known-size Single vector of C x H x W values, planes C, H, W (what ExtractPixels writes). Default "Image".</summary>
    public string FeatureColumnName { get; init; } = "Image";

    /// <summary>[C, H, W] when the feature column's own Dimensions are not [C, H, W] (e.g. after Concatenate); null: the column's. C is 1 or 3; H = W, a multiple of 4.</summary>
    public int[]? ImageDimensions { get; init; }

    /// <summary>The pixel value mapped to 0 (the network sees (x - min) / (max - min)). Default 0.</summary>
    public float MinPixelValue { get; init; }

    /// <summary>The pixel value mapped to 1. Default 255 (ExtractPixels' and the data sources' scale).</summary>
    public float MaxPixelValue { get; init; } = 255;

    /// <summary>Passes over the training rows. Default 3.</summary>
    public int Epochs { get; init; } = 3;

    /// <summary>Rows per Adam step. Default 64.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Adam's learning rate. Default 1e-3.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Width of the penultimate (feature) layer. Default 128.</summary>
    public int FeatureDimension { get; init; } = 128;

    /// <summary>Seed of the initial weights and of the per-epoch shuffles. Default 0.</summary>
    public long Seed { get; init; }

    /// <summary>The folder under which each fitted model's ONNX file gets a folder of its own (null: the system temp folder).</summary>
    public string? TempFolder { get; init; }

    /// <summary>The largest number of classes accepted.</summary>
    public const int MaxClasses = 100_000;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        AugmentationOptions.RequireName(LabelColumnName, nameof(LabelColumnName));
        AugmentationOptions.RequireName(FeatureColumnName, nameof(FeatureColumnName));
        if (LabelColumnName == FeatureColumnName) throw new ArgumentException($"ImageCnnOptions.LabelColumnName and FeatureColumnName are both '{LabelColumnName}'.", nameof(FeatureColumnName));
        if (ImageDimensions is not null) ImageCnnTrainer.CheckImageDimensions(ImageDimensions, "ImageCnnOptions.ImageDimensions");
        if (!float.IsFinite(MinPixelValue) || !float.IsFinite(MaxPixelValue) || !(MaxPixelValue > MinPixelValue))
            throw new ArgumentOutOfRangeException(nameof(MaxPixelValue), $"ImageCnnOptions.MinPixelValue ({MinPixelValue}) and MaxPixelValue ({MaxPixelValue}) must be finite with min < max.");
        if (Epochs < 1 || Epochs > 100_000) throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, "ImageCnnOptions.Epochs must be between 1 and 100,000.");
        if (BatchSize < 1 || BatchSize > 1_000_000) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "ImageCnnOptions.BatchSize must be between 1 and 1,000,000.");
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "ImageCnnOptions.LearningRate must be a finite positive number.");
        if (FeatureDimension < 1 || FeatureDimension > 65_536) throw new ArgumentOutOfRangeException(nameof(FeatureDimension), FeatureDimension, "ImageCnnOptions.FeatureDimension must be between 1 and 65,536.");
    }
}
