using TorchSharp;

namespace Ml.GanSdp.Tests.TestSupport;

/// <summary>TorchSharp's count of tensors created and not yet disposed on this thread (leak checks).</summary>
public static class TensorCounts
{
    public static long Live => DisposeScopeManager.Statistics.ThreadTotalLiveCount;
}
