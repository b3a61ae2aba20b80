using Ml.GanSdp.Data;
using Ml.GanSdp.Imaging;
using static Ml.GanSdp.torch;

namespace Ml.GanSdp.Pipeline;

/// <summary>Schema checks and in-memory reads shared by the estimators that train on an image column.</summary>
internal static class ImageData
{
    /// <summary>The image column: fixed size, 1 or 3 channels, uint8 or float32 in a known range.</summary>
    internal static ImageDataViewType RequireImage(DataViewSchema schema, string column, string step)
    {
        var c = schema.GetColumn<ImageDataViewType>(column, $"a fixed-size image column (C x H x W) for {step} (append ResizeImages for images of varying size)",
            t => t.HasFixedSize && (t.ItemType == ScalarType.Byte || (t.ItemType == ScalarType.Float32 && t.Range is not null)));
        return (ImageDataViewType)c.Type;
    }

    /// <summary>The key (class label) column; returns its class names (numbers when it has none).</summary>
    internal static IReadOnlyList<string> RequireKey(DataViewSchema schema, string column, string step)
    {
        var c = schema.GetColumn<KeyDataViewType>(column, $"a key (class label) column for {step}");
        var k = (KeyDataViewType)c.Type;
        return c.KeyValues ?? Enumerable.Range(0, checked((int)k.Count)).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
    }

    /// <summary>Pixels of <paramref name="type"/> to float32 in [-1, 1]; the caller owns the result.</summary>
    internal static Tensor ToMinusOneToOne(Tensor images, ImageDataViewType type)
    {
        if (type.ItemType == ScalarType.Byte) return ImageTensors.BytesToFloat(images, PixelRange.MinusOneToOne);
        if (type.Range == PixelRange.ZeroToOne)
        {
            using var scope = NewDisposeScope();
            return (images * 2.0 - 1.0).MoveToOuterDisposeScope();
        }
        return images.to(ScalarType.Float32);
    }

    /// <summary>Float32 [-1, 1] pixels back to the representation of <paramref name="type"/>; the caller owns the result.</summary>
    internal static Tensor FromMinusOneToOne(Tensor images, ImageDataViewType type)
    {
        if (type.ItemType == ScalarType.Byte) return ImageTensors.FloatToBytes(images, PixelRange.MinusOneToOne);
        if (type.Range == PixelRange.ZeroToOne)
        {
            using var scope = NewDisposeScope();
            return ((images + 1.0) * 0.5).MoveToOuterDisposeScope();
        }
        return images.clone();
    }

    /// <summary>
    /// Reads the first <paramref name="maxRows"/> rows (all when null) of the image column, in order, as one float32
    /// N x C x H x W tensor in [-1, 1], and the labels (int64 N) when <paramref name="labelColumn"/> is given.
    /// The caller owns both.
    /// </summary>
    internal static (Tensor Images, Tensor? Labels) Read(IDataView view, string imageColumn, string? labelColumn, long? maxRows, string step)
    {
        var type = RequireImage(view.Schema, imageColumn, step);
        if (labelColumn is not null) RequireKey(view.Schema, labelColumn, step);
        var images = new List<Tensor>();
        var labels = new List<Tensor>();
        long have = 0;
        try
        {
            foreach (var batch in view.GetBatches(256))
                using (batch)
                {
                    long take = maxRows is { } m ? Math.Min(batch.Count, m - have) : batch.Count;
                    if (take <= 0) break;
                    using (var x = batch.GetTensor(imageColumn).narrow(0, 0, take))
                        images.Add(ToMinusOneToOne(x, type).DetachFromDisposeScope());
                    if (labelColumn is not null)
                        using (var y = batch.GetTensor(labelColumn).narrow(0, 0, take))
                            labels.Add(y.to(ScalarType.Int64).DetachFromDisposeScope());
                    have += take;
                    if (maxRows is { } max && have >= max) break;
                }
            if (images.Count == 0) throw new InvalidOperationException($"{step}: the data view has no rows.");
            return (cat(images), labelColumn is null ? null : cat(labels));
        }
        finally
        {
            foreach (var t in images) t.Dispose();
            foreach (var t in labels) t.Dispose();
        }
    }
}
