using System.Diagnostics;
using System.Globalization;
using Ml.GanSdp.Metrics;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Bench;

/// <summary>
/// FID benchmarks (docs/benchmarks.md, "## FID"); compare with bench/fid/bench_fid_torch.py (same settings).
/// <list type="bullet">
/// <item><c>fid-inception</c>: 2048-d features of a batch of random size x size RGB images through the FID Inception
/// (random weights, pytorch-fid's preprocessing), best and median seconds over reps after one warm-up batch;</item>
/// <item><c>frechet</c>: the Frechet distance of two d-dimensional float64 Gaussians (statistics of 2d random features).</item>
/// </list>
/// </summary>
internal static class FidBench
{
    public static int Inception(Args a)
    {
        int batch = a.Int("batch", 16), reps = a.Int("reps", 3), size = a.Int("size", 32);
        bool fused = a.Int("fused", 0) != 0;
        BenchThreads.Apply(a);
        a.ThrowIfUnused();
        if (batch < 1 || reps < 1 || size < 1) throw new ArgumentException("batch, reps and size must be at least 1.");
        using var net = new InceptionV3Fid();
        if (fused) net.FuseBatchNorm();
        manual_seed(0);
        using var images = rand(batch, 3, size, size);
        using (net.Extract(images)) { }
        var times = new List<double>();
        for (int r = 0; r < reps; r++)
        {
            var clock = Stopwatch.StartNew();
            using var f = net.Extract(images);
            times.Add(clock.Elapsed.TotalSeconds);
        }
        Console.WriteLine(F($"C# inception{(fused ? " (batch norm fused)" : "")}: batch {batch} of {size}x{size} -> 2048-d, best {times.Min():F3} s, median {Median(times):F3} s ({batch / times.Min():F1} images/s)"));
        return 0;
    }

    public static int Frechet(Args a)
    {
        int d = a.Int("d", 2048), reps = a.Int("reps", 3);
        BenchThreads.Apply(a);
        a.ThrowIfUnused();
        if (d < 1 || reps < 1) throw new ArgumentException("d and reps must be at least 1.");
        manual_seed(0);
        using var scope = NewDisposeScope();
        var x = randn(new long[] { 2 * d, d }, ScalarType.Float64);
        var y = randn(new long[] { 2 * d, d }, ScalarType.Float64).matmul(randn(new long[] { d, d }, ScalarType.Float64) * (1.0 / Math.Sqrt(d))) + 0.1;
        var sx = TensorFeatureStatistics.FromRows(x);
        var sy = TensorFeatureStatistics.FromRows(y);
        var mu1 = sx.Mean(); var s1 = sx.Covariance(); var mu2 = sy.Mean(); var s2 = sy.Covariance();
        var times = new List<double>();
        double value = 0;
        for (int r = 0; r < reps; r++)
        {
            var clock = Stopwatch.StartNew();
            value = FrechetDistance.Compute(mu1, s1, mu2, s2).Distance;
            times.Add(clock.Elapsed.TotalSeconds);
        }
        Console.WriteLine(F($"C# frechet: d = {d}, value {value:R}, best {times.Min():F3} s, median {Median(times):F3} s"));
        return 0;
    }

    private static double Median(List<double> xs)
    {
        var s = xs.OrderBy(x => x).ToList();
        return s[s.Count / 2];
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
