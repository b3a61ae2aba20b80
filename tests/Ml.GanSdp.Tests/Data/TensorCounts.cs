using static Ml.GanSdp.torch;

namespace Ml.GanSdp.Tests.Data;

/// <summary>Live-tensor counts that finalizers of earlier tests' garbage cannot move during a test.</summary>
internal static class TensorCounts
{
    /// <summary>Runs pending finalizers, then returns <see cref="LiveTensorCount"/>.</summary>
    public static long Settled()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return LiveTensorCount;
    }
}
