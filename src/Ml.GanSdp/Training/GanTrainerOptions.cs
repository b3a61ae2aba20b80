using Ml.GanSdp.Losses;
using Ml.GanSdp.Models;
using Ml.GanSdp.Regularizers;

namespace Ml.GanSdp.Training;

/// <summary>
/// Where the generator step gets D's output on the iteration's real batch from, for the regularizers that read it
/// (<see cref="Regularizers.RegularizerContext.RealOutput"/>: SDP's eq. (10) term, feature matching).
/// </summary>
public enum GeneratorRealOutput
{
    /// <summary>
    /// A second D forward on the reals in the generator step, with D as the step sees it (after its update of this
    /// iteration), D's parameters frozen. Like every D forward in training mode it also updates D's batch-norm running
    /// statistics and spectral-norm power iterations. The default.
    /// </summary>
    Recompute,

    /// <summary>
    /// The scores and block features that the iteration's last D step computed on the same real batch, detached: no
    /// extra D forward. They come from D before that step's optimizer update (one D update stale; with n_critic &gt; 1
    /// from the last critic step, whose batch is the iteration's real batch either way), while the fakes are scored by
    /// the updated D; and the missing forward no longer updates D's batch-norm running statistics or spectral-norm
    /// vectors. Gradients are unchanged in kind: in the G step none flows through the real side in either mode.
    /// </summary>
    ReuseDiscriminatorStep,
}

/// <summary>
/// Everything that configures a <see cref="GanTrainer"/> run and is saved with each checkpoint (as JSON).
/// The regularizer instances themselves are passed to the trainer's constructor; their names are recorded
/// in the checkpoint. <see cref="Validate"/> names the first bad option.
/// </summary>
public sealed record GanTrainerOptions
{
    /// <summary>The adversarial loss pair.</summary>
    public GanLossKind Loss { get; init; } = GanLossKind.NonSaturating;

    /// <summary>The models' options, recorded in the checkpoint manifest (the trainer does not build models). Null when unknown.</summary>
    public ModelOptions? Model { get; init; }

    /// <summary>Size of the latent code z; must equal the generator's <see cref="IGenerator.LatentSize"/>.</summary>
    public int LatentSize { get; init; } = 100;

    /// <summary>Samples per batch (real and fake alike).</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Generator iterations to train in total (each one is <see cref="DiscriminatorSteps"/> D steps then one G step).</summary>
    public long Iterations { get; init; } = 10_000;

    /// <summary>Adam learning rate of the generator (TTUR: may differ from the discriminator's).</summary>
    public double GeneratorLearningRate { get; init; } = 2e-4;

    /// <summary>Adam learning rate of the discriminator.</summary>
    public double DiscriminatorLearningRate { get; init; } = 2e-4;

    /// <summary>Adam's beta1 (both networks).</summary>
    public double Beta1 { get; init; } = 0.5;

    /// <summary>Adam's beta2 (both networks).</summary>
    public double Beta2 { get; init; } = 0.999;

    /// <summary>n_critic: discriminator steps per generator step.</summary>
    public int DiscriminatorSteps { get; init; } = 1;

    /// <summary>
    /// Whether the generator step also runs D on the iteration's real batch and passes it as
    /// <see cref="Regularizers.RegularizerContext.RealOutput"/> (SDP needs real scores and features there).
    /// Null (the default) means: when at least one regularizer is given.
    /// </summary>
    public bool? RealOutputInGeneratorStep { get; init; }

    /// <summary>
    /// Where the generator step's real output (<see cref="Regularizers.RegularizerContext.RealOutput"/>, when
    /// <see cref="RealOutputInGeneratorStep"/> asks for one) comes from: a fresh D forward on the iteration's reals
    /// (<see cref="Training.GeneratorRealOutput.Recompute"/>, the default) or the last D step's output on the same batch,
    /// detached (<see cref="Training.GeneratorRealOutput.ReuseDiscriminatorStep"/>: one D forward less per iteration,
    /// reals scored by D before its last update). See <see cref="Training.GeneratorRealOutput"/> and docs/sdp.md.
    /// </summary>
    public GeneratorRealOutput GeneratorRealOutput { get; init; } = GeneratorRealOutput.Recompute;

    /// <summary>Decay of the exponential moving average of G's weights (for example 0.999), or null for no EMA.</summary>
    public double? EmaDecay { get; init; }

    /// <summary>Iteration from which the EMA averages; before it the EMA generator copies G.</summary>
    public long EmaStartIteration { get; init; }

    /// <summary>Seed of the trainer's random generators (data batches, latent codes, regularizers) and of libtorch's default generator.</summary>
    public long Seed { get; init; }

    /// <summary>libtorch intra-op threads to use (1 to <see cref="TorchThreads.MaxThreads"/>); 0 applies the library's default once (see <see cref="TorchThreads"/>) and otherwise leaves the current setting.</summary>
    public int Threads { get; init; }

    /// <summary>Where the models and every training tensor live: "cpu", "cuda" or "cuda:N" (see <see cref="Devices"/>).</summary>
    public string Device { get; init; } = Devices.Cpu;

    /// <summary>
    /// Divergence bound: a loss term (adversarial, penalty or total) whose magnitude exceeds this stops training with
    /// <see cref="TrainingDivergedException"/> before the step is applied, as a NaN or infinite one does. The default
    /// 1e6 is far above the losses of healthy GAN training (O(1) for the logistic losses, at most O(1e3) for critics)
    /// and catches a blow-up long before float32 overflows.
    /// </summary>
    public double MaxLossMagnitude { get; init; } = 1e6;

    /// <summary>Write a checkpoint every this many iterations; 0 writes none.</summary>
    public long CheckpointInterval { get; init; }

    /// <summary>Folder of the checkpoints (required when <see cref="CheckpointInterval"/> &gt; 0).</summary>
    public string? CheckpointDirectory { get; init; }

    /// <summary>How many of the newest checkpoints to keep in <see cref="CheckpointDirectory"/>; older ones are deleted.</summary>
    public int CheckpointsToKeep { get; init; } = 3;

    /// <summary>Generate samples from a fixed set of latent codes every this many iterations; 0 never does.</summary>
    public long SampleInterval { get; init; }

    /// <summary>How many samples to generate each time.</summary>
    public int SampleCount { get; init; } = 64;

    /// <summary>Folder where samples are written as <c>samples-{iteration:D8}.npy</c>; null writes no files (the trainer's callback still gets them).</summary>
    public string? SampleDirectory { get; init; }

    /// <summary>Report <see cref="TrainingProgress"/> every this many iterations.</summary>
    public long ProgressInterval { get; init; } = 100;

    /// <summary>SDP (sample differences penalization) options, or null to train without SDP.</summary>
    public SdpOptions? Sdp { get; init; }

    /// <summary>The other stabilizers to add (WGAN-GP, R1, R2, DRAGAN, CR, bCR, zCR, feature matching), in order.</summary>
    public IReadOnlyList<RegularizerSpec> Regularizers { get; init; } = Array.Empty<RegularizerSpec>();

    /// <summary>Whether the generator step runs D on reals for this set of regularizers.</summary>
    internal bool WantsRealOutputInGeneratorStep(int regularizerCount) => RealOutputInGeneratorStep ?? regularizerCount > 0;

    /// <summary>Whether the generator step reuses the last D step's real output (it wants one and <see cref="GeneratorRealOutput"/> says so).</summary>
    internal bool ReusesDiscriminatorStepRealOutput(int regularizerCount)
        => GeneratorRealOutput == GeneratorRealOutput.ReuseDiscriminatorStep && WantsRealOutputInGeneratorStep(regularizerCount);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Loss)) Fail(nameof(Loss), "must be a defined GanLossKind", Loss);
        if (LatentSize < 1) Fail(nameof(LatentSize), "must be at least 1", LatentSize);
        Model?.Validate();
        if (Model is not null && Model.LatentSize != LatentSize)
            throw new ArgumentException($"GanTrainerOptions.LatentSize ({LatentSize}) must equal GanTrainerOptions.Model.LatentSize ({Model.LatentSize}).");
        if (BatchSize < 2) Fail(nameof(BatchSize), "must be at least 2", BatchSize);
        if (Iterations < 1) Fail(nameof(Iterations), "must be at least 1", Iterations);
        if (!(GeneratorLearningRate > 0) || double.IsInfinity(GeneratorLearningRate)) Fail(nameof(GeneratorLearningRate), "must be positive and finite", GeneratorLearningRate);
        if (!(DiscriminatorLearningRate > 0) || double.IsInfinity(DiscriminatorLearningRate)) Fail(nameof(DiscriminatorLearningRate), "must be positive and finite", DiscriminatorLearningRate);
        if (!(Beta1 >= 0 && Beta1 < 1)) Fail(nameof(Beta1), "must be in [0, 1)", Beta1);
        if (!(Beta2 >= 0 && Beta2 < 1)) Fail(nameof(Beta2), "must be in [0, 1)", Beta2);
        if (DiscriminatorSteps < 1) Fail(nameof(DiscriminatorSteps), "must be at least 1", DiscriminatorSteps);
        if (!Enum.IsDefined(GeneratorRealOutput)) Fail(nameof(GeneratorRealOutput), "must be a defined GeneratorRealOutput (Recompute or ReuseDiscriminatorStep)", GeneratorRealOutput);
        if (GeneratorRealOutput == GeneratorRealOutput.ReuseDiscriminatorStep && RealOutputInGeneratorStep == false)
            throw new ArgumentException("GanTrainerOptions.GeneratorRealOutput is ReuseDiscriminatorStep but RealOutputInGeneratorStep is false, so the generator step gets no real output to reuse; set one of them differently.");
        if (EmaDecay is { } d && !(d >= 0 && d < 1)) Fail(nameof(EmaDecay), "must be a number in [0, 1), or null for no EMA", d);
        if (EmaStartIteration < 0) Fail(nameof(EmaStartIteration), "must be at least 0", EmaStartIteration);
        if (Threads != 0 && (Threads < 1 || Threads > TorchThreads.MaxThreads)) Fail(nameof(Threads), $"must be 0 (the default) or between 1 and {TorchThreads.MaxThreads}", Threads);
        Devices.Check(Device, "GanTrainerOptions.Device");
        if (!(MaxLossMagnitude > 0) || !double.IsFinite(MaxLossMagnitude)) Fail(nameof(MaxLossMagnitude), "must be positive and finite", MaxLossMagnitude);
        if (CheckpointInterval < 0) Fail(nameof(CheckpointInterval), "must be at least 0 (0 disables checkpoints)", CheckpointInterval);
        if (CheckpointInterval > 0 && string.IsNullOrWhiteSpace(CheckpointDirectory))
            throw new ArgumentException($"GanTrainerOptions.CheckpointDirectory must be set when CheckpointInterval is {CheckpointInterval}.");
        if (CheckpointsToKeep < 1) Fail(nameof(CheckpointsToKeep), "must be at least 1", CheckpointsToKeep);
        if (SampleInterval < 0) Fail(nameof(SampleInterval), "must be at least 0 (0 disables sampling)", SampleInterval);
        if (SampleCount < 1) Fail(nameof(SampleCount), "must be at least 1", SampleCount);
        if (ProgressInterval < 1) Fail(nameof(ProgressInterval), "must be at least 1", ProgressInterval);
        Sdp?.Validate();
        foreach (var r in Regularizers)
        {
            if (r is null) throw new ArgumentException("GanTrainerOptions.Regularizers must not contain null.");
            r.Validate();
        }
        var kinds = Regularizers.Select(r => r.Kind).ToList();
        if (kinds.Distinct().Count() != kinds.Count)
            throw new ArgumentException($"GanTrainerOptions.Regularizers lists a regularizer twice: [{string.Join(", ", kinds)}].");
    }

    private static void Fail(string option, string rule, object value)
        => throw new ArgumentException(FormattableString.Invariant($"GanTrainerOptions.{option} {rule} (got {value})."));
}
