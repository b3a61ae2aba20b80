using System.Diagnostics;

namespace Ml.GanSdp.Tests;

/// <summary>
/// The test assembly's own entry point (the test project sets <c>GenerateProgramFile</c> to false), so a test can start
/// the assembly again as a fresh process in a mode that does one job and writes its result: e.g. loading a saved ML.NET
/// model with nothing of this library loaded. Test runners never call it.
/// </summary>
public static class TestAssemblyEntryPoint
{
    public static int Main(string[] args)
    {
        switch (args)
        {
            case ["onnx-load-transform", var zip, var output]:
                return Onnx.GeneratorRows.LoadAndTransformInThisProcess(zip, output);
            case ["onnx-exit-without-dispose", var parent]:
                return Onnx.OnnxGeneratorEstimatorTests.CreateAndExitWithoutDispose(parent);
            default:
                Console.Error.WriteLine("usage: Ml.GanSdp.Tests onnx-load-transform MODEL.zip OUTPUT.bin | onnx-exit-without-dispose FOLDER");
                return 2;
        }
    }
}

/// <summary>Starts this test assembly as a child process (<c>dotnet exec Ml.GanSdp.Tests.dll ARGS</c>).</summary>
public static class ChildProcess
{
    public static string Run(TimeSpan timeout, params string[] args)
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h && File.Exists(h) ? h : "dotnet";
        var psi = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("exec");
        psi.ArgumentList.Add(typeof(ChildProcess).Assembly.Location);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {host}.");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout)) { p.Kill(true); throw new TimeoutException($"child process {string.Join(" ", args)} did not finish in {timeout}."); }
        if (p.ExitCode != 0) throw new InvalidOperationException($"child process failed ({p.ExitCode}): {stderr.Result}\n{stdout.Result}");
        return stdout.Result;
    }
}
