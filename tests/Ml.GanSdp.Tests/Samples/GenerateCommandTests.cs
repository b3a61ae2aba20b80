using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.GanSdp.Samples.Commands;
using Ml.GanSdp.Tests.TestSupport;

namespace Ml.GanSdp.Tests.Samples;

/// <summary>
/// <c>gansdp generate</c>: grids and folders against the library's own <c>GenerateImages</c> on the ML.NET-loaded model
/// (pixels and PNG bytes exact), one class alone, the output checks of #12.11, and memory flat in the count (#12.10,
/// peak RSS of child processes).
/// </summary>
[TestClass]
public sealed class GenerateCommandTests
{
    [TestMethod]
    public void Grid_IsTheLibrarysGenerateImages_WithOneRowPerClass()
    {
        using var dir = new TempDir();
        Gansdp.Run(["generate", TinyRuns.ConditionalModel, "-c", "20", "-s", "5", "-o", dir.File("g.png")]).Expect(0);
        var (images, labels) = Library(TinyRuns.ConditionalModel, rowsPerClass: 2, seed: 5);
        var expected = ImageGrid.Render(images, new ImageShape(1, 28, 28), new ImageGridOptions { Columns = 2 }, labels);
        var grid = ImageFile.Read(dir.File("g.png"), ImageColorMode.Grayscale);
        Assert.AreEqual(new ImageShape(1, 10 * 30 + 2, 2 * 30 + 2), grid.Shape, "10 class rows of 2 cells");
        CollectionAssert.AreEqual(expected.Values, grid.Values);
    }

    [TestMethod]
    public void Files_AreOnePngPerImageInClassFolders_AndOneClassAloneGivesTheSameImages()
    {
        using var dir = new TempDir();
        Gansdp.Run(["generate", TinyRuns.ConditionalModel, "-c", "25", "--files", "-o", dir.File("all")]).Expect(0);
        var folders = Directory.GetDirectories(dir.File("all")).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        CollectionAssert.AreEquivalent(new[] { "T-shirt_top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot" }, folders);
        // 25 over 10 classes: the first five classes get 3, the others 2
        Assert.AreEqual(3, Directory.GetFiles(Path.Combine(dir.File("all"), "Coat")).Length);
        Assert.AreEqual(2, Directory.GetFiles(Path.Combine(dir.File("all"), "Bag")).Length);

        var (images, labels) = Library(TinyRuns.ConditionalModel, rowsPerClass: 3, seed: 0);
        int bag1 = Enumerable.Range(0, labels.Length).Where(i => labels[i] == 8).ElementAt(1);
        var png = ImageFile.EncodePng(new ImagePixels(new ImageShape(1, 28, 28), images.AsSpan(bag1 * 784, 784).ToArray()));
        CollectionAssert.AreEqual(png, File.ReadAllBytes(Path.Combine(dir.File("all"), "Bag", "image-000001.png")));

        Gansdp.Run(["generate", TinyRuns.ConditionalModel, "--class", "Bag", "-c", "3", "--files", "-o", dir.File("bags")]).Expect(0);
        CollectionAssert.AreEqual(new[] { "Bag" }, Directory.GetDirectories(dir.File("bags")).Select(Path.GetFileName).ToArray());
        for (int i = 0; i < 2; i++)
        {
            var name = $"image-00000{i}.png";
            CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(dir.File("all"), "Bag", name)), File.ReadAllBytes(Path.Combine(dir.File("bags"), "Bag", name)), name);
        }
        // the folder is an image folder the library (and `train --dataset folder`) reads
        var ml = new MLContext(1);
        Assert.AreEqual(25, ml.Data.LoadImageFolder(dir.File("all")).Files.Count);
    }

    [TestMethod]
    public void BadTargets_AreRefusedBeforeAnythingIsGenerated_AndNameTheTarget()
    {
        using var dir = new TempDir();
        var model = TinyRuns.ConditionalModel;
        Gansdp.Run(["generate", model, "-o", dir.File("out.gif")]).ExpectOneLineError(ExitCodes.Usage, "out.gif", "'.gif' is not a supported image format");
        File.WriteAllText(dir.File("afile"), "x");
        Gansdp.Run(["generate", model, "-o", Path.Combine(dir.File("afile"), "g.png")]).ExpectOneLineError(ExitCodes.Usage, "is a file");
        Gansdp.Run(["generate", model, "-c", "100000", "-o", dir.File("big.png")]).ExpectOneLineError(ExitCodes.Usage, "at most 10,000", "--files");
        Directory.CreateDirectory(dir.File("full"));
        File.WriteAllText(Path.Combine(dir.File("full"), "x.txt"), "x");
        Gansdp.Run(["generate", model, "--files", "-o", dir.File("full")]).ExpectOneLineError(ExitCodes.Usage, "is not empty");
        Gansdp.Run(["generate", model, "--class", "Cat", "-o", dir.File("c.png")]).ExpectOneLineError(ExitCodes.Usage, "'Cat'", "'Bag'");
        Gansdp.Run(["generate", Path.Combine(TinyRuns.Unconditional, "model.zip"), "--class", "Bag", "-o", dir.File("u.png")]).ExpectOneLineError(ExitCodes.Usage, "unconditional");
        Gansdp.Run(["generate", dir.File("missing.zip"), "-o", dir.File("m.png")]).ExpectOneLineError(ExitCodes.Failure, "missing.zip", "does not exist");
        CollectionAssert.AreEquivalent(new[] { "afile", "full" }, Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName).ToArray(), "nothing written");

        // a target that cannot be written (a read-only file system): the error names the target, not a temporary file
        var r = Gansdp.Run(["generate", model, "-c", "2", "-o", "/proc/gansdp-test.png"]);
        r.ExpectOneLineError(ExitCodes.Failure, "Cannot write '/proc/gansdp-test.png'");
        Assert.IsFalse(r.Err.Contains(".tmp", StringComparison.Ordinal), r.Err);
    }

    [TestMethod]
    public void ManyFiles_StreamWithFlatMemory()
    {
        using var dir = new TempDir();
        // a 3 x 64 x 64 generator: 48 KiB of floats per image, so holding 3,000 more images would take 141 MiB. Both counts are
        // past the first collections of the garbage collector (whose steady-state heap is part of the peak).
        var folder = dir.File("images");
        var rng = new Random(1);
        foreach (var cls in new[] { "a", "b" })
            for (int i = 0; i < 4; i++)
            {
                var px = new float[3 * 64 * 64];
                for (int j = 0; j < px.Length; j++) px[j] = rng.Next(256);
                ImageFile.Write(Path.Combine(folder, cls, $"{i}.png"), new ImagePixels(new ImageShape(3, 64, 64), px));
            }
        var run = dir.File("run");
        Gansdp.Run(["train", "--dataset", "folder", "--data", folder, "--image-size", "64", "-n", "1", "--width", "4", "--latent", "4", "--batch", "4", "--threads", "1", "-o", run]).Expect(0);
        var model = Path.Combine(run, "model.zip");

        var (small, smallPeak) = Gansdp.RunChildMeasured("generate", model, "-c", "1000", "--files", "-o", dir.File("small"));
        small.Expect(0);
        var (large, largePeak) = Gansdp.RunChildMeasured("generate", model, "-c", "4000", "--files", "-o", dir.File("large"));
        large.Expect(0);
        Assert.AreEqual(4000, Directory.GetFiles(dir.File("large")).Length);
        double growMiB = (largePeak - smallPeak) / 1024.0;
        Console.WriteLine($"peak RSS: 1000 images {smallPeak / 1024.0:F0} MiB, 4000 images {largePeak / 1024.0:F0} MiB (+{growMiB:F1} MiB; the 3,000 more images are {3000 * 3 * 64 * 64 * 4 / 1048576.0:F0} MiB as floats)");
        Assert.IsTrue(growMiB < 40, $"peak RSS grew by {growMiB:F1} MiB from 1000 to 4000 images");
    }

    /// <summary>The library's own generation on the ML.NET-loaded model: GenerateImages, class blocks in key order.</summary>
    private static (float[] Images, int[] Labels) Library(string model, int rowsPerClass, long seed)
    {
        var ml = new MLContext(1);
        var loaded = ml.Model.Load(model, out var schema);
        var view = ml.Data.GenerateImages(loaded, schema, rowsPerClass, seed);
        var images = view.GetColumn<float[]>("Image").SelectMany(x => x).ToArray();
        var labels = view.GetColumn<uint>("Label").Select(k => (int)k - 1).ToArray();
        (loaded as IDisposable)?.Dispose();
        return (images, labels);
    }
}
