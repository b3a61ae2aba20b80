using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Ml.GanSdp.Onnx.Protobuf;
using Ml.GanSdp.Samples.Commands;
using Ml.GanSdp.Tests.TestSupport;

namespace Ml.GanSdp.Tests.Samples;

/// <summary>The result of one gansdp command.</summary>
public sealed record CliResult(int ExitCode, string Out, string Err)
{
    /// <summary>Asserts the exit code, showing the output on failure.</summary>
    public CliResult Expect(int code)
    {
        Assert.AreEqual(code, ExitCode, $"exit code; stdout:\n{Out}\nstderr:\n{Err}");
        return this;
    }

    /// <summary>Asserts a failure reported as one line on stderr with no stack trace, containing each of <paramref name="parts"/>.</summary>
    public CliResult ExpectOneLineError(int code, params string[] parts)
    {
        Expect(code);
        var lines = Err.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith("gansdp: warning:", StringComparison.Ordinal)).ToArray();
        Assert.IsTrue(lines.Length >= 1 && lines[0].StartsWith("gansdp: ", StringComparison.Ordinal), $"stderr: {Err}");
        Assert.IsFalse(Err.Contains("   at ", StringComparison.Ordinal), $"no stack trace without --verbose: {Err}");
        foreach (var p in parts) StringAssert.Contains(lines[0], p, $"stderr: {Err}");
        return this;
    }
}

/// <summary>Runs <c>gansdp</c> in-process (<see cref="Cli.Run(string[], TextWriter, TextWriter)"/>) or as a child process (gansdp.dll beside the tests).</summary>
public static class Gansdp
{
    /// <summary>In-process: the command's entry with captured output.</summary>
    public static CliResult Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int rc = Cli.Run(args, output, error);
        return new CliResult(rc, output.ToString(), error.ToString());
    }

    /// <summary>The gansdp assembly copied into the test output by the project reference.</summary>
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "gansdp.dll");

    /// <summary>Starts <c>dotnet gansdp.dll ARGS</c>.</summary>
    public static Process Start(params string[] args)
    {
        var psi = new ProcessStartInfo(DotnetHost) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment.Remove("GANSDP_NUM_THREADS");
        return Process.Start(psi) ?? throw new InvalidOperationException("Could not start gansdp.");
    }

    /// <summary>Runs gansdp as a child process to the end.</summary>
    public static CliResult RunChild(TimeSpan timeout, params string[] args)
    {
        using var p = Start(args);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout)) { p.Kill(true); throw new TimeoutException($"gansdp {string.Join(' ', args)} did not finish in {timeout}."); }
        return new CliResult(p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>
    /// Runs gansdp as a child of Debian's python3 and returns its result with its peak resident memory (getrusage's
    /// ru_maxrss of the waited-for child, in KiB: exact, unlike sampling /proc).
    /// </summary>
    public static (CliResult Result, long PeakKiB) RunChildMeasured(params string[] args)
    {
        var psi = new ProcessStartInfo(Python.Interpreter) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("import resource, subprocess, sys\nr = subprocess.run(sys.argv[1:], capture_output=True, text=True)\nsys.stderr.write(r.stderr)\nsys.stdout.write(r.stdout)\nsys.stdout.write('\\nPEAK_KIB %d RC %d\\n' % (resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r.returncode))");
        psi.ArgumentList.Add(DotnetHost);
        psi.ArgumentList.Add(Dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("Could not start python3.");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5))) { p.Kill(true); throw new TimeoutException("measured gansdp did not finish."); }
        var last = stdout.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1].Split(' ');
        Assert.AreEqual("PEAK_KIB", last[0], stdout.Result);
        return (new CliResult(int.Parse(last[3]), stdout.Result, stderr.Result), long.Parse(last[1]));
    }

    private static string DotnetHost => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h && File.Exists(h) ? h : "dotnet";
}

/// <summary>
/// Tiny trained runs shared by the CLI tests (trained once per test process): a class-conditional DCGAN on 300
/// Fashion-MNIST rows, and an unconditional one. Tiny settings: width 8, latent 8, batch 16, 6 iterations.
/// </summary>
public static class TinyRuns
{
    private static readonly TempDir Root = new();
    private static readonly Lazy<string> ConditionalRun = new(() => Train("conditional", "--conditional"));
    private static readonly Lazy<string> UnconditionalRun = new(() => Train("unconditional"));

    static TinyRuns() => AppDomain.CurrentDomain.ProcessExit += (_, _) => Root.Dispose();

    /// <summary>The arguments of the tiny runs (without -o and the conditional flag).</summary>
    public static readonly string[] Args = ["train", "--max-rows", "300", "-n", "6", "--width", "8", "--latent", "8", "--batch", "16",
        "--sample-every", "3", "--checkpoint-every", "3", "--seed", "3", "--threads", "1"];

    /// <summary>The run folder of the conditional run (read it, do not change it).</summary>
    public static string Conditional => ConditionalRun.Value;

    /// <summary>The run folder of the unconditional run.</summary>
    public static string Unconditional => UnconditionalRun.Value;

    /// <summary>The conditional run's model.</summary>
    public static string ConditionalModel => Path.Combine(Conditional, "model.zip");

    /// <summary>Skips the test when Debian's Fashion-MNIST is missing (make test installs it).</summary>
    public static void RequireFashionMnist()
    {
        if (!File.Exists(Path.Combine(DataSourceCatalog.FashionMnistDirectory, "train-images-idx3-ubyte.gz")))
            Assert.Inconclusive($"Fashion-MNIST is not installed in {DataSourceCatalog.FashionMnistDirectory} (apt-get install dataset-fashion-mnist).");
    }

    private static string Train(string name, params string[] extra)
    {
        RequireFashionMnist();
        var dir = Root.File(name);
        Gansdp.Run([.. Args, .. extra, "-o", dir]).Expect(0);
        return dir;
    }

    /// <summary>A copy of a run folder to change.</summary>
    public static string Copy(string run, string to)
    {
        foreach (var file in Directory.EnumerateFiles(run, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(run, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        return to;
    }

    /// <summary>
    /// A copy of <paramref name="model"/> whose generator metadata field <paramref name="key"/> is set to
    /// <paramref name="value"/> (null removes it): the ONNX model in the zip's OnnxModel entry is parsed, edited and put back
    /// with its length prefix.
    /// </summary>
    public static string WithMetadata(string model, string target, string key, string? value)
    {
        if (Path.GetFullPath(model) != Path.GetFullPath(target)) File.Copy(model, target, overwrite: true);
        using var zip = ZipFile.Open(target, ZipArchiveMode.Update);
        var entry = zip.Entries.Single(e => e.Name == "OnnxModel");
        byte[] bytes;
        using (var s = entry.Open()) { using var m = new MemoryStream(); s.CopyTo(m); bytes = m.ToArray(); }
        var onnx = ModelProto.Parser.ParseFrom(bytes.AsSpan(4).ToArray());
        var existing = onnx.MetadataProps.FirstOrDefault(p => p.Key == key);
        if (existing is not null) onnx.MetadataProps.Remove(existing);
        if (value is not null) onnx.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        var edited = onnx.ToByteArray();
        var name = entry.FullName;
        entry.Delete();
        using (var s = zip.CreateEntry(name).Open())
        {
            s.Write(BitConverter.GetBytes(edited.Length));
            s.Write(edited);
        }
        return target;
    }

    /// <summary>Reads a JSON file.</summary>
    public static JsonObject Json(string path) => (JsonObject)JsonNode.Parse(File.ReadAllText(path))!;
}
