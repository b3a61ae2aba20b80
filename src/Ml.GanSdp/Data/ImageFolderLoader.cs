using Ml.GanSdp.Imaging;
using static Ml.GanSdp.torch;

namespace Ml.GanSdp.Data;

/// <summary>
/// Loads a folder of images laid out as <c>root/&lt;class&gt;/*.png</c> (torchvision's <c>ImageFolder</c>; ML.NET's
/// <c>LoadFromEnumerable</c> of paths followed by <c>LoadImages</c>): the label is the index of the class folder
/// among the ordinally sorted class-folder names.
/// </summary>
public static class ImageFolderLoader
{
    /// <summary>
    /// Lists <paramref name="root"/> and returns a lazy view over its images; nothing is decoded until a batch is read.
    /// Hidden folders (starting with '.') and files directly under the root are ignored.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The root does not exist.</exception>
    /// <exception cref="InvalidDataException">There is no class folder, or a class folder holds no image.</exception>
    public static ImageFolderDataView Load(string root, ImageFolderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(root);
        options ??= new ImageFolderOptions();
        options.Validate();
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"Image folder '{root}' does not exist.");
        var classes = Directory.GetDirectories(root)
            .Where(d => !Path.GetFileName(d).StartsWith('.'))
            .OrderBy(d => Path.GetFileName(d), StringComparer.Ordinal)
            .ToArray();
        if (classes.Length == 0) throw new InvalidDataException($"Image folder '{root}' has no class sub-folders (expected root/<class>/<image>).");
        var extensions = new HashSet<string>(options.Extensions, StringComparer.OrdinalIgnoreCase);
        var files = new List<(string Path, int Label)>();
        var search = options.IncludeSubdirectories ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly;
        for (int label = 0; label < classes.Length; label++)
        {
            var found = Directory.EnumerateFiles(classes[label], "*", search)
                .Where(f => extensions.Contains(Path.GetExtension(f)))
                .OrderBy(f => f, StringComparer.Ordinal)
                .ToArray();
            if (found.Length == 0)
                throw new InvalidDataException($"Class folder '{classes[label]}' holds no image with extension {string.Join(", ", options.Extensions)}.");
            files.AddRange(found.Select(f => (f, label)));
        }
        return new ImageFolderDataView(Path.GetFullPath(root), classes.Select(c => Path.GetFileName(c)!).ToArray(), files, options);
    }
}

/// <summary>One image left out by <see cref="InvalidImageHandling.Skip"/>: its file and why.</summary>
public sealed record SkippedImage(string Path, string Reason);

/// <summary>The lazy view of <see cref="ImageFolderLoader.Load"/>: columns Image (C x H x W uint8), Label (key) and ImagePath (text).</summary>
public sealed class ImageFolderDataView : RandomAccessDataView
{
    private readonly (string Path, int Label)[] _files;
    private readonly ImageFolderOptions _options;
    private readonly object _gate = new();
    private readonly Dictionary<string, SkippedImage> _skipped = new(StringComparer.Ordinal);
    private long _decoded;
    private long _skipEvents;

    internal ImageFolderDataView(string root, string[] classNames, List<(string, int)> files, ImageFolderOptions options)
    {
        Root = root;
        ClassNames = classNames;
        _files = files.ToArray();
        _options = options;
        int channels = options.ColorMode == ImageColorMode.Grayscale ? 1 : 3;
        Schema = new DataViewSchema(new (string, DataViewType, IReadOnlyList<string>?)[]
        {
            (options.ImageColumnName, new ImageDataViewType(channels, 0, 0), null),
            (options.LabelColumnName, new KeyDataViewType(classNames.Length), classNames),
            (options.PathColumnName, TextDataViewType.Instance, null),
        });
    }

    /// <inheritdoc/>
    public override DataViewSchema Schema { get; }

    /// <summary>The folder, as a full path.</summary>
    public string Root { get; }

    /// <summary>The class names (sorted folder names); the label is the index.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>The image files found, with their labels, in row order.</summary>
    public IReadOnlyList<(string Path, int Label)> Files => _files;

    /// <summary>Number of image files found (rows before skipping).</summary>
    public long FileCount => _files.Length;

    /// <summary>How many images were decoded so far, over all passes (shows that reading is lazy).</summary>
    public long DecodedCount => Interlocked.Read(ref _decoded);

    /// <summary>Distinct files skipped so far as invalid (<see cref="InvalidImageHandling.Skip"/>).</summary>
    public int SkippedCount { get { lock (_gate) return _skipped.Count; } }

    /// <summary>The files skipped so far, with the reason.</summary>
    public IReadOnlyList<SkippedImage> SkippedImages { get { lock (_gate) return _skipped.Values.ToArray(); } }

    /// <summary>Times a row was skipped, over all passes (a file skipped in two passes counts twice).</summary>
    public long SkipEvents => Interlocked.Read(ref _skipEvents);

    /// <inheritdoc/>
    protected override long SourceRowCount => _files.Length;

    /// <summary>The number of files when invalid images throw; null with <see cref="InvalidImageHandling.Skip"/> (rows may be left out; see <see cref="FileCount"/>).</summary>
    public override long? GetRowCount() => _options.OnInvalidImage == InvalidImageHandling.Skip ? null : _files.Length;

    /// <inheritdoc/>
    protected override DataBatch? ReadRows(long[] rows)
    {
        var images = new List<Tensor>(rows.Length);
        var ids = new List<long>(rows.Length);
        var labels = new List<long>(rows.Length);
        var paths = new List<string>(rows.Length);
        try
        {
            foreach (var row in rows)
            {
                var (path, label) = _files[row];
                Tensor hwc;
                try
                {
                    hwc = ImageCodec.Decode(path, _options.ColorMode == ImageColorMode.Grayscale);
                }
                catch (InvalidImageException e) when (_options.OnInvalidImage == InvalidImageHandling.Skip)
                {
                    Interlocked.Increment(ref _skipEvents);
                    lock (_gate) _skipped.TryAdd(path, new SkippedImage(path, e.Reason));
                    continue;
                }
                Interlocked.Increment(ref _decoded);
                using (hwc)
                {
                    using var chw = hwc.permute(2, 0, 1);
                    images.Add(chw.contiguous().DetachFromDisposeScope());
                }
                ids.Add(row);
                labels.Add(label);
                paths.Add(path);
            }
            if (ids.Count == 0) return null;
            var batch = new DataBatch(Schema, ids);
            batch.SetTensorRows(_options.ImageColumnName, images);
            images.Clear();
            batch.SetTensor(_options.LabelColumnName, Vectors.Of(labels.ToArray()).DetachFromDisposeScope());
            batch.SetText(_options.PathColumnName, paths);
            return batch;
        }
        finally
        {
            foreach (var t in images) t.Dispose();
        }
    }
}
