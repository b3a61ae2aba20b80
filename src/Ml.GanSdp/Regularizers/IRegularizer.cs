using Ml.GanSdp.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Regularizers;

/// <summary>
/// Everything a regularizer may read during one discriminator step or one generator step. The D step
/// passes fakes detached from G; the G step passes fakes attached to G. Outputs come from the step's own
/// forward passes (reuse them instead of running D again wherever the method allows).
/// </summary>
public sealed class RegularizerContext
{
    /// <summary>The discriminator.</summary>
    public required IDiscriminator Discriminator { get; init; }
    /// <summary>The generator.</summary>
    public required IGenerator Generator { get; init; }
    /// <summary>Real samples of the step (N x ...).</summary>
    public required Tensor Real { get; init; }
    /// <summary>Fake samples of the step (detached in the D step, attached in the G step).</summary>
    public required Tensor Fake { get; init; }
    /// <summary>D's output on the reals (null in a G step that did not compute it).</summary>
    public DiscriminatorOutput? RealOutput { get; init; }
    /// <summary>D's output on the fakes.</summary>
    public required DiscriminatorOutput FakeOutput { get; init; }
    /// <summary>The latent codes that produced the fakes.</summary>
    public required Tensor Latent { get; init; }
    /// <summary>Labels of the reals (int64), or null when unconditional.</summary>
    public Tensor? RealLabels { get; init; }
    /// <summary>Labels used to generate the fakes, or null.</summary>
    public Tensor? FakeLabels { get; init; }
    /// <summary>Generator iterations completed before this step (0-based).</summary>
    public required long Iteration { get; init; }
    /// <summary>The trainer's random generator (augmentations, interpolation weights): reproducible and checkpointed.</summary>
    public required Generator Random { get; init; }
}

/// <summary>A penalty term's value and what it reports for progress (for example SDP's k and score gap).</summary>
public sealed record PenaltyTerm(Tensor Loss, IReadOnlyDictionary<string, double>? Metrics = null);

/// <summary>
/// A regularizer adds weighted penalty terms to the discriminator objective, the generator objective, or
/// both (StudioGAN's separation: losses, regularizers and the trainer's D and G steps are separate units).
/// Each method returns null when the regularizer does not act in that step. The returned loss is already
/// weighted and is added to the objective that is minimized.
/// </summary>
public interface IRegularizer
{
    /// <summary>Short name used in progress reports and options (for example "sdp", "r1", "wgan-gp").</summary>
    string Name { get; }

    /// <summary>The term added to the discriminator loss, or null.</summary>
    PenaltyTerm? DiscriminatorTerm(RegularizerContext context);

    /// <summary>The term added to the generator loss, or null.</summary>
    PenaltyTerm? GeneratorTerm(RegularizerContext context);
}
