using System.Diagnostics;
using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using Microsoft.ML;
using Ml.GanSdp.Features;
using Ml.GanSdp.Serialization;

namespace Ml.GanSdp;

/// <summary>The real data sets whose reference statistics <see cref="ReferenceStatistics"/> computes and caches.</summary>
public enum ReferenceDataset
{
    /// <summary>Fashion-MNIST's 60,000 training images (28 x 28 gray, Debian's IDX files).</summary>
    FashionMnistTrain,
    /// <summary>CIFAR-10's 50,000 training images as JPEG files (<c>cifar10-jpg/train/&lt;class&gt;/*.jpg</c> in the archive).</summary>
    Cifar10Train,
}

/// <summary>Options of <see cref="ReferenceStatistics.GetOrCompute"/>.</summary>
public sealed record ReferenceStatisticsOptions
{
    /// <summary>The cache folder; null: <see cref="ReferenceStatistics.DefaultCacheDirectory"/> (outside the repository).</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>
    /// At most this many images (evenly spaced through the data set, so class-sorted folders are sampled evenly); null:
    /// all. ResNet18 runs at roughly 10-30 images/s on 2 cores: all 50,000 CIFAR-10 images take about 40 minutes.
    /// </summary>
    public int? MaxImages { get; init; }

    /// <summary>Fashion-MNIST's IDX files (Debian's <c>dataset-fashion-mnist</c>).</summary>
    public string FashionMnistDirectory { get; init; } = DataSourceCatalog.FashionMnistDirectory;

    /// <summary>
    /// The CIFAR-10 JPEG archive (<c>cifar10-jpg.tar.gz</c>; the project's copy is <c>shared/datasets/</c> beside the
    /// repository). Needed for <see cref="ReferenceDataset.Cifar10Train"/> unless the cache already holds the extracted folder.
    /// </summary>
    public string? Cifar10Archive { get; init; }

    /// <summary>Recompute and overwrite a cached file (default false: a cached file is loaded).</summary>
    public bool Recompute { get; init; }

    /// <summary>Threads ONNX Runtime uses inside ResNet18 for one image; null: the library default (<see cref="OnnxRuntimeThreads"/>).</summary>
    public int? IntraOpThreads { get; init; }

    /// <summary>The folder holding the ResNet18 ONNX files; null: where the NuGet package puts them.</summary>
    public string? ResNet18ModelDirectory { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (CacheDirectory is not null && string.IsNullOrWhiteSpace(CacheDirectory))
            throw new ArgumentException("ReferenceStatisticsOptions.CacheDirectory must be a folder or null.", nameof(CacheDirectory));
        if (MaxImages is < 2)
            throw new ArgumentOutOfRangeException(nameof(MaxImages), MaxImages, "ReferenceStatisticsOptions.MaxImages must be at least 2 (a covariance needs two images) or null for all.");
        if (string.IsNullOrWhiteSpace(FashionMnistDirectory))
            throw new ArgumentException("ReferenceStatisticsOptions.FashionMnistDirectory must be a folder.", nameof(FashionMnistDirectory));
        if (Cifar10Archive is not null && string.IsNullOrWhiteSpace(Cifar10Archive))
            throw new ArgumentException("ReferenceStatisticsOptions.Cifar10Archive must be a file or null.", nameof(Cifar10Archive));
        if (IntraOpThreads is < 1 or > 1024)
            throw new ArgumentOutOfRangeException(nameof(IntraOpThreads), IntraOpThreads, "ReferenceStatisticsOptions.IntraOpThreads must be 1..1024 or null.");
        if (ResNet18ModelDirectory is not null && string.IsNullOrWhiteSpace(ResNet18ModelDirectory))
            throw new ArgumentException("ReferenceStatisticsOptions.ResNet18ModelDirectory must be a folder or null.", nameof(ResNet18ModelDirectory));
    }
}

/// <summary>Reference statistics and where they are cached.</summary>
/// <param name="Statistics">The statistics (feature space <c>ResNet18</c>, sample count, mean, covariance).</param>
/// <param name="Path">The cached <c>.npz</c> (pytorch-fid's layout: <c>mu</c>, <c>sigma</c>; plus <c>n</c> and <c>feature_space</c>).</param>
/// <param name="FromCache">Whether the file was there already (nothing was computed).</param>
public sealed record ReferenceStatisticsResult(FeatureStatistics Statistics, string Path, bool FromCache);

/// <summary>
/// Reference statistics of real data sets in the ResNet18 feature space ("FD (ResNet18)"), computed once and cached
/// outside the repository as <c>&lt;dataset&gt;.resnet18.n&lt;count&gt;.npz</c> (pytorch-fid's <c>mu</c>/<c>sigma</c>
/// layout, plus <c>n</c> and <c>feature_space</c>), the file written atomically. The CIFAR-10 JPEG archive is extracted
/// into the cache folder once, atomically (into a temporary folder, then renamed), and read from there.
/// Compare a generator's images with them through <see cref="GenerativeCatalog.Evaluate(FeatureStatistics, IDataView, GenerativeEvaluationOptions, IProgress{GenerativeEvaluationProgress}?, CancellationToken)"/>.
/// </summary>
public static class ReferenceStatistics
{
    /// <summary>Environment variable that moves the cache folder.</summary>
    public const string CacheDirectoryVariable = "GANSDP_CACHE_DIR";

    /// <summary>The folder the CIFAR-10 archive is extracted to, inside the cache folder.</summary>
    public const string Cifar10FolderName = "cifar10-jpg";

    /// <summary>Most entries and bytes accepted from the CIFAR-10 archive (it holds 60,001 files, about 120 MB).</summary>
    internal const int MaxArchiveEntries = 200_000;
    internal const long MaxArchiveBytes = 4L << 30;

    /// <summary>
    /// <c>$GANSDP_CACHE_DIR</c>, else <c>$XDG_CACHE_HOME/ml-gansdp</c>, else <c>~/.cache/ml-gansdp</c>.
    /// </summary>
    public static string DefaultCacheDirectory
    {
        get
        {
            if (Environment.GetEnvironmentVariable(CacheDirectoryVariable) is { Length: > 0 } own) return Path.GetFullPath(own);
            if (Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg && Path.IsPathRooted(xdg)) return Path.Combine(xdg, "ml-gansdp");
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "ml-gansdp");
        }
    }

    /// <summary>The cache file's name, e.g. <c>cifar10-train.resnet18.n50000.npz</c>.</summary>
    public static string FileName(ReferenceDataset dataset, long count) => string.Create(CultureInfo.InvariantCulture,
        $"{DatasetName(dataset)}.{ResNet18Model.FeatureSpaceName.ToLowerInvariant()}.n{count}.npz");

    /// <summary>
    /// The ResNet18 statistics of <paramref name="dataset"/> (at most <see cref="ReferenceStatisticsOptions.MaxImages"/>
    /// images): loaded from the cache when there (and consistent: feature space and count as named), else computed,
    /// saved and returned. <paramref name="progress"/> hears the images featurized.
    /// </summary>
    public static ReferenceStatisticsResult GetOrCompute(MLContext mlContext, ReferenceDataset dataset, ReferenceStatisticsOptions? options = null,
        IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        if (!Enum.IsDefined(dataset)) throw new ArgumentOutOfRangeException(nameof(dataset), dataset, "Unknown reference data set.");
        options ??= new ReferenceStatisticsOptions();
        options.Validate();
        var cache = Path.GetFullPath(options.CacheDirectory ?? DefaultCacheDirectory);
        Directory.CreateDirectory(cache);

        var (data, column, size) = Open(mlContext, dataset, options, cache);
        long total = data.GetRowCount() ?? throw new InvalidOperationException($"The {DatasetName(dataset)} data does not know its row count.");
        long count = Math.Min(total, options.MaxImages ?? long.MaxValue);
        var path = Path.Combine(cache, FileName(dataset, count));
        if (!options.Recompute && File.Exists(path))
        {
            var cached = FeatureStatistics.Load(path);
            if (cached.Count == count && cached.FeatureSpace == ResNet18Model.FeatureSpaceName && cached.Dimension == ResNet18Model.FeatureDimension)
                return new ReferenceStatisticsResult(cached, path, FromCache: true);
        }

        var subset = count == total ? data : new EvenlySpacedRows(data, total, count);
        var evaluation = new GenerativeEvaluationOptions
        {
            ImageColumnName = column,
            FeatureSpace = GenerativeFeatureSpace.ResNet18,
            ImageWidth = size,
            ImageHeight = size,
            IntraOpThreads = options.IntraOpThreads,
            ResNet18ModelDirectory = options.ResNet18ModelDirectory,
        };
        var statistics = mlContext.Generation().ComputeStatistics(subset, evaluation, progress, cancellationToken);
        if (statistics.Count != count)
            throw new InvalidDataException($"{DatasetName(dataset)}: {statistics.Count} images were read, {count} expected.");
        statistics.Save(path);
        return new ReferenceStatisticsResult(statistics, path, FromCache: false);
    }

    /// <summary>
    /// The folder the CIFAR-10 JPEG archive extracts to inside <paramref name="cacheDirectory"/>
    /// (<see cref="Cifar10FolderName"/>), extracting it first when it is not there: into a temporary folder beside it,
    /// renamed when complete (a crash never leaves a partial folder under the final name; temporary folders of dead
    /// processes are removed). Entries must be regular files or folders under <c>cifar10-jpg/</c>; links, absolute
    /// paths and <c>..</c> are refused, as are more than 200,000 entries or 4 GiB.
    /// </summary>
    public static string ExtractCifar10(string archive, string cacheDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(archive);
        ArgumentException.ThrowIfNullOrWhiteSpace(cacheDirectory);
        var cache = Path.GetFullPath(cacheDirectory);
        var target = Path.Combine(cache, Cifar10FolderName);
        if (Directory.Exists(target)) return target;
        if (!File.Exists(archive)) throw new FileNotFoundException($"No CIFAR-10 archive at '{archive}' (the project's copy is shared/datasets/cifar10-jpg.tar.gz beside the repository).", archive);
        Directory.CreateDirectory(cache);
        RemoveStaleTemporaries(cache);
        var temporary = Path.Combine(cache, $".{Cifar10FolderName}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        Directory.CreateDirectory(temporary);
        try
        {
            ExtractTarGz(archive, temporary, Cifar10FolderName);
            var extracted = Path.Combine(temporary, Cifar10FolderName);
            if (!Directory.Exists(Path.Combine(extracted, "train")))
                throw new InvalidDataException($"'{archive}' has no {Cifar10FolderName}/train/ folder.");
            try { Directory.Move(extracted, target); }
            catch (IOException) when (Directory.Exists(target)) { } // another process finished first: use its folder
            return target;
        }
        finally
        {
            try { Directory.Delete(temporary, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }

    private static string DatasetName(ReferenceDataset dataset) => dataset switch
    {
        ReferenceDataset.FashionMnistTrain => "fashion-mnist-train",
        _ => "cifar10-train",
    };

    /// <summary>The data set as a view, its image column and the images' side length.</summary>
    private static (IDataView Data, string Column, int Size) Open(MLContext ml, ReferenceDataset dataset, ReferenceStatisticsOptions options, string cache)
    {
        if (dataset == ReferenceDataset.FashionMnistTrain)
            return (ml.Data.LoadFashionMnist(options.FashionMnistDirectory, train: true), "Image", 28);
        var folder = Directory.Exists(Path.Combine(cache, Cifar10FolderName)) ? Path.Combine(cache, Cifar10FolderName)
            : options.Cifar10Archive is { } archive ? ExtractCifar10(archive, cache)
            : throw new ArgumentException($"ReferenceStatisticsOptions.Cifar10Archive must name cifar10-jpg.tar.gz (shared/datasets/ beside the repository): the cache '{cache}' holds no extracted {Cifar10FolderName}/ yet.", nameof(options));
        var files = ml.Data.LoadImageFolder(Path.Combine(folder, "train"));
        var images = ml.Transforms.LoadImages("Image", imageFolder: null, inputColumnName: "ImagePath").Fit(files).Transform(files);
        return (images, "Image", 32);
    }

    private static void ExtractTarGz(string archive, string destination, string root)
    {
        var fullDestination = Path.GetFullPath(destination) + Path.DirectorySeparatorChar;
        using var file = File.OpenRead(archive);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var tar = new TarReader(gzip);
        int entries = 0;
        long bytes = 0;
        while (tar.GetNextEntry() is { } entry)
        {
            if (++entries > MaxArchiveEntries) throw new InvalidDataException($"'{archive}' holds more than {MaxArchiveEntries} entries.");
            var name = entry.Name.Replace('\\', '/');
            var parts = name.Split('/', StringSplitOptions.RemoveEmptyEntries);
            if (Path.IsPathRooted(name) || parts.Length == 0 || parts[0] != root || parts.Any(p => p is "." or ".."))
                throw new InvalidDataException($"'{archive}': entry '{entry.Name}' is not a plain path under {root}/.");
            var path = Path.GetFullPath(Path.Combine(destination, Path.Combine(parts)));
            if (!path.StartsWith(fullDestination, StringComparison.Ordinal))
                throw new InvalidDataException($"'{archive}': entry '{entry.Name}' leaves the extraction folder.");
            switch (entry.EntryType)
            {
                case TarEntryType.Directory:
                    Directory.CreateDirectory(path);
                    break;
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile:
                    if ((bytes += entry.Length) > MaxArchiveBytes) throw new InvalidDataException($"'{archive}' unpacks to more than {MaxArchiveBytes} bytes.");
                    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                    entry.ExtractToFile(path, overwrite: false);
                    break;
                case TarEntryType.GlobalExtendedAttributes or TarEntryType.ExtendedAttributes:
                    break;
                default:
                    throw new InvalidDataException($"'{archive}': entry '{entry.Name}' is a {entry.EntryType}; only files and folders are extracted.");
            }
        }
    }

    /// <summary>Deletes <c>.cifar10-jpg.&lt;pid&gt;.&lt;guid&gt;.tmp</c> folders whose process is gone (a crashed extraction).</summary>
    private static void RemoveStaleTemporaries(string cache)
    {
        foreach (var folder in Directory.EnumerateDirectories(cache, $".{Cifar10FolderName}.*.tmp"))
        {
            if (AtomicFile.WriterProcessId(folder) is not int pid || IsAlive(pid)) continue;
            try { Directory.Delete(folder, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }
}
