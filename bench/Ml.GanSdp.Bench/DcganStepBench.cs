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
        using var pool = Pool();
        using var data = new TensorBatchSource(pool);
        using var session = GanTraining.Create(options, data);
        for (int i = 0; i < warmup; i++) session.Trainer.TrainIteration();
        return Timed(steps, () => session.Trainer.TrainIteration());
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
        manual_seed(7);
        using var g = Generator(width);
        using var d = Discriminator(width);
        WeightsInit(g);
        WeightsInit(d);
        var dParameters = d.parameters().ToArray();
        using var optG = optim.Adam(g.parameters(), 2e-4, 0.5, 0.999);
        using var optD = optim.Adam(dParameters, 2e-4, 0.5, 0.999);
        using var pool = Pool();
        using var dataRng = new Generator(7);
        using var noiseRng = new Generator(8);
        using var ones = torch.ones(batch);
        using var zeros = torch.zeros(batch);
        double lossSum = 0;

        void Step(bool read)
        {
            using var scope = NewDisposeScope();
            // D step: a real batch from the pool, fakes without gradient.
            var real = pool.index_select(0, randint(0, PoolSize, new long[] { batch }, ScalarType.Int64, generator: dataRng));
            Tensor fake;
            using (no_grad()) fake = g.forward(randn(new long[] { batch, Nz, 1, 1 }, ScalarType.Float32, generator: noiseRng));
            var lossD = nn.functional.binary_cross_entropy_with_logits(d.forward(real).view(-1), ones)
                      + nn.functional.binary_cross_entropy_with_logits(d.forward(fake).view(-1), zeros);
            optD.zero_grad();
            lossD.backward();
            optD.step();
            // G step: D frozen, fresh latent codes, non-saturating loss.
            foreach (var p in dParameters) p.requires_grad = false;
            var fakeG = g.forward(randn(new long[] { batch, Nz, 1, 1 }, ScalarType.Float32, generator: noiseRng));
            var lossG = nn.functional.binary_cross_entropy_with_logits(d.forward(fakeG).view(-1), ones);
            optG.zero_grad();
            lossG.backward();
            optG.step();
            foreach (var p in dParameters) p.requires_grad = true;
            if (read) lossSum += lossD.item<float>() + lossG.item<float>();
        }

        for (int i = 0; i < warmup; i++) Step(true);
        var ms = Timed(steps, () => Step(false));
        if (!double.IsFinite(lossSum)) throw new InvalidOperationException("non-finite loss");
        return ms;
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
