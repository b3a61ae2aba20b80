using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Ml.GanSdp.Models;
using Spectre.Console;

namespace Ml.GanSdp.Samples.Commands;

/// <summary>
/// <c>gansdp demo</c> (what <c>make demo</c> runs): the ML.NET pipeline end to end on Debian's Fashion-MNIST in a few
/// minutes on 2 cores: load (<c>LoadFashionMnist</c>) -> <c>TrainGanSdp</c> (a class-conditional DCGAN with SDP) ->
/// <c>Model.Save</c> -> <c>Model.Load</c> -> generate a grid -> augment -> ML.NET's L-BFGS classifier on real vs
/// real + synthetic rows (and synthetic only) -> report.html.
/// </summary>
internal static class DemoCommand
{
    /// <summary>Iterations of the demo's training (about two minutes on 2 busy cores).</summary>
    public const long DefaultIterations = 1200;

    public static Command Create(CliConsole console)
    {
        var iterations = Opt.Long("--iterations", "generator iterations", DefaultIterations, 1, 100_000_000, "-n");
        var output = new Option<string>("--out", "-o") { Description = "the run folder (replaced)", DefaultValueFactory = _ => "runs/demo" };
        var data = new Option<string>("--data") { Description = "the Fashion-MNIST folder", DefaultValueFactory = _ => DataSourceCatalog.FashionMnistDirectory };
        var rows = Opt.Long("--max-rows", "training images", 10_000, 100, 60_000);
        var seed = Opt.Long("--seed", "seed", 0, 0, int.MaxValue, "-s");
        var perClass = Opt.Int("--per-class", "real rows per class for the downstream classifier", 50, 1, 6000);
        var cmd = new Command("demo", "The ML.NET pipeline end to end on Fashion-MNIST: load, TrainGanSdp (conditional DCGAN + SDP), save, load, generate, augment, classify, report.");
        foreach (var o in new Option[] { iterations, output, data, rows, seed, perClass }) cmd.Options.Add(o);
        cmd.SetAction(p => Run(console, p.GetValue(output)!, p.GetValue(data)!, p.GetValue(iterations), p.GetValue(rows), p.GetValue(seed), p.GetValue(perClass)));
        return cmd;
    }

    private static int Run(CliConsole console, string outDir, string dataDir, long n, long rows, long seed, int perClass)
    {
        var clock = Stopwatch.StartNew();
        var ml = new MLContext(seed: (int)seed);
        var dataset = new DatasetSpec { Kind = DatasetKind.FashionMnist, Data = dataDir, MaxRows = rows };

        Step(console, 1, "load: mlContext.Data.LoadFashionMnist");
        var training = new GanSdpOptions
        {
            OutputColumnName = LoadedData.ImageColumn,
            InputColumnName = LoadedData.ImageColumn,
            LabelColumnName = LoadedData.LabelColumn,
            Architecture = Architecture.Dcgan,
            Width = 32,
            LatentSize = 64,
            BatchSize = 64,
            Iterations = n,
            EmaDecay = 0.99,
            EmaStartIteration = n / 2,
            Seed = seed,
            UseSdp = true,
            Sdp = GanSdpOptions.ScaledSdp(n),
            SampleInterval = Math.Max(1, n / 10),
            SampleCount = TrainRun.SamplesPerClass * 10,
            CheckpointInterval = Math.Max(1, n / 2),
            ProgressInterval = Math.Max(1, n / 100),
        };

        Step(console, 2, "train: TrainGanSdp (conditional DCGAN + SDP), Model.Save");
        var request = new TrainRun.Request(outDir, Resume: false, Overwrite: true, new TrainSpec { Dataset = dataset, Training = training }, null, AutoSampleCount: false,
            ["gansdp", "demo", "-n", n.ToString(CultureInfo.InvariantCulture), "-o", outDir]);
        TrainCommand.PrintResult(console, TrainCommand.Run(request, console, CancellationToken.None));
        var folder = new RunFolder(outDir);

        Step(console, 3, "load: mlContext.Model.Load (ONNX Runtime, no TorchSharp)");
        using var g = GeneratorModel.Load(ml, folder.ModelPath);
        console.Line($"{g.Info.Architecture}, {g.Info.ClassCount} classes, {g.Info.ImageShape} in [{g.Info.PixelRange.Min}, {g.Info.PixelRange.Max}], {(g.Info.ExportedEmaGenerator ? "EMA" : "generator")} weights; input columns {string.Join(", ", g.InputSchema.Select(c => $"{c.Name} ({c.Type})"))}.");

        Step(console, 4, "generate: mlContext.Data.GenerateImages");
        var gridPath = Path.Combine(folder.Path, "generated.png");
        var images = new List<float[]>();
        var labels = new List<int>();
        GenerateCommand.Stream(ml, g, GenerateCommand.Quota(10L * TrainRun.SamplesPerClass, g.Info.ClassCount, null), seed, (k, _, px) => { images.Add(px); labels.Add(k); });
        ImageGrid.Save(gridPath, images.SelectMany(x => x).ToArray(), g.Info.ImageShape, new ImageGridOptions { Columns = TrainRun.SamplesPerClass }, labels.ToArray());
        console.Path("grid", gridPath);

        Step(console, 5, "augment + classify: Augment, ML.NET's L-BFGS");
        console.Line($"{perClass} real rows per class (a), the same plus as many synthetic rows (b), synthetic rows only (c); 2,000 test rows.");
        var classify = ClassifyCommand.Evaluate(ml, g, dataset with { MaxRows = null }, new ClassifyCommand.Request([PixelClassifierKind.LbfgsMaximumEntropy], [0, 1], perClass, 1, 2000, 3), console);
        ClassifyCommand.Print(console, classify);
        Serialization.AtomicFile.WriteAllText(folder.ClassifyPath, RunJson.Text(ClassifyCommand.ToJson(classify)));

        Step(console, 6, "report");
        RunReport.Write(folder);
        console.Line(string.Create(CultureInfo.InvariantCulture, $"demo took {clock.Elapsed:mm\\:ss}"));
        console.Path("report", folder.ReportPath);
        console.Line("(open it in a browser)");
        return ExitCodes.Success;
    }

    private static void Step(CliConsole console, int i, string what) => console.Out.Write(new Rule($"[bold]{i}/6[/] {Markup.Escape(what)}").LeftJustified());
}
