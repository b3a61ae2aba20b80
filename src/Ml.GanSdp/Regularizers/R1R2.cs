using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Regularizers;

/// <summary>Options of <see cref="R1Penalty"/> and <see cref="R2Penalty"/>.</summary>
public sealed record ZeroCenteredPenaltyOptions
{
    /// <summary>gamma; the term is gamma/2 E||grad D||^2 (Mescheder et al. 2018 use 10 on CIFAR-scale data).</summary>
    public double Gamma { get; init; } = 10;

    /// <summary>Throws naming the bad option.</summary>
    public ZeroCenteredPenaltyOptions Validate()
    {
        if (!(Gamma >= 0) || double.IsInfinity(Gamma)) throw new ArgumentOutOfRangeException(nameof(Gamma), Gamma, "R1/R2 Gamma must be finite and >= 0.");
        return this;
    }
}

/// <summary>
/// R1 (Mescheder et al. 2018, "Which training methods for GANs do actually converge?"): the discriminator loss adds
/// gamma/2 E_x[||grad_x D(x)||_2^2] at the reals (zero-centred, squared norm over each sample's flattened gradient,
/// create_graph). D only. Needs one extra D forward on a detached copy of the reals that requires grad (the step's
/// forward on the reals did not record input gradients).
/// </summary>
public sealed class R1Penalty : IRegularizer
{
    /// <summary>Creates the regularizer (options validated).</summary>
    public R1Penalty(ZeroCenteredPenaltyOptions? options = null) => Options = (options ?? new ZeroCenteredPenaltyOptions()).Validate();

    /// <summary>The options.</summary>
    public ZeroCenteredPenaltyOptions Options { get; }

    /// <inheritdoc/>
    public string Name => "r1";

    /// <summary>E||grad_x D(x)||^2 over the given points (unweighted, without the 1/2).</summary>
    public static Tensor Penalty(Models.IDiscriminator discriminator, Tensor points, Tensor? labels = null)
    {
        using var sq = InputGradients.PerSampleSquaredNorm(discriminator, points, labels);
        return sq.mean();
    }

    /// <inheritdoc/>
    public PenaltyTerm? DiscriminatorTerm(RegularizerContext context) => Weighted(Options.Gamma, context.Discriminator, context.Real, context.RealLabels, "r1");

    /// <summary>Null: R1 acts on D only.</summary>
    public PenaltyTerm? GeneratorTerm(RegularizerContext context) => null;

    internal static PenaltyTerm Weighted(double gamma, Models.IDiscriminator d, Tensor points, Tensor? labels, string metric)
    {
        using var p = Penalty(d, points, labels);
        double value = GradientPenalty.Scalar(p);
        return new PenaltyTerm(p * (gamma / 2), new Dictionary<string, double> { [metric] = value });
    }
}

/// <summary>
/// R2 (Mescheder et al. 2018): as <see cref="R1Penalty"/> but at the fakes: gamma/2 E_z[||grad D(G(z))||^2], the fakes
/// detached from G. D only; a conditional D gets the fakes' labels.
/// </summary>
public sealed class R2Penalty : IRegularizer
{
    /// <summary>Creates the regularizer (options validated).</summary>
    public R2Penalty(ZeroCenteredPenaltyOptions? options = null) => Options = (options ?? new ZeroCenteredPenaltyOptions()).Validate();

    /// <summary>The options.</summary>
    public ZeroCenteredPenaltyOptions Options { get; }

    /// <inheritdoc/>
    public string Name => "r2";

    /// <inheritdoc/>
    public PenaltyTerm? DiscriminatorTerm(RegularizerContext context) => R1Penalty.Weighted(Options.Gamma, context.Discriminator, context.Fake, context.FakeLabels, "r2");

    /// <summary>Null: R2 acts on D only.</summary>
    public PenaltyTerm? GeneratorTerm(RegularizerContext context) => null;
}
