using System.IO.Compression;
using Ml.GanSdp.Data;
using Ml.GanSdp.Serialization;
using Ml.GanSdp.Tests.TestSupport;
using static Ml.GanSdp.torch;

namespace Ml.GanSdp.Tests.Data;

[TestClass]
public class IdxLoaderTests
{
    private const string FashionDir = "/usr/share/datasets/fashion-mnist";

    [TestMethod]
    public void FashionMnistTrainMatchesNumpyParsingOfTheSameFiles()
    {
        using var dir = new TempDir();
        Python.Exec("""
import data_oracle, numpy as np
src = sys.argv[2]
x = data_oracle.idx_parse(src + '/train-images-idx3-ubyte.gz')
y = data_oracle.idx_parse(src + '/train-labels-idx1-ubyte.gz')
np.save(sys.argv[1] + '/x.npy', np.ascontiguousarray(np.concatenate([x[:40], x[-5:]])[:, None]))
np.save(sys.argv[1] + '/y.npy', np.concatenate([y[:40], y[-5:]]).astype(np.int64))
print(x.shape[0])
""", dir.Path, FashionDir);
        var view = IdxLoader.LoadFashionMnist(FashionDir, train: true);
        Assert.AreEqual(60000L, view.GetRowCount());
        Assert.AreEqual("2 columns: Image: Image<Byte, 1x28x28>, Label: Key<int64, 10>", view.Schema.ToString());
        CollectionAssert.AreEqual(IdxLoader.FashionMnistClassNames.ToArray(), view.Schema["Label"].KeyValues!.ToArray());
        Assert.AreEqual("Ankle boot", view.Schema["Label"].KeyValues![9]);
        using var expectedX = Npy.Load(dir.File("x.npy"));
        using var expectedY = Npy.Load(dir.File("y.npy"));
        DataBatch? first = null, last = null;
        int count = 0;
        try
        {
            foreach (var b in view.GetBatches(40))
            {
                count++;
                if (first is null) { first = b; continue; }
                last?.Dispose();
                last = b;
            }
            Assert.AreEqual(1500, count);
            using var x = cat(new[] { first!.GetTensor("Image"), last!.GetTensor("Image").narrow(0, 35, 5) });
            using var y = cat(new[] { first.GetTensor("Label"), last.GetTensor("Label").narrow(0, 35, 5) });
            Assert.IsTrue(equal(expectedX, x), "images");
            Assert.IsTrue(equal(expectedY, y), "labels");
        }
        finally
        {
            first?.Dispose();
            last?.Dispose();
        }
    }

    [TestMethod]
    public void GzipAndRawFilesReadTheSame()
    {
        using var dir = new TempDir();
        foreach (var name in new[] { "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte" })
        {
            using var gz = new GZipStream(File.OpenRead(Path.Combine(FashionDir, name + ".gz")), CompressionMode.Decompress);
            using var raw = File.Create(dir.File(name));
            gz.CopyTo(raw);
        }
        var fromRaw = IdxLoader.LoadFashionMnist(dir.Path, train: false);
        var fromGz = IdxLoader.Load(Path.Combine(FashionDir, "t10k-images-idx3-ubyte.gz"), Path.Combine(FashionDir, "t10k-labels-idx1-ubyte.gz"));
        Assert.AreEqual(10000L, fromRaw.GetRowCount());
        CollectionAssert.AreEqual(new[] { "0", "1", "2", "3", "4", "5", "6", "7", "8", "9" }, fromGz.Schema["Label"].KeyValues!.ToArray());
        using var a = fromRaw.GetBatches(new BatchOptions { BatchSize = 64, Shuffle = true, Seed = 5 }).First();
        using var b = fromGz.GetBatches(new BatchOptions { BatchSize = 64, Shuffle = true, Seed = 5 }).First();
        CollectionAssert.AreEqual(a.RowIds.ToArray(), b.RowIds.ToArray());
        Assert.IsTrue(equal(a.GetTensor("Image"), b.GetTensor("Image")));
        Assert.IsTrue(equal(a.GetTensor("Label"), b.GetTensor("Label")));
        var file = IdxFile.Read(dir.File("t10k-labels-idx1-ubyte"));
        Assert.AreEqual(1L, file.RecordSize);
        using var all = file.ToTensor();
        CollectionAssert.AreEqual(new long[] { 10000 }, all.shape);
        using var idx = tensor(a.RowIds.ToArray());
        using var picked = all.index_select(0, idx).to(ScalarType.Int64);
        Assert.IsTrue(equal(picked, a.GetTensor("Label")));
    }

    [TestMethod]
    public void WrongMagicTruncationAndMismatchedCountsAreErrorsNamingTheFile()
    {
        using var dir = new TempDir();
        var bad = dir.File("bad-images");
        File.WriteAllBytes(bad, new byte[] { 0x12, 0x34, 0x08, 0x03, 0, 0, 0, 0 });
        var e = Assert.ThrowsExactly<InvalidDataException>(() => IdxLoader.Load(bad));
        StringAssert.Contains(e.Message, bad);
        StringAssert.Contains(e.Message, "magic");

        var floats = dir.File("floats");
        File.WriteAllBytes(floats, new byte[] { 0, 0, 0x0D, 0x01, 0, 0, 0, 0 });
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => IdxFile.Read(floats)).Message, "0x0d");

        var images = dir.File("images");
        File.WriteAllBytes(images, new byte[] { 0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2, 1, 2, 3 }); // 2x1x2 needs 4 bytes
        var t = Assert.ThrowsExactly<InvalidDataException>(() => IdxLoader.Load(images));
        StringAssert.Contains(t.Message, images);
        StringAssert.Contains(t.Message, "holds 3");

        File.WriteAllBytes(images, new byte[] { 0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2, 1, 2, 3, 4 });
        var labels = dir.File("labels");
        File.WriteAllBytes(labels, new byte[] { 0, 0, 8, 1, 0, 0, 0, 3, 0, 1, 2 });
        var m = Assert.ThrowsExactly<InvalidDataException>(() => IdxLoader.Load(images, labels));
        StringAssert.Contains(m.Message, "3 labels");
        StringAssert.Contains(m.Message, "2 images");
        Assert.ThrowsExactly<FileNotFoundException>(() => IdxLoader.LoadMnist(dir.Path));

        File.WriteAllBytes(labels, new byte[] { 0, 0, 8, 1, 0, 0, 0, 2, 0, 3 });
        var k = Assert.ThrowsExactly<InvalidDataException>(() => IdxLoader.Load(images, labels, new IdxLoaderOptions { ClassNames = new[] { "a", "b" } }));
        StringAssert.Contains(k.Message, "label 3");
        var ok = IdxLoader.Load(images, labels);
        using var batch = ok.GetBatches(2).Single();
        CollectionAssert.AreEqual(new byte[] { 1, 2, 3, 4 }, batch.GetTensor("Image").ToArray<byte>());
        CollectionAssert.AreEqual(new long[] { 2, 1, 1, 2 }, batch.GetTensor("Image").shape);
    }
}
