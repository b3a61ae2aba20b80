using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Regularizers;

/// <summary>Options of <see cref="GradientPenalty"/>.</summary>
public sealed record GradientPenaltyOptions
{
    /// <summary>lambda (Gulrajani et al. 2017 use 10).</summary>
    public double Weight { get; init; } = 10;

    /// <summary>Throws naming the bad option.</summary>
    public GradientPenaltyOptions Validate()
    {
        if (!(Weight >= 0) || double.IsInfinity(Weight)) throw new ArgumentOutOfRangeException(nameof(Weight), Weight, "GradientPenalty Weight must be finite and >= 0.");
        return this;
    }
}

/// <summary>
/// WGAN-GP (Gulrajani et al. 2017): the discriminator loss adds lambda E[(||grad_x D(x_hat)||_2 - 1)^2] at random
/// interpolates x_hat = eps x + (1 - eps) G(z), eps ~ U(0, 1) per sample (drawn from <see cref="RegularizerContext.Random"/>),
/// the norm taken over each sample's flattened gradient, with create_graph so D is trained through it. D only. This runs
/// one extra D forward (on the interpolates); a conditional D gets the reals' labels.
/// </summary>
public sealed class GradientPenalty : IRegularizer
{
    /// <summary>Creates the regularizer (options validated).</summary>
    public GradientPenalty(GradientPenaltyOptions? options = null) => Options = (options ?? new GradientPenaltyOptions()).Validate();

    /// <summary>The options.</summary>
    public GradientPenaltyOptions Options { get; }

    /// <inheritdoc/>
    public string Name => "wgan-gp";

    /// <summary>
    /// E[(||grad D(x_hat)|| - 1)^2] with x_hat = eps real + (1 - eps) fake for given <paramref name="eps"/> (shape N):
    /// the unweighted penalty, with the random draw explicit.
    /// </summary>
    public static Tensor Penalty(Models.IDiscriminator discriminator, Tensor real, Tensor fake, Tensor eps, Tensor? labels = null)
    {
        if (!real.shape.SequenceEqual(fake.shape))
            throw new ArgumentException($"WGAN-GP needs reals and fakes of the same shape, got [{string.Join(", ", real.shape)}] and [{string.Join(", ", fake.shape)}].", nameof(fake));
        if (eps.numel() != real.shape[0]) throw new ArgumentException($"WGAN-GP eps has {eps.numel()} entries for {real.shape[0]} samples.", nameof(eps));
        using var scope = NewDisposeScope();
        var e = eps.detach().reshape(new[] { real.shape[0] }.Concat(Enumerable.Repeat(1L, (int)real.dim() - 1)).ToArray());
        var xHat = e * real.detach() + (1 - e) * fake.detach();
        var norms = InputGradients.PerSampleNorm(discriminator, xHat, labels);
        return (norms - 1).square().mean().MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    public PenaltyTerm? DiscriminatorTerm(RegularizerContext context)
    {
        using var scope = NewDisposeScope();
        var eps = Draws.Uniform(new[] { context.Real.shape[0] }, context.Real.dtype, context.Real.device, context.Random);
        var p = Penalty(context.Discriminator, context.Real, context.Fake, eps, context.RealLabels);
        double value = Scalar(p);
        var loss = (p * Options.Weight).MoveToOuterDisposeScope();
        return new PenaltyTerm(loss, new Dictionary<string, double> { ["gp"] = value });
    }

    /// <summary>Null: WGAN-GP acts on D only.</summary>
    public PenaltyTerm? GeneratorTerm(RegularizerContext context) => null;

    internal static double Scalar(Tensor t)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        return t.detach().to(ScalarType.Float64).item<double>();
    }
}
