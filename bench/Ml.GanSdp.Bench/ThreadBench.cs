using System.Diagnostics;
using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Bench;

/// <summary>
/// <c>eigh</c>: seconds for <c>linalg.eigh</c> of an n x n symmetric float64 matrix (A A^T / n + I from a seeded
/// N(0, 1) matrix; the Frechet distance's heaviest kind of operation), median over reps after one warm-up call.
/// bench/threads.sh runs it at 1 and 2 intra-op threads with the other core idle and busy.
/// </summary>
internal static class ThreadBench
{
    public static int Eigh(Args a)
    {
        int n = a.Int("n", 2048), reps = a.Int("reps", 3);
        BenchThreads.Apply(a);
        a.ThrowIfUnused();
        if (n < 1 || reps < 1) throw new ArgumentException("n and reps must be at least 1.");
        using var scope = NewDisposeScope();
        using var rng = new Generator(5);
        var m = randn(new long[] { n, n }, ScalarType.Float64, generator: rng);
        var s = m.matmul(m.T) / n + eye(n, dtype: ScalarType.Float64);
        using (var warm = NewDisposeScope()) linalg.eigh(s);
        var times = new List<double>();
        for (int r = 0; r < reps; r++)
        {
            using var inner = NewDisposeScope();
            var clock = Stopwatch.StartNew();
            var (w, _) = linalg.eigh(s);
            times.Add(clock.Elapsed.TotalSeconds);
            if (!double.IsFinite(w.sum().item<double>())) throw new InvalidOperationException("eigh gave non-finite eigenvalues");
        }
        times.Sort();
        Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "RESULT eigh cs {0:F3}", times[times.Count / 2]));
        return 0;
    }
}
