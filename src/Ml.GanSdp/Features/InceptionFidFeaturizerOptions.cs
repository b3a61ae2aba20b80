using Ml.GanSdp.Metrics;

namespace Ml.GanSdp;

/// <summary>
/// Options of <see cref="FeaturesCatalog.FeaturizeInceptionFid(Microsoft.ML.TransformsCatalog, InceptionFidFeaturizerOptions)"/>.
/// </summary>
public sealed record InceptionFidFeaturizerOptions
{
    /// <summary>The output column: the features (<c>Vector&lt;Single&gt;</c> of <see cref="Dimension"/> values). Default "Features".</summary>
    public string OutputColumnName { get; init; } = "Features";

    /// <summary>
    /// The input column: pixels (<c>Vector&lt;Single&gt;</c> with dimensions [C, H, W], C = 1 or 3, values 0..255, as
    /// ImageAnalytics' <c>ExtractPixels</c> gives them) or images (<c>MLImage</c>). Null: the output column's name.
    /// </summary>
    public string? InputColumnName { get; init; }

    /// <summary>
    /// The weights: pytorch-fid's <c>pt_inception-2015-12-05-6726825d.pth</c> (loaded directly), or a
    /// <c>.safetensors</c>/<c>.npz</c> with the same keys. Required. Read once, when the estimator is made.
    /// </summary>
    public string WeightsPath { get; init; } = "";

    /// <summary>The feature block: 64, 192, 768 or 2048 (the standard FID features). Default 2048.</summary>
    public int Dimension { get; init; } = InceptionV3Fid.DefaultDimension;

    /// <summary>
    /// For an <c>MLImage</c> column: the width images are brought to (ImageAnalytics' <c>ResizeImages</c>, kind Fill,
    /// which copies an image that already has this size unchanged) before their pixels are taken. Needed when the
    /// column's image size is unknown (as after <c>LoadImages</c>); set it to the images' own size. Null: the column's
    /// known size. Set together with <see cref="ImageHeight"/>.
    /// </summary>
    public int? ImageWidth { get; init; }

    /// <summary>For an <c>MLImage</c> column: the height, as <see cref="ImageWidth"/>.</summary>
    public int? ImageHeight { get; init; }

    /// <summary>
    /// Threads ONNX Runtime uses inside the network for one image; null: the library default
    /// (<see cref="OnnxRuntimeThreads"/>: one thread on machines with at most two cores, else ONNX Runtime's own). Not kept when the fitted model is saved (a loaded model uses the default).
    /// </summary>
    public int? IntraOpThreads { get; init; }

    /// <summary>
    /// Where the estimator's folder for the generated ONNX files goes (the network is about 95 MB); null: the system
    /// temp folder. The folder is deleted when the estimator is disposed, or at process exit.
    /// </summary>
    public string? TempFolder { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(OutputColumnName))
            throw new ArgumentException("InceptionFidFeaturizerOptions.OutputColumnName must be a column name.", nameof(OutputColumnName));
        if (InputColumnName is not null && string.IsNullOrWhiteSpace(InputColumnName))
            throw new ArgumentException("InceptionFidFeaturizerOptions.InputColumnName must be a column name or null.", nameof(InputColumnName));
        if (string.IsNullOrWhiteSpace(WeightsPath))
            throw new ArgumentException("InceptionFidFeaturizerOptions.WeightsPath must name the Inception weights (pytorch-fid's pt_inception-2015-12-05-6726825d.pth); none ship with this library.", nameof(WeightsPath));
        if (!InceptionV3Fid.BlockDimensions.Contains(Dimension))
            throw new ArgumentOutOfRangeException(nameof(Dimension), Dimension, "InceptionFidFeaturizerOptions.Dimension must be 64, 192, 768 or 2048.");
        if (ImageWidth.HasValue != ImageHeight.HasValue)
            throw new ArgumentException($"InceptionFidFeaturizerOptions.ImageWidth ({ImageWidth?.ToString() ?? "null"}) and ImageHeight ({ImageHeight?.ToString() ?? "null"}) must be set together.", nameof(ImageWidth));
        foreach (var (name, value) in new[] { (nameof(ImageWidth), ImageWidth), (nameof(ImageHeight), ImageHeight) })
            if (value is < 1 or > FidPreprocessing.MaxSide)
                throw new ArgumentOutOfRangeException(name, value, $"InceptionFidFeaturizerOptions.{name} must be 1..{FidPreprocessing.MaxSide}.");
        if (IntraOpThreads is < 1 or > 1024)
            throw new ArgumentOutOfRangeException(nameof(IntraOpThreads), IntraOpThreads, "InceptionFidFeaturizerOptions.IntraOpThreads must be 1..1024 or null (the library default).");
        if (TempFolder is not null && string.IsNullOrWhiteSpace(TempFolder))
            throw new ArgumentException("InceptionFidFeaturizerOptions.TempFolder must be a folder or null.", nameof(TempFolder));
    }
}
