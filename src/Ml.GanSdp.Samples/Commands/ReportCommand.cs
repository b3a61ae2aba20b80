using System.CommandLine;
using Spectre.Console;

namespace Ml.GanSdp.Samples.Commands;

/// <summary><c>gansdp report RUN</c>: re-renders report.html from a run folder.</summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var run = new Argument<string>("run") { Description = "run folder (with metrics.jsonl)" };
        var cmd = new Command("report", "Re-render report.html (curves and sample grids) from a run folder.");
        cmd.Arguments.Add(run);
        cmd.SetAction(p => CommandRunner.Guard(() =>
        {
            var path = ReportWriter.Write(p.GetValue(run)!);
            AnsiConsole.MarkupLine($"report: [green]{Markup.Escape(path)}[/]");
            return 0;
        }));
        return cmd;
    }
}
