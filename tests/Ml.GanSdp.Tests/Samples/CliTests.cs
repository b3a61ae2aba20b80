using Ml.GanSdp.Samples.Commands;
using Ml.GanSdp.Tests.TestSupport;

namespace Ml.GanSdp.Tests.Samples;

/// <summary>The root of <c>gansdp</c>: usage errors, one-line failures, --verbose, and the real executable as a child process.</summary>
[TestClass]
public sealed class CliTests
{
    [TestMethod]
    public void UsageErrors_ExitWithTwo_AndHelpListsTheCommands()
    {
        Gansdp.Run([]).ExpectOneLineError(ExitCodes.Usage, "Required command");
        Gansdp.Run(["nosuch"]).Expect(ExitCodes.Usage);
        Gansdp.Run(["train", "--nosuch-option"]).ExpectOneLineError(ExitCodes.Usage, "--nosuch-option");
        var help = Gansdp.Run(["--help"]).Expect(0);
        foreach (var command in new[] { "train", "generate", "augment", "classify", "report", "demo" }) StringAssert.Contains(help.Out, command);
        StringAssert.Contains(Gansdp.Run(["train", "--help"]).Expect(0).Out, "--sdp-lambda");
    }

    [TestMethod]
    public void Failures_AreOneLine_AndVerboseAddsTheStackTrace()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("run"));
        File.WriteAllText(dir.File("run/metrics.jsonl"), "{\"iteration\": 1}\nnot json\n{\"iteration\": 2}\n");
        Gansdp.Run(["report", dir.File("run")]).ExpectOneLineError(ExitCodes.Failure, "metrics.jsonl:2");
        var verbose = Gansdp.Run(["report", dir.File("run"), "--verbose"]).Expect(ExitCodes.Failure);
        StringAssert.Contains(verbose.Err, "   at ");
        StringAssert.Contains(verbose.Err, "InvalidDataException");
    }

    [TestMethod]
    public void OneLine_JoinsTheCausesOnce_AndNamesProgrammingErrors()
    {
        var nested = new InvalidOperationException("Splitter/consolidator worker encountered exception while consuming source data",
            new IOException("Cannot read image 'x.png': truncated"));
        Assert.AreEqual("Splitter/consolidator worker encountered exception while consuming source data: Cannot read image 'x.png': truncated", Cli.OneLine(nested));
        var repeated = new IOException("Cannot write 'a': disk full", new IOException("disk full"));
        Assert.AreEqual("Cannot write 'a': disk full", Cli.OneLine(repeated));
        var aggregate = new AggregateException(new ArgumentException("first", "p"), new InvalidDataException("second\nline"));
        Assert.AreEqual("first: second line", Cli.OneLine(aggregate), "an aggregate is its causes; ArgumentException's parameter suffix is dropped");
        var written = new IOException("Cannot write '/x/g.png': Could not find file '/x/g.png'.", new FileNotFoundException("Could not find file '/x/.g.png.1.abc.tmp'."));
        Assert.AreEqual("Cannot write '/x/g.png': Could not find file '/x/g.png'.", Cli.OneLine(written), "an I/O error's message is complete: its cause (naming a temporary file) is left out");
        StringAssert.StartsWith(Cli.OneLine(new NullReferenceException("boom")), "NullReferenceException: boom");
        Assert.AreEqual(ExitCodes.Diverged, Cli.ExitCode(new Ml.GanSdp.Training.TrainingDivergedException(1, "generator", "total", double.NaN, 1e6, null)));
        Assert.AreEqual(ExitCodes.Cancelled, Cli.ExitCode(new OperationCanceledException()));
        Assert.AreEqual(ExitCodes.Usage, Cli.ExitCode(new UsageException("u")));
    }

    [TestMethod]
    public void TheExecutable_ReturnsItsExitCodes_AsAChildProcess()
    {
        var help = Gansdp.RunChild(TimeSpan.FromMinutes(2), "--help");
        help.Expect(0);
        StringAssert.Contains(help.Out, "generate");
        using var dir = new TempDir();
        Gansdp.RunChild(TimeSpan.FromMinutes(2), "generate", dir.File("missing.zip"), "-o", dir.File("g.png")).ExpectOneLineError(ExitCodes.Failure, "missing.zip");
        Gansdp.RunChild(TimeSpan.FromMinutes(2), "train", "--lr", "NaN").ExpectOneLineError(ExitCodes.Usage, "--lr");
    }
}
