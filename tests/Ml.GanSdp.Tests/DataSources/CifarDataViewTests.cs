using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.GanSdp.Tests.TestSupport;
using static Ml.GanSdp.Tests.DataSources.DataSourceTestFiles;

namespace Ml.GanSdp.Tests.DataSources;

[TestClass]
public sealed class CifarDataViewTests
{
    private static readonly MLContext Ml = new(seed: 1);

    /// <summary>CIFAR records: the label byte(s), then 3072 pixel bytes where pixel i of record r is (r * 7 + i) mod 251.</summary>
    private static byte[] Records(params byte[][] labels)
    {
        var bytes = new List<byte>();
        for (int r = 0; r < labels.Length; r++)
        {
            bytes.AddRange(labels[r]);
            bytes.AddRange(Enumerable.Range(0, 3072).Select(i => (byte)((r * 7 + i) % 251)));
        }
        return bytes.ToArray();
    }

    private static float[] ExpectedPixels(int r) => Enumerable.Range(0, 3072).Select(i => (float)((r * 7 + i) % 251)).ToArray();

    [TestMethod]
    public void Cifar10_KnownRecords_GivePlanesAndKeys_AcrossBatchFiles()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("a.bin"), Records(new byte[] { 9 }, new byte[] { 0 }));
        File.WriteAllBytes(dir.File("b.bin"), Records(new byte[] { 4 }));
        var view = Ml.Data.LoadCifar(new[] { dir.File("a.bin"), dir.File("b.bin") }, new CifarSourceOptions());

        Assert.AreEqual(3L, view.GetRowCount());
        var pixels = Vectors(view, "Image");
        Assert.AreEqual(3, pixels.Count);
        CollectionAssert.AreEqual(ExpectedPixels(0), pixels[0]);
        CollectionAssert.AreEqual(ExpectedPixels(1), pixels[1]);
        CollectionAssert.AreEqual(ExpectedPixels(0), pixels[2], "the second file starts again at its own record 0");
        CollectionAssert.AreEqual(new uint[] { 10, 1, 5 }, Keys(view, "Label"));

        var type = (VectorDataViewType)view.Schema["Image"].Type;
        CollectionAssert.AreEqual(new[] { 3, 32, 32 }, type.Dimensions.ToArray());
        Assert.AreEqual(10UL, ((KeyDataViewType)view.Schema["Label"].Type).Count);
        CollectionAssert.AreEqual(KnownClassNames.Cifar10.ToArray(), KeyNames(view.Schema["Label"]));
    }

    [TestMethod]
    public void Cifar100_HasFineLabelAndCoarseLabelColumns()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("train.bin"), Records(new byte[] { 19, 99 }, new byte[] { 3, 42 }));
        var view = Ml.Data.LoadCifar100(dir.Path);

        CollectionAssert.AreEqual(new[] { "Image", "Label", "CoarseLabel" }, view.Schema.Select(c => c.Name).ToArray());
        CollectionAssert.AreEqual(new uint[] { 100, 43 }, Keys(view, "Label"));
        CollectionAssert.AreEqual(new uint[] { 20, 4 }, Keys(view, "CoarseLabel"));
        Assert.AreEqual(100UL, ((KeyDataViewType)view.Schema["Label"].Type).Count);
        Assert.AreEqual(20UL, ((KeyDataViewType)view.Schema["CoarseLabel"].Type).Count);
        Assert.AreEqual("worm", KeyNames(view.Schema["Label"])[99]);
        Assert.AreEqual("vehicles_2", KeyNames(view.Schema["CoarseLabel"])[19]);
        CollectionAssert.AreEqual(ExpectedPixels(1), Vectors(view, "Image")[1]);
    }

    [TestMethod]
    public void Cifar10Folder_UsesTheBatchNamesAndTheMetaFileBesideThem()
    {
        using var dir = new TempDir();
        for (int i = 1; i <= 5; i++) File.WriteAllBytes(dir.File($"data_batch_{i}.bin"), Records(new[] { (byte)i }));
        File.WriteAllBytes(dir.File("test_batch.bin"), Records(new byte[] { 0 }, new byte[] { 1 }));
        var names = Enumerable.Range(0, 10).Select(i => $"c{i}").ToArray();
        File.WriteAllText(dir.File("batches.meta.txt"), string.Join("\n", names) + "\n\n");

        var train = Ml.Data.LoadCifar10(dir.Path);
        Assert.AreEqual(5L, train.GetRowCount());
        CollectionAssert.AreEqual(new uint[] { 2, 3, 4, 5, 6 }, Keys(train, "Label"));
        CollectionAssert.AreEqual(names, KeyNames(train.Schema["Label"]));
        Assert.AreEqual(2L, Ml.Data.LoadCifar10(dir.Path, train: false).GetRowCount());

        File.WriteAllText(dir.File("batches.meta.txt"), "only\nthree\nnames\n");
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => Ml.Data.LoadCifar10(dir.Path)).Message, "lists 3 names; 10 are expected");
    }

    [TestMethod]
    public void Errors_NameTheFile()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("short.bin"), Records(new byte[] { 1 })[..^1]);
        File.WriteAllBytes(dir.File("label.bin"), Records(new byte[] { 0 }, new byte[] { 10 }));
        File.WriteAllBytes(dir.File("c100.bin"), Records(new byte[] { 20, 5 }));
        File.WriteAllBytes(dir.File("empty.bin"), Array.Empty<byte>());

        var size = Assert.ThrowsExactly<InvalidDataException>(() => Ml.Data.LoadCifar(new[] { dir.File("short.bin") }, new CifarSourceOptions()));
        StringAssert.Contains(size.Message, dir.File("short.bin"));
        StringAssert.Contains(size.Message, "not a whole number of 3073-byte Cifar10 records");
        Assert.ThrowsExactly<InvalidDataException>(() => Ml.Data.LoadCifar(new[] { dir.File("empty.bin") }, new CifarSourceOptions()));
        var label = Assert.ThrowsExactly<InvalidDataException>(() => Keys(Ml.Data.LoadCifar(new[] { dir.File("label.bin") }, new CifarSourceOptions()), "Label"));
        StringAssert.Contains(label.Message, "record 1 has label 10");
        StringAssert.Contains(label.Message, dir.File("label.bin"));
        var coarse = Assert.ThrowsExactly<InvalidDataException>(() => Keys(Ml.Data.LoadCifar(new[] { dir.File("c100.bin") }, new CifarSourceOptions { Kind = CifarKind.Cifar100 }), "Label"));
        StringAssert.Contains(coarse.Message, "coarse label 20");
        Assert.ThrowsExactly<FileNotFoundException>(() => Ml.Data.LoadCifar(new[] { dir.File("missing.bin") }, new CifarSourceOptions()));
        StringAssert.Contains(Assert.ThrowsExactly<FileNotFoundException>(() => Ml.Data.LoadCifar10(dir.Path)).Message, "data_batch_1.bin");
    }

    [TestMethod]
    public void FileShortenedAfterLoad_IsReportedByTheCursor()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("a.bin"), Records(new byte[] { 1 }, new byte[] { 2 }));
        var view = Ml.Data.LoadCifar(new[] { dir.File("a.bin") }, new CifarSourceOptions());
        File.WriteAllBytes(dir.File("a.bin"), Records(new byte[] { 1 }));
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => Keys(view, "Label")).Message, "ends inside record 1");
    }

    [TestMethod]
    public void Options_AreValidated()
    {
        Assert.ThrowsExactly<ArgumentException>(() => Ml.Data.LoadCifar(new[] { "x" }, new CifarSourceOptions { Kind = CifarKind.Cifar100, CoarseLabelColumnName = "Label" }));
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => Ml.Data.LoadCifar(new[] { "x" }, new CifarSourceOptions { ClassNames = new[] { "a" } })).Message, "Cifar10 has 10 classes");
        Assert.ThrowsExactly<ArgumentException>(() => Ml.Data.LoadCifar(Array.Empty<string>(), new CifarSourceOptions()));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Ml.Data.LoadCifar(new[] { "x" }, new CifarSourceOptions { Kind = (CifarKind)7 }));
    }
}
