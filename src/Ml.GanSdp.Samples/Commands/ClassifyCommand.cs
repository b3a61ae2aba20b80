using System.CommandLine;
using System.Globalization;
using Ml.GanSdp.Data;
using Ml.GanSdp.Pipeline;
using Spectre.Console;

namespace Ml.GanSdp.Samples.Commands;

/// <summary>
/// <c>gansdp classify</c>: trains the small CNN classifier on real data (and, with --model, on real plus synthetic data)
/// and evaluates it on the test split: accuracy, per-class accuracy and the confusion matrix.
/// </summary>
internal static class ClassifyCommand
{
    public static Command Create()
    {
        var data = new DatasetOptions();
        var model = new Option<string?>("--model", "-m") { Description = "conditional model zip: also train on real + synthetic rows and compare" };
        var ratio = new Option<double>("--ratio", "-r") { Description = "synthetic rows per real row (with --model)", DefaultValueFactory = _ => 1.0 };
        var epochs = new Option<int>("--epochs") { Description = "classifier epochs", DefaultValueFactory = _ => 2 };
        var testRows = new Option<long>("--test-rows") { Description = "test rows to evaluate", DefaultValueFactory = _ => 2000 };
        var seed = new Option<int>("--seed", "-s") { Description = "seed", DefaultValueFactory = _ => 0 };
        var cmd = new Command("classify", "Train and evaluate a small CNN classifier, optionally with GAN augmentation.");
        data.AddTo(cmd);
        foreach (var o in new Option[] { model, ratio, epochs, testRows, seed }) cmd.Options.Add(o);
        cmd.SetAction(p => CommandRunner.Guard(() =>
        {
            var ctx = new GanContext(p.GetValue(seed));
            var train = data.Load(ctx, p, train: true);
            var test = data.Load(ctx, p, train: false);
            if (p.GetValue(data.MaxRows) is { } max) train = new TakeRows(train, max);
            test = new TakeRows(test, p.GetValue(testRows));
            GanGeneratorTransformer? g = p.GetValue(model) is { } path ? ctx.Model.Load(path) : null;
            try
            {
                var results = Experiment(ctx, train, test, g, p.GetValue(ratio), p.GetValue(epochs), p.GetValue(seed));
                Print(results);
            }
            finally
            {
                g?.Dispose();
            }
            return 0;
        }));
        return cmd;
    }

    /// <summary>Baseline (real rows) and, with a generator, augmented (real + ratio x synthetic) classifiers on the same test rows.</summary>
    internal static List<(string Name, MulticlassClassificationMetrics Metrics)> Experiment(GanContext ctx, IDataView train, IDataView test,
        GanGeneratorTransformer? g, double ratio, int epochs, long seed)
    {
        var results = new List<(string, MulticlassClassificationMetrics)>();
        var options = new ImageClassifierOptions { Epochs = epochs, Seed = seed, Width = 32 };
        using (var baseline = ctx.Transforms.TrainImageClassifier(options).Fit(train))
            results.Add(("real", ctx.MulticlassClassification.Evaluate(baseline.Transform(test))));
        if (g is not null)
        {
            var trainFit = AugmentCommand.FitToModel(ctx, train, g);
            var testFit = AugmentCommand.FitToModel(ctx, test, g);
            using var augmented = (InMemoryDataView)ctx.Transforms.Augment(g, ratio).Fit(trainFit).Transform(trainFit);
            using var clf = ctx.Transforms.TrainImageClassifier(options).Fit(augmented);
            results.Add(($"real + {ratio.ToString(CultureInfo.InvariantCulture)} x synthetic", ctx.MulticlassClassification.Evaluate(clf.Transform(testFit))));
        }
        return results;
    }

    internal static void Print(IReadOnlyList<(string Name, MulticlassClassificationMetrics Metrics)> results)
    {
        var names = results[0].Metrics.ClassNames;
        var table = new Table().Title("test accuracy").AddColumn("class");
        foreach (var (n, _) in results) table.AddColumn(new TableColumn(Markup.Escape(n)).RightAligned());
        for (int c = 0; c < names.Count; c++)
            table.AddRow(new[] { Markup.Escape(names[c]) }.Concat(results.Select(r => Pct(r.Metrics.PerClassAccuracy[c]))).ToArray());
        table.AddRow(new[] { "[bold]micro (overall)[/]" }.Concat(results.Select(r => $"[bold]{Pct(r.Metrics.MicroAccuracy)}[/]")).ToArray());
        table.AddRow(new[] { "macro" }.Concat(results.Select(r => Pct(r.Metrics.MacroAccuracy))).ToArray());
        AnsiConsole.Write(table);
        var last = results[^1];
        var cm = new Table().Title($"confusion matrix ({Markup.Escape(last.Name)}; rows: true class, columns: predicted)").AddColumn("");
        for (int c = 0; c < names.Count; c++) cm.AddColumn(new TableColumn(c.ToString(CultureInfo.InvariantCulture)).RightAligned());
        for (int c = 0; c < names.Count; c++)
            cm.AddRow(new[] { $"{c} {Markup.Escape(names[c])}" }.Concat(last.Metrics.ConfusionMatrix[c].Select(v => v.ToString(CultureInfo.InvariantCulture))).ToArray());
        AnsiConsole.Write(cm);
    }

    private static string Pct(double v) => double.IsFinite(v) ? (100 * v).ToString("F1", CultureInfo.InvariantCulture) + "%" : "-";
}
