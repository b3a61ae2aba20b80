using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Regularizers;

/// <summary>
/// SDP hyperparameters; the defaults are the paper's (Sec. IV: t = 3000, k = 5, I_p = 5000, lambda = 0.01).
/// <see cref="Validate"/> names the bad option.
/// </summary>
public sealed record SdpOptions
{
    /// <summary>t: SDP is active from this generator iteration on (iteration &gt;= t).</summary>
    public long Threshold { get; init; } = 3000;
    /// <summary>The initial number k of realistic fakes.</summary>
    public int InitialK { get; init; } = 5;
    /// <summary>I_p: k grows by one every I_p generator iterations, counted from iteration 0 (Algorithm 1).</summary>
    public long Period { get; init; } = 5000;
    /// <summary>lambda: each objective adds (lambda / k) L_SDP.</summary>
    public double Lambda { get; init; } = 0.01;
    /// <summary>Normalization of the pooled block features.</summary>
    public SdpNormalization Normalization { get; init; } = SdpNormalization.Unit;
    /// <summary>Raw scores or sigmoid probabilities in the score term.</summary>
    public SdpScore Score { get; init; } = SdpScore.Raw;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    public SdpOptions Validate()
    {
        if (Threshold < 0) throw new ArgumentOutOfRangeException(nameof(Threshold), Threshold, "SDP Threshold (t) must be >= 0.");
        if (InitialK < 1) throw new ArgumentOutOfRangeException(nameof(InitialK), InitialK, "SDP InitialK must be >= 1.");
        if (Period < 1) throw new ArgumentOutOfRangeException(nameof(Period), Period, "SDP Period (I_p) must be >= 1.");
        if (!(Lambda >= 0) || double.IsInfinity(Lambda)) throw new ArgumentOutOfRangeException(nameof(Lambda), Lambda, "SDP Lambda must be finite and >= 0.");
        if (!Enum.IsDefined(Normalization)) throw new ArgumentOutOfRangeException(nameof(Normalization), Normalization, "Unknown SDP Normalization.");
        if (!Enum.IsDefined(Score)) throw new ArgumentOutOfRangeException(nameof(Score), Score, "Unknown SDP Score.");
        return this;
    }
}

/// <summary>
/// SDP as a regularizer of both objectives (Zhang et al., eq. (9)-(10) and Algorithm 1), with iterations counted
/// in generator iterations (<see cref="RegularizerContext.Iteration"/>):
/// <list type="bullet">
/// <item>inactive (null terms) while iteration &lt; t;</item>
/// <item>k(iteration) = InitialK + floor(iteration / I_p), clamped to the batch size: Algorithm 1 increments k every
/// I_p iterations whether or not SDP is active yet, so at t = 3000, I_p = 5000 SDP starts with k = 5 and reaches k = 6
/// at iteration 5000;</item>
/// <item>the discriminator loss (which D minimizes; eq. (9) maximizes V - (lambda/k) L_SDP) and the generator loss
/// (eq. (10)) each ADD (lambda/k) L_SDP.</item>
/// </list>
/// SDP needs no extra discriminator pass: it reads <see cref="RegularizerContext.RealOutput"/> and
/// <see cref="RegularizerContext.FakeOutput"/> (scores and block features from the step's forwards).
/// <para><b>Trainer contract:</b> in the G step the trainer must pass D's output on the step's reals in
/// <see cref="RegularizerContext.RealOutput"/> (it may be computed under no_grad, since G's gradient flows only
/// through the fake side); when it is null, <see cref="GeneratorTerm"/> returns null and SDP does not act on G.
/// In the D step RealOutput is required and its absence is an error.</para>
/// Metrics: "k" (effective k), "score_gap" (mean of D(x') - D(G(z')) over the selected pairs, raw scores),
/// "l_sdp" (L_SDP without lambda/k).
/// </summary>
public sealed class SdpRegularizer : IRegularizer
{
    /// <summary>Creates the regularizer (the options are validated).</summary>
    public SdpRegularizer(SdpOptions? options = null) => Options = (options ?? new SdpOptions()).Validate();

    /// <summary>The options.</summary>
    public SdpOptions Options { get; }

    /// <inheritdoc/>
    public string Name => "sdp";

    /// <summary>Whether SDP acts at this generator iteration (iteration &gt;= t).</summary>
    public bool IsActive(long iteration) => iteration >= Options.Threshold;

    /// <summary>k(iteration) = InitialK + floor(iteration / I_p), before clamping to the batch.</summary>
    public long ScheduledK(long iteration)
    {
        if (iteration < 0) throw new ArgumentOutOfRangeException(nameof(iteration), iteration, "Iterations are counted from 0.");
        return Options.InitialK + iteration / Options.Period;
    }

    /// <summary>The k used at this iteration for a batch of <paramref name="batchSize"/> fakes: <see cref="ScheduledK"/> clamped to the batch.</summary>
    public int EffectiveK(long iteration, long batchSize) => SampleDifferencesPenalty.ClampK(ScheduledK(iteration), batchSize);

    /// <inheritdoc/>
    public PenaltyTerm? DiscriminatorTerm(RegularizerContext context)
    {
        if (!IsActive(context.Iteration)) return null;
        if (context.RealOutput is null)
            throw new InvalidOperationException("SDP's discriminator term needs RealOutput (D's output on the step's reals) in the context.");
        return Term(context);
    }

    /// <summary>
    /// The generator's (lambda/k) L_SDP, or null before t or when the trainer did not pass D's real output
    /// (<see cref="RegularizerContext.RealOutput"/>) in the G step.
    /// </summary>
    public PenaltyTerm? GeneratorTerm(RegularizerContext context)
    {
        if (!IsActive(context.Iteration) || context.RealOutput is null) return null;
        return Term(context);
    }

    private PenaltyTerm Term(RegularizerContext context)
    {
        var real = context.RealOutput!;
        var fake = context.FakeOutput;
        int k = EffectiveK(context.Iteration, context.Fake.shape[0]);
        using var result = SampleDifferencesPenalty.Compute(context.Real, context.Fake, real.Scores, fake.Scores,
            real.BlockFeatures, fake.BlockFeatures, k, Options.Normalization, Options.Score, context.RealLabels, context.FakeLabels);
        var weighted = result.Loss * (Options.Lambda / k);
        double lSdp = GradientPenalty.Scalar(result.Loss);
        var metrics = new Dictionary<string, double> { ["k"] = k, ["score_gap"] = result.ScoreGap, ["l_sdp"] = lSdp };
        return new PenaltyTerm(weighted, metrics);
    }
}
