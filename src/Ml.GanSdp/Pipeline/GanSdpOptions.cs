using System.Text.Json;
using System.Text.Json.Serialization;
using Ml.GanSdp.Losses;
using Ml.GanSdp.Models;
using Ml.GanSdp.Regularizers;
using Ml.GanSdp.Training;

namespace Ml.GanSdp;

/// <summary>
/// Everything <see cref="GanSdpCatalog.TrainGanSdp(Microsoft.ML.TransformsCatalog, GanSdpOptions)"/> can be told: the
/// columns, the pixel scale, the architecture, every training option of the engine (loss, SDP and the other stabilizers,
/// TTUR learning rates, Adam's betas, n_critic, EMA, batch size, seed, threads, device, divergence bound), checkpoints
/// and resume, and the callbacks. Serializable to JSON (<see cref="ToJson"/>, <see cref="FromJson"/>) except the
/// callbacks and the cancellation token. <see cref="Validate"/> names the first bad option.
/// </summary>
public sealed record GanSdpOptions
{
    // ------------------------------------------------------------------ columns and scale

    /// <summary>The generated column: a known-size Single vector with the input's [C, H, W] dimensions.</summary>
    public string OutputColumnName { get; init; } = "Image";

    /// <summary>
    /// The training images: a known-size Single vector with Dimensions [C, H, W] (ExtractPixels' output, the data
    /// sources' pixel columns) or a fixed-size ImageAnalytics image (MLImage, after ResizeImages); null means
    /// <see cref="OutputColumnName"/> (ML.NET's convention).
    /// </summary>
    public string? InputColumnName { get; init; }

    /// <summary>A key column (Key&lt;UInt32&gt;, e.g. from MapValueToKey) to train a class-conditional GAN on; null trains an unconditional one.</summary>
    public string? LabelColumnName { get; init; }

    /// <summary>
    /// The Int64 column whose value fixes each generated row's latent code. The fitted transformer reads it; schema
    /// propagation (hence an estimator chain) requires it in the input, <c>Fit</c> alone does not read it (see
    /// <see cref="GanSdpCatalog.AddSeedColumn"/>).
    /// </summary>
    public string SeedColumnName { get; init; } = "Seed";

    /// <summary>
    /// The scale of the input pixels, default 0..255 (ExtractPixels' default). Training maps it onto [-1, 1]; the generated
    /// column comes out in the same scale. A value outside it fails <c>Fit</c> naming the row, the column and the value.
    /// MLImage inputs are read with ExtractPixels' defaults and need the default.
    /// </summary>
    public PixelRange InputRange { get; init; } = PixelRange.Bytes;

    // ------------------------------------------------------------------ model

    /// <summary>The network family; channels, image size and classes come from the data.</summary>
    public Architecture Architecture { get; init; } = Architecture.Dcgan;

    /// <summary>Base width (see <see cref="ModelOptions.Width"/>).</summary>
    public int Width { get; init; } = 64;

    /// <summary>Size of the latent code z.</summary>
    public int LatentSize { get; init; } = 100;

    /// <summary>Hidden layers of the MLP (<see cref="Architecture.Mlp"/> only).</summary>
    public int Depth { get; init; } = 3;

    /// <summary>Spectral normalization on the discriminator.</summary>
    public bool DiscriminatorSpectralNorm { get; init; }

    /// <summary>Batch norm in the DCGAN discriminator (off for WGAN-GP).</summary>
    public bool DiscriminatorBatchNorm { get; init; } = true;

    // ------------------------------------------------------------------ training

    /// <summary>The adversarial loss.</summary>
    public GanLossKind Loss { get; init; } = GanLossKind.NonSaturating;

    /// <summary>Generator iterations to train (in total, counting those of a resumed checkpoint).</summary>
    public long Iterations { get; init; } = 2000;

    /// <summary>Real and fake samples per batch.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Adam learning rate of G (TTUR: may differ from D's).</summary>
    public double GeneratorLearningRate { get; init; } = 2e-4;

    /// <summary>Adam learning rate of D.</summary>
    public double DiscriminatorLearningRate { get; init; } = 2e-4;

    /// <summary>Adam's beta1.</summary>
    public double Beta1 { get; init; } = 0.5;

    /// <summary>Adam's beta2.</summary>
    public double Beta2 { get; init; } = 0.999;

    /// <summary>n_critic: D steps per G step.</summary>
    public int DiscriminatorSteps { get; init; } = 1;

    /// <summary>EMA decay of G's weights (e.g. 0.999), or null for no EMA. With EMA the EMA generator is exported.</summary>
    public double? EmaDecay { get; init; }

    /// <summary>Iteration from which the EMA averages (before it the EMA generator copies G).</summary>
    public long EmaStartIteration { get; init; }

    /// <summary>Seed of the initial weights and of every random draw of training.</summary>
    public long Seed { get; init; }

    /// <summary>libtorch intra-op threads (1..1024); 0 = the library default (see <see cref="TorchThreads"/>).</summary>
    public int Threads { get; init; }

    /// <summary>"cpu", "cuda" or "cuda:N" (training only; the fitted model runs in ONNX Runtime).</summary>
    public string Device { get; init; } = Devices.Cpu;

    /// <summary>
    /// Whether the generator step also runs D on the iteration's real batch for the regularizers (SDP needs it); null means
    /// "when any regularizer is used" (see <see cref="GanTrainerOptions.RealOutputInGeneratorStep"/>).
    /// </summary>
    public bool? RealOutputInGeneratorStep { get; init; }

    /// <summary>
    /// Where that real output comes from: a second D forward in the generator step (<see cref="GeneratorRealOutput.Recompute"/>,
    /// the default) or the last D step's output on the same batch, detached (<see cref="GeneratorRealOutput.ReuseDiscriminatorStep"/>:
    /// one D forward less per iteration, reals scored by D one update earlier); see <see cref="GanTrainerOptions.GeneratorRealOutput"/>.
    /// </summary>
    public GeneratorRealOutput GeneratorRealOutput { get; init; } = GeneratorRealOutput.Recompute;

    /// <summary>Divergence bound on every loss term (see <see cref="GanTrainerOptions.MaxLossMagnitude"/>).</summary>
    public double MaxLossMagnitude { get; init; } = 1e6;

    // ------------------------------------------------------------------ stabilizers

    /// <summary>Whether to train with SDP (sample differences penalization, Zhang et al.).</summary>
    public bool UseSdp { get; init; } = true;

    /// <summary>
    /// SDP's lambda, t, k0, I_p and variants; null (with <see cref="UseSdp"/>) is the paper's schedule scaled to the run
    /// length: <see cref="ScaledSdp"/>. Must be null when <see cref="UseSdp"/> is false.
    /// </summary>
    public SdpOptions? Sdp { get; init; }

    /// <summary>The other stabilizers (WGAN-GP, R1, R2, DRAGAN, CR, bCR, zCR, feature matching), in order.</summary>
    public IReadOnlyList<RegularizerSpec> Regularizers { get; init; } = [];

    // ------------------------------------------------------------------ checkpoints

    /// <summary>Where checkpoints go (required when <see cref="CheckpointInterval"/> &gt; 0).</summary>
    public string? CheckpointDirectory { get; init; }

    /// <summary>Write a checkpoint every this many iterations; 0 writes none.</summary>
    public long CheckpointInterval { get; init; }

    /// <summary>How many of the newest checkpoints to keep.</summary>
    public int CheckpointsToKeep { get; init; } = 3;

    /// <summary>
    /// Continue a run: a checkpoint file, or a folder whose newest valid checkpoint is used (stale temporaries of killed
    /// writes are deleted, a corrupt newest checkpoint is skipped for the previous one, each reported through
    /// <see cref="OnWarning"/>; a folder without any valid checkpoint starts afresh, with a warning). The data and the
    /// options must be those of the interrupted fit; <see cref="Iterations"/> may be larger. Null starts afresh.
    /// </summary>
    public string? ResumeFrom { get; init; }

    // ------------------------------------------------------------------ data and reporting

    /// <summary>Train on the first this many rows only (all rows when null). Fit reads the rows into memory.</summary>
    public long? MaxRows { get; init; }

    /// <summary>Report progress every this many iterations; null means Iterations / 50 (at least 1).</summary>
    public long? ProgressInterval { get; init; }

    /// <summary>Call <see cref="OnSample"/> every this many iterations; 0 never does.</summary>
    public long SampleInterval { get; init; }

    /// <summary>Images in each <see cref="GanSdpSamples"/> (seeds 0 .. SampleCount-1, classes in turn).</summary>
    public int SampleCount { get; init; } = 64;

    /// <summary>
    /// The folder under which the fitted model's ONNX file lives while the fitted transformer does (null: the system temp
    /// folder). Deleted when the estimator is disposed, or at process exit.
    /// </summary>
    public string? TempFolder { get; init; }

    // ------------------------------------------------------------------ callbacks (not serialized)

    /// <summary>Receives <see cref="TrainingProgress"/> every <see cref="ProgressInterval"/> iterations and after the last one (on the fitting thread).</summary>
    [JsonIgnore] public IProgress<TrainingProgress>? Progress { get; init; }

    /// <summary>Called every <see cref="SampleInterval"/> iterations with the current generator's samples and a sampler (grids, FD curves).</summary>
    [JsonIgnore] public Action<GanSdpSamples>? OnSample { get; init; }

    /// <summary>Called once per fit with the training summary (also in <see cref="GanSdpEstimator.LastTrainingSummary"/> and the model's metadata).</summary>
    [JsonIgnore] public Action<GanSdpTrainingSummary>? OnTrainingFinished { get; init; }

    /// <summary>Receives warnings (skipped corrupt checkpoints, deleted stale temporaries, a resume folder without checkpoints).</summary>
    [JsonIgnore] public Action<string>? OnWarning { get; init; }

    /// <summary>Stops training between iterations (an <see cref="OperationCanceledException"/> leaves Fit).</summary>
    [JsonIgnore] public CancellationToken CancellationToken { get; init; }

    // ------------------------------------------------------------------ resolution

    /// <summary>The largest <see cref="SampleCount"/> accepted.</summary>
    public const int MaxSampleCount = 4096;

    /// <summary>
    /// The paper's SDP schedule (Zhang et al., Sec. IV: "We iterate 100,000 times", t = 3000, k0 = 5, I_p = 5000,
    /// lambda = 0.01) scaled to <paramref name="iterations"/>: t = floor(0.03 iterations), I_p = max(1, floor(0.05 iterations)),
    /// so k grows from k0 by one every 5% of the run, as in the paper (k0 + 19 at the end, clamped to the batch).
    /// </summary>
    public static SdpOptions ScaledSdp(long iterations) => new()
    {
        Threshold = Math.Max(0, iterations * 3 / 100),
        Period = Math.Max(1, iterations * 5 / 100),
    };

    /// <summary>The image column actually read: <see cref="InputColumnName"/>, or <see cref="OutputColumnName"/> when null.</summary>
    [JsonIgnore] public string ImageColumnName => InputColumnName ?? OutputColumnName;

    /// <summary>The SDP options training uses: null without SDP, <see cref="Sdp"/>, or <see cref="ScaledSdp"/>.</summary>
    public SdpOptions? ResolvedSdp() => UseSdp ? Sdp ?? ScaledSdp(Iterations) : null;

    /// <summary>The progress interval training uses.</summary>
    public long ResolvedProgressInterval() => ProgressInterval ?? Math.Max(1, Iterations / 50);

    /// <summary>These options with every default that depends on others filled in (input column, SDP schedule, progress interval).</summary>
    public GanSdpOptions Resolved() => this with { InputColumnName = ImageColumnName, Sdp = ResolvedSdp(), ProgressInterval = ResolvedProgressInterval() };

    // ------------------------------------------------------------------ validation

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option (NaN and infinities included).</summary>
    public void Validate()
    {
        RequireName(nameof(OutputColumnName), OutputColumnName);
        if (InputColumnName is not null) RequireName(nameof(InputColumnName), InputColumnName);
        if (LabelColumnName is not null) RequireName(nameof(LabelColumnName), LabelColumnName);
        RequireName(nameof(SeedColumnName), SeedColumnName);
        Distinct((nameof(OutputColumnName), OutputColumnName), (nameof(SeedColumnName), SeedColumnName), (nameof(LabelColumnName), LabelColumnName));
        Distinct((nameof(InputColumnName), ImageColumnName), (nameof(SeedColumnName), SeedColumnName), (nameof(LabelColumnName), LabelColumnName));
        InputRange.Validate("GanSdpOptions.InputRange");
        if (!Enum.IsDefined(Architecture)) Fail(nameof(Architecture), "must be a defined Architecture", Architecture);
        if (Architecture == Architecture.Mlp && LabelColumnName is not null)
            throw new ArgumentException($"GanSdpOptions.LabelColumnName is '{LabelColumnName}' but the Mlp architecture has no class-conditional variant; use Dcgan, SnganCnn or SnganResNet, or no label column.");
        if (!UseSdp && Sdp is not null) throw new ArgumentException("GanSdpOptions.Sdp is set but UseSdp is false; remove one of them.");
        if (Regularizers is null) throw new ArgumentException("GanSdpOptions.Regularizers must not be null (use an empty list).");
        if (MaxRows is < 1) Fail(nameof(MaxRows), "must be at least 1, or null for all rows", MaxRows);
        if (ProgressInterval is < 1) Fail(nameof(ProgressInterval), "must be at least 1, or null for Iterations / 50", ProgressInterval);
        if (SampleInterval < 0) Fail(nameof(SampleInterval), "must be at least 0 (0 disables samples)", SampleInterval);
        if (SampleCount < 1 || SampleCount > MaxSampleCount) Fail(nameof(SampleCount), $"must be between 1 and {MaxSampleCount}", SampleCount);
        if (ResumeFrom is not null && string.IsNullOrWhiteSpace(ResumeFrom)) Fail(nameof(ResumeFrom), "must be a checkpoint file or folder, or null", "\"\"");
        if (TempFolder is not null && string.IsNullOrWhiteSpace(TempFolder)) Fail(nameof(TempFolder), "must be a folder, or null for the system temp folder", "\"\"");
        try
        {
            // The engine checks the rest (finiteness and ranges), on a model of a size every architecture accepts.
            var probe = new ModelOptions { Architecture = Architecture, Channels = 1, ImageSize = 32, LatentSize = LatentSize, Width = Width, Depth = Depth };
            ToTrainerOptions(probe).Validate();
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException(e.Message.Replace("GanTrainerOptions.", "GanSdpOptions.", StringComparison.Ordinal)
                .Replace("ModelOptions.", "GanSdpOptions.", StringComparison.Ordinal)
                .Replace("GanSdpOptions.Model.", "GanSdpOptions.", StringComparison.Ordinal), e);
        }
    }

    /// <summary>The engine's options for a model built for the data (<paramref name="model"/>).</summary>
    internal GanTrainerOptions ToTrainerOptions(ModelOptions model) => new()
    {
        Loss = Loss,
        Model = model,
        LatentSize = LatentSize,
        BatchSize = BatchSize,
        Iterations = Iterations,
        GeneratorLearningRate = GeneratorLearningRate,
        DiscriminatorLearningRate = DiscriminatorLearningRate,
        Beta1 = Beta1,
        Beta2 = Beta2,
        DiscriminatorSteps = DiscriminatorSteps,
        RealOutputInGeneratorStep = RealOutputInGeneratorStep,
        GeneratorRealOutput = GeneratorRealOutput,
        EmaDecay = EmaDecay,
        EmaStartIteration = EmaStartIteration,
        Seed = Seed,
        Threads = Threads,
        Device = Device,
        MaxLossMagnitude = MaxLossMagnitude,
        CheckpointInterval = CheckpointInterval,
        CheckpointDirectory = CheckpointDirectory,
        CheckpointsToKeep = CheckpointsToKeep,
        // The estimator draws its own samples (GanSdpSamples); the trainer's interval only triggers them.
        SampleInterval = OnSample is null ? 0 : SampleInterval,
        SampleCount = 1,
        SampleDirectory = null,
        ProgressInterval = ResolvedProgressInterval(),
        Sdp = ResolvedSdp(),
        Regularizers = Regularizers,
    };

    private static void RequireName(string option, string? name)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException($"GanSdpOptions.{option} must be a non-empty column name.");
    }

    private static void Distinct(params (string Option, string? Name)[] columns)
    {
        for (int i = 0; i < columns.Length; i++)
            for (int j = i + 1; j < columns.Length; j++)
                if (columns[i].Name is not null && string.Equals(columns[i].Name, columns[j].Name, StringComparison.Ordinal))
                    throw new ArgumentException($"GanSdpOptions.{columns[i].Option} and GanSdpOptions.{columns[j].Option} are both '{columns[i].Name}'; they must be different columns.");
    }

    private static void Fail(string option, string rule, object? value)
        => throw new ArgumentException(FormattableString.Invariant($"GanSdpOptions.{option} {rule} (got {value})."));

    // ------------------------------------------------------------------ JSON

    /// <summary>The JSON options used for <see cref="ToJson"/> and <see cref="FromJson"/> (enums as names, indented).</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
        NumberHandling = JsonNumberHandling.Strict,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>These options as JSON (callbacks and the cancellation token are left out).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>
    /// Options from JSON written by <see cref="ToJson"/>; an <see cref="InvalidDataException"/> names
    /// <paramref name="source"/> and the JSON path of a malformed or unknown field. The result is validated.
    /// </summary>
    public static GanSdpOptions FromJson(string json, string source = "the JSON")
    {
        ArgumentNullException.ThrowIfNull(json);
        GanSdpOptions? options;
        try { options = JsonSerializer.Deserialize<GanSdpOptions>(json, JsonOptions); }
        catch (JsonException e) { throw new InvalidDataException($"{source}: GanSdpOptions field '{e.Path ?? "$"}' is malformed: {e.Message}", e); }
        if (options is null) throw new InvalidDataException($"{source}: the GanSdpOptions JSON is null.");
        try { options.Validate(); }
        catch (ArgumentException e) { throw new InvalidDataException($"{source}: {e.Message}", e); }
        return options;
    }
}
