// gansdp-bench-augment: downstream-classifier benchmark of a class-conditional GAN on Fashion-MNIST, written with
// the public pipeline API only (GanContext, TrainGanSdp, Model.Save/Load, GenerateImages, Augment,
// TrainImageClassifier, MulticlassClassification.Evaluate).
//
//   gansdp-bench-augment train    --out DIR [--sdp true|false] [--iterations N] [--width W] [--seed S]
//   gansdp-bench-augment evaluate --models sdp=DIR/sdp.zip[,nosdp=DIR/nosdp.zip] [--seeds 0,1,2] [--subset-seed 1000]
//                                 [--per-class 100] [--synthetic-ratio 1,2] [--subset fixed|per-seed] [--epochs-real 30] [--cas-per-class 1000] [--cas-epochs 5]
//
// (a) augmentation gain: 100 real images per class (a seeded draw from the train split) vs the same plus
//     ratio x as many synthetic labelled images (Transforms.Augment), the same number of classifier steps in both arms.
// (b) CAS: the classifier trained on GenerateImages(1000 per class) only vs on 1000 real images per class.
// Both tested on the full Fashion-MNIST test split (10000). Prints Markdown tables.
using System.Diagnostics;
using System.Globalization;
using Ml.GanSdp;
using Ml.GanSdp.Data;
using Ml.GanSdp.Models;
using Ml.GanSdp.Pipeline;
using Ml.GanSdp.Training;
using static Ml.GanSdp.torch;

var inv = CultureInfo.InvariantCulture;
if (args.Length == 0) return Usage();
var opts = new Dictionary<string, string>();
for (int i = 1; i + 1 < args.Length; i += 2)
{
    if (!args[i].StartsWith("--", StringComparison.Ordinal)) return Usage();
    opts[args[i][2..]] = args[i + 1];
}
string Opt(string name, string fallback) => opts.TryGetValue(name, out var v) ? v : fallback;
int IntOpt(string name, int fallback) => int.Parse(Opt(name, fallback.ToString(inv)), inv);
string data = Opt("data", DataCatalogExtensions.DebianFashionMnistDirectory);
MulticlassClassificationMetrics? lastMetrics = null;

switch (args[0])
{
    case "train": return Train();
    case "evaluate": return Evaluate();
    default: return Usage();
}

int Train()
{
    bool sdp = bool.Parse(Opt("sdp", "true"));
    long iterations = IntOpt("iterations", 2000);
    int width = IntOpt("width", 32), seed = IntOpt("seed", 0);
    string path = Opt("out", sdp ? "bench/results/augment/sdp.zip" : "bench/results/augment/nosdp.zip");
    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    var ctx = new GanContext(seed);
    var train = ctx.Data.LoadFashionMnist(data, train: true);
    var clock = Stopwatch.StartNew();
    // The demo's configuration (DCGAN width 32, latent 64, batch 64, EMA 0.99 from a fifth of the run), on all 60000 images.
    var trainer = ctx.Transforms.NormalizePixels("Image").Append(ctx.Transforms.TrainGanSdp(new GanSdpTrainerOptions
    {
        LabelColumnName = "Label",
        Trainer = new GanTrainerOptions
        {
            Iterations = iterations,
            BatchSize = 64,
            LatentSize = 64,
            Seed = seed,
            EmaDecay = 0.99,
            EmaStartIteration = iterations / 5,
            Model = new ModelOptions { Architecture = Architecture.Dcgan, Width = width, LatentSize = 64 },
            Sdp = sdp ? GanSdpTrainerCatalogExtensions.ScaledSdp(iterations) : null,
            ProgressInterval = Math.Max(1, iterations / 10),
        },
        Progress = new SyncProgress(p => Console.Error.WriteLine($"  {p}")),
    }));
    using var model = trainer.Fit(train);
    ctx.Model.Save(model.LastTransformer, path);
    Console.WriteLine($"GAN sdp={sdp} iterations={iterations} width={width} seed={seed}: {clock.Elapsed.TotalSeconds:F0} s, saved {path}");
    return 0;
}

int Evaluate()
{
    var seeds = Opt("seeds", "0,1,2").Split(',').Select(s => int.Parse(s, inv)).ToArray();
    int subsetSeed = IntOpt("subset-seed", 1000), perClass = IntOpt("per-class", 100);
    var ratios = Opt("synthetic-ratio", "1,2").Split(',').Select(r => double.Parse(r, inv)).ToArray();
    bool varySubset = Opt("subset", "fixed") == "per-seed";
    int epochsReal = IntOpt("epochs-real", 30), casPerClass = IntOpt("cas-per-class", 1000), casEpochs = IntOpt("cas-epochs", 5);
    var models = Opt("models", "sdp=bench/results/augment/sdp.zip").Split(',').Select(m => m.Split('=', 2)).Select(p => (Name: p[0], Path: p[1])).ToArray();
    // The augmented arm has (1 + ratio) x the rows: fewer epochs so both arms take the same number of steps.
    int EpochsAug(double ratio) => Math.Max(1, (int)Math.Round(epochsReal / (1 + ratio)));
    var clock = Stopwatch.StartNew();

    var ctx0 = new GanContext(0);
    var trainView = ctx0.Data.LoadFashionMnist(data, train: true);
    var test = ctx0.Data.LoadFashionMnist(data, train: false);
    using var fixedSmall = Subset(trainView, perClass, subsetSeed);
    using var realCas = Subset(trainView, casPerClass, subsetSeed + 1);
    Console.Error.WriteLine($"subsets: {fixedSmall.GetRowCount()} and {realCas.GetRowCount()} real rows (subset seed {subsetSeed}, {subsetSeed + 1})");

    var gens = models.Select(m => (m.Name, G: ctx0.Model.Load(m.Path))).ToArray();
    try
    {
        // (a) augmentation gain
        var rows = new List<(string Arm, int Seed, double Acc, double Macro)>();
        foreach (var seed in seeds)
        {
            var ctx = new GanContext(seed);
            using var perSeed = varySubset ? Subset(trainView, perClass, subsetSeed + 100 + seed) : null;
            var small = perSeed ?? fixedSmall;
            var o = new ImageClassifierOptions { Epochs = epochsReal, Seed = seed, Width = 32 };
            rows.Add(("real", seed, Acc(ctx, small, o, test, out var mac), mac));
            foreach (var ratio in ratios)
                foreach (var (name, g) in gens)
                {
                    using var aug = (InMemoryDataView)ctx.Transforms.Augment(g, ratio).Fit(small).Transform(small);
                    rows.Add(($"real + {ratio.ToString(inv)} x {name} ({aug.GetRowCount()} rows)", seed, Acc(ctx, aug, o with { Epochs = EpochsAug(ratio) }, test, out mac), mac));
                }
            Console.Error.WriteLine($"  (a) seed {seed} done, {clock.Elapsed.TotalSeconds:F0} s");
        }
        // (b) CAS
        var cas = new List<(string Arm, int Seed, double Acc, double Macro)>();
        var casPerClassAcc = new Dictionary<string, List<IReadOnlyList<double>>>();
        void Keep(string arm) { if (!casPerClassAcc.TryGetValue(arm, out var l)) casPerClassAcc[arm] = l = new(); l.Add(lastMetrics!.PerClassAccuracy); }
        foreach (var seed in seeds)
        {
            var ctx = new GanContext(seed);
            var o = new ImageClassifierOptions { Epochs = casEpochs, Seed = seed, Width = 32 };
            cas.Add(("real", seed, Acc(ctx, realCas, o, test, out var mac), mac));
            Keep("real");
            foreach (var (name, g) in gens)
            {
                // synthetic images from a seed different from the classifier's (and from the augmentation arm's)
                using var synth = ctx.Data.GenerateImages(g, Enumerable.Repeat(casPerClass, g.NumClasses).ToArray(), seed: 10_000 + seed);
                cas.Add(($"{name} only", seed, Acc(ctx, synth, o, test, out mac), mac));
                Keep($"{name} only");
            }
            Console.Error.WriteLine($"  (b) seed {seed} done, {clock.Elapsed.TotalSeconds:F0} s");
        }

        string subsetText = varySubset ? $"subset seed {subsetSeed + 100} + classifier seed, a new draw per seed" : $"subset seed {subsetSeed}, the same subset for every seed";
        Console.WriteLine($"### (a) Augmentation gain: {perClass} real images per class ({subsetText}) vs + {string.Join(" or ", ratios.Select(r => r.ToString(inv)))} x synthetic (Augment, latent seed = classifier seed); classifier seeds {string.Join(",", seeds)}; test: {test.GetRowCount()} images");
        Console.WriteLine($"classifier: small CNN width 32, batch 64, Adam 1e-3; real arm {epochsReal} epochs, augmented arms {string.Join(" / ", ratios.Select(r => EpochsAug(r).ToString(inv)))} epochs (about the same number of steps)");
        Console.WriteLine();
        PrintTable(rows, "real");
        Console.WriteLine();
        Console.WriteLine($"### (b) CAS: {casPerClass} images per class, synthetic only vs real (subset seed {subsetSeed + 1}); {casEpochs} epochs; classifier seeds {string.Join(",", seeds)}");
        Console.WriteLine();
        PrintTable(cas, "real");
        Console.WriteLine();
        var classNames = test.Schema["Label"].KeyValues!;
        Console.WriteLine("CAS per class (test accuracy %, mean over the classifier seeds):");
        Console.WriteLine();
        Console.WriteLine($"| training data | {string.Join(" | ", classNames)} |");
        Console.WriteLine($"|---|{string.Concat(classNames.Select(_ => "---:|"))}");
        foreach (var (arm, list) in casPerClassAcc)
            Console.WriteLine($"| {arm} | {string.Join(" | ", Enumerable.Range(0, classNames.Count).Select(c => (100 * list.Average(l => l[c])).ToString("F1", inv)))} |");
        Console.WriteLine();
        Console.WriteLine($"evaluation took {clock.Elapsed.TotalSeconds:F0} s");
        return 0;
    }
    finally
    {
        foreach (var (_, g) in gens) g.Dispose();
    }
}

double Acc(GanContext ctx, IDataView train, ImageClassifierOptions o, IDataView test, out double macro)
{
    using var clf = ctx.Transforms.TrainImageClassifier(o).Fit(train);
    var m = ctx.MulticlassClassification.Evaluate(clf.Transform(test));
    macro = m.MacroAccuracy;
    lastMetrics = m;
    return m.MicroAccuracy;
}

// perClass rows of each class, drawn without replacement with a seeded permutation of the whole view.
static InMemoryDataView Subset(IDataView view, int perClass, long seed)
{
    var names = view.Schema["Label"].KeyValues!;
    var images = new List<Tensor>();
    var labels = new List<long>();
    try
    {
        foreach (var batch in view.GetBatches(4096))
            using (batch)
            {
                images.Add(batch.GetTensor("Image").clone());
                using var y = batch.GetTensor("Label").to(ScalarType.Int64);
                labels.AddRange(y.ToArray<long>());
            }
        using var all = cat(images);
        var taken = new int[names.Count];
        var pick = new List<long>();
        foreach (var r in RandomAccessDataView.Permutation(labels.Count, seed))
            if (taken[labels[(int)r]] < perClass) { taken[labels[(int)r]]++; pick.Add(r); }
        if (taken.Any(t => t < perClass)) throw new InvalidOperationException($"a class has fewer than {perClass} rows");
        pick.Sort();
        using var idx = tensor(pick.ToArray());
        using var x = all.index_select(0, idx);
        using var y2 = tensor(pick.Select(i => labels[(int)i]).ToArray());
        return new InMemoryDataViewBuilder().AddImages("Image", x).AddKey("Label", y2, names).Build();
    }
    finally
    {
        foreach (var t in images) t.Dispose();
    }
}

static void PrintTable(List<(string Arm, int Seed, double Acc, double Macro)> rows, string baseline)
{
    var inv = CultureInfo.InvariantCulture;
    var seeds = rows.Select(r => r.Seed).Distinct().ToArray();
    var arms = rows.Select(r => r.Arm).Distinct().ToArray();
    string P(double v) => (100 * v).ToString("F2", inv);
    Console.WriteLine($"| training data | {string.Join(" | ", seeds.Select(s => $"seed {s}"))} | mean | std | min-max | paired diff. vs {baseline} (mean, min-max) |");
    Console.WriteLine($"|---|{string.Concat(seeds.Select(_ => "---:|"))}---:|---:|---:|---:|");
    foreach (var arm in arms)
    {
        var a = seeds.Select(s => rows.Single(r => r.Arm == arm && r.Seed == s).Acc).ToArray();
        double mean = a.Average(), std = Math.Sqrt(a.Sum(v => (v - mean) * (v - mean)) / Math.Max(1, a.Length - 1));
        string diff = "-";
        if (arm != baseline)
        {
            var d = seeds.Select(s => rows.Single(r => r.Arm == arm && r.Seed == s).Acc - rows.Single(r => r.Arm == baseline && r.Seed == s).Acc).ToArray();
            diff = $"{(100 * d.Average()).ToString("+0.00;-0.00", inv)} ({(100 * d.Min()).ToString("+0.00;-0.00", inv)} to {(100 * d.Max()).ToString("+0.00;-0.00", inv)})";
        }
        Console.WriteLine($"| {arm} | {string.Join(" | ", a.Select(P))} | {P(mean)} | {P(std)} | {P(a.Min())}-{P(a.Max())} | {diff} |");
    }
    var macros = arms.Select(arm => $"{arm} {P(rows.Where(r => r.Arm == arm).Average(r => r.Macro))}");
    Console.WriteLine();
    Console.WriteLine($"(test accuracy in %, micro; mean macro accuracy: {string.Join("; ", macros)})");
}

static int Usage()
{
    Console.Error.WriteLine("usage: gansdp-bench-augment train --out FILE.zip [--sdp true|false] [--iterations N] [--width W] [--seed S]");
    Console.Error.WriteLine("       gansdp-bench-augment evaluate --models NAME=FILE.zip[,NAME=FILE.zip] [--seeds 0,1,2] [--subset-seed S] [--per-class 100] [--synthetic-ratio 1,2] [--subset fixed|per-seed] [--epochs-real 30] [--cas-per-class 1000] [--cas-epochs 5]");
    return 2;
}

internal sealed class SyncProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
{
    public void Report(TrainingProgress value) => report(value);
}
