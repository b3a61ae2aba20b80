using Ml.GanSdp.Tests.TestSupport;
using Ml.GanSdp.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Tests.Models;

[TestClass]
public class ModelFactoryTests
{
    [TestMethod]
    [DataRow(Architecture.Dcgan, 28, 1, 0, false, 3)]
    [DataRow(Architecture.Dcgan, 32, 3, 0, false, 3)]
    [DataRow(Architecture.Dcgan, 64, 3, 0, false, 4)]
    [DataRow(Architecture.Dcgan, 64, 1, 10, true, 4)]
    [DataRow(Architecture.Dcgan, 28, 3, 2, false, 3)]
    [DataRow(Architecture.SnganCnn, 32, 3, 0, true, 7)]
    [DataRow(Architecture.SnganCnn, 32, 1, 10, true, 7)]
    [DataRow(Architecture.SnganResNet, 32, 3, 0, true, 4)]
    [DataRow(Architecture.SnganResNet, 32, 1, 10, false, 4)]
    public void ShapesRangeAndBlocks(Architecture a, int size, int channels, int classes, bool sn, int blocks)
    {
        var o = new ModelOptions { Architecture = a, LatentSize = 6, Channels = channels, ImageSize = size, Width = 4, NumClasses = classes, DiscriminatorSpectralNorm = sn };
        long before = TensorCounts.Live;
        var (g, d) = ModelFactory.Create(o);
        using (NewDisposeScope())
        {
            manual_seed(4);
            var z = randn(3, 6);
            var y = classes > 0 ? tensor(new long[] { 0, classes - 1, 1 % classes }) : null;
            Assert.AreEqual(classes, g.NumClasses);
            Assert.AreEqual(classes, d.NumClasses);
            CollectionAssert.AreEqual(new long[] { channels, size, size }, g.SampleShape);
            var x = g.Forward(z, y);
            CollectionAssert.AreEqual(new long[] { 3, channels, size, size }, x.shape);
            Assert.IsTrue(x.abs().max().item<float>() <= 1f, "generator output must lie in [-1, 1]");
            using var output = d.Forward(x, y);
            CollectionAssert.AreEqual(new long[] { 3 }, output.Scores.shape);
            Assert.AreEqual(blocks, output.BlockFeatures.Count, "blocks");
            foreach (var f in output.BlockFeatures)
            {
                Assert.AreEqual(4, f.dim());
                Assert.AreEqual(3, f.shape[0]);
            }
            output.Scores.sum().backward();
            Assert.IsNotNull(g.Module.parameters().First().grad, "gradients reach G through D");
        }
        g.Dispose();
        d.Dispose();
        Assert.AreEqual(before, TensorCounts.Live, "disposing the models frees every tensor");
    }

    [TestMethod]
    [DataRow(Architecture.Mlp, 0, true)]
    [DataRow(Architecture.Dcgan, 3, false)]
    [DataRow(Architecture.Dcgan, 0, true)]
    [DataRow(Architecture.SnganCnn, 3, true)]
    [DataRow(Architecture.SnganResNet, 3, true)]
    public void ForwardAndBackwardLeaveNoTensorBehindWithoutADisposeScope(Architecture a, int classes, bool sn)
    {
        var o = new ModelOptions { Architecture = a, LatentSize = 4, Channels = a == Architecture.Mlp ? 2 : 3, ImageSize = 32, Width = 2, NumClasses = classes, DiscriminatorSpectralNorm = sn };
        var (g, d) = ModelFactory.Create(o);
        using var _g = g;
        using var _d = d;
        long start = TensorCounts.Live;
        for (int step = 0; step < 2; step++)
        {
            using var z = randn(3, 4);
            using var y = classes > 0 ? tensor(new long[] { 0, 1, 2 }) : null;
            using var x = g.Forward(z, y);
            using var output = d.Forward(x, y);
            using var loss = output.Scores.sum();
            loss.backward();
        }
        Assert.AreEqual(start, TensorCounts.Live, "intermediate activations must be disposed by the models");
    }

    [TestMethod]
    public void MlpShapesAndVectorBlocks()
    {
        var o = new ModelOptions { Architecture = Architecture.Mlp, LatentSize = 3, Channels = 2, Width = 16, Depth = 2, DiscriminatorSpectralNorm = true };
        long before = TensorCounts.Live;
        var (g, d) = ModelFactory.Create(o);
        using (NewDisposeScope())
        {
            var x = g.Forward(randn(5, 3));
            CollectionAssert.AreEqual(new long[] { 5, 2 }, x.shape);
            CollectionAssert.AreEqual(new long[] { 2 }, g.SampleShape);
            using var output = d.Forward(x);
            CollectionAssert.AreEqual(new long[] { 5 }, output.Scores.shape);
            Assert.AreEqual(2, output.BlockFeatures.Count);
            foreach (var f in output.BlockFeatures) CollectionAssert.AreEqual(new long[] { 5, 16, 1, 1 }, f.shape);
            var names = StateDicts.Copy(d.Module).Keys.ToList();
            CollectionAssert.AreEquivalent(new[] { "main.0.bias", "main.0.weight_orig", "main.0.weight_u", "main.0.weight_v",
                "main.2.bias", "main.2.weight_orig", "main.2.weight_u", "main.2.weight_v",
                "main.4.bias", "main.4.weight_orig", "main.4.weight_u", "main.4.weight_v" }, names);
        }
        g.Dispose();
        d.Dispose();
        Assert.AreEqual(before, TensorCounts.Live);
    }

    [TestMethod]
    public void MlpModelsMatchPyTorch()
    {
        var modes = new[] { "train", "train", "eval" };
        var o = new ModelOptions { Architecture = Architecture.Mlp, LatentSize = 3, Channels = 2, Width = 8, Depth = 3 };
        ModelOracle.AssertForwardParity(new ModelOracle.ParityCase[]
        {
            new("MLP G", o, true, modes, 6),
            new("MLP D", o, false, modes, 6),
            new("MLP D SN", o with { DiscriminatorSpectralNorm = true }, false, modes, 6),
        });
    }

    [TestMethod]
    [DataRow("Width", Architecture.Dcgan, 32, 1, 0, 0, 3)]
    [DataRow("ImageSize", Architecture.Dcgan, 48, 1, 4, 0, 3)]
    [DataRow("ImageSize", Architecture.SnganResNet, 64, 3, 4, 0, 3)]
    [DataRow("Channels", Architecture.SnganCnn, 32, 2, 4, 0, 3)]
    [DataRow("NumClasses", Architecture.Mlp, 32, 2, 4, 3, 3)]
    [DataRow("NumClasses", Architecture.Dcgan, 32, 1, 4, -1, 3)]
    [DataRow("Depth", Architecture.Mlp, 32, 2, 4, 0, 0)]
    public void InvalidOptionsNameTheOption(string option, Architecture a, int size, int channels, int width, int classes, int depth)
    {
        var o = new ModelOptions { Architecture = a, ImageSize = size, Channels = channels, Width = width, NumClasses = classes, Depth = depth };
        var e = Assert.ThrowsExactly<ArgumentException>(() => ModelFactory.Create(o));
        StringAssert.Contains(e.Message, "ModelOptions." + option);
    }

    [TestMethod]
    public void BadInputsAreClearErrors()
    {
        var (g, d) = ModelFactory.Create(new ModelOptions { Architecture = Architecture.Dcgan, LatentSize = 5, Channels = 1, ImageSize = 28, Width = 2, NumClasses = 3 });
        using var _g = g;
        using var _d = d;
        using var scope = NewDisposeScope();
        var e = Assert.ThrowsExactly<ArgumentException>(() => g.Forward(randn(2, 4), tensor(new long[] { 0, 1 })));
        StringAssert.Contains(e.Message, "N x 5");
        e = Assert.ThrowsExactly<ArgumentException>(() => g.Forward(randn(2, 5)));
        StringAssert.Contains(e.Message, "labels are required");
        e = Assert.ThrowsExactly<ArgumentException>(() => d.Forward(randn(2, 1, 32, 32), tensor(new long[] { 0, 1 })));
        StringAssert.Contains(e.Message, "N x 1 x 28 x 28");
        e = Assert.ThrowsExactly<ArgumentException>(() => d.Forward(randn(2, 1, 28, 28), tensor(new long[] { 0, 1, 2 })));
        StringAssert.Contains(e.Message, "labels of shape [2]");
    }
}
