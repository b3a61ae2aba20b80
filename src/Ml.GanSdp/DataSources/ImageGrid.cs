using Ml.GanSdp.Serialization;

namespace Ml.GanSdp;

/// <summary>
/// Tiles images given as float [N, C, H, W] data (the layout of a pixel column or a generator's output) into one
/// picture: torchvision's <c>make_grid(normalize=True, value_range=(MinValue, MaxValue))</c> followed by
/// <c>save_image</c>, optionally with one block of rows per class.
/// </summary>
public static class ImageGrid
{
    /// <summary>Largest label accepted for per-class rows (labels are 0-based class indices).</summary>
    public const int MaxLabel = 65535;

    /// <summary>
    /// Lays out the N = <c>images.Length</c> / (C x H x W) images and returns the grid as [C, H', W'] values 0..255.
    /// Without labels: <c>min(N, Columns)</c> columns and <c>ceil(N / columns)</c> rows, filled row by row. With
    /// <paramref name="labels"/> (one 0-based class per image): class k gets its own block of rows, blocks in class
    /// order 0..max label (an absent class leaves one empty row), its images left to right in their order, wrapping after
    /// <c>min(Columns, largest class size)</c> columns. <c>Padding</c> pixels of <c>PadValue</c> surround every cell.
    /// </summary>
    /// <exception cref="ArgumentException">Bad shape, a length that is not a multiple of C x H x W, labels of the wrong count or negative, NaN values, or a grid beyond <see cref="ImageGridOptions.MaxPixels"/>.</exception>
    public static ImagePixels Render(ReadOnlySpan<float> images, ImageShape shape, ImageGridOptions? options = null, ReadOnlySpan<int> labels = default)
    {
        var bytes = RenderBytes(images, shape, options ?? new ImageGridOptions(), labels, out var gridShape);
        var values = new float[bytes.Length];
        for (int i = 0; i < bytes.Length; i++) values[i] = bytes[i];
        return new ImagePixels(gridShape, values);
    }

    /// <summary>
    /// Renders the grid (see <see cref="Render"/>) and writes it to <paramref name="path"/> atomically (temporary file
    /// + rename): PNG for .png, JPEG for .jpg/.jpeg. Any other extension is refused before anything is computed or written.
    /// </summary>
    /// <exception cref="ArgumentException">An unsupported extension, or the input errors of <see cref="Render"/>.</exception>
    /// <exception cref="IOException">The target cannot be written; the message names the target.</exception>
    public static void Save(string path, ReadOnlySpan<float> images, ImageShape shape, ImageGridOptions? options = null, ReadOnlySpan<int> labels = default)
    {
        var format = SkiaImages.FormatOf(path);
        options ??= new ImageGridOptions();
        var bytes = RenderBytes(images, shape, options, labels, out var gridShape);
        AtomicFile.WriteAllBytes(path, SkiaImages.Encode(bytes, gridShape, format, options.JpegQuality));
    }

    private static byte[] RenderBytes(ReadOnlySpan<float> images, ImageShape shape, ImageGridOptions options, ReadOnlySpan<int> labels, out ImageShape gridShape)
    {
        options.Validate();
        shape.Validate("ImageGrid's image shape");
        if (images.Length == 0 || images.Length % shape.Size != 0)
            throw new ArgumentException($"ImageGrid got {images.Length} values; a positive multiple of C x H x W = {shape.Size} (shape {shape}) is needed.", nameof(images));
        int n = (int)(images.Length / shape.Size);
        var (rowOf, colOf, rows, cols) = labels.IsEmpty ? PlainLayout(n, options.Columns) : ClassLayout(labels, n, options.Columns);
        int h = shape.Height, w = shape.Width, p = options.Padding;
        long gridH = (long)rows * (h + p) + p, gridW = (long)cols * (w + p) + p;
        if (gridH * gridW > options.MaxPixels)
            throw new ArgumentException($"ImageGrid of {n} images would be {gridW} x {gridH} = {gridH * gridW:N0} pixels, above ImageGridOptions.MaxPixels ({options.MaxPixels:N0}).");
        gridShape = new ImageShape(shape.Channels, (int)gridH, (int)gridW);
        var grid = new byte[gridShape.Size];
        grid.AsSpan().Fill((byte)Math.Clamp(options.PadValue * 255f + 0.5f, 0f, 255f));
        float range = SkiaImages.Range(options.MinValue, options.MaxValue);
        long gridPlane = gridH * gridW;
        for (int k = 0; k < n; k++)
        {
            var image = images.Slice((int)(k * shape.Size), (int)shape.Size);
            long top = (long)rowOf[k] * (h + p) + p, left = (long)colOf[k] * (w + p) + p;
            for (int c = 0; c < shape.Channels; c++)
                for (int y = 0; y < h; y++)
                {
                    long src = ((long)c * h + y) * w, dst = c * gridPlane + (top + y) * gridW + left;
                    for (int x = 0; x < w; x++)
                    {
                        float v = image[(int)(src + x)];
                        if (float.IsNaN(v)) throw new ArgumentException($"ImageGrid: image {k} holds NaN at channel {c}, row {y}, column {x}.", nameof(images));
                        grid[dst + x] = SkiaImages.ToByte(v, options.MinValue, options.MaxValue, range);
                    }
                }
        }
        return grid;
    }

    /// <summary>torchvision's layout: image k at row k / cols, column k % cols, cols = min(n, columns).</summary>
    private static (int[] Row, int[] Col, int Rows, int Cols) PlainLayout(int n, int columns)
    {
        int cols = Math.Min(n, columns), rows = (n + cols - 1) / cols;
        var row = new int[n];
        var col = new int[n];
        for (int k = 0; k < n; k++) (row[k], col[k]) = (k / cols, k % cols);
        return (row, col, rows, cols);
    }

    /// <summary>One block of rows per class 0..max label: ceil(count_k / cols) rows (at least one), images in their order.</summary>
    private static (int[] Row, int[] Col, int Rows, int Cols) ClassLayout(ReadOnlySpan<int> labels, int n, int columns)
    {
        if (labels.Length != n) throw new ArgumentException($"ImageGrid got {labels.Length} labels for {n} images; one label per image is needed.", nameof(labels));
        int max = 0;
        for (int k = 0; k < n; k++)
        {
            if (labels[k] is < 0 or > MaxLabel) throw new ArgumentException($"ImageGrid: label {labels[k]} of image {k} is outside 0..{MaxLabel}.", nameof(labels));
            max = Math.Max(max, labels[k]);
        }
        var count = new int[max + 1];
        foreach (var l in labels) count[l]++;
        int cols = Math.Min(columns, count.Max());
        var firstRow = new int[max + 2];
        for (int c = 0; c <= max; c++) firstRow[c + 1] = firstRow[c] + Math.Max(1, (count[c] + cols - 1) / cols);
        var seen = new int[max + 1];
        var row = new int[n];
        var col = new int[n];
        for (int k = 0; k < n; k++)
        {
            int j = seen[labels[k]]++;
            row[k] = firstRow[labels[k]] + j / cols;
            col[k] = j % cols;
        }
        return (row, col, firstRow[max + 1], cols);
    }
}
