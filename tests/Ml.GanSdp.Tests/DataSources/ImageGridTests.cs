using System.Globalization;
using Ml.GanSdp.Tests.TestSupport;
using static Ml.GanSdp.Tests.DataSources.DataSourceTestFiles;

namespace Ml.GanSdp.Tests.DataSources;

[TestClass]
public sealed class ImageGridTests
{
    /// <summary>Values spread over [lo - 0.2 (hi - lo), hi + 0.2 (hi - lo)] so that clamping is exercised.</summary>
    private static float[] Images(int n, ImageShape shape, float lo, float hi, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, (int)(n * shape.Size)).Select(_ => (float)(lo + (hi - lo) * (rng.NextDouble() * 1.4 - 0.2))).ToArray();
    }

    private static string Raw(TempDir dir, float[] values)
    {
        var path = dir.File("images.f32");
        File.WriteAllBytes(path, values.SelectMany(BitConverter.GetBytes).ToArray());
        return path;
    }

    private static string F(float v) => v.ToString("R", CultureInfo.InvariantCulture);

    [TestMethod]
    [DataRow(10, 3, 4, 2, 0.5f, -1f, 1f)]
    [DataRow(5, 1, 8, 1, 0f, 0f, 255f)]
    [DataRow(7, 3, 3, 0, 1f, 0f, 1f)]
    public void SavedGrid_EqualsTorchvisionMakeGridAndSaveImage(int n, int channels, int columns, int padding, float pad, float lo, float hi)
    {
        using var dir = new TempDir();
        var shape = new ImageShape(channels, 5, 6);
        var images = Images(n, shape, lo, hi, n);
        var options = new ImageGridOptions { Columns = columns, Padding = padding, PadValue = pad, MinValue = lo, MaxValue = hi };
        var expected = Oracle("grid", Raw(dir, images), n.ToString(), channels.ToString(), "5", "6", columns.ToString(), padding.ToString(), F(pad), F(lo), F(hi));

        var grid = ImageGrid.Render(images, shape, options);
        var s = Shape(expected);
        Assert.AreEqual(new ImageShape(s[0], s[1], s[2]), grid.Shape);
        CollectionAssert.AreEqual(Values(expected), grid.Values);

        ImageGrid.Save(dir.File("grid.png"), images, shape, options);
        CollectionAssert.AreEqual(Values(expected), Values(Oracle("decode", dir.File("grid.png"), channels == 1 ? "L" : "RGB")));
    }

    [TestMethod]
    public void WithLabels_EachClassGetsItsOwnRows_AsTheSpecWrittenInPython()
    {
        using var dir = new TempDir();
        var shape = new ImageShape(3, 4, 3);
        int[] labels = { 2, 0, 2, 2, 0, 3, 2, 2, 0 }; // class 1 absent: an empty row; class 2 (5 images) wraps after 4 columns
        var images = Images(labels.Length, shape, -1, 1, 5);
        var options = new ImageGridOptions { Columns = 4, Padding = 1, PadValue = 1, MinValue = -1, MaxValue = 1 };
        var expected = Oracle("grid", Raw(dir, images), labels.Length.ToString(), "3", "4", "3", "4", "1", "1", "-1", "1", string.Join(",", labels));

        var grid = ImageGrid.Render(images, shape, options, labels);
        Assert.AreEqual(new ImageShape(3, 5 * (4 + 1) + 1, 4 * (3 + 1) + 1), grid.Shape, "rows: class 0, class 1 (empty), class 2 twice, class 3");
        CollectionAssert.AreEqual(Values(expected), grid.Values);
        ImageGrid.Save(dir.File("classes.png"), images, shape, options, labels);
        CollectionAssert.AreEqual(Values(expected), Values(Oracle("decode", dir.File("classes.png"), "RGB")));
    }

    [TestMethod]
    public void BadInput_IsRefused_NamingTheProblem()
    {
        using var dir = new TempDir();
        var shape = new ImageShape(1, 2, 2);
        var four = new float[8];
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => ImageGrid.Render(new float[7], shape)).Message, "multiple of C x H x W = 4");
        Assert.ThrowsExactly<ArgumentException>(() => ImageGrid.Render(Array.Empty<float>(), shape));
        Assert.ThrowsExactly<ArgumentException>(() => ImageGrid.Render(four, new ImageShape(2, 2, 1)));
        var nan = (float[])four.Clone();
        nan[6] = float.NaN;
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => ImageGrid.Render(nan, shape)).Message, "image 1 holds NaN at channel 0, row 1, column 0");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => ImageGrid.Render(four, shape, labels: new[] { 1 })).Message, "1 labels for 2 images");
        Assert.ThrowsExactly<ArgumentException>(() => ImageGrid.Render(four, shape, labels: new[] { 1, -1 }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ImageGrid.Render(four, shape, new ImageGridOptions { Columns = 0 }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ImageGrid.Render(four, shape, new ImageGridOptions { PadValue = float.NaN }));
        Assert.ThrowsExactly<ArgumentException>(() => ImageGrid.Render(four, shape, new ImageGridOptions { MinValue = 1, MaxValue = 0 }));
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => ImageGrid.Render(four, shape, new ImageGridOptions { MaxPixels = 20 })).Message, "above ImageGridOptions.MaxPixels");
        var gif = Assert.ThrowsExactly<ArgumentException>(() => ImageGrid.Save(dir.File("out.gif"), four, shape));
        StringAssert.Contains(gif.Message, "'.gif' is not supported");
        Assert.AreEqual(0, Directory.GetFileSystemEntries(dir.Path).Length);
    }

    [TestMethod]
    public void SaveAsJpg_WritesJpegBytes()
    {
        using var dir = new TempDir();
        var shape = new ImageShape(3, 8, 8);
        ImageGrid.Save(dir.File("g.jpeg"), Images(4, shape, 0, 255, 1), shape);
        var bytes = File.ReadAllBytes(dir.File("g.jpeg"));
        CollectionAssert.AreEqual(new byte[] { 0xFF, 0xD8, 0xFF }, bytes[..3]);
        Assert.AreEqual(new ImageShape(3, 2 + 10, 2 + 4 * 10), ImageFile.Read(dir.File("g.jpeg")).Shape);
    }
}
