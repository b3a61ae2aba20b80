using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.ML;
using Spectre.Console;

namespace Ml.GanSdp.Samples.Commands;

/// <summary>
/// <c>gansdp classify MODEL</c>: what a conditional generator's images are worth to downstream classifiers
/// (<c>EvaluateAugmentation</c>): for each classifier (ML.NET's L-BFGS, SDCA, LightGbm, and/or the library's CNN) and seed,
/// trained on (a) the real rows, (b) real plus synthetic rows, (c) synthetic rows only (CAS), tested on real test rows;
/// accuracy per seed, mean ± SD, the paired gain (b) - (a) and CAS.
/// </summary>
internal static class ClassifyCommand
{
    /// <summary>Short names of the classifiers.</summary>
    private static readonly Dictionary<string, PixelClassifierKind> Kinds = new(StringComparer.OrdinalIgnoreCase)
    {
        ["lbfgs"] = PixelClassifierKind.LbfgsMaximumEntropy,
        ["sdca"] = PixelClassifierKind.SdcaMaximumEntropy,
        ["lightgbm"] = PixelClassifierKind.LightGbm,
        ["cnn"] = PixelClassifierKind.ImageCnn,
    };

    public static Command Create(CliConsole console)
    {
        var data = new DatasetOptions();
        var model = new Argument<string>("model") { Description = "a class-conditional model zip (train --conditional)" };
        var classifiers = new Option<PixelClassifierKind[]>("--classifiers") { Description = "classifiers, comma-separated: lbfgs, sdca, lightgbm, cnn", DefaultValueFactory = _ => [PixelClassifierKind.LbfgsMaximumEntropy], CustomParser = ParseKinds };
        var seeds = Opt.IntList("--seeds", "classifier seeds, comma-separated (each gives one accuracy per arm)", [0, 1, 2], 0, int.MaxValue);
        var perClass = Opt.OptionalInt("--per-class", "real training rows per class (a stratified random subset; default all rows, or --max-rows)", 1, int.MaxValue);
        var ratio = Opt.Double("--ratio", "synthetic rows per real row in arm (b)", 1, 0, 1e6);
        var testRows = Opt.Long("--test-rows", "real test rows (the first ones of the test split)", 2000, 1, long.MaxValue);
        var epochs = Opt.Int("--cnn-epochs", "epochs of the CNN classifier", 3, 1, 100_000);
        var output = new Option<string?>("--out", "-o") { Description = "also write the results as JSON to this file" };
        var cmd = new Command("classify", "Train downstream classifiers on real vs real + synthetic (and synthetic-only) rows and test them on real data: accuracy mean ± SD over seeds, augmentation gain, CAS.");
        cmd.Arguments.Add(model);
        data.AddTo(cmd);
        foreach (var o in new Option[] { classifiers, seeds, perClass, ratio, testRows, epochs, output }) cmd.Options.Add(o);
        cmd.SetAction(p =>
        {
            var spec = data.Spec(p);
            if (p.GetValue(output) is { } outFile && Path.GetExtension(outFile) != ".json") throw new UsageException($"-o '{outFile}': the results file must end in .json.");
            var ml = new MLContext(seed: 1);
            using var g = GeneratorModel.Load(ml, p.GetValue(model)!);
            var request = new Request(p.GetValue(classifiers)!, p.GetValue(seeds)!, p.GetValue(perClass), p.GetValue(ratio), p.GetValue(testRows), p.GetValue(epochs));
            var results = Evaluate(ml, g, spec, request, console);
            Print(console, results);
            if (p.GetValue(output) is { } file)
            {
                Serialization.AtomicFile.WriteAllText(file, RunJson.Text(ToJson(results)));
                console.Path("results", Path.GetFullPath(file));
            }
            return ExitCodes.Success;
        });
        return cmd;
    }

    /// <summary>What to evaluate.</summary>
    internal sealed record Request(IReadOnlyList<PixelClassifierKind> Classifiers, IReadOnlyList<int> Seeds, int? PerClass, double Ratio, long TestRows, int CnnEpochs);

    /// <summary>The three arms' scores of one classifier.</summary>
    internal sealed record Result(PixelClassifierKind Classifier, AugmentationReport Report);

    /// <summary>Loads the real train and test rows in the model's shape and runs <c>EvaluateAugmentation</c> for each classifier.</summary>
    internal static List<Result> Evaluate(MLContext ml, GeneratorModel g, DatasetSpec spec, Request r, CliConsole console)
    {
        var train = ModelData.Load(ml, spec, g, train: true).View;
        var test = ModelData.Load(ml, spec with { MaxRows = null }, g, train: false).View;
        test = ml.Data.TakeRows(test, r.TestRows);
        string image = ModelData.ImageColumn(g), label = ModelData.LabelColumn(g);
        if (r.PerClass is { } n) train = ml.Data.TakeRowsPerClass(train, n, seed: 0, labelColumnName: label);
        // The real rows are read once into memory: every arm and seed trains on them.
        train = ml.Data.Cache(train);
        var results = new List<Result>();
        foreach (var kind in r.Classifiers)
        {
            console.Line($"Evaluating {Opt.Kebab(kind)} on seeds {string.Join(", ", r.Seeds)}: real, real + {r.Ratio.ToString(CultureInfo.InvariantCulture)} x synthetic, synthetic only ...");
            var report = ml.MulticlassClassification.EvaluateAugmentation(train, test, g.Transformer, new AugmentationEvaluationOptions
            {
                Classifier = kind,
                ClassifierFactory = kind == PixelClassifierKind.ImageCnn
                    ? (ctx, _, seed) => PixelClassifiers.Create(ctx, kind, label, image, seed, new ImageCnnOptions { Epochs = r.CnnEpochs, MinPixelValue = g.Info.PixelRange.Min, MaxPixelValue = g.Info.PixelRange.Max })
                    : null,
                Seeds = r.Seeds,
                SyntheticRatio = r.Ratio,
                ImageColumnName = image,
                LabelColumnName = label,
                SeedColumnName = g.Info.SeedColumnName,
            });
            results.Add(new Result(kind, report));
        }
        return results;
    }

    /// <summary>One table per classifier: accuracy (%) per seed, mean ± SD per arm; then the gain and CAS.</summary>
    internal static void Print(CliConsole console, IReadOnlyList<Result> results)
    {
        foreach (var (kind, report) in results)
        {
            var table = new Table().Title($"{Opt.Kebab(kind)}: test accuracy (%)").AddColumn("training rows");
            foreach (var s in report.Real.Seeds) table.AddColumn(new TableColumn($"seed {s}").RightAligned());
            table.AddColumn(new TableColumn("mean ± SD").RightAligned());
            foreach (var arm in new[] { report.Real, report.RealPlusSynthetic, report.SyntheticOnly })
                table.AddRow([Markup.Escape($"{ArmName(arm.Arm)} ({arm.TrainingRows})"), .. arm.MicroAccuracies.Select(Pct), $"{Pct(arm.Mean)} ± {Pct(arm.StandardDeviation)}"]);
            console.Out.Write(table);
            console.Line(string.Create(CultureInfo.InvariantCulture,
                $"augmentation gain (b) - (a): {100 * report.AugmentationGain:+0.00;-0.00;0.00} ± {100 * report.AugmentationGainStandardDeviation:F2} points; CAS (synthetic only): {Pct(report.ClassificationAccuracyScore)}%"));
        }
    }

    /// <summary>The results as JSON (accuracies as fractions).</summary>
    internal static JsonObject ToJson(IReadOnlyList<Result> results)
    {
        var o = new JsonObject();
        foreach (var (kind, report) in results)
        {
            var arms = new JsonObject();
            foreach (var arm in new[] { report.Real, report.RealPlusSynthetic, report.SyntheticOnly })
                arms[Opt.Kebab(arm.Arm)] = new JsonObject
                {
                    ["training_rows"] = arm.TrainingRows,
                    ["seeds"] = new JsonArray([.. arm.Seeds.Select(s => (JsonNode?)s)]),
                    ["accuracy"] = new JsonArray([.. arm.MicroAccuracies.Select(a => (JsonNode?)a)]),
                    ["macro_accuracy"] = new JsonArray([.. arm.MacroAccuracies.Select(a => (JsonNode?)a)]),
                    ["mean"] = arm.Mean,
                    ["sd"] = arm.StandardDeviation,
                };
            o[Opt.Kebab(kind)] = new JsonObject
            {
                ["arms"] = arms,
                ["augmentation_gain"] = report.AugmentationGain,
                ["augmentation_gain_sd"] = report.AugmentationGainStandardDeviation,
                ["cas"] = report.ClassificationAccuracyScore,
            };
        }
        return o;
    }

    internal static string ArmName(AugmentationArm arm) => arm switch
    {
        AugmentationArm.Real => "(a) real",
        AugmentationArm.RealPlusSynthetic => "(b) real + synthetic",
        _ => "(c) synthetic only",
    };

    private static string Pct(double v) => double.IsFinite(v) ? (100 * v).ToString("F2", CultureInfo.InvariantCulture) : "-";

    private static PixelClassifierKind[] ParseKinds(ArgumentResult r)
    {
        var list = new List<PixelClassifierKind>();
        foreach (var part in r.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            if (Kinds.TryGetValue(part, out var k) || (Enum.TryParse(part.Replace("-", ""), true, out k) && Enum.IsDefined(k) && !char.IsDigit(part[0]))) list.Add(k);
            else r.AddError($"--classifiers: unknown classifier '{part}'; use lbfgs, sdca, lightgbm or cnn.");
        }
        if (list.Count == 0) r.AddError("--classifiers needs at least one classifier.");
        return [.. list.Distinct()];
    }
}
