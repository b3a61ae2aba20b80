using Ml.GanSdp.Models;
using Ml.GanSdp.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace Ml.GanSdp.Tests.Models;

[TestClass]
public class ConditionalBatchNormTests
{
    [TestMethod]
    public void StartsAsPlainBatchNormAndAppliesPerClassGainAndBias()
    {
        using var scope = NewDisposeScope();
        manual_seed(9);
        using var cbn = new ConditionalBatchNorm(3, 4);
        Assert.IsTrue(TensorAssert.Equal(ones(4, 3), ((TorchSharp.Modules.Embedding)cbn.named_children().First(c => c.name == "gamma").module).weight!));
        var x = randn(5, 3, 2, 2) * 3 + 1;
        var y = tensor(new long[] { 0, 3, 3, 1, 2 });
        var plain = batch_norm(x, null, null, null, null, true);
        TensorAssert.Close(plain, cbn.forward(x, y), 1e-5, 1e-6, "untrained CBN = BN without affine");

        var gamma = ((TorchSharp.Modules.Embedding)cbn.named_children().First(c => c.name == "gamma").module).weight!;
        var beta = ((TorchSharp.Modules.Embedding)cbn.named_children().First(c => c.name == "beta").module).weight!;
        using (no_grad())
        {
            gamma.copy_(randn(4, 3));
            beta.copy_(randn(4, 3));
        }
        var expected = plain * gamma.index_select(0, y).view(5, 3, 1, 1) + beta.index_select(0, y).view(5, 3, 1, 1);
        TensorAssert.Close(expected, cbn.forward(x, y), 1e-5, 1e-6, "gamma[y] * BN(x) + beta[y]");
        CollectionAssert.AreEquivalent(new[] { "bn.running_mean", "bn.running_var", "bn.num_batches_tracked", "gamma.weight", "beta.weight" }, StateDicts.Copy(cbn).Keys.ToList());
    }

    [TestMethod]
    public void RunningStatisticsAreUpdatedAndUsedInEval()
    {
        using var scope = NewDisposeScope();
        using var cbn = new ConditionalBatchNorm(2, 2);
        var x = randn(8, 2, 3, 3) + 5;
        var y = zeros(new long[] { 8 }, ScalarType.Int64);
        cbn.forward(x, y);
        var rm = StateDicts.Copy(cbn)["bn.running_mean"];
        Assert.IsTrue(rm.min().item<float>() > 0.3f, "running mean moved towards the batch mean");
        cbn.eval();
        var expected = batch_norm(x, StateDicts.Copy(cbn)["bn.running_mean"], StateDicts.Copy(cbn)["bn.running_var"], null, null, false);
        TensorAssert.Close(expected, cbn.forward(x, y), 1e-5, 1e-6, "eval uses running statistics");
    }

    [TestMethod]
    public void BadShapesAreClearErrors()
    {
        using var scope = NewDisposeScope();
        using var cbn = new ConditionalBatchNorm(3, 4);
        var e = Assert.ThrowsExactly<ArgumentException>(() => cbn.forward(randn(2, 4, 2, 2), tensor(new long[] { 0, 1 })));
        StringAssert.Contains(e.Message, "N x 3");
        e = Assert.ThrowsExactly<ArgumentException>(() => cbn.forward(randn(2, 3, 2, 2), tensor(new long[] { 0, 1, 2 })));
        StringAssert.Contains(e.Message, "labels");
    }
}
