using Ml.GanSdp.Data;
using Ml.GanSdp.Imaging;
using Ml.GanSdp.Serialization;
using Ml.GanSdp.Tests.TestSupport;
using static Ml.GanSdp.torch;

namespace Ml.GanSdp.Tests.Imaging;

[TestClass]
public class ResizeImagesTransformTests
{
    [TestMethod]
    public void Uint8AndFloatResizeMatchTorchInterpolate()
    {
        using var dir = new TempDir();
        using var g = new Generator(11);
        using var images = randint(0, 256, new long[] { 4, 3, 10, 13 }, ScalarType.Byte, null, g);
        using var floats = rand(new long[] { 2, 1, 9, 9 }, ScalarType.Float32, null, g);
        Npy.Save(dir.File("u8.npy"), images);
        Npy.Save(dir.File("f.npy"), floats);
        Python.Exec("""
import oracle, torch
import torch.nn.functional as F
d = sys.argv[1]
x = oracle.load(d + '/u8.npy'); f = oracle.load(d + '/f.npy')
for (h, w) in [(5, 7), (16, 20)]:
    y = F.interpolate(x.float(), size=(h, w), mode='bilinear', align_corners=False).round().clamp(0, 255).to(torch.uint8)
    oracle.save(d + f'/u8_{h}x{w}.npy', y)
oracle.save(d + '/f_4x6.npy', F.interpolate(f, size=(4, 6), mode='bilinear', align_corners=False))
oracle.save(d + '/n_5x7.npy', F.interpolate(x.float(), size=(5, 7), mode='nearest').to(torch.uint8))
""", dir.Path);
        using var view = new InMemoryDataViewBuilder().AddImages("Image", images).Build();
        foreach (var (h, w) in new[] { (5, 7), (16, 20) })
        {
            var resize = new ResizeImagesTransform(view, new ResizeImagesOptions { Width = w, Height = h });
            Assert.AreEqual(new ImageDataViewType(3, h, w), resize.Schema["Image"].Type);
            using var batch = resize.GetBatches(4).Single();
            using var expected = Npy.Load(dir.File($"u8_{h}x{w}.npy"));
            TensorAssert.Close(expected, batch.GetTensor("Image"), 0, 0, $"uint8 {h}x{w}");
        }
        using var f46 = ResizeImagesTransform.Resize(floats, 6, 4);
        using var ef = Npy.Load(dir.File("f_4x6.npy"));
        TensorAssert.Close(ef, f46, 1e-6, 1e-6, "float 4x6");
        using var nearest = ResizeImagesTransform.Resize(images, 7, 5, ResizeMode.Nearest);
        using var en = Npy.Load(dir.File("n_5x7.npy"));
        TensorAssert.Close(en, nearest, 0, 0, "nearest");
    }

    [TestMethod]
    public void ImagesOfVaryingSizeBecomeOneStackedColumn()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("a"));
        using var g = new Generator(2);
        using var big = randint(0, 256, new long[] { 12, 9, 3 }, ScalarType.Byte, null, g);
        using var small = randint(0, 256, new long[] { 4, 5, 3 }, ScalarType.Byte, null, g);
        ImageCodec.Save(dir.File("a/big.png"), big);
        ImageCodec.Save(dir.File("a/small.png"), small);
        var folder = ImageFolderLoader.Load(dir.Path);
        var resize = new ResizeImagesTransform(folder, new ResizeImagesOptions { InputColumnName = "Image", OutputColumnName = "Resized", Width = 6, Height = 8 });
        using var batch = resize.GetBatches(2).Single();
        var resized = batch.GetTensor("Resized");
        CollectionAssert.AreEqual(new long[] { 2, 3, 8, 6 }, resized.shape);
        Assert.ThrowsExactly<InvalidOperationException>(() => batch.GetTensor("Image"), "the source rows differ in size");
        foreach (var (t, i) in new[] { (big, 0), (small, 1) })
        {
            using var chw = t.permute(2, 0, 1).unsqueeze(0);
            using var expected = ResizeImagesTransform.Resize(chw, 6, 8);
            using var row = resized.narrow(0, i, 1);
            Assert.IsTrue(equal(expected, row.contiguous()), $"row {i}");
        }
    }

    [TestMethod]
    public void AWrongOrMissingColumnIsAClearErrorListingTheSchema()
    {
        using var labels = tensor(new long[] { 0, 1 });
        using var view = new InMemoryDataViewBuilder().AddKey("Label", labels, new[] { "a", "b" }).AddText("Path", new[] { "x", "y" }).Build();
        var e = Assert.ThrowsExactly<SchemaException>(() => new ResizeImagesTransform(view, new ResizeImagesOptions { OutputColumnName = "Label", Width = 2, Height = 2 }));
        Assert.AreEqual("Label", e.ColumnName);
        StringAssert.Contains(e.Message, "Key<int64, 2>");
        StringAssert.Contains(e.Message, "Path: Text");
        var missing = Assert.ThrowsExactly<SchemaException>(() => new ResizeImagesTransform(view, new ResizeImagesOptions { Width = 2, Height = 2 }));
        StringAssert.Contains(missing.Message, "'Image'");
        StringAssert.Contains(missing.Message, "Label: Key<int64, 2>");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new ResizeImagesTransform(view, new ResizeImagesOptions { OutputColumnName = "Label", Width = 0, Height = 2 }));
    }
}
