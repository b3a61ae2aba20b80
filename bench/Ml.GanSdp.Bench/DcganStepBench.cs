using System.Diagnostics;
using System.Globalization;
using Ml.GanSdp.Losses;
using Ml.GanSdp.Models;
using Ml.GanSdp.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ml.GanSdp.Bench;

/// <summary>
/// <c>step</c>: milliseconds per DCGAN training iteration, one measurement block per process (bench/run.sh alternates
/// blocks of the arms and of bench/dcgan_step.py, PyTorch 1.13, so all see the same machine load). Every arm runs the
/// same iteration, the trainer's schedule: D step (a real batch drawn from a pool of 1,024 images, fakes generated
/// without gradient, BCE-with-logits on real and fake scores, Adam step on D), then G step (D's parameters frozen,
/// fresh latent codes, non-saturating loss, Adam step on G). 1x32x32 DCGAN (pytorch/examples' layers: nz 100,
/// ngf = ndf = width, bias-free convolutions, BN, weights N(0, 0.02)), Adam(2e-4, 0.5, 0.999).
/// <list type="bullet">
/// <item><c>arm=lib</c>: this library, <see cref="GanTrainer.TrainIteration"/> on <see cref="ModelFactory"/>'s DCGAN
/// (batch sampling, divergence checks, step results included: that is the library's overhead);</item>
/// <item><c>arm=raw</c>: the same loop written directly in TorchSharp (nn.Sequential, optim.Adam,
/// binary_cross_entropy_with_logits; no library code), the baseline for the library's overhead.</item>
/// </list>
/// A small batch and width (batch=4 width=4) leave almost no arithmetic: the step then measures per-op overhead.
/// </summary>
internal static class DcganStepBench
{
    private const int Nz = 100;
    private const int PoolSize = 1024;

    public static int Run(Args a)
    {
        string arm = a.Str("arm", "lib");
        int warmup = a.Int("warmup", 5), steps = a.Int("steps", 20), batch = a.Int("batch", 64), width = a.Int("width", 64);
        BenchThreads.Apply(a);
        a.ThrowIfUnused();
        if (warmup < 0 || steps < 1 || batch < 2 || width < 1) throw new ArgumentException("warmup >= 0, steps >= 1, batch >= 2 and width >= 1 are needed.");
        double ms = arm switch
        {
            "lib" => Library(warmup, steps, batch, width),
            "raw" => Raw(warmup, steps, batch, width),
            _ => throw new ArgumentException($"arm must be lib or raw, not '{arm}'."),
        };
        Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "RESULT dcgan {0} {1:F3}", arm, ms));
        Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "TENSORS {0} {1:F1} managed tensors created per step", arm, _createdPerStep));
        return 0;
    }

    /// <summary>Managed tensors (TorchSharp wrappers) created per timed step, in or outside dispose scopes: a measure of per-step allocations and calls.</summary>
    private static double _createdPerStep;

    private static long Created()
    {
        var s = DisposeScopeManager.Statistics;
        return s.CreatedInScopeCount + s.CreatedOutsideScopeCount;
    }

    /// <summary>Runs <paramref name="steps"/> steps; returns ms per step and records the tensors created per step.</summary>
    private static double Timed(int steps, Action step)
    {
        long created = Created();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++) step();
        double ms = clock.Elapsed.TotalMilliseconds / steps;
        _createdPerStep = (Created() - created) / (double)steps;
        return ms;
    }

    /// <summary>The pool of real images: uniform in [-1, 1], seeded.</summary>
    private static Tensor Pool()
    {
        using var rng = new Generator(3);
        using var u = rand(new long[] { PoolSize, 1, 32, 32 }, ScalarType.Float32, generator: rng);
        using var scaled = u * 2;
        return scaled - 1;
    }

    private static double Library(int warmup, int steps, int batch, int width)
    {
        using var loop = new LibLoop(batch, width);
        for (int i = 0; i < warmup; i++) loop.Step();
        return Timed(steps, loop.Step);
    }

    /// <summary>The lib arm: a <see cref="GanTraining"/> session on the library's DCGAN; one step = <see cref="GanTrainer.TrainIteration"/>.</summary>
    private sealed class LibLoop : IDisposable
    {
        private readonly Tensor _pool;
        private readonly TensorBatchSource _data;
        private readonly GanTrainingSession _session;

        public LibLoop(int batch, int width)
        {
            var model = new ModelOptions { Architecture = Architecture.Dcgan, Channels = 1, ImageSize = 32, Width = width, LatentSize = Nz };
            var options = new GanTrainerOptions
            {
                Loss = GanLossKind.NonSaturating,
                Model = model,
                LatentSize = Nz,
                BatchSize = batch,
                Iterations = long.MaxValue / 2,
                GeneratorLearningRate = 2e-4,
                DiscriminatorLearningRate = 2e-4,
                Beta1 = 0.5,
                Beta2 = 0.999,
                Seed = 7,
                Threads = TorchThreads.Current,
            };
            _pool = Pool();
            _data = new TensorBatchSource(_pool);
            _session = GanTraining.Create(options, _data);
        }

        public void Step() => _session.Trainer.TrainIteration();

        public void Dispose()
        {
            _session.Dispose();
            _data.Dispose();
            _pool.Dispose();
        }
    }

    private static Sequential Generator(int ngf) => nn.Sequential(
        nn.ConvTranspose2d(Nz, ngf * 4, 4, 1, 0, bias: false), nn.BatchNorm2d(ngf * 4), nn.ReLU(),
        nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias: false), nn.BatchNorm2d(ngf * 2), nn.ReLU(),
        nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias: false), nn.BatchNorm2d(ngf), nn.ReLU(),
        nn.ConvTranspose2d(ngf, 1, 4, 2, 1, bias: false), nn.Tanh());

    private static Sequential Discriminator(int ndf) => nn.Sequential(
        nn.Conv2d(1, ndf, 4, 2, 1, bias: false), nn.LeakyReLU(0.2),
        nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias: false), nn.BatchNorm2d(ndf * 2), nn.LeakyReLU(0.2),
        nn.Conv2d(ndf * 2, ndf * 4, 4, 2, 1, bias: false), nn.BatchNorm2d(ndf * 4), nn.LeakyReLU(0.2),
        nn.Conv2d(ndf * 4, 1, 4, 1, 0, bias: false));

    /// <summary>pytorch/examples' weights_init: conv N(0, 0.02), batch-norm weight N(1, 0.02), bias 0.</summary>
    private static void WeightsInit(nn.Module m)
    {
        using var _ = no_grad();
        foreach (var (_, sub) in m.named_modules())
        {
            if (sub is Conv2d or ConvTranspose2d) nn.init.normal_(sub.get_parameter("weight")!, 0, 0.02);
            else if (sub is BatchNorm)
            {
                nn.init.normal_(sub.get_parameter("weight")!, 1, 0.02);
                nn.init.zeros_(sub.get_parameter("bias")!);
            }
        }
    }

    private static double Raw(int warmup, int steps, int batch, int width)
    {
        using var loop = new RawLoop(batch, width);
        for (int i = 0; i < warmup; i++) loop.Step(read: true);
        var ms = Timed(steps, () => loop.Step(read: false));
        if (!double.IsFinite(loop.LossSum)) throw new InvalidOperationException("non-finite loss");
        return ms;
    }

    /// <summary>The raw arm: the same iteration written directly in TorchSharp (no library code).</summary>
    private sealed class RawLoop : IDisposable
    {
        private readonly int _batch;
        private readonly Sequential _g, _d;
        private readonly Parameter[] _dParameters;
        private readonly optim.Optimizer _optG, _optD;
        private readonly Tensor _pool, _ones, _zeros;
        private readonly Generator _dataRng = new(7), _noiseRng = new(8);

        public RawLoop(int batch, int width)
        {
            _batch = batch;
            manual_seed(7);
            _g = Generator(width);
            _d = Discriminator(width);
            WeightsInit(_g);
            WeightsInit(_d);
            _dParameters = _d.parameters().ToArray();
            _optG = optim.Adam(_g.parameters(), 2e-4, 0.5, 0.999);
            _optD = optim.Adam(_dParameters, 2e-4, 0.5, 0.999);
            _pool = Pool();
            _ones = torch.ones(batch);
            _zeros = torch.zeros(batch);
        }

        /// <summary>The sum of the losses read back (warm-up steps only, as a finiteness check).</summary>
        public double LossSum { get; private set; }

        public void Step(bool read)
        {
            using var scope = NewDisposeScope();
            // D step: a real batch from the pool, fakes without gradient.
            var real = _pool.index_select(0, randint(0, PoolSize, new long[] { _batch }, ScalarType.Int64, generator: _dataRng));
            Tensor fake;
            using (no_grad()) fake = _g.forward(randn(new long[] { _batch, Nz, 1, 1 }, ScalarType.Float32, generator: _noiseRng));
            var lossD = nn.functional.binary_cross_entropy_with_logits(_d.forward(real).view(-1), _ones)
                      + nn.functional.binary_cross_entropy_with_logits(_d.forward(fake).view(-1), _zeros);
            _optD.zero_grad();
            lossD.backward();
            _optD.step();
            // G step: D frozen, fresh latent codes, non-saturating loss.
            foreach (var p in _dParameters) p.requires_grad = false;
            var fakeG = _g.forward(randn(new long[] { _batch, Nz, 1, 1 }, ScalarType.Float32, generator: _noiseRng));
            var lossG = nn.functional.binary_cross_entropy_with_logits(_d.forward(fakeG).view(-1), _ones);
            _optG.zero_grad();
            lossG.backward();
            _optG.step();
            foreach (var p in _dParameters) p.requires_grad = true;
            if (read) LossSum += lossD.item<float>() + lossG.item<float>();
        }

        public void Dispose()
        {
            _optG.Dispose();
            _optD.Dispose();
            _g.Dispose();
            _d.Dispose();
            _pool.Dispose();
            _ones.Dispose();
            _zeros.Dispose();
            _dataRng.Dispose();
            _noiseRng.Dispose();
        }
    }

    /// <summary>
    /// <c>step-ab</c>: the lib and raw arms in ONE process, timed in interleaved blocks of <c>steps</c> steps whose order
    /// alternates every block, so that a load change on a shared machine hits both arms alike; reports each arm's wall
    /// and CPU ms per step (median [min-max] over blocks), lib/raw as the median of the per-block ratios, and one
    /// "RATIO block wall cpu" line per block (bench/run.sh records them). A supplement
    /// to <c>bench/run.sh</c>'s process-per-block comparison, less sensitive to load.
    /// </summary>
    public static int StepAb(Args a)
    {
        int warmup = a.Int("warmup", 5), steps = a.Int("steps", 5), blocks = a.Int("blocks", 20), batch = a.Int("batch", 64), width = a.Int("width", 64);
        BenchThreads.Apply(a);
        a.ThrowIfUnused();
        if (warmup < 0 || steps < 1 || blocks < 1 || batch < 2 || width < 1) throw new ArgumentException("warmup >= 0, steps >= 1, blocks >= 1, batch >= 2 and width >= 1 are needed.");
        using var lib = new LibLoop(batch, width);
        using var raw = new RawLoop(batch, width);
        var arms = new (string Name, Action Step)[] { ("lib", lib.Step), ("raw", () => raw.Step(read: false)) };
        foreach (var (_, step) in arms)
            for (int i = 0; i < warmup; i++) step();
        var wall = new[] { new List<double>(), new List<double>() };
        var cpu = new[] { new List<double>(), new List<double>() };
        using var proc = Process.GetCurrentProcess();
        for (int b = 0; b < blocks; b++)
        {
            for (int j = 0; j < 2; j++)
            {
                int v = (j + b) % 2;
                proc.Refresh();
                var cpu0 = proc.TotalProcessorTime;
                var clock = Stopwatch.StartNew();
                for (int i = 0; i < steps; i++) arms[v].Step();
                wall[v].Add(clock.Elapsed.TotalMilliseconds / steps);
                proc.Refresh();
                cpu[v].Add((proc.TotalProcessorTime - cpu0).TotalMilliseconds / steps);
            }
        }
        string Cell(List<double> xs) => string.Format(CultureInfo.InvariantCulture, "{0:F1} [{1:F1}-{2:F1}]", Median(xs), xs.Min(), xs.Max());
        string Ratio(List<double>[] xs)
        {
            var r = xs[0].Zip(xs[1], (l, w) => l / w).ToList();
            return string.Format(CultureInfo.InvariantCulture, "{0:F3} [{1:F3}-{2:F3}]", Median(r), r.Min(), r.Max());
        }
        Console.WriteLine($"# step-ab: batch {batch}, width {width}, threads {TorchThreads.Current}, {blocks} blocks x {steps} steps per arm, {warmup} warm-up steps");
        Console.WriteLine($"lib wall ms/step {Cell(wall[0])}, raw {Cell(wall[1])}; lib/raw wall (median of per-block ratios) {Ratio(wall)}");
        Console.WriteLine($"lib CPU ms/step {Cell(cpu[0])}, raw {Cell(cpu[1])}; lib/raw CPU {Ratio(cpu)}");
        for (int b = 0; b < blocks; b++)
            Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "RATIO {0} {1:F4} {2:F4}", b + 1, wall[0][b] / wall[1][b], cpu[0][b] / cpu[1][b]));
        Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "RESULT step-ab lib/raw {0:F4} {1:F4}", Median(wall[0].Zip(wall[1], (l, w) => l / w)), Median(cpu[0].Zip(cpu[1], (l, w) => l / w))));
        return 0;
    }

    private static double Median(IEnumerable<double> xs)
    {
        var s = xs.OrderBy(x => x).ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }

    /// <summary><c>addcall</c>: nanoseconds per <c>c = a + b</c> on 1-element tensors, the result freed at once.</summary>
    public static int AddCall(Args a)
    {
        int n = a.Int("n", 100_000), warmup = a.Int("warmup", 20_000);
        BenchThreads.Apply(a);
        a.ThrowIfUnused();
        using var x = torch.ones(1);
        using var y = torch.ones(1);
        for (int i = 0; i < warmup; i++) { using var c = x + y; }
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < n; i++) { using var c = x + y; }
        Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "RESULT addcall cs {0:F1}", clock.Elapsed.TotalMilliseconds * 1e6 / n));
        return 0;
    }
}
