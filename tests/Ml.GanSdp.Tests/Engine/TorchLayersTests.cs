using Ml.GanSdp.Tests.TestSupport;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ml.GanSdp.Tests.Engine;

/// <summary>TorchLayers: TorchSharp layers built and initialized without undisposed tensors, parameters intact.</summary>
[TestClass]
public class TorchLayersTests
{
    [TestMethod]
    public void ConvolutionsBuiltInTheirOwnScopeKeepTheirParametersAndLeaveNothingBehind()
    {
        long before = TensorCounts.Live;
        manual_seed(3);
        using (var conv = TorchLayers.Create(() => nn.Conv2d(2, 3, 3)))
        using (var convT = TorchLayers.Create(() => nn.ConvTranspose2d(3, 2, 4, 2, 1)))
        {
            foreach (var p in conv.parameters().Concat(convT.parameters()))
            {
                Assert.IsFalse(p.IsInvalid, "a parameter was disposed with the construction scope");
                Assert.IsTrue(p.requires_grad);
            }
            // PyTorch's default bias init: U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = 2 * 3 * 3 for the conv.
            double bound = 1 / Math.Sqrt(18);
            using var a = conv.bias!.abs();
            using var b = a.max();
            Assert.IsTrue(b.ToDouble() <= bound && b.ToDouble() > 0, "the bias was initialized inside the scope");
            using var x = randn(1, 2, 6, 6);
            using var y = conv.call(x);
            using var z = convT.call(y);
            CollectionAssert.AreEqual(new long[] { 1, 2, 8, 8 }, z.shape);
        }
        Assert.AreEqual(before, TensorCounts.Live, "construction, use and disposal leave no tensor");
    }

    [TestMethod]
    public void EmbeddingWeightInitializationDisposesTheWrapperTorchSharpReturns()
    {
        long before = TensorCounts.Live;
        using (var e = nn.Embedding(4, 3).InitWeight(w => nn.init.ones_(w)))
        {
            using var rows = tensor(new long[] { 0, 3 });
            using var y = e.call(rows);
            using var s = y.sum();
            Assert.AreEqual(6.0, s.ToDouble(), "the initialization reached the embedding's weight");
        }
        Assert.AreEqual(before, TensorCounts.Live);
    }
}
