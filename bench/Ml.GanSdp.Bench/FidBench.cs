using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Ml.GanSdp.Features;
using Ml.GanSdp.Metrics;
using Ml.GanSdp.Models;
using Ml.GanSdp.Serialization;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Bench;

/// <summary>
/// FID benchmarks (docs/benchmarks.md, "## FID"); bench/fid/run.sh interleaves them with bench/fid/bench_fid_torch.py.
/// <list type="bullet">
/// <item><c>fid-speed arm=...</c>: feature-extraction throughput (images/s) on one batch of <c>batch</c> random
/// 3 x size x size images, one warm-up pass, then <c>reps</c> timed passes; every arm has the same input and runs on
/// <c>threads</c> intra-op threads (libtorch and ONNX Runtime alike). Arms: <c>torchsharp</c> (InceptionV3Fid,
/// conv + batch norm as PyTorch), <c>torchsharp-fused</c> (batch norms folded), <c>onnx</c> (the exported network on
/// ONNX Runtime, the whole batch per call), <c>mlnet</c> (FeaturizeInceptionFid through ML.NET, one row per call),
/// <c>resnet18</c> (FeaturizeResNet18 through ML.NET). The Inception arms use random weights and 2048-d features;
/// speed does not depend on the weights. Output: <c>RESULT fid-speed ARM MEDIAN BEST</c> in images/s.</item>
/// <item><c>frechet</c>: the Frechet distance of two d-dimensional float64 Gaussians (statistics of 2d random features).</item>
/// </list>
/// </summary>
internal static class FidBench
{
    public static readonly string[] Arms = ["torchsharp", "torchsharp-fused", "onnx", "mlnet", "resnet18"];

    public static int Speed(Args a)
    {
        string arm = a.Str("arm", "torchsharp");
        int batch = a.Int("batch", 8), reps = a.Int("reps", 3), size = a.Int("size", 32), seed = a.Int("seed", 0);
        int threads = a.Int("threads", 1);
        a.ThrowIfUnused();
        if (!Arms.Contains(arm)) throw new ArgumentException($"arm must be one of {string.Join(", ", Arms)}, not '{arm}'.");
        if (batch < 1 || reps < 1 || size < 1 || size > FidPreprocessing.MaxSide) throw new ArgumentException("batch and reps must be at least 1, size 1..4096.");
        TorchThreads.Set(threads, "threads");
        Console.WriteLine($"THREADS intra={TorchThreads.Current}");

        var random = new Random(seed);
        var images = new float[batch * 3 * size * size];
        for (int i = 0; i < images.Length; i++) images[i] = (float)random.NextDouble();
        Func<int> pass = arm switch
        {
            "torchsharp" or "torchsharp-fused" => TorchSharpPass(images, batch, size, fused: arm == "torchsharp-fused"),
            "onnx" => OnnxPass(images, batch, size, threads),
            "mlnet" => MlNetPass(images, batch, size, threads, inception: true),
            _ => MlNetPass(images, batch, size, threads, inception: false),
        };
        pass(); // warm-up: first-call allocations, kernels, lazy initialization
        var rates = new List<double>();
        for (int r = 0; r < reps; r++)
        {
            var clock = Stopwatch.StartNew();
            int n = pass();
            rates.Add(n / clock.Elapsed.TotalSeconds);
        }
        Console.WriteLine(F($"RESULT fid-speed {arm} {Median(rates):F3} {rates.Max():F3}"));
        return 0;
    }

    /// <summary>InceptionV3Fid.Extract on the whole batch (the network's own batching).</summary>
    private static Func<int> TorchSharpPass(float[] images, int batch, int size, bool fused)
    {
        var net = new InceptionV3Fid();
        if (fused) net.FuseBatchNorm();
        var x = tensor(images, new long[] { batch, 3, size, size });
        return () =>
        {
            using var f = net.Extract(x);
            return (int)f.size(0);
        };
    }

    /// <summary>The exported model (<see cref="InceptionV3Fid.ToOnnx"/>) on ONNX Runtime, the whole batch per call.</summary>
    private static Func<int> OnnxPass(float[] images, int batch, int size, int threads)
    {
        byte[] model;
        using (var net = new InceptionV3Fid()) model = net.ToOnnx(3, size, size);
        var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1 };
        var session = new InferenceSession(model, options);
        var input = new[] { NamedOnnxValue.CreateFromTensor(InceptionV3Fid.OnnxInputName, new DenseTensor<float>(images, new[] { batch, 3, size, size })) };
        return () =>
        {
            using var results = session.Run(input);
            return results.Single().AsTensor<float>().Dimensions[0];
        };
    }

    /// <summary>FeaturizeInceptionFid or FeaturizeResNet18 through ML.NET (one row per ONNX call), streamed into statistics.</summary>
    private static Func<int> MlNetPass(float[] images, int batch, int size, int threads, bool inception)
    {
        var ml = new MLContext(seed: 1);
        int imageSize = 3 * size * size;
        var rows = Enumerable.Range(0, batch).Select(i => new PixelRow { Pixels = images.AsSpan(i * imageSize, imageSize).ToArray().Select(v => v * 255f).ToArray() }).ToList();
        var schema = SchemaDefinition.Create(typeof(PixelRow));
        schema[nameof(PixelRow.Pixels)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 3, size, size);
        var data = ml.Data.LoadFromEnumerable(rows, schema);
        IDataView featurized;
        if (inception)
        {
            var weights = Path.Combine(Path.GetTempPath(), $"gansdp-bench-inception-{Environment.ProcessId}.npz");
            using (var net = new InceptionV3Fid())
            {
                var sd = StateDicts.Copy(net);
                try { Npy.SaveNpz(weights, sd); }
                finally { foreach (var t in sd.Values) t.Dispose(); }
            }
            var estimator = ml.Transforms.FeaturizeInceptionFid(new InceptionFidFeaturizerOptions { OutputColumnName = "Features", InputColumnName = "Pixels", WeightsPath = weights, IntraOpThreads = threads });
            File.Delete(weights);
            featurized = estimator.Fit(data).Transform(data);
        }
        else featurized = ml.Transforms.FeaturizeResNet18(new ResNet18FeaturizerOptions { OutputColumnName = "Features", InputColumnName = "Pixels", IntraOpThreads = threads }).Fit(data).Transform(data);
        return () => (int)FeatureStatistics.FromColumn(featurized, "Features").Count!.Value;
    }

    private sealed class PixelRow
    {
        public float[] Pixels { get; set; } = Array.Empty<float>();
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
        Parts(s1, s2, d, reps);
        return 0;
    }

    /// <summary>
    /// Times the parts of <see cref="FrechetDistance.Compute(double[], double[], double[], double[], double, Action{string}?)"/>'s
    /// fast path with the same libtorch calls: the arrays into tensors, the Cholesky factor S1 = L L^T, the two products
    /// L^T S2 L, the symmetrization and eigvalsh; then, for comparison, a full eigh of the same matrix. Median over reps.
    /// </summary>
    private static void Parts(double[] s1, double[] s2, int d, int reps)
    {
        var names = new[] { "tensors", "cholesky", "L^T S2", "(L^T S2) L", "symmetrize", "eigvalsh", "eigh (not used)" };
        var t = names.Select(_ => new List<double>()).ToArray();
        for (int r = 0; r < reps; r++)
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var clock = Stopwatch.StartNew();
            double Lap() { double x = clock.Elapsed.TotalSeconds; clock.Restart(); return x; }
            var c1 = tensor(s1, new long[] { d, d }, ScalarType.Float64);
            var c2 = tensor(s2, new long[] { d, d }, ScalarType.Float64);
            t[0].Add(Lap());
            var (l, info) = linalg.cholesky_ex(c1);
            if (info.item<int>() != 0) throw new InvalidOperationException("S1 is not positive definite.");
            t[1].Add(Lap());
            var a = l.T.matmul(c2);
            t[2].Add(Lap());
            var m = a.matmul(l);
            t[3].Add(Lap());
            var sym = (m + m.T) * 0.5;
            t[4].Add(Lap());
            var w = linalg.eigvalsh(sym);
            w.data<double>().ToArray();
            t[5].Add(Lap());
            var (ew, ev) = linalg.eigh(sym);
            t[6].Add(Lap());
        }
        Console.WriteLine(F($"parts (median of {reps}, s): ") + string.Join(", ", names.Select((n, i) => F($"{n} {Median(t[i]):F3}"))));
    }

    private static double Median(List<double> xs)
    {
        var s = xs.OrderBy(x => x).ToList();
        return s[s.Count / 2];
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
