using System.CommandLine;
using System.Globalization;
using Microsoft.ML;
using Ml.GanSdp.Features;
using Spectre.Console;

namespace Ml.GanSdp.Samples.Commands;

/// <summary>
/// <c>gansdp fid MODEL</c>: the Frechet distance (FID with Inception weights, else FD (ResNet18), or FD (classifier)), KID
/// and precision/recall between real images and a model's images (<c>mlContext.Generation().Evaluate</c>).
/// <c>gansdp fid stats</c>: a data set's feature statistics as .npz (pytorch-fid's mu/sigma, plus n and feature_space),
/// or the cached reference statistics of Fashion-MNIST / the CIFAR-10 JPEGs (<c>ReferenceStatistics</c>).
/// </summary>
internal static class FidCommand
{
    /// <summary>The data sets whose reference statistics the library caches.</summary>
    public enum Reference
    {
        /// <summary>Fashion-MNIST's training images (Debian's files).</summary>
        FashionMnist,
        /// <summary>CIFAR-10's training JPEGs (the archive of --archive, extracted into the cache once).</summary>
        Cifar10Jpg,
    }

    public static Command Create(CliConsole console)
    {
        var data = new DatasetOptions();
        var features = new FeatureOptions("");
        var model = new Argument<string>("model") { Description = "the model zip (model.zip of a run)" };
        var samples = Opt.Long("--samples", "generated images, and real images when the real side is data (spread over a conditional model's classes)", 10_000, 2, 10_000_000, "-n");
        var seed = Opt.Long("--seed", "run seed of the generated images", 0, long.MinValue, long.MaxValue, "-s");
        var reference = new Option<string?>("--reference") { Description = "precomputed real statistics (.npz of 'fid stats' or pytorch-fid): the Frechet distance only" };
        var referenceSet = ReferenceOption();
        var archive = ArchiveOption();
        var output = new Option<string?>("--out", "-o") { Description = "also write the metrics as JSON to this file" };
        var allowFew = new Option<bool>("--allow-few") { Description = "compute what is defined with fewer samples than the feature dimension needs (flagged), instead of failing" };
        var cmd = new Command("fid", "Frechet distance (FID with Inception weights, else FD (ResNet18)), KID and precision/recall between real data and a model's images.");
        cmd.Arguments.Add(model);
        data.AddTo(cmd);
        foreach (var o in features.All.Concat([samples, seed, reference, referenceSet, archive, allowFew, output])) cmd.Options.Add(o);
        cmd.SetAction(p =>
        {
            var spec = data.Spec(p);
            var fs = features.Spec(p);
            if (p.GetValue(reference) is { } r && !File.Exists(r)) throw new UsageException($"--reference '{r}' does not exist.");
            if (p.Given(reference) && p.Given(referenceSet)) throw new UsageException("Give either --reference or --reference-dataset, not both.");
            if (p.GetValue(output) is { } json && !string.Equals(Path.GetExtension(json), ".json", StringComparison.OrdinalIgnoreCase)) throw new UsageException($"-o '{json}': the results file must end in .json.");
            if (p.Given(reference) && fs.Resolved == GenerativeFeatureSpace.DomainClassifier && fs.Classifier is null)
                throw new UsageException("Domain-classifier features against --reference statistics need --classifier: the classifier those statistics were computed with.");
            var ml = new MLContext(seed: 1);
            using var g = GeneratorModel.Load(ml, p.GetValue(model)!);
            long n = p.GetValue(samples);
            var generated = Generated(ml, g, n, p.GetValue(seed));
            var options = Features.Options(fs, null, generatedImageColumn: g.Info.OutputColumnName) with { AllowTooFewSamples = p.GetValue(allowFew) };
            GenerativeMetrics metrics;
            if (p.GetValue(reference) is { } file)
            {
                var classifier = Features.LoadClassifier(fs, g.Info.ImageShape);
                metrics = ml.Generation().Evaluate(FeatureStatistics.Load(file), generated, options with { DomainClassifier = classifier }, Progress(console));
            }
            else if (p.Given(referenceSet))
            {
                if (fs.Resolved != GenerativeFeatureSpace.ResNet18) throw new UsageException("--reference-dataset statistics are in the ResNet18 feature space; use --features resnet18 (or auto without --weights).");
                var cached = Cached(ml, p.GetValue(referenceSet), p.GetValue(archive), n, console);
                metrics = ml.Generation().Evaluate(cached.Statistics, generated, options, Progress(console));
            }
            else
            {
                var real = DatasetOptions.Load(ml, spec, train: true, g.Info.ImageShape);
                var classifier = Features.Classifier(ml, fs, real, console);
                metrics = ml.Generation().Evaluate(Features.Sample(ml, real, n), generated, options with { DomainClassifier = classifier }, Progress(console));
            }
            Print(console, metrics);
            if (p.GetValue(output) is { } results)
            {
                Serialization.AtomicFile.WriteAllText(results, RunJson.Text(System.Text.Json.JsonSerializer.SerializeToNode(metrics, RunJson.Options)!));
                console.Path("results", Path.GetFullPath(results));
            }
            return ExitCodes.Success;
        });
        cmd.Subcommands.Add(CreateStats(console));
        return cmd;
    }

    private static Command CreateStats(CliConsole console)
    {
        var data = new DatasetOptions();
        var features = new FeatureOptions("");
        var samples = Opt.OptionalLong("--samples", "real images (a stratified sample of labelled data; default all)", 2, 10_000_000, "-n");
        var output = new Option<string?>("--out", "-o") { Description = "the statistics file (.npz)" };
        var referenceSet = ReferenceOption();
        var archive = ArchiveOption();
        var recompute = new Option<bool>("--recompute") { Description = "with --reference-dataset: recompute and overwrite the cached file" };
        var saveClassifier = new Option<string?>("--save-classifier") { Description = "domain-classifier features: save the classifier trained on the data (.npz), to measure generators later in the same space" };
        var cmd = new Command("stats", "Save a data set's feature statistics (mu, sigma, n, feature_space) as .npz, or compute/show the cached reference statistics of Fashion-MNIST or the CIFAR-10 JPEGs (ResNet18).");
        data.AddTo(cmd);
        foreach (var o in features.All.Concat([samples, output, referenceSet, archive, recompute, saveClassifier])) cmd.Options.Add(o);
        cmd.SetAction(p =>
        {
            var spec = data.Spec(p);
            var fs = features.Spec(p);
            var ml = new MLContext(seed: 1);
            if (p.Given(referenceSet))
            {
                if (p.Given(output)) throw new UsageException("--reference-dataset statistics go to the cache (their path is printed); leave out -o.");
                if (fs.Resolved != GenerativeFeatureSpace.ResNet18) throw new UsageException("--reference-dataset statistics are in the ResNet18 feature space.");
                var cached = Cached(ml, p.GetValue(referenceSet), p.GetValue(archive), p.GetValue(samples), console, p.GetValue(recompute));
                console.Line(FormattableString.Invariant($"{(cached.FromCache ? "cached" : "computed")} statistics of {cached.Statistics.Count} images ({cached.Statistics.FeatureSpace}, {cached.Statistics.Dimension}-d)"));
                console.Path("statistics", cached.Path);
                return ExitCodes.Success;
            }
            var outPath = p.GetValue(output) ?? throw new UsageException("fid stats needs -o FILE.npz (or --reference-dataset for the cached reference statistics).");
            if (!string.Equals(Path.GetExtension(outPath), ".npz", StringComparison.OrdinalIgnoreCase)) throw new UsageException($"-o '{outPath}': statistics are written as .npz.");
            if (Directory.Exists(outPath)) throw new UsageException($"-o '{outPath}' is a folder.");
            var save = p.GetValue(saveClassifier);
            if (save is not null && (fs.Resolved != GenerativeFeatureSpace.DomainClassifier || fs.Classifier is not null))
                throw new UsageException("--save-classifier saves a classifier this command trains: domain-classifier features without --classifier.");
            if (fs.Resolved == GenerativeFeatureSpace.DomainClassifier && fs.Classifier is null && save is null)
                throw new UsageException("Statistics in the domain-classifier space are only usable with the same classifier: give --classifier, or --save-classifier FILE.npz to keep the one trained here.");
            if (save is not null && !string.Equals(Path.GetExtension(save), ".npz", StringComparison.OrdinalIgnoreCase)) throw new UsageException($"--save-classifier '{save}': the classifier is written as .npz.");
            var real = DatasetOptions.Load(ml, spec, train: true);
            var classifier = Features.Classifier(ml, fs, real, console);
            if (save is not null)
            {
                classifier!.Save(save);
                console.Path("classifier", Path.GetFullPath(save));
            }
            var view = p.GetValue(samples) is { } n ? Features.Sample(ml, real, n) : real.View;
            var stats = ml.Generation().ComputeStatistics(view, Features.Options(fs, classifier), RowProgress(console));
            stats.Save(outPath);
            console.Line(FormattableString.Invariant($"statistics of {stats.Count} images of {real.Description} ({stats.FeatureSpace}, {stats.Dimension}-d)"));
            console.Path("statistics", Path.GetFullPath(outPath));
            return ExitCodes.Success;
        });
        return cmd;
    }

    private static Option<Reference> ReferenceOption() => Opt.Enum("--reference-dataset", "the cached reference statistics (ResNet18) of a known data set, computed once outside the repository", Reference.FashionMnist);

    private static Option<string?> ArchiveOption() => new("--archive") { Description = "cifar10-jpg.tar.gz, for --reference-dataset cifar10-jpg until its extraction is cached (the project's copy: ../shared/datasets/)" };

    /// <summary>The cached reference statistics (<c>ReferenceStatistics.GetOrCompute</c>, ResNet18).</summary>
    internal static ReferenceStatisticsResult Cached(MLContext ml, Reference which, string? archive, long? images, CliConsole console, bool recompute = false)
    {
        if (archive is not null && !File.Exists(archive)) throw new UsageException($"--archive '{archive}' does not exist.");
        if (images is > int.MaxValue) throw new UsageException($"--samples {images} is too large.");
        var dataset = which == Reference.FashionMnist ? ReferenceDataset.FashionMnistTrain : ReferenceDataset.Cifar10Train;
        return ReferenceStatistics.GetOrCompute(ml, dataset, new ReferenceStatisticsOptions { Cifar10Archive = archive, MaxImages = (int?)images, Recompute = recompute }, RowProgress(console));
    }

    /// <summary>
    /// n images of the model (a conditional model: ceil(n / K) per class, so every class is represented equally), streamed
    /// from <c>mlContext.Data.GenerateImages</c> (row i of class k from seed RowSeed(seed, k, i)).
    /// </summary>
    internal static IDataView Generated(MLContext ml, GeneratorModel g, long n, long seed)
    {
        long perClass = g.Conditional ? (n + g.Info.ClassCount - 1) / g.Info.ClassCount : n;
        if (perClass > int.MaxValue) throw new UsageException($"--samples {n} is too large.");
        return ml.Data.GenerateImages(g.Transformer, g.InputSchema, new ImageGenerationOptions
        {
            RowsPerClass = (int)perClass,
            Seed = seed,
            SeedColumnName = g.Info.SeedColumnName,
            LabelColumnName = g.Info.LabelColumnName,
            ImageColumnName = g.Info.OutputColumnName,
        });
    }

    internal static void Print(CliConsole console, GenerativeMetrics m)
    {
        string N(long? v) => v?.ToString(CultureInfo.InvariantCulture) ?? "unknown";
        var table = new Table().Title("generated vs real images").AddColumn("quantity").AddColumn(new TableColumn("value").RightAligned());
        table.AddRow(Markup.Escape(m.DistanceName), m.FrechetDistance.ToString("F4", CultureInfo.InvariantCulture));
        table.AddRow("feature space", Markup.Escape(m.FeatureSpace));
        if (m.KidMean is { } kid) table.AddRow("KID", string.Create(CultureInfo.InvariantCulture, $"{kid:G5} ± {m.KidStandardDeviation:G3} ({m.KidSubsets} subsets of {m.KidSubsetSize})"));
        if (m.Precision is { } pr) table.AddRow("precision", pr.ToString("F4", CultureInfo.InvariantCulture));
        if (m.Recall is { } rc) table.AddRow("recall", rc.ToString("F4", CultureInfo.InvariantCulture) + $" (k = {m.PrecisionRecallNeighbors})");
        table.AddRow("images (real / generated)", $"{N(m.RealSampleCount)} / {N(m.GeneratedSampleCount)}");
        console.Out.Write(table);
        foreach (var w in m.Warnings) console.Warn(w);
    }

    private static IProgress<GenerativeEvaluationProgress>? Progress(CliConsole console)
        => console.Interactive ? new ProgressSink<GenerativeEvaluationProgress>(p => { if (p.Rows % 1024 == 0) console.Error.Write($"\r{p.Side}: {p.Rows} images featurized   "); }) : null;

    private static IProgress<long>? RowProgress(CliConsole console)
        => console.Interactive ? new ProgressSink<long>(n => { if (n % 1024 == 0) console.Error.Write($"\r{n} images featurized   "); }) : null;
}
