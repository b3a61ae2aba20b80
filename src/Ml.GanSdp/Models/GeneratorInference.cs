using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Models;

/// <summary>
/// Generation from a trained generator without side effects, safe from several threads at once. It takes
/// ownership of the generator, puts it in evaluation mode once (batch norm then reads its running statistics, and
/// spectral norm its stored u and v, so nothing is written) and never switches it back; every call runs under
/// <c>no_grad</c> with its own tensors, so concurrent calls only read the shared weights and return exactly what a
/// single-threaded call returns. Switching the module back to training mode from outside is detected and refused
/// (an <see cref="InvalidOperationException"/>), since that would make generation update the model again.
/// </summary>
public sealed class GeneratorInference : IDisposable
{
    private readonly IGenerator _generator;
    private readonly Device _device;
    private int _disposed;

    /// <summary>Takes <paramref name="generator"/> (disposed with this object) and freezes it for inference on its device.</summary>
    public GeneratorInference(IGenerator generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        _generator = generator;
        generator.Module.eval();
        foreach (var p in generator.Module.parameters()) p.requires_grad = false;
        _device = generator.Module.parameters().FirstOrDefault()?.device ?? CPU;
    }

    /// <summary>Size of the latent code.</summary>
    public long LatentSize => _generator.LatentSize;

    /// <summary>Classes of a conditional generator (0 = unconditional).</summary>
    public int NumClasses => _generator.NumClasses;

    /// <summary>Shape of one sample.</summary>
    public long[] SampleShape => _generator.SampleShape;

    /// <summary>
    /// Samples for latent codes <paramref name="z"/> (N x LatentSize) and, when conditional, labels (int64, N), on the
    /// generator's device; the result is on the CPU and owned by the caller. Thread-safe.
    /// </summary>
    public Tensor Generate(Tensor z, Tensor? labels = null)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (_generator.Module.training)
            throw new InvalidOperationException("The generator was switched back to training mode after GeneratorInference froze it; generation would update its batch-norm statistics.");
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var zd = z.to(_device);
        var yd = labels?.to(_device);
        var images = _generator.Forward(zd, yd);
        return images.cpu().detach().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// <paramref name="count"/> samples from the latent codes drawn with a generator seeded by <paramref name="seed"/>
    /// (and uniform labels when conditional): the same seed gives the same samples. Thread-safe.
    /// </summary>
    public Tensor Generate(long count, long seed)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "Generate needs at least one sample.");
        using var rng = new Generator(unchecked((ulong)seed), CPU);
        using var z = Draws.Normal(new[] { count, LatentSize }, ScalarType.Float32, null, rng);
        using var y = NumClasses > 0 ? Draws.Integers(0, NumClasses, new[] { count }, null, rng) : null;
        return Generate(z, y);
    }

    /// <summary>Disposes the generator.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _generator.Dispose();
    }
}
