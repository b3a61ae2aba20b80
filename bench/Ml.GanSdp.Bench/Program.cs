// gansdp-bench: every benchmark of Ml.GanSdp in one executable (each TorchSharp executable carries ~1.4 GB of
// native libraries). Options are key=value, --key=value or --key value; see each subcommand's class.
//
//   step      [arm=lib|raw] [threads=N|default] [warmup=W] [steps=S] [batch=64] [width=64]   DCGAN training step
//   step-ab   [threads=...] [warmup=5] [steps=5] [blocks=20] [batch=64] [width=64]       lib and raw in one process, interleaved
//   addcall   [n=100000] [warmup=20000] [threads=...]                                        per-call overhead of a + b
//   eigh      [n=2048] [reps=3] [threads=...]                                                linalg.eigh, float64
//   coverage  [key=value ...]   mode coverage, baseline vs SDP, ring8 + grid25, standard + aggressive (bench/modes/run.sh)
//   run       [key=value ...]   one toy configuration over seeds (for choosing settings)
//   overhead  [key=value ...]   DCGAN iteration time with and without SDP, interleaved blocks
//   fid-speed arm=torchsharp|torchsharp-fused|onnx|mlnet|resnet18 [batch=8] [reps=3] [size=32] [threads=1]
//             feature extraction images/s (Inception on TorchSharp / ONNX Runtime / ML.NET, ResNet18); bench/fid/run.sh
//   frechet   [d=2048] [reps=3] [threads=...]                                Frechet distance of d-dimensional statistics
//   augment   generator=NAME=MODEL.zip,... [classifiers=lbfgs,lightgbm,cnn] [seeds=0,1,2,3,4] ...
//             augmentation gain and CAS of conditional Fashion-MNIST generators (AugmentBench.cs; bench/augment/run.sh)
//
// Output of step, addcall and eigh: "THREADS intra=<n>" (what libtorch actually uses) and one line
// "RESULT <bench> <arm> <value>" that bench/run.sh and bench/threads.sh parse.
using System.Diagnostics;
using System.Globalization;
using Ml.GanSdp;
using Ml.GanSdp.Bench;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.WriteLine("usage: gansdp-bench step|step-ab|addcall|eigh|coverage|run|overhead|fid-speed|frechet|augment [key=value ...]  (see bench/Ml.GanSdp.Bench/Program.cs)");
    return args.Length == 0 ? 2 : 0;
}
try
{
    var kv = Args.Parse(args.Skip(1).ToArray());
    var clock = Stopwatch.StartNew();
    Func<Args, int> command = args[0] switch
    {
        "step" => DcganStepBench.Run,
        "step-ab" => DcganStepBench.StepAb,
        "addcall" => DcganStepBench.AddCall,
        "eigh" => ThreadBench.Eigh,
        "coverage" => CoverageBench.RunSuite,
        "run" => CoverageBench.RunOne,
        "overhead" => OverheadBench.Run,
        "fid-speed" => FidBench.Speed,
        "frechet" => FidBench.Frechet,
        "augment" => AugmentBench.Run,
        _ => throw new ArgumentException($"unknown subcommand '{args[0]}'"),
    };
    int rc = command(kv);
    Console.Error.WriteLine($"[{args[0]}] done in {clock.Elapsed.TotalSeconds:F1} s");
    return rc;
}
catch (ArgumentException e)
{
    Console.Error.WriteLine("error: " + e.Message);
    return 2;
}

namespace Ml.GanSdp.Bench
{
    /// <summary>Thread settings shared by the subcommands.</summary>
    internal static class BenchThreads
    {
        /// <summary>
        /// Applies the "threads" option: a count sets libtorch's intra-op threads; "default" applies the library's
        /// default (<see cref="TorchThreads.EnsureDefault"/>), so every arm of a comparison runs under the same setting.
        /// Prints "THREADS intra=n".
        /// </summary>
        public static void Apply(Args a)
        {
            if (a.Threads() is int n) TorchThreads.Set(n, "threads");
            else TorchThreads.EnsureDefault();
            Console.WriteLine($"THREADS intra={TorchThreads.Current}");
        }
    }
}
