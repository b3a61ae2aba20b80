using static Ml.GanSdp.torch;

namespace Ml.GanSdp.Data;

/// <summary>1-D tensors from arrays, also for a single element (<c>torch.tensor</c> makes a 0-d tensor of one value).</summary>
internal static class Vectors
{
    internal static Tensor Of<T>(T[] values) where T : unmanaged => tensor<T>(values, new long[] { values.Length });
}
