using System.Formats.Tar;
using System.IO.Compression;
using Ml.GanSdp.Data;
using Ml.GanSdp.Imaging;
using Ml.GanSdp.Serialization;
using Ml.GanSdp.Tests.TestSupport;
using static Ml.GanSdp.torch;

namespace Ml.GanSdp.Tests.Data;

[TestClass]
public class ImageFolderLoaderTests
{
    private static void WriteImage(string path, int h, int w, long seed)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var g = new Generator(seed);
        using var img = randint(0, 256, new long[] { h, w, 3 }, ScalarType.Byte, null, g);
        ImageCodec.Save(path, img, options: new ImageEncodeOptions { Lossless = true });
    }

    /// <summary>Classes zebra, apple (with a nested folder), mango; one corrupt file; noise that must be ignored.</summary>
    private static TempDir SmallFolder(out string corrupt)
    {
        var dir = new TempDir();
        WriteImage(dir.File("zebra/z1.png"), 6, 5, 1);
        WriteImage(dir.File("apple/a1.bmp"), 4, 4, 2);
        WriteImage(dir.File("apple/nested/a2.webp"), 4, 4, 3);
        WriteImage(dir.File("mango/m1.jpg"), 8, 8, 4);
        corrupt = dir.File("mango/m2.png");
        File.WriteAllText(corrupt, "this is not a png");
        File.WriteAllText(dir.File("mango/notes.txt"), "ignored");
        WriteImage(dir.File(".hidden/h.png"), 2, 2, 5);
        WriteImage(dir.File("loose.png"), 2, 2, 6);
        return dir;
    }

    [TestMethod]
    public void ListsSortedClassesAndLabelsFromSubfolders()
    {
        using var dir = SmallFolder(out _);
        var view = ImageFolderLoader.Load(dir.Path);
        CollectionAssert.AreEqual(new[] { "apple", "mango", "zebra" }, view.ClassNames.ToArray());
        Assert.AreEqual("3 columns: Image: Image<Byte, 3x?x?>, Label: Key<int64, 3>, ImagePath: Text", view.Schema.ToString());
        CollectionAssert.AreEqual(new[] { "apple", "mango", "zebra" }, view.Schema["Label"].KeyValues!.ToArray());
        CollectionAssert.AreEqual(new[] { "a1.bmp", "a2.webp", "m1.jpg", "m2.png", "z1.png" }, view.Files.Select(f => Path.GetFileName(f.Path)).ToArray());
        CollectionAssert.AreEqual(new[] { 0, 0, 1, 1, 2 }, view.Files.Select(f => f.Label).ToArray());
        Assert.AreEqual(5L, view.GetRowCount());
        Assert.AreEqual(0L, view.DecodedCount, "listing decodes nothing");
    }

    [TestMethod]
    public void ACorruptImageThrowsNamingTheFileWhenItsBatchIsRead()
    {
        using var dir = SmallFolder(out var corrupt);
        var view = ImageFolderLoader.Load(dir.Path);
        using (var first = view.GetBatches(2).First())
        {
            Assert.AreEqual(2, first.Count);
        }
        var e = Assert.ThrowsExactly<InvalidImageException>(() => { foreach (var b in view.GetBatches(2)) b.Dispose(); });
        StringAssert.Contains(e.Message, corrupt);
        Assert.AreEqual(corrupt, e.FilePath);
    }

    [TestMethod]
    public void SkipLeavesOutCountsAndReportsInvalidImages()
    {
        using var dir = SmallFolder(out var corrupt);
        var view = ImageFolderLoader.Load(dir.Path, new ImageFolderOptions { OnInvalidImage = InvalidImageHandling.Skip });
        Assert.IsNull(view.GetRowCount(), "unknown until decoded when skipping");
        Assert.AreEqual(5L, view.FileCount);
        var rows = new List<(long Id, long Label, long[] Shape, string Path)>();
        for (int pass = 0; pass < 2; pass++)
            foreach (var b in view.GetBatches(2))
                using (b)
                {
                    var labels = b.GetTensor("Label").ToArray<long>();
                    for (int i = 0; i < b.Count; i++)
                        if (pass == 0) rows.Add((b.RowIds[i], labels[i], b.GetTensorRows("Image")[i].shape, b.GetText("ImagePath")[i]));
                }
        CollectionAssert.AreEqual(new long[] { 0, 1, 2, 4 }, rows.Select(r => r.Id).ToArray());
        CollectionAssert.AreEqual(new long[] { 0, 0, 1, 2 }, rows.Select(r => r.Label).ToArray());
        CollectionAssert.AreEqual(new long[] { 3, 8, 8 }, rows[2].Shape);
        CollectionAssert.AreEqual(new long[] { 3, 6, 5 }, rows[3].Shape);
        StringAssert.EndsWith(rows[3].Path, "z1.png");
        Assert.AreEqual(1, view.SkippedCount);
        Assert.AreEqual(2L, view.SkipEvents);
        Assert.AreEqual(corrupt, view.SkippedImages.Single().Path);
        StringAssert.Contains(view.SkippedImages.Single().Reason, "not a decodable image");
    }

    [TestMethod]
    public void PixelsMatchPillowAndGrayscaleModeGivesOneChannel()
    {
        using var dir = SmallFolder(out _);
        File.Delete(dir.File("mango/m2.png"));
        var view = ImageFolderLoader.Load(dir.Path);
        using var batch = view.GetBatches(4).Single();
        Python.Exec("""
import data_oracle, numpy as np
d = sys.argv[1]
for i, p in enumerate(sys.argv[2:]):
    np.save(f'{d}/{i}.npy', np.ascontiguousarray(data_oracle.pil_decode(p).transpose(2, 0, 1)))
""", new[] { dir.Path }.Concat(batch.GetText("ImagePath")).ToArray());
        for (int i = 0; i < 4; i++)
        {
            using var expected = Npy.Load(dir.File($"{i}.npy"));
            TensorAssert.Close(expected, batch.GetTensorRows("Image")[i], 0, Path.GetExtension(batch.GetText("ImagePath")[i]) == ".jpg" ? 1 : 0, batch.GetText("ImagePath")[i]);
        }
        var gray = ImageFolderLoader.Load(dir.Path, new ImageFolderOptions { ColorMode = ImageColorMode.Grayscale, ImageColumnName = "Pixels" });
        Assert.AreEqual(new ImageDataViewType(1, 0, 0), gray.Schema["Pixels"].Type);
        using var gb = gray.GetBatches(1).First();
        CollectionAssert.AreEqual(new long[] { 1, 4, 4 }, gb.GetTensorRows("Pixels")[0].shape);
    }

    [TestMethod]
    public void ImagesFromTheSharedCifar10ArchiveLoadWithTheirLabels()
    {
        var archive = Path.Combine(Repo.Shared, "datasets", "cifar10-jpg.tar.gz");
        if (!File.Exists(archive)) Assert.Inconclusive($"{archive} is not available.");
        using var dir = new TempDir();
        var perClass = new Dictionary<string, int>();
        using (var gz = new GZipStream(File.OpenRead(archive), CompressionMode.Decompress))
        using (var tar = new TarReader(gz))
        {
            while (perClass.Count < 3 || perClass.Values.Any(v => v < 3))
            {
                var entry = tar.GetNextEntry() ?? throw new InvalidDataException("archive ended early");
                var parts = entry.Name.Split('/', StringSplitOptions.RemoveEmptyEntries);
                if (entry.EntryType != TarEntryType.RegularFile || parts.Length != 4 || parts[1] != "test" || !parts[3].EndsWith(".jpg")) continue;
                int have = perClass.GetValueOrDefault(parts[2]);
                if (have >= 3 || (!perClass.ContainsKey(parts[2]) && perClass.Count >= 3)) continue;
                perClass[parts[2]] = have + 1;
                Directory.CreateDirectory(dir.File(parts[2]));
                entry.ExtractToFile(dir.File(Path.Combine(parts[2], parts[3])), overwrite: false);
            }
        }
        var view = ImageFolderLoader.Load(dir.Path);
        var classes = perClass.Keys.OrderBy(k => k, StringComparer.Ordinal).ToArray();
        CollectionAssert.AreEqual(classes, view.ClassNames.ToArray());
        using var batch = view.GetBatches(9).Single();
        CollectionAssert.AreEqual(new long[] { 9, 3, 32, 32 }, batch.GetTensor("Image").shape, "CIFAR images all stack");
        var labels = batch.GetTensor("Label").ToArray<long>();
        for (int i = 0; i < 9; i++)
            Assert.AreEqual(classes[labels[i]], Path.GetFileName(Path.GetDirectoryName(batch.GetText("ImagePath")[i])));
        CollectionAssert.AreEqual(new long[] { 0, 0, 0, 1, 1, 1, 2, 2, 2 }, labels);
        Python.Exec("""
import data_oracle, numpy as np
np.save(sys.argv[1] + '/x.npy', np.stack([data_oracle.pil_decode(p).transpose(2, 0, 1) for p in sys.argv[2:]]))
""", new[] { dir.Path }.Concat(batch.GetText("ImagePath")).ToArray());
        using var expected = Npy.Load(dir.File("x.npy"));
        TensorAssert.Close(expected, batch.GetTensor("Image"), 0, 1, "CIFAR JPEGs vs Pillow");
    }

    [TestMethod]
    public void BatchesAreDecodedLazilyOnePassAtATime()
    {
        using var dir = new TempDir();
        for (int i = 0; i < 20; i++) WriteImage(dir.File($"c{i % 2}/{i:D2}.png"), 3, 3, i);
        var view = ImageFolderLoader.Load(dir.Path);
        long before = TensorCounts.Settled();
        int seen = 0;
        foreach (var b in view.GetBatches(4))
        {
            using (b)
            {
                seen++;
                Assert.AreEqual(4L * seen, view.DecodedCount, "only the rows of the batches reached so far are decoded");
                Assert.IsTrue(LiveTensorCount - before <= 8, "a batch holds only its own rows");
            }
            if (seen == 2) break;
        }
        Assert.AreEqual(8L, view.DecodedCount);
        Assert.AreEqual(before, LiveTensorCount, "disposed batches free their tensors");
    }

    [TestMethod]
    public void BadFoldersAreClearErrors()
    {
        using var dir = new TempDir();
        Assert.ThrowsExactly<DirectoryNotFoundException>(() => ImageFolderLoader.Load(dir.File("missing")));
        var none = Assert.ThrowsExactly<InvalidDataException>(() => ImageFolderLoader.Load(dir.Path));
        StringAssert.Contains(none.Message, "no class sub-folders");
        Directory.CreateDirectory(dir.File("empty"));
        var empty = Assert.ThrowsExactly<InvalidDataException>(() => ImageFolderLoader.Load(dir.Path));
        StringAssert.Contains(empty.Message, dir.File("empty"));
        Assert.ThrowsExactly<ArgumentException>(() => ImageFolderLoader.Load(dir.Path, new ImageFolderOptions { Extensions = new[] { "png" } }));
        Assert.ThrowsExactly<ArgumentException>(() => ImageFolderLoader.Load(dir.Path, new ImageFolderOptions { LabelColumnName = "Image" }));
    }
}
