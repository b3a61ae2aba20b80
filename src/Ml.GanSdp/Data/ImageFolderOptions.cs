using Ml.GanSdp.Imaging;

namespace Ml.GanSdp.Data;

/// <summary>What a loader does with an image it cannot read or decode.</summary>
public enum InvalidImageHandling
{
    /// <summary>Throw an <see cref="InvalidImageException"/> naming the file (default).</summary>
    Throw,
    /// <summary>Leave the row out of its batch, and count and record it (<see cref="ImageFolderDataView.SkippedImages"/>).</summary>
    Skip,
}

/// <summary>How images are decoded.</summary>
public enum ImageColorMode
{
    /// <summary>Three channels, RGB (gray files are expanded).</summary>
    Rgb,
    /// <summary>One channel (OpenCV's decoder conversion).</summary>
    Grayscale,
}

/// <summary>Options of <see cref="ImageFolderLoader.Load(string, ImageFolderOptions?)"/>.</summary>
public sealed record ImageFolderOptions
{
    /// <summary>Name of the image column (C x H x W uint8, size varying); default "Image".</summary>
    public string ImageColumnName { get; init; } = "Image";

    /// <summary>Name of the label column (key over the sorted class-folder names); default "Label".</summary>
    public string LabelColumnName { get; init; } = "Label";

    /// <summary>Name of the file-path column (text); default "ImagePath".</summary>
    public string PathColumnName { get; init; } = "ImagePath";

    /// <summary>RGB or grayscale decoding; default RGB.</summary>
    public ImageColorMode ColorMode { get; init; } = ImageColorMode.Rgb;

    /// <summary>File extensions taken as images (case-insensitive, with the dot); default .png .jpg .jpeg .bmp .webp.</summary>
    public IReadOnlyList<string> Extensions { get; init; } = ImageCodec.SupportedExtensions;

    /// <summary>Also take images in sub-folders of a class folder; default true.</summary>
    public bool IncludeSubdirectories { get; init; } = true;

    /// <summary>Throw on, or skip, images that cannot be decoded; default <see cref="InvalidImageHandling.Throw"/>.</summary>
    public InvalidImageHandling OnInvalidImage { get; init; } = InvalidImageHandling.Throw;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        var names = new[] { ImageColumnName, LabelColumnName, PathColumnName };
        if (names.Any(string.IsNullOrWhiteSpace)) throw new ArgumentException("ImageFolderOptions column names must not be empty.");
        if (names.Distinct(StringComparer.Ordinal).Count() != 3) throw new ArgumentException($"ImageFolderOptions column names must differ; got {string.Join(", ", names)}.");
        if (Extensions is null || Extensions.Count == 0) throw new ArgumentException("ImageFolderOptions.Extensions must list at least one extension.");
        foreach (var e in Extensions)
            if (string.IsNullOrEmpty(e) || e[0] != '.') throw new ArgumentException($"ImageFolderOptions.Extensions entry '{e}' must start with a dot (e.g. \".png\").");
        if (!Enum.IsDefined(ColorMode)) throw new ArgumentOutOfRangeException(nameof(ColorMode), ColorMode, "Unknown color mode.");
        if (!Enum.IsDefined(OnInvalidImage)) throw new ArgumentOutOfRangeException(nameof(OnInvalidImage), OnInvalidImage, "Unknown invalid-image handling.");
    }
}
