using System.Diagnostics;
using System.Globalization;
using Ml.GanSdp.Losses;
using Ml.GanSdp.Metrics;
using Ml.GanSdp.Models;
using Ml.GanSdp.Regularizers;
using Ml.GanSdp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Bench;

/// <summary>One toy training configuration (MLP G and D, non-saturating loss).</summary>
internal sealed record ToyConfig
{
    public string Setting { get; init; } = "standard";
    public string Mixture { get; init; } = "ring8";
    public long Iterations { get; init; } = 2000;
    public int BatchSize { get; init; } = 256;
    public int LatentSize { get; init; } = 2;
    public int Width { get; init; } = 128;
    public int Depth { get; init; } = 2;
    public double LrG { get; init; } = 1e-3;
    public double LrD { get; init; } = 1e-3;
    public double Beta1 { get; init; } = 0.5;
    public double Beta2 { get; init; } = 0.999;
    public int DSteps { get; init; } = 1;
    /// <summary>Null: baseline.</summary>
    public SdpOptions? Sdp { get; init; }
    public int Samples { get; init; } = 2500;
    public int Threads { get; init; }

    public string Method => Sdp is null ? "baseline" : "sdp";

    public GaussianMixture2D MixtureObject() => Mixture switch
    {
        "ring8" => GaussianMixture2D.Ring8(),
        "grid25" => GaussianMixture2D.Grid25(),
        _ => throw new ArgumentException($"unknown mixture '{Mixture}' (ring8, grid25)"),
    };

    public GanTrainerOptions TrainerOptions(long seed) => new()
    {
        Loss = GanLossKind.NonSaturating,
        Model = new ModelOptions { Architecture = Architecture.Mlp, LatentSize = LatentSize, Channels = 2, Width = Width, Depth = Depth },
        LatentSize = LatentSize,
        BatchSize = BatchSize,
        Iterations = Iterations,
        GeneratorLearningRate = LrG,
        DiscriminatorLearningRate = LrD,
        Beta1 = Beta1,
        Beta2 = Beta2,
        DiscriminatorSteps = DSteps,
        Sdp = Sdp,
        Seed = seed,
        Threads = Threads,
        ProgressInterval = Math.Max(1, Iterations),
    };

    public string Describe()
    {
        var inv = CultureInfo.InvariantCulture;
        string head = string.Create(inv, $"{Mixture} {Setting}: MLP {Depth}x{Width}, z={LatentSize}, batch {BatchSize}, {Iterations} it, lr G/D {LrG:G3}/{LrD:G3}, betas ({Beta1}, {Beta2}), n_D={DSteps}");
        string tail = Sdp is { } s ? string.Create(inv, $", SDP t={s.Threshold} k0={s.InitialK} I_p={s.Period} lambda={s.Lambda}") : ", no SDP";
        return head + tail;
    }
}

/// <summary>The result of one toy run.</summary>
internal sealed record ToyResult(ToyConfig Config, long Seed, int ModesCovered, int ModeCount, double HighQualityFraction, double Seconds, string? Error);

internal static class CoverageBench
{
    /// <summary>Trains one configuration with one seed and scores 2,500 generator samples.</summary>
    public static ToyResult Train(ToyConfig c, long seed)
    {
        var clock = Stopwatch.StartNew();
        var mixture = c.MixtureObject();
        using var dataRng = new Generator(unchecked((ulong)(seed * 7919 + 17)));
        using var pool = mixture.Sample(100_000, dataRng);
        using var data = new TensorBatchSource(pool);
        try
        {
            using var session = GanTraining.Create(c.TrainerOptions(seed), data);
            session.Trainer.Train();
            return Score(c, seed, session.Generator, mixture, clock);
        }
        catch (TrainingDivergedException e)
        {
            return new ToyResult(c, seed, 0, mixture.ModeCount, 0, clock.Elapsed.TotalSeconds, "diverged: " + e.Message);
        }
    }

    /// <summary>Mode coverage of <see cref="ToyConfig.Samples"/> samples of G (eval mode, no grad, fixed latent seed).</summary>
    public static ToyResult Score(ToyConfig c, long seed, IGenerator g, GaussianMixture2D mixture, Stopwatch clock)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        g.Module.eval();
        using var zRng = new Generator(unchecked((ulong)(seed + 1_000_003)));
        var z = randn(new long[] { c.Samples, c.LatentSize }, ScalarType.Float32, generator: zRng);
        var x = g.Forward(z);
        var r = ModeCoverage.Evaluate(x, mixture);
        g.Module.train();
        return new ToyResult(c, seed, r.ModesCovered, r.ModeCount, r.HighQualityFraction, clock.Elapsed.TotalSeconds, null);
    }

    /// <summary>Reads one configuration from key=value options.</summary>
    public static ToyConfig FromArgs(Args a, ToyConfig? basis = null)
    {
        var b = basis ?? new ToyConfig();
        long iters = a.Long("iterations", b.Iterations);
        var c = b with
        {
            Setting = a.Str("setting", b.Setting),
            Mixture = a.Str("mixture", b.Mixture),
            Iterations = iters,
            BatchSize = a.Int("batch", b.BatchSize),
            LatentSize = a.Int("latent", b.LatentSize),
            Width = a.Int("width", b.Width),
            Depth = a.Int("depth", b.Depth),
            LrG = a.Dbl("lrg", a.Dbl("lr", b.LrG)),
            LrD = a.Dbl("lrd", a.Dbl("lr", b.LrD)),
            Beta1 = a.Dbl("beta1", b.Beta1),
            Beta2 = a.Dbl("beta2", b.Beta2),
            DSteps = a.Int("dsteps", b.DSteps),
            Threads = a.Int("threads", b.Threads),
        };
        if (a.Str("sdp", "off") == "on") c = c with { Sdp = SdpFromArgs(a, iters) };
        return c;
    }

    /// <summary>SDP scaled to a short run: by default t = iterations/4, k0 = 5, I_p = iterations/2, lambda from options.</summary>
    public static SdpOptions SdpFromArgs(Args a, long iterations) => new()
    {
        Threshold = a.Long("t", iterations / 4),
        InitialK = a.Int("k", 5),
        Period = a.Long("ip", Math.Max(1, iterations / 2)),
        Lambda = a.Dbl("lambda", 1.0),
    };

    /// <summary>"run": one configuration over seeds=1,2,3, one line per seed and a summary.</summary>
    public static int RunOne(Args a)
    {
        var c = FromArgs(a);
        var seeds = a.Longs("seeds", new long[] { 1, 2, 3 });
        a.ThrowIfUnused();
        Console.WriteLine("# " + c.Describe());
        var results = new List<ToyResult>();
        foreach (var s in seeds)
        {
            var r = Train(c, s);
            results.Add(r);
            Console.WriteLine(Line(r));
        }
        Console.WriteLine("# summary: " + Summary(results));
        return 0;
    }

    /// <summary>"coverage": the benchmark suite (two mixtures x two settings x baseline/SDP x seeds), a Markdown table.</summary>
    public static int RunSuite(Args a)
    {
        var seeds = a.Longs("seeds", new long[] { 1, 2, 3 });
        string? outPath = a.Has("out") ? a.Str("out", "") : null;
        var configs = SuiteConfigs(a);
        a.ThrowIfUnused();
        var all = new List<ToyResult>();
        foreach (var c in configs)
        {
            Console.WriteLine("# " + c.Describe());
            foreach (var s in seeds)
            {
                var r = Train(c, s);
                all.Add(r);
                Console.WriteLine(Line(r));
            }
        }
        var table = Table(all, seeds.Length);
        Console.WriteLine();
        Console.WriteLine(table);
        if (outPath is not null)
        {
            var lines = configs.Select(c => "- " + c.Describe()).Append("").Append(table).Append("").Append("Per run:").Append("```")
                .Concat(all.Select(Line)).Append("```");
            File.WriteAllLines(outPath, lines);
        }
        return 0;
    }

    /// <summary>
    /// The suite. Standard: Adam 1e-3 (0.5, 0.999), n_D = 1. Aggressive: the setting given by aggr_* options
    /// (by default beta1 0.9 instead of 0.5), where the baseline is expected to collapse.
    /// </summary>
    public static List<ToyConfig> SuiteConfigs(Args a)
    {
        var list = new List<ToyConfig>();
        // Both mixtures' iteration counts are read whatever the list, so that neither is an unknown option.
        var iterations = new Dictionary<string, long> { ["ring8"] = a.Long("ring8_iterations", 2000), ["grid25"] = a.Long("grid25_iterations", 2000) };
        foreach (var mixture in a.Str("mixtures", "ring8,grid25").Split(','))
        {
            if (!iterations.TryGetValue(mixture, out long iters)) throw new ArgumentException($"unknown mixture '{mixture}' (ring8, grid25)");
            var standard = FromArgs(a, new ToyConfig { Mixture = mixture, Iterations = iters });
            var aggressive = standard with
            {
                Setting = "aggressive",
                LrG = a.Dbl("aggr_lr", 1e-3),
                LrD = a.Dbl("aggr_lr", 1e-3),
                Beta1 = a.Dbl("aggr_beta1", 0.9),
                DSteps = a.Int("aggr_dsteps", standard.DSteps),
            };
            var settings = a.Str("settings", "standard,aggressive").Split(',');
            foreach (var c in new[] { standard, aggressive }.Where(c => settings.Contains(c.Setting)))
            {
                list.Add(c with { Sdp = null });
                list.Add(c with { Sdp = SdpFromArgs(a, c.Iterations) });
            }
        }
        return list;
    }

    public static string Line(ToyResult r) => string.Create(CultureInfo.InvariantCulture,
        $"{r.Config.Mixture,-6} {r.Config.Setting,-10} {r.Config.Method,-8} seed={r.Seed} modes={r.ModesCovered}/{r.ModeCount} hq={100 * r.HighQualityFraction:F1}% time={r.Seconds:F1}s{(r.Error is null ? "" : " " + r.Error)}");

    public static string Summary(IReadOnlyList<ToyResult> rs)
    {
        var m = rs.Select(r => (double)r.ModesCovered).ToArray();
        var h = rs.Select(r => 100 * r.HighQualityFraction).ToArray();
        return string.Create(CultureInfo.InvariantCulture,
            $"modes {m.Average():F2} [{m.Min()}-{m.Max()}] of {rs[0].ModeCount}; hq {h.Average():F1}% [{h.Min():F1}-{h.Max():F1}]; time {rs.Average(r => r.Seconds):F1}s/run");
    }

    public static string Table(IReadOnlyList<ToyResult> all, int seeds)
    {
        var sb = new System.Text.StringBuilder();
        sb.AppendLine($"| mixture | setting | method | modes covered: mean [min-max] | high-quality %: mean [min-max] | per-seed modes | s/run |");
        sb.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var g in all.GroupBy(r => (r.Config.Mixture, r.Config.Setting, r.Config.Method)))
        {
            var rs = g.ToList();
            var m = rs.Select(r => (double)r.ModesCovered).ToArray();
            var h = rs.Select(r => 100 * r.HighQualityFraction).ToArray();
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {g.Key.Mixture} | {g.Key.Setting} | {g.Key.Method} | {m.Average():F1} / {rs[0].ModeCount} [{m.Min()}-{m.Max()}] | {h.Average():F1} [{h.Min():F1}-{h.Max():F1}] | {string.Join(", ", rs.Select(r => r.ModesCovered))} | {rs.Average(r => r.Seconds):F0} |"));
        }
        return sb.ToString().TrimEnd();
    }
}
