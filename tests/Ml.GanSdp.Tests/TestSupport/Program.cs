using System.Diagnostics;
using System.Globalization;
using Ml.GanSdp.Tests.Training;

namespace Ml.GanSdp.Tests.TestSupport;

/// <summary>
/// Entry point of the test assembly when it runs as a child process of a fresh-process test
/// (<c>dotnet Ml.GanSdp.Tests.dll &lt;mode&gt; ...</c>); the test host does not call it. Modes:
/// <list type="bullet">
/// <item><c>train-until-killed DIR LOG</c>: <see cref="CrashResumeTests"/>'s training run with checkpoints in DIR,
/// appending each iteration's losses to LOG, until the parent kills the process.</item>
/// <item><c>onnx-load-transform MODEL.zip OUTPUT.bin</c>: loads a saved ML.NET generator model with nothing of this
/// library loaded and writes its images (<see cref="Onnx.GeneratorRows.LoadAndTransformInThisProcess"/>).</item>
/// <item><c>onnx-exit-without-dispose FOLDER</c>: creates a generator estimator and exits without disposing it
/// (<see cref="Onnx.OnnxGeneratorEstimatorTests.CreateAndExitWithoutDispose"/>).</item>
/// </list>
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        try
        {
            switch (args.FirstOrDefault())
            {
                case "train-until-killed" when args.Length == 3:
                    return TrainUntilKilled(args[1], args[2]);
                case "onnx-load-transform" when args.Length == 3:
                    return Onnx.GeneratorRows.LoadAndTransformInThisProcess(args[1], args[2]);
                case "onnx-exit-without-dispose" when args.Length == 2:
                    return Onnx.OnnxGeneratorEstimatorTests.CreateAndExitWithoutDispose(args[1]);
                default:
                    Console.Error.WriteLine("usage: dotnet Ml.GanSdp.Tests.dll train-until-killed DIR LOG | onnx-load-transform MODEL.zip OUTPUT.bin | onnx-exit-without-dispose FOLDER   (a child process of the tests)");
                    return 2;
            }
        }
        catch (Exception e)
        {
            Console.Error.WriteLine(e);
            return 1;
        }
    }

    // Each mode's work is in its own method: Main itself must not mention Ml.GanSdp's types, or compiling it would load
    // the library into children (onnx-load-transform checks that a saved model loads without it).
    private static int TrainUntilKilled(string checkpoints, string log)
    {
        TorchThreads.Set(1, "test threads"); // as AssemblySetup pins it in the test host
        CrashResumeTests.TrainUntilKilled(checkpoints, log);
        return 0;
    }

    /// <summary>Starts this assembly as a child process in <paramref name="mode"/> with <paramref name="args"/>.</summary>
    public static Process StartChild(string mode, params string[] args)
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h && File.Exists(h) ? h : "dotnet";
        var psi = new ProcessStartInfo(host) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        psi.ArgumentList.Add(typeof(Program).Assembly.Location);
        psi.ArgumentList.Add(mode);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment.Remove("GANSDP_NUM_THREADS");
        return Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {host}.");
    }

    /// <summary>Losses as exact text (round-trip "R" format), so that a log compares bit for bit.</summary>
    public static string Format(IEnumerable<double> values) => string.Join(' ', values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
}
