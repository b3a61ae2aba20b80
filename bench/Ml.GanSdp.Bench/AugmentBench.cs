// gansdp-bench augment: augmentation gain and CAS of saved conditional generators on Fashion-MNIST with ML.NET's
// classifiers (issue #10 item 5; `make bench-augment` = bench/augment/run.sh, which trains the generators with
// `gansdp train --conditional` first). Public API only.
//
//   gansdp-bench augment generator=sdp=DIR/sdp.zip,nosdp=DIR/nosdp.zip [classifiers=lbfgs,lightgbm,cnn]
//                        [per-class=100] [subset-seed=1000] [ratio=1] [seeds=0,1,2,3,4] [synthetic-seed=1000]
//                        [test-rows=10000] [cnn-epochs=30] [data=/usr/share/datasets/fashion-mnist] [out=FILE.md]
//   (options as key=value or --key value, like every subcommand)
//
// Each generator is an ML.NET model zip whose input is (Seed Int64, Label key over Fashion-MNIST's 10 classes) and which
// adds an Image column Vector<Single, 1, 28, 28> in 0..255: what `gansdp train --conditional` saves as model.zip
// (TrainGanSdp's fitted OnnxTransformer, mlContext.Model.Save).
// For each generator and classifier: EvaluateAugmentation on a seeded per-class subset of the training split (a),
// that subset plus ratio x synthetic rows (b), synthetic rows only (c, CAS), every classifier seed, tested on the
// first test-rows rows of the test split. Prints Markdown tables (accuracy %, mean, sample SD, paired gain).
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.ML;

namespace Ml.GanSdp.Bench;

/// <summary>The augmentation benchmark (<c>gansdp-bench augment</c>).</summary>
internal static class AugmentBench
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Runs the benchmark (options above); 0 when done.</summary>
    public static int Run(Args a)
    {
        var generatorList = a.Str("generator", "");
        if (generatorList.Length == 0) throw new ArgumentException("augment: generator=NAME=MODEL.zip[,NAME=MODEL.zip...] is required.");
        var generators = generatorList.Split(',').Select(g => g.Split('=', 2)).Select(p => p.Length == 2 ? (Name: p[0], Path: p[1]) : (Name: Path.GetFileNameWithoutExtension(p[0]), Path: p[0])).ToArray();
        foreach (var (name, path) in generators)
            if (!File.Exists(path)) throw new ArgumentException($"augment: the generator '{name}' ('{path}') does not exist.");
        var classifiers = a.Str("classifiers", "lbfgs,lightgbm,cnn").Split(',').Select(ParseClassifier).ToArray();
        int perClass = a.Int("per-class", 100), subsetSeed = a.Int("subset-seed", 1000), testRows = a.Int("test-rows", 10_000), cnnEpochs = a.Int("cnn-epochs", 30);
        double ratio = a.Dbl("ratio", 1);
        var seeds = a.Longs("seeds", [0, 1, 2, 3, 4]).Select(s => checked((int)s)).ToArray();
        long syntheticSeed = a.Long("synthetic-seed", 1000);
        string data = a.Str("data", DataSourceCatalog.FashionMnistDirectory);
        string? output = a.Has("out") ? a.Str("out", "") : null;
        a.ThrowIfUnused();
        if (perClass < 1 || testRows < 1 || cnnEpochs < 1) throw new ArgumentException("augment: per-class, test-rows and cnn-epochs must be at least 1.");
        if (!(ratio > 0) || double.IsInfinity(ratio)) throw new ArgumentException($"augment: ratio must be a positive number, got {ratio.ToString(Inv)}.");

        var ml = new MLContext(seed: 0);
        var train = ml.Data.Cache(ml.Data.TakeRowsPerClass(ml.Data.LoadFashionMnist(data), perClass, subsetSeed));
        var test = ml.Data.Cache(ml.Data.TakeRows(ml.Data.LoadFashionMnist(data, train: false), testRows));
        var report = new StringBuilder();
        report.AppendLine(Inv, $"## Augmentation gain and CAS on Fashion-MNIST ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC)");
        report.AppendLine();
        report.AppendLine(Inv, $"Real training rows: {perClass} per class (TakeRowsPerClass, seed {subsetSeed}); test: the first {testRows} test rows; ratio {ratio.ToString(Inv)}; classifier seeds {string.Join(",", seeds)}; synthetic run seed {syntheticSeed} + classifier seed; CNN epochs {cnnEpochs} (real and synthetic-only arms) and {Math.Max(1, (int)Math.Round(cnnEpochs / (1 + ratio)))} (augmented arm: about the same number of steps); the ML.NET trainers run to their own convergence criteria.");
        foreach (var (name, path) in generators)
        {
            var generator = ml.Model.Load(path, out _);
            try
            {
                foreach (var kind in classifiers)
                {
                    var clock = Stopwatch.StartNew();
                    var result = ml.MulticlassClassification.EvaluateAugmentation(train, test, generator, new AugmentationEvaluationOptions
                    {
                        Seeds = seeds,
                        SyntheticRatio = ratio,
                        SyntheticSeed = syntheticSeed,
                        // Equal CNN budget: the augmented arm has (1 + ratio) x the rows, so it gets 1 / (1 + ratio) of the epochs.
                        ClassifierFactory = (context, arm, seed) => PixelClassifiers.Create(context, kind, seed: seed, cnnOptions: new ImageCnnOptions
                        {
                            Epochs = arm == AugmentationArm.RealPlusSynthetic ? Math.Max(1, (int)Math.Round(cnnEpochs / (1 + ratio))) : cnnEpochs,
                        }),
                    });
                    report.AppendLine();
                    report.AppendLine(Inv, $"### Generator `{name}`, classifier {kind} ({clock.Elapsed.TotalSeconds:F0} s)");
                    report.AppendLine();
                    AppendTable(report, seeds, result);
                    Console.Error.WriteLine($"{name} / {kind}: done in {clock.Elapsed.TotalSeconds:F0} s");
                }
            }
            finally
            {
                (generator as IDisposable)?.Dispose();
            }
        }
        var text = report.ToString();
        Console.Write(text);
        if (output is not null) File.WriteAllText(output, text);
        return 0;
    }

    private static void AppendTable(StringBuilder s, int[] seeds, AugmentationReport r)
    {
        s.AppendLine(Inv, $"| training data | rows | {string.Join(" | ", seeds.Select(x => $"seed {x}"))} | mean | SD | paired diff. vs real, pp |");
        s.AppendLine(Inv, $"|---|---:|{string.Concat(seeds.Select(_ => "---:|"))}---:|---:|---:|");
        foreach (var arm in new[] { r.Real, r.RealPlusSynthetic, r.SyntheticOnly })
        {
            var diffs = arm.MicroAccuracies.Zip(r.Real.MicroAccuracies, (a, b) => 100 * (a - b)).ToArray();
            string paired = arm.Arm == AugmentationArm.Real ? "-" : FormattableString.Invariant($"{diffs.Average():+0.00;-0.00} ({diffs.Min():+0.00;-0.00} to {diffs.Max():+0.00;-0.00})");
            string label = arm.Arm switch { AugmentationArm.Real => "real", AugmentationArm.RealPlusSynthetic => "real + synthetic", _ => "synthetic only (CAS)" };
            s.AppendLine(Inv, $"| {label} | {arm.TrainingRows} | {string.Join(" | ", arm.MicroAccuracies.Select(a => (100 * a).ToString("F2", Inv)))} | **{100 * arm.Mean:F2}** | {100 * arm.StandardDeviation:F2} | {paired} |");
        }
    }

    private static PixelClassifierKind ParseClassifier(string name) => name.Trim().ToLowerInvariant() switch
    {
        "lbfgs" => PixelClassifierKind.LbfgsMaximumEntropy,
        "sdca" => PixelClassifierKind.SdcaMaximumEntropy,
        "lightgbm" => PixelClassifierKind.LightGbm,
        "cnn" => PixelClassifierKind.ImageCnn,
        _ => throw new ArgumentException($"augment: classifiers: unknown classifier '{name}' (lbfgs, sdca, lightgbm, cnn)."),
    };
}
