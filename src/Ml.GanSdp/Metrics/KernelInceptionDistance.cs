using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Metrics;

/// <summary>KID over random subsets: the mean and standard deviation (numpy's ddof=0) of the subset estimates.</summary>
public sealed record KernelInceptionDistanceResult(double Mean, double StandardDeviation, int Subsets, int SubsetSize);

/// <summary>
/// Kernel Inception Distance (Binkowski, Sutherland, Arbel and Gretton 2018, "Demystifying MMD GANs"): the
/// unbiased estimate of the squared maximum mean discrepancy between real and generated features under the cubic
/// polynomial kernel <c>k(x, y) = (x . y / d + 1)^3</c>. With m vectors from each set,
/// <c>MMD^2_u = sum_{i != j} k(x_i, x_j) / (m (m - 1)) + sum_{i != j} k(y_i, y_j) / (m (m - 1)) - 2 sum_{i, j} k(x_i, y_j) / m^2</c>.
/// It is unbiased (can be slightly negative) and needs no Gaussian assumption. Following the paper and its
/// reference code, it is averaged over random subsets (default 100 subsets of 1000 vectors, drawn without
/// replacement, the size capped by the smaller set). Computed in float64.
/// </summary>
public static class KernelInceptionDistance
{
    /// <summary>KID of two N x d feature sets.</summary>
    public static KernelInceptionDistanceResult Compute(Tensor realFeatures, Tensor fakeFeatures, int subsets = 100, int subsetSize = 1000, Generator? generator = null)
    {
        CheckFeatures(realFeatures, fakeFeatures);
        if (subsets < 1) throw new ArgumentOutOfRangeException(nameof(subsets), subsets, "At least one subset is needed.");
        long n = Math.Min(realFeatures.size(0), fakeFeatures.size(0));
        int m = (int)Math.Min(subsetSize, n);
        if (m < 2) throw new ArgumentException($"KID needs at least 2 vectors per set, got {realFeatures.size(0)} real and {fakeFeatures.size(0)} generated.");
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var x = realFeatures.to(ScalarType.Float64);
        var y = fakeFeatures.to(ScalarType.Float64);
        var values = new double[subsets];
        for (int s = 0; s < subsets; s++)
        {
            using var inner = NewDisposeScope();
            var ix = Draws.Permutation(x.size(0), x.device, generator).narrow(0, 0, m);
            var iy = Draws.Permutation(y.size(0), y.device, generator).narrow(0, 0, m);
            values[s] = UnbiasedMmd2(x.index_select(0, ix), y.index_select(0, iy));
        }
        double mean = values.Average();
        double std = Math.Sqrt(values.Select(v => (v - mean) * (v - mean)).Average());
        return new KernelInceptionDistanceResult(mean, std, subsets, m);
    }

    /// <summary>The cubic polynomial kernel matrix (x y^T / d + 1)^3 between the rows of x (n x d) and y (m x d).</summary>
    public static Tensor PolynomialKernel(Tensor x, Tensor y)
    {
        long d = x.size(1);
        using var dot = x.matmul(y.T);
        var k = dot / (double)d;
        k.add_(1.0);
        using (k) return k.pow(3);
    }

    /// <summary>The unbiased MMD^2 estimate between two equal-sized sets of m &gt;= 2 vectors (float64 recommended).</summary>
    public static double UnbiasedMmd2(Tensor x, Tensor y)
    {
        long m = x.size(0);
        if (y.size(0) != m) throw new ArgumentException($"The unbiased MMD estimate here needs sets of equal size, got {m} and {y.size(0)}.");
        if (m < 2) throw new ArgumentException("The unbiased MMD estimate needs at least 2 vectors per set.");
        using var scope = NewDisposeScope();
        var kxx = PolynomialKernel(x, x);
        var kyy = PolynomialKernel(y, y);
        var kxy = PolynomialKernel(x, y);
        double offDiagonalXX = kxx.sum().item<double>() - kxx.trace().item<double>();
        double offDiagonalYY = kyy.sum().item<double>() - kyy.trace().item<double>();
        double cross = kxy.sum().item<double>();
        return (offDiagonalXX + offDiagonalYY) / (m * (m - 1.0)) - 2 * cross / ((double)m * m);
    }

    internal static void CheckFeatures(Tensor real, Tensor fake)
    {
        var a = real.shape;
        var b = fake.shape;
        if (a.Length != 2 || b.Length != 2 || a[1] != b[1])
            throw new ArgumentException($"Feature sets must be N x d with the same d, got [{string.Join(", ", a)}] and [{string.Join(", ", b)}].");
    }
}
