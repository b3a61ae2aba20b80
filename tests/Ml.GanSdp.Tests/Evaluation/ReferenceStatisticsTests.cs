using System.Formats.Tar;
using System.IO.Compression;
using Microsoft.ML;
using Ml.GanSdp.Features;
using Ml.GanSdp.Tests.Features;
using Ml.GanSdp.Tests.TestSupport;

namespace Ml.GanSdp.Tests.Evaluation;

/// <summary>
/// Cached reference statistics on small counts: the cached file equals a fresh computation (the same images read
/// independently, featurized with FeaturizeResNet18) and numpy's <c>mean</c>/<c>cov</c> of those features; the second
/// call reads the cache; the CIFAR-10 archive is extracted once, atomically, and hostile archives are refused.
/// </summary>
[TestClass]
public class ReferenceStatisticsTests
{
    private const string Images = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz";

    private static TempDir? _cifarCache;

    private static string Archive
    {
        get
        {
            var path = Path.Combine(Repo.Shared, "datasets", "cifar10-jpg.tar.gz");
            if (!File.Exists(path)) Assert.Inconclusive($"CIFAR-10 JPEGs are not at {path}.");
            return path;
        }
    }

    [ClassCleanup]
    public static void DeleteCifarCache()
    {
        _cifarCache?.Dispose();
        _cifarCache = null;
    }

    /// <summary>numpy's float64 mean and covariance of the features, compared with the cached file as numpy reads it.</summary>
    private static void AssertFileIsNumpyStatistics(TempDir dir, string cached, float[][] features, int count)
    {
        FeatureTestData.SaveNpy(dir.File("features.npy"), features, features.Length, features[0].Length);
        var printed = Python.Exec("""
import numpy as np
x = np.load(sys.argv[1]).astype(np.float64)
f = np.load(sys.argv[2])
mu, sigma = x.mean(0), np.cov(x, rowvar=False)
scale = np.abs(sigma).max()
assert f['mu'].dtype == np.float64 and f['sigma'].shape == sigma.shape
print(int(f['n']), str(f['feature_space']), np.abs(f['mu'] - mu).max() / np.abs(mu).max() < 1e-12, np.abs(f['sigma'] - sigma).max() / scale < 1e-10)
""", dir.File("features.npy"), cached).Trim();
        Assert.AreEqual($"{count} ResNet18 True True", printed);
    }

    [TestMethod]
    public void FashionMnistStatisticsAreCachedAndEqualAFreshComputationAndNumpys()
    {
        using var dir = new TempDir();
        var ml = new MLContext(seed: 1);
        var options = new ReferenceStatisticsOptions { CacheDirectory = dir.File("cache"), MaxImages = 20, IntraOpThreads = 1 };
        var reports = new List<long>();

        var first = ReferenceStatistics.GetOrCompute(ml, ReferenceDataset.FashionMnistTrain, options, new Synchronous(reports.Add));

        Assert.IsFalse(first.FromCache);
        Assert.AreEqual(Path.Combine(dir.File("cache"), "fashion-mnist-train.resnet18.n20.npz"), first.Path);
        Assert.AreEqual(20L, first.Statistics.Count);
        Assert.AreEqual(20L, reports[^1]);
        var second = ReferenceStatistics.GetOrCompute(ml, ReferenceDataset.FashionMnistTrain, options);
        Assert.IsTrue(second.FromCache);
        CollectionAssert.AreEqual(first.Statistics.Mean(), second.Statistics.Mean());
        CollectionAssert.AreEqual(first.Statistics.Covariance(), second.Statistics.Covariance());

        // Fresh: training images 0, 3000, ..., 57000 (floor(i 60000 / 20)) read straight from the IDX file.
        var all = new byte[60_000 * 784];
        using (var gz = new GZipStream(File.OpenRead(Images), CompressionMode.Decompress))
        {
            gz.ReadExactly(new byte[16]);
            gz.ReadExactly(all);
        }
        var rows = Enumerable.Range(0, 20).Select(i => new PixelRow { Pixels = all.AsSpan(i * 3000 * 784, 784).ToArray().Select(b => (float)b).ToArray() }).ToList();
        var pixels = FeatureTestData.PixelData(ml, rows, 1, 28, 28);
        var features = FeatureTestData.Column(ml.Transforms.FeaturizeResNet18(new ResNet18FeaturizerOptions { OutputColumnName = "F", InputColumnName = "Pixels", IntraOpThreads = 1 }).Fit(pixels).Transform(pixels), "F");
        var fresh = new FeatureStatistics(512);
        foreach (var f in features) fresh.Add(f);
        CollectionAssert.AreEqual(fresh.Mean(), second.Statistics.Mean(), "cached mean vs a fresh computation");
        CollectionAssert.AreEqual(fresh.Covariance(), second.Statistics.Covariance(), "cached covariance vs a fresh computation");
        AssertFileIsNumpyStatistics(dir, first.Path, features, 20);

        // Recompute overwrites with the same numbers; a cached file of another count is another file.
        var again = ReferenceStatistics.GetOrCompute(ml, ReferenceDataset.FashionMnistTrain, options with { Recompute = true });
        Assert.IsFalse(again.FromCache);
        CollectionAssert.AreEqual(first.Statistics.Covariance(), again.Statistics.Covariance());
        Assert.AreEqual(1, Directory.GetFiles(dir.File("cache")).Length, "only the .npz (no temporary file left)");
    }

    [TestMethod]
    public void Cifar10IsExtractedOnceAndItsStatisticsEqualAFreshComputationAndNumpys()
    {
        _cifarCache ??= new TempDir();
        var cache = _cifarCache.File("cache");
        Directory.CreateDirectory(cache);
        // A crashed extraction's temporary folder (its process is gone) is cleaned up.
        var stale = Path.Combine(cache, $".{ReferenceStatistics.Cifar10FolderName}.{int.MaxValue}.{Guid.NewGuid():N}.tmp");
        Directory.CreateDirectory(Path.Combine(stale, "cifar10-jpg", "train"));
        var ml = new MLContext(seed: 1);
        var options = new ReferenceStatisticsOptions { CacheDirectory = cache, MaxImages = 10, Cifar10Archive = Archive, IntraOpThreads = 1 };

        var first = ReferenceStatistics.GetOrCompute(ml, ReferenceDataset.Cifar10Train, options);

        Assert.IsFalse(Directory.Exists(stale), "the stale temporary folder was removed");
        var folder = Path.Combine(cache, ReferenceStatistics.Cifar10FolderName);
        Assert.AreEqual(50_000, Directory.EnumerateFiles(Path.Combine(folder, "train"), "*.jpg", SearchOption.AllDirectories).Count());
        Assert.AreEqual(10_000, Directory.EnumerateFiles(Path.Combine(folder, "test"), "*.jpg", SearchOption.AllDirectories).Count());
        Assert.AreEqual(Path.Combine(cache, "cifar10-train.resnet18.n10.npz"), first.Path);
        var stamp = Directory.GetCreationTimeUtc(folder);
        // Second call: no archive needed (the folder is there), the file is read.
        var second = ReferenceStatistics.GetOrCompute(ml, ReferenceDataset.Cifar10Train, options with { Cifar10Archive = null });
        Assert.IsTrue(second.FromCache);
        Assert.AreEqual(folder, ReferenceStatistics.ExtractCifar10(Archive, cache));
        Assert.AreEqual(stamp, Directory.GetCreationTimeUtc(folder), "extracted once");

        // Fresh: files 0, 5000, ..., 45000 of the folder's listing (class folders in order, one image of each class).
        var listing = ml.Data.LoadImageFolder(Path.Combine(folder, "train")).Files;
        var chosen = Enumerable.Range(0, 10).Select(i => new ImagePathRow { ImagePath = listing[i * 5000].Path, Label = listing[i * 5000].Label }).ToList();
        CollectionAssert.AreEqual(Enumerable.Range(0, 10).ToArray(), chosen.Select(c => c.Label).ToArray(), "one image per class");
        var files = ml.Data.LoadFromEnumerable(chosen);
        var images = ml.Transforms.LoadImages("Image", null, nameof(ImagePathRow.ImagePath)).Fit(files).Transform(files);
        var features = FeatureTestData.Column(ml.Transforms.FeaturizeResNet18(new ResNet18FeaturizerOptions { OutputColumnName = "F", InputColumnName = "Image", ImageWidth = 32, ImageHeight = 32, IntraOpThreads = 1 }).Fit(images).Transform(images), "F");
        var fresh = new FeatureStatistics(512);
        foreach (var f in features) fresh.Add(f);
        CollectionAssert.AreEqual(fresh.Mean(), second.Statistics.Mean(), "cached mean vs a fresh computation");
        CollectionAssert.AreEqual(fresh.Covariance(), second.Statistics.Covariance(), "cached covariance vs a fresh computation");
        using var dir = new TempDir();
        AssertFileIsNumpyStatistics(dir, first.Path, features, 10);
    }

    [TestMethod]
    public void HostileOrWrongArchivesAreRefusedAndLeaveNoFolder()
    {
        using var dir = new TempDir();
        void Archive(string name, params (string Entry, TarEntryType Type, string? Link)[] entries)
        {
            using var file = File.Create(dir.File(name));
            using var gz = new GZipStream(file, CompressionLevel.Fastest);
            using var tar = new TarWriter(gz, TarEntryFormat.Pax);
            foreach (var (entry, type, link) in entries)
            {
                var e = new PaxTarEntry(type, entry);
                if (link is not null) e.LinkName = link;
                if (type == TarEntryType.RegularFile) e.DataStream = new MemoryStream(new byte[] { 1, 2, 3 });
                tar.WriteEntry(e);
            }
        }
        Archive("escape.tar.gz", ("cifar10-jpg/train/a.jpg", TarEntryType.RegularFile, null), ("cifar10-jpg/../../evil.jpg", TarEntryType.RegularFile, null));
        Archive("link.tar.gz", ("cifar10-jpg/train/x", TarEntryType.SymbolicLink, "/etc/passwd"));
        Archive("other.tar.gz", ("data/train/a.jpg", TarEntryType.RegularFile, null));
        Archive("notrain.tar.gz", ("cifar10-jpg/test/a.jpg", TarEntryType.RegularFile, null));
        foreach (var (name, message) in new[] { ("escape.tar.gz", "not a plain path"), ("link.tar.gz", "SymbolicLink"), ("other.tar.gz", "not a plain path under cifar10-jpg/"), ("notrain.tar.gz", "no cifar10-jpg/train/") })
        {
            var cache = dir.File("cache-" + name);
            var e = Assert.ThrowsExactly<InvalidDataException>(() => ReferenceStatistics.ExtractCifar10(dir.File(name), cache));
            StringAssert.Contains(e.Message, message, name);
            Assert.AreEqual(0, Directory.EnumerateFileSystemEntries(cache).Count(), $"{name}: nothing left in the cache");
        }
        Assert.IsFalse(File.Exists(Path.Combine(dir.Path, "evil.jpg")));
        Assert.ThrowsExactly<FileNotFoundException>(() => ReferenceStatistics.ExtractCifar10(dir.File("none.tar.gz"), dir.File("cache")));
        var ml = new MLContext(seed: 1);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => ReferenceStatistics.GetOrCompute(ml, ReferenceDataset.Cifar10Train, new ReferenceStatisticsOptions { CacheDirectory = dir.File("empty") })).Message, "Cifar10Archive");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ReferenceStatistics.GetOrCompute(ml, ReferenceDataset.FashionMnistTrain, new ReferenceStatisticsOptions { MaxImages = 1 }));
    }

    [TestMethod]
    public void TheDefaultCacheIsOutsideTheRepositoryAndOverridable()
    {
        var saved = (Environment.GetEnvironmentVariable(ReferenceStatistics.CacheDirectoryVariable), Environment.GetEnvironmentVariable("XDG_CACHE_HOME"));
        try
        {
            Environment.SetEnvironmentVariable(ReferenceStatistics.CacheDirectoryVariable, null);
            Environment.SetEnvironmentVariable("XDG_CACHE_HOME", null);
            Assert.AreEqual(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "ml-gansdp"), ReferenceStatistics.DefaultCacheDirectory);
            Assert.IsFalse(ReferenceStatistics.DefaultCacheDirectory.StartsWith(Repo.Root, StringComparison.Ordinal));
            Environment.SetEnvironmentVariable("XDG_CACHE_HOME", "/var/tmp/xdg");
            Assert.AreEqual("/var/tmp/xdg/ml-gansdp", ReferenceStatistics.DefaultCacheDirectory);
            Environment.SetEnvironmentVariable(ReferenceStatistics.CacheDirectoryVariable, "/var/tmp/own");
            Assert.AreEqual("/var/tmp/own", ReferenceStatistics.DefaultCacheDirectory);
        }
        finally
        {
            Environment.SetEnvironmentVariable(ReferenceStatistics.CacheDirectoryVariable, saved.Item1);
            Environment.SetEnvironmentVariable("XDG_CACHE_HOME", saved.Item2);
        }
        Assert.AreEqual("cifar10-train.resnet18.n50000.npz", ReferenceStatistics.FileName(ReferenceDataset.Cifar10Train, 50_000));
    }

    private sealed class Synchronous(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}
