using System.Diagnostics;

namespace Ml.GanSdp.Tests.Onnx;

/// <summary>Starts this test assembly as a child process (<c>dotnet exec Ml.GanSdp.Tests.dll ARGS</c>, see <see cref="TestAssemblyEntryPoint"/>).</summary>
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
