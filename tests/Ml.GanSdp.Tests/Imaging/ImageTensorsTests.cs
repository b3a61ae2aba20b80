using Ml.GanSdp.Imaging;
using Ml.GanSdp.Serialization;
using Ml.GanSdp.Tests.TestSupport;
using static Ml.GanSdp.torch;

namespace Ml.GanSdp.Tests.Imaging;

[TestClass]
public class ImageTensorsTests
{
    [TestMethod]
    public void HwcBytesToChwFloatFollowsTorchvisionFormulas()
    {
        var data = new byte[] { 0, 127, 128, 255, 1, 254 };
        using var hwc = tensor(data, new long[] { 1, 2, 3 });
        using var unit = ImageTensors.ToChwFloat(hwc, PixelRange.ZeroToOne);
        using var sym = ImageTensors.ToChwFloat(hwc, PixelRange.MinusOneToOne);
        CollectionAssert.AreEqual(new long[] { 3, 1, 2 }, unit.shape);
        Assert.AreEqual(ScalarType.Float32, sym.dtype);
        // CHW order: channel c of pixel x is hwc[0, x, c].
        var expectedUnit = new[] { 0, 255, 127, 1, 128, 254 }.Select(v => (double)(float)((float)v / 255f)).ToArray();
        var expectedSym = new[] { 0, 255, 127, 1, 128, 254 }.Select(v => (double)(((float)v / 255f - 0.5f) / 0.5f)).ToArray();
        TensorAssert.Close(expectedUnit, unit.to(ScalarType.Float64).ToArray<double>(), 0, 0, "[0,1]");
        TensorAssert.Close(expectedSym, sym.to(ScalarType.Float64).ToArray<double>(), 0, 0, "[-1,1]");
    }

    [TestMethod]
    [DataRow(PixelRange.ZeroToOne)]
    [DataRow(PixelRange.MinusOneToOne)]
    public void BytesSurviveFloatRoundTripExactly(PixelRange range)
    {
        using var all = arange(0, 256, 1, ScalarType.Int64);
        using var b = all.to(ScalarType.Byte).reshape(4, 8, 8).permute(1, 2, 0).contiguous(); // 8 x 8 x 4 -> use 2 batches of HWC
        using var hwc = b.narrow(2, 0, 3).contiguous();
        using var f = ImageTensors.ToChwFloat(hwc, range);
        using var back = ImageTensors.ToHwcBytes(f, range);
        Assert.IsTrue(equal(hwc, back));
    }

    [TestMethod]
    public void ToHwcBytesClampsOutOfRangeValuesAndHandlesBatches()
    {
        using var x = tensor(new float[] { -3f, -1f, 0f, 1f, 5f, 0.5f }, new long[] { 1, 1, 2, 3 });
        using var b = ImageTensors.ToHwcBytes(x, PixelRange.MinusOneToOne);
        CollectionAssert.AreEqual(new long[] { 1, 2, 3, 1 }, b.shape);
        CollectionAssert.AreEqual(new byte[] { 0, 0, 128, 255, 255, 191 }, b.ToArray<byte>());
        using var wrong = zeros(new long[] { 2, 2 }, ScalarType.Byte);
        var e = Assert.ThrowsExactly<ArgumentException>(() => ImageTensors.ToChwFloat(wrong));
        StringAssert.Contains(e.Message, "[2, 2]");
    }

    [TestMethod]
    public void GridMatchesTorchvisionMakeGridAndSavesAPng()
    {
        using var dir = new TempDir();
        manual_seed(3);
        using var raw = randn(5, 3, 6, 7);
        using var images = raw.mul(0.7);
        Npy.Save(dir.File("x.npy"), images);
        var options = new ImageGridOptions { Columns = 3, Padding = 2, PadValue = 1.0 };
        using var grid = ImageGrid.Make(images, options);
        Python.Exec("""
import oracle, data_oracle, numpy as np
x = oracle.load(sys.argv[1] + '/x.npy')
np.save(sys.argv[1] + '/g.npy', data_oracle.make_grid_uint8(x, nrow=3, padding=2, pad_value=1.0).numpy())
""", dir.Path);
        using var expected = Npy.Load(dir.File("g.npy"));
        CollectionAssert.AreEqual(new long[] { 2 * 8 + 2, 3 * 9 + 2, 3 }, grid.shape);
        TensorAssert.Close(expected, grid, 0, 0, "grid");

        ImageGrid.Save(dir.File("grid.png"), images, options);
        using var read = ImageCodec.Decode(dir.File("grid.png"));
        Assert.IsTrue(equal(grid, read));
    }

    [TestMethod]
    public void GridOfGrayImagesAndInvalidInputs()
    {
        using var images = zeros(2, 1, 4, 4);
        using var grid = ImageGrid.Make(images, new ImageGridOptions { Padding = 0 });
        CollectionAssert.AreEqual(new long[] { 4, 8, 1 }, grid.shape);
        Assert.IsTrue(grid.ToArray<byte>().All(v => v == 128));
        using var bad = zeros(2, 4, 4);
        Assert.ThrowsExactly<ArgumentException>(() => ImageGrid.Make(bad));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ImageGrid.Make(images, new ImageGridOptions { Columns = 0 }));
    }
}
