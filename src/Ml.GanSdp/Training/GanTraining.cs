using Ml.GanSdp.Models;
using Ml.GanSdp.Regularizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Training;

/// <summary>
/// A trainer together with the models it trains, built from options alone (the models from
/// <see cref="GanTrainerOptions.Model"/>, the regularizers from <see cref="GanTrainerOptions.Sdp"/> and
/// <see cref="GanTrainerOptions.Regularizers"/>). Disposing it frees the trainer and the models.
/// </summary>
public sealed class GanTrainingSession : IDisposable
{
    internal GanTrainingSession(GanTrainer trainer, IGenerator generator, IDiscriminator discriminator, IGenerator? ema)
    {
        Trainer = trainer;
        Generator = generator;
        Discriminator = discriminator;
        EmaGenerator = ema;
    }

    /// <summary>The trainer.</summary>
    public GanTrainer Trainer { get; }
    /// <summary>The generator being trained.</summary>
    public IGenerator Generator { get; }
    /// <summary>The discriminator being trained.</summary>
    public IDiscriminator Discriminator { get; }
    /// <summary>The EMA generator, or null.</summary>
    public IGenerator? EmaGenerator { get; }

    /// <summary>Frees the trainer and the models.</summary>
    public void Dispose()
    {
        Trainer.Dispose();
        Generator.Dispose();
        Discriminator.Dispose();
        EmaGenerator?.Dispose();
    }
}

/// <summary>Builds complete training sessions from <see cref="GanTrainerOptions"/>.</summary>
public static class GanTraining
{
    /// <summary>
    /// Resumes from the newest valid checkpoint of <paramref name="checkpointDirectory"/>: stale temporaries of killed
    /// writes are deleted first, and a corrupt newest checkpoint is skipped for the previous valid one, each reported
    /// through <paramref name="onWarning"/>. Returns null when the folder holds no valid checkpoint.
    /// </summary>
    public static GanTrainingSession? ResumeLatest(string checkpointDirectory, IBatchSource data, GanTrainerOptions? options = null, Action<string>? onWarning = null)
    {
        ArgumentNullException.ThrowIfNull(checkpointDirectory);
        foreach (var stale in Checkpoint.CleanStaleTemporaries(checkpointDirectory))
            onWarning?.Invoke($"Deleted '{stale}', left by an interrupted checkpoint write.");
        var latest = Checkpoint.LoadLatestValid(checkpointDirectory, onWarning);
        if (latest is not { } found) return null;
        found.State.Dispose();
        return Resume(found.Path, data, options);
    }

    /// <summary>
    /// Seeds libtorch's default generator with <see cref="GanTrainerOptions.Seed"/>, builds G and D (and the EMA
    /// generator when <see cref="GanTrainerOptions.EmaDecay"/> is set) with <see cref="ModelFactory"/>, the
    /// regularizers with <see cref="RegularizerFactory"/>, and the trainer over <paramref name="data"/>.
    /// </summary>
    public static GanTrainingSession Create(GanTrainerOptions options, IBatchSource data)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var model = options.Model ?? throw new ArgumentException("GanTrainerOptions.Model must be set to build the models from options.");
        manual_seed(options.Seed);
        var (g, d) = ModelFactory.Create(model);
        IGenerator? ema = null;
        try
        {
            if (options.EmaDecay is not null) ema = ModelFactory.CreateGenerator(model);
            var trainer = new GanTrainer(options, g, d, data, RegularizerFactory.Create(options.Regularizers, options.Sdp), ema);
            return new GanTrainingSession(trainer, g, d, ema);
        }
        catch
        {
            g.Dispose();
            d.Dispose();
            ema?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Rebuilds a session from a checkpoint: the options stored in it (unless <paramref name="options"/> overrides
    /// them, for example to train longer), fresh models whose weights, optimizers and random states are then
    /// restored, so training continues exactly as if it had not stopped.
    /// </summary>
    public static GanTrainingSession Resume(string checkpointPath, IBatchSource data, GanTrainerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(checkpointPath);
        GanTrainerOptions stored;
        using (var state = Checkpoint.Load(checkpointPath)) stored = state.Options;
        var o = options ?? stored;
        o.Validate();
        var model = o.Model ?? throw new ArgumentException($"Checkpoint '{checkpointPath}' has no model options: resume it with GanTrainer.Resume and your own models.");
        var (g, d) = ModelFactory.Create(model);
        IGenerator? ema = null;
        try
        {
            if (o.EmaDecay is not null) ema = ModelFactory.CreateGenerator(model);
            var trainer = GanTrainer.Resume(checkpointPath, g, d, data, RegularizerFactory.Create(o.Regularizers, o.Sdp), ema, o);
            return new GanTrainingSession(trainer, g, d, ema);
        }
        catch
        {
            g.Dispose();
            d.Dispose();
            ema?.Dispose();
            throw;
        }
    }
}
