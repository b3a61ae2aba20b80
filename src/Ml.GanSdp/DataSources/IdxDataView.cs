using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.GanSdp;

/// <summary>
/// An IDX image file (N x H x W unsigned bytes) and optionally its label file (N bytes) as a lazily streamed
/// <see cref="IDataView"/>: columns Image (Single vector [1, H, W], 0..255) and Label (key, class names as key
/// values). Opening reads the headers only (and the label file when class names must be inferred); each cursor
/// streams the files once, holding one record at a time.
/// </summary>
internal sealed class IdxDataView : IDataView
{
    private readonly IdxFile _images;
    private readonly IdxFile? _labels;
    private readonly ImageShape _shape;
    private readonly int _imageColumn;
    private readonly int _labelColumn = -1;

    public IdxDataView(string imagesPath, string? labelsPath, IdxSourceOptions options)
    {
        _images = IdxFile.ReadHeader(imagesPath, "image", 3, options.MaxPixels);
        _shape = new ImageShape(1, _images.Dimensions[1], _images.Dimensions[2]);
        if (labelsPath is not null)
        {
            _labels = IdxFile.ReadHeader(labelsPath, "label", 1, 1);
            if (_labels.Count != _images.Count)
                throw new InvalidDataException($"IDX label file '{labelsPath}' declares {_labels.Count} labels but image file '{imagesPath}' declares {_images.Count} images.");
            ClassNames = options.ClassNames?.ToArray() ?? InferClassNames(_labels);
        }
        var builder = new DataViewSchema.Builder();
        builder.AddColumn(options.ImageColumnName, SourceSchema.Pixels(_shape));
        if (ClassNames is not null) SourceSchema.AddKeyColumn(builder, options.LabelColumnName, ClassNames);
        Schema = builder.ToSchema();
        _imageColumn = Schema[options.ImageColumnName].Index;
        if (ClassNames is not null) _labelColumn = Schema[options.LabelColumnName].Index;
    }

    /// <summary>The class names (key values); null without a label file.</summary>
    public IReadOnlyList<string>? ClassNames { get; }

    /// <inheritdoc/>
    public bool CanShuffle => false;

    /// <inheritdoc/>
    public DataViewSchema Schema { get; }

    /// <summary>The record count declared by the headers.</summary>
    public long? GetRowCount() => _images.Count;

    /// <inheritdoc/>
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(this, columnsNeeded);

    /// <summary>One cursor: the files are streams, read in order.</summary>
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => new[] { GetRowCursor(columnsNeeded, rand) };

    /// <summary>"0", "1", ... up to max(9, largest label): one streamed pass over the label file.</summary>
    private static string[] InferClassNames(IdxFile labels)
    {
        int max = 9;
        using (var stream = labels.OpenData())
        {
            var buffer = new byte[1 << 16];
            long left = labels.Count;
            while (left > 0)
            {
                int want = (int)Math.Min(buffer.Length, left);
                int got = IdxFile.ReadFully(stream, buffer.AsSpan(0, want), labels.Path, "label");
                if (got < want) throw new InvalidDataException($"IDX label file '{labels.Path}' ends after {labels.Count - left + got} of the {labels.Count} labels its header declares.");
                for (int i = 0; i < got; i++) max = Math.Max(max, buffer[i]);
                left -= got;
            }
            if (stream.ReadByte() >= 0) throw new InvalidDataException($"IDX label file '{labels.Path}' holds data beyond the {labels.Count} labels its header declares.");
        }
        return Enumerable.Range(0, max + 1).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
    }

    private sealed class Cursor : SourceRowCursor
    {
        private readonly IdxDataView _view;
        private readonly Stream? _images;
        private readonly Stream? _labels;
        private readonly byte[] _pixels;
        private readonly byte[] _label = new byte[1];
        private long _next;

        public Cursor(IdxDataView view, IEnumerable<DataViewSchema.Column> columnsNeeded) : base(view.Schema, columnsNeeded)
        {
            _view = view;
            _pixels = IsActive(view._imageColumn) ? new byte[view._images.RecordBytes] : Array.Empty<byte>();
            try
            {
                if (IsActive(view._imageColumn)) _images = view._images.OpenData();
                if (view._labelColumn >= 0 && IsActive(view._labelColumn)) _labels = view._labels!.OpenData();
            }
            catch
            {
                _images?.Dispose();
                throw;
            }
        }

        protected override bool MoveNextCore()
        {
            long row = _next;
            if (row >= _view._images.Count)
            {
                if (_images is not null) EnsureEnd(_images, _view._images, "image", "images");
                if (_labels is not null) EnsureEnd(_labels, _view._labels!, "label", "labels");
                return false;
            }
            if (_images is not null) ReadRecord(_images, _view._images, "image", _pixels, row);
            if (_labels is not null)
            {
                ReadRecord(_labels, _view._labels!, "label", _label, row);
                if (_label[0] >= _view.ClassNames!.Count)
                    throw new InvalidDataException($"IDX label file '{_view._labels!.Path}' holds label {_label[0]} at row {row}, but there are only {_view.ClassNames.Count} class names.");
            }
            RowIndex = row;
            _next = row + 1;
            return true;
        }

        protected override void OnFinished()
        {
            _images?.Dispose();
            _labels?.Dispose();
        }

        protected override Delegate MakeGetter(int index)
        {
            if (index == _view._imageColumn)
                return (ValueGetter<VBuffer<float>>)((ref VBuffer<float> dst) =>
                {
                    EnsureOnRow();
                    SourceSchema.CopyBytes(_pixels, ref dst);
                });
            return (ValueGetter<uint>)((ref uint dst) =>
            {
                EnsureOnRow();
                dst = _label[0] + 1u;
            });
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) OnFinished();
            base.Dispose(disposing);
        }

        private static void ReadRecord(Stream stream, IdxFile file, string role, byte[] buffer, long row)
        {
            int got = IdxFile.ReadFully(stream, buffer, file.Path, role);
            if (got < buffer.Length)
                throw new InvalidDataException($"IDX {role} file '{file.Path}' is truncated: it ends inside {role} {row} of the {file.Count} its header declares ({file.ShapeText}).");
        }

        private static void EnsureEnd(Stream stream, IdxFile file, string role, string what)
        {
            Span<byte> one = stackalloc byte[1];
            if (IdxFile.ReadFully(stream, one, file.Path, role) != 0)
                throw new InvalidDataException($"IDX {role} file '{file.Path}' holds data beyond the {file.Count} {what} its header declares ({file.ShapeText}).");
        }
    }
}
