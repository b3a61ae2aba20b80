namespace Ml.GanSdp;

/// <summary>
/// One image as floats in channels-first layout [C, H, W] (the layout of a pixel column). Values are kept as
/// given; images read by <see cref="ImageFile.Read"/> and grids from <see cref="ImageGrid.Render"/> hold 0..255.
/// </summary>
public sealed class ImagePixels
{
    /// <summary>Wraps <paramref name="values"/> (not copied) as an image of <paramref name="shape"/>.</summary>
    /// <exception cref="ArgumentException">The shape is invalid or the value count is not C x H x W.</exception>
    public ImagePixels(ImageShape shape, float[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        shape.Validate("ImagePixels");
        if (values.LongLength != shape.Size)
            throw new ArgumentException($"ImagePixels of shape {shape} needs {shape.Size} values; got {values.LongLength}.", nameof(values));
        Shape = shape;
        Values = values;
    }

    /// <summary>[C, H, W].</summary>
    public ImageShape Shape { get; }

    /// <summary>The values, plane after plane (index = (c * H + y) * W + x).</summary>
    public float[] Values { get; }

    /// <summary>The value of channel <paramref name="c"/> at row <paramref name="y"/>, column <paramref name="x"/>.</summary>
    public float this[int c, int y, int x] => Values[((long)c * Shape.Height + y) * Shape.Width + x];
}
