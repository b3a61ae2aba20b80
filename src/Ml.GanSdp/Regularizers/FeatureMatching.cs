using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Regularizers;

/// <summary>Options of <see cref="FeatureMatching"/>.</summary>
public sealed record FeatureMatchingOptions
{
    /// <summary>The weight of the term in the generator loss.</summary>
    public double Weight { get; init; } = 1;

    /// <summary>Throws naming the bad option.</summary>
    public FeatureMatchingOptions Validate()
    {
        ConsistencyChecks.Weight(nameof(Weight), Weight);
        return this;
    }
}

/// <summary>
/// Feature matching (Salimans et al. 2016, "Improved techniques for training GANs"): the generator loss adds
/// w ||E_x f(x) - E_z f(G(z))||_2^2, f the discriminator's LAST block output averaged over its spatial dimensions
/// (N x C x H x W to N x C; an N x C block is used as is), the expectations batch means. The real features are
/// treated as constants (detached). Salimans et al. replace the adversarial G loss by this term; here it is added
/// to whatever G loss the trainer uses (set the trainer's loss weight accordingly for the pure form). G only.
/// Reads the step's forwards: in the G step the trainer must pass <see cref="RegularizerContext.RealOutput"/>
/// (it may come from no_grad); when it is null the term is null.
/// </summary>
public sealed class FeatureMatching : IRegularizer
{
    /// <summary>Creates the regularizer (options validated).</summary>
    public FeatureMatching(FeatureMatchingOptions? options = null) => Options = (options ?? new FeatureMatchingOptions()).Validate();

    /// <summary>The options.</summary>
    public FeatureMatchingOptions Options { get; }

    /// <inheritdoc/>
    public string Name => "feature-matching";

    /// <summary>||mean_n f(real)_n - mean_n f(fake)_n||^2 for the last block outputs of reals and fakes (unweighted).</summary>
    public static Tensor Penalty(Tensor realLastBlock, Tensor fakeLastBlock)
    {
        if (realLastBlock.dim() < 2 || fakeLastBlock.dim() != realLastBlock.dim() || realLastBlock.shape[1] != fakeLastBlock.shape[1])
            throw new ArgumentException($"Feature matching needs last-block features N x C [x ...] with equal C, got [{string.Join(", ", realLastBlock.shape)}] and [{string.Join(", ", fakeLastBlock.shape)}].");
        using var scope = NewDisposeScope();
        var r = SpatialMean(realLastBlock.detach()).mean(new long[] { 0 });
        var f = SpatialMean(fakeLastBlock).mean(new long[] { 0 });
        return (r - f).square().sum().MoveToOuterDisposeScope();
    }

    private static Tensor SpatialMean(Tensor t)
        => t.dim() == 2 ? t.alias() : t.mean(Enumerable.Range(2, (int)t.dim() - 2).Select(i => (long)i).ToArray());

    /// <summary>Null: feature matching acts on G only.</summary>
    public PenaltyTerm? DiscriminatorTerm(RegularizerContext context) => null;

    /// <inheritdoc/>
    public PenaltyTerm? GeneratorTerm(RegularizerContext context)
    {
        if (context.RealOutput is null) return null;
        if (context.RealOutput.BlockFeatures.Count == 0 || context.FakeOutput.BlockFeatures.Count == 0)
            throw new InvalidOperationException("Feature matching needs the discriminator's block features; this discriminator reports none.");
        using var p = Penalty(context.RealOutput.BlockFeatures[^1], context.FakeOutput.BlockFeatures[^1]);
        double value = GradientPenalty.Scalar(p);
        return new PenaltyTerm(p * Options.Weight, new Dictionary<string, double> { ["feature_matching"] = value });
    }
}
