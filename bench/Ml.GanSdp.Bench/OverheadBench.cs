using System.Diagnostics;
using System.Globalization;
using Ml.GanSdp.Losses;
using Ml.GanSdp.Models;
using Ml.GanSdp.Regularizers;
using Ml.GanSdp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Bench;

/// <summary>
/// SDP's cost on a DCGAN training step (1x32x32, width 64, z 100, batch 64, non-saturating, Adam 2e-4 (0.5, 0.999)).
/// Five sessions built from the same seed, timed in interleaved blocks (the order rotates every block, so slow
/// phases of a shared machine hit every variant): baseline; baseline plus the extra D forward on the reals in the
/// G step (what the trainer adds whenever a regularizer is present); SDP active from iteration 0 with k = 5 (as the
/// trainer runs it by default); SDP with the G step reusing the last D step's real output
/// (<see cref="GeneratorRealOutput.ReuseDiscriminatorStep"/>); SDP on D only (no real forward in the G step, so SDP does
/// not act on G). Then the parts of
/// SDP itself (nearest-neighbour search, pooling + normalization, the whole penalty) on the same shapes.
/// </summary>
internal static class OverheadBench
{
    private sealed record Variant(string Name, string Description, GanTrainerOptions Options);

    public static int Run(Args a)
    {
        int blocks = a.Int("blocks", 8);
        int steps = a.Int("steps", 5);
        int warmup = a.Int("warmup", 3);
        int reps = a.Int("reps", 50);
        BenchThreads.Apply(a);
        a.ThrowIfUnused();
        var model = new ModelOptions { Architecture = Architecture.Dcgan, Channels = 1, ImageSize = 32, Width = 64, LatentSize = 100 };
        var basis = new GanTrainerOptions
        {
            Loss = GanLossKind.NonSaturating,
            Model = model,
            LatentSize = 100,
            BatchSize = 64,
            Iterations = 1_000_000,
            GeneratorLearningRate = 2e-4,
            DiscriminatorLearningRate = 2e-4,
            Beta1 = 0.5,
            Beta2 = 0.999,
            Seed = 7,
        };
        var sdp = new SdpOptions { Threshold = 0, InitialK = 5 };
        var variants = new[]
        {
            new Variant("baseline", "no regularizer", basis),
            new Variant("baseline+realD", "no regularizer, D forward on reals in the G step", basis with { RealOutputInGeneratorStep = true }),
            new Variant("sdp", "SDP t=0 k=5 (trainer default: D forward on reals in the G step)", basis with { Sdp = sdp }),
            new Variant("sdp-reuse", "SDP t=0 k=5, G step reuses the D step's real output (GeneratorRealOutput.ReuseDiscriminatorStep)", basis with { Sdp = sdp, GeneratorRealOutput = GeneratorRealOutput.ReuseDiscriminatorStep }),
            new Variant("sdp-D-only", "SDP t=0 k=5, no real forward in the G step (SDP acts on D only)", basis with { Sdp = sdp, RealOutputInGeneratorStep = false }),
        };

        using var dataRng = new Generator(3);
        using var pool = UniformImages(1024, dataRng);
        using var data = new TensorBatchSource(pool);
        var sessions = variants.Select(v => GanTraining.Create(v.Options, data)).ToArray();
        try
        {
            Console.WriteLine($"# DCGAN 1x32x32 width 64 z 100 batch 64, non-saturating, Adam 2e-4 (0.5, 0.999); threads {get_num_threads()}; {blocks} blocks x {steps} iterations per variant, {warmup} warm-up iterations");
            foreach (var s in sessions)
                for (int i = 0; i < warmup; i++) s.Trainer.TrainIteration();

            // Wall time per iteration and the process's CPU time per iteration (user + system, all threads): on a
            // shared machine the wall time swings with the other jobs, the CPU time much less.
            var perBlock = variants.Select(_ => new List<double>()).ToArray();   // wall ms per iteration, one entry per block
            var cpuBlock = variants.Select(_ => new List<double>()).ToArray();   // CPU ms per iteration
            using var proc = Process.GetCurrentProcess();
            for (int b = 0; b < blocks; b++)
            {
                for (int j = 0; j < variants.Length; j++)
                {
                    int v = (j + b) % variants.Length;
                    proc.Refresh();
                    var cpu0 = proc.TotalProcessorTime;
                    var clock = Stopwatch.StartNew();
                    for (int i = 0; i < steps; i++) sessions[v].Trainer.TrainIteration();
                    perBlock[v].Add(clock.Elapsed.TotalMilliseconds / steps);
                    proc.Refresh();
                    cpuBlock[v].Add((proc.TotalProcessorTime - cpu0).TotalMilliseconds / steps);
                }
            }

            Console.WriteLine();
            Console.WriteLine("| variant | what | CPU ms / iteration: median [min-max over blocks] | CPU overhead: median of per-block ratios [min-max] | wall ms / iteration: median [min-max] | wall overhead: median of per-block ratios [min-max] |");
            Console.WriteLine("|---|---|---|---|---|---|");
            for (int v = 0; v < variants.Length; v++)
                Console.WriteLine(F($"| {variants[v].Name} | {variants[v].Description} | {Median(cpuBlock[v]):F1} [{cpuBlock[v].Min():F1}-{cpuBlock[v].Max():F1}] | {Overhead(cpuBlock, v)} | {Median(perBlock[v]):F1} [{perBlock[v].Min():F1}-{perBlock[v].Max():F1}] | {Overhead(perBlock, v)} |"));
            Console.WriteLine();
            Parts(sessions[2], pool, reps, Median(cpuBlock[0]));
        }
        finally
        {
            foreach (var s in sessions) s.Dispose();
        }
        return 0;
    }

    /// <summary>Times SDP's parts on one real and one fake DCGAN batch (with grad, as in a D step).</summary>
    private static void Parts(GanTrainingSession s, Tensor pool, int reps, double baselineMs)
    {
        using var scope = NewDisposeScope();
        using var rng = new Generator(11);
        var real = pool.index_select(0, randint(0, pool.size(0), new long[] { 64 }, ScalarType.Int64, generator: rng));
        Tensor fake;
        using (no_grad()) fake = s.Generator.Forward(randn(new long[] { 64, 100 }, ScalarType.Float32, generator: rng));
        var ro = s.Discriminator.Forward(real);
        var fo = s.Discriminator.Forward(fake);
        const int k = 5;

        double nn = TimeMs(reps, () =>
        {
            using var inner = NewDisposeScope();
            var idx = SampleDifferencesPenalty.SelectRealisticFakes(fo.Scores, k);
            var d = SampleDifferencesPenalty.SquaredDistancesToReals(real, fake, idx);
            SampleDifferencesPenalty.NearestReals(d, idx, null, null);
        });
        var fakeSel = tensor(SampleDifferencesPenalty.SelectRealisticFakes(fo.Scores, k));
        var realSel = tensor(new long[] { 0, 1, 2, 3, 4 });
        double pooling = TimeMs(reps, () =>
        {
            using var inner = NewDisposeScope();
            for (int j = 0; j < fo.BlockFeatures.Count; j++)
            {
                SampleDifferencesPenalty.NormalizedPooledFeatures(fo.BlockFeatures[j].index_select(0, fakeSel), SdpNormalization.Unit);
                SampleDifferencesPenalty.NormalizedPooledFeatures(ro.BlockFeatures[j].index_select(0, realSel), SdpNormalization.Unit);
            }
        });
        double whole = TimeMs(reps, () =>
        {
            using var inner = NewDisposeScope();
            using var r = SampleDifferencesPenalty.Compute(real, fake, ro.Scores, fo.Scores, ro.BlockFeatures, fo.BlockFeatures, k, SdpNormalization.Unit);
        });
        Console.WriteLine(F($"SDP parts on one DCGAN batch (k = 5, {reps} repetitions each, median ms; SDP runs twice per iteration, in the D step and in the G step; % of the baseline iteration's median CPU time {baselineMs:F1} ms counts both):"));
        Console.WriteLine("| part | ms per call | x2 as % of a baseline iteration |");
        Console.WriteLine("|---|---|---|");
        Console.WriteLine(F($"| nearest-neighbour search (top-k, k x 64 distances over 1024 pixels, argmin) | {nn:F3} | {200 * nn / baselineMs:F2}% |"));
        Console.WriteLine(F($"| global max pooling + normalization ({fo.BlockFeatures.Count} blocks, real and fake) | {pooling:F3} | {200 * pooling / baselineMs:F2}% |"));
        Console.WriteLine(F($"| whole L_SDP forward (SampleDifferencesPenalty.Compute) | {whole:F3} | {200 * whole / baselineMs:F2}% |"));
        Console.WriteLine();
        StepCosts(s, real, fake, reps, baselineMs);
    }

    /// <summary>
    /// SDP's cost inside the steps, backward included: the D step's forwards (reals, fakes), adversarial loss and backward
    /// with and without (lambda/k) L_SDP, and the G step's (G forward, D forward on the fakes, loss, backward; D frozen)
    /// with and without the G-side term on a detached real output (as with reuse). Each pair runs alternately
    /// (order swapped every repetition); the cost is the median of the per-repetition differences.
    /// </summary>
    private static void StepCosts(GanTrainingSession s, Tensor real, Tensor fake, int reps, double baselineMs)
    {
        const int k = 5;
        const double weight = 0.01 / k;
        var loss = GanLosses.Create(GanLossKind.NonSaturating);
        var d = s.Discriminator;
        var g = s.Generator;
        using var rng = new Generator(12);

        void DStep(bool sdp)
        {
            using var scope = NewDisposeScope();
            var ro = d.Forward(real);
            var fo = d.Forward(fake);
            var total = loss.DiscriminatorLoss(ro.Scores, fo.Scores);
            if (sdp)
            {
                using var r = SampleDifferencesPenalty.Compute(real, fake, ro.Scores, fo.Scores, ro.BlockFeatures, fo.BlockFeatures, k, SdpNormalization.Unit);
                total = total + r.Loss * weight;
            }
            d.Module.zero_grad();
            total.backward();
        }
        var (dPlain, dSdp, dCost) = Paired(reps, () => DStep(false), () => DStep(true));

        DiscriminatorOutput realOut;
        using (no_grad())
        {
            var o = d.Forward(real);
            realOut = new DiscriminatorOutput(o.Scores.detach(), o.BlockFeatures.Select(f => f.detach()).ToArray());
        }
        var dParameters = d.Module.parameters().ToArray();
        foreach (var p in dParameters) p.requires_grad = false;
        try
        {
            void GStep(bool sdp)
            {
                using var scope = NewDisposeScope();
                var f = g.Forward(randn(new long[] { 64, 100 }, ScalarType.Float32, generator: rng));
                var fo = d.Forward(f);
                var total = loss.GeneratorLoss(fo.Scores);
                if (sdp)
                {
                    using var r = SampleDifferencesPenalty.Compute(real, f, realOut.Scores, fo.Scores, realOut.BlockFeatures, fo.BlockFeatures, k, SdpNormalization.Unit);
                    total = total + r.Loss * weight;
                }
                g.Module.zero_grad();
                total.backward();
            }
            var (gPlain, gSdp, gCost) = Paired(reps, () => GStep(false), () => GStep(true));
            Console.WriteLine(F($"SDP inside the steps, forward and backward ({reps} alternating repetitions each, median ms; cost = median of the per-repetition differences; % of the baseline iteration's median CPU time {baselineMs:F1} ms):"));
            Console.WriteLine("| step part | without SDP | with SDP | cost of SDP | % of a baseline iteration |");
            Console.WriteLine("|---|---|---|---|---|");
            Console.WriteLine(F($"| D step: D forward on reals and fakes, loss, backward | {dPlain:F1} | {dSdp:F1} | {dCost:F2} | {100 * dCost / baselineMs:F2}% |"));
            Console.WriteLine(F($"| G step: G forward, D forward on fakes, loss, backward (real output given, detached) | {gPlain:F1} | {gSdp:F1} | {gCost:F2} | {100 * gCost / baselineMs:F2}% |"));
        }
        finally
        {
            foreach (var p in dParameters) p.requires_grad = true;
            realOut.Dispose();
        }
    }

    /// <summary>Alternates two actions (order swapped every repetition); medians of each and of the differences b - a, in ms.</summary>
    private static (double A, double B, double Difference) Paired(int reps, Action a, Action b)
    {
        for (int i = 0; i < 2; i++) { a(); b(); }
        var ta = new List<double>();
        var tb = new List<double>();
        for (int r = 0; r < reps; r++)
        {
            foreach (bool first in r % 2 == 0 ? new[] { true, false } : new[] { false, true })
            {
                var c = Stopwatch.StartNew();
                (first ? a : b)();
                (first ? ta : tb).Add(c.Elapsed.TotalMilliseconds);
            }
        }
        return (Median(ta), Median(tb), Median(ta.Zip(tb, (x, y) => y - x)));
    }

    /// <summary>n 1x32x32 images uniform in [-1, 1].</summary>
    private static Tensor UniformImages(long n, Generator rng)
    {
        using var scope = NewDisposeScope();
        return (rand(new long[] { n, 1, 32, 32 }, ScalarType.Float32, generator: rng) * 2 - 1).MoveToOuterDisposeScope();
    }

    private static string Overhead(List<double>[] perBlock, int v)
    {
        if (v == 0) return "-";
        var ratios = perBlock[v].Zip(perBlock[0], (x, y) => 100 * (x / y - 1)).ToArray();
        return F($"{Median(ratios):+0.0;-0.0}% [{ratios.Min():+0.0;-0.0}, {ratios.Max():+0.0;-0.0}]");
    }

    private static double TimeMs(int reps, Action a)
    {
        for (int i = 0; i < 3; i++) a();
        var t = new double[reps];
        for (int i = 0; i < reps; i++)
        {
            var c = Stopwatch.StartNew();
            a();
            t[i] = c.Elapsed.TotalMilliseconds;
        }
        return Median(t);
    }

    private static double Median(IEnumerable<double> xs)
    {
        var s = xs.OrderBy(x => x).ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
