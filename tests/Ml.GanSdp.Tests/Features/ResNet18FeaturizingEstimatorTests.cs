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
        Python.Run("resnet18_oracle.py", "features", ResNet18Model.DefaultDirectory, dir.File("pixels.npy"), dir.File("expected.npy"));
        var expected = FeatureTestData.LoadRows(dir.File("expected.npy"), ResNet18Model.FeatureDimension);
        double error = FeatureTestData.RelativeMaxError(expected, features);
        Console.WriteLine($"Fashion-MNIST 28x28 gray: max |ML.NET - PyTorch| / max |PyTorch| = {error:E2}");
        Assert.IsTrue(error <= Tolerance, $"relative error {error:E2} > {Tolerance:E0}");
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

        Python.Run("resnet18_oracle.py", "features", ResNet18Model.DefaultDirectory, dir.File("pil.npy"), dir.File("expected.npy"));
        var expected = FeatureTestData.LoadRows(dir.File("expected.npy"), ResNet18Model.FeatureDimension);
        double error = FeatureTestData.RelativeMaxError(expected, features);
        Console.WriteLine($"CIFAR-10 JPEG 32x32: max |ML.NET - PyTorch| / max |PyTorch| = {error:E2}");
        Assert.IsTrue(error <= Tolerance, $"relative error {error:E2} > {Tolerance:E0}");
    }
}
