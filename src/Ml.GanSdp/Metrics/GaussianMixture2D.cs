using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Metrics;

/// <summary>
/// The 2-D mixtures used to measure mode collapse (Metz et al. 2017; Srivastava et al. 2017): a ring of 8
/// Gaussians and a 5x5 grid of 25 Gaussians, each mode equally likely.
/// </summary>
public sealed class GaussianMixture2D
{
    /// <summary>A mixture with the given mode centres (M x 2) and a common standard deviation.</summary>
    public GaussianMixture2D(string name, double[,] means, double std)
    {
        if (means.GetLength(1) != 2) throw new ArgumentException("Mode centres must be M x 2.", nameof(means));
        if (!(std > 0)) throw new ArgumentOutOfRangeException(nameof(std), std, "The standard deviation must be positive.");
        Name = name;
        Means = means;
        Std = std;
    }

    /// <summary>Short name ("ring8", "grid25").</summary>
    public string Name { get; }

    /// <summary>Mode centres, M x 2.</summary>
    public double[,] Means { get; }

    /// <summary>Standard deviation of every mode (isotropic).</summary>
    public double Std { get; }

    /// <summary>Number of modes.</summary>
    public int ModeCount => Means.GetLength(0);

    /// <summary>8 modes on a circle of radius 2 at angles 2 pi i / 8, std 0.02.</summary>
    public static GaussianMixture2D Ring8(double radius = 2, double std = 0.02)
    {
        var m = new double[8, 2];
        for (int i = 0; i < 8; i++)
        {
            m[i, 0] = radius * Math.Cos(2 * Math.PI * i / 8);
            m[i, 1] = radius * Math.Sin(2 * Math.PI * i / 8);
        }
        return new GaussianMixture2D("ring8", m, std);
    }

    /// <summary>25 modes at {-4, -2, 0, 2, 4}^2, std 0.05.</summary>
    public static GaussianMixture2D Grid25(double std = 0.05)
    {
        var m = new double[25, 2];
        int k = 0;
        for (int i = -2; i <= 2; i++)
            for (int j = -2; j <= 2; j++)
            {
                m[k, 0] = 2 * i;
                m[k, 1] = 2 * j;
                k++;
            }
        return new GaussianMixture2D("grid25", m, std);
    }

    /// <summary>The mode centres as an M x 2 float32 tensor.</summary>
    public Tensor MeansTensor()
    {
        var flat = new float[ModeCount * 2];
        for (int i = 0; i < ModeCount; i++)
        {
            flat[2 * i] = (float)Means[i, 0];
            flat[2 * i + 1] = (float)Means[i, 1];
        }
        return tensor(flat, new long[] { ModeCount, 2 });
    }

    /// <summary>Draws <paramref name="n"/> samples (n x 2, float32): a uniform mode, plus N(0, std^2 I) noise.</summary>
    public Tensor Sample(long n, Generator? generator = null)
    {
        using var scope = NewDisposeScope();
        var means = MeansTensor();
        var modes = randint(0, ModeCount, new[] { n }, ScalarType.Int64, generator: generator);
        var centres = means.index_select(0, modes);
        var noise = randn(new[] { n, 2L }, ScalarType.Float32, generator: generator);
        return (centres + noise * Std).MoveToOuterDisposeScope();
    }
}
