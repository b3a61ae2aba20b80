using System.Diagnostics;
using static Ml.GanSdp.torch;

namespace Ml.GanSdp.Tests.Torch;

/// <summary>A long training loop, each step in a dispose scope, keeps native tensors and process memory flat.</summary>
[TestClass]
public class MemoryTests
{
    [TestMethod]
    public void TwoThousandConvAdamStepsKeepTensorCountAndRssFlat()
    {
        manual_seed(1);
        using var net = nn.Sequential(nn.Conv2d(1, 4, 3, padding: 1), nn.BatchNorm2d(4), nn.LeakyReLU(0.2), nn.Conv2d(4, 1, 3, stride: 2));
        var fwd = (nn.Module<Tensor, Tensor>)net;
        using var opt = optim.Adam(net.parameters(), lr: 1e-3);
        using var x = randn(8, 1, 8, 8);
        double firstLoss, lastLoss = 0;

        double Step()
        {
            using var scope = NewDisposeScope();
            opt.zero_grad();
            var input = x.detach().requires_grad_();
            var y = fwd.forward(input);
            var loss = y.pow(2).mean();
            // a gradient-penalty style double backward, as GAN regularizers do
            var g = autograd.grad(new[] { loss }, new[] { input }, create_graph: true)[0]!;
            var total = loss + g.pow(2).sum() * 0.1;
            total.backward();
            opt.step();
            return total.item<double>();
        }

        firstLoss = Step();
        for (int i = 1; i < 100; i++) Step();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long tensorsAfterWarmup = LiveTensorCount;
        var process = Process.GetCurrentProcess();
        process.Refresh();
        long rssAfterWarmup = process.WorkingSet64;

        for (int i = 0; i < 1900; i++) lastLoss = Step();

        GC.Collect();
        GC.WaitForPendingFinalizers();
        process.Refresh();
        long growth = process.WorkingSet64 - rssAfterWarmup;
        Assert.IsTrue(LiveTensorCount <= tensorsAfterWarmup, $"live native tensors grew from {tensorsAfterWarmup} to {LiveTensorCount}");
        Assert.IsTrue(growth < 50L << 20, $"RSS grew by {growth >> 20} MB over 1900 steps");
        Assert.IsTrue(lastLoss < firstLoss, $"the loop trains (loss {firstLoss} -> {lastLoss})");
    }
}
