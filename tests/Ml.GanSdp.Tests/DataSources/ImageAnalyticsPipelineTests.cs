using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using Ml.GanSdp.Tests.TestSupport;
using static Ml.GanSdp.Tests.DataSources.DataSourceTestFiles;

namespace Ml.GanSdp.Tests.DataSources;

/// <summary>
/// The image-folder source feeding ImageAnalytics (<c>LoadImages -&gt; ResizeImages -&gt; ExtractPixels</c>) gives the
/// same [C, H, W] vectors, bit for bit, as the IDX and CIFAR sources give for the same pixels: the sources and
/// ImageAnalytics pipelines are interchangeable.
/// </summary>
[TestClass]
public sealed class ImageAnalyticsPipelineTests
{
    private static readonly MLContext Ml = new(seed: 1);

    private static IEstimator<ITransformer> Pipeline(int width, int height, ImagePixelExtractingEstimator.ColorBits bits = ImagePixelExtractingEstimator.ColorBits.Rgb,
        ImagePixelExtractingEstimator.ColorsOrder order = ImagePixelExtractingEstimator.ColorsOrder.ARGB)
        => Ml.Transforms.LoadImages("Image", null, "ImagePath")
            .Append(Ml.Transforms.ResizeImages("Image", width, height, "Image"))
            .Append(Ml.Transforms.ExtractPixels("Pixels", "Image", colorsToExtract: bits, orderOfExtraction: order));

    /// <summary>Writes rows of a source as PNG files root/&lt;class&gt;/&lt;row&gt;.png and returns the source's vectors by row.</summary>
    private static List<float[]> WriteAsPngs(IDataView source, string root, int count, ImageShape shape)
    {
        var names = KeyNames(source.Schema["Label"]);
        var rows = new List<float[]>();
        using var cursor = source.GetRowCursor(source.Schema);
        var image = cursor.GetGetter<VBuffer<float>>(source.Schema["Image"]);
        var label = cursor.GetGetter<uint>(source.Schema["Label"]);
        VBuffer<float> v = default;
        uint l = 0;
        while (rows.Count < count && cursor.MoveNext())
        {
            image(ref v);
            label(ref l);
            var values = v.DenseValues().ToArray();
            var path = Path.Combine(root, names[l - 1].Replace('/', '_'), $"{rows.Count:D5}.png");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            ImageFile.Write(path, new ImagePixels(shape, values));
            rows.Add(values);
        }
        return rows;
    }

    private static T? FindInner<T>(Exception? e) where T : Exception
    {
        for (; e is not null; e = e.InnerException)
            if (e is T found) return found;
        return null;
    }

    private static int RowOf(string path) => int.Parse(Path.GetFileNameWithoutExtension(path));

    [TestMethod]
    public void Gray_FashionMnistAsPngs_ThroughExtractPixelsRed_EqualsTheIdxSource()
    {
        using var dir = new TempDir();
        var idx = Ml.Data.LoadFashionMnist(train: false);
        var expected = WriteAsPngs(idx, dir.Path, 30, new ImageShape(1, 28, 28));
        var folder = Ml.Data.LoadImageFolder(dir.Path);

        var red = Pipeline(28, 28, ImagePixelExtractingEstimator.ColorBits.Red).Fit(folder).Transform(folder);
        Assert.AreEqual(idx.Schema["Image"].Type, red.Schema["Pixels"].Type, "same type: Vector<Single, 1, 28, 28>");
        var paths = red.GetColumn<ReadOnlyMemory<char>>("ImagePath").Select(p => p.ToString()).ToList();
        var pixels = Vectors(red, "Pixels");
        Assert.AreEqual(30, pixels.Count);
        for (int k = 0; k < pixels.Count; k++) CollectionAssert.AreEqual(expected[RowOf(paths[k])], pixels[k], paths[k]);

        // ExtractPixels' default (ColorBits.Rgb) gives a gray image three equal planes.
        var rgb = Pipeline(28, 28).Fit(folder).Transform(folder);
        CollectionAssert.AreEqual(new[] { 3, 28, 28 }, ((VectorDataViewType)rgb.Schema["Pixels"].Type).Dimensions.ToArray());
        var planes = Vectors(rgb, "Pixels");
        for (int k = 0; k < planes.Count; k++)
        {
            var want = expected[RowOf(paths[k])];
            for (int c = 0; c < 3; c++) CollectionAssert.AreEqual(want, planes[k].Skip(784 * c).Take(784).ToArray());
        }
    }

    [TestMethod]
    public void Rgb_CifarRecordsAsPngs_ThroughExtractPixelsDefaults_EqualTheCifarSource_PlanesInRgbOrder()
    {
        using var dir = new TempDir();
        var records = new List<byte>();
        var rng = new Random(3);
        for (int r = 0; r < 12; r++)
        {
            records.Add((byte)rng.Next(10));
            records.AddRange(RandomBytes(3072, r));
        }
        File.WriteAllBytes(dir.File("batch.bin"), records.ToArray());
        var cifar = Ml.Data.LoadCifar(new[] { dir.File("batch.bin") }, new CifarSourceOptions());
        var expected = WriteAsPngs(cifar, dir.File("images"), 12, new ImageShape(3, 32, 32));
        var folder = Ml.Data.LoadImageFolder(dir.File("images"));

        var rgb = Pipeline(32, 32).Fit(folder).Transform(folder);
        Assert.AreEqual(cifar.Schema["Image"].Type, rgb.Schema["Pixels"].Type, "same type: Vector<Single, 3, 32, 32>");
        var paths = rgb.GetColumn<ReadOnlyMemory<char>>("ImagePath").Select(p => p.ToString()).ToList();
        var pixels = Vectors(rgb, "Pixels");
        Assert.AreEqual(12, pixels.Count);
        for (int k = 0; k < 12; k++) CollectionAssert.AreEqual(expected[RowOf(paths[k])], pixels[k], paths[k]);

        // orderOfExtraction ABGR gives the planes B, G, R instead.
        var bgr = Vectors(Pipeline(32, 32, order: ImagePixelExtractingEstimator.ColorsOrder.ABGR).Fit(folder).Transform(folder), "Pixels");
        var want = expected[RowOf(paths[0])];
        CollectionAssert.AreEqual(want.Skip(2048).Take(1024).Concat(want.Skip(1024).Take(1024)).Concat(want.Take(1024)).ToArray(), bgr[0]);
    }

    [TestMethod]
    public void Cifar10Jpegs_FromTheSharedArchive_ThroughTheFolderSourceAndImageAnalytics_WithSkippedBadFiles()
    {
        using var dir = new TempDir();
        var archive = Path.Combine(Repo.Shared, "datasets", "cifar10-jpg.tar.gz");
        Assert.IsTrue(File.Exists(archive), archive);
        var tar = Process.Start(new ProcessStartInfo("tar", new[] { "-xzf", archive, "-C", dir.Path, "--wildcards", "cifar10-jpg/test/cat/00[0-1]?.jpg", "cifar10-jpg/test/dog/00[0-1]?.jpg" }))!;
        tar.WaitForExit();
        Assert.AreEqual(0, tar.ExitCode);
        var root = Path.Combine(dir.Path, "cifar10-jpg", "test");
        File.WriteAllBytes(Path.Combine(root, "cat", "broken.jpg"), RandomBytes(500, 1));
        var jpeg = File.ReadAllBytes(Path.Combine(root, "dog", "0000.jpg"));
        File.WriteAllBytes(Path.Combine(root, "dog", "cut.jpg"), jpeg[..(jpeg.Length / 2)]);

        var folder = Ml.Data.LoadImageFolder(root, InvalidImageHandling.Skip);
        CollectionAssert.AreEqual(new[] { "cat", "dog" }, folder.ClassNames.ToArray());
        Assert.AreEqual(42, folder.Files.Count);
        var model = Pipeline(32, 32).Fit(folder);
        var data = model.Transform(folder);
        var pixels = Vectors(data, "Pixels");
        var paths = data.GetColumn<ReadOnlyMemory<char>>("ImagePath").Select(p => p.ToString()).ToList();
        var labels = Keys(data, "Label");
        Assert.AreEqual(40, pixels.Count);
        CollectionAssert.AreEqual(Enumerable.Repeat(1u, 20).Concat(Enumerable.Repeat(2u, 20)).ToArray(), labels);
        CollectionAssert.AreEqual(new[] { Path.Combine(root, "cat", "broken.jpg"), Path.Combine(root, "dog", "cut.jpg") }, folder.SkippedImages.Select(s => s.Path).ToArray());
        CollectionAssert.AreEqual(new[] { 3, 32, 32 }, ((VectorDataViewType)data.Schema["Pixels"].Type).Dimensions.ToArray());
        for (int k = 0; k < pixels.Count; k++) CollectionAssert.AreEqual(ImageFile.Read(paths[k]).Values, pixels[k], paths[k]);
        foreach (int k in new[] { 0, 39 })
        {
            var pil = Values(Oracle("decode", paths[k], "RGB"));
            Assert.IsTrue(pil.Zip(pixels[k], (a, b) => Math.Abs(a - b)).Max() <= 1, $"{paths[k]}: ImageAnalytics vs Pillow");
        }

        // With Throw, the pipeline stops at the broken file and says which one (ML.NET's parallel cursor wraps the
        // source's exception in an InvalidOperationException: it is the inner exception).
        var strict = Ml.Data.LoadImageFolder(root);
        var thrown = Assert.ThrowsExactly<InvalidOperationException>(() => Vectors(Pipeline(32, 32).Fit(strict).Transform(strict), "Pixels"));
        var e = FindInner<InvalidImageException>(thrown);
        Assert.IsNotNull(e, thrown.ToString());
        Assert.AreEqual(Path.Combine(root, "cat", "broken.jpg"), e.FilePath);
    }
}
