using Ml.GanSdp.Serialization;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Metrics;

/// <summary>
/// Mean and covariance of feature vectors, accumulated batch by batch in float64 without keeping the features
/// (the statistics FID compares). Batches are merged with the pairwise update of Chan, Golub and LeVeque (1979):
/// for the running (n, mean, M2) and a batch (m, mean_b, M2_b), with delta = mean_b - mean,
/// <c>M2 += M2_b + delta delta^T n m / (n + m)</c> and <c>mean += delta m / (n + m)</c>, where M2 is the sum of
/// outer products of centred vectors. The covariance is the unbiased <c>M2 / (n - 1)</c>, numpy's
/// <c>np.cov(x, rowvar=False)</c>, as pytorch-fid uses.
/// <para>
/// Saved as <c>.npz</c> with <c>mu</c> (d) and <c>sigma</c> (d x d) float64, the keys pytorch-fid reads
/// (<c>np.load(path)['mu']</c>), plus <c>n</c> (the sample count, which pytorch-fid ignores).
/// </para>
/// </summary>
public sealed class GaussianStatistics : IDisposable
{
    private Tensor _mean;          // d, float64
    private Tensor? _m2;           // d x d, float64; null when loaded without a sample count
    private Tensor? _covariance;   // d x d, float64; set when loaded without a sample count

    /// <summary>Empty statistics of <paramref name="dimension"/>-d vectors.</summary>
    public GaussianStatistics(int dimension)
    {
        if (dimension <= 0) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "The feature dimension must be positive.");
        Dimension = dimension;
        _mean = zeros(new long[] { dimension }, ScalarType.Float64).DetachFromDisposeScope();
        _m2 = zeros(new long[] { dimension, dimension }, ScalarType.Float64).DetachFromDisposeScope();
        SampleCount = 0;
    }

    private GaussianStatistics(Tensor mean, Tensor covariance, long? count)
    {
        Dimension = (int)mean.size(0);
        _mean = mean;
        SampleCount = count;
        if (count is { } n && n >= 2)
        {
            _m2 = (covariance * (double)(n - 1)).DetachFromDisposeScope();
            covariance.Dispose();
        }
        else _covariance = covariance;
    }

    /// <summary>The feature dimension d.</summary>
    public int Dimension { get; }

    /// <summary>Number of vectors accumulated; null for statistics loaded from a file without <c>n</c>.</summary>
    public long? SampleCount { get; private set; }

    /// <summary>Whether the covariance is certainly singular: fewer than d + 1 samples give rank at most n - 1 &lt; d.</summary>
    public bool HasTooFewSamples => SampleCount is { } n && n < Dimension + 1;

    /// <summary>Statistics of the rows of an N x d tensor.</summary>
    public static GaussianStatistics FromFeatures(Tensor features)
    {
        if (features.dim() != 2) throw new ArgumentException($"Features must be N x d, got shape [{string.Join(", ", features.shape)}].", nameof(features));
        var s = new GaussianStatistics((int)features.size(1));
        s.Add(features);
        return s;
    }

    /// <summary>
    /// Statistics from a mean (d) and covariance (d x d); <paramref name="sampleCount"/> may be null when unknown
    /// (then no more batches can be added). The tensors are copied to float64.
    /// </summary>
    public static GaussianStatistics FromMoments(Tensor mu, Tensor sigma, long? sampleCount = null, string source = "statistics")
    {
        var ms = mu.shape;
        var ss = sigma.shape;
        if (ms.Length != 1 || ss.Length != 2 || ss[0] != ms[0] || ss[1] != ms[0])
            throw new ArgumentException($"{source}: mu must be d and sigma d x d, got mu [{string.Join(", ", ms)}] and sigma [{string.Join(", ", ss)}].");
        if (sampleCount is < 0) throw new ArgumentOutOfRangeException(nameof(sampleCount), sampleCount, "The sample count cannot be negative.");
        var m = mu.to(ScalarType.Float64, copy: true).DetachFromDisposeScope();
        var c = sigma.to(ScalarType.Float64, copy: true).DetachFromDisposeScope();
        return new GaussianStatistics(m, c, sampleCount);
    }

    /// <summary>Adds the rows of an N x d batch (any floating dtype; accumulated in float64).</summary>
    public void Add(Tensor batch)
    {
        var shape = batch.shape;
        if (shape.Length != 2 || shape[1] != Dimension)
            throw new ArgumentException($"A batch of features must be N x {Dimension}, got shape [{string.Join(", ", shape)}].", nameof(batch));
        if (_m2 is null || SampleCount is null)
            throw new InvalidOperationException("These statistics were loaded without a sample count, so batches cannot be merged into them.");
        long m = shape[0];
        if (m == 0) return;
        long n = SampleCount.Value;
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var x = batch.to(ScalarType.Float64);
        var batchMean = x.mean(new long[] { 0 });
        var centred = x - batchMean;
        var batchM2 = centred.T.matmul(centred);
        var delta = batchMean - _mean;
        double total = n + m;
        _m2.add_(batchM2);
        if (n > 0) _m2.add_(outer(delta, delta), n * (double)m / total);
        _mean.add_(delta, m / total);
        SampleCount = n + m;
    }

    /// <summary>The mean (a float64 copy; the caller owns it).</summary>
    public Tensor Mean()
    {
        if (SampleCount == 0) throw new InvalidOperationException("No features were added: the mean is undefined.");
        return _mean.clone();
    }

    /// <summary>The unbiased covariance M2 / (n - 1) (float64 d x d; the caller owns it). Needs at least 2 samples.</summary>
    public Tensor Covariance()
    {
        if (_covariance is not null) return _covariance.clone();
        if (SampleCount < 2) throw new InvalidOperationException($"The covariance needs at least 2 samples, got {SampleCount}.");
        return _m2! / (double)(SampleCount!.Value - 1);
    }

    /// <summary>Writes <c>mu</c>, <c>sigma</c> (float64) and <c>n</c> (int64, when known) to a .npz file atomically.</summary>
    public void Save(string path)
    {
        using var mu = Mean();
        using var sigma = Covariance();
        var arrays = new Dictionary<string, Tensor> { ["mu"] = mu, ["sigma"] = sigma };
        using var n = SampleCount is { } c ? tensor(c, ScalarType.Int64) : null;
        if (n is not null) arrays["n"] = n;
        Npy.SaveNpz(path, arrays);
    }

    /// <summary>Reads a .npz with <c>mu</c> and <c>sigma</c> (pytorch-fid's format), and <c>n</c> when present.</summary>
    public static GaussianStatistics Load(string path)
    {
        var arrays = Npy.LoadNpz(path);
        try
        {
            foreach (var key in new[] { "mu", "sigma" })
                if (!arrays.ContainsKey(key))
                    throw new InvalidDataException($"'{path}' has no '{key}' array (it has [{string.Join(", ", arrays.Keys)}]); FID statistics need 'mu' and 'sigma'.");
            long? n = null;
            if (arrays.TryGetValue("n", out var nt))
            {
                if (nt.numel() != 1) throw new InvalidDataException($"'{path}': 'n' must be a single sample count, got shape [{string.Join(", ", nt.shape)}].");
                using var nl = nt.to(ScalarType.Int64);
                n = nl.item<long>();
            }
            try { return FromMoments(arrays["mu"], arrays["sigma"], n, $"'{path}'"); }
            catch (ArgumentException e) { throw new InvalidDataException(e.Message, e); }
        }
        finally
        {
            foreach (var t in arrays.Values) t.Dispose();
        }
    }

    /// <summary>Frees the accumulated tensors.</summary>
    public void Dispose()
    {
        _mean.Dispose();
        _m2?.Dispose();
        _covariance?.Dispose();
    }
}
