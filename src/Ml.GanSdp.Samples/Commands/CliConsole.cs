using Spectre.Console;

namespace Ml.GanSdp.Samples.Commands;

/// <summary>
/// Where a command writes: <see cref="Out"/> (Spectre.Console: tables, progress, results) and <see cref="Error"/>
/// (one-line warnings and errors). The real console by default; tests pass writers to run commands in-process.
/// </summary>
public sealed class CliConsole
{
    /// <summary>The process's console: stdout through Spectre.Console's detection, stderr as is.</summary>
    public CliConsole()
    {
        Out = AnsiConsole.Console;
        OutWriter = Console.Out;
        Error = Console.Error;
    }

    /// <summary>A console writing plain text (no colours, no live displays) to <paramref name="output"/> and <paramref name="error"/>.</summary>
    public CliConsole(TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        Out = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        Out.Profile.Width = 120;
        OutWriter = output;
        Error = error;
    }

    /// <summary>Standard output.</summary>
    public IAnsiConsole Out { get; }

    /// <summary>Standard output as a plain writer (System.CommandLine's help).</summary>
    public TextWriter OutWriter { get; }

    /// <summary>Standard error.</summary>
    public TextWriter Error { get; }

    /// <summary>Whether <c>--verbose</c> was given: stack traces on errors.</summary>
    public bool Verbose { get; set; }

    /// <summary>Whether a live progress display can be drawn (a terminal).</summary>
    public bool Interactive => Out.Profile.Capabilities.Interactive;

    /// <summary>Writes <c>gansdp: warning: MESSAGE</c> to standard error.</summary>
    public void Warn(string message) => Error.WriteLine($"gansdp: warning: {message}");

    /// <summary>Writes a line of plain text (no markup) to standard output.</summary>
    public void Line(string text) => OutWriter.WriteLine(text);

    /// <summary>Writes "label: path" with the path highlighted.</summary>
    public void Path(string label, string path) => Out.MarkupLine($"{Markup.Escape(label)}: [green]{Markup.Escape(path)}[/]");
}

/// <summary>An <see cref="IProgress{T}"/> that reports on the calling thread (System.Progress posts to the thread pool).</summary>
internal sealed class ProgressSink<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
