using System.Diagnostics;
using Ml.GanSdp.Data;
using Ml.GanSdp.Models;
using Ml.GanSdp.Regularizers;
using Ml.GanSdp.Training;
using static Ml.GanSdp.torch;

namespace Ml.GanSdp.Pipeline;

/// <summary>Options of <see cref="GanSdpTrainer"/> (what <c>TrainGanSdp</c> trains and on which columns).</summary>
public sealed record GanSdpTrainerOptions
{
    /// <summary>The image column trained on (fixed size, square; uint8 or float pixels); default "Image".</summary>
    public string ImageColumnName { get; init; } = "Image";

    /// <summary>A key column to train a class-conditional GAN on; null (default) trains an unconditional one.</summary>
    public string? LabelColumnName { get; init; }

    /// <summary>
    /// The training run: loss, iterations, batch, learning rates, SDP and other regularizers, EMA, checkpoints, seed.
    /// Its <see cref="GanTrainerOptions.Model"/> chooses the architecture and width (DCGAN when null); channels,
    /// image size and classes are always taken from the data, and the latent size from <see cref="GanTrainerOptions.LatentSize"/>.
    /// </summary>
    public GanTrainerOptions Trainer { get; init; } = new() { Sdp = new SdpOptions() };

    /// <summary>Use only the first rows of the data (all when null).</summary>
    public long? MaxRows { get; init; }

    /// <summary>Receives a <see cref="TrainingProgress"/> every <see cref="GanTrainerOptions.ProgressInterval"/> iterations.</summary>
    public IProgress<TrainingProgress>? Progress { get; init; }

    /// <summary>Called with (iteration, samples in [-1, 1]) every <see cref="GanTrainerOptions.SampleInterval"/> iterations; do not keep the tensor.</summary>
    public Action<long, Tensor>? SamplesGenerated { get; init; }

    /// <summary>
    /// Called every <see cref="GanTrainerOptions.SampleInterval"/> iterations (after <see cref="SamplesGenerated"/>) with the
    /// iteration and a sampler <c>(count, seed) =&gt; images</c> (float32 in [-1, 1], owned by the caller) that runs the
    /// current EMA generator (or G) in eval mode; for metrics such as a Frechet distance during training.
    /// </summary>
    public Action<long, Func<long, long, Tensor>>? Evaluate { get; init; }

    /// <summary>Stops training (the exception propagates from Fit).</summary>
    public CancellationToken CancellationToken { get; init; }

    /// <summary>
    /// A checkpoint written by an earlier fit of the same options and data (for example after an interruption):
    /// the fit restores G, D, both optimizers, the EMA and every random state from it and continues to
    /// <see cref="GanTrainerOptions.Iterations"/>, giving exactly the result of an uninterrupted fit. Null starts afresh.
    /// </summary>
    public string? ResumeFrom { get; init; }
}

/// <summary>
/// Trains a GAN with SDP (and any other stabilizers in <see cref="GanSdpTrainerOptions.Trainer"/>) on an image
/// column. The fitted <see cref="GanGeneratorTransformer"/> IS the trained generator.
/// <para><b>Data:</b> Fit reads the image column (and labels) once, in order, into one float32 tensor in [-1, 1]
/// and trains on it with <see cref="TensorBatchSource"/> (batches drawn with replacement from the trainer's seeded
/// generator), so a fit is reproducible for a seed and checkpoints resume exactly. This needs the data to fit in
/// memory (Fashion-MNIST train: 60000 x 1 x 28 x 28 float32 = 188 MB; CIFAR-10: 614 MB); use
/// <see cref="GanSdpTrainerOptions.MaxRows"/> to train on a prefix.</para>
/// </summary>
public sealed class GanSdpTrainer : IEstimator<GanGeneratorTransformer>
{
    internal GanSdpTrainer(GanSdpTrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Trainer);
        if (string.IsNullOrWhiteSpace(options.ImageColumnName)) throw new ArgumentException("GanSdpTrainerOptions.ImageColumnName must not be empty.");
        if (options.MaxRows is < 1) throw new ArgumentOutOfRangeException(nameof(options), options.MaxRows, "GanSdpTrainerOptions.MaxRows must be positive.");
        Options = options;
    }

    /// <summary>The options.</summary>
    public GanSdpTrainerOptions Options { get; }

    /// <summary>The model options Fit will build for <paramref name="schema"/> (checking the columns).</summary>
    public ModelOptions ModelOptionsFor(DataViewSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var img = ImageData.RequireImage(schema, Options.ImageColumnName, "TrainGanSdp");
        if (img.Height != img.Width)
            throw new SchemaException(Options.ImageColumnName, $"Column '{Options.ImageColumnName}' has type {img} but TrainGanSdp needs square images (append ResizeImages). The schema has {schema.Describe()}.");
        int classes = Options.LabelColumnName is { } l ? ImageData.RequireKey(schema, l, "TrainGanSdp").Count : 0;
        var model = (Options.Trainer.Model ?? new ModelOptions()) with
        {
            Channels = img.Channels,
            ImageSize = img.Height,
            NumClasses = classes,
            LatentSize = Options.Trainer.LatentSize,
        };
        try { model.Validate(); }
        catch (ArgumentException e)
        {
            throw new SchemaException(Options.ImageColumnName, $"Column '{Options.ImageColumnName}' ({img}) does not suit {model.Architecture}: {e.Message} Append ResizeImages to change the size. The schema has {schema.Describe()}.");
        }
        return model;
    }

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        var model = ModelOptionsFor(inputSchema);
        return GanGeneratorTransformer.OutputSchema(inputSchema, model, Options.LabelColumnName, GanGeneratorTransformer.DefaultOutputColumnName);
    }

    /// <summary>Checks the columns, reads the data into memory, trains, and returns the trained generator.</summary>
    public GanGeneratorTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var model = ModelOptionsFor(input.Schema);
        var classNames = Options.LabelColumnName is { } l ? ImageData.RequireKey(input.Schema, l, "TrainGanSdp") : null;
        var trainerOptions = Options.Trainer with { Model = model };
        trainerOptions.Validate();
        var (images, labels) = ImageData.Read(input, Options.ImageColumnName, Options.LabelColumnName, Options.MaxRows, "TrainGanSdp");
        using (images)
        using (labels)
        using (var source = new TensorBatchSource(images, labels, model.NumClasses))
        {
            var session = Options.ResumeFrom is { } checkpoint
                ? GanTraining.Resume(checkpoint, source, trainerOptions)
                : GanTraining.Create(trainerOptions, source);
            try
            {
                if (Options.SamplesGenerated is not null || Options.Evaluate is not null)
                {
                    var g = session.EmaGenerator ?? session.Generator;
                    session.Trainer.SamplesGenerated = (it, x) =>
                    {
                        Options.SamplesGenerated?.Invoke(it, x);
                        Options.Evaluate?.Invoke(it, (count, seed) => GanGeneratorTransformer.Sample(g, count, seed));
                    };
                }
                var clock = Stopwatch.StartNew();
                IterationResult? last = null;
                TrainingProgress? lastProgress = null;
                var progress = new Progress(p => { lastProgress = p; Options.Progress?.Report(p); });
                last = session.Trainer.Train(progress, Options.CancellationToken);
                var metrics = new Dictionary<string, double>
                {
                    ["iterations"] = session.Trainer.Iteration,
                    ["training_seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 3),
                    ["training_rows"] = images.size(0),
                };
                if (lastProgress is not null)
                {
                    metrics["loss_d"] = lastProgress.DiscriminatorLoss;
                    metrics["loss_g"] = lastProgress.GeneratorLoss;
                    foreach (var (k, v) in lastProgress.Terms) metrics[k] = v;
                }
                session.Trainer.Dispose();
                return new GanGeneratorTransformer(model, session.Generator, session.EmaGenerator, session.Discriminator, classNames, trainerOptions, metrics,
                    Options.LabelColumnName);
            }
            catch
            {
                session.Dispose();
                throw;
            }
        }
    }

    /// <summary>Synchronous IProgress (System.Progress posts to the thread pool).</summary>
    private sealed class Progress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}

/// <summary><c>TrainGanSdp</c> on <see cref="GanContext.Transforms"/>.</summary>
public static class GanSdpTrainerCatalogExtensions
{
    /// <summary>
    /// Trains a DCGAN (or <paramref name="architecture"/>) with SDP on <paramref name="imageColumnName"/>, class-conditional
    /// when <paramref name="labelColumnName"/> is given. SDP's threshold t and period I_p default to the paper's
    /// proportions scaled to the run: t = 0.3 x iterations, I_p = 0.5 x iterations. The seed is the context's.
    /// </summary>
    public static GanSdpTrainer TrainGanSdp(this TransformsCatalog catalog, string imageColumnName = "Image", string? labelColumnName = null,
        long iterations = 2000, int batchSize = 64, bool sdp = true, Architecture architecture = Architecture.Dcgan, int width = 64, int latentSize = 100)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return TrainGanSdp(catalog, new GanSdpTrainerOptions
        {
            ImageColumnName = imageColumnName,
            LabelColumnName = labelColumnName,
            Trainer = new GanTrainerOptions
            {
                Iterations = iterations,
                BatchSize = batchSize,
                LatentSize = latentSize,
                Seed = catalog.Context.Seed,
                Model = new ModelOptions { Architecture = architecture, Width = width, LatentSize = latentSize },
                Sdp = sdp ? ScaledSdp(iterations) : null,
                ProgressInterval = Math.Max(1, iterations / 50),
            },
        });
    }

    /// <summary>The trainer with all options (the seed is <see cref="GanTrainerOptions.Seed"/> of the options).</summary>
    public static GanSdpTrainer TrainGanSdp(this TransformsCatalog catalog, GanSdpTrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new GanSdpTrainer(options);
    }

    /// <summary>The paper's SDP schedule (t = 3000, I_p = 5000 of 10000 iterations) scaled to <paramref name="iterations"/>.</summary>
    public static SdpOptions ScaledSdp(long iterations) => new()
    {
        Threshold = Math.Max(0, iterations * 3 / 10),
        Period = Math.Max(1, iterations / 2),
    };
}
