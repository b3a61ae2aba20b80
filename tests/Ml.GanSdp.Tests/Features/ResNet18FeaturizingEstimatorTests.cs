using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using Ml.GanSdp.Features;
using Ml.GanSdp.Tests.TestSupport;

namespace Ml.GanSdp.Tests.Features;

/// <summary>
/// The ResNet18 featurizer against an independent PyTorch reference (torchvision's ResNet with the package's weights,
/// PIL-style bilinear resampling in torch, the package's BGR mean image), both sides on one thread; against ML.NET's
/// own <c>DnnFeaturizeImage</c>; through Model.Save/Load; and its schema errors.
/// </summary>
[TestClass]
public class ResNet18FeaturizingEstimatorTests
{
    /// <summary>Largest error allowed, relative to the largest reference feature: float32 networks with different convolution code.</summary>
    private const double Tolerance = 1e-4;

    private static readonly ResNet18FeaturizerOptions OneThread = new() { OutputColumnName = "Features", InputColumnName = "Pixels", IntraOpThreads = 1 };

    [TestMethod]
    public void FashionMnistGrayPixelsMatchThePyTorchReference()
    {
        using var dir = new TempDir();
        var ml = new MLContext(seed: 1);
        var rows = FeatureTestData.FashionMnist(Enumerable.Range(0, 10).ToArray(), 1);
        var data = FeatureTestData.PixelData(ml, rows, 1, 28, 28);

        var features = FeatureTestData.Column(ml.Transforms.FeaturizeResNet18(OneThread).Fit(data).Transform(data), "Features");

        FeatureTestData.SaveNpy(dir.File("pixels.npy"), rows.Select(r => r.Pixels), rows.Count, 1, 28, 28);
        AssertMatchesReference(dir, dir.File("pixels.npy"), features, "Fashion-MNIST 28x28 gray");
    }

    [TestMethod]
    public void CifarJpegImagesMatchThePyTorchReference()
    {
        using var dir = new TempDir();
        var ml = new MLContext(seed: 1);
        var files = FeatureTestData.CifarJpegs(dir.Path, 1);
        var data = ml.Transforms.LoadImages("Image", null, nameof(ImagePathRow.ImagePath)).Fit(ml.Data.LoadFromEnumerable(files))
            .Transform(ml.Data.LoadFromEnumerable(files));
        var options = OneThread with { InputColumnName = "Image", ImageWidth = 32, ImageHeight = 32 };

        var features = FeatureTestData.Column(ml.Transforms.FeaturizeResNet18(options).Fit(data).Transform(data), "Features");

        // Images of known size (after the user's own ResizeImages) need no size option and give the same features.
        var sized = ml.Transforms.ResizeImages("Sized", 32, 32, "Image").Fit(data).Transform(data);
        var known = FeatureTestData.Column(ml.Transforms.FeaturizeResNet18(OneThread with { InputColumnName = "Sized" }).Fit(sized).Transform(sized), "Features");
        for (int i = 0; i < known.Length; i++) CollectionAssert.AreEqual(features[i], known[i], $"row {i}: known-size images");

        // The reference decodes the JPEGs with PIL; SkiaSharp's decoder must give the same pixels (checked below).
        var pixels = FeatureTestData.Column(ml.Transforms.ResizeImages("Sized", 32, 32, "Image", ImageResizingEstimator.ResizingKind.Fill)
            .Append(ml.Transforms.ExtractPixels("Pixels", "Sized")).Fit(data).Transform(data), "Pixels");
        FeatureTestData.SaveNpy(dir.File("pixels.npy"), pixels, files.Count, 3, 32, 32);
        File.WriteAllLines(dir.File("files.txt"), files.Select(f => f.ImagePath));
        Python.Exec("""
import numpy as np
from PIL import Image
d = sys.argv[1]
paths = open(d + '/files.txt').read().split()
pil = np.stack([np.asarray(Image.open(p).convert('RGB'), dtype=np.float64).transpose(2, 0, 1) for p in paths])
skia = np.load(d + '/pixels.npy')
print('max |Skia - PIL| pixel difference:', np.abs(skia - pil).max())
np.save(d + '/pil.npy', pil)
""", dir.Path);
        var pil = FeatureTestData.LoadRows(dir.File("pil.npy"), 3 * 32 * 32);
        Assert.AreEqual(0.0, FeatureTestData.RelativeMaxError(pil, pixels), "SkiaSharp and PIL decode the JPEGs differently");

        AssertMatchesReference(dir, dir.File("pil.npy"), features, "CIFAR-10 JPEG 32x32");
    }

    [TestMethod]
    public void ShrunkNonSquareRgbPixelsMatchThePyTorchReference()
    {
        // 3 x 300 x 260 is shrunk to 224 x 224: the anti-aliased branch of the resampling, unequal axes.
        using var dir = new TempDir();
        var ml = new MLContext(seed: 1);
        var rows = SmoothImages(2, 3, 300, 260, seed: 5);
        var data = FeatureTestData.PixelData(ml, rows, 3, 300, 260);

        var features = FeatureTestData.Column(ml.Transforms.FeaturizeResNet18(OneThread).Fit(data).Transform(data), "Features");

        FeatureTestData.SaveNpy(dir.File("pixels.npy"), rows.Select(r => r.Pixels), rows.Count, 3, 300, 260);
        AssertMatchesReference(dir, dir.File("pixels.npy"), features, "300x260 RGB");
    }

    [TestMethod]
    public void RgbPixelsAt224GiveExactlyWhatDnnFeaturizeImageGives()
    {
        // At 224 x 224 the resampling is the identity, so the chain must equal ML.NET's featurizer bit for bit.
        var ml = new MLContext(seed: 1);
        var rows = SmoothImages(3, 3, 224, 224, seed: 6);
        var data = FeatureTestData.PixelData(ml, rows, 3, 224, 224);

        var ours = FeatureTestData.Column(ml.Transforms.FeaturizeResNet18("Features", "Pixels").Fit(data).Transform(data), "Features");
        var dnn = ml.Transforms.DnnFeaturizeImage("Dnn", m => m.ModelSelector.ResNet18(ml, m.OutputColumn, m.InputColumn), "Pixels");
        var theirs = FeatureTestData.Column(dnn.Fit(data).Transform(data), "Dnn");

        Assert.AreEqual(theirs.Length, ours.Length);
        for (int i = 0; i < ours.Length; i++)
            CollectionAssert.AreEqual(theirs[i], ours[i], $"row {i}");
        Assert.IsTrue(ours.All(f => f.Length == ResNet18Model.FeatureDimension && f.All(v => v >= 0) && f.Any(v => v > 0)), "features are 512 averages of ReLU outputs");
    }

    [TestMethod]
    public void ResamplingModelsLiveInTheTempFolderUntilDispose_ThenTheEstimatorRefusesWork()
    {
        using var dir = new TempDir();
        var ml = new MLContext(seed: 1);
        var rows = FeatureTestData.FashionMnist(new[] { 0 }, 1);
        var data = FeatureTestData.PixelData(ml, rows, 1, 28, 28);
        var estimator = ml.Transforms.FeaturizeResNet18(OneThread with { TempFolder = dir.Path });
        var first = estimator.Fit(data);
        var second = estimator.Fit(data);
        var folders = Directory.GetDirectories(dir.Path);
        Assert.AreEqual(1, folders.Length, "one resampling model per column and size, however often Fit runs");
        CollectionAssert.AreEqual(new[] { "resnet18-resize-1x28x28.onnx" }, Directory.GetFiles(folders[0]).Select(Path.GetFileName).ToArray());
        CollectionAssert.AreEqual(FeatureTestData.Column(first.Transform(data), "Features")[0], FeatureTestData.Column(second.Transform(data), "Features")[0]);
        estimator.Dispose();
        Assert.AreEqual(0, Directory.GetDirectories(dir.Path).Length, "Dispose deletes the model folders");
        Assert.ThrowsExactly<ObjectDisposedException>(() => estimator.Fit(data));
    }

    [TestMethod]
    public void SavedModelLoadsWithoutTheModelFolderAndGivesTheSameFeatures()
    {
        using var dir = new TempDir();
        var models = Path.Combine(dir.Path, "models");
        foreach (var file in new[] { ResNet18Model.PreprocessModelPath(ResNet18Model.DefaultDirectory), ResNet18Model.NetworkModelPath(ResNet18Model.DefaultDirectory) })
        {
            var target = Path.Combine(models, Path.GetRelativePath(ResNet18Model.DefaultDirectory, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        var ml = new MLContext(seed: 1);
        var rows = FeatureTestData.FashionMnist(new[] { 0, 5 }, 1);
        var data = FeatureTestData.PixelData(ml, rows, 1, 28, 28);
        var model = ml.Transforms.FeaturizeResNet18(OneThread with { ModelDirectory = models }).Fit(data);
        var before = FeatureTestData.Column(model.Transform(data), "Features");
        var zip = dir.File("featurizer.zip");
        ml.Model.Save(model, data.Schema, zip);
        (model as IDisposable)?.Dispose();
        Directory.Delete(models, recursive: true);

        var loaded = new MLContext(seed: 2).Model.Load(zip, out var inputSchema);
        var output = loaded.Transform(data);
        var after = FeatureTestData.Column(output, "Features");

        Assert.AreEqual("Pixels", inputSchema[0].Name);
        for (int i = 0; i < before.Length; i++) CollectionAssert.AreEqual(before[i], after[i], $"row {i}");
        var visible = output.Schema.Where(c => !c.IsHidden).Select(c => c.Name).ToList();
        CollectionAssert.AreEqual(new[] { "Pixels", "Label", "Features" }, visible, "the chain drops its intermediate columns");
        var type = (VectorDataViewType)output.Schema["Features"].Type;
        Assert.AreEqual(NumberDataViewType.Single, type.ItemType);
        Assert.AreEqual(ResNet18Model.FeatureDimension, type.Size);
    }

    [TestMethod]
    public void ImagesOfOneClassAreCloserThanImagesOfDifferentClasses()
    {
        // Fashion-MNIST trousers, sneakers and bags, 8 each: the mean distance between features of the same class
        // must be below the mean distance between classes (weak, but a broken resize or channel order breaks it).
        var ml = new MLContext(seed: 1);
        var rows = FeatureTestData.FashionMnist(new[] { 1, 7, 8 }, 8);
        var data = FeatureTestData.PixelData(ml, rows, 1, 28, 28);
        var features = FeatureTestData.Column(ml.Transforms.FeaturizeResNet18("Features", "Pixels").Fit(data).Transform(data), "Features");

        double within = 0, between = 0;
        int nw = 0, nb = 0;
        for (int i = 0; i < rows.Count; i++)
            for (int j = i + 1; j < rows.Count; j++)
            {
                double d = Math.Sqrt(features[i].Zip(features[j], (a, b) => (double)(a - b) * (a - b)).Sum());
                if (rows[i].Label == rows[j].Label) { within += d; nw++; }
                else { between += d; nb++; }
            }
        within /= nw;
        between /= nb;
        Console.WriteLine($"mean distance within classes {within:F3}, between classes {between:F3}");
        Assert.IsTrue(within < 0.8 * between, $"within {within:F3} is not clearly below between {between:F3}");
    }

    [TestMethod]
    public void OutputSchemaAddsAKnownSizeSingleVectorWithoutLoadingModels()
    {
        var ml = new MLContext(seed: 1);
        var data = FeatureTestData.PixelData(ml, FeatureTestData.FashionMnist(new[] { 0 }, 1), 1, 28, 28);
        var shape = ml.Transforms.FeaturizeResNet18("Features", "Pixels").GetOutputSchema(SchemaProbe.ShapeOf(data));
        var column = shape.Single(c => c.Name == "Features");
        Assert.AreEqual(NumberDataViewType.Single, column.ItemType);
        Assert.AreEqual(SchemaShape.Column.VectorKind.Vector, column.Kind);
        CollectionAssert.AreEqual(new[] { "Pixels", "Label", "Features" }, shape.Select(c => c.Name).ToList());

        var images = ml.Transforms.LoadImages("Image", null, "ImagePath").Fit(ml.Data.LoadFromEnumerable(new[] { new ImagePathRow() }))
            .Transform(ml.Data.LoadFromEnumerable(new[] { new ImagePathRow() }));
        var imageShape = ml.Transforms.FeaturizeResNet18("Features", "Image").GetOutputSchema(SchemaProbe.ShapeOf(images));
        CollectionAssert.AreEqual(new[] { "ImagePath", "Label", "Image", "Features" }, imageShape.Select(c => c.Name).ToList());
    }

    [TestMethod]
    public void BadColumnsAreReportedByNameAndType()
    {
        var ml = new MLContext(seed: 1);
        var pixels = FeatureTestData.PixelData(ml, FeatureTestData.FashionMnist(new[] { 0 }, 1), 1, 28, 28);
        var flat = ml.Data.LoadFromEnumerable(new[] { new PixelRow { Pixels = new float[784] } }, FlatSchema(784));
        var twoChannels = FeatureTestData.PixelData(ml, new[] { new PixelRow { Pixels = new float[2 * 4 * 4] } }, 2, 4, 4);
        var images = ml.Transforms.LoadImages("Image", null, "ImagePath").Fit(ml.Data.LoadFromEnumerable(new[] { new ImagePathRow() }))
            .Transform(ml.Data.LoadFromEnumerable(new[] { new ImagePathRow() }));

        StringAssert.Contains(Fails(() => ml.Transforms.FeaturizeResNet18("F", "Missing").Fit(pixels)), "'Missing' not found");
        StringAssert.Contains(Fails(() => ml.Transforms.FeaturizeResNet18("F", "Label").Fit(pixels)), "column 'Label' is Int32");
        StringAssert.Contains(Fails(() => ml.Transforms.FeaturizeResNet18("F", "Label").GetOutputSchema(SchemaProbe.ShapeOf(pixels))), "column 'Label' is Scalar of Int32");
        StringAssert.Contains(Fails(() => ml.Transforms.FeaturizeResNet18("F", "Pixels").Fit(flat)), "dimensions [784]");
        StringAssert.Contains(Fails(() => ml.Transforms.FeaturizeResNet18("F", "Pixels").Fit(twoChannels)), "has 2 channels");
        StringAssert.Contains(Fails(() => ml.Transforms.FeaturizeResNet18("F", "Image").Fit(images)), "images of unknown size");
        var minusOneToOne = FeatureTestData.PixelData(ml, new[] { new PixelRow { Pixels = Enumerable.Range(0, 16).Select(i => i / 7.5f - 1).ToArray() } }, 1, 4, 4);
        StringAssert.Contains(Fails(() => ml.Transforms.FeaturizeResNet18("F", "Pixels").Fit(minusOneToOne)), "row 0 of column 'Pixels' holds the pixel value -1; pixels must be 0..255");
        var clash = ml.Transforms.CopyColumns("Input247", "Pixels").Fit(pixels).Transform(pixels);
        StringAssert.Contains(Fails(() => ml.Transforms.FeaturizeResNet18("F", "Pixels").Fit(clash)), "'Input247'");
        StringAssert.Contains(Fails(() => ml.Transforms.FeaturizeResNet18("OriginalInput", "Pixels")), "cannot be named");
    }

    [TestMethod]
    public void BadOptionsAndAMissingModelFolderAreReported()
    {
        var ml = new MLContext(seed: 1);
        StringAssert.Contains(Fails(() => ml.Transforms.FeaturizeResNet18(OneThread with { ImageWidth = 32 })), "set together");
        StringAssert.Contains(Fails(() => ml.Transforms.FeaturizeResNet18(OneThread with { ImageWidth = 0, ImageHeight = 32 })), "ImageWidth must be 1..");
        StringAssert.Contains(Fails(() => ml.Transforms.FeaturizeResNet18(OneThread with { IntraOpThreads = 0 })), "IntraOpThreads must be 1..1024");
        StringAssert.Contains(Fails(() => ml.Transforms.FeaturizeResNet18(OneThread with { OutputColumnName = " " })), "OutputColumnName");
        var missing = Path.Combine(Path.GetTempPath(), "no-such-folder-" + Guid.NewGuid().ToString("N"));
        var e = Assert.ThrowsExactly<FileNotFoundException>(() => ml.Transforms.FeaturizeResNet18(OneThread with { ModelDirectory = missing }));
        StringAssert.Contains(e.Message, Path.Combine(missing, "ResNetPrepOnnx", "ResNetPreprocess.onnx"));
        StringAssert.Contains(e.Message, "Microsoft.ML.DnnImageFeaturizer.ResNet18");
    }

    /// <summary>Runs the PyTorch reference on a .npy of pixels and compares its features with ours.</summary>
    private static void AssertMatchesReference(TempDir dir, string pixels, float[][] features, string what)
    {
        Python.Run("resnet18_oracle.py", "features", ResNet18Model.DefaultDirectory, pixels, dir.File("expected.npy"));
        var expected = FeatureTestData.LoadRows(dir.File("expected.npy"), ResNet18Model.FeatureDimension);
        double error = FeatureTestData.RelativeMaxError(expected, features);
        Console.WriteLine($"{what}: max |ML.NET - PyTorch| / max |PyTorch| = {error:E2}");
        Assert.IsTrue(error <= Tolerance, $"{what}: relative error {error:E2} > {Tolerance:E0}");
    }

    private static string Fails(Action action)
    {
        try { action(); }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException) { return e.Message; }
        Assert.Fail("expected an exception");
        return "";
    }

    private static SchemaDefinition FlatSchema(int size)
    {
        var schema = SchemaDefinition.Create(typeof(PixelRow));
        schema[nameof(PixelRow.Pixels)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, size);
        return schema;
    }

    /// <summary>Smooth random RGB/gray images in 0..255: sums of a few random sinusoids (natural-image-like, not noise).</summary>
    private static List<PixelRow> SmoothImages(int count, int channels, int height, int width, int seed)
    {
        var random = new Random(seed);
        var rows = new List<PixelRow>();
        for (int n = 0; n < count; n++)
        {
            var p = new float[channels * height * width];
            for (int c = 0; c < channels; c++)
            {
                var waves = Enumerable.Range(0, 4).Select(_ => (fy: random.NextDouble() * 0.2, fx: random.NextDouble() * 0.2, phase: random.NextDouble() * 6.3)).ToArray();
                for (int y = 0; y < height; y++)
                    for (int x = 0; x < width; x++)
                    {
                        double v = waves.Sum(w => Math.Sin(w.fy * y + w.fx * x + w.phase));
                        p[(c * height + y) * width + x] = (float)Math.Clamp(127.5 + 30 * v + 10 * (random.NextDouble() - 0.5), 0, 255);
                    }
            }
            rows.Add(new PixelRow { Pixels = p, Label = n });
        }
        return rows;
    }
}
