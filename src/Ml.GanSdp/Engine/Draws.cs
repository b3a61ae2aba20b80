using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp;

/// <summary>
/// Random draws from an explicit CPU <see cref="Generator"/>, placed on any device afterwards: the values depend only
/// on the generator's state (checkpointed by the trainer), never on the device, so a run on CUDA draws the same
/// latent codes, batches and augmentations as the same run on the CPU.
/// </summary>
internal static class Draws
{
    /// <summary>U(0, 1) of <paramref name="shape"/>.</summary>
    public static Tensor Uniform(long[] shape, ScalarType dtype, Device? device, Generator generator)
        => OnDevice(rand(shape, dtype, generator: generator), device);

    /// <summary>N(0, 1) of <paramref name="shape"/>.</summary>
    public static Tensor Normal(long[] shape, ScalarType dtype, Device? device, Generator generator)
        => OnDevice(randn(shape, dtype, generator: generator), device);

    /// <summary>Integers uniform in [<paramref name="low"/>, <paramref name="high"/>), int64.</summary>
    public static Tensor Integers(long low, long high, long[] shape, Device? device, Generator generator)
        => OnDevice(randint(low, high, shape, ScalarType.Int64, generator: generator), device);

    /// <summary>A random permutation of 0..n-1, int64.</summary>
    public static Tensor Permutation(long n, Device? device, Generator? generator)
        => OnDevice(randperm(n, ScalarType.Int64, generator: generator), device);

    private static Tensor OnDevice(Tensor t, Device? device)
    {
        if (device is null || device.type == DeviceType.CPU) return t;
        return t.to(device, disposeAfter: true);
    }
}
