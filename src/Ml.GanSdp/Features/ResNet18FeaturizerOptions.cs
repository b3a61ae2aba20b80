using Ml.GanSdp.Features;

namespace Ml.GanSdp;

/// <summary>
/// Options of <see cref="FeaturesCatalog.FeaturizeResNet18(Microsoft.ML.TransformsCatalog, ResNet18FeaturizerOptions)"/>.
/// </summary>
public sealed record ResNet18FeaturizerOptions
{
    /// <summary>The output column: 512 features per row (<c>Vector&lt;Single&gt;</c>, dimensions [1, 512, 1, 1]). Default "Features".</summary>
    public string OutputColumnName { get; init; } = "Features";

    /// <summary>
    /// The input column: pixels (<c>Vector&lt;Single&gt;</c> with dimensions [C, H, W], C = 1 or 3, values 0..255, as
    /// ImageAnalytics' <c>ExtractPixels</c> gives them) or images (<c>MLImage</c>). Null: the output column's name.
    /// </summary>
    public string? InputColumnName { get; init; }

    /// <summary>
    /// For an <c>MLImage</c> column: the width images are brought to (ImageAnalytics' <c>ResizeImages</c>, kind Fill,
    /// which copies an image that already has this size unchanged) before their pixels are taken. Needed when the
    /// column's image size is unknown (as after <c>LoadImages</c>); set it to the images' own size (32 for CIFAR-10).
    /// Null: the column's known size. Set together with <see cref="ImageHeight"/>.
    /// </summary>
    public int? ImageWidth { get; init; }

    /// <summary>For an <c>MLImage</c> column: the height, as <see cref="ImageWidth"/>.</summary>
    public int? ImageHeight { get; init; }

    /// <summary>
    /// The folder holding <c>ResNetPrepOnnx/ResNetPreprocess.onnx</c> and <c>ResNet18Onnx/ResNet18.onnx</c>.
    /// Null: <see cref="ResNet18Model.DefaultDirectory"/>, where the NuGet package copies them. Only read by Fit:
    /// the fitted chain keeps the model bytes, so a saved model loads without the folder.
    /// </summary>
    public string? ModelDirectory { get; init; }

    /// <summary>
    /// Threads ONNX Runtime uses inside the network and the package's preprocessing model for one image; null: the library default
    /// (<see cref="OnnxRuntimeThreads"/>: one thread on machines with at most two cores, else ONNX Runtime's own). Pin it to compare against a reference with a fixed thread count or to leave
    /// cores to other work. Not kept when the fitted model is saved (a loaded model uses the default).
    /// </summary>
    public int? IntraOpThreads { get; init; }

    /// <summary>
    /// Where the estimator's folders for its generated resampling models go (one small ONNX file per input column and size);
    /// null: the system temp folder. They are deleted when the estimator is disposed, or at process exit.
    /// </summary>
    public string? TempFolder { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(OutputColumnName))
            throw new ArgumentException("ResNet18FeaturizerOptions.OutputColumnName must be a column name.", nameof(OutputColumnName));
        if (InputColumnName is not null && string.IsNullOrWhiteSpace(InputColumnName))
            throw new ArgumentException("ResNet18FeaturizerOptions.InputColumnName must be a column name or null.", nameof(InputColumnName));
        if (ImageWidth.HasValue != ImageHeight.HasValue)
            throw new ArgumentException($"ResNet18FeaturizerOptions.ImageWidth ({ImageWidth?.ToString() ?? "null"}) and ImageHeight ({ImageHeight?.ToString() ?? "null"}) must be set together.", nameof(ImageWidth));
        foreach (var (name, value) in new[] { (nameof(ImageWidth), ImageWidth), (nameof(ImageHeight), ImageHeight) })
            if (value is < 1 or > PixelResizeModel.MaxSide)
                throw new ArgumentOutOfRangeException(name, value, $"ResNet18FeaturizerOptions.{name} must be 1..{PixelResizeModel.MaxSide}.");
        if (ModelDirectory is not null && string.IsNullOrWhiteSpace(ModelDirectory))
            throw new ArgumentException("ResNet18FeaturizerOptions.ModelDirectory must be a folder or null.", nameof(ModelDirectory));
        if (TempFolder is not null && string.IsNullOrWhiteSpace(TempFolder))
            throw new ArgumentException("ResNet18FeaturizerOptions.TempFolder must be a folder or null.", nameof(TempFolder));
        if (IntraOpThreads is < 1 or > 1024)
            throw new ArgumentOutOfRangeException(nameof(IntraOpThreads), IntraOpThreads, "ResNet18FeaturizerOptions.IntraOpThreads must be 1..1024 or null (the library default).");
    }
}
