using Ml.GanSdp.Data;
using Spectre.Console;

namespace Ml.GanSdp.Samples.Commands;

/// <summary>Turns expected failures (bad paths, bad data, bad options) into a red message and exit code 1.</summary>
internal static class CommandRunner
{
    public static int Guard(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or NotSupportedException or SchemaException or InvalidOperationException or UnauthorizedAccessException)
        {
            AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(e.Message)}");
            return 1;
        }
    }
}
