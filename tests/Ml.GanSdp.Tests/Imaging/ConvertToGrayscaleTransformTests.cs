using Ml.GanSdp.Data;
using Ml.GanSdp.Imaging;
using Ml.GanSdp.Serialization;
using Ml.GanSdp.Tests.TestSupport;
using static Ml.GanSdp.torch;

namespace Ml.GanSdp.Tests.Imaging;

[TestClass]
public class ConvertToGrayscaleTransformTests
{
    [TestMethod]
    public void Uint8GrayMatchesTheBt601FormulaInNumpy()
    {
        using var dir = new TempDir();
        using var g = new Generator(4);
        using var images = randint(0, 256, new long[] { 3, 3, 8, 5 }, ScalarType.Byte, null, g);
        Npy.Save(dir.File("x.npy"), images);
        Python.Exec("""
import numpy as np
x = np.load(sys.argv[1] + '/x.npy').astype(np.float64)
y = 0.299 * x[:, 0:1] + 0.587 * x[:, 1:2] + 0.114 * x[:, 2:3]
np.save(sys.argv[1] + '/y.npy', np.clip(np.round(y), 0, 255).astype(np.uint8))
""", dir.Path);
        using var view = new InMemoryDataViewBuilder().AddImages("Image", images).Build();
        var gray = new ConvertToGrayscaleTransform(view, new ConvertToGrayscaleOptions { OutputColumnName = "Gray", InputColumnName = "Image" });
        Assert.AreEqual(new ImageDataViewType(1, 8, 5), gray.Schema["Gray"].Type);
        Assert.AreEqual(new ImageDataViewType(3, 8, 5), gray.Schema["Image"].Type);
        using var batch = gray.GetBatches(3).Single();
        using var expected = Npy.Load(dir.File("y.npy"));
        TensorAssert.Close(expected, batch.GetTensor("Gray"), 0, 0, "gray");
    }

    [TestMethod]
    public void KnownPixelsAndFloatImages()
    {
        using var rgb = tensor(new byte[] { 255, 0, 0, 0, 255, 0, 0, 0, 255 }, new long[] { 1, 3, 1, 3 }); // pixel k = pure channel k
        using var y = ConvertToGrayscaleTransform.ToGray(rgb);
        CollectionAssert.AreEqual(new byte[] { 76, 150, 29 }, y.ToArray<byte>()); // 76.245, 149.685, 29.07
        using var f = tensor(new float[] { 1f, 0f, 0.5f }, new long[] { 1, 3, 1, 1 });
        using var yf = ConvertToGrayscaleTransform.ToGray(f);
        Assert.AreEqual(0.299 + 0.057, yf.item<float>(), 1e-6);
        using var one = zeros(new long[] { 1, 1, 2, 2 }, ScalarType.Byte);
        using var same = ConvertToGrayscaleTransform.ToGray(one);
        Assert.IsTrue(equal(one, same));
    }

    [TestMethod]
    public void ANonImageColumnIsRejectedAtConstruction()
    {
        using var x = zeros(2, 4);
        using var view = new InMemoryDataViewBuilder().AddTensor("Features", x).Build();
        var e = Assert.ThrowsExactly<SchemaException>(() => new ConvertToGrayscaleTransform(view, new ConvertToGrayscaleOptions { OutputColumnName = "Features" }));
        StringAssert.Contains(e.Message, "Column 'Features' has type Tensor<Float32, 4>");
        StringAssert.Contains(e.Message, "1 column: Features");
    }
}
