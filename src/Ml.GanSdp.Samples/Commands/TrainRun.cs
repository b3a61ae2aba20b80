using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ml.GanSdp.Data;
using Ml.GanSdp.Imaging;
using Ml.GanSdp.Losses;
using Ml.GanSdp.Models;
using Ml.GanSdp.Pipeline;
using Ml.GanSdp.Regularizers;
using Ml.GanSdp.Serialization;
using Ml.GanSdp.Training;
using Spectre.Console;
using static Ml.GanSdp.torch;

namespace Ml.GanSdp.Samples.Commands;

/// <summary>What <c>train</c> and <c>demo</c> train.</summary>
internal sealed record TrainSettings
{
    public required string OutputFolder { get; init; }
    public Architecture Architecture { get; init; } = Architecture.Dcgan;
    public GanLossKind Loss { get; init; } = GanLossKind.NonSaturating;
    public bool Sdp { get; init; } = true;
    public long? SdpThreshold { get; init; }
    public long? SdpPeriod { get; init; }
    public int SdpInitialK { get; init; } = 5;
    public double SdpLambda { get; init; } = 0.01;
    public long Iterations { get; init; } = 2000;
    public int BatchSize { get; init; } = 64;
    public int Width { get; init; } = 64;
    public int LatentSize { get; init; } = 100;
    public bool Conditional { get; init; }
    public double? EmaDecay { get; init; } = 0.999;
    public double LearningRate { get; init; } = 2e-4;
    public long Seed { get; init; }
    public long? SampleInterval { get; init; }
    public long? CheckpointInterval { get; init; }
    public long? MaxRows { get; init; }
    /// <summary>Compute the classifier-feature Frechet distance at each sample interval (needs labels).</summary>
    public bool FeatureDistance { get; init; } = true;
    public int FeatureDistanceSamples { get; init; } = 1000;
    public int Threads { get; init; }
    /// <summary>A checkpoint to continue from, or "latest" for the newest one in the run folder's checkpoints/.</summary>
    public string? Resume { get; init; }
}

/// <summary>
/// One training run into a run folder: options.json, metrics.jsonl (one JSON object per progress report and per
/// evaluation), samples/samples-NNNNNNNN.png grids, checkpoints/, model.zip, final.json and report.html.
/// </summary>
internal static class TrainRun
{
    public sealed record Result(string Folder, string ModelPath, string ReportPath, IReadOnlyDictionary<string, double> Metrics, GanGeneratorTransformer Model);

    public static Result Run(GanContext ctx, IDataView data, TrainSettings s, IAnsiConsole console)
    {
        Directory.CreateDirectory(s.OutputFolder);
        var samplesDir = Path.Combine(s.OutputFolder, "samples");
        Directory.CreateDirectory(samplesDir);
        var metricsPath = Path.Combine(s.OutputFolder, "metrics.jsonl");
        string? resumeFrom = s.Resume is null ? null
            : s.Resume == "latest"
                ? Checkpoint.FindLatest(Path.Combine(s.OutputFolder, "checkpoints")) ?? throw new FileNotFoundException($"--resume latest: no checkpoint in {Path.Combine(s.OutputFolder, "checkpoints")}.")
                : s.Resume;
        if (resumeFrom is null) File.WriteAllText(metricsPath, "");   // a resumed run appends to its metrics
        long sampleEvery = s.SampleInterval ?? Math.Max(1, s.Iterations / 10);
        var trainer = new GanTrainerOptions
        {
            Loss = s.Loss,
            Iterations = s.Iterations,
            BatchSize = s.BatchSize,
            LatentSize = s.LatentSize,
            GeneratorLearningRate = s.LearningRate,
            DiscriminatorLearningRate = s.LearningRate,
            Seed = s.Seed,
            EmaDecay = s.EmaDecay,
            // the EMA copies G for the first fifth of the run, then averages (a short run's EMA would otherwise keep
            // much of the initial weights: 0.999^600 = 0.55)
            EmaStartIteration = s.Iterations / 5,
            Threads = s.Threads,
            Model = new ModelOptions
            {
                Architecture = s.Architecture,
                Width = s.Width,
                LatentSize = s.LatentSize,
                DiscriminatorSpectralNorm = s.Architecture != Architecture.Dcgan,
                DiscriminatorBatchNorm = s.Loss != GanLossKind.Wasserstein,
            },
            Sdp = s.Sdp ? new SdpOptions
            {
                Threshold = s.SdpThreshold ?? s.Iterations * 3 / 10,
                Period = s.SdpPeriod ?? Math.Max(1, s.Iterations / 2),
                InitialK = s.SdpInitialK,
                Lambda = s.SdpLambda,
            } : null,
            ProgressInterval = Math.Max(1, s.Iterations / 100),
            SampleInterval = sampleEvery,
            SampleCount = 64,
            CheckpointInterval = s.CheckpointInterval ?? Math.Max(1, s.Iterations / 4),
            CheckpointDirectory = Path.Combine(s.OutputFolder, "checkpoints"),
            CheckpointsToKeep = 2,
        };
        var options = new JsonObject
        {
            ["settings"] = JsonSerializer.SerializeToNode(s, Json),
            ["trainer"] = JsonSerializer.SerializeToNode(trainer, Json),
            ["dataset_schema"] = data.Schema.Describe(),
        };
        AtomicFile.WriteAllText(Path.Combine(s.OutputFolder, "options.json"), options.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

        FeatureDistance? fd = null;
        string? label = s.Conditional || s.FeatureDistance ? (data.Schema.TryGetColumn("Label", out var lc) && lc.Type is KeyDataViewType ? "Label" : null) : null;
        if (s.FeatureDistance && label is not null)
        {
            console.MarkupLine("[grey]Training the domain classifier for the Frechet distance...[/]");
            fd = new FeatureDistance(ctx, data, Math.Min(s.MaxRows ?? 10_000, 10_000), s.FeatureDistanceSamples);
        }
        var finalMetrics = new Dictionary<string, double>();
        double? lastFd = null;
        using var writer = new StreamWriter(metricsPath, append: true) { AutoFlush = true };
        GanGeneratorTransformer model;
        try
        {
            model = console.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .Start(pc =>
                {
                    var task = pc.AddTask($"train {s.Architecture}{(s.Sdp ? "+SDP" : "")}", maxValue: s.Iterations);
                    var o = new GanSdpTrainerOptions
                    {
                        LabelColumnName = s.Conditional ? label ?? throw new ArgumentException("--conditional needs a labelled dataset (a Label key column).") : null,
                        MaxRows = s.MaxRows,
                        Trainer = trainer,
                        ResumeFrom = resumeFrom,
                        Progress = new Reporter(p =>
                        {
                            task.Value = p.Iteration;
                            var line = new JsonObject
                            {
                                ["iteration"] = p.Iteration,
                                ["loss_d"] = Num(p.DiscriminatorLoss),
                                ["loss_g"] = Num(p.GeneratorLoss),
                                ["it_per_s"] = Num(p.IterationsPerSecond),
                                ["elapsed_s"] = Num(p.Elapsed.TotalSeconds),
                            };
                            foreach (var (k, v) in p.Terms) line[k] = Num(v);
                            writer.WriteLine(line.ToJsonString());
                        }),
                        SamplesGenerated = (it, x) => ImageGrid.Save(Path.Combine(samplesDir, $"samples-{it:D8}.png"), x, new ImageGridOptions { Columns = 8 }),
                        Evaluate = fd is null ? null : (it, sample) =>
                        {
                            using var x = sample(s.FeatureDistanceSamples, s.Seed + 1000);
                            lastFd = fd.Distance(x);
                            writer.WriteLine(new JsonObject { ["iteration"] = it, ["fd"] = Num(lastFd.Value) }.ToJsonString());
                        },
                    };
                    var m = ctx.Transforms.TrainGanSdp(o).Fit(data);
                    task.Value = s.Iterations;
                    return m;
                });
        }
        finally
        {
            fd?.Dispose();
        }
        foreach (var (k, v) in model.Metrics) finalMetrics[k] = v;
        if (lastFd is { } f) finalMetrics["fd"] = f;
        model.Metrics = finalMetrics;
        var modelPath = Path.Combine(s.OutputFolder, "model.zip");
        ctx.Model.Save(model, modelPath);
        var final = new JsonObject();
        foreach (var (k, v) in finalMetrics) final[k] = Num(v);
        AtomicFile.WriteAllText(Path.Combine(s.OutputFolder, "final.json"), final.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        var report = ReportWriter.Write(s.OutputFolder);
        return new Result(s.OutputFolder, modelPath, report, finalMetrics, model);
    }

    internal static JsonNode Num(double v) => double.IsFinite(v) ? JsonValue.Create(Math.Round(v, 6)) : JsonValue.Create(v.ToString(CultureInfo.InvariantCulture));

    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    private sealed class Reporter(Action<TrainingProgress> f) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => f(value);
    }

    /// <summary>A table of metrics for the console.</summary>
    public static Table MetricsTable(IReadOnlyDictionary<string, double> metrics, string title)
    {
        var table = new Table().Title(title).AddColumn("metric").AddColumn(new TableColumn("value").RightAligned());
        foreach (var (k, v) in metrics.OrderBy(k => k.Key, StringComparer.Ordinal))
            table.AddRow(Markup.Escape(k), v.ToString("G6", CultureInfo.InvariantCulture));
        return table;
    }
}
