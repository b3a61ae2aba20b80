using Microsoft.ML;

namespace Ml.GanSdp;

/// <summary>
/// Data sources as <see cref="DataOperationsCatalog"/> extensions (<c>mlContext.Data.LoadFashionMnist()</c>, ...):
/// lazily streamed <see cref="IDataView"/>s whose pixel columns are Single vectors with <c>Dimensions</c> [C, H, W]
/// and values 0..255 (what ImageAnalytics' <c>ExtractPixels</c> writes by default) and whose label columns are keys
/// (<see cref="uint"/>, 1-based) with the class names as <c>KeyValues</c> annotations.
/// </summary>
public static class DataSourceCatalog
{
    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> package installs Fashion-MNIST.</summary>
    public const string FashionMnistDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>
    /// Loads an IDX image file (N x H x W unsigned bytes; MNIST's format; gzip or raw) and optionally its label file.
    /// Columns: Image (Single vector [1, H, W], 0..255) and, with labels, Label (key over <paramref name="classNames"/>).
    /// </summary>
    /// <param name="catalog">The data catalog (<c>mlContext.Data</c>).</param>
    /// <param name="imagesPath">The image file (e.g. train-images-idx3-ubyte.gz).</param>
    /// <param name="labelsPath">The label file, or null for images only.</param>
    /// <param name="classNames">Class names, index = label; null: "0", "1", ... (at least ten, more if the labels need them).</param>
    /// <exception cref="InvalidDataException">A bad header, counts that disagree, or sizes beyond the limits; names the file.</exception>
    public static IDataView LoadIdx(this DataOperationsCatalog catalog, string imagesPath, string? labelsPath = null, IReadOnlyList<string>? classNames = null)
        => catalog.LoadIdx(imagesPath, labelsPath, new IdxSourceOptions { ClassNames = classNames });

    /// <summary>Loads an IDX image file and optionally its label file, with <paramref name="options"/> (column names, class names, limits).</summary>
    /// <exception cref="InvalidDataException">A bad header, counts that disagree, or sizes beyond the limits; names the file.</exception>
    public static IDataView LoadIdx(this DataOperationsCatalog catalog, string imagesPath, string? labelsPath, IdxSourceOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrWhiteSpace(imagesPath);
        ArgumentNullException.ThrowIfNull(options);
        if (labelsPath is not null) ArgumentException.ThrowIfNullOrWhiteSpace(labelsPath);
        options.Validate();
        return new IdxDataView(imagesPath, labelsPath, options);
    }

    /// <summary>
    /// Loads Fashion-MNIST (60,000 train or 10,000 test images of 1 x 28 x 28, ten classes named "T-shirt/top" ..
    /// "Ankle boot") from <paramref name="directory"/>: <c>train-</c>/<c>t10k-</c> <c>images-idx3-ubyte</c> and
    /// <c>labels-idx1-ubyte</c>, with or without <c>.gz</c>.
    /// </summary>
    public static IDataView LoadFashionMnist(this DataOperationsCatalog catalog, string directory = FashionMnistDirectory, bool train = true)
        => LoadIdxPair(catalog, directory, train, KnownClassNames.FashionMnist);

    /// <summary>Loads MNIST (digits "0".."9") from <paramref name="directory"/>; the same file names as <see cref="LoadFashionMnist"/>.</summary>
    public static IDataView LoadMnist(this DataOperationsCatalog catalog, string directory, bool train = true)
        => LoadIdxPair(catalog, directory, train, KnownClassNames.Mnist);

    /// <summary>
    /// Loads CIFAR-10's binary version from <paramref name="directory"/> (<c>cifar-10-batches-bin</c>):
    /// <c>data_batch_1..5.bin</c> (50,000 images) or <c>test_batch.bin</c> (10,000). Columns: Image (Single vector
    /// [3, 32, 32], R, G, B planes, 0..255), Label (key, ten classes).
    /// </summary>
    public static IDataView LoadCifar10(this DataOperationsCatalog catalog, string directory, bool train = true)
    {
        var names = train ? Enumerable.Range(1, 5).Select(i => $"data_batch_{i}.bin").ToArray() : new[] { "test_batch.bin" };
        return catalog.LoadCifar(names.Select(n => Require(directory, n, "CIFAR-10 batch")).ToArray(), new CifarSourceOptions { Kind = CifarKind.Cifar10 });
    }

    /// <summary>
    /// Loads CIFAR-100's binary version from <paramref name="directory"/> (<c>cifar-100-binary</c>): <c>train.bin</c>
    /// or <c>test.bin</c>. Columns: Image ([3, 32, 32]), Label (key, the 100 fine classes) and CoarseLabel (key, the
    /// 20 superclasses): pick either as the label column of a later estimator.
    /// </summary>
    public static IDataView LoadCifar100(this DataOperationsCatalog catalog, string directory, bool train = true)
        => catalog.LoadCifar(new[] { Require(directory, train ? "train.bin" : "test.bin", "CIFAR-100 batch") }, new CifarSourceOptions { Kind = CifarKind.Cifar100 });

    /// <summary>Loads the given CIFAR binary batch files, in order, with <paramref name="options"/> (kind, column names, class names).</summary>
    /// <exception cref="InvalidDataException">A file that is not a whole number of records, or a label beyond the classes (when read); names the file.</exception>
    public static IDataView LoadCifar(this DataOperationsCatalog catalog, IReadOnlyList<string> files, CifarSourceOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return new CifarDataView(files, options);
    }

    /// <summary>
    /// Lists an image folder (<c>directory/&lt;class&gt;/**/&lt;image&gt;</c>) as rows of ImagePath (text, full path)
    /// and Label (key over the class-folder names, ordinal order) for ImageAnalytics:
    /// <c>mlContext.Transforms.LoadImages("Image", null, "ImagePath")</c> then <c>ResizeImages</c> and
    /// <c>ExtractPixels</c>. Names starting with '.' are ignored at every depth and directory links are not followed.
    /// </summary>
    /// <param name="catalog">The data catalog (<c>mlContext.Data</c>).</param>
    /// <param name="directory">The root folder.</param>
    /// <param name="onInvalidImage">Throw on (default) or skip files that are undecodable, truncated, or above the pixel limit.</param>
    public static ImageFolderDataView LoadImageFolder(this DataOperationsCatalog catalog, string directory, InvalidImageHandling onInvalidImage = InvalidImageHandling.Throw)
        => catalog.LoadImageFolder(directory, new ImageFolderSourceOptions { OnInvalidImage = onInvalidImage });

    /// <summary>Lists an image folder with <paramref name="options"/> (column names, extensions, nesting, invalid-image handling, pixel limit).</summary>
    /// <exception cref="DirectoryNotFoundException">The folder is missing.</exception>
    /// <exception cref="InvalidDataException">No class folder, or a class folder without images.</exception>
    public static ImageFolderDataView LoadImageFolder(this DataOperationsCatalog catalog, string directory, ImageFolderSourceOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return new ImageFolderDataView(directory, options);
    }

    private static IDataView LoadIdxPair(DataOperationsCatalog catalog, string directory, bool train, IReadOnlyList<string> classNames)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"IDX dataset folder '{directory}' does not exist.");
        string prefix = train ? "train" : "t10k";
        return catalog.LoadIdx(FindIdx(directory, $"{prefix}-images-idx3-ubyte"), FindIdx(directory, $"{prefix}-labels-idx1-ubyte"), new IdxSourceOptions { ClassNames = classNames });
    }

    /// <summary>The file <paramref name="name"/> in <paramref name="directory"/>, also as name.gz and with MNIST's alternative '.idx' spelling.</summary>
    private static string FindIdx(string directory, string name)
    {
        var dotted = name.Replace("-idx", ".idx", StringComparison.Ordinal);
        foreach (var candidate in new[] { name, name + ".gz", dotted, dotted + ".gz" })
        {
            var path = Path.Combine(directory, candidate);
            if (File.Exists(path)) return path;
        }
        throw new FileNotFoundException($"IDX file '{name}' (or '{name}.gz') was not found in '{directory}'.", Path.Combine(directory, name));
    }

    private static string Require(string directory, string name, string what)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var path = Path.Combine(directory, name);
        return File.Exists(path) ? path : throw new FileNotFoundException($"{what} file '{name}' was not found in '{directory}'.", path);
    }
}
