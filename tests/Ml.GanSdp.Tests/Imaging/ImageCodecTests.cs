using Ml.GanSdp.Imaging;
using Ml.GanSdp.Serialization;
using Ml.GanSdp.Tests.TestSupport;
using static Ml.GanSdp.torch;

namespace Ml.GanSdp.Tests.Imaging;

[TestClass]
public class ImageCodecTests
{
    private static Tensor RandomImage(int h, int w, int c, long seed)
    {
        using var g = new Generator(seed);
        return randint(0, 256, new long[] { h, w, c }, ScalarType.Byte, null, g);
    }

    /// <summary>A smooth RGB image (gradients), the kind lossy codecs keep close.</summary>
    private static Tensor SmoothImage(int h, int w)
    {
        var data = new byte[h * w * 3];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int i = (y * w + x) * 3;
                data[i] = (byte)(x * 255 / (w - 1));
                data[i + 1] = (byte)(y * 255 / (h - 1));
                data[i + 2] = (byte)((x + y) * 255 / (w + h - 2));
            }
        return tensor(data, new long[] { h, w, 3 });
    }

    [TestMethod]
    [DataRow(ImageFormat.Png, 3)]
    [DataRow(ImageFormat.Png, 1)]
    [DataRow(ImageFormat.Bmp, 3)]
    [DataRow(ImageFormat.Bmp, 1)]
    public void LosslessFormatsRoundTripExactly(ImageFormat format, int channels)
    {
        using var img = RandomImage(13, 17, channels, 42 + channels);
        var bytes = ImageCodec.Encode(img, format);
        using var back = ImageCodec.Decode(bytes, grayscale: channels == 1);
        CollectionAssert.AreEqual(new long[] { 13, 17, channels }, back.shape);
        Assert.IsTrue(equal(img, back), $"{format} with {channels} channel(s) did not round-trip exactly");
    }

    [TestMethod]
    public void LosslessWebPRoundTripsExactly()
    {
        using var img = RandomImage(16, 12, 3, 5);
        using var back = ImageCodec.Decode(ImageCodec.Encode(img, ImageFormat.WebP, new ImageEncodeOptions { Lossless = true }));
        Assert.IsTrue(equal(img, back));
    }

    [TestMethod]
    [DataRow(ImageFormat.Jpeg, 2.0)]
    [DataRow(ImageFormat.WebP, 3.0)]
    public void LossyFormatsRoundTripClose(ImageFormat format, double maxMeanError)
    {
        using var img = SmoothImage(32, 48);
        var bytes = ImageCodec.Encode(img, format, new ImageEncodeOptions { Quality = 95 });
        using var back = ImageCodec.Decode(bytes);
        CollectionAssert.AreEqual(img.shape, back.shape);
        using var diff = (img.to(ScalarType.Float64) - back.to(ScalarType.Float64)).abs();
        double mean = diff.mean().item<double>();
        Assert.IsTrue(mean < maxMeanError, $"{format}: mean absolute error {mean}");
        Assert.IsTrue(mean > 0 || format == ImageFormat.WebP, "a lossy codec at quality 95 is expected to change some pixel");
    }

    [TestMethod]
    public void GrayImageDecodedAsRgbRepeatsTheChannel()
    {
        using var gray = RandomImage(5, 6, 1, 9);
        using var rgb = ImageCodec.Decode(ImageCodec.Encode(gray, ImageFormat.Png));
        CollectionAssert.AreEqual(new long[] { 5, 6, 3 }, rgb.shape);
        for (int c = 0; c < 3; c++)
        {
            using var plane = rgb.narrow(2, c, 1);
            Assert.IsTrue(equal(gray, plane.contiguous()));
        }
    }

    [TestMethod]
    public void DecodingAgreesWithPillowOnFilesWeWrite()
    {
        using var dir = new TempDir();
        using var img = RandomImage(9, 11, 3, 77);
        using var smooth = SmoothImage(24, 24);
        ImageCodec.Save(dir.File("a.png"), img);
        ImageCodec.Save(dir.File("a.bmp"), img);
        ImageCodec.Save(dir.File("s.jpg"), smooth);
        ImageCodec.Save(dir.File("s.webp"), smooth);
        ImageCodec.Save(dir.File("l.webp"), img, options: new ImageEncodeOptions { Lossless = true });
        Python.Exec("""
import data_oracle, numpy as np
d = sys.argv[1]
for name in ['a.png', 'a.bmp', 's.jpg', 's.webp', 'l.webp']:
    np.save(d + '/' + name + '.npy', data_oracle.pil_decode(d + '/' + name))
""", dir.Path);
        foreach (var (name, tol) in new[] { ("a.png", 0), ("a.bmp", 0), ("l.webp", 0), ("s.jpg", 1), ("s.webp", 1) })
        {
            using var ours = ImageCodec.Decode(dir.File(name));
            using var pil = Npy.Load(dir.File(name + ".npy"));
            TensorAssert.Close(pil, ours, 0, tol, name);
        }
        using var original = Npy.Load(dir.File("a.png.npy"));
        Assert.IsTrue(equal(img, original), "Pillow must read our PNG as the pixels we wrote");
    }

    [TestMethod]
    public void DecodesFilesWrittenByPillowLikePillow()
    {
        using var dir = new TempDir();
        Python.Exec("""
import numpy as np, data_oracle
from PIL import Image
d = sys.argv[1]
rng = np.random.default_rng(3)
a = rng.integers(0, 256, (10, 14, 3), dtype=np.uint8)
Image.fromarray(a).save(d + '/rgb.png')
Image.fromarray(a[:, :, 0]).save(d + '/gray.png')
Image.fromarray(np.dstack([a, a[:, :, :1]])).save(d + '/rgba.png')
Image.fromarray(a).convert('P', palette=Image.ADAPTIVE, colors=16).save(d + '/palette.png')
Image.fromarray(a).save(d + '/rgb.bmp')
Image.fromarray(a).save(d + '/rgb.tiff')
Image.fromarray(a).save(d + '/rgb.ppm')
for name in ['rgb.png', 'gray.png', 'rgba.png', 'palette.png', 'rgb.bmp', 'rgb.tiff', 'rgb.ppm']:
    np.save(d + '/' + name + '.npy', data_oracle.pil_decode(d + '/' + name))
np.save(d + '/gray.png.L.npy', data_oracle.pil_decode(d + '/gray.png', 'L'))
""", dir.Path);
        // TIFF and PPM are not in SupportedExtensions but OpenCV detects them by content.
        foreach (var name in new[] { "rgb.png", "gray.png", "rgba.png", "palette.png", "rgb.bmp", "rgb.tiff", "rgb.ppm" })
        {
            using var ours = ImageCodec.Decode(dir.File(name));
            using var pil = Npy.Load(dir.File(name + ".npy"));
            TensorAssert.Close(pil, ours, 0, 0, name);
        }
        using var g = ImageCodec.Decode(dir.File("gray.png"), grayscale: true);
        using var gPil = Npy.Load(dir.File("gray.png.L.npy"));
        TensorAssert.Close(gPil, g, 0, 0, "gray.png as grayscale");
    }

    [TestMethod]
    public void CorruptFileIsAnErrorNamingTheFile()
    {
        using var dir = new TempDir();
        var path = dir.File("broken.png");
        File.WriteAllBytes(path, new byte[] { 0x89, 0x50, 0x4E, 0x47, 1, 2, 3, 4, 5, 6 });
        var e = Assert.ThrowsExactly<InvalidImageException>(() => ImageCodec.Decode(path));
        StringAssert.Contains(e.Message, path);
        Assert.AreEqual(path, e.FilePath);
    }

    [TestMethod]
    public void TruncatedPngIsAnErrorNamingTheFile()
    {
        using var dir = new TempDir();
        using var img = RandomImage(20, 20, 3, 1);
        var bytes = ImageCodec.Encode(img, ImageFormat.Png);
        var path = dir.File("cut.png");
        File.WriteAllBytes(path, bytes.AsSpan(0, 40).ToArray());
        var e = Assert.ThrowsExactly<InvalidImageException>(() => ImageCodec.Decode(path));
        StringAssert.Contains(e.Message, "cut.png");
    }

    [TestMethod]
    public void MissingAndEmptyFilesAreErrorsNamingTheFile()
    {
        using var dir = new TempDir();
        var missing = dir.File("nope.jpg");
        var e = Assert.ThrowsExactly<InvalidImageException>(() => ImageCodec.Decode(missing));
        StringAssert.Contains(e.Message, missing);
        StringAssert.Contains(e.Message, "does not exist");
        var empty = dir.File("empty.png");
        File.WriteAllBytes(empty, Array.Empty<byte>());
        var e2 = Assert.ThrowsExactly<InvalidImageException>(() => ImageCodec.Decode(empty));
        StringAssert.Contains(e2.Message, empty);
    }

    [TestMethod]
    public void SaveIsAtomicAndPicksTheFormatFromTheExtension()
    {
        using var dir = new TempDir();
        using var img = RandomImage(4, 4, 3, 2);
        ImageCodec.Save(dir.File("x.bmp"), img);
        ImageCodec.Save(dir.File("x.PNG"), img);
        var bmp = File.ReadAllBytes(dir.File("x.bmp"));
        Assert.AreEqual((byte)'B', bmp[0]);
        Assert.AreEqual((byte)'M', bmp[1]);
        Assert.AreEqual(0x89, File.ReadAllBytes(dir.File("x.PNG"))[0]);
        CollectionAssert.AreEquivalent(new[] { "x.bmp", "x.PNG" }, Directory.GetFiles(dir.Path).Select(Path.GetFileName).ToArray());
        var e = Assert.ThrowsExactly<ArgumentException>(() => ImageCodec.Save(dir.File("x.gif"), img));
        StringAssert.Contains(e.Message, "x.gif");
    }

    [TestMethod]
    public void EncodingAFloatOrChwTensorIsAClearError()
    {
        using var f = zeros(4, 4, 3);
        var e = Assert.ThrowsExactly<ArgumentException>(() => ImageCodec.Encode(f, ImageFormat.Png));
        StringAssert.Contains(e.Message, "Float32");
        using var chw = zeros(new long[] { 3, 4, 5 }, ScalarType.Byte);
        var e2 = Assert.ThrowsExactly<ArgumentException>(() => ImageCodec.Encode(chw, ImageFormat.Png));
        StringAssert.Contains(e2.Message, "[3, 4, 5]");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ImageCodec.Encode(RandomImage(2, 2, 3, 1), ImageFormat.Jpeg, new ImageEncodeOptions { Quality = 0 }));
    }
}
