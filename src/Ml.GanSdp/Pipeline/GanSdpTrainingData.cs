using Microsoft.ML;
using Microsoft.ML.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp;

/// <summary>
/// The training rows of <see cref="GanSdpEstimator.Fit"/> in memory: images N x C x H x W in [-1, 1] (float32, CPU) and
/// 0-based int64 classes (N) for a conditional GAN. Owns both tensors.
/// </summary>
internal sealed class GanSdpTrainingData : IDisposable
{
    /// <summary>Rows gathered per chunk before they are copied into a tensor (values; 16 Mi floats = 64 MiB).</summary>
    private const long ChunkValues = 16L << 20;

    private GanSdpTrainingData(Tensor images, Tensor? labels)
    {
        Images = images;
        Labels = labels;
    }

    public Tensor Images { get; }
    public Tensor? Labels { get; }
    public long Rows => Images.size(0);

    public void Dispose()
    {
        Images.Dispose();
        Labels?.Dispose();
    }

    /// <summary>
    /// Reads the image (and label) column of <paramref name="data"/> in one pass, up to <see cref="GanSdpOptions.MaxRows"/>
    /// rows. Every pixel must lie in <see cref="GanSdpOptions.InputRange"/> and every label be a known key, else an
    /// <see cref="InvalidDataException"/> names the row (0-based), the column and the value. MLImage columns are turned
    /// into pixels with ML.NET's own ExtractPixels (its defaults: R, G, B planes, 0 .. 255).
    /// </summary>
    public static GanSdpTrainingData Read(TransformsCatalog catalog, IDataView data, GanSdpColumns columns, GanSdpOptions o, CancellationToken ct)
    {
        var view = data;
        var pixelColumn = columns.ImageColumn;
        if (columns.IsImageType)
        {
            pixelColumn = UnusedName(data.Schema, "__gansdp_pixels");
            view = catalog.ExtractPixels(pixelColumn, columns.ImageColumn).Fit(data).Transform(data);
        }
        var image = view.Schema[pixelColumn];
        var label = columns.LabelColumn is { } l ? view.Schema[l] : (DataViewSchema.Column?)null;
        long size = columns.Shape.Size;
        long maxRows = o.MaxRows ?? long.MaxValue;
        long rowsPerChunk = Math.Max(1, ChunkValues / size);
        var range = o.InputRange;
        int classes = columns.ClassNames.Count;

        var chunks = new List<Tensor>();
        var labels = new List<long>();
        try
        {
            using var cursor = view.GetRowCursor(label is { } lc ? [image, lc] : [image]);
            var getImage = cursor.GetGetter<VBuffer<float>>(image);
            var getLabel = label is { } lcol ? cursor.GetGetter<uint>(lcol) : null;
            VBuffer<float> buffer = default;
            float[] dense = new float[size];
            float[]? chunk = null;
            long inChunk = 0, row = 0;
            while (row < maxRows && cursor.MoveNext())
            {
                ct.ThrowIfCancellationRequested();
                getImage(ref buffer);
                if (buffer.Length != size)
                    throw new InvalidDataException($"TrainGanSdp: row {row} of column '{columns.ImageColumn}' holds {buffer.Length} values; the column's type promises {size} ({columns.Shape}).");
                buffer.CopyTo(dense);
                chunk ??= new float[Math.Min(rowsPerChunk, maxRows - row) * size];
                var target = chunk.AsSpan((int)(inChunk * size), (int)size);
                for (int i = 0; i < dense.Length; i++)
                {
                    float v = dense[i];
                    if (!range.Contains(v)) throw OutOfRange(columns, row, i, v, range);
                    target[i] = range.ToTanhScale(v);
                }
                if (getLabel is not null)
                {
                    uint key = 0;
                    getLabel(ref key);
                    if (key == 0 || key > classes)
                        throw new InvalidDataException($"TrainGanSdp: row {row} of label column '{columns.LabelColumn}' has key {key}: {(key == 0 ? "a missing label (a value the key mapping did not know)" : $"beyond the {classes} classes")}; every training row needs one of the {classes} classes.");
                    labels.Add(key - 1);
                }
                row++;
                if (++inChunk * size == chunk.Length)
                {
                    chunks.Add(Chunk(chunk, inChunk, columns.Shape));
                    chunk = null;
                    inChunk = 0;
                }
            }
            if (chunk is not null && inChunk > 0) chunks.Add(Chunk(chunk, inChunk, columns.Shape));
            if (row == 0) throw new InvalidDataException($"TrainGanSdp: the input has no rows in column '{columns.ImageColumn}'; a GAN needs training images.");

            Tensor images;
            if (chunks.Count == 1) { images = chunks[0]; chunks.Clear(); }
            else
            {
                images = cat(chunks, 0);
                foreach (var c in chunks) c.Dispose();
                chunks.Clear();
            }
            var labelTensor = getLabel is null ? null : tensor(labels.ToArray(), [labels.Count]);
            return new GanSdpTrainingData(images, labelTensor);
        }
        catch
        {
            foreach (var c in chunks) c.Dispose();
            throw;
        }
    }

    private static Tensor Chunk(float[] values, long rows, ImageShape shape)
    {
        var used = values.Length == rows * shape.Size ? values : values.AsSpan(0, (int)(rows * shape.Size)).ToArray();
        return tensor(used, [rows, shape.Channels, shape.Height, shape.Width]);
    }

    private static InvalidDataException OutOfRange(GanSdpColumns c, long row, int index, float value, PixelRange range)
    {
        var s = c.Shape;
        int ch = (int)(index / s.Pixels), y = (int)(index % s.Pixels / s.Width), x = (int)(index % s.Width);
        return new InvalidDataException(FormattableString.Invariant(
            $"TrainGanSdp: row {row} of column '{c.ImageColumn}' holds {value:R} at index {index} (channel {ch}, y {y}, x {x}), outside GanSdpOptions.InputRange {range}; declare the column's scale in InputRange (ExtractPixels writes 0 .. 255 by default)."));
    }

    private static string UnusedName(DataViewSchema schema, string stem)
    {
        var name = stem;
        for (int k = 1; schema.GetColumnOrNull(name) is not null; k++) name = $"{stem}_{k}";
        return name;
    }
}
