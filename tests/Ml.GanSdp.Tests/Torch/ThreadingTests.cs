using static Ml.GanSdp.torch;

namespace Ml.GanSdp.Tests.Torch;

/// <summary>The default thread setting (Threading.cs) and the in-place integer fix found by the benchmark.</summary>
[TestClass]
public class ThreadingTests
{
    [TestMethod]
    [DoNotParallelize]
    public void GansdpNumThreadsOverridesTheDefault()
    {
        var before = Environment.GetEnvironmentVariable("GANSDP_NUM_THREADS");
        try
        {
            Environment.SetEnvironmentVariable("GANSDP_NUM_THREADS", "2");
            Threading.ApplyDefaultThreading();
            Assert.AreEqual(2, get_num_threads());
        }
        finally
        {
            Environment.SetEnvironmentVariable("GANSDP_NUM_THREADS", before);
            Threading.ApplyDefaultThreading();
        }
        if (before is null && Environment.GetEnvironmentVariable("OMP_NUM_THREADS") is null && Threading.DefaultIntraOpThreads is int n)
            Assert.AreEqual(n, get_num_threads());
    }

    [TestMethod]
    public void InPlaceScalarAddOnIntegerTensorKeepsItsType()
    {
        using var t = zeros(Array.Empty<long>(), ScalarType.Int64);
        t.add_(1);
        Assert.AreEqual(ScalarType.Int64, t.dtype);
        Assert.AreEqual(1L, t.item<long>());
    }

    [TestMethod]
    public void BatchNormCountsBatchesInTraining()
    {
        using var bn = nn.BatchNorm2d(3);
        using var x = randn(4, 3, 2, 2);
        using (var y = bn.forward(x)) { }
        using (var y = bn.forward(x)) { }
        Assert.AreEqual(2L, bn.get_buffer("num_batches_tracked")!.item<long>());
    }
}
