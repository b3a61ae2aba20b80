using System.Runtime.InteropServices;
using Ml.GanSdp.Features;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Metrics;

/// <summary>The Frechet distance and its parts.</summary>
/// <param name="Distance">d^2 = ||mu1 - mu2||^2 + Tr(S1) + Tr(S2) - 2 Tr(sqrt(S1 S2)).</param>
/// <param name="SquaredMeanDistance">||mu1 - mu2||^2.</param>
/// <param name="TraceSigma1">Tr(S1) (with the epsilon when <paramref name="EpsilonAdded"/>).</param>
/// <param name="TraceSigma2">Tr(S2) (idem).</param>
/// <param name="TraceSqrtProduct">Tr(sqrt(S1 S2)).</param>
/// <param name="ProductRank">Numerical rank of the symmetric matrix similar to S1 S2 (d when the product is non-singular).</param>
/// <param name="Dimension">The feature dimension d.</param>
/// <param name="EpsilonAdded">Whether eps was added to both diagonals because the product was not finite (pytorch-fid's fallback).</param>
/// <param name="Warnings">Everything worth knowing about the reliability of the value, in words.</param>
public sealed record FrechetDistanceResult(
    double Distance, double SquaredMeanDistance, double TraceSigma1, double TraceSigma2, double TraceSqrtProduct,
    int ProductRank, int Dimension, bool EpsilonAdded, IReadOnlyList<string> Warnings)
{
    /// <summary>Whether S1 S2 is singular (rank below d): the value is exact for the given covariances but they carry
    /// no information in some directions (too few samples, or degenerate features).</summary>
    public bool ProductIsSingular => ProductRank < Dimension;
}

/// <summary>
/// The Frechet (2-Wasserstein) distance between Gaussians N(mu1, S1) and N(mu2, S2) (Dowson and Landau 1982),
/// which FID evaluates on Inception features (Heusel et al. 2017):
/// <c>d^2 = ||mu1 - mu2||^2 + Tr(S1) + Tr(S2) - 2 Tr(sqrt(S1 S2))</c>, in float64.
/// <para>
/// pytorch-fid computes <c>Tr(sqrtm(S1 S2))</c> with <c>scipy.linalg.sqrtm</c> on the non-symmetric product. Here
/// it comes from a symmetric eigenvalue problem instead: with a factor S1 = F F^T (the Cholesky factor L when S1
/// is positive definite, else <c>R = S1^(1/2) = V diag(sqrt(w)) V^T</c> from eigh with tiny negative eigenvalues
/// clamped to 0), the matrices <c>S1 S2 = F (F^T S2)</c> and <c>M = (F^T S2) F = F^T S2 F</c> have the same
/// eigenvalues (AB and BA always do). M is symmetric positive semi-definite, so its eigenvalues
/// (eigvalsh) are real and non-negative up to rounding (clamped at 0), and the principal square root of S1 S2 has
/// eigenvalues sqrt(lambda_i); its trace is therefore <c>sum_i sqrt(lambda_i(M))</c> — the same number scipy's
/// sqrtm produces up to its rounding (scipy returns a complex matrix whose imaginary part pytorch-fid drops), but
/// with no complex arithmetic, no failure on singular products and about 1e-9 relative agreement in practice.
/// </para>
/// <para>
/// Numerical edge cases: inputs must be finite (otherwise an exception names which). If an intermediate is not
/// finite, eps (1e-6) is added to both diagonals and the computation repeated, with a warning, as pytorch-fid does
/// ("fid calculation produces singular product; adding eps to diagonal of cov estimates"). A singular product (for
/// example a covariance from n &lt; d + 1 samples) is computed exactly but reported in
/// <see cref="FrechetDistanceResult.ProductRank"/> and a warning; the <see cref="FeatureStatistics"/> overload
/// refuses such statistics unless asked to allow them. The linear algebra runs on TorchSharp's float64 LAPACK kernels
/// (Cholesky, symmetric eigenvalues); inputs and outputs are plain arrays.
/// </para>
/// </summary>
public static class FrechetDistance
{
    /// <summary>pytorch-fid's diagonal offset for non-finite products.</summary>
    public const double DefaultEpsilon = 1e-6;

    /// <summary>
    /// The Frechet distance between two sets of feature statistics (<see cref="FeatureStatistics.Mean"/> and
    /// <see cref="FeatureStatistics.Covariance"/>). Statistics of different feature spaces (both named, names
    /// different) are refused. When either was estimated from fewer than d + 1 samples its covariance is singular and
    /// the distance strongly biased: this throws unless <paramref name="allowTooFewSamples"/>, in which case the result
    /// carries a warning.
    /// </summary>
    public static FrechetDistanceResult Compute(FeatureStatistics first, FeatureStatistics second, bool allowTooFewSamples = false,
        double eps = DefaultEpsilon, Action<string>? onWarning = null)
        => Compute(first, second, allowTooFewSamples, eps, onWarning, "first", "second");

    /// <summary>As the public overload, naming the two sides in messages (e.g. "real", "generated").</summary>
    internal static FrechetDistanceResult Compute(FeatureStatistics first, FeatureStatistics second, bool allowTooFewSamples,
        double eps, Action<string>? onWarning, string firstName, string secondName)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (first.Dimension != second.Dimension)
            throw new ArgumentException($"The statistics have different dimensions: {first.Dimension} and {second.Dimension}.");
        if (first.FeatureSpace is { } a && second.FeatureSpace is { } b && !string.Equals(a, b, StringComparison.Ordinal))
            throw new ArgumentException($"The statistics come from different feature spaces ('{a}' and '{b}'); a Frechet distance compares statistics of the same network.");
        var warnings = new List<string>();
        foreach (var (s, name) in new[] { (first, firstName), (second, secondName) })
        {
            if (!s.HasTooFewSamples) continue;
            var message = $"The {name} statistics come from {s.Count} samples, fewer than d + 1 = {s.Dimension + 1}: their covariance is singular and the Frechet distance is unreliable (use at least 10,000 samples for 2048-d Inception features).";
            if (!allowTooFewSamples) throw new ArgumentException(message + " Pass allowTooFewSamples: true to compute it anyway.");
            warnings.Add(message);
            onWarning?.Invoke(message);
        }
        var r = Compute(first.Mean(), first.Covariance(), second.Mean(), second.Covariance(), eps, onWarning);
        return warnings.Count == 0 ? r : r with { Warnings = warnings.Concat(r.Warnings).ToList() };
    }

    /// <summary>
    /// The Frechet distance between N(mu1, sigma1) and N(mu2, sigma2): means of length d, covariances d x d row-major
    /// (d * d values), in float64.
    /// </summary>
    public static FrechetDistanceResult Compute(double[] mu1, double[] sigma1, double[] mu2, double[] sigma2, double eps = DefaultEpsilon, Action<string>? onWarning = null)
    {
        ArgumentNullException.ThrowIfNull(mu1);
        ArgumentNullException.ThrowIfNull(sigma1);
        ArgumentNullException.ThrowIfNull(mu2);
        ArgumentNullException.ThrowIfNull(sigma2);
        int d = CheckShapes(mu1, sigma1, mu2, sigma2);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var m1 = tensor(mu1, ScalarType.Float64);
        var m2 = tensor(mu2, ScalarType.Float64);
        var c1 = tensor(sigma1, new long[] { d, d }, ScalarType.Float64);
        var c2 = tensor(sigma2, new long[] { d, d }, ScalarType.Float64);
        foreach (var (t, name) in new[] { (m1, "mu1"), (c1, "sigma1"), (m2, "mu2"), (c2, "sigma2") })
            if (!AllFinite(t)) throw new ArgumentException($"{name} contains NaN or infinite values.");

        var warnings = new List<string>();
        double squaredMeanDistance = SquaredDistance(m1, m2);
        bool epsilonAdded = false;
        (double trace, int rank) product;
        try
        {
            // Equal covariances: sqrt(S S) = S for PSD S, so the trace terms cancel exactly and d^2 = ||mu1 - mu2||^2.
            product = sigma1.AsSpan().SequenceEqual(sigma2) ? (Trace(c1), NumericalRank(c1)) : TraceSqrtProduct(c1, c2);
            if (!double.IsFinite(product.trace)) throw new ArithmeticException("Tr(sqrt(S1 S2)) is not finite.");
        }
        catch (Exception e) when (e is ArithmeticException or ExternalException)
        {
            var message = $"Frechet distance: the product S1 S2 is not finite ({e.Message}); adding {eps:G3} to the diagonals of both covariances, as pytorch-fid does.";
            warnings.Add(message);
            onWarning?.Invoke(message);
            var offset = eye(d, dtype: ScalarType.Float64) * eps;
            c1 = c1 + offset;
            c2 = c2 + offset;
            epsilonAdded = true;
            product = TraceSqrtProduct(c1, c2);
            if (!double.IsFinite(product.trace)) throw new ArithmeticException("Tr(sqrt(S1 S2)) is not finite even with eps added to the diagonals.");
        }
        if (product.rank < d)
        {
            var message = $"Frechet distance: S1 S2 is singular (numerical rank {product.rank} of {d}); the value is exact for these covariances, but they were probably estimated from too few samples.";
            warnings.Add(message);
            onWarning?.Invoke(message);
        }
        double tr1 = Trace(c1), tr2 = Trace(c2);
        double distance = squaredMeanDistance + (tr1 + tr2 - 2 * product.trace);
        return new FrechetDistanceResult(distance, squaredMeanDistance, tr1, tr2, product.trace, product.rank, d, epsilonAdded, warnings);
    }

    /// <summary>
    /// Tr(sqrt(S1 S2)) = sum_i sqrt(lambda_i(M)) for symmetric positive semi-definite float64 matrices, where M is a
    /// symmetric matrix with the eigenvalues of S1 S2: <c>L^T S2 L</c> with the Cholesky factor S1 = L L^T (the fast
    /// path; S1 S2 = L (L^T S2) and (L^T S2) L share eigenvalues), else <c>L^T S1 L</c> with S2 = L L^T, else (both
    /// singular) <c>R S2 R</c> with R = S1^(1/2) from eigh. Also returns the numerical rank of M (eigenvalues above
    /// d * 2^-52 * lambda_max).
    /// </summary>
    internal static (double trace, int rank) TraceSqrtProduct(Tensor sigma1, Tensor sigma2)
    {
        using var scope = NewDisposeScope();
        var m = SymmetricSimilarProduct(sigma1, sigma2);
        var symmetric = (m + m.T) * 0.5;
        var lambda = linalg.eigvalsh(symmetric).ToArray<double>();
        double max = lambda.Length == 0 ? 0 : Math.Max(lambda[^1], 0);
        double tol = lambda.Length * Math.Pow(2, -52) * max;
        double trace = 0;
        int rank = 0;
        foreach (var l in lambda)
        {
            if (double.IsNaN(l)) return (double.NaN, 0);
            if (l > tol) rank++;
            trace += Math.Sqrt(Math.Max(l, 0)); // tiny negative eigenvalues are rounding: clamp to 0
        }
        return (trace, rank);
    }

    /// <summary>A symmetric PSD matrix with the eigenvalues of S1 S2 (see <see cref="TraceSqrtProduct"/>).</summary>
    private static Tensor SymmetricSimilarProduct(Tensor sigma1, Tensor sigma2)
    {
        if (CholeskyLower(sigma1) is { } l1)
            using (l1) return l1.T.matmul(sigma2).matmul(l1);
        if (CholeskyLower(sigma2) is { } l2)
            using (l2) return l2.T.matmul(sigma1).matmul(l2);
        using var root = SymmetricSqrt(sigma1);
        return root.matmul(sigma2).matmul(root);
    }

    /// <summary>The lower Cholesky factor, or null when the matrix is not (numerically) positive definite.</summary>
    internal static Tensor? CholeskyLower(Tensor symmetric)
    {
        var (l, info) = linalg.cholesky_ex(symmetric);
        using (info)
        {
            if (info.item<int>() == 0) return l;
        }
        l.Dispose();
        return null;
    }

    /// <summary>The number of eigenvalues of a symmetric matrix above d * 2^-52 * lambda_max.</summary>
    internal static int NumericalRank(Tensor symmetric)
    {
        using var w = linalg.eigvalsh(symmetric);
        var lambda = w.ToArray<double>();
        double tol = lambda.Length * Math.Pow(2, -52) * Math.Max(lambda.Length == 0 ? 0 : lambda[^1], 0);
        return lambda.Count(l => l > tol);
    }

    /// <summary>The symmetric square root V diag(sqrt(max(w, 0))) V^T of a symmetric PSD matrix (float64; the caller owns it).</summary>
    internal static Tensor SymmetricSqrt(Tensor sigma)
    {
        using var scope = NewDisposeScope();
        var (w, v) = linalg.eigh(sigma);
        var rootW = w.clamp_min(0).sqrt();
        var scaled = v * rootW.unsqueeze(0); // V diag(sqrt w): scales column j by sqrt(w_j)
        return scaled.matmul(v.T).MoveToOuterDisposeScope();
    }

    private static int CheckShapes(double[] mu1, double[] sigma1, double[] mu2, double[] sigma2)
    {
        if (mu1.Length != mu2.Length)
            throw new ArgumentException($"The means must be vectors of the same length, got mu1 of {mu1.Length} and mu2 of {mu2.Length} values.");
        int d = mu1.Length;
        if (d == 0) throw new ArgumentException("The statistics are empty (d = 0).");
        if (d > FeatureStatistics.MaxDimension) throw new ArgumentException($"d = {d} exceeds {FeatureStatistics.MaxDimension}.");
        if (sigma1.Length != d * d || sigma2.Length != d * d)
            throw new ArgumentException($"The covariances must be {d} x {d} ({d * d} values), got sigma1 of {sigma1.Length} and sigma2 of {sigma2.Length} values.");
        return d;
    }

    private static bool AllFinite(Tensor t)
    {
        using var f = t.isfinite();
        using var all = f.all();
        return all.item<bool>();
    }

    private static double SquaredDistance(Tensor a, Tensor b)
    {
        using var diff = a - b;
        using var sq = diff.square();
        using var s = sq.sum();
        return s.item<double>();
    }

    private static double Trace(Tensor m)
    {
        using var t = m.trace();
        return t.item<double>();
    }
}
