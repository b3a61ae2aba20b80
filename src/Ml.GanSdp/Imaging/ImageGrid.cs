using static Ml.GanSdp.torch;

namespace Ml.GanSdp.Imaging;

/// <summary>Tiles a batch of images into one picture (sample grids of a generator).</summary>
public static class ImageGrid
{
    /// <summary>
    /// Tiles N x C x H x W float images (C = 1 or 3, in <see cref="ImageGridOptions.Range"/>) into one
    /// H' x W' x C uint8 image, row by row, as torchvision's <c>make_grid</c> followed by <c>save_image</c>:
    /// <c>min(N, Columns)</c> columns, <c>ceil(N / columns)</c> rows, <c>Padding</c> pixels around every image.
    /// </summary>
    public static Tensor Make(Tensor images, ImageGridOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        options ??= new ImageGridOptions();
        options.Validate();
        var s = images.shape;
        if (s.Length != 4 || (s[1] != 1 && s[1] != 3) || s[0] < 1 || !ImageTensors.IsFloating(images.dtype))
            throw new ArgumentException($"ImageGrid expects a floating N x C x H x W tensor with N >= 1 and C = 1 or 3; got {images.dtype} of shape [{string.Join(", ", s)}].", nameof(images));
        long n = s[0], c = s[1], h = s[2], w = s[3], p = options.Padding;
        long cols = Math.Min(n, options.Columns), rows = (n + cols - 1) / cols;
        using var scope = NewDisposeScope();
        var unit = ImageTensors.ToUnitRange(images.detach().to(ScalarType.Float32), options.Range);
        var grid = full(new[] { c, rows * (h + p) + p, cols * (w + p) + p }, options.PadValue, ScalarType.Float32);
        for (long k = 0; k < n; k++)
        {
            long y = k / cols, x = k % cols;
            var rowBand = grid.narrow(1, y * (h + p) + p, h);
            var cell = rowBand.narrow(2, x * (w + p) + p, w);
            cell.copy_(unit[k]);
        }
        return ImageTensors.ToHwcBytes(grid, PixelRange.ZeroToOne).MoveToOuterDisposeScope();
    }

    /// <summary>Makes the grid of <paramref name="images"/> and saves it atomically (PNG unless the extension says otherwise).</summary>
    public static void Save(string path, Tensor images, ImageGridOptions? options = null)
    {
        using var grid = Make(images, options);
        ImageCodec.Save(path, grid, ImageCodec.TryFormatFromPath(path, out var f) ? f : ImageFormat.Png);
    }
}
