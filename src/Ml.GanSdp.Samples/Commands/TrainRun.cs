using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Onnx;
using Ml.GanSdp.Models;
using Ml.GanSdp.Serialization;
using Ml.GanSdp.Training;
using Spectre.Console;

namespace Ml.GanSdp.Samples.Commands;

/// <summary>
/// One training run into a run folder (what <c>train</c> and <c>demo</c> do), in two phases. <b>Check</b>: the run folder
/// may be used (<see cref="RunFolder"/>), the data loads, the estimator's options validate, the data fits the architecture,
/// a resumed run has a valid checkpoint; nothing is written until all of this passed. <b>Run</b>: options.json, then
/// training with metrics.jsonl, sample grids and checkpoints as it goes, then model.zip (ML.NET's Model.Save of the fitted
/// transformer with its input schema), final.json and report.html, each written atomically.
/// </summary>
internal static class TrainRun
{
    /// <summary>What to run.</summary>
    /// <param name="Out">The run folder.</param>
    /// <param name="Resume">Continue the run in <paramref name="Out"/> from its newest valid checkpoint, with its recorded options.</param>
    /// <param name="Overwrite">Replace a previous run's entries in <paramref name="Out"/>.</param>
    /// <param name="Spec">The new run (null with <paramref name="Resume"/>).</param>
    /// <param name="Override">Applied to the recorded spec on resume (the options allowed to change: iterations, threads, device, learning rates).</param>
    /// <param name="AutoSampleCount">Choose the sample count from the classes (8 per class, or 64 unconditional).</param>
    /// <param name="CommandLine">Recorded in options.json.</param>
    public sealed record Request(string Out, bool Resume, bool Overwrite, TrainSpec? Spec, Func<TrainSpec, TrainSpec>? Override, bool AutoSampleCount, IReadOnlyList<string> CommandLine);

    /// <summary>What a finished run gives back: the folder, the training summary and final.json's values.</summary>
    public sealed record Result(RunFolder Folder, GanSdpTrainingSummary Summary, IReadOnlyDictionary<string, double> Final);

    /// <summary>Checks everything, then trains; throws <see cref="UsageException"/> (nothing written), <see cref="TrainingDivergedException"/> or <see cref="OperationCanceledException"/> (report.html written).</summary>
    public static Result Execute(MLContext ml, Request r, CliConsole console, CancellationToken cancellation)
    {
        // ------------------------------------------------------------ check: nothing is written in this phase
        var folder = new RunFolder(r.Out);
        TrainSpec spec;
        if (r.Resume)
        {
            folder.CheckResumable();
            spec = TrainSpec.Read(folder.OptionsPath);
            if (r.Override is not null) spec = r.Override(spec);
        }
        else
        {
            folder.CheckNewRun(r.Overwrite);
            spec = r.Spec ?? throw new ArgumentException("A new run needs its spec.", nameof(r));
        }
        var data = DatasetOptions.Load(ml, spec.Dataset, train: true);
        bool conditional = spec.Training.LabelColumnName is not null;
        if (conditional && !data.HasLabels) throw new UsageException($"--conditional needs labelled data; {data.Description} has no labels.");
        var training = spec.Training with
        {
            CheckpointDirectory = spec.Training.CheckpointInterval > 0 ? folder.CheckpointsDirectory : null,
            ResumeFrom = null,
            TempFolder = null,
        };
        if (r.AutoSampleCount && !r.Resume)
            training = training with { SampleCount = conditional ? Math.Min(GanSdpOptions.MaxSampleCount, SamplesPerClass * data.ClassNames.Count) : 64 };
        ModelOptions model;
        try
        {
            using var probe = ml.Transforms.TrainGanSdp(training);
            model = probe.ResolveModelOptions(data.View.Schema);
        }
        catch (ArgumentException e) { throw new UsageException(Cli.OneLine(e)); }

        long resumedAt = 0;
        if (r.Resume)
        {
            var found = Checkpoint.LoadLatestValid(folder.CheckpointsDirectory, console.Warn)
                ?? throw new UsageException($"--resume: '{folder.CheckpointsDirectory}' holds no valid checkpoint; start the run afresh with --overwrite.");
            using (found.State) resumedAt = found.State.Iteration;
            if (training.Iterations < resumedAt)
                throw new UsageException($"--iterations {training.Iterations} is below the {resumedAt} iterations of the checkpoint '{found.Path}'; give at least {resumedAt}.");
            training = training with { ResumeFrom = found.Path };
        }
        var fd = spec.Fd is { } fdSpec ? FdCurve.Prepare(ml, fdSpec, spec.Dataset, data, conditional, console) : null;
        spec = spec with { Training = training };

        // ------------------------------------------------------------ run: the folder is written from here on
        if (r.Resume)
        {
            foreach (var t in folder.CleanTemporaries()) console.Warn($"deleted '{t}', left by an interrupted write.");
            int cut = folder.TruncateMetrics(resumedAt);
            int samples = folder.DeleteSamplesAfter(resumedAt);
            console.Line($"Resuming '{folder.Path}' from {training.ResumeFrom} (iteration {resumedAt})" +
                (cut + samples > 0 ? $"; removed {cut} metrics lines and {samples} sample grids after it." : "."));
        }
        else
        {
            if (r.Overwrite) foreach (var p in folder.Clear()) console.Warn($"--overwrite: removed '{p}'.");
            Directory.CreateDirectory(folder.Path);
        }
        Directory.CreateDirectory(folder.SamplesDirectory);
        if (fd is not null) spec = spec with { Fd = fd.SaveInto(folder) };
        AtomicFile.WriteAllText(folder.OptionsPath, RunJson.Text(spec.ToJson(data, model, r.CommandLine)));
        console.Line($"Training {Describe(training, model)} on {data.Description}.");

        using var metrics = new MetricsLog(folder.MetricsPath);
        int columns = conditional ? Math.Max(1, training.SampleCount / data.ClassNames.Count) : 8;
        Action<TrainingProgress> onProgress = metrics.Progress;
        using var estimator = ml.Transforms.TrainGanSdp(training with
        {
            Progress = new ProgressSink<TrainingProgress>(p => onProgress(p)),
            OnSample = s =>
            {
                ImageGrid.Save(folder.SamplePath(s.Iteration), s.Images, s.Shape,
                    new ImageGridOptions { Columns = columns, MinValue = s.Range.Min, MaxValue = s.Range.Max }, s.Classes);
                if (fd is not null && s.Iteration % fd.Spec.Every == 0)
                {
                    double distance = fd.Measure(s);
                    metrics.FrechetDistance(s.Iteration, distance, fd.Spec.DistanceName);
                    console.Line(string.Create(CultureInfo.InvariantCulture, $"iter {s.Iteration}: {fd.Spec.DistanceName} = {distance:F4} ({fd.Spec.Samples} images)"));
                }
            },
            OnWarning = console.Warn,
            CancellationToken = cancellation,
        });
        OnnxTransformer fitted;
        try
        {
            fitted = WithProgress(console, training, show =>
            {
                onProgress = p => { metrics.Progress(p); show(p); };
                return estimator.Fit(data.View);
            });
        }
        catch (Exception e) when (e is TrainingDivergedException or OperationCanceledException)
        {
            metrics.Dispose();
            TryReport(folder, console);
            throw;
        }
        var summary = estimator.LastTrainingSummary!;
        AtomicFile.Write(folder.ModelPath, s => ml.Model.Save(fitted, SaveSchema(data, training), s));
        metrics.Dispose();
        var final = FinalValues(folder, summary);
        AtomicFile.WriteAllText(folder.FinalPath, RunJson.Text(FinalJson(final, summary, folder)));
        RunReport.Write(folder);
        return new Result(folder, summary, final);
    }

    /// <summary>Sample images per class in the grids of a conditional run.</summary>
    public const int SamplesPerClass = 8;

    /// <summary>Runs <paramref name="fit"/> with a progress display: a live bar on a terminal, otherwise a line every 10% of the run.</summary>
    private static OnnxTransformer WithProgress(CliConsole console, GanSdpOptions o, Func<Action<TrainingProgress>, OnnxTransformer> fit)
    {
        long total = o.Iterations, step = Math.Max(1, total / 10), nextLine = 0;
        string name = $"train {o.Architecture}{(o.UseSdp ? " + SDP" : "")}";
        if (!console.Interactive)
        {
            return fit(p =>
            {
                if (p.Iteration < nextLine && p.Iteration != total) return;
                console.Line(ProgressLine(p));
                nextLine = (p.Iteration / step + 1) * step;
            });
        }
        OnnxTransformer? result = null;
        console.Out.Progress().AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(name, maxValue: total);
                result = fit(p =>
                {
                    task.Value = p.Iteration;
                    task.Description = string.Create(CultureInfo.InvariantCulture, $"{name}  loss D {p.DiscriminatorLoss:F3} G {p.GeneratorLoss:F3}");
                });
                task.Value = total;
            });
        return result!;
    }

    /// <summary>A compact progress line: iteration, losses, SDP's k and score gap when active, speed and ETA.</summary>
    public static string ProgressLine(TrainingProgress p)
    {
        var s = string.Create(CultureInfo.InvariantCulture, $"iter {p.Iteration}/{p.TotalIterations}  loss D {p.DiscriminatorLoss:F4}  G {p.GeneratorLoss:F4}");
        if (p.Terms.TryGetValue("G/sdp/k", out var k)) s += string.Create(CultureInfo.InvariantCulture, $"  SDP k {k:G4}");
        if (p.Terms.TryGetValue("G/sdp", out var g)) s += string.Create(CultureInfo.InvariantCulture, $"  G/sdp {g:G4}");
        var eta = p.EstimatedRemaining;
        return s + string.Create(CultureInfo.InvariantCulture, $"  {p.IterationsPerSecond:F1} it/s  ETA {(long)eta.TotalHours}:{eta:mm\\:ss}");
    }

    /// <summary>The model's input schema as saved with it: the seed column and, when conditional, the label key with its class names.</summary>
    internal static DataViewSchema SaveSchema(LoadedData data, GanSdpOptions o)
    {
        var b = new DataViewSchema.Builder();
        b.AddColumn(o.SeedColumnName, NumberDataViewType.Int64);
        if (o.LabelColumnName is { } label)
        {
            var column = data.View.Schema[label];
            b.AddColumn(label, column.Type, column.Annotations);
        }
        return b.ToSchema();
    }

    /// <summary>final.json's numbers: the last progress line's losses and terms and the last FD (from metrics.jsonl, so a resume with nothing left to train still has them).</summary>
    private static Dictionary<string, double> FinalValues(RunFolder folder, GanSdpTrainingSummary summary)
    {
        var (_, values) = MetricsLog.LastValues(folder.MetricsPath);
        if (!values.ContainsKey("loss_d") && summary.DiscriminatorLoss is { } d && summary.GeneratorLoss is { } g)
        {
            values["loss_d"] = d;
            values["loss_g"] = g;
            foreach (var (k, v) in summary.Terms) values[k] = v;
        }
        return values;
    }

    private static JsonObject FinalJson(IReadOnlyDictionary<string, double> values, GanSdpTrainingSummary s, RunFolder folder)
    {
        var o = new JsonObject
        {
            ["iterations"] = s.Iterations,
            ["iterations_this_run"] = s.IterationsThisFit,
            ["rows"] = s.Rows,
            ["seconds_this_run"] = Math.Round(s.Seconds, 3),
        };
        foreach (var (k, v) in values) o[k] = RunJson.Number(v);
        o["exported_weights"] = s.ExportedEmaGenerator ? "ema" : "generator";
        o["resumed_from"] = s.ResumedFrom;
        o["last_checkpoint"] = s.LastCheckpoint;
        o["model"] = folder.ModelPath;
        return o;
    }

    private static void TryReport(RunFolder folder, CliConsole console)
    {
        try { RunReport.Write(folder); }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or ArgumentException)
        {
            console.Warn($"report.html was not written: {Cli.OneLine(e)}");
        }
    }

    /// <summary>A one-line description of what is trained.</summary>
    internal static string Describe(GanSdpOptions o, ModelOptions m)
    {
        var sdp = o.ResolvedSdp() is { } s
            ? string.Create(CultureInfo.InvariantCulture, $"SDP (lambda {s.Lambda:G}, t {s.Threshold}, k0 {s.InitialK}, I_p {s.Period})")
            : "no SDP";
        var regs = o.Regularizers.Count == 0 ? "" : ", " + string.Join(", ", o.Regularizers.Select(x => Opt.Kebab(x.Kind)));
        var cls = m.NumClasses > 0 ? $"conditional on {m.NumClasses} classes" : "unconditional";
        return string.Create(CultureInfo.InvariantCulture,
            $"{o.Architecture} {cls} ({m.Channels} x {m.ImageSize} x {m.ImageSize}, width {o.Width}, latent {o.LatentSize}), {Opt.Kebab(o.Loss)} loss, {sdp}{regs}; {o.Iterations} iterations of batch {o.BatchSize}");
    }

}
