using Ml.GanSdp.Data;
using Ml.GanSdp.Imaging;
using Ml.GanSdp.Serialization;
using Ml.GanSdp.Tests.TestSupport;
using static Ml.GanSdp.torch;

namespace Ml.GanSdp.Tests.Imaging;

[TestClass]
public class NormalizePixelsTransformTests
{
    [TestMethod]
    public void MatchesToTensorAndNormalizeInTorch()
    {
        using var dir = new TempDir();
        using var all = arange(0, 256, 1, ScalarType.Int64);
        using var bytes = all.to(ScalarType.Byte);
        using var images = bytes.reshape(4, 1, 8, 8);
        Npy.Save(dir.File("x.npy"), images);
        Python.Exec("""
import oracle, torch
x = oracle.load(sys.argv[1] + '/x.npy')
u = x.float().div(255)
oracle.save(sys.argv[1] + '/unit.npy', u)
oracle.save(sys.argv[1] + '/sym.npy', (u - 0.5) / 0.5)
""", dir.Path);
        using var view = new InMemoryDataViewBuilder().AddImages("Image", images).Build();
        foreach (var (range, file) in new[] { (PixelRange.ZeroToOne, "unit.npy"), (PixelRange.MinusOneToOne, "sym.npy") })
        {
            var norm = new NormalizePixelsTransform(view, new NormalizePixelsOptions { Range = range });
            Assert.AreEqual(new ImageDataViewType(1, 8, 8, ScalarType.Float32, range), norm.Schema["Image"].Type);
            using var batch = norm.GetBatches(4).Single();
            using var expected = Npy.Load(dir.File(file));
            TensorAssert.Close(expected, batch.GetTensor("Image"), 0, 0, range.ToString());
        }
    }

    [TestMethod]
    public void AnAlreadyNormalizedColumnIsRejected()
    {
        using var images = zeros(new long[] { 2, 3, 4, 4 }, ScalarType.Byte);
        using var view = new InMemoryDataViewBuilder().AddImages("Image", images).Build();
        var once = new NormalizePixelsTransform(view, new NormalizePixelsOptions());
        var e = Assert.ThrowsExactly<SchemaException>(() => new NormalizePixelsTransform(once, new NormalizePixelsOptions()));
        StringAssert.Contains(e.Message, "Column 'Image' has type Image<Float32 MinusOneToOne, 3x4x4>");
        StringAssert.Contains(e.Message, "Byte image");
    }

    [TestMethod]
    public void FolderResizeGrayNormalizeChainStreamsTrainingBatches()
    {
        using var dir = new TempDir();
        using var g = new Generator(8);
        foreach (var (cls, k) in new[] { ("cat", 0), ("cat", 1), ("dog", 2) })
        {
            Directory.CreateDirectory(dir.File(cls));
            using var img = randint(0, 256, new long[] { 10 + k, 12, 3 }, ScalarType.Byte, null, g);
            ImageCodec.Save(dir.File($"{cls}/{k}.png"), img);
        }
        IDataView view = ImageFolderLoader.Load(dir.Path);
        view = new ResizeImagesTransform(view, new ResizeImagesOptions { Width = 8, Height = 8 });
        view = new ConvertToGrayscaleTransform(view, new ConvertToGrayscaleOptions());
        view = new NormalizePixelsTransform(view, new NormalizePixelsOptions());
        Assert.AreEqual("3 columns: Image: Image<Float32 MinusOneToOne, 1x8x8>, Label: Key<int64, 2>, ImagePath: Text", view.Schema.ToString());
        Assert.AreEqual(3L, view.GetRowCount());
        var batches = view.GetBatches(2).ToList();
        try
        {
            CollectionAssert.AreEqual(new[] { 2, 1 }, batches.Select(b => b.Count).ToArray());
            CollectionAssert.AreEqual(new long[] { 2, 1, 8, 8 }, batches[0].GetTensor("Image").shape);
            CollectionAssert.AreEqual(new long[] { 0, 0 }, batches[0].GetTensor("Label").ToArray<long>());
            CollectionAssert.AreEqual(new long[] { 1 }, batches[1].GetTensor("Label").ToArray<long>());
            using var max = batches[0].GetTensor("Image").abs().max();
            Assert.IsTrue(max.item<float>() <= 1f);
        }
        finally
        {
            foreach (var b in batches) b.Dispose();
        }
    }
}
