using System.CommandLine;
using Ml.GanSdp.Training;

namespace Ml.GanSdp.Samples.Commands;

/// <summary>
/// The <c>gansdp</c> command line: the root command and its subcommands (one file each under Commands/). Every failure
/// ends here as one line on standard error and a non-zero exit code (<see cref="ExitCodes"/>); the stack trace only
/// with <c>--verbose</c>.
/// </summary>
public static class Cli
{
    /// <summary>The global <c>--verbose</c> option (stack traces on errors).</summary>
    internal static readonly Option<bool> Verbose = new("--verbose") { Description = "print stack traces with errors", Recursive = true };

    /// <summary>The root command with train, generate, fid, augment, classify, report and demo.</summary>
    public static RootCommand Build(CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(console);
        var root = new RootCommand("gansdp: GANs with sample differences penalization (SDP) as ML.NET pipeline components on TorchSharp.");
        root.Options.Add(Verbose);
        root.Subcommands.Add(TrainCommand.Create(console));
        root.Subcommands.Add(GenerateCommand.Create(console));
        root.Subcommands.Add(FidCommand.Create(console));
        root.Subcommands.Add(AugmentCommand.Create(console));
        root.Subcommands.Add(ClassifyCommand.Create(console));
        root.Subcommands.Add(ReportCommand.Create(console));
        root.Subcommands.Add(DemoCommand.Create(console));
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/> on the process's console; returns the exit code.</summary>
    public static int Run(string[] args) => Run(args, new CliConsole());

    /// <summary>Parses and runs <paramref name="args"/> writing to <paramref name="output"/> and <paramref name="error"/> (in-process use, tests).</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error) => Run(args, new CliConsole(output, error));

    /// <summary>Parses and runs <paramref name="args"/> on <paramref name="console"/>; returns the exit code.</summary>
    public static int Run(string[] args, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(console);
        console.Verbose = args.Contains("--verbose");
        try
        {
            var parse = Build(console).Parse(args);
            if (parse.Errors.Count > 0)
            {
                foreach (var error in parse.Errors) console.Error.WriteLine($"gansdp: error: {error.Message}");
                console.Error.WriteLine("Run 'gansdp --help' or 'gansdp <command> --help' for the usage.");
                return ExitCodes.Usage;
            }
            return parse.Invoke(new InvocationConfiguration { Output = console.OutWriter, Error = console.Error, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e)
        {
            return Report(console, e);
        }
    }

    /// <summary>Writes <paramref name="e"/> as one line (its messages and those of its causes) and returns its exit code.</summary>
    internal static int Report(CliConsole console, Exception e)
    {
        int code = ExitCode(e);
        string kind = code switch
        {
            ExitCodes.Diverged => "training diverged",
            ExitCodes.Cancelled => "interrupted",
            _ => "error",
        };
        console.Error.WriteLine($"gansdp: {kind}: {OneLine(e)}");
        if (console.Verbose) console.Error.WriteLine(e.ToString());
        return code;
    }

    /// <summary>The exit code of an exception that ended a command.</summary>
    internal static int ExitCode(Exception e) => e switch
    {
        UsageException => ExitCodes.Usage,
        TrainingDivergedException or RunDivergedException => ExitCodes.Diverged,
        OperationCanceledException => ExitCodes.Cancelled,
        _ => ExitCodes.Failure,
    };

    /// <summary>
    /// The messages of <paramref name="e"/> and its inner exceptions on one line, each once (ML.NET wraps the cause of a
    /// failed cursor in messages such as "Splitter/consolidator worker encountered exception"). Exceptions that signal a
    /// programming error rather than bad input (null references, invalid casts, ...) are named by their type.
    /// </summary>
    internal static string OneLine(Exception e)
    {
        var parts = new List<string>();
        var pending = new Stack<Exception>();
        pending.Push(e);
        while (pending.Count > 0)
        {
            var x = pending.Pop();
            if (x is AggregateException a)
            {
                foreach (var inner in a.InnerExceptions.Reverse()) pending.Push(inner);
                continue;
            }
            var text = x is ArgumentException { ParamName: { } param } && x.Message.EndsWith($" (Parameter '{param}')", StringComparison.Ordinal)
                ? x.Message[..^$" (Parameter '{param}')".Length]
                : x.Message;
            var message = string.Join(' ', text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            if (IsBug(x)) message = $"{x.GetType().Name}: {message} (run with --verbose for the stack trace)";
            if (message.Length > 0 && !parts.Any(p => p.Contains(message, StringComparison.Ordinal))) parts.Add(message);
            // Wrappers (ML.NET's failed cursors, reflection, type initializers) carry the cause inside; the CLI's and the
            // library's own exceptions (I/O, data, arguments) say everything in their message (AtomicFile's names the target
            // where its cause names a temporary file). Inner exceptions are for --verbose.
            if (x.InnerException is { } next && x is InvalidOperationException or FormatException or System.Reflection.TargetInvocationException or TypeInitializationException)
                pending.Push(next);
        }
        return string.Join(": ", parts);
    }

    private static bool IsBug(Exception e) => e is NullReferenceException or InvalidCastException or IndexOutOfRangeException or KeyNotFoundException
        or NotImplementedException or AccessViolationException or DivideByZeroException or ArrayTypeMismatchException;
}
