// FID benchmarks (see docs/benchmarks.md, "## FID").
//   dotnet run -c Release --project bench/fid/FidBench -- inception [batch=16] [reps=3] [size=32] [fused=0|1]
//   dotnet run -c Release --project bench/fid/FidBench -- frechet [d=2048] [reps=3]
// Compare with bench/fid/bench_fid_torch.py (same arguments).
using System.Diagnostics;

using Ml.GanSdp.Metrics;
using TorchSharp;
using static TorchSharp.torch;

string mode = args.Length > 0 ? args[0] : "inception";
int Arg(int i, int fallback) => args.Length > i ? int.Parse(args[i]) : fallback;
Console.WriteLine($"threads {get_num_threads()}");
if (mode == "inception")
{
    int batch = Arg(1, 16), reps = Arg(2, 3), size = Arg(3, 32);
    bool fused = Arg(4, 0) != 0;
    using var net = new InceptionV3Fid();
    if (fused) net.FuseBatchNorm();
    manual_seed(0);
    using var images = rand(batch, 3, size, size);
    using (var warm = net.Extract(images)) { }
    var times = new List<double>();
    for (int r = 0; r < reps; r++)
    {
        var sw = Stopwatch.StartNew();
        using var f = net.Extract(images);
        times.Add(sw.Elapsed.TotalSeconds);
    }
    Console.WriteLine($"C# inception{(fused ? " (batch norm fused)" : "")}: batch {batch} of {size}x{size} -> 2048-d, best {times.Min():F3} s, median {Median(times):F3} s ({batch / times.Min():F1} images/s)");
}
else if (mode == "frechet")
{
    int d = Arg(1, 2048), reps = Arg(2, 3);
    manual_seed(0);
    using var scope = NewDisposeScope();
    var a = randn(new long[] { 2 * d, d }, ScalarType.Float64);
    var b = randn(new long[] { 2 * d, d }, ScalarType.Float64).matmul(randn(new long[] { d, d }, ScalarType.Float64) * (1.0 / Math.Sqrt(d))) + 0.1;
    using var sa = GaussianStatistics.FromFeatures(a);
    using var sb = GaussianStatistics.FromFeatures(b);
    var mu1 = sa.Mean(); var s1 = sa.Covariance(); var mu2 = sb.Mean(); var s2 = sb.Covariance();
    var times = new List<double>();
    double value = 0;
    for (int r = 0; r < reps; r++)
    {
        var sw = Stopwatch.StartNew();
        value = FrechetDistance.Compute(mu1, s1, mu2, s2).Distance;
        times.Add(sw.Elapsed.TotalSeconds);
    }
    Console.WriteLine($"C# frechet: d = {d}, value {value:R}, best {times.Min():F3} s, median {Median(times):F3} s");
}
else throw new ArgumentException($"unknown mode {mode}");

static double Median(List<double> xs)
{
    var s = xs.OrderBy(x => x).ToList();
    return s[s.Count / 2];
}
