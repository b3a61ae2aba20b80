namespace Ml.GanSdp.Imaging;

/// <summary>Layout of a sample grid (torchvision's <c>make_grid</c> / <c>save_image</c>).</summary>
public sealed record ImageGridOptions
{
    /// <summary>Images per row (torchvision's <c>nrow</c>); default 8.</summary>
    public int Columns { get; init; } = 8;

    /// <summary>Pixels of padding around and between images; default 2.</summary>
    public int Padding { get; init; } = 2;

    /// <summary>Intensity of the padding in [0, 1] (0 black, 1 white); default 0.</summary>
    public double PadValue { get; init; }

    /// <summary>Range of the input pixels; default [-1, 1] (a tanh generator).</summary>
    public PixelRange Range { get; init; } = PixelRange.MinusOneToOne;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (Columns < 1) throw new ArgumentOutOfRangeException(nameof(Columns), Columns, "ImageGridOptions.Columns must be at least 1.");
        if (Padding < 0) throw new ArgumentOutOfRangeException(nameof(Padding), Padding, "ImageGridOptions.Padding must be non-negative.");
        if (double.IsNaN(PadValue) || PadValue is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(PadValue), PadValue, "ImageGridOptions.PadValue must be in [0, 1].");
    }
}
