using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.GanSdp;

/// <summary>
/// CIFAR-10 / CIFAR-100 binary batch files as a lazily streamed <see cref="IDataView"/>: Image (Single vector
/// [3, 32, 32], R, G, B planes, 0..255), Label (key) and for CIFAR-100 CoarseLabel (key). Opening checks the
/// file sizes only; each cursor reads the records in order, one at a time.
/// </summary>
internal sealed class CifarDataView : IDataView
{
    /// <summary>Pixel bytes per record: R, G, B planes of 32 x 32.</summary>
    public const int PixelBytes = 3 * 32 * 32;

    /// <summary>Largest class-name file read beside the batches.</summary>
    private const long MaxNamesFileBytes = 1 << 20;

    private readonly string[] _files;
    private readonly long[] _records;
    private readonly int _labelBytes;
    private readonly int _imageColumn, _labelColumn;

    public CifarDataView(IReadOnlyList<string> files, CifarSourceOptions options)
    {
        if (files.Count == 0) throw new ArgumentException("LoadCifar needs at least one batch file.", nameof(files));
        Kind = options.Kind;
        _labelBytes = Kind == CifarKind.Cifar10 ? 1 : 2;
        _files = files.Select(f => Path.GetFullPath(f ?? throw new ArgumentException("A CIFAR batch file path is null.", nameof(files)))).ToArray();
        _records = new long[_files.Length];
        for (int i = 0; i < _files.Length; i++)
        {
            var info = new FileInfo(_files[i]);
            if (!info.Exists) throw new FileNotFoundException($"CIFAR batch file '{_files[i]}' does not exist.", _files[i]);
            if (info.Length == 0 || info.Length % RecordBytes != 0)
                throw new InvalidDataException($"CIFAR batch file '{_files[i]}' has {info.Length:N0} bytes, not a whole number of {RecordBytes}-byte {Kind} records (is it the binary version, and the right kind?).");
            _records[i] = info.Length / RecordBytes;
        }
        var dir = Path.GetDirectoryName(_files[0])!;
        if (Kind == CifarKind.Cifar10)
            ClassNames = options.ClassNames?.ToArray() ?? NamesFile(dir, "batches.meta.txt", 10) ?? KnownClassNames.Cifar10.ToArray();
        else
        {
            ClassNames = options.ClassNames?.ToArray() ?? NamesFile(dir, "fine_label_names.txt", 100) ?? KnownClassNames.Cifar100Fine.ToArray();
            CoarseClassNames = options.CoarseClassNames?.ToArray() ?? NamesFile(dir, "coarse_label_names.txt", 20) ?? KnownClassNames.Cifar100Coarse.ToArray();
        }
        var builder = new DataViewSchema.Builder();
        builder.AddColumn(options.ImageColumnName, SourceSchema.Pixels(new ImageShape(3, 32, 32)));
        SourceSchema.AddKeyColumn(builder, options.LabelColumnName, ClassNames);
        if (CoarseClassNames is not null) SourceSchema.AddKeyColumn(builder, options.CoarseLabelColumnName, CoarseClassNames);
        Schema = builder.ToSchema();
        _imageColumn = Schema[options.ImageColumnName].Index;
        _labelColumn = Schema[options.LabelColumnName].Index;
    }

    /// <summary>CIFAR-10 or CIFAR-100.</summary>
    public CifarKind Kind { get; }

    /// <summary>Bytes per record: label byte(s) + 3072 pixels.</summary>
    public int RecordBytes => _labelBytes + PixelBytes;

    /// <summary>Names of the label column's classes.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>CIFAR-100's coarse class names; null for CIFAR-10.</summary>
    public IReadOnlyList<string>? CoarseClassNames { get; }

    /// <inheritdoc/>
    public bool CanShuffle => false;

    /// <inheritdoc/>
    public DataViewSchema Schema { get; }

    /// <summary>The number of records in all files (from their sizes).</summary>
    public long? GetRowCount() => _records.Sum();

    /// <inheritdoc/>
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(this, columnsNeeded);

    /// <summary>One cursor: the files are read in order.</summary>
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => new[] { GetRowCursor(columnsNeeded, rand) };

    /// <summary>Class names from a text file beside the batches (one per line, blank lines ignored), or null when there is none.</summary>
    private static string[]? NamesFile(string dir, string name, int count)
    {
        var path = Path.Combine(dir, name);
        var info = new FileInfo(path);
        if (!info.Exists) return null;
        if (info.Length > MaxNamesFileBytes) throw new InvalidDataException($"CIFAR class-name file '{path}' has {info.Length:N0} bytes; a list of {count} names is expected (at most {MaxNamesFileBytes:N0} bytes).");
        var lines = File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
        if (lines.Length != count) throw new InvalidDataException($"CIFAR class-name file '{path}' lists {lines.Length} names; {count} are expected.");
        try
        {
            SourceSchema.ValidateClassNames(lines, $"CIFAR class-name file '{path}'");
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException(e.Message, e);
        }
        return lines;
    }

    private sealed class Cursor : SourceRowCursor
    {
        private readonly CifarDataView _view;
        private readonly byte[] _record;
        private FileStream? _stream;
        private int _file = -1;
        private long _local, _row = -1;

        public Cursor(CifarDataView view, IEnumerable<DataViewSchema.Column> columnsNeeded) : base(view.Schema, columnsNeeded)
        {
            _view = view;
            _record = new byte[view.RecordBytes];
        }

        protected override bool MoveNextCore()
        {
            while (_stream is null || _local >= _view._records[_file])
            {
                _stream?.Dispose();
                _stream = null;
                if (++_file >= _view._files.Length) return false;
                _stream = new FileStream(_view._files[_file], FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
                _local = 0;
            }
            var path = _view._files[_file];
            int got = _stream.ReadAtLeast(_record, _record.Length, throwOnEndOfStream: false);
            if (got < _record.Length)
                throw new InvalidDataException($"CIFAR batch file '{path}' ends inside record {_local} (it was shorter than when opened).");
            int fine = _record[_view._labelBytes - 1], coarse = _view._labelBytes == 2 ? _record[0] : 0;
            if (fine >= _view.ClassNames.Count || (_view.CoarseClassNames is not null && coarse >= _view.CoarseClassNames.Count))
                throw new InvalidDataException(_view.Kind == CifarKind.Cifar10
                    ? $"CIFAR batch file '{path}' record {_local} has label {fine}; CIFAR-10 has {_view.ClassNames.Count} classes."
                    : $"CIFAR batch file '{path}' record {_local} has fine label {fine} and coarse label {coarse}; CIFAR-100 has {_view.ClassNames.Count} fine and {_view.CoarseClassNames!.Count} coarse classes.");
            _local++;
            RowIndex = ++_row;
            return true;
        }

        protected override void OnFinished()
        {
            _stream?.Dispose();
            _stream = null;
        }

        protected override Delegate MakeGetter(int index)
        {
            if (index == _view._imageColumn)
                return (ValueGetter<VBuffer<float>>)((ref VBuffer<float> dst) =>
                {
                    EnsureOnRow();
                    SourceSchema.CopyBytes(_record.AsSpan(_view._labelBytes), ref dst);
                });
            int offset = index == _view._labelColumn ? _view._labelBytes - 1 : 0;
            return (ValueGetter<uint>)((ref uint dst) =>
            {
                EnsureOnRow();
                dst = _record[offset] + 1u;
            });
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) OnFinished();
            base.Dispose(disposing);
        }
    }
}
