using System.Diagnostics;
using Ml.GanSdp.Losses;
using Ml.GanSdp.Models;
using Ml.GanSdp.Regularizers;
using Ml.GanSdp.Serialization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ml.GanSdp.Training;

/// <summary>
/// Trains a GAN: each generator iteration runs <see cref="GanTrainerOptions.DiscriminatorSteps"/>
/// <see cref="DiscriminatorStep"/>s then one <see cref="GeneratorStep"/>, updates the EMA generator, and
/// writes checkpoints, samples and progress at their intervals. The trainer owns its optimizers and random
/// generators; the caller owns the models and the data source. See docs/training.md.
/// </summary>
public sealed class GanTrainer : IDisposable
{
    private readonly IReadOnlyList<IRegularizer> _regularizers;
    private readonly Generator _dataRng;
    private readonly Generator _noiseRng;
    private readonly DiscriminatorStep _discriminatorStep;
    private readonly GeneratorStep _generatorStep;
    private readonly bool _reuseRealOutput;
    private readonly ExponentialMovingAverage? _ema;
    private readonly Tensor _sampleLatent;
    private readonly Tensor? _sampleLabels;
    private bool _disposed;
    private TrainingDivergedException? _divergence;
    private readonly List<(string Path, long Iteration, bool Own)> _checkpoints = new();

    /// <summary>
    /// Sets up training of <paramref name="generator"/> against <paramref name="discriminator"/> on
    /// <paramref name="data"/>. Seeds libtorch's default generator with <see cref="GanTrainerOptions.Seed"/>
    /// (seed it yourself before building the models for reproducible initial weights). When
    /// <see cref="GanTrainerOptions.EmaDecay"/> is set, <paramref name="emaGenerator"/> must be a second
    /// generator of the same architecture: it receives G's weights now and their moving average later.
    /// </summary>
    public GanTrainer(GanTrainerOptions options, IGenerator generator, IDiscriminator discriminator, IBatchSource data,
        IReadOnlyList<IRegularizer>? regularizers = null, IGenerator? emaGenerator = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        CheckParts(options, generator, discriminator, data, emaGenerator);
        if (options.Threads > 0) TorchThreads.Set(options.Threads, "GanTrainerOptions.Threads");
        else TorchThreads.EnsureDefault();
        Device = Devices.Parse(options.Device, "GanTrainerOptions.Device");
        manual_seed(options.Seed);

        Options = options;
        Generator = generator;
        Discriminator = discriminator;
        EmaGenerator = emaGenerator;
        _regularizers = regularizers?.ToArray() ?? Array.Empty<IRegularizer>();
        var names = _regularizers.Select(r => r.Name).ToList();
        if (names.Distinct(StringComparer.Ordinal).Count() != names.Count)
            throw new ArgumentException($"Regularizer names must be distinct (got [{string.Join(", ", names)}]).", nameof(regularizers));

        if (Device.type != DeviceType.CPU)
        {
            generator.Module.to(Device);
            discriminator.Module.to(Device);
            emaGenerator?.Module.to(Device);
        }
        if (emaGenerator is not null)
        {
            _ema = new ExponentialMovingAverage(generator.Module, emaGenerator.Module, options.EmaDecay!.Value, options.EmaStartIteration);
            emaGenerator.Module.eval(); // never trained: generating from it has no side effects
        }
        _dataRng = new Generator(unchecked((ulong)options.Seed), CPU);
        _noiseRng = new Generator(unchecked((ulong)(options.Seed + 1)), CPU);
        var loss = GanLosses.Create(options.Loss);
        GeneratorOptimizer = optim.Adam(generator.Module.parameters(), options.GeneratorLearningRate, options.Beta1, options.Beta2);
        DiscriminatorOptimizer = optim.Adam(discriminator.Module.parameters(), options.DiscriminatorLearningRate, options.Beta1, options.Beta2);
        var latents = new LatentSampler(_noiseRng, generator.LatentSize, generator.NumClasses, Device);
        _discriminatorStep = new DiscriminatorStep(generator, discriminator, loss, _regularizers, DiscriminatorOptimizer, data, _dataRng, latents, options.BatchSize, options.MaxLossMagnitude);
        _generatorStep = new GeneratorStep(generator, discriminator, loss, _regularizers, GeneratorOptimizer, latents, options.BatchSize,
            options.WantsRealOutputInGeneratorStep(_regularizers.Count), options.MaxLossMagnitude);
        _reuseRealOutput = options.ReusesDiscriminatorStepRealOutput(_regularizers.Count);
        (_sampleLatent, _sampleLabels) = FixedSampleLatents(options, generator, Device);
    }

    /// <summary>The options of the run.</summary>
    public GanTrainerOptions Options { get; }

    /// <summary>The device of the models and of every training tensor (<see cref="GanTrainerOptions.Device"/>).</summary>
    public Device Device { get; }

    /// <summary>The generator being trained.</summary>
    public IGenerator Generator { get; }

    /// <summary>The discriminator being trained.</summary>
    public IDiscriminator Discriminator { get; }

    /// <summary>The generator holding the moving average of G's weights, or null without EMA.</summary>
    public IGenerator? EmaGenerator { get; }

    /// <summary>The EMA generator's module, or null without EMA.</summary>
    public nn.Module? EmaGeneratorModule => EmaGenerator?.Module;

    /// <summary>G's Adam optimizer.</summary>
    public Adam GeneratorOptimizer { get; }

    /// <summary>D's Adam optimizer.</summary>
    public Adam DiscriminatorOptimizer { get; }

    /// <summary>The regularizers, in the order their terms are added.</summary>
    public IReadOnlyList<IRegularizer> Regularizers => _regularizers;

    /// <summary>Generator iterations completed.</summary>
    public long Iteration { get; private set; }

    /// <summary>The divergence that stopped training, or null: after one, no further iteration or checkpoint is allowed.</summary>
    public TrainingDivergedException? Divergence => _divergence;

    /// <summary>The last checkpoint written (or resumed from), or null. Every checkpoint the trainer writes is healthy: all losses since the previous one stayed within <see cref="GanTrainerOptions.MaxLossMagnitude"/> and every weight was finite.</summary>
    public string? LastCheckpoint { get; private set; }

    /// <summary>Called with the iteration and the samples (caller must not keep the tensor) every <see cref="GanTrainerOptions.SampleInterval"/> iterations.</summary>
    public Action<long, Tensor>? SamplesGenerated { get; set; }

    /// <summary>
    /// Continues a run from a checkpoint into freshly built models (same architecture as the checkpoint's):
    /// weights, optimizer states, EMA, random generator states and the iteration are restored, so the losses
    /// continue exactly as in an uninterrupted run. <paramref name="options"/> replaces the stored options
    /// (for example to train longer); by default the checkpoint's are used. The regularizers must have the
    /// names recorded in the checkpoint.
    /// </summary>
    public static GanTrainer Resume(string checkpointPath, IGenerator generator, IDiscriminator discriminator, IBatchSource data,
        IReadOnlyList<IRegularizer>? regularizers = null, IGenerator? emaGenerator = null, GanTrainerOptions? options = null)
    {
        using var state = Checkpoint.Load(checkpointPath);
        var names = (regularizers ?? Array.Empty<IRegularizer>()).Select(r => r.Name).ToList();
        if (!names.SequenceEqual(state.Regularizers, StringComparer.Ordinal))
            throw new ArgumentException($"Checkpoint '{checkpointPath}' was trained with regularizers [{string.Join(", ", state.Regularizers)}] but [{string.Join(", ", names)}] were given.", nameof(regularizers));
        if ((state.GeneratorEma is null) != (emaGenerator is null))
            throw new ArgumentException(state.GeneratorEma is null
                ? $"Checkpoint '{checkpointPath}' has no EMA generator but an EMA generator was given."
                : $"Checkpoint '{checkpointPath}' holds an EMA generator: pass a generator of the same architecture as emaGenerator.", nameof(emaGenerator));
        var trainer = new GanTrainer(options ?? state.Options, generator, discriminator, data, regularizers, emaGenerator);
        try
        {
            trainer.Restore(state, $"Checkpoint '{checkpointPath}'");
            trainer.LastCheckpoint = checkpointPath;
            trainer._checkpoints.Add((checkpointPath, trainer.Iteration, false));
            return trainer;
        }
        catch
        {
            trainer.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs one generator iteration (n_critic D steps, one G step, the EMA update) and returns its losses.
    /// Throws <see cref="TrainingDivergedException"/> when a loss term is NaN, infinite or beyond
    /// <see cref="GanTrainerOptions.MaxLossMagnitude"/> (the diverging step is not applied, <see cref="Iteration"/>
    /// does not advance, and the trainer refuses to continue or to write checkpoints afterwards).
    /// </summary>
    public IterationResult TrainIteration()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_divergence is not null) throw new InvalidOperationException("Training diverged: " + _divergence.Message);
        long iteration = Iteration;
        var dResults = new StepResult[Options.DiscriminatorSteps];
        TrainingBatch? real = null;
        DiscriminatorOutput? realOutput = null;
        try
        {
            for (int i = 0; i < dResults.Length; i++)
            {
                real?.Dispose();
                real = null;
                realOutput?.Dispose();
                realOutput = null;
                // Only the last D step's real output can reach the G step (GeneratorRealOutput.ReuseDiscriminatorStep).
                bool keep = _reuseRealOutput && i == dResults.Length - 1;
                dResults[i] = _discriminatorStep.Run(iteration, keep, out real, out realOutput);
            }
            var gResult = _generatorStep.Run(iteration, real!, realOutput);
            Iteration = iteration + 1;
            _ema?.Update(Iteration);
            return new IterationResult(iteration, dResults, gResult);
        }
        catch (TrainingDivergedException e)
        {
            ForgetUnhealthyCheckpoints(e.Iteration);
            _divergence = new TrainingDivergedException(e.Iteration, e.Network, e.Term, e.Value, e.Bound, LastCheckpoint);
            throw _divergence;
        }
        finally
        {
            real?.Dispose();
            realOutput?.Dispose();
        }
    }

    /// <summary>
    /// Trains until <see cref="GanTrainerOptions.Iterations"/> iterations are completed, writing checkpoints and
    /// samples and reporting progress at their intervals (progress also after the last iteration). Returns
    /// the last iteration's results (null when nothing was left to train).
    /// </summary>
    public IterationResult? Train(IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var clock = Stopwatch.StartNew();
        long start = Iteration;
        IterationResult? last = null;
        while (Iteration < Options.Iterations)
        {
            cancellationToken.ThrowIfCancellationRequested();
            last = TrainIteration();
            if (Due(Options.CheckpointInterval)) SaveCheckpoint();
            if (Due(Options.SampleInterval)) WriteSamples();
            if (progress is not null && (Due(Options.ProgressInterval) || Iteration == Options.Iterations))
                progress.Report(TrainingProgress.From(last, Iteration, Options.Iterations, Iteration - start, clock.Elapsed));
        }
        return last;
    }

    private bool Due(long interval) => interval > 0 && Iteration % interval == 0;

    /// <summary>
    /// Writes a checkpoint of the current state to <paramref name="path"/>, or by default to
    /// <see cref="GanTrainerOptions.CheckpointDirectory"/>/<see cref="Checkpoint.FileName"/>, then deletes the
    /// trainer's checkpoints there beyond the newest <see cref="GanTrainerOptions.CheckpointsToKeep"/>.
    /// Returns the path.
    /// </summary>
    public string SaveCheckpoint(string? path = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_divergence is not null)
            throw new InvalidOperationException("Training diverged, so no checkpoint of this state is written: " + _divergence.Message);
        EnsureFiniteWeights();
        bool managed = path is null;
        if (path is null)
        {
            if (string.IsNullOrWhiteSpace(Options.CheckpointDirectory))
                throw new InvalidOperationException("GanTrainerOptions.CheckpointDirectory is not set: pass a path to SaveCheckpoint.");
            path = Path.Combine(Options.CheckpointDirectory, Checkpoint.FileName(Iteration));
        }
        using (var state = Capture()) Checkpoint.Save(path, state);
        LastCheckpoint = path;
        _checkpoints.RemoveAll(c => string.Equals(Path.GetFullPath(c.Path), Path.GetFullPath(path), StringComparison.Ordinal));
        _checkpoints.Add((path, Iteration, true));
        if (managed) PruneCheckpoints(Options.CheckpointDirectory!, path);
        return path;
    }

    /// <summary>Generates samples from the fixed latent codes with the EMA generator (or G without EMA), in eval mode, without gradient. The caller owns the result.</summary>
    public Tensor GenerateSamples()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var g = EmaGenerator ?? Generator;
        bool wasTraining = g.Module.training;
        g.Module.eval(); // eval mode: batch norm reads its running statistics and updates nothing
        try
        {
            using var _ = no_grad();
            return g.Forward(_sampleLatent, _sampleLabels);
        }
        finally
        {
            if (wasTraining) g.Module.train();
        }
    }

    /// <summary>
    /// After a divergence at <paramref name="iteration"/>: a checkpoint taken after that many iterations holds exactly the
    /// weights whose losses were out of bounds, so it is not healthy. The trainer deletes those it wrote itself (never a
    /// file it was resumed from) and <see cref="LastCheckpoint"/> becomes the newest earlier one, whose own losses passed.
    /// </summary>
    private void ForgetUnhealthyCheckpoints(long iteration)
    {
        foreach (var c in _checkpoints.Where(c => c.Iteration >= iteration).ToList())
        {
            if (c.Own)
            {
                try { File.Delete(c.Path); }
                catch (IOException) { }
                catch (UnauthorizedAccessException) { }
            }
            _checkpoints.Remove(c);
        }
        LastCheckpoint = _checkpoints.Count > 0 ? _checkpoints[^1].Path : null;
    }

    /// <summary>Throws <see cref="TrainingDivergedException"/> when a weight or buffer of G, D or the EMA generator is not finite.</summary>
    private void EnsureFiniteWeights()
    {
        foreach (var (network, module) in new[] { ("generator", Generator.Module), ("discriminator", Discriminator.Module) }.Concat(EmaGenerator is null ? [] : new[] { ("generator_ema", EmaGenerator.Module) }))
        {
            foreach (var (name, t) in module.state_dict())
            {
                if (!t.is_floating_point()) continue;
                using var finite = t.isfinite().all();
                if (!finite.item<bool>())
                {
                    _divergence = new TrainingDivergedException(Iteration, network, "weight " + name, double.NaN, Options.MaxLossMagnitude, LastCheckpoint);
                    throw _divergence;
                }
            }
        }
    }

    private void WriteSamples()
    {
        using var scope = NewDisposeScope();
        var samples = GenerateSamples();
        if (Options.SampleDirectory is { Length: > 0 } dir)
            Npy.Save(Path.Combine(dir, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"samples-{Iteration:D8}.npy")), samples);
        SamplesGenerated?.Invoke(Iteration, samples);
    }

    private CheckpointState Capture() => new()
    {
        Iteration = Iteration,
        Options = Options,
        Regularizers = _regularizers.Select(r => r.Name).ToList(),
        Generator = StateDicts.Copy(Generator.Module),
        Discriminator = StateDicts.Copy(Discriminator.Module),
        GeneratorEma = EmaGenerator is null ? null : StateDicts.Copy(EmaGenerator.Module),
        GeneratorOptimizer = AdamState.Capture(GeneratorOptimizer),
        DiscriminatorOptimizer = AdamState.Capture(DiscriminatorOptimizer),
        Rng = new Dictionary<string, Tensor>
        {
            ["data"] = _dataRng.get_state(),
            ["noise"] = _noiseRng.get_state(),
            ["torch"] = get_rng_state(),
        },
    };

    private void Restore(CheckpointState state, string source)
    {
        StateDicts.Load(Generator.Module, state.Generator, $"{source} (generator)");
        StateDicts.Load(Discriminator.Module, state.Discriminator, $"{source} (discriminator)");
        if (state.GeneratorEma is not null) StateDicts.Load(EmaGenerator!.Module, state.GeneratorEma, $"{source} (generator_ema)");
        AdamState.Restore(GeneratorOptimizer, state.GeneratorOptimizer, $"{source} (optimizer_g)");
        AdamState.Restore(DiscriminatorOptimizer, state.DiscriminatorOptimizer, $"{source} (optimizer_d)");
        AdamState.SetLearningRate(GeneratorOptimizer, Options.GeneratorLearningRate);
        AdamState.SetLearningRate(DiscriminatorOptimizer, Options.DiscriminatorLearningRate);
        _dataRng.set_state(RngState(state, "data"));
        _noiseRng.set_state(RngState(state, "noise"));
        set_rng_state(RngState(state, "torch"));
        Iteration = state.Iteration;
    }

    private static Tensor RngState(CheckpointState state, string name)
        => state.Rng.TryGetValue(name, out var t) ? t : throw new InvalidDataException($"The checkpoint has no '{name}' random generator state.");

    private void PruneCheckpoints(string directory, string keep)
    {
        var all = Checkpoint.List(directory);
        var full = Path.GetFullPath(keep);
        foreach (var old in all.Take(Math.Max(0, all.Count - Options.CheckpointsToKeep)))
            if (Path.GetFullPath(old) != full)
            {
                File.Delete(old);
                _checkpoints.RemoveAll(c => Path.GetFullPath(c.Path) == Path.GetFullPath(old));
            }
    }

    private static void CheckParts(GanTrainerOptions options, IGenerator generator, IDiscriminator discriminator, IBatchSource data, IGenerator? emaGenerator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(discriminator);
        ArgumentNullException.ThrowIfNull(data);
        if (generator.LatentSize != options.LatentSize)
            throw new ArgumentException($"GanTrainerOptions.LatentSize ({options.LatentSize}) does not match the generator's LatentSize ({generator.LatentSize}).", nameof(options));
        if (generator.NumClasses != discriminator.NumClasses)
            throw new ArgumentException($"The generator has {generator.NumClasses} classes but the discriminator has {discriminator.NumClasses}.", nameof(discriminator));
        if (generator.NumClasses > 0 && data.NumClasses != generator.NumClasses)
            throw new ArgumentException($"The models are conditional on {generator.NumClasses} classes but the data source has {data.NumClasses}.", nameof(data));
        if (options.EmaDecay is not null && emaGenerator is null)
            throw new ArgumentException("GanTrainerOptions.EmaDecay is set: pass a second generator of the same architecture as emaGenerator.", nameof(emaGenerator));
        if (options.EmaDecay is null && emaGenerator is not null)
            throw new ArgumentException("An EMA generator was given but GanTrainerOptions.EmaDecay is null.", nameof(emaGenerator));
        if (emaGenerator is not null && (ReferenceEquals(emaGenerator, generator) || ReferenceEquals(emaGenerator.Module, generator.Module)))
            throw new ArgumentException("The EMA generator must be a separate instance from the trained generator.", nameof(emaGenerator));
    }

    private static (Tensor z, Tensor? labels) FixedSampleLatents(GanTrainerOptions options, IGenerator generator, Device device)
    {
        using var rng = new Generator(unchecked((ulong)(options.Seed + 2)), CPU);
        var sampler = new LatentSampler(rng, generator.LatentSize, generator.NumClasses, device);
        var (z, labels) = sampler.Sample(options.SampleCount);
        z.DetachFromDisposeScope();
        labels?.DetachFromDisposeScope();
        return (z, labels);
    }

    /// <summary>Frees the optimizers, random generators and fixed sample latents (not the models or data).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        GeneratorOptimizer.Dispose();
        DiscriminatorOptimizer.Dispose();
        _dataRng.Dispose();
        _noiseRng.Dispose();
        _sampleLatent.Dispose();
        _sampleLabels?.Dispose();
    }
}
