using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.GanSdp;

/// <summary>
/// A folder of images, one sub-folder per class, as a lazily streamed <see cref="IDataView"/> of rows
/// (ImagePath: text, the full path; Label: key over the class-folder names) for ImageAnalytics'
/// <c>LoadImages -&gt; ResizeImages -&gt; ExtractPixels</c>. The folder is listed once when the view is made;
/// each file is checked when a cursor reaches it: the header's declared size against
/// <see cref="ImageFolderSourceOptions.MaxPixels"/> before anything is decoded, then (with
/// <see cref="ImageFolderSourceOptions.VerifyPixels"/>) one full decode. A file that fails either check throws an
/// <see cref="InvalidImageException"/> naming it, or with <see cref="InvalidImageHandling.Skip"/> is left out and
/// recorded in <see cref="SkippedImages"/>. Thread-safe: several cursors may run at once.
/// </summary>
public sealed class ImageFolderDataView : IDataView
{
    private readonly ImageFolderScan _scan;
    private readonly ImageFolderSourceOptions _options;
    private readonly int _pathColumn, _labelColumn;
    private readonly object _gate = new();
    private readonly SortedDictionary<string, SkippedImage> _skipped = new(StringComparer.Ordinal);
    private long _completedPassRows = -1;

    internal ImageFolderDataView(string directory, ImageFolderSourceOptions options)
    {
        _options = options;
        _scan = ImageFolderScan.Run(directory, options);
        ClassNames = Array.AsReadOnly(_scan.ClassNames);
        Files = Array.AsReadOnly(_scan.Files);
        IgnoredLinks = Array.AsReadOnly(_scan.IgnoredLinks);
        var builder = new DataViewSchema.Builder();
        builder.AddColumn(options.PathColumnName, TextDataViewType.Instance);
        SourceSchema.AddKeyColumn(builder, options.LabelColumnName, _scan.ClassNames);
        Schema = builder.ToSchema();
        _pathColumn = Schema[options.PathColumnName].Index;
        _labelColumn = Schema[options.LabelColumnName].Index;
    }

    /// <summary>The folder, as a full path.</summary>
    public string Root => _scan.Root;

    /// <summary>The class names: the class sub-folder names in ordinal order (key value k + 1 is class k).</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>The image files found, in row order, with their 0-based class index.</summary>
    public IReadOnlyList<(string Path, int Label)> Files { get; }

    /// <summary>Directory symbolic links met while listing, which were not followed.</summary>
    public IReadOnlyList<string> IgnoredLinks { get; }

    /// <summary>How many distinct files were skipped so far (over all cursors), with <see cref="InvalidImageHandling.Skip"/>.</summary>
    public int SkippedCount { get { lock (_gate) return _skipped.Count; } }

    /// <summary>The files skipped so far, ordered by path, with the reason.</summary>
    public IReadOnlyList<SkippedImage> SkippedImages { get { lock (_gate) return _skipped.Values.ToArray(); } }

    /// <inheritdoc/>
    public bool CanShuffle => false;

    /// <inheritdoc/>
    public DataViewSchema Schema { get; }

    /// <summary>
    /// The number of files with <see cref="InvalidImageHandling.Throw"/> (a pass either yields them all or throws).
    /// With <see cref="InvalidImageHandling.Skip"/>: null until a cursor has gone through all files, then the rows that pass yielded.
    /// </summary>
    public long? GetRowCount()
    {
        if (_options.OnInvalidImage == InvalidImageHandling.Throw) return _scan.Files.Length;
        long rows = Interlocked.Read(ref _completedPassRows);
        return rows >= 0 ? rows : null;
    }

    /// <inheritdoc/>
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(this, columnsNeeded);

    /// <summary>One cursor (the files are checked in order).</summary>
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => new[] { GetRowCursor(columnsNeeded, rand) };

    /// <summary>Checks one file: header and declared size, then optionally a full decode into <paramref name="buffer"/>.</summary>
    private void Check(string path, ref byte[] buffer)
    {
        using var codec = SkiaImages.OpenChecked(path, _options.MaxPixels, "ImageFolderSourceOptions.MaxPixels");
        if (!_options.VerifyPixels) return;
        long need = (long)codec.Info.Width * codec.Info.Height * 4;
        if (buffer.LongLength < need) buffer = new byte[need];
        SkiaImages.DecodeRgba(codec, path, buffer);
    }

    private void RecordSkip(InvalidImageException e)
    {
        lock (_gate) _skipped.TryAdd(e.FilePath, new SkippedImage(e.FilePath, e.Reason));
    }

    private sealed class Cursor : SourceRowCursor
    {
        private readonly ImageFolderDataView _view;
        private byte[] _buffer = Array.Empty<byte>();
        private int _next;
        private long _rows;
        private ReadOnlyMemory<char> _path;
        private uint _label;

        public Cursor(ImageFolderDataView view, IEnumerable<DataViewSchema.Column> columnsNeeded) : base(view.Schema, columnsNeeded) => _view = view;

        protected override bool MoveNextCore()
        {
            var files = _view._scan.Files;
            while (_next < files.Length)
            {
                int index = _next++;
                var (path, label) = files[index];
                try
                {
                    _view.Check(path, ref _buffer);
                }
                catch (InvalidImageException e) when (_view._options.OnInvalidImage == InvalidImageHandling.Skip)
                {
                    _view.RecordSkip(e);
                    continue;
                }
                _path = path.AsMemory();
                _label = (uint)label + 1;
                RowIndex = index;
                _rows++;
                return true;
            }
            Interlocked.Exchange(ref _view._completedPassRows, _rows);
            return false;
        }

        protected override void OnFinished() => _buffer = Array.Empty<byte>();

        protected override Delegate MakeGetter(int index)
        {
            if (index == _view._pathColumn)
                return (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> dst) =>
                {
                    EnsureOnRow();
                    dst = _path;
                });
            if (index == _view._labelColumn)
                return (ValueGetter<uint>)((ref uint dst) =>
                {
                    EnsureOnRow();
                    dst = _label;
                });
            throw new ArgumentOutOfRangeException(nameof(index), index, "No such column.");
        }
    }
}
