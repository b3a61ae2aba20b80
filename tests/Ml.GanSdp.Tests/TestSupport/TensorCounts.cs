using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Tests.TestSupport;

/// <summary>TorchSharp's count of tensors created and not yet disposed on this thread (leak checks).</summary>
/// <remarks>
/// The count is per thread and exact for tensors disposed on the creating thread. A tensor left to the garbage
/// collector is finalized on the finalizer thread and stays counted here forever, so a missing Dispose always shows.
/// One artefact is not a leak: TorchSharp returns an undefined gradient (<c>autograd.grad(..., allow_unused: true)</c>
/// for an input the output does not depend on) as a wrapper with no native handle. Creating it is counted, but
/// disposing an empty handle is not, so each such wrapper stays in <see cref="Live"/> although it holds nothing;
/// <see cref="UndefinedGradients"/> counts them so that a test can expect exactly that many.
/// </remarks>
public static class TensorCounts
{
    public static long Live => DisposeScopeManager.Statistics.ThreadTotalLiveCount;

    /// <summary>How many of <paramref name="grads"/> are undefined (no native handle; see the remarks).</summary>
    public static int UndefinedGradients(IEnumerable<Tensor> grads) => grads.Count(g => g.IsInvalid);

    /// <summary>Disposes <paramref name="grads"/> and returns how many of them were undefined (see the remarks).</summary>
    public static int DisposeGradients(IEnumerable<Tensor> grads)
    {
        int undefined = 0;
        foreach (var g in grads)
        {
            if (g.IsInvalid) undefined++;
            g.Dispose();
        }
        return undefined;
    }
}
