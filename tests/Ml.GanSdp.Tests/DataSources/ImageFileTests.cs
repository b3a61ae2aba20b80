using Ml.GanSdp.Tests.TestSupport;
using static Ml.GanSdp.Tests.DataSources.DataSourceTestFiles;

namespace Ml.GanSdp.Tests.DataSources;

[TestClass]
public sealed class ImageFileTests
{
    private static ImagePixels Random(ImageShape shape, int seed) => new(shape, RandomBytes((int)shape.Size, seed).Select(b => (float)b).ToArray());

    [TestMethod]
    [DataRow("rgb.png")]
    [DataRow("rgba.png")]
    [DataRow("palette.png")]
    [DataRow("gray.png")]
    [DataRow("img.bmp")]
    public void Read_FilesWrittenByPillow_EqualPillowsDecode_RgbAndLuma(string name)
    {
        using var dir = new TempDir();
        Oracle("make", dir.Path);
        var path = dir.File(name);
        foreach (var (mode, pil) in new[] { (ImageColorMode.Rgb, "RGB"), (ImageColorMode.Grayscale, "L") })
        {
            var expected = Oracle("decode", path, pil);
            var image = ImageFile.Read(path, mode);
            var s = Shape(expected);
            Assert.AreEqual(new ImageShape(s[0], s[1], s[2]), image.Shape, $"{name} {mode}");
            CollectionAssert.AreEqual(Values(expected), image.Values, $"{name} {mode}");
        }
    }

    [TestMethod]
    [DataRow("photo.jpg")]
    [DataRow("gray.jpg")]
    public void Read_JpegWrittenByPillow_IsWithinOneLevelOfPillowsDecode(string name)
    {
        using var dir = new TempDir();
        Oracle("make", dir.Path);
        var expected = Values(Oracle("decode", dir.File(name), "RGB"));
        var image = ImageFile.Read(dir.File(name));
        Assert.AreEqual(expected.Length, image.Values.Length);
        float worst = expected.Zip(image.Values, (a, b) => Math.Abs(a - b)).Max();
        Assert.IsTrue(worst <= 1, $"{name}: largest difference {worst} levels (two libjpeg-turbo builds may round the IDCT differently)");
    }

    [TestMethod]
    public void Write_Png_IsReadBackExactly_ByPillowAndBySkia_RgbAndGray()
    {
        using var dir = new TempDir();
        foreach (var shape in new[] { new ImageShape(3, 5, 7), new ImageShape(1, 6, 4) })
        {
            var image = Random(shape, shape.Channels);
            var path = dir.File($"c{shape.Channels}.png");
            ImageFile.Write(path, image);
            var pil = Oracle("decode", path, shape.Channels == 1 ? "L" : "RGB");
            CollectionAssert.AreEqual(image.Values, Values(pil));
            var back = ImageFile.Read(path, shape.Channels == 1 ? ImageColorMode.Grayscale : ImageColorMode.Rgb);
            Assert.AreEqual(shape, back.Shape);
            CollectionAssert.AreEqual(image.Values, back.Values);
            CollectionAssert.AreEqual(File.ReadAllBytes(path), ImageFile.EncodePng(image));
        }
        CollectionAssert.AreEqual(new[] { dir.File("c1.png"), dir.File("c3.png") }, Directory.GetFiles(dir.Path).Order(StringComparer.Ordinal).ToArray(), "no temporary file is left");
    }

    [TestMethod]
    public void Write_MapsTheDeclaredRangeAsSaveImage()
    {
        using var dir = new TempDir();
        // floor(255 * (clamp(v, -1, 1) + 1) / 2 + 0.5): -1 -> 0, 1 -> 255, 0 -> 128, -0.5 -> 64, 2 -> 255, -3 -> 0, 0.999 -> 255.
        var image = new ImagePixels(new ImageShape(1, 1, 7), new[] { -1f, 1f, 0f, -0.5f, 2f, -3f, 0.999f });
        ImageFile.Write(dir.File("r.png"), image, -1, 1);
        CollectionAssert.AreEqual(new float[] { 0, 255, 128, 64, 255, 0, 255 }, ImageFile.Read(dir.File("r.png"), ImageColorMode.Grayscale).Values);
        Assert.ThrowsExactly<ArgumentException>(() => ImageFile.Write(dir.File("n.png"), new ImagePixels(new ImageShape(1, 1, 1), new[] { float.NaN })));
        Assert.ThrowsExactly<ArgumentException>(() => ImageFile.Write(dir.File("x.png"), image, 1, 1));
        Assert.ThrowsExactly<ArgumentException>(() => ImageFile.Write(dir.File("x.png"), image, 0, float.PositiveInfinity));
        Assert.IsFalse(File.Exists(dir.File("n.png")) || File.Exists(dir.File("x.png")));
    }

    [TestMethod]
    public void Write_Jpeg_ForJpgNames_IsAJpegCloseToTheImage()
    {
        using var dir = new TempDir();
        var values = Enumerable.Range(0, 3 * 16 * 16).Select(i => (float)(i % 256 / 2 + 40)).ToArray();
        var image = new ImagePixels(new ImageShape(3, 16, 16), values);
        ImageFile.Write(dir.File("a.JPG"), image, jpegQuality: 100);
        var bytes = File.ReadAllBytes(dir.File("a.JPG"));
        Assert.AreEqual(0xFF, bytes[0]);
        Assert.AreEqual(0xD8, bytes[1]);
        var back = Values(Oracle("decode", dir.File("a.JPG"), "RGB"));
        double mean = values.Zip(back, (a, b) => Math.Abs(a - b)).Average();
        Assert.IsTrue(mean < 3, $"mean error {mean}");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ImageFile.Write(dir.File("b.jpg"), image, jpegQuality: 0));
    }

    [TestMethod]
    [DataRow("out.gif")]
    [DataRow("out.webp")]
    [DataRow("out")]
    [DataRow("out.png.tmp")]
    public void Write_OtherExtensions_AreRefused_BeforeAnythingIsWritten(string name)
    {
        using var dir = new TempDir();
        var e = Assert.ThrowsExactly<ArgumentException>(() => ImageFile.Write(dir.File(name), Random(new ImageShape(3, 2, 2), 1)));
        StringAssert.Contains(e.Message, dir.File(name));
        StringAssert.Contains(e.Message, ".png");
        Assert.AreEqual(0, Directory.GetFileSystemEntries(dir.Path).Length);
    }

    [TestMethod]
    public void Write_UnwritableTarget_TheErrorNamesTheTarget_NotTheTemporaryFile()
    {
        using var dir = new TempDir();
        var image = Random(new ImageShape(1, 2, 2), 1);
        Directory.CreateDirectory(dir.File("taken.png"));
        var e = Assert.ThrowsExactly<IOException>(() => ImageFile.Write(dir.File("taken.png"), image));
        StringAssert.Contains(e.Message, $"Cannot write '{dir.File("taken.png")}'");
        Assert.IsFalse(e.Message.Contains(".tmp", StringComparison.Ordinal), e.Message);
        File.WriteAllText(dir.File("file"), "x");
        var below = Assert.ThrowsExactly<IOException>(() => ImageFile.Write(Path.Combine(dir.File("file"), "out.png"), image));
        StringAssert.Contains(below.Message, Path.Combine(dir.File("file"), "out.png"));
        CollectionAssert.AreEquivalent(new[] { dir.File("file"), dir.File("taken.png") }, Directory.GetFileSystemEntries(dir.Path), "no temporary file is left");
    }

    [TestMethod]
    public void Read_DecompressionBomb_IsRefusedFromItsHeader_WithoutDecoding()
    {
        using var dir = new TempDir();
        WritePngBomb(dir.File("bomb.png"), 30000, 30000);
        Assert.IsTrue(new FileInfo(dir.File("bomb.png")).Length < 1 << 20);
        long before = ResetPeakRss();
        var e = Assert.ThrowsExactly<InvalidImageException>(() => ImageFile.Read(dir.File("bomb.png")));
        Assert.AreEqual(dir.File("bomb.png"), e.FilePath);
        StringAssert.Contains(e.Message, "declares 30000 x 30000 = 900,000,000 pixels, above the limit of 67,108,864");
        Assert.IsTrue(PeakRss() - before < 256L << 20, $"peak RSS grew by {(PeakRss() - before) >> 20} MB");
        StringAssert.Contains(Assert.ThrowsExactly<InvalidImageException>(() => ImageFile.Read(dir.File("bomb.png"), maxPixels: 1000)).Message, "limit of 1,000");
    }

    [TestMethod]
    public void Read_MissingEmptyGarbageAndTruncatedFiles_AreNamed()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("empty.png"), Array.Empty<byte>());
        File.WriteAllBytes(dir.File("garbage.png"), RandomBytes(300, 3));
        var png = ImageFile.EncodePng(Random(new ImageShape(3, 40, 40), 4));
        File.WriteAllBytes(dir.File("cut.png"), png[..(png.Length / 2)]);
        StringAssert.Contains(Assert.ThrowsExactly<InvalidImageException>(() => ImageFile.Read(dir.File("none.png"))).Message, "does not exist");
        StringAssert.Contains(Assert.ThrowsExactly<InvalidImageException>(() => ImageFile.Read(dir.File("empty.png"))).Message, "is empty");
        StringAssert.Contains(Assert.ThrowsExactly<InvalidImageException>(() => ImageFile.Read(dir.File("garbage.png"))).Message, "is not an image SkiaSharp can decode");
        var cut = Assert.ThrowsExactly<InvalidImageException>(() => ImageFile.Read(dir.File("cut.png")));
        StringAssert.Contains(cut.Message, dir.File("cut.png"));
        StringAssert.Contains(cut.Message, "truncated");
    }

    [TestMethod]
    public void ImagePixels_ChecksItsShape()
    {
        Assert.ThrowsExactly<ArgumentException>(() => new ImagePixels(new ImageShape(3, 2, 2), new float[11]));
        Assert.ThrowsExactly<ArgumentException>(() => new ImagePixels(new ImageShape(2, 2, 2), new float[8]));
        Assert.ThrowsExactly<ArgumentException>(() => new ImagePixels(new ImageShape(1, 0, 2), Array.Empty<float>()));
        var image = new ImagePixels(new ImageShape(3, 2, 3), Enumerable.Range(0, 18).Select(i => (float)i).ToArray());
        Assert.AreEqual(1 * 6 + 1 * 3 + 2, image[1, 1, 2]);
    }
}
