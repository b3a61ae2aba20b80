using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Regularizers;

/// <summary>Options of <see cref="Dragan"/>.</summary>
public sealed record DraganOptions
{
    /// <summary>lambda (Kodali et al. use 10).</summary>
    public double Weight { get; init; } = 10;
    /// <summary>c in delta = c std(x) u, u ~ U(0, 1) per element (the reference code uses 0.5).</summary>
    public double PerturbationScale { get; init; } = 0.5;

    /// <summary>Throws naming the bad option.</summary>
    public DraganOptions Validate()
    {
        if (!(Weight >= 0) || double.IsInfinity(Weight)) throw new ArgumentOutOfRangeException(nameof(Weight), Weight, "DRAGAN Weight must be finite and >= 0.");
        if (!(PerturbationScale >= 0) || double.IsInfinity(PerturbationScale)) throw new ArgumentOutOfRangeException(nameof(PerturbationScale), PerturbationScale, "DRAGAN PerturbationScale must be finite and >= 0.");
        return this;
    }
}

/// <summary>
/// DRAGAN (Kodali et al. 2017, "On convergence and stability of GANs"): the discriminator loss adds
/// lambda E[(||grad_x D(x + delta)||_2 - 1)^2] around the reals, with the perturbation of the authors' reference code,
/// delta = c std(x) u: std(x) the (population, ddof = 0, as numpy's <c>X.std()</c>) standard deviation of the whole real
/// batch, u ~ U(0, 1) independently per element (drawn from <see cref="RegularizerContext.Random"/>), c = 0.5. The
/// reference code further evaluates at x + alpha delta with alpha ~ U(0, 1) per sample; following the paper's
/// description (gradients at perturbed reals) we evaluate at x + delta. D only.
/// </summary>
public sealed class Dragan : IRegularizer
{
    /// <summary>Creates the regularizer (options validated).</summary>
    public Dragan(DraganOptions? options = null) => Options = (options ?? new DraganOptions()).Validate();

    /// <summary>The options.</summary>
    public DraganOptions Options { get; }

    /// <inheritdoc/>
    public string Name => "dragan";

    /// <summary>x + c std(x) u for a given u (same shape as x), detached.</summary>
    public static Tensor Perturb(Tensor real, Tensor uniform, double scale)
    {
        if (!real.shape.SequenceEqual(uniform.shape))
            throw new ArgumentException($"DRAGAN noise shape [{string.Join(", ", uniform.shape)}] must equal the reals' [{string.Join(", ", real.shape)}].", nameof(uniform));
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var x = real.detach();
        var std = x.std(unbiased: false);
        return (x + uniform * std * scale).MoveToOuterDisposeScope();
    }

    /// <summary>E[(||grad D(x + c std(x) u)|| - 1)^2] for a given u (the unweighted penalty).</summary>
    public static Tensor Penalty(Models.IDiscriminator discriminator, Tensor real, Tensor uniform, double scale, Tensor? labels = null)
    {
        using var scope = NewDisposeScope();
        var points = Perturb(real, uniform, scale);
        var norms = InputGradients.PerSampleNorm(discriminator, points, labels);
        return (norms - 1).square().mean().MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    public PenaltyTerm? DiscriminatorTerm(RegularizerContext context)
    {
        using var scope = NewDisposeScope();
        var u = Draws.Uniform(context.Real.shape, context.Real.dtype, context.Real.device, context.Random);
        var p = Penalty(context.Discriminator, context.Real, u, Options.PerturbationScale, context.RealLabels);
        double value = GradientPenalty.Scalar(p);
        return new PenaltyTerm((p * Options.Weight).MoveToOuterDisposeScope(), new Dictionary<string, double> { ["dragan"] = value });
    }

    /// <summary>Null: DRAGAN acts on D only.</summary>
    public PenaltyTerm? GeneratorTerm(RegularizerContext context) => null;
}
