using static Ml.GanSdp.torch;

namespace Ml.GanSdp.Data;

/// <summary>The view of <see cref="IdxLoader.Load"/>: Image (1 x H x W uint8) and, with a label file, Label (key).</summary>
public sealed class IdxDataView : RandomAccessDataView
{
    private readonly IdxFile _images;
    private readonly IdxFile? _labels;
    private readonly IdxLoaderOptions _options;
    private readonly int _height, _width;

    internal IdxDataView(IdxFile images, IdxFile? labels, IReadOnlyList<string>? classNames, IdxLoaderOptions options)
    {
        _images = images;
        _labels = labels;
        _options = options;
        _height = checked((int)images.Dimensions[1]);
        _width = checked((int)images.Dimensions[2]);
        var cols = new List<(string, DataViewType, IReadOnlyList<string>?)> { (options.ImageColumnName, new ImageDataViewType(1, _height, _width), null) };
        if (labels is not null) cols.Add((options.LabelColumnName, new KeyDataViewType(classNames!.Count), classNames));
        Schema = new DataViewSchema(cols);
        ClassNames = classNames;
    }

    /// <inheritdoc/>
    public override DataViewSchema Schema { get; }

    /// <summary>The class names of the label column, null without labels.</summary>
    public IReadOnlyList<string>? ClassNames { get; }

    /// <inheritdoc/>
    protected override long SourceRowCount => _images.Count;

    /// <inheritdoc/>
    protected override DataBatch ReadRows(long[] rows)
    {
        int size = _height * _width;
        var pixels = new byte[(long)rows.Length * size];
        for (int i = 0; i < rows.Length; i++)
            Array.Copy(_images.Data, rows[i] * size, pixels, (long)i * size, size);
        var batch = new DataBatch(Schema, rows);
        try
        {
            batch.SetTensor(_options.ImageColumnName, from_bytes(pixels, ScalarType.Byte, new long[] { rows.Length, 1, _height, _width }));
            if (_labels is not null)
            {
                var labels = new long[rows.Length];
                for (int i = 0; i < rows.Length; i++) labels[i] = _labels.Data[rows[i]];
                batch.SetTensor(_options.LabelColumnName, Vectors.Of(labels));
            }
            return batch;
        }
        catch
        {
            batch.Dispose();
            throw;
        }
    }
}
