using Ml.GanSdp.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Regularizers;

/// <summary>Options of <see cref="LatentConsistencyRegularization"/> (the defaults are Zhao et al. 2021's).</summary>
public sealed record LatentConsistencyOptions
{
    /// <summary>lambda_dis, the weight of the discriminator's consistency term.</summary>
    public double DiscriminatorWeight { get; init; } = 5;
    /// <summary>lambda_gen, the weight of the generator's diversity term.</summary>
    public double GeneratorWeight { get; init; } = 0.5;
    /// <summary>sigma: the latent perturbation is dz ~ N(0, sigma^2 I).</summary>
    public double Sigma { get; init; } = 0.03;

    /// <summary>Throws naming the bad option.</summary>
    public LatentConsistencyOptions Validate()
    {
        ConsistencyChecks.Weight(nameof(DiscriminatorWeight), DiscriminatorWeight);
        ConsistencyChecks.Weight(nameof(GeneratorWeight), GeneratorWeight);
        if (!(Sigma > 0) || double.IsInfinity(Sigma)) throw new ArgumentOutOfRangeException(nameof(Sigma), Sigma, "Sigma must be finite and > 0.");
        return this;
    }
}

/// <summary>
/// Latent consistency regularization (zCR; Zhao et al. 2021, "Improved consistency regularization for GANs"), with
/// T(z) = z + dz, dz ~ N(0, sigma^2 I) drawn from <see cref="RegularizerContext.Random"/> (a fresh draw in each step):
/// <list type="bullet">
/// <item>D step: the discriminator loss adds lambda_dis E[||D(G(z)) - D(G(T(z)))||^2] (D's raw scores; D(G(z)) is the
/// step's fake forward; G(T(z)) is generated under no_grad since D's step does not train G);</item>
/// <item>G step: the generator loss adds -lambda_gen E[||G(z) - G(T(z))||^2] (squared norm over each sample's flattened
/// pixels), which rewards G for responding to latent perturbations (against mode collapse). G(z) is the step's attached
/// fake; G(T(z)) is one extra G forward with grad.</item>
/// </list>
/// A conditional G and D get the fakes' labels for the perturbed codes too.
/// </summary>
public sealed class LatentConsistencyRegularization : IRegularizer
{
    /// <summary>Creates the regularizer (options validated).</summary>
    public LatentConsistencyRegularization(LatentConsistencyOptions? options = null) => Options = (options ?? new LatentConsistencyOptions()).Validate();

    /// <summary>The options.</summary>
    public LatentConsistencyOptions Options { get; }

    /// <inheritdoc/>
    public string Name => "zcr";

    /// <summary>E[(D(G(z)) - D(G(z + dz)))^2] given D(G(z)) and dz (unweighted; G(z + dz) without grad).</summary>
    public static Tensor DiscriminatorPenalty(IDiscriminator discriminator, IGenerator generator, Tensor fakeScores, Tensor latent, Tensor dz, Tensor? labels = null)
    {
        using var scope = NewDisposeScope();
        Tensor perturbed;
        using (no_grad()) perturbed = generator.Forward(latent.detach() + dz, labels).detach();
        var output = discriminator.Forward(perturbed, labels);
        foreach (var f in output.BlockFeatures) f.Dispose();
        return (fakeScores.flatten() - output.Scores.flatten()).square().mean().MoveToOuterDisposeScope();
    }

    /// <summary>E[||G(z) - G(z + dz)||^2] given the attached G(z) and dz (unweighted and positive; the G term is its negative).</summary>
    public static Tensor GeneratorDifference(IGenerator generator, Tensor fake, Tensor latent, Tensor dz, Tensor? labels = null)
    {
        using var scope = NewDisposeScope();
        var perturbed = generator.Forward(latent.detach() + dz, labels);
        return (fake - perturbed).flatten(1).square().sum(1).mean().MoveToOuterDisposeScope();
    }

    private Tensor DrawPerturbation(RegularizerContext context)
        => Draws.Normal(context.Latent.shape, context.Latent.dtype, context.Latent.device, context.Random) * Options.Sigma;

    /// <inheritdoc/>
    public PenaltyTerm? DiscriminatorTerm(RegularizerContext context)
    {
        using var scope = NewDisposeScope();
        var dz = DrawPerturbation(context);
        var p = DiscriminatorPenalty(context.Discriminator, context.Generator, context.FakeOutput.Scores, context.Latent, dz, context.FakeLabels);
        double value = GradientPenalty.Scalar(p);
        return new PenaltyTerm((p * Options.DiscriminatorWeight).MoveToOuterDisposeScope(), new Dictionary<string, double> { ["zcr_dis"] = value });
    }

    /// <inheritdoc/>
    public PenaltyTerm? GeneratorTerm(RegularizerContext context)
    {
        using var scope = NewDisposeScope();
        var dz = DrawPerturbation(context);
        var p = GeneratorDifference(context.Generator, context.Fake, context.Latent, dz, context.FakeLabels);
        double value = GradientPenalty.Scalar(p);
        return new PenaltyTerm((p * -Options.GeneratorWeight).MoveToOuterDisposeScope(), new Dictionary<string, double> { ["zcr_gen"] = value });
    }
}
