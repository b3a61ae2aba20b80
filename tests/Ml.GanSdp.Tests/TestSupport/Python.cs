using System.Diagnostics;

namespace Ml.GanSdp.Tests.TestSupport;

/// <summary>
/// Runs the PyTorch oracle scripts (tests/Ml.GanSdp.Tests/Oracles/*.py) with Debian's python3, which has
/// python3-torch, python3-scipy and numpy. Arrays travel as .npy files in a per-test temporary folder.
/// </summary>
public static class Python
{
    /// <summary>The interpreter: $GANSDP_PYTHON, else /usr/bin/python3 (Debian's, with torch).</summary>
    public static string Interpreter => Environment.GetEnvironmentVariable("GANSDP_PYTHON") is { Length: > 0 } p ? p : "/usr/bin/python3";

    /// <summary>Runs Oracles/<paramref name="script"/> with arguments; returns stdout, throws with stderr on failure.</summary>
    public static string Run(string script, params string[] args)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Oracles", script);
        if (!File.Exists(path)) throw new FileNotFoundException($"Oracle script {path} is missing.");
        var psi = new ProcessStartInfo(Interpreter) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(path);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["OMP_NUM_THREADS"] = "1";
        psi.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {Interpreter}.");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5))) { p.Kill(true); throw new TimeoutException($"{script} did not finish in 5 minutes."); }
        if (p.ExitCode != 0) throw new InvalidOperationException($"{script} failed ({p.ExitCode}): {stderr.Result}");
        return stdout.Result;
    }

    /// <summary>Runs inline Python code (the oracle helpers in Oracles/oracle.py are importable as 'oracle').</summary>
    public static string Exec(string code, params string[] args)
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "Oracles");
        var file = Path.Combine(Path.GetTempPath(), $"gansdp_{Guid.NewGuid():N}.py");
        File.WriteAllText(file, $"import sys\nsys.path.insert(0, {Quote(dir)})\n" + code);
        try
        {
            var psi = new ProcessStartInfo(Interpreter) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.ArgumentList.Add(file);
            foreach (var a in args) psi.ArgumentList.Add(a);
            psi.Environment["OMP_NUM_THREADS"] = "1";
            psi.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(TimeSpan.FromMinutes(5))) { p.Kill(true); throw new TimeoutException("python did not finish in 5 minutes."); }
            if (p.ExitCode != 0) throw new InvalidOperationException($"python failed ({p.ExitCode}): {stderr.Result}");
            return stdout.Result;
        }
        finally { File.Delete(file); }
    }

    private static string Quote(string s) => "r'" + s.Replace("'", "\\'") + "'";
}

/// <summary>A temporary folder deleted on dispose.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir() => Directory.CreateDirectory(Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "gansdp-test-" + Guid.NewGuid().ToString("N")));
    public string Path { get; }
    public string File(string name) => System.IO.Path.Combine(Path, name);
    public void Dispose()
    {
        try { Directory.Delete(Path, true); } catch (IOException) { }
    }
}

/// <summary>Paths of the repository and of ../shared.</summary>
public static class Repo
{
    public static string Root
    {
        get
        {
            var d = new DirectoryInfo(AppContext.BaseDirectory);
            while (d is not null && !System.IO.File.Exists(System.IO.Path.Combine(d.FullName, "MlGan.sln"))) d = d.Parent;
            return d?.FullName ?? throw new DirectoryNotFoundException("MlGan.sln not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>../shared beside the repository (read-only material: papers, golden vectors, datasets).</summary>
    public static string Shared => System.IO.Path.GetFullPath(System.IO.Path.Combine(Root, "..", "shared"));
}
