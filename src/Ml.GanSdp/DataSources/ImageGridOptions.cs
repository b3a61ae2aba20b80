namespace Ml.GanSdp;

/// <summary>Layout and value range of <see cref="ImageGrid"/> (torchvision's <c>make_grid</c> / <c>save_image</c> settings).</summary>
public sealed record ImageGridOptions
{
    /// <summary>Images per row (torchvision's <c>nrow</c>); default 8.</summary>
    public int Columns { get; init; } = 8;

    /// <summary>Pixels of padding around and between images; default 2.</summary>
    public int Padding { get; init; } = 2;

    /// <summary>Intensity of the padding in [0, 1] (0 black, 1 white); default 0.</summary>
    public float PadValue { get; init; }

    /// <summary>The value shown black: the low end of the images' declared range; default 0 (ExtractPixels' scale 0..255).</summary>
    public float MinValue { get; init; }

    /// <summary>The value shown white: the high end of the declared range; default 255. A tanh generator's output: MinValue -1, MaxValue 1.</summary>
    public float MaxValue { get; init; } = 255;

    /// <summary>JPEG quality 1..100 when the file name ends in .jpg/.jpeg; default 95.</summary>
    public int JpegQuality { get; init; } = 95;

    /// <summary>Limit on the grid's pixels (height x width); default 67,108,864 (8192 x 8192), at most 536,870,897.</summary>
    public long MaxPixels { get; init; } = SkiaImages.DefaultMaxPixels;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (Columns < 1) throw new ArgumentOutOfRangeException(nameof(Columns), Columns, "ImageGridOptions.Columns must be at least 1.");
        if (Padding is < 0 or > 1024) throw new ArgumentOutOfRangeException(nameof(Padding), Padding, "ImageGridOptions.Padding must be in 0..1024.");
        if (!(PadValue >= 0 && PadValue <= 1)) throw new ArgumentOutOfRangeException(nameof(PadValue), PadValue, "ImageGridOptions.PadValue must be in [0, 1].");
        if (!float.IsFinite(MinValue) || !float.IsFinite(MaxValue) || !(MinValue < MaxValue))
            throw new ArgumentException($"ImageGridOptions.MinValue ({MinValue}) and MaxValue ({MaxValue}) must be finite with MinValue < MaxValue.");
        if (JpegQuality is < 1 or > 100) throw new ArgumentOutOfRangeException(nameof(JpegQuality), JpegQuality, "ImageGridOptions.JpegQuality must be in 1..100.");
        SkiaImages.ValidateMaxPixels(MaxPixels, "ImageGridOptions.MaxPixels");
    }
}
