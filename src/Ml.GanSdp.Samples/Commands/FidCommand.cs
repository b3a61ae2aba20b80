using System.CommandLine;
using System.Globalization;
using Ml.GanSdp.Data;
using Ml.GanSdp.Metrics;
using Ml.GanSdp.Pipeline;
using Spectre.Console;

namespace Ml.GanSdp.Samples.Commands;

/// <summary>
/// <c>gansdp fid MODEL</c>: the Frechet distance between the real data and a model's images; <c>gansdp fid stats</c>:
/// the real data's feature statistics saved as <c>.npz</c> (<c>mu</c>, <c>sigma</c>, readable by numpy and pytorch-fid).
/// With <c>--weights</c> (pytorch-fid's Inception-v3, converted as docs/fid.md shows) the distance is FID; otherwise the
/// features come from a small domain classifier (<c>--classifier</c>, or one trained on the data), a distance comparable
/// only between evaluations that use the same classifier weights.
/// </summary>
internal static class FidCommand
{
    private sealed class Shared
    {
        public DatasetOptions Dataset { get; } = new();
        public Option<string?> Weights { get; } = new("--weights") { Description = "pytorch-fid Inception-v3 weights (.safetensors, plain-dict .pth, .npz): the distance is then FID" };
        public Option<string?> Classifier { get; } = new("--classifier") { Description = "domain classifier weights (.npz) when no --weights; default: train one on the data" };
        public Option<string?> SaveClassifier { get; } = new("--save-classifier") { Description = "save the trained domain classifier (.npz) for later, comparable runs" };
        public Option<long> Samples { get; } = new("--samples", "-n") { Description = "real and generated samples (10,000 or more for a stable 2048-d FID)", DefaultValueFactory = _ => 10_000 };
        public Option<int> Seed { get; } = new("--seed", "-s") { Description = "seed of the latent codes and of a trained classifier", DefaultValueFactory = _ => 0 };

        public void AddTo(Command c)
        {
            Dataset.AddTo(c);
            foreach (var o in new Option[] { Weights, Classifier, SaveClassifier, Samples, Seed }) c.Options.Add(o);
        }

        /// <summary>The feature extractor the options name (the caller disposes it).</summary>
        public IFeatureExtractor Extractor(GanContext ctx, ParseResult p, IDataView real)
        {
            if (p.GetValue(Weights) is { } w)
            {
                if (p.GetValue(Classifier) is not null) throw new ArgumentException("Give either --weights (Inception, FID) or --classifier, not both.");
                return InceptionV3Fid.FromFile(w);
            }
            if (p.GetValue(Classifier) is { } c) return DomainClassifier.Load(c);
            AnsiConsole.MarkupLine("[yellow]No Inception weights (--weights): training a domain classifier on the data; the distance is comparable only under the same classifier (save it with --save-classifier).[/]");
            var clf = ctx.Evaluation.TrainDomainClassifier(real, epochs: 1, maxRows: 20_000);
            if (p.GetValue(SaveClassifier) is { } path)
            {
                clf.Save(path);
                AnsiConsole.MarkupLine($"classifier saved to [green]{Markup.Escape(path)}[/]");
            }
            return clf;
        }

        public long SampleCount(ParseResult p)
        {
            long n = p.GetValue(Samples);
            if (n < 2) throw new ArgumentException($"--samples must be at least 2 (got {n}).");
            return n;
        }
    }

    public static Command Create()
    {
        var cmd = new Command("fid", "Frechet distance between the real data and a model's images (FID with Inception weights).");
        var shared = new Shared();
        var model = new Argument<string>("model") { Description = "model zip written by train" };
        var realStats = new Option<string?>("--real-stats") { Description = "real statistics (.npz from 'fid stats'); computed from the data when absent" };
        cmd.Arguments.Add(model);
        shared.AddTo(cmd);
        cmd.Options.Add(realStats);
        cmd.SetAction(p => CommandRunner.Guard(() =>
        {
            var ctx = new GanContext(p.GetValue(shared.Seed));
            long n = shared.SampleCount(p);
            using var g = ctx.Model.Load(p.GetValue(model)!);
            var real = shared.Dataset.Load(ctx, p, train: true);
            var extractor = shared.Extractor(ctx, p, real);
            try
            {
                var evaluator = new FidEvaluator(extractor);
                using var realStatistics = p.GetValue(realStats) is { } path
                    ? GaussianStatistics.Load(path)
                    : EvaluateFidCatalogExtensions.RealStatistics(evaluator, real, "Image", n);
                if (realStatistics.Dimension != extractor.FeatureDimension)
                    throw new ArgumentException($"The real statistics have dimension {realStatistics.Dimension} but {extractor.Name} gives {extractor.FeatureDimension}-d features.");
                using var fake = evaluator.ComputeStatistics(EvaluateFidCatalogExtensions.GeneratedBatches(g, n, p.GetValue(shared.Seed)));
                var result = FrechetDistance.Compute(realStatistics, fake, allowTooFewSamples: true);
                var table = new Table().AddColumn("quantity").AddColumn("value");
                table.AddRow(extractor is InceptionV3Fid ? "FID" : "Frechet distance", result.Distance.ToString("F4", CultureInfo.InvariantCulture));
                table.AddRow("features", Markup.Escape($"{extractor.Name} ({extractor.FeatureDimension}-d)"));
                table.AddRow("samples (real / generated)", $"{realStatistics.SampleCount} / {fake.SampleCount}");
                AnsiConsole.Write(table);
                foreach (var warning in result.Warnings) AnsiConsole.MarkupLine($"[yellow]warning:[/] {Markup.Escape(warning)}");
                return 0;
            }
            finally
            {
                (extractor as IDisposable)?.Dispose();
            }
        }));
        cmd.Subcommands.Add(CreateStats());
        return cmd;
    }

    private static Command CreateStats()
    {
        var cmd = new Command("stats", "Save the real data's feature statistics (mu, sigma) as .npz.");
        var shared = new Shared();
        var outPath = new Option<string>("--out", "-o") { Description = "output .npz", Required = true };
        shared.AddTo(cmd);
        cmd.Options.Add(outPath);
        cmd.SetAction(p => CommandRunner.Guard(() =>
        {
            var ctx = new GanContext(p.GetValue(shared.Seed));
            var real = shared.Dataset.Load(ctx, p, train: true);
            var extractor = shared.Extractor(ctx, p, real);
            try
            {
                using var stats = EvaluateFidCatalogExtensions.RealStatistics(new FidEvaluator(extractor), real, "Image", shared.SampleCount(p));
                stats.Save(p.GetValue(outPath)!);
                AnsiConsole.MarkupLine($"statistics of {stats.SampleCount} images ({Markup.Escape(extractor.Name)}, {stats.Dimension}-d) in [green]{Markup.Escape(p.GetValue(outPath)!)}[/]");
                return 0;
            }
            finally
            {
                (extractor as IDisposable)?.Dispose();
            }
        }));
        return cmd;
    }
}
