using System.CommandLine;

namespace Ml.GanSdp.Samples.Commands;

/// <summary>The <c>gansdp</c> command line: the root command and its subcommands (one file each).</summary>
public static class Cli
{
    /// <summary>The root command with train, generate, fid, augment, classify, report and demo.</summary>
    public static RootCommand Build()
    {
        var root = new RootCommand("gansdp: GANs with sample differences penalization (SDP) on libtorch, ML.NET-style.");
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(GenerateCommand.Create());
        root.Subcommands.Add(AugmentCommand.Create());
        root.Subcommands.Add(ClassifyCommand.Create());
        root.Subcommands.Add(FidCommand.Create());
        root.Subcommands.Add(ReportCommand.Create());
        root.Subcommands.Add(DemoCommand.Create());
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/>; returns the exit code (2 for usage errors, 1 for failures).</summary>
    public static int Run(string[] args)
    {
        var parse = Build().Parse(args);
        return parse.Invoke();
    }
}
