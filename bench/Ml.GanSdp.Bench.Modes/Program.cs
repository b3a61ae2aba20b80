using System.Diagnostics;
using System.Globalization;
using Ml.GanSdp.Bench.Modes;

// gansdp-bench-modes coverage [key=value ...]   mode coverage, baseline vs SDP, ring8 + grid25, standard + aggressive
// gansdp-bench-modes run [key=value ...]        one configuration over seeds (for choosing settings)
// gansdp-bench-modes overhead [key=value ...]   DCGAN training-step time with and without SDP, interleaved blocks
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.WriteLine("usage: gansdp-bench-modes coverage|run|overhead [key=value ...]  (see bench/modes/run.sh)");
    return args.Length == 0 ? 2 : 0;
}
var kv = Args.Parse(args.Skip(1));
var clock = Stopwatch.StartNew();
int rc = args[0] switch
{
    "coverage" => CoverageBench.RunSuite(kv),
    "run" => CoverageBench.RunOne(kv),
    "overhead" => OverheadBench.Run(kv),
    _ => Fail($"unknown mode '{args[0]}'"),
};
Console.Error.WriteLine($"[{args[0]}] done in {clock.Elapsed.TotalSeconds:F1} s");
return rc;

static int Fail(string m)
{
    Console.Error.WriteLine("error: " + m);
    return 2;
}
