using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.GanSdp.Samples.Commands;
using Ml.GanSdp.Tests.TestSupport;

namespace Ml.GanSdp.Tests.Samples;

/// <summary>
/// <c>gansdp augment</c>: the image folder and the IDX files it writes against the library's own <c>Augment</c> view of
/// the same rows (counts per class, PNG bytes, IDX bytes read back with <c>LoadIdx</c>), and its refusals.
/// </summary>
[TestClass]
public sealed class AugmentCommandTests
{
    [TestMethod]
    public void Folder_HoldsTheRealRowsAndTheSyntheticRowsOfTheLibrarysAugmentView()
    {
        using var dir = new TempDir();
        var r = Gansdp.Run(["augment", TinyRuns.ConditionalModel, "--max-rows", "40", "--ratio", "0.5", "-s", "9", "-o", dir.File("aug")]).Expect(0);
        StringAssert.Contains(r.Out, "rows written");
        var rows = LibraryRows(40, new AugmentationOptions { SyntheticRatio = 0.5, Seed = 9, SyntheticFlagColumnName = "S" });
        var folders = ImageOutput.ClassFolders(KnownClassNames.FashionMnist);
        for (int k = 0; k < 10; k++)
            foreach (var synthetic in new[] { false, true })
            {
                var mine = rows.Where(x => x.Class == k && x.Synthetic == synthetic).ToList();
                var prefix = synthetic ? "synthetic-" : "real-";
                var files = Directory.Exists(Path.Combine(dir.File("aug"), folders[k]))
                    ? Directory.GetFiles(Path.Combine(dir.File("aug"), folders[k]), prefix + "*.png").Order(StringComparer.Ordinal).ToArray() : [];
                Assert.AreEqual(mine.Count, files.Length, $"class {k} {prefix}");
                for (int i = 0; i < files.Length; i++)
                    CollectionAssert.AreEqual(ImageFile.EncodePng(new ImagePixels(new ImageShape(1, 28, 28), mine[i].Pixels)), File.ReadAllBytes(files[i]), files[i]);
            }
        Assert.AreEqual(20, rows.Count(x => x.Synthetic), "0.5 x 40");
    }

    [TestMethod]
    public void Idx_ReadsBackWithLoadIdx_RealRowsExactly_SyntheticRowsRounded()
    {
        using var dir = new TempDir();
        Gansdp.Run(["augment", TinyRuns.ConditionalModel, "--max-rows", "30", "--per-class", "2", "--format", "idx", "-o", dir.File("idx")]).Expect(0);
        var rows = LibraryRows(30, new AugmentationOptions { SyntheticRowsPerClass = 2, SyntheticFlagColumnName = "S" });
        var ml = new MLContext(1);
        var back = ml.Data.LoadIdx(Path.Combine(dir.File("idx"), "train-images-idx3-ubyte"), Path.Combine(dir.File("idx"), "train-labels-idx1-ubyte"));
        var images = back.GetColumn<float[]>("Image").ToArray();
        var labels = back.GetColumn<uint>("Label").ToArray();
        Assert.AreEqual(50, images.Length);
        for (int i = 0; i < rows.Count; i++)
        {
            Assert.AreEqual((uint)rows[i].Class + 1, labels[i], $"row {i}");
            var expected = rows[i].Pixels.Select(v => (float)Math.Clamp(MathF.Round(v), 0, 255)).ToArray();
            if (!rows[i].Synthetic) CollectionAssert.AreEqual(rows[i].Pixels, expected, "real pixels are whole numbers");
            CollectionAssert.AreEqual(expected, images[i], $"row {i}");
        }
        var flags = File.ReadAllBytes(Path.Combine(dir.File("idx"), "synthetic-idx1-ubyte"));
        CollectionAssert.AreEqual(rows.Select(x => x.Synthetic ? (byte)1 : (byte)0).ToArray(), flags[8..]);
        CollectionAssert.AreEqual(KnownClassNames.FashionMnist.ToArray(), File.ReadAllLines(Path.Combine(dir.File("idx"), "classes.txt")));
    }

    [TestMethod]
    public void ModelsAndDataThatDoNotFit_AreRefused()
    {
        using var dir = new TempDir();
        Gansdp.Run(["augment", Path.Combine(TinyRuns.Unconditional, "model.zip"), "-o", dir.File("a")]).ExpectOneLineError(ExitCodes.Usage, "unconditional");
        Gansdp.Run(["augment", TinyRuns.ConditionalModel, "--ratio", "1", "--per-class", "2", "-o", dir.File("a")]).ExpectOneLineError(ExitCodes.Usage, "--ratio", "--per-class");
        Gansdp.Run(["augment", TinyRuns.ConditionalModel, "--ratio", "NaN", "-o", dir.File("a")]).ExpectOneLineError(ExitCodes.Usage, "--ratio");
        // an image folder of the model's size whose classes are not the model's
        foreach (var cls in new[] { "cat", "dog" })
            ImageFile.Write(Path.Combine(dir.File("folder"), cls, "0.png"), new ImagePixels(new ImageShape(1, 28, 28), new float[784]));
        Gansdp.Run(["augment", TinyRuns.ConditionalModel, "--dataset", "folder", "--data", dir.File("folder"), "-o", dir.File("a")])
            .ExpectOneLineError(ExitCodes.Failure, "'cat', 'dog'", "'T-shirt/top'");
        Assert.IsFalse(Directory.Exists(dir.File("a")));
    }

    /// <summary>The library's augmented view of the first <paramref name="rows"/> Fashion-MNIST rows with the loaded model.</summary>
    private static List<(int Class, bool Synthetic, float[] Pixels)> LibraryRows(int rows, AugmentationOptions options)
    {
        var ml = new MLContext(1);
        var loaded = ml.Model.Load(TinyRuns.ConditionalModel, out _);
        var view = ml.Data.Augment(ml.Data.TakeRows(ml.Data.LoadFashionMnist(), rows), loaded, options);
        var result = view.GetColumn<uint>("Label").Zip(view.GetColumn<bool>("S"), view.GetColumn<float[]>("Image"))
            .Select(t => ((int)t.First - 1, t.Second, t.Third)).ToList();
        (loaded as IDisposable)?.Dispose();
        return result;
    }
}
