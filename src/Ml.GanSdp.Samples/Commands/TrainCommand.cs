using System.CommandLine;
using System.Globalization;
using Microsoft.ML;
using Ml.GanSdp.Losses;
using Ml.GanSdp.Models;
using Ml.GanSdp.Regularizers;
using Ml.GanSdp.Training;
using Spectre.Console;

namespace Ml.GanSdp.Samples.Commands;

/// <summary>
/// <c>gansdp train</c>: trains a GAN (DCGAN with SDP by default) with <c>mlContext.Transforms.TrainGanSdp</c> and writes a
/// run folder (docs/cli.md): options.json, metrics.jsonl, samples/, checkpoints/, model.zip, final.json, report.html.
/// </summary>
internal static class TrainCommand
{
    /// <summary>The options that <c>--resume</c> accepts besides -o: the rest is the run's recorded options.</summary>
    private static readonly string[] ResumeOverrides = ["--iterations", "--threads", "--device", "--lr", "--lr-g", "--lr-d", "--max-loss"];

    private sealed class Options
    {
        public readonly DatasetOptions Data = new();
        public readonly Option<Architecture> Architecture = Opt.Enum("--architecture", "network family", Models.Architecture.Dcgan, "-a");
        public readonly Option<GanLossKind> Loss = Opt.Enum("--loss", "adversarial loss", GanLossKind.NonSaturating);
        public readonly Option<bool> NoSdp = new("--no-sdp") { Description = "train without SDP (the baseline)" };
        public readonly Option<double?> SdpLambda = Opt.OptionalDouble("--sdp-lambda", "SDP's lambda (default 0.01)", 0, 1e6);
        public readonly Option<long?> SdpThreshold = Opt.OptionalLong("--sdp-t", "SDP's start iteration t (default 3% of the iterations, the paper's 3000 of 100,000)", 0, long.MaxValue, "--sdp-threshold");
        public readonly Option<int?> SdpK0 = Opt.OptionalInt("--sdp-k0", "SDP's initial k (default 5)", 1, 1_000_000);
        public readonly Option<long?> SdpPeriod = Opt.OptionalLong("--sdp-period", "SDP's I_p: k grows by one every I_p iterations (default 5% of the iterations)", 1, long.MaxValue, "--sdp-ip");
        public readonly Option<string[]> Regularizers = new("--regularizer", "-r") { Description = $"another stabilizer, KIND or KIND=WEIGHT, repeatable ({string.Join(", ", Opt.Names<RegularizerKind>())})", AllowMultipleArgumentsPerToken = false };
        public readonly Option<double> Lr = Opt.Double("--lr", "Adam learning rate of both networks", 2e-4, 0, 1e6, minExclusive: true);
        public readonly Option<double?> LrG = Opt.OptionalDouble("--lr-g", "generator learning rate (TTUR; default --lr)", 0, 1e6, minExclusive: true);
        public readonly Option<double?> LrD = Opt.OptionalDouble("--lr-d", "discriminator learning rate (TTUR; default --lr)", 0, 1e6, minExclusive: true);
        public readonly Option<double> Beta1 = Opt.Double("--beta1", "Adam's beta1", 0.5, 0, 0.999999);
        public readonly Option<double> Beta2 = Opt.Double("--beta2", "Adam's beta2", 0.999, 0, 0.999999);
        public readonly Option<int> NCritic = Opt.Int("--n-critic", "discriminator steps per generator step", 1, 1, 1000);
        public readonly Option<double?> Ema = Opt.OptionalDouble("--ema", "EMA decay of the generator's weights, e.g. 0.999 (the EMA generator is exported); default none", 0, 1, minExclusive: true, maxExclusive: true);
        public readonly Option<long?> EmaStart = Opt.OptionalLong("--ema-start", "iteration the EMA starts averaging (default half the iterations)", 0, long.MaxValue);
        public readonly Option<int> Batch = Opt.Int("--batch", "batch size", 64, 1, 65_536, "-b");
        public readonly Option<int> Width = Opt.Int("--width", "base width of the networks", 64, 1, 4096);
        public readonly Option<int> Latent = Opt.Int("--latent", "latent size", 100, 1, GanSdpModelInfo.MaxLatentSize);
        public readonly Option<bool> SpectralNorm = new("--spectral-norm") { Description = "spectral normalization on the discriminator" };
        public readonly Option<bool> NoDBatchNorm = new("--no-d-batch-norm") { Description = "no batch norm in the DCGAN discriminator (WGAN-GP)" };
        public readonly Option<long> Iterations = Opt.Long("--iterations", "generator iterations (in total, counting a resumed run's)", 2000, 1, 100_000_000, "-n");
        public readonly Option<long> Seed = Opt.Long("--seed", "seed of the weights and every random draw", 0, 0, int.MaxValue, "-s");
        public readonly Option<int> Threads = Opt.Int("--threads", "libtorch threads (0: the library default)", 0, 0, 1024);
        public readonly Option<string> Device = new("--device") { Description = "cpu, cuda or cuda:N", DefaultValueFactory = _ => "cpu" };
        public readonly Option<bool> Conditional = new("--conditional") { Description = "class-conditional generator and discriminator (needs labels)" };
        public readonly Option<double> MaxLoss = Opt.Double("--max-loss", "divergence bound: a loss term beyond it stops training", 1e6, 0, 1e300, minExclusive: true);
        public readonly Option<long?> SampleEvery = Opt.OptionalLong("--sample-every", "iterations between sample grids (default iterations / 10; 0: none)", 0, long.MaxValue);
        public readonly Option<int?> SampleCount = Opt.OptionalInt("--sample-count", $"images per sample grid (default {TrainRun.SamplesPerClass} per class, or 64)", 1, GanSdpOptions.MaxSampleCount);
        public readonly Option<long?> CheckpointEvery = Opt.OptionalLong("--checkpoint-every", "iterations between checkpoints (default iterations / 4; 0: none)", 0, long.MaxValue);
        public readonly Option<int> KeepCheckpoints = Opt.Int("--keep-checkpoints", "how many of the newest checkpoints to keep", 3, 1, 1_000_000);
        public readonly Option<long?> ProgressEvery = Opt.OptionalLong("--progress-every", "iterations between metrics lines (default iterations / 100)", 1, long.MaxValue);
        public readonly FeatureOptions Fd = new("fd-");
        public readonly Option<long> FdEvery = Opt.Long("--fd-every", "measure the Frechet distance every N iterations (a multiple of --sample-every; 0: never)", 0, 0, long.MaxValue);
        public readonly Option<int> FdSamples = Opt.Int("--fd-samples", "generated images per FD measurement (and real images for the reference statistics)", 1000, 2, 1_000_000);
        public readonly Option<string?> FdReference = new("--fd-reference") { Description = "reference statistics (.npz of 'fid stats'); default: the library's cache for Fashion-MNIST (resnet18), else computed from the training data" };
        public readonly Option<string> Out = new("--out", "-o") { Description = "the run folder", DefaultValueFactory = _ => "runs/train" };
        public readonly Option<bool> Resume = new("--resume") { Description = "continue the run in -o from its newest valid checkpoint, with its recorded options (-n, --threads, --device, the learning rates and --max-loss may change)" };
        public readonly Option<bool> Overwrite = new("--overwrite") { Description = "replace a previous run in -o (only the run's own files are removed)" };

        public Option[] All => [Architecture, Loss, NoSdp, SdpLambda, SdpThreshold, SdpK0, SdpPeriod, Regularizers, Lr, LrG, LrD, Beta1, Beta2, NCritic, Ema, EmaStart,
            Batch, Width, Latent, SpectralNorm, NoDBatchNorm, Iterations, Seed, Threads, Device, Conditional, MaxLoss, SampleEvery, SampleCount, CheckpointEvery,
            KeepCheckpoints, ProgressEvery, FdEvery, FdSamples, FdReference, .. Fd.All, Out, Resume, Overwrite];
    }

    public static Command Create(CliConsole console)
    {
        var o = new Options();
        var cmd = new Command("train", "Train a GAN (DCGAN + SDP by default) and write a run folder: options.json, metrics.jsonl, samples/, checkpoints/, model.zip, final.json, report.html.");
        o.Data.AddTo(cmd);
        foreach (var option in o.All) cmd.Options.Add(option);
        cmd.SetAction(p => Execute(p, o, console));
        return cmd;
    }

    private static int Execute(ParseResult p, Options o, CliConsole console)
    {
        bool resume = p.GetValue(o.Resume);
        if (resume && p.GetValue(o.Overwrite)) throw new UsageException("--resume and --overwrite exclude each other: --resume continues the run in -o, --overwrite replaces it.");
        TrainSpec? spec = null;
        Func<TrainSpec, TrainSpec>? overrides = null;
        if (resume)
        {
            var given = o.All.Concat(o.Data.All).Where(x => p.Given(x) && x != o.Out && x != o.Resume && !ResumeOverrides.Contains(x.Name)).Select(x => x.Name).ToList();
            if (given.Count > 0)
                throw new UsageException($"--resume continues the run with its recorded options (options.json); {string.Join(", ", given)} cannot change. Only -o, -n/--iterations, --threads, --device, the learning rates and --max-loss may be given.");
            overrides = s => s with { Training = ResumeOverridesOf(p, o, s.Training) };
        }
        else
        {
            spec = new TrainSpec { Dataset = o.Data.Spec(p), Training = BuildOptions(p, o), Fd = FdOf(p, o) };
        }
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            var request = new TrainRun.Request(p.GetValue(o.Out)!, resume, p.GetValue(o.Overwrite), spec, overrides, !p.Given(o.SampleCount), ["gansdp", .. p.Tokens.Select(t => t.Value)]);
            var result = Run(request, console, cancel.Token);
            PrintResult(console, result);
            return ExitCodes.Success;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>Runs a training run; turns a divergence into one clear line (iteration, network, term, value, last healthy checkpoint) and a cancellation into a resume hint.</summary>
    internal static TrainRun.Result Run(TrainRun.Request request, CliConsole console, CancellationToken cancellation)
    {
        var ml = new MLContext(seed: 1);
        try
        {
            return TrainRun.Execute(ml, request, console, cancellation);
        }
        catch (TrainingDivergedException e)
        {
            throw new RunDivergedException(DivergenceMessage(new RunFolder(request.Out), e), e);
        }
        catch (OperationCanceledException e) when (cancellation.IsCancellationRequested)
        {
            throw new OperationCanceledException($"training stopped; its checkpoints are kept: continue with gansdp train -o {request.Out} --resume", e);
        }
    }

    /// <summary>
    /// What a divergence means for the run: the iteration, network, term and value, the bound (<c>--max-loss</c>), the last
    /// healthy checkpoint (the engine deletes those written at or after the diverging iteration) and how to continue.
    /// </summary>
    internal static string DivergenceMessage(RunFolder folder, TrainingDivergedException e)
    {
        var value = e.Value.ToString("G4", CultureInfo.InvariantCulture);
        var s = $"at iteration {e.Iteration} the {e.Network}'s loss term '{e.Term}' is {value}" +
            (double.IsFinite(e.Value) ? string.Create(CultureInfo.InvariantCulture, $", beyond the bound {e.Bound:G3} (--max-loss)") : "") + "; no update was applied. ";
        s += e.LastCheckpoint is null
            ? "No healthy checkpoint was written before it: start again with a smaller learning rate (--lr) or a stabilizer, with --overwrite."
            : $"The last healthy checkpoint is '{e.LastCheckpoint}': continue from it with a smaller learning rate: gansdp train -o {folder.Path} --resume --lr <smaller>.";
        return s + $" The curves so far are in '{folder.ReportPath}'.";
    }

    /// <summary>The final metrics as a table and the paths.</summary>
    internal static void PrintResult(CliConsole console, TrainRun.Result r)
    {
        var table = new Table().Title("final metrics").AddColumn("metric").AddColumn(new TableColumn("value").RightAligned());
        foreach (var (k, v) in r.Final.Where(kv => !kv.Key.Contains('/') || kv.Key.StartsWith("G/sdp", StringComparison.Ordinal)))
            table.AddRow(Markup.Escape(k), v.ToString("G6", CultureInfo.InvariantCulture));
        console.Out.Write(table);
        console.Line(string.Create(CultureInfo.InvariantCulture, $"{r.Summary.IterationsThisFit} iterations in {r.Summary.Seconds:F1} s on {r.Summary.Rows} images."));
        console.Path("model", r.Folder.ModelPath);
        console.Path("report", r.Folder.ReportPath);
    }

    /// <summary>The estimator options the command line names (validated by TrainGanSdp in the run).</summary>
    private static GanSdpOptions BuildOptions(ParseResult p, Options o)
    {
        long n = p.GetValue(o.Iterations);
        bool sdp = !p.GetValue(o.NoSdp);
        if (!sdp && (p.Given(o.SdpLambda) || p.Given(o.SdpThreshold) || p.Given(o.SdpK0) || p.Given(o.SdpPeriod)))
            throw new UsageException("--no-sdp excludes --sdp-lambda, --sdp-t, --sdp-k0 and --sdp-period.");
        SdpOptions? sdpOptions = null;
        if (sdp)
        {
            var scaled = GanSdpOptions.ScaledSdp(n);
            sdpOptions = scaled with
            {
                Lambda = p.GetValue(o.SdpLambda) ?? scaled.Lambda,
                Threshold = p.GetValue(o.SdpThreshold) ?? scaled.Threshold,
                InitialK = p.GetValue(o.SdpK0) ?? scaled.InitialK,
                Period = p.GetValue(o.SdpPeriod) ?? scaled.Period,
            };
        }
        double lr = p.GetValue(o.Lr);
        double? ema = p.GetValue(o.Ema);
        if (ema is null && p.Given(o.EmaStart)) throw new UsageException("--ema-start needs --ema.");
        var arch = p.GetValue(o.Architecture);
        return new GanSdpOptions
        {
            OutputColumnName = LoadedData.ImageColumn,
            InputColumnName = LoadedData.ImageColumn,
            LabelColumnName = p.GetValue(o.Conditional) ? LoadedData.LabelColumn : null,
            Architecture = arch,
            Width = p.GetValue(o.Width),
            LatentSize = p.GetValue(o.Latent),
            DiscriminatorSpectralNorm = p.GetValue(o.SpectralNorm),
            DiscriminatorBatchNorm = !p.GetValue(o.NoDBatchNorm),
            Loss = p.GetValue(o.Loss),
            Iterations = n,
            BatchSize = p.GetValue(o.Batch),
            GeneratorLearningRate = p.GetValue(o.LrG) ?? lr,
            DiscriminatorLearningRate = p.GetValue(o.LrD) ?? lr,
            Beta1 = p.GetValue(o.Beta1),
            Beta2 = p.GetValue(o.Beta2),
            DiscriminatorSteps = p.GetValue(o.NCritic),
            EmaDecay = ema,
            EmaStartIteration = ema is null ? 0 : p.GetValue(o.EmaStart) ?? n / 2,
            Seed = p.GetValue(o.Seed),
            Threads = p.GetValue(o.Threads),
            Device = p.GetValue(o.Device)!,
            MaxLossMagnitude = p.GetValue(o.MaxLoss),
            UseSdp = sdp,
            Sdp = sdpOptions,
            Regularizers = ParseRegularizers(p.GetValue(o.Regularizers) ?? []),
            CheckpointInterval = p.GetValue(o.CheckpointEvery) ?? Math.Max(1, n / 4),
            CheckpointsToKeep = p.GetValue(o.KeepCheckpoints),
            ProgressInterval = p.GetValue(o.ProgressEvery) ?? Math.Max(1, n / 100),
            SampleInterval = SampleInterval(p, o, n),
            SampleCount = p.GetValue(o.SampleCount) ?? 64,
        };
    }

    /// <summary>The sample-grid interval: --sample-every, else --fd-every when given (FD is measured on the samples), else n / 10.</summary>
    private static long SampleInterval(ParseResult p, Options o, long n)
    {
        long fdEvery = p.GetValue(o.FdEvery);
        long every = p.GetValue(o.SampleEvery) ?? (fdEvery > 0 ? fdEvery : Math.Max(1, n / 10));
        if (fdEvery > 0 && (every == 0 || fdEvery % every != 0))
            throw new UsageException($"--fd-every {fdEvery} must be a multiple of --sample-every {every} (the distance is measured on the sample iterations).");
        return every;
    }

    /// <summary>The FD curve's spec, or null without --fd-every.</summary>
    private static FdSpec? FdOf(ParseResult p, Options o)
    {
        bool any = o.Fd.All.Append(o.FdSamples).Append(o.FdReference).Any(x => p.Given(x));
        if (p.GetValue(o.FdEvery) == 0)
        {
            if (any) throw new UsageException("--fd-samples, --fd-features, --fd-weights, --fd-classifier and --fd-reference need --fd-every N.");
            return null;
        }
        var features = o.Fd.Spec(p);
        if (p.GetValue(o.FdReference) is { } r && !File.Exists(r)) throw new UsageException($"--fd-reference '{r}' does not exist.");
        return new FdSpec
        {
            Every = p.GetValue(o.FdEvery),
            Samples = p.GetValue(o.FdSamples),
            Features = features.Resolved,
            Weights = features.Weights is null ? null : Path.GetFullPath(features.Weights),
            Classifier = features.Classifier is null ? null : Path.GetFullPath(features.Classifier),
            Reference = p.GetValue(o.FdReference) is { } file ? Path.GetFullPath(file) : null,
        };
    }

    /// <summary>The recorded options with the values a resume may change.</summary>
    private static GanSdpOptions ResumeOverridesOf(ParseResult p, Options o, GanSdpOptions recorded)
    {
        var r = recorded;
        if (p.Given(o.Iterations)) r = r with { Iterations = p.GetValue(o.Iterations) };
        if (p.Given(o.Threads)) r = r with { Threads = p.GetValue(o.Threads) };
        if (p.Given(o.Device)) r = r with { Device = p.GetValue(o.Device)! };
        if (p.Given(o.Lr)) r = r with { GeneratorLearningRate = p.GetValue(o.Lr), DiscriminatorLearningRate = p.GetValue(o.Lr) };
        if (p.GetValue(o.LrG) is { } g) r = r with { GeneratorLearningRate = g };
        if (p.GetValue(o.LrD) is { } d) r = r with { DiscriminatorLearningRate = d };
        if (p.Given(o.MaxLoss)) r = r with { MaxLossMagnitude = p.GetValue(o.MaxLoss) };
        return r;
    }

    /// <summary><c>KIND</c> or <c>KIND=WEIGHT</c> (e.g. <c>wgan-gp=10</c>, <c>r1=0.1</c>).</summary>
    internal static IReadOnlyList<RegularizerSpec> ParseRegularizers(IEnumerable<string> items)
    {
        var list = new List<RegularizerSpec>();
        foreach (var item in items)
        {
            var parts = item.Split('=', 2);
            var key = parts[0].Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal);
            var kind = Enum.GetNames<RegularizerKind>().FirstOrDefault(n => string.Equals(n, key, StringComparison.OrdinalIgnoreCase))
                ?? throw new UsageException($"--regularizer: unknown stabilizer '{parts[0]}'; use one of {string.Join(", ", Opt.Names<RegularizerKind>())}.");
            double? weight = null;
            if (parts.Length == 2)
            {
                if (!double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var w) || !double.IsFinite(w) || w < 0)
                    throw new UsageException($"--regularizer {item}: the weight must be a finite number >= 0 (got '{parts[1]}').");
                weight = w;
            }
            list.Add(new RegularizerSpec(Enum.Parse<RegularizerKind>(kind), weight));
        }
        return list;
    }
}
