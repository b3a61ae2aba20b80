using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Training;

/// <summary>Draws latent codes z ~ N(0, I) and, for a conditional generator, uniform class labels, from one generator.</summary>
public sealed class LatentSampler
{
    private readonly Generator _rng;

    /// <summary>Samples <paramref name="latentSize"/>-dimensional codes (and labels of <paramref name="numClasses"/> classes when &gt; 0) from <paramref name="rng"/>.</summary>
    public LatentSampler(Generator rng, long latentSize, int numClasses, Device? device = null)
    {
        _rng = rng;
        Device = device ?? CPU;
        LatentSize = latentSize;
        NumClasses = numClasses;
    }

    /// <summary>The device the codes are placed on (they are drawn on the CPU, so every device sees the same codes).</summary>
    public Device Device { get; }

    /// <summary>Size of z.</summary>
    public long LatentSize { get; }

    /// <summary>Classes of the fake labels (0 = unconditional).</summary>
    public int NumClasses { get; }

    /// <summary>The generator used (the regularizers get it too, as <see cref="Regularizers.RegularizerContext.Random"/>).</summary>
    public Generator Random => _rng;

    /// <summary>N latent codes and, when conditional, N labels (null otherwise). The caller owns them.</summary>
    public (Tensor z, Tensor? labels) Sample(int n)
    {
        var z = Draws.Normal(new[] { (long)n, LatentSize }, ScalarType.Float32, Device, _rng);
        var labels = NumClasses > 0 ? Draws.Integers(0, NumClasses, new long[] { n }, Device, _rng) : null;
        return (z, labels);
    }
}
