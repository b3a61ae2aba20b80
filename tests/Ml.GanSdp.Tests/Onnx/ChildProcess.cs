namespace Ml.GanSdp.Tests.Onnx;

/// <summary>Runs this test assembly as a child process to the end (<see cref="TestSupport.Program.StartChild"/>), returning its output.</summary>
public static class ChildProcess
{
    public static string Run(TimeSpan timeout, params string[] args)
    {
        using var p = TestSupport.Program.StartChild(args[0], args[1..]);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout)) { p.Kill(true); throw new TimeoutException($"child process {string.Join(" ", args)} did not finish in {timeout}."); }
        if (p.ExitCode != 0) throw new InvalidOperationException($"child process failed ({p.ExitCode}): {stderr.Result}\n{stdout.Result}");
        return stdout.Result;
    }
}
