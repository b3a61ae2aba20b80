using System.CommandLine;
using System.Diagnostics;
using Ml.GanSdp.Data;
using Ml.GanSdp.Models;
using Ml.GanSdp.Pipeline;
using Spectre.Console;

namespace Ml.GanSdp.Samples.Commands;

/// <summary>
/// <c>gansdp demo</c> (what <c>make demo</c> runs): a class-conditional DCGAN with SDP on Debian's Fashion-MNIST for a
/// few minutes on 2 cores, the classifier-feature Frechet distance during training, a small augmentation experiment,
/// and report.html.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var iters = new Option<long>("--iterations", "-n") { Description = "generator iterations (default sized for ~3-5 minutes on 2 cores)", DefaultValueFactory = _ => DefaultIterations };
        var outDir = new Option<string>("--out", "-o") { Description = "run folder", DefaultValueFactory = _ => "runs/demo" };
        var data = new Option<string>("--data") { Description = "Fashion-MNIST folder", DefaultValueFactory = _ => DataCatalogExtensions.DebianFashionMnistDirectory };
        var seed = new Option<int>("--seed", "-s") { Description = "seed", DefaultValueFactory = _ => 0 };
        var augment = new Option<bool>("--augment") { Description = "run the augmentation experiment after training", DefaultValueFactory = _ => true };
        var cmd = new Command("demo", "Train DCGAN + SDP on Fashion-MNIST for a few minutes, then report (make demo).");
        foreach (var o in new Option[] { iters, outDir, data, seed, augment }) cmd.Options.Add(o);
        cmd.SetAction(p => CommandRunner.Guard(() => Run(p.GetValue(data)!, p.GetValue(outDir)!, p.GetValue(iters), p.GetValue(seed), p.GetValue(augment))));
        return cmd;
    }

    /// <summary>Iterations of the default demo: 1000 took 2:58 in all here (2 shared cores, load average 5-7), aiming at 3-5 minutes.</summary>
    public const long DefaultIterations = 1000;

    internal static int Run(string dataDir, string outDir, long iterations, int seed, bool augment)
    {
        var clock = Stopwatch.StartNew();
        var console = AnsiConsole.Console;
        console.Write(new Rule("[bold]gansdp demo[/]: conditional DCGAN + SDP on Fashion-MNIST"));
        var ctx = new GanContext(seed);
        var train = ctx.Data.LoadFashionMnist(dataDir, train: true);
        var test = ctx.Data.LoadFashionMnist(dataDir, train: false);
        var settings = new TrainSettings
        {
            OutputFolder = outDir,
            Architecture = Architecture.Dcgan,
            Conditional = true,
            Iterations = iterations,
            BatchSize = 64,
            Width = 32,
            LatentSize = 64,
            EmaDecay = 0.99,
            Seed = seed,
            // SDP's schedule scaled to the run: the paper's t = 3000 and I_p = 5000 of 10000 iterations
            SdpThreshold = iterations * 3 / 10,
            SdpPeriod = Math.Max(1, iterations / 2),
            SampleInterval = Math.Max(1, iterations / 10),
            CheckpointInterval = Math.Max(1, iterations / 2),
            FeatureDistance = true,
            FeatureDistanceSamples = 1000,
            MaxRows = 20_000,
        };
        console.MarkupLine($"{iterations} iterations, batch 64, DCGAN width 32, SDP t = {settings.SdpThreshold}, I_p = {settings.SdpPeriod}, k0 = 5, lambda = 0.01; 20000 training images");
        var r = TrainRun.Run(ctx, train, settings, console);
        using (r.Model)
        {
            console.Write(TrainRun.MetricsTable(r.Metrics.Where(kv => !kv.Key.Contains('/')).ToDictionary(), "final metrics"));
            if (augment)
            {
                console.MarkupLine("[grey]Augmentation experiment: a classifier on 1000 real images vs the same plus 1000 synthetic ones, 2000 test images...[/]");
                var small = new TakeRows(train, 1000);
                var results = ClassifyCommand.Experiment(ctx, small, new TakeRows(test, 2000), r.Model, 1.0, 3, seed);
                ClassifyCommand.Print(results);
            }
        }
        console.MarkupLine($"model:  [green]{Markup.Escape(Path.GetFullPath(r.ModelPath))}[/]");
        console.MarkupLine($"report: [green]{Markup.Escape(Path.GetFullPath(r.ReportPath))}[/]  (open it in a browser)");
        console.MarkupLine($"[grey]demo took {clock.Elapsed:mm\\:ss}[/]");
        return 0;
    }
}
