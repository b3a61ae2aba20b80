using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Metrics;

/// <summary>Improved precision and recall, with the neighbourhood size used.</summary>
public sealed record PrecisionRecallResult(double Precision, double Recall, int K);

/// <summary>
/// Improved precision and recall (Kynkaanniemi, Karras, Laine, Lehtinen and Aila 2019, "Improved Precision and
/// Recall Metric for Assessing Generative Models"). Each set's manifold is the union of balls centred on its
/// vectors with radius the distance to the k-th nearest other vector of the same set (k = 3). Precision is the
/// fraction of generated vectors inside the real manifold (fidelity); recall the fraction of real vectors inside
/// the generated manifold (coverage). A point q is inside when ||q - x_i|| &lt;= r_i for some i. Euclidean
/// distances are computed in float64, in row blocks of <c>batchSize</c> so memory stays at batchSize x N.
/// </summary>
public static class PrecisionRecall
{
    /// <summary>Precision and recall of generated features against real ones (both N x d).</summary>
    public static PrecisionRecallResult Compute(Tensor realFeatures, Tensor fakeFeatures, int k = 3, int batchSize = 1024)
    {
        KernelInceptionDistance.CheckFeatures(realFeatures, fakeFeatures);
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), k, "k must be at least 1.");
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "The batch size must be positive.");
        foreach (var (t, name) in new[] { (realFeatures, "real"), (fakeFeatures, "generated") })
            if (t.size(0) <= k) throw new ArgumentException($"The {name} set has {t.size(0)} vectors; k = {k} nearest neighbours need at least k + 1.");
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var real = realFeatures.to(ScalarType.Float64);
        var fake = fakeFeatures.to(ScalarType.Float64);
        var realRadii = NearestNeighbourRadii(real, k, batchSize);
        var fakeRadii = NearestNeighbourRadii(fake, k, batchSize);
        double precision = FractionInsideManifold(fake, real, realRadii, batchSize);
        double recall = FractionInsideManifold(real, fake, fakeRadii, batchSize);
        return new PrecisionRecallResult(precision, recall, k);
    }

    /// <summary>For each row, the distance to its k-th nearest other row (the row itself, at distance 0, is not counted).</summary>
    public static Tensor NearestNeighbourRadii(Tensor points, int k, int batchSize = 1024)
    {
        long n = points.size(0);
        if (n <= k) throw new ArgumentException($"{n} vectors have no {k}-th nearest neighbour.");
        var parts = new List<Tensor>();
        try
        {
            for (long start = 0; start < n; start += batchSize)
            {
                using var scope = NewDisposeScope();
                var rows = points.narrow(0, start, Math.Min(batchSize, n - start));
                var distances = cdist(rows, points);
                var (values, _) = distances.topk(k + 1, dim: 1, largest: false, sorted: true);
                parts.Add(values.select(1, k).contiguous().MoveToOuterDisposeScope());
            }
            return cat(parts, 0);
        }
        finally
        {
            foreach (var p in parts) p.Dispose();
        }
    }

    /// <summary>The fraction of <paramref name="queries"/> within radius r_i of some manifold point x_i.</summary>
    public static double FractionInsideManifold(Tensor queries, Tensor manifold, Tensor radii, int batchSize = 1024)
    {
        long n = queries.size(0);
        if (n == 0) return double.NaN;
        using var r = radii.unsqueeze(0);
        long inside = 0;
        for (long start = 0; start < n; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var rows = queries.narrow(0, start, Math.Min(batchSize, n - start));
            var covering = cdist(rows, manifold).le(r).sum(1); // how many balls contain each query
            inside += covering.gt(0).sum().item<long>();
        }
        return inside / (double)n;
    }
}
