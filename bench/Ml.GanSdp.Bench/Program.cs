// gansdp-bench: the C# half of bench/run.sh. Each invocation is one measurement block; run.sh alternates
// blocks of this program with blocks of bench/dcgan_step.py so both see the same machine load.
//
//   gansdp-bench dcgan   [--threads N|default] [--blas N|default] [--warmup W] [--steps S] [--batch B] [--width W]
//   gansdp-bench addcall [--n N] [--warmup W]
//
// Output: one line "RESULT <bench> cs <value>" (ms/step for dcgan, ns/call for addcall) plus a line
// "THREADS intra=<n>" telling the thread count libtorch actually used.
using System.Diagnostics;
using System.Globalization;

using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

var inv = CultureInfo.InvariantCulture;
if (args.Length == 0) return Usage();
var opts = new Dictionary<string, string>();
for (int i = 1; i + 1 < args.Length; i += 2)
{
    if (!args[i].StartsWith("--", StringComparison.Ordinal)) return Usage();
    opts[args[i][2..]] = args[i + 1];
}
string Opt(string name, string fallback) => opts.TryGetValue(name, out var v) ? v : fallback;
int IntOpt(string name, int fallback) => int.Parse(Opt(name, fallback.ToString(inv)), inv);

// Thread settings: "default" leaves the library default (Threading.ApplyDefaultThreading) alone.
var threads = Opt("threads", "default");
var blas = Opt("blas", "default");
if (blas != "default" && !set_blas_threads(int.Parse(blas, inv))) Console.Error.WriteLine("warning: the loaded BLAS is not OpenBLAS");
if (threads != "default") set_num_threads(int.Parse(threads, inv));
Console.WriteLine($"THREADS intra={get_num_threads()}");

switch (args[0])
{
    case "dcgan":
        Console.WriteLine(string.Format(inv, "RESULT dcgan cs {0:F3}", DcganStep.Run(IntOpt("warmup", 5), IntOpt("steps", 20), IntOpt("batch", 64), IntOpt("width", 64))));
        return 0;
    case "addcall":
        Console.WriteLine(string.Format(inv, "RESULT addcall cs {0:F1}", AddCall.Run(IntOpt("n", 100_000), IntOpt("warmup", 20_000))));
        return 0;
    default:
        return Usage();
}

static int Usage()
{
    Console.Error.WriteLine("usage: gansdp-bench dcgan [--threads N|default] [--blas N|default] [--warmup W] [--steps S] [--batch 64] [--width 64]");
    Console.Error.WriteLine("       gansdp-bench addcall [--n N] [--warmup W]");
    return 2;
}

/// <summary>
/// One DCGAN training step, as bench/dcgan_step.py: pytorch/examples' DCGAN adapted to 1x32x32 (nz=100,
/// ngf=ndf=64, bias-free convolutions), BCE-with-logits (non-saturating) losses, Adam(2e-4, 0.5, 0.999),
/// batch 64, random inputs. Defined here on purpose: the benchmark must not depend on the library's models.
/// A small batch and width (--batch 4 --width 4) leaves almost no arithmetic: the step then measures the
/// per-step overhead of the framework (binding or Python) around the same native kernels.
/// </summary>
internal static class DcganStep
{
    private const int Nz = 100;

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

    /// <summary>Returns the mean milliseconds per step over <paramref name="steps"/> timed steps.</summary>
    public static double Run(int warmup, int steps, int batch, int width)
    {
        manual_seed(1);
        using var g = Generator(width);
        using var d = Discriminator(width);
        WeightsInit(g);
        WeightsInit(d);
        using var optG = optim.Adam(g.parameters(), 2e-4, 0.5, 0.999);
        using var optD = optim.Adam(d.parameters(), 2e-4, 0.5, 0.999);
        using var realLabel = ones(batch);
        using var fakeLabel = zeros(batch);
        double lossSum = 0;

        void Step(bool read)
        {
            using var scope = NewDisposeScope();
            var real = randn(batch, 1, 32, 32);
            var noise = randn(batch, Nz, 1, 1);
            // D step: real batch and detached fake batch.
            optD.zero_grad();
            var fake = g.forward(noise);
            var lossD = nn.functional.binary_cross_entropy_with_logits(d.forward(real).view(-1), realLabel)
                      + nn.functional.binary_cross_entropy_with_logits(d.forward(fake.detach()).view(-1), fakeLabel);
            lossD.backward();
            optD.step();
            // G step: non-saturating loss through D.
            optG.zero_grad();
            var lossG = nn.functional.binary_cross_entropy_with_logits(d.forward(fake).view(-1), realLabel);
            lossG.backward();
            optG.step();
            if (read) lossSum += lossD.item<float>() + lossG.item<float>();
        }

        for (int i = 0; i < warmup; i++) Step(true);
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++) Step(false);
        sw.Stop();
        if (!double.IsFinite(lossSum)) throw new InvalidOperationException("non-finite loss");
        return sw.Elapsed.TotalMilliseconds / steps;
    }
}

/// <summary>Per-call overhead: <c>c = a + b</c> on 1-element tensors, the result freed at once.</summary>
internal static class AddCall
{
    /// <summary>Returns nanoseconds per call.</summary>
    public static double Run(int n, int warmup)
    {
        using var a = ones(1);
        using var b = ones(1);
        for (int i = 0; i < warmup; i++) { using var c = a + b; }
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < n; i++) { using var c = a + b; }
        sw.Stop();
        return sw.Elapsed.TotalMilliseconds * 1e6 / n;
    }
}
