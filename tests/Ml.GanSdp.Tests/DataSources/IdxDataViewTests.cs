using System.Buffers.Binary;
using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.GanSdp.Tests.TestSupport;
using static Ml.GanSdp.Tests.DataSources.DataSourceTestFiles;

namespace Ml.GanSdp.Tests.DataSources;

[TestClass]
public sealed class IdxDataViewTests
{
    private static readonly MLContext Ml = new(seed: 1);
    private static string FashionTrainImages => Path.Combine(DataSourceCatalog.FashionMnistDirectory, "train-images-idx3-ubyte.gz");
    private static string FashionTrainLabels => Path.Combine(DataSourceCatalog.FashionMnistDirectory, "train-labels-idx1-ubyte.gz");

    /// <summary>3 images of 2 x 3 with pixels 10 * image + position, labels 2, 0, 1.</summary>
    private static (byte[] Images, byte[] Labels) Small()
    {
        var pixels = Enumerable.Range(0, 18).Select(i => (byte)(10 * (i / 6) + i % 6)).ToArray();
        return (Idx(new[] { 3, 2, 3 }, pixels), Idx(new[] { 3 }, new byte[] { 2, 0, 1 }));
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void KnownBytes_GiveKnownPixelsAndOneBasedKeys(bool gzip)
    {
        using var dir = new TempDir();
        var (images, labels) = Small();
        File.WriteAllBytes(dir.File("i"), gzip ? Gzip(images) : images);
        File.WriteAllBytes(dir.File("l"), gzip ? Gzip(labels) : labels);
        var view = Ml.Data.LoadIdx(dir.File("i"), dir.File("l"), new[] { "a", "b", "c" });

        var pixels = Vectors(view, "Image");
        Assert.AreEqual(3, pixels.Count);
        for (int k = 0; k < 3; k++)
            CollectionAssert.AreEqual(Enumerable.Range(0, 6).Select(i => (float)(10 * k + i)).ToArray(), pixels[k]);
        CollectionAssert.AreEqual(new uint[] { 3, 1, 2 }, Keys(view, "Label"));
        Assert.AreEqual(3L, view.GetRowCount());
    }

    [TestMethod]
    public void Schema_PixelVectorWithChwDimensions_KeyWithClassNames_NamesOverridable()
    {
        using var dir = new TempDir();
        var (images, labels) = Small();
        File.WriteAllBytes(dir.File("i"), images);
        File.WriteAllBytes(dir.File("l"), labels);
        var view = Ml.Data.LoadIdx(dir.File("i"), dir.File("l"), new IdxSourceOptions { ImageColumnName = "Pixels", LabelColumnName = "Class", ClassNames = new[] { "a", "b", "c" } });

        Assert.AreEqual(2, view.Schema.Count);
        var pixels = (VectorDataViewType)view.Schema["Pixels"].Type;
        Assert.AreEqual(NumberDataViewType.Single, pixels.ItemType);
        CollectionAssert.AreEqual(new[] { 1, 2, 3 }, pixels.Dimensions.ToArray());
        Assert.AreEqual(6, pixels.Size);
        var key = (KeyDataViewType)view.Schema["Class"].Type;
        Assert.AreEqual(typeof(uint), key.RawType);
        Assert.AreEqual(3UL, key.Count);
        CollectionAssert.AreEqual(new[] { "a", "b", "c" }, KeyNames(view.Schema["Class"]));
        Assert.AreEqual(new ImageShape(1, 2, 3), ImageShape.FromVectorType(pixels, "Pixels"));
    }

    [TestMethod]
    public void WithoutLabelFile_HasOnlyTheImageColumn()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("i"), Small().Images);
        var view = Ml.Data.LoadIdx(dir.File("i"));
        Assert.AreEqual(1, view.Schema.Count);
        Assert.AreEqual(3, Vectors(view, "Image").Count);
    }

    [TestMethod]
    public void ClassNames_WhenNotGiven_AreDigitsUpToTheLargestLabel_AtLeastTen()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("i"), Idx(new[] { 2, 1, 1 }, new byte[] { 0, 0 }));
        File.WriteAllBytes(dir.File("small"), Idx(new[] { 2 }, new byte[] { 3, 1 }));
        File.WriteAllBytes(dir.File("large"), Gzip(Idx(new[] { 2 }, new byte[] { 12, 1 })));
        CollectionAssert.AreEqual(KnownClassNames.Mnist.ToArray(), KeyNames(Ml.Data.LoadIdx(dir.File("i"), dir.File("small")).Schema["Label"]));
        var large = Ml.Data.LoadIdx(dir.File("i"), dir.File("large"));
        Assert.AreEqual(13UL, ((KeyDataViewType)large.Schema["Label"].Type).Count);
        Assert.AreEqual("12", KeyNames(large.Schema["Label"])[12]);
        CollectionAssert.AreEqual(new uint[] { 13, 2 }, Keys(large, "Label"));
    }

    [TestMethod]
    public void FashionMnist_RealFiles_RowCountsNamesAndFirstRowsMatchNumpy()
    {
        var train = Ml.Data.LoadFashionMnist();
        var test = Ml.Data.LoadFashionMnist(train: false);
        Assert.AreEqual(60000L, train.GetRowCount());
        Assert.AreEqual(10000L, test.GetRowCount());
        CollectionAssert.AreEqual(KnownClassNames.FashionMnist.ToArray(), KeyNames(train.Schema["Label"]));
        CollectionAssert.AreEqual(new[] { 1, 28, 28 }, ((VectorDataViewType)train.Schema["Image"].Type).Dimensions.ToArray());

        const int n = 5;
        var oracle = Oracle("idx", FashionTrainImages, FashionTrainLabels, n.ToString());
        CollectionAssert.AreEqual(new[] { 60000, 28, 28 }, oracle.GetProperty("dims").EnumerateArray().Select(e => e.GetInt32()).ToArray());
        var expectedLabels = oracle.GetProperty("labels").EnumerateArray().Select(e => (uint)e.GetInt32() + 1).ToArray();
        var expectedImages = oracle.GetProperty("images").EnumerateArray().Select(r => r.EnumerateArray().Select(v => (float)v.GetInt32()).ToArray()).ToArray();
        using var cursor = train.GetRowCursor(train.Schema);
        var image = cursor.GetGetter<VBuffer<float>>(train.Schema["Image"]);
        var label = cursor.GetGetter<uint>(train.Schema["Label"]);
        for (int k = 0; k < n; k++)
        {
            Assert.IsTrue(cursor.MoveNext());
            VBuffer<float> v = default;
            uint l = 0;
            image(ref v);
            label(ref l);
            CollectionAssert.AreEqual(expectedImages[k], v.DenseValues().ToArray(), $"image {k}");
            Assert.AreEqual(expectedLabels[k], l, $"label {k}");
        }
    }

    [TestMethod]
    public void FashionMnist_FullPassOf60000Rows_StreamsWithBoundedMemory_AndMatchesNumpyTotals()
    {
        var oracle = Oracle("idx", FashionTrainImages, FashionTrainLabels, "0");
        var view = Ml.Data.LoadFashionMnist();
        long before = GC.GetTotalMemory(forceFullCollection: true), peak = before, pixelSum = 0, rows = 0;
        var counts = new long[10];
        using (var cursor = view.GetRowCursor(view.Schema))
        {
            var image = cursor.GetGetter<VBuffer<float>>(view.Schema["Image"]);
            var label = cursor.GetGetter<uint>(view.Schema["Label"]);
            VBuffer<float> v = default;
            uint l = 0;
            while (cursor.MoveNext())
            {
                image(ref v);
                label(ref l);
                foreach (var p in v.GetValues()) pixelSum += (long)p;
                counts[l - 1]++;
                if (++rows % 5000 == 0) peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true));
            }
        }
        Assert.AreEqual(60000L, rows);
        Assert.AreEqual(oracle.GetProperty("pixel_sum").GetInt64(), pixelSum);
        CollectionAssert.AreEqual(oracle.GetProperty("label_counts").EnumerateArray().Select(e => e.GetInt64()).ToArray(), counts);
        // The decompressed images are 47 MB (188 MB as floats): a source holding them would show here.
        Assert.IsTrue(peak - before < 8L << 20, $"managed memory grew by {(peak - before) >> 20} MB while cursoring");
    }

    [TestMethod]
    public void TruncatedRawFile_FailsAtLoad_NamingFileAndSizes()
    {
        using var dir = new TempDir();
        var images = Small().Images;
        File.WriteAllBytes(dir.File("i"), images[..^4]);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => Ml.Data.LoadIdx(dir.File("i")));
        StringAssert.Contains(e.Message, dir.File("i"));
        StringAssert.Contains(e.Message, "truncated");
        StringAssert.Contains(e.Message, "[3, 2, 3]");
    }

    [TestMethod]
    public void ExtraBytesInRawFile_FailAtLoad()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("i"), Small().Images.Concat(new byte[5]).ToArray());
        var e = Assert.ThrowsExactly<InvalidDataException>(() => Ml.Data.LoadIdx(dir.File("i")));
        StringAssert.Contains(e.Message, "5 bytes beyond");
    }

    [TestMethod]
    public void TruncatedGzipFile_FailsWhenTheCursorReachesTheEnd_NamingFileAndRecord()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("i.gz"), Gzip(Small().Images[..^4]));
        var view = Ml.Data.LoadIdx(dir.File("i.gz"));
        var e = Assert.ThrowsExactly<InvalidDataException>(() => Vectors(view, "Image"));
        StringAssert.Contains(e.Message, dir.File("i.gz"));
        StringAssert.Contains(e.Message, "ends inside image 2 of the 3");
    }

    [TestMethod]
    public void WrongMagic_WrongElementType_WrongDimensionCount_AreNamed()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("magic"), new byte[] { 0x50, 0x4B, 3, 4, 0, 0, 0, 0 });
        var bad = Small().Images;
        bad[2] = 0x0D;
        File.WriteAllBytes(dir.File("float"), bad);
        File.WriteAllBytes(dir.File("labels"), Small().Labels);
        File.WriteAllBytes(dir.File("tiny"), new byte[] { 0, 0 });

        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => Ml.Data.LoadIdx(dir.File("magic"))).Message, "wrong magic number 504B0304");
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => Ml.Data.LoadIdx(dir.File("float"))).Message, "element type 0x0D (float32)");
        var ndim = Assert.ThrowsExactly<InvalidDataException>(() => Ml.Data.LoadIdx(dir.File("labels")));
        StringAssert.Contains(ndim.Message, "has 1 dimensions; 3 are expected");
        StringAssert.Contains(ndim.Message, dir.File("labels"));
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => Ml.Data.LoadIdx(dir.File("tiny"))).Message, "truncated: 2 bytes");
    }

    [TestMethod]
    public void AbsurdDimensions_AreRefusedBeforeAllocating()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("huge"), Idx(new[] { 1, 100000, 100000 }, Array.Empty<byte>()));
        File.WriteAllBytes(dir.File("negative"), Idx(new[] { 1, -5, 3 }, Array.Empty<byte>()));
        File.WriteAllBytes(dir.File("tight"), Idx(new[] { 1, 4, 4 }, new byte[16]));
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => Ml.Data.LoadIdx(dir.File("huge"))).Message, "above the limit of 67,108,864");
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => Ml.Data.LoadIdx(dir.File("negative"))).Message, "size -5 for dimension 1");
        Assert.ThrowsExactly<InvalidDataException>(() => Ml.Data.LoadIdx(dir.File("tight"), null, new IdxSourceOptions { MaxPixels = 15 }));
        Assert.AreEqual(1L, Ml.Data.LoadIdx(dir.File("tight"), null, new IdxSourceOptions { MaxPixels = 16 }).GetRowCount());
    }

    [TestMethod]
    public void GzipDeclaringMoreThanDeflateCanHold_IsRefusedAtLoad()
    {
        using var dir = new TempDir();
        var header = Idx(new[] { 60000, 28, 28 }, Array.Empty<byte>());
        File.WriteAllBytes(dir.File("liar.gz"), Gzip(header.Concat(new byte[100]).ToArray()));
        var e = Assert.ThrowsExactly<InvalidDataException>(() => Ml.Data.LoadIdx(dir.File("liar.gz")));
        StringAssert.Contains(e.Message, dir.File("liar.gz"));
        StringAssert.Contains(e.Message, "cannot expand");
    }

    [TestMethod]
    public void GzipBomb_BehindASmallHeader_IsNotExpanded_TheCursorStopsAfterTheDeclaredData()
    {
        using var dir = new TempDir();
        // Declares 2 images of 28 x 28 (1,568 bytes) but expands to 256 MB.
        WriteGzipWithZeros(dir.File("bomb.gz"), Idx(new[] { 2, 28, 28 }, Array.Empty<byte>()), 256L << 20);
        Assert.IsTrue(new FileInfo(dir.File("bomb.gz")).Length < 1 << 20);
        var view = Ml.Data.LoadIdx(dir.File("bomb.gz"));
        long before = GC.GetTotalMemory(true);
        using var cursor = view.GetRowCursor(view.Schema);
        Assert.IsTrue(cursor.MoveNext());
        Assert.IsTrue(cursor.MoveNext());
        var e = Assert.ThrowsExactly<InvalidDataException>(() => cursor.MoveNext());
        StringAssert.Contains(e.Message, "holds data beyond the 2 images");
        StringAssert.Contains(e.Message, dir.File("bomb.gz"));
        Assert.IsTrue(GC.GetTotalMemory(true) - before < 1 << 20);
    }

    [TestMethod]
    public void CorruptGzip_IsNamed()
    {
        using var dir = new TempDir();
        var gz = Gzip(Small().Images);
        for (int i = 12; i < gz.Length - 8; i++) gz[i] ^= 0x5A;
        File.WriteAllBytes(dir.File("bad.gz"), gz);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => Vectors(Ml.Data.LoadIdx(dir.File("bad.gz")), "Image"));
        StringAssert.Contains(e.Message, dir.File("bad.gz"));
    }

    [TestMethod]
    public void LabelProblems_AreNamed()
    {
        using var dir = new TempDir();
        var (images, _) = Small();
        File.WriteAllBytes(dir.File("i"), images);
        File.WriteAllBytes(dir.File("two"), Idx(new[] { 2 }, new byte[] { 0, 1 }));
        File.WriteAllBytes(dir.File("big"), Idx(new[] { 3 }, new byte[] { 0, 1, 7 }));

        var count = Assert.ThrowsExactly<InvalidDataException>(() => Ml.Data.LoadIdx(dir.File("i"), dir.File("two")));
        StringAssert.Contains(count.Message, "declares 2 labels");
        StringAssert.Contains(count.Message, dir.File("i"));
        var view = Ml.Data.LoadIdx(dir.File("i"), dir.File("big"), new[] { "a", "b", "c" });
        var beyond = Assert.ThrowsExactly<InvalidDataException>(() => Keys(view, "Label"));
        StringAssert.Contains(beyond.Message, "holds label 7 at row 2, but there are only 3 class names");
        StringAssert.Contains(beyond.Message, dir.File("big"));
        Assert.ThrowsExactly<FileNotFoundException>(() => Ml.Data.LoadIdx(dir.File("i"), dir.File("missing")));
    }

    [TestMethod]
    public void FileRewrittenAfterLoad_IsDetectedByTheNextCursor()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("i"), Small().Images);
        var view = Ml.Data.LoadIdx(dir.File("i"));
        File.WriteAllBytes(dir.File("i"), Idx(new[] { 2, 3, 3 }, new byte[18]));
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => Vectors(view, "Image")).Message, "changed since it was opened");
    }

    [TestMethod]
    public void Options_AreValidated()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("i"), Small().Images);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => Ml.Data.LoadIdx(dir.File("i"), null, new IdxSourceOptions { LabelColumnName = "Image" })).Message, "both 'Image'");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => Ml.Data.LoadIdx(dir.File("i"), null, new[] { "a", "a" })).Message, "names class 'a' twice");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => Ml.Data.LoadIdx(dir.File("i"), null, new[] { "a", " " })).Message, "ClassNames[1]");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Ml.Data.LoadIdx(dir.File("i"), null, new IdxSourceOptions { MaxPixels = 0 }));
        Assert.ThrowsExactly<DirectoryNotFoundException>(() => Ml.Data.LoadFashionMnist(dir.File("nowhere")));
        StringAssert.Contains(Assert.ThrowsExactly<FileNotFoundException>(() => Ml.Data.LoadMnist(dir.Path)).Message, "train-images-idx3-ubyte");
    }

    [TestMethod]
    public void Cursor_ChecksGetterTypesAndActiveColumns_IdsAreRowIndices_OneCursorPerSet()
    {
        using var dir = new TempDir();
        var (images, labels) = Small();
        File.WriteAllBytes(dir.File("i"), images);
        File.WriteAllBytes(dir.File("l"), labels);
        var view = Ml.Data.LoadIdx(dir.File("i"), dir.File("l"));
        Assert.IsFalse(view.CanShuffle);
        var set = view.GetRowCursorSet(new[] { view.Schema["Label"] }, 4);
        Assert.AreEqual(1, set.Length);
        using var cursor = set[0];
        Assert.IsFalse(cursor.IsColumnActive(view.Schema["Image"]));
        StringAssert.Contains(Assert.ThrowsExactly<InvalidOperationException>(() => cursor.GetGetter<VBuffer<float>>(view.Schema["Image"])).Message, "not requested");
        StringAssert.Contains(Assert.ThrowsExactly<InvalidOperationException>(() => cursor.GetGetter<int>(view.Schema["Label"])).Message, "Column 'Label' has type Key<UInt32, 0-9>");
        var label = cursor.GetGetter<uint>(view.Schema["Label"]);
        var id = cursor.GetIdGetter();
        uint l = 0;
        Assert.ThrowsExactly<InvalidOperationException>(() => label(ref l));
        var ids = new List<ulong>();
        while (cursor.MoveNext())
        {
            DataViewRowId rowId = default;
            id(ref rowId);
            ids.Add(rowId.Low);
            Assert.AreEqual((long)rowId.Low, cursor.Position);
        }
        CollectionAssert.AreEqual(new ulong[] { 0, 1, 2 }, ids);
    }

    private sealed class Row
    {
        [VectorType(1, 2, 3)]
        public float[] Image { get; set; } = Array.Empty<float>();

        [KeyType(3)]
        public uint Label { get; set; }
    }

    [TestMethod]
    public void WorksWithMlNetsOwnDataOperations_ShuffleTakeCacheAndCreateEnumerable()
    {
        using var dir = new TempDir();
        var (images, labels) = Small();
        File.WriteAllBytes(dir.File("i.gz"), Gzip(images));
        File.WriteAllBytes(dir.File("l.gz"), Gzip(labels));
        var view = Ml.Data.LoadIdx(dir.File("i.gz"), dir.File("l.gz"), new[] { "a", "b", "c" });

        var rows = Ml.Data.CreateEnumerable<Row>(view, reuseRowObject: false).ToList();
        CollectionAssert.AreEqual(new uint[] { 3, 1, 2 }, rows.Select(r => r.Label).ToArray());
        CollectionAssert.AreEqual(new float[] { 20, 21, 22, 23, 24, 25 }, rows[2].Image);
        var shuffled = Ml.Data.CreateEnumerable<Row>(Ml.Data.ShuffleRows(view, seed: 3), reuseRowObject: false).ToList();
        CollectionAssert.AreEquivalent(rows.Select(r => r.Label).ToArray(), shuffled.Select(r => r.Label).ToArray());
        foreach (var r in shuffled) CollectionAssert.AreEqual(rows.Single(x => x.Label == r.Label).Image, r.Image, "rows stay whole");
        Assert.AreEqual(2, Ml.Data.CreateEnumerable<Row>(Ml.Data.TakeRows(view, 2), reuseRowObject: false).Count());
        var cached = Ml.Transforms.Conversion.MapKeyToValue("Name", "Label").Fit(view).Transform(Ml.Data.Cache(view));
        CollectionAssert.AreEqual(new[] { "c", "a", "b" }, cached.GetColumn<ReadOnlyMemory<char>>("Name").Select(m => m.ToString()).ToArray());
    }
}
