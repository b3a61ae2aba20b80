using Ml.GanSdp.Metrics;
using Ml.GanSdp.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Tests.Onnx;

/// <summary>
/// The CNN classifier's ONNX export against the TorchSharp network it was exported from: softmax probabilities to 1e-5
/// (batched and one-row views, two pixel ranges, gray 28 x 28 and RGB 32 x 32), the one-hot of their argmax.
/// </summary>
[TestClass]
public sealed class DomainClassifierExporterTests
{
    private static float[] Expected(DomainClassifier net, Tensor raw, float min, float max)
    {
        using var scope = NewDisposeScope();
        net.eval();
        using var _ = no_grad();
        var unit = (raw - min) / (max - min);
        return softmax(net.forward(unit), 1).ToArray<float>();
    }

    [TestMethod]
    [DataRow(1, 28, 10, 0f, 255f)]
    [DataRow(3, 32, 3, -1f, 1f)]
    public void Probabilities_EqualTorchSharpsSoftmax_To1e5_InBatchedAndOneRowModels(int channels, int side, int classes, float min, float max)
    {
        using var net = new DomainClassifier(channels, side, classes, featureDimension: 32, seed: 4);
        using var scope = NewDisposeScope();
        // A few Adam steps so the weights are not just the initialization.
        var gen = new Generator(9);
        var trainX = rand([64, channels, side, side], generator: gen);
        net.Train(trainX, randint(0, classes, [64], generator: gen), new DomainClassifierTrainingOptions { Epochs = 2, BatchSize = 16, Seed = 2 });
        const int n = 12;
        var raw = rand([n, channels, side, side], generator: gen) * (max - min) + min;
        var expected = Expected(net, raw, min, max);
        var pixels = raw.ToArray<float>();

        var batched = DomainClassifierExporter.Build(net, new("Pixels", min, max, SingleRow: false, "P", "OneHot"));
        using var session = Ort.Session(batched);
        var outputs = Ort.Run(session, Ort.Input("Pixels", new NdArray<float>(pixels, [n, channels, side, side])));
        double worst = ArrayAssert.Close(expected, outputs["P"].Data, 1e-5, 0, "batched probabilities");
        CollectionAssert.AreEqual(new[] { n, classes }, outputs["P"].Shape);
        for (int i = 0; i < n; i++)
        {
            var p = expected.AsSpan(i * classes, classes);
            int argmax = p.IndexOf(p.ToArray().Max());
            CollectionAssert.AreEqual(Enumerable.Range(0, classes).Select(c => c == argmax ? 1f : 0f).ToArray(), outputs["OneHot"].Data.AsSpan(i * classes, classes).ToArray(), $"row {i} one-hot");
        }

        var single = DomainClassifierExporter.Build(net, new("Pixels", min, max, SingleRow: true, "P", "OneHot"));
        using var one = Ort.Session(single);
        int d = channels * side * side;
        for (int i = 0; i < n; i++)
        {
            var row = Ort.Run(one, Ort.Input("Pixels", new NdArray<float>(pixels.AsSpan(i * d, d).ToArray(), [1, channels, side, side])));
            CollectionAssert.AreEqual(new[] { classes }, row["P"].Shape);
            worst = Math.Max(worst, ArrayAssert.Close(expected.AsSpan(i * classes, classes).ToArray(), row["P"].Data, 1e-5, 0, $"one-row model, row {i}"));
        }
        Console.WriteLine($"{channels}x{side}x{side}, {classes} classes, pixels {min}..{max}: max |ONNX - TorchSharp| = {worst:E2}");
    }

    [TestMethod]
    public void BadPixelRange_IsRefused()
    {
        using var net = new DomainClassifier();
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => DomainClassifierExporter.Build(net, new("x", 1, 1, true, "P", "O"))).Message, "[1, 1]");
    }
}
