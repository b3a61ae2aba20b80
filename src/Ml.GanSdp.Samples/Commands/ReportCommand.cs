using System.CommandLine;

namespace Ml.GanSdp.Samples.Commands;

/// <summary><c>gansdp report RUN</c>: re-renders a run folder's report.html from its files.</summary>
internal static class ReportCommand
{
    public static Command Create(CliConsole console)
    {
        var run = new Argument<string>("run") { Description = "the run folder (written by train)" };
        var cmd = new Command("report", "Re-render report.html of a run folder from options.json, metrics.jsonl, samples/ and final.json.");
        cmd.Arguments.Add(run);
        cmd.SetAction(p =>
        {
            var path = p.GetValue(run)!;
            if (!Directory.Exists(path)) throw new UsageException($"The run folder '{path}' does not exist.");
            console.Path("report", RunReport.Write(new RunFolder(path)));
            return ExitCodes.Success;
        });
        return cmd;
    }
}
