using Ml.GanSdp.Data;
using static Ml.GanSdp.torch;

namespace Ml.GanSdp.Imaging;

/// <summary>Shared plumbing of the image transforms: read an image column of a batch, map it, write the result.</summary>
internal static class ImageColumn
{
    /// <summary>Checks that <paramref name="name"/> is an image column (optionally of one item type).</summary>
    internal static ImageDataViewType Require(DataViewSchema schema, string name, string transform, ScalarType? itemType = null)
    {
        string expected = itemType is { } t ? $"a {t} image (C x H x W) for {transform}" : $"an image (C x H x W) for {transform}";
        return (ImageDataViewType)schema.GetColumn<ImageDataViewType>(name, expected, i => itemType is null || i.ItemType == itemType).Type;
    }

    /// <summary>
    /// Maps the images of <paramref name="input"/> with <paramref name="map"/> (N x C x H x W in, N x C' x H' x W' out,
    /// a new tensor) into <paramref name="output"/>: the whole batch at once when the column has a fixed size,
    /// row by row otherwise.
    /// </summary>
    internal static void Map(DataBatch batch, string input, string output, bool fixedSizeInput, bool fixedSizeOutput, Func<Tensor, Tensor> map)
    {
        if (fixedSizeInput)
        {
            var result = map(batch.GetTensor(input));
            batch.SetTensor(output, result);
            return;
        }
        var rows = batch.GetTensorRows(input);
        var mapped = new List<Tensor>(rows.Count);
        try
        {
            foreach (var row in rows)
            {
                using var one = row.unsqueeze(0);
                using var r = map(one);
                mapped.Add(r.squeeze(0).DetachFromDisposeScope());
            }
            if (fixedSizeOutput)
            {
                var stacked = stack(mapped);
                batch.SetTensor(output, stacked);
            }
            else
            {
                batch.SetTensorRows(output, mapped);
                mapped.Clear();
            }
        }
        finally
        {
            foreach (var t in mapped) t.Dispose();
        }
    }
}
