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
/// <item><c>gansdp-load-transform MODEL.zip JOB.json OUTPUT.bin</c>: loads a saved TrainGanSdp model (alone or a whole
/// ImageAnalytics chain) and transforms the job's rows (<see cref="Pipeline.GanSdpChildJob.LoadAndTransformInThisProcess"/>).</item>
/// <item><c>cnn-load-score MODEL.zip PIXELS.bin OUTPUT.bin</c>: loads a saved ImageCnn classifier and scores pixels
/// (<see cref="Classifiers.ClassifierChild.LoadAndScoreInThisProcess"/>).</item>
/// <item><c>onnx-exit-without-dispose FOLDER</c>: creates a generator estimator and exits without disposing it
/// (<see cref="Onnx.OnnxGeneratorEstimatorTests.CreateAndExitWithoutDispose"/>).</item>
/// <item><c>onnx-thread-affinity library|ort-default</c>: counts threads pinned by ONNX Runtime
/// (<see cref="Onnx.OnnxRuntimeThreadsTests.CountPinnedThreadsInThisProcess"/>).</item>
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
                case "gansdp-load-transform" when args.Length == 4:
                    return Pipeline.GanSdpChildJob.LoadAndTransformInThisProcess(args[1], args[2], args[3]);
                case "cnn-load-score" when args.Length == 4:
                    return Classifiers.ClassifierChild.LoadAndScoreInThisProcess(args[1], args[2], args[3]);
                case "onnx-exit-without-dispose" when args.Length == 2:
                    return Onnx.OnnxGeneratorEstimatorTests.CreateAndExitWithoutDispose(args[1]);
                case "onnx-thread-affinity" when args.Length == 2:
                    return Onnx.OnnxRuntimeThreadsTests.CountPinnedThreadsInThisProcess(args[1]);
                default:
                    Console.Error.WriteLine("usage: dotnet Ml.GanSdp.Tests.dll MODE ARGS (a child process of the tests); modes: train-until-killed DIR LOG | onnx-load-transform MODEL.zip OUTPUT.bin | gansdp-load-transform MODEL.zip JOB.json OUTPUT.bin | cnn-load-score MODEL.zip PIXELS.bin OUTPUT.bin | onnx-exit-without-dispose FOLDER | onnx-thread-affinity library|ort-default");
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
    // the library into children (the load-transform modes check that a saved model loads without it).
    private static int TrainUntilKilled(string checkpoints, string log)
    {
        TorchThreads.Set(1, "test threads"); // as AssemblySetup pins it in the test host
        CrashResumeTests.TrainUntilKilled(checkpoints, log);
        return 0;
    }

    /// <summary>
    /// Runs this assembly as a child process in <paramref name="mode"/> to completion within <paramref name="timeout"/>;
    /// returns its standard output, throws with its standard error when it fails.
    /// </summary>
    public static string RunChild(TimeSpan timeout, string mode, params string[] args)
    {
        using var p = StartChild(mode, args);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout)) { p.Kill(true); throw new TimeoutException($"child process {mode} {string.Join(" ", args)} did not finish in {timeout}."); }
        if (p.ExitCode != 0) throw new InvalidOperationException($"child process {mode} failed ({p.ExitCode}): {stderr.Result}\n{stdout.Result}");
        return stdout.Result;
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
