using Ml.GanSdp.Data;
using Ml.GanSdp.Tests.TestSupport;
using static Ml.GanSdp.torch;

namespace Ml.GanSdp.Tests.Data;

[TestClass]
public class CifarLoaderTests
{
    /// <summary>Writes <paramref name="count"/> records with labels and pixels drawn from <paramref name="rng"/>; returns them.</summary>
    private static List<(byte[] Labels, byte[] Pixels)> WriteRecords(string path, int count, int labelBytes, Random rng, int maxLabel)
    {
        var records = new List<(byte[], byte[])>();
        using var f = File.Create(path);
        for (int i = 0; i < count; i++)
        {
            var labels = Enumerable.Range(0, labelBytes).Select(_ => (byte)rng.Next(maxLabel)).ToArray();
            var pixels = new byte[3072];
            rng.NextBytes(pixels);
            f.Write(labels);
            f.Write(pixels);
            records.Add((labels, pixels));
        }
        return records;
    }

    [TestMethod]
    public void Cifar10BatchFilesReadBackExactlyAcrossFileBoundaries()
    {
        using var dir = new TempDir();
        var rng = new Random(1);
        var records = new List<(byte[] Labels, byte[] Pixels)>();
        for (int i = 1; i <= 5; i++) records.AddRange(WriteRecords(dir.File($"data_batch_{i}.bin"), i, 1, rng, 10));
        WriteRecords(dir.File("test_batch.bin"), 2, 1, rng, 10);
        var view = CifarLoader.LoadCifar10(dir.Path);
        Assert.AreEqual(15L, view.GetRowCount());
        Assert.AreEqual(2L, CifarLoader.LoadCifar10(dir.Path, train: false).GetRowCount());
        Assert.AreEqual("2 columns: Image: Image<Byte, 3x32x32>, Label: Key<int64, 10>", view.Schema.ToString());
        CollectionAssert.AreEqual(CifarLoader.Cifar10ClassNames.ToArray(), view.Schema["Label"].KeyValues!.ToArray());
        foreach (var batch in view.GetBatches(new BatchOptions { BatchSize = 4, Shuffle = true, Seed = 3 }))
            using (batch)
            {
                var images = batch.GetTensor("Image");
                var labels = batch.GetTensor("Label").ToArray<long>();
                for (int i = 0; i < batch.Count; i++)
                {
                    var (l, p) = records[(int)batch.RowIds[i]];
                    Assert.AreEqual(l[0], labels[i]);
                    using var row = images[i];
                    CollectionAssert.AreEqual(p, row.ToArray<byte>(), $"row {batch.RowIds[i]}");
                }
            }
    }

    [TestMethod]
    public void Cifar100HasFineAndCoarseLabelsAndNamesFilesWin()
    {
        using var dir = new TempDir();
        var records = WriteRecords(dir.File("train.bin"), 3, 2, new Random(2), 20);
        var fine = Enumerable.Range(0, 100).Select(i => $"f{i}").ToArray();
        File.WriteAllLines(dir.File("fine_label_names.txt"), fine);
        var view = CifarLoader.LoadCifar100(dir.Path);
        Assert.AreEqual("3 columns: Image: Image<Byte, 3x32x32>, Label: Key<int64, 100>, CoarseLabel: Key<int64, 20>", view.Schema.ToString());
        CollectionAssert.AreEqual(fine, view.ClassNames.ToArray());
        CollectionAssert.AreEqual(CifarLoader.Cifar100CoarseClassNames.ToArray(), view.Schema["CoarseLabel"].KeyValues!.ToArray());
        using var batch = view.GetBatches(3).Single();
        CollectionAssert.AreEqual(records.Select(r => (long)r.Labels[1]).ToArray(), batch.GetTensor("Label").ToArray<long>());
        CollectionAssert.AreEqual(records.Select(r => (long)r.Labels[0]).ToArray(), batch.GetTensor("CoarseLabel").ToArray<long>());
        CollectionAssert.AreEqual(records.SelectMany(r => r.Pixels).ToArray(), batch.GetTensor("Image").ToArray<byte>());
    }

    [TestMethod]
    public void BuiltInClassNamesAreComplete()
    {
        Assert.AreEqual(10, CifarLoader.Cifar10ClassNames.Distinct().Count());
        Assert.AreEqual(100, CifarLoader.Cifar100FineClassNames.Distinct().Count());
        Assert.AreEqual(20, CifarLoader.Cifar100CoarseClassNames.Distinct().Count());
        CollectionAssert.AreEqual(CifarLoader.Cifar100FineClassNames.OrderBy(n => n, StringComparer.Ordinal).ToArray(), CifarLoader.Cifar100FineClassNames.ToArray(), "CIFAR-100 fine labels are alphabetical");
    }

    [TestMethod]
    public void BadFilesAreErrorsNamingTheFile()
    {
        using var dir = new TempDir();
        var partial = dir.File("partial.bin");
        File.WriteAllBytes(partial, new byte[3073 + 10]);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => CifarLoader.Load(CifarKind.Cifar10, new[] { partial }));
        StringAssert.Contains(e.Message, partial);
        StringAssert.Contains(e.Message, "3073-byte");
        var e2 = Assert.ThrowsExactly<InvalidDataException>(() => CifarLoader.Load(CifarKind.Cifar100, new[] { partial }));
        StringAssert.Contains(e2.Message, "3074-byte");

        var badLabel = dir.File("label.bin");
        var rec = new byte[3073 * 2];
        rec[3073] = 12;
        File.WriteAllBytes(badLabel, rec);
        var view = CifarLoader.Load(CifarKind.Cifar10, new[] { badLabel });
        var e3 = Assert.ThrowsExactly<InvalidDataException>(() => view.GetBatches(2).First().Dispose());
        StringAssert.Contains(e3.Message, badLabel);
        StringAssert.Contains(e3.Message, "record 1");
        var missing = Assert.ThrowsExactly<FileNotFoundException>(() => CifarLoader.LoadCifar10(dir.Path));
        StringAssert.Contains(missing.Message, "data_batch_1.bin");
    }
}
