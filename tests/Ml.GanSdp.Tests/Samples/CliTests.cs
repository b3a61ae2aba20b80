using System.Formats.Tar;
using System.IO.Compression;
using Ml.GanSdp.Pipeline;
using Ml.GanSdp.Samples.Commands;
using Ml.GanSdp.Tests.TestSupport;

namespace Ml.GanSdp.Tests.Samples;

/// <summary>The gansdp command run in-process (Cli.Run) on tiny configurations.</summary>
[TestClass]
public class CliTests
{
    private const string FashionMnist = DataCatalogExtensions.DebianFashionMnistDirectory;

    [TestMethod]
    public void TrainWritesARunFolderAndTheOtherCommandsUseIt()
    {
        if (!File.Exists(Path.Combine(FashionMnist, "train-images-idx3-ubyte.gz"))) Assert.Inconclusive($"Fashion-MNIST is not installed in {FashionMnist}.");
        using var dir = new TempDir();
        var run = dir.File("run");
        int rc = Cli.Run(new[] { "train", "--max-rows", "256", "-n", "6", "--width", "8", "--latent", "8", "--batch", "16", "--conditional",
            "--sample-every", "3", "--checkpoint-every", "3", "--seed", "3", "-o", run });
        Assert.AreEqual(0, rc);
        foreach (var f in new[] { "options.json", "metrics.jsonl", "model.zip", "final.json", "report.html" })
            Assert.IsTrue(File.Exists(Path.Combine(run, f)), $"{f} is missing");
        CollectionAssert.AreEqual(new[] { "samples-00000003.png", "samples-00000006.png" },
            Directory.GetFiles(Path.Combine(run, "samples")).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray());
        Assert.IsTrue(Directory.GetFiles(Path.Combine(run, "checkpoints"), "*.ckpt").Length > 0);
        var metrics = File.ReadAllLines(Path.Combine(run, "metrics.jsonl"));
        Assert.IsTrue(metrics.Count(l => l.Contains("\"loss_d\"")) == 6, "one line per progress report");
        Assert.AreEqual(2, metrics.Count(l => l.Contains("\"fd\"")), "FD at each sample grid");
        var html = File.ReadAllText(Path.Combine(run, "report.html"));
        StringAssert.Contains(html, "<svg");
        StringAssert.Contains(html, "Losses");
        StringAssert.Contains(html, "SDP k");
        StringAssert.Contains(html, "Frechet distance");
        StringAssert.Contains(html, "data:image/png;base64,");
        StringAssert.Contains(html, "iteration 6");

        using (var model = GanModelFile.Load(Path.Combine(run, "model.zip")))
        {
            Assert.AreEqual(10, model.NumClasses);
            Assert.AreEqual("T-shirt/top", model.ClassNames![0]);
            Assert.IsTrue(model.Metrics.ContainsKey("fd"));
        }

        // resume: continue the run from its latest checkpoint to 9 iterations, appending to metrics.jsonl
        Assert.AreEqual(0, Cli.Run(new[] { "train", "--max-rows", "256", "-n", "9", "--width", "8", "--latent", "8", "--batch", "16", "--conditional",
            "--sample-every", "3", "--checkpoint-every", "3", "--seed", "3", "-o", run, "--resume", "latest" }));
        Assert.IsTrue(File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Count(l => l.Contains("\"loss_d\"")) == 9, "6 lines kept, 3 appended");
        using (var model = GanModelFile.Load(Path.Combine(run, "model.zip"))) Assert.AreEqual(9.0, model.Metrics["iterations"]);
        Assert.AreEqual(1, Cli.Run(new[] { "train", "-n", "9", "-o", dir.File("empty"), "--resume", "latest" }), "no checkpoint to resume");

        // report re-renders
        File.Delete(Path.Combine(run, "report.html"));
        Assert.AreEqual(0, Cli.Run(new[] { "report", run }));
        Assert.IsTrue(File.Exists(Path.Combine(run, "report.html")));

        // generate: a grid, and files of one class
        Assert.AreEqual(0, Cli.Run(new[] { "generate", Path.Combine(run, "model.zip"), "-c", "8", "-o", dir.File("grid.png") }));
        Assert.IsTrue(new FileInfo(dir.File("grid.png")).Length > 100);
        Assert.AreEqual(0, Cli.Run(new[] { "generate", Path.Combine(run, "model.zip"), "-c", "3", "--class", "Bag", "--files", "-o", dir.File("bags") }));
        Assert.AreEqual(3, Directory.GetFiles(dir.File("bags"), "*.png").Length);
        Assert.AreEqual(1, Cli.Run(new[] { "generate", Path.Combine(run, "model.zip"), "--class", "Cat", "-o", dir.File("x.png") }), "unknown class");

        // fid stats (a domain classifier trained on the data, saved) and fid against those statistics
        Assert.AreEqual(0, Cli.Run(new[] { "fid", "stats", "--max-rows", "300", "-n", "200", "--save-classifier", dir.File("clf.npz"), "-o", dir.File("real.npz") }));
        var stats = global::Ml.GanSdp.Serialization.Npy.LoadNpz(dir.File("real.npz"));
        CollectionAssert.AreEqual(new long[] { 128 }, stats["mu"].shape);
        CollectionAssert.AreEqual(new long[] { 128, 128 }, stats["sigma"].shape);
        foreach (var t in stats.Values) t.Dispose();
        Assert.AreEqual(0, Cli.Run(new[] { "fid", Path.Combine(run, "model.zip"), "--classifier", dir.File("clf.npz"), "--real-stats", dir.File("real.npz"), "-n", "200" }));
        Assert.AreEqual(1, Cli.Run(new[] { "fid", Path.Combine(run, "model.zip"), "--classifier", dir.File("clf.npz"), "--weights", dir.File("clf.npz") }), "both extractors");
        Assert.AreEqual(1, Cli.Run(new[] { "fid", Path.Combine(run, "model.zip"), "--weights", dir.File("missing.npz"), "-n", "10" }), "missing weights");

        // augment: real + synthetic image folder
        Assert.AreEqual(0, Cli.Run(new[] { "augment", Path.Combine(run, "model.zip"), "--max-rows", "20", "--ratio", "0.5", "-o", dir.File("aug") }));
        var pngs = Directory.GetFiles(dir.File("aug"), "*.png", SearchOption.AllDirectories);
        Assert.AreEqual(20, pngs.Count(p => Path.GetFileName(p).StartsWith("real-", StringComparison.Ordinal)));
        Assert.AreEqual(10, pngs.Count(p => Path.GetFileName(p).StartsWith("synthetic-", StringComparison.Ordinal)));

        // classify: baseline and augmented
        Assert.AreEqual(0, Cli.Run(new[] { "classify", "--max-rows", "200", "--test-rows", "100", "--epochs", "1", "--model", Path.Combine(run, "model.zip"), "--ratio", "0.5" }));
    }

    [TestMethod]
    public void TrainOnATinyExtractOfTheCifar10JpegFolder()
    {
        var tarball = Path.Combine(Repo.Shared, "datasets", "cifar10-jpg.tar.gz");
        if (!File.Exists(tarball)) Assert.Inconclusive($"{tarball} is not available.");
        using var dir = new TempDir();
        var root = dir.File("cifar");
        var perClass = new Dictionary<string, int>();
        using (var gz = new GZipStream(File.OpenRead(tarball), CompressionMode.Decompress))
        using (var tar = new TarReader(gz))
        {
            while (tar.GetNextEntry() is { } e)
            {
                var parts = e.Name.Split('/');
                if (e.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || parts.Length != 4 || parts[1] != "train" || !parts[3].EndsWith(".jpg", StringComparison.Ordinal)) continue;
                perClass.TryGetValue(parts[2], out var have);
                if (have >= 4) { if (perClass.Count >= 3 && perClass.Values.All(v => v >= 4)) break; continue; }
                if (perClass.Count >= 3 && !perClass.ContainsKey(parts[2])) continue;
                perClass[parts[2]] = have + 1;
                Directory.CreateDirectory(Path.Combine(root, parts[2]));
                e.ExtractToFile(Path.Combine(root, parts[2], parts[3]), overwrite: true);
            }
        }
        Assert.AreEqual(3, perClass.Count);
        var run = dir.File("run");
        int rc = Cli.Run(new[] { "train", "--dataset", "folder", "--data", root, "-n", "3", "--width", "8", "--latent", "8", "--batch", "4",
            "--conditional", "--fd", "false", "--sample-every", "3", "-o", run });
        Assert.AreEqual(0, rc);
        var manifest = GanModelFile.ReadManifest(Path.Combine(run, "model.zip"));
        CollectionAssert.AreEqual(new[] { 3, 32, 32 }, manifest["image_shape"]!.AsArray().Select(n => n!.GetValue<int>()).ToArray());
        Assert.AreEqual(3, manifest["num_classes"]!.GetValue<int>());
        Assert.IsTrue(File.Exists(Path.Combine(run, "report.html")));
    }

    [TestMethod]
    public void BadArgumentsGiveAnErrorCode()
    {
        Assert.AreNotEqual(0, Cli.Run(new[] { "train", "--dataset", "nosuch" }));
        Assert.AreEqual(1, Cli.Run(new[] { "generate", "/nonexistent/model.zip" }));
        Assert.AreEqual(1, Cli.Run(new[] { "train", "--dataset", "folder", "-n", "1" }), "folder without --data");
    }
}
