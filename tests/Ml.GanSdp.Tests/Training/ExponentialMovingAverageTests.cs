using Ml.GanSdp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Tests.Training;

[TestClass]
public class ExponentialMovingAverageTests
{
    private sealed class WithBuffer : nn.Module
    {
        public WithBuffer(float w, float b) : base(nameof(WithBuffer))
        {
            register_parameter("w", new TorchSharp.Modules.Parameter(tensor(new[] { w, w })));
            register_buffer("stat", tensor(new[] { b }));
        }
    }

    [TestMethod]
    public void CopiesBeforeStartAndAveragesAfter()
    {
        using var source = new WithBuffer(1f, 5f);
        using var target = new WithBuffer(0f, 0f);
        var ema = new ExponentialMovingAverage(source, target, decay: 0.9, startIteration: 2);
        Assert.AreEqual(1f, target.get_parameter("w")!.ToArray<float>()[0], "constructor copies");

        Set(source, 3f, 6f);
        ema.Update(1);
        Assert.AreEqual(3f, target.get_parameter("w")!.ToArray<float>()[0], "before the start iteration the EMA copies");

        Set(source, 13f, 7f);
        ema.Update(2);
        Assert.AreEqual(0.9f * 3f + 0.1f * 13f, target.get_parameter("w")!.ToArray<float>()[1], 1e-6f);
        Assert.AreEqual(7f, target.get_buffer("stat")!.ToArray<float>()[0], "buffers are copied");
    }

    [TestMethod]
    public void RejectsMismatchedModules()
    {
        using var a = new WithBuffer(1f, 1f);
        using var b = new TinyGenerator();
        Assert.ThrowsExactly<ArgumentException>(() => new ExponentialMovingAverage(a, b.Module, 0.99));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new ExponentialMovingAverage(a, new WithBuffer(0, 0), 1.0));
    }

    private static void Set(WithBuffer m, float w, float b)
    {
        using var _ = no_grad();
        m.get_parameter("w")!.fill_(w);
        m.get_buffer("stat")!.fill_(b);
    }
}
