using Microsoft.ML;
using Ml.GanSdp.Features;
using Ml.GanSdp.Onnx;
using Ml.GanSdp.Tests.TestSupport;

namespace Ml.GanSdp.Tests.Features;

/// <summary>
/// The generated resampling model: valid ONNX (onnx.checker), run by ML.NET's ApplyOnnxModel it equals PyTorch's
/// <c>F.interpolate(bilinear, align_corners=False, antialias=True)</c> for growing, shrinking and unequal sizes, and its
/// weights have the properties of an interpolating filter.
/// </summary>
[TestClass]
public class PixelResizeModelTests
{
    [TestMethod]
    [DataRow(1, 28, 28, 224, DisplayName = "gray 28 -> 224 (x8)")]
    [DataRow(3, 32, 32, 224, DisplayName = "RGB 32 -> 224 (x7)")]
    [DataRow(3, 300, 260, 224, DisplayName = "RGB 300 x 260 -> 224 (shrink)")]
    [DataRow(1, 5, 9, 3, DisplayName = "gray 5 x 9 -> 3 (shrink, odd)")]
    [DataRow(3, 7, 3, 10, DisplayName = "RGB 7 x 3 -> 10 (grow, unequal)")]
    public void AppliedByMlNetItEqualsTorchInterpolate(int channels, int height, int width, int size)
    {
        using var dir = new TempDir();
        var ml = new MLContext(seed: 1);
        var random = new Random(height * 1000 + width);
        var rows = Enumerable.Range(0, 2).Select(_ => new PixelRow { Pixels = Enumerable.Range(0, channels * height * width).Select(_ => (float)(255 * random.NextDouble())).ToArray() }).ToList();
        var data = FeatureTestData.PixelData(ml, rows, channels, height, width);
        var model = PixelResizeModel.Build("Pixels", "Rgb", channels, height, width, size);

        var resized = FeatureTestData.Column(ml.Transforms.ApplyOnnxModel("Rgb", "Pixels", new MemoryStream(model)).Fit(data).Transform(data), "Rgb");

        FeatureTestData.SaveNpy(dir.File("pixels.npy"), rows.Select(r => r.Pixels), rows.Count, channels, height, width);
        Python.Run("resnet18_oracle.py", "resize", dir.File("pixels.npy"), size.ToString(), dir.File("expected.npy"));
        var expected = FeatureTestData.LoadRows(dir.File("expected.npy"), 3 * size * size);
        double error = FeatureTestData.RelativeMaxError(expected, resized);
        Console.WriteLine($"{channels}x{height}x{width} -> {size}: max |ONNX - torch| / max |torch| = {error:E2}");
        Assert.IsTrue(error < 1e-6, $"max |ONNX - torch| / max |torch| = {error:E2}");
    }

    [TestMethod]
    public void TheModelPassesOnnxChecker()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("gray.onnx"), PixelResizeModel.Build("Pixels", "Rgb", 1, 28, 28, 224));
        File.WriteAllBytes(dir.File("rgb.onnx"), PixelResizeModel.Build("my pixels", "OriginalInput", 3, 32, 40, 224));
        foreach (var file in new[] { "gray.onnx", "rgb.onnx" })
            Assert.AreEqual($"{OnnxGraphBuilder.IrVersion} {OnnxGraphBuilder.Opset}", Python.Run("resnet18_oracle.py", "check_onnx", dir.File(file)).Trim(), file);
    }

    [TestMethod]
    public void WeightsInterpolateSumToOneAndAreTheIdentityAtTheSameSize()
    {
        foreach (var (n, s) in new[] { (28, 224), (32, 224), (300, 224), (224, 224), (5, 3), (1, 4), (4, 1) })
        {
            var w = PixelResizeModel.TriangleWeights(n, s);
            for (int i = 0; i < s; i++)
            {
                var row = w.AsSpan(i * n, n).ToArray();
                Assert.IsTrue(row.All(v => v >= 0), $"{n}->{s} row {i}: negative weight");
                Assert.AreEqual(1.0, row.Sum(v => (double)v), 1e-6, $"{n}->{s} row {i}: weights do not sum to 1");
                // The filter is centred on (i + 0.5) n / s - 0.5 in input pixel coordinates, clamped to the image.
                double centre = Enumerable.Range(0, n).Sum(j => j * (double)row[j]);
                double expected = Math.Clamp((i + 0.5) * n / s - 0.5, 0, n - 1);
                if (n <= s) Assert.AreEqual(expected, centre, 1e-5, $"{n}->{s} row {i}: centre");
            }
        }
        var identity = PixelResizeModel.TriangleWeights(224, 224);
        for (int i = 0; i < 224; i++)
            for (int j = 0; j < 224; j++)
                Assert.AreEqual(i == j ? 1f : 0f, identity[i * 224 + j], $"identity [{i}, {j}]");
    }

    [TestMethod]
    public void BadShapesAndNamesAreRejected()
    {
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => PixelResizeModel.Build("P", "R", 2, 8, 8, 224));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => PixelResizeModel.Build("P", "R", 3, 0, 8, 224));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => PixelResizeModel.Build("P", "R", 3, 8, PixelResizeModel.MaxSide + 1, 224));
        Assert.ThrowsExactly<ArgumentException>(() => PixelResizeModel.Build("P", "P", 3, 8, 8, 224));
        // A name the graph builder already gave a node output or an initializer cannot also be the output's name.
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => PixelResizeModel.Build("P", "gansdp_resize/row_weights", 1, 8, 8, 224)).Message, "already used");
    }
}
