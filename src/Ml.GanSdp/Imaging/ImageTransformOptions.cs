namespace Ml.GanSdp.Imaging;

/// <summary>How <see cref="ResizeImagesTransform"/> samples (ML.NET's <c>ResizingKind.Fill</c>: the image is stretched to the target size).</summary>
public enum ResizeMode
{
    /// <summary>Bilinear, <c>F.interpolate(mode="bilinear", align_corners=False)</c> (default).</summary>
    Bilinear,
    /// <summary>Nearest neighbour, <c>F.interpolate(mode="nearest")</c>.</summary>
    Nearest,
}

/// <summary>Options of <see cref="ResizeImagesTransform"/> (ML.NET's <c>ResizeImages(outputColumnName, imageWidth, imageHeight, inputColumnName)</c>).</summary>
public sealed record ResizeImagesOptions
{
    /// <summary>The column written; default "Image".</summary>
    public string OutputColumnName { get; init; } = "Image";

    /// <summary>The image column read; null means <see cref="OutputColumnName"/> (replace in place).</summary>
    public string? InputColumnName { get; init; }

    /// <summary>Target width in pixels (required, positive).</summary>
    public int Width { get; init; }

    /// <summary>Target height in pixels (required, positive).</summary>
    public int Height { get; init; }

    /// <summary>Sampling; default bilinear.</summary>
    public ResizeMode Mode { get; init; } = ResizeMode.Bilinear;

    /// <summary>The column actually read.</summary>
    public string SourceColumnName => InputColumnName ?? OutputColumnName;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(OutputColumnName)) throw new ArgumentException("ResizeImagesOptions.OutputColumnName must not be empty.");
        if (Width < 1 || Height < 1) throw new ArgumentOutOfRangeException(nameof(Width), $"ResizeImagesOptions needs a positive Width and Height; got {Width} x {Height}.");
        if (!Enum.IsDefined(Mode)) throw new ArgumentOutOfRangeException(nameof(Mode), Mode, "Unknown resize mode.");
    }
}

/// <summary>Options of <see cref="ConvertToGrayscaleTransform"/> (ML.NET's <c>ConvertToGrayscale(outputColumnName, inputColumnName)</c>).</summary>
public sealed record ConvertToGrayscaleOptions
{
    /// <summary>The column written; default "Image".</summary>
    public string OutputColumnName { get; init; } = "Image";

    /// <summary>The image column read; null means <see cref="OutputColumnName"/>.</summary>
    public string? InputColumnName { get; init; }

    /// <summary>The column actually read.</summary>
    public string SourceColumnName => InputColumnName ?? OutputColumnName;

    /// <summary>Throws <see cref="ArgumentException"/> when a column name is empty.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(OutputColumnName)) throw new ArgumentException("ConvertToGrayscaleOptions.OutputColumnName must not be empty.");
    }
}

/// <summary>Options of <see cref="NormalizePixelsTransform"/> (ML.NET's <c>ExtractPixels</c> with scaling and offset).</summary>
public sealed record NormalizePixelsOptions
{
    /// <summary>The column written; default "Image".</summary>
    public string OutputColumnName { get; init; } = "Image";

    /// <summary>The uint8 image column read; null means <see cref="OutputColumnName"/>.</summary>
    public string? InputColumnName { get; init; }

    /// <summary>Target range; default [-1, 1].</summary>
    public PixelRange Range { get; init; } = PixelRange.MinusOneToOne;

    /// <summary>The column actually read.</summary>
    public string SourceColumnName => InputColumnName ?? OutputColumnName;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(OutputColumnName)) throw new ArgumentException("NormalizePixelsOptions.OutputColumnName must not be empty.");
        if (!Enum.IsDefined(Range)) throw new ArgumentOutOfRangeException(nameof(Range), Range, "Unknown pixel range.");
    }
}
