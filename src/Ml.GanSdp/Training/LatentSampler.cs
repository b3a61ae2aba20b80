using static Ml.GanSdp.torch;

namespace Ml.GanSdp.Training;

/// <summary>Draws latent codes z ~ N(0, I) and, for a conditional generator, uniform class labels, from one generator.</summary>
public sealed class LatentSampler
{
    private readonly Generator _rng;

    /// <summary>Samples <paramref name="latentSize"/>-dimensional codes (and labels of <paramref name="numClasses"/> classes when &gt; 0) from <paramref name="rng"/>.</summary>
    public LatentSampler(Generator rng, long latentSize, int numClasses)
    {
        _rng = rng;
        LatentSize = latentSize;
        NumClasses = numClasses;
    }

    /// <summary>Size of z.</summary>
    public long LatentSize { get; }

    /// <summary>Classes of the fake labels (0 = unconditional).</summary>
    public int NumClasses { get; }

    /// <summary>The generator used (the regularizers get it too, as <see cref="Regularizers.RegularizerContext.Random"/>).</summary>
    public Generator Random => _rng;

    /// <summary>N latent codes and, when conditional, N labels (null otherwise). The caller owns them.</summary>
    public (Tensor z, Tensor? labels) Sample(int n)
    {
        var z = randn(new[] { (long)n, LatentSize }, ScalarType.Float32, null, _rng);
        var labels = NumClasses > 0 ? randint(0, NumClasses, new long[] { n }, ScalarType.Int64, null, _rng) : null;
        return (z, labels);
    }
}
