namespace Ml.GanSdp.Training;

/// <summary>
/// Thrown when a loss term becomes NaN or infinite, or its magnitude exceeds <see cref="GanTrainerOptions.MaxLossMagnitude"/>.
/// The step is abandoned before its backward pass and optimizer step, and no checkpoint is written for it or after
/// it: <see cref="LastCheckpoint"/> is the last checkpoint whose every loss since the previous one stayed within the
/// bound and whose weights were finite (the trainer checks both before writing).
/// </summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Describes the divergence.</summary>
    public TrainingDivergedException(long iteration, string network, string term, double value, double bound, string? lastCheckpoint)
        : base(FormattableString.Invariant(
            $"Training diverged at iteration {iteration} ({iteration} iterations completed): the {network} loss term '{term}' is {value}") +
            (double.IsFinite(value) ? FormattableString.Invariant($", beyond the bound {bound:G3} (GanTrainerOptions.MaxLossMagnitude). ") : ". ") +
            (lastCheckpoint is null ? "No checkpoint was written before it." : $"The last healthy checkpoint is '{lastCheckpoint}'; resume from it with a smaller learning rate or a stronger stabilizer."))
    {
        Bound = bound;
        Iteration = iteration;
        Network = network;
        Term = term;
        Value = value;
        LastCheckpoint = lastCheckpoint;
    }

    /// <summary>The 0-based iteration whose step diverged (as <see cref="Regularizers.RegularizerContext.Iteration"/>).</summary>
    public long Iteration { get; }

    /// <summary>"discriminator" or "generator".</summary>
    public string Network { get; }

    /// <summary>"adversarial", a regularizer's name, or "total".</summary>
    public string Term { get; }

    /// <summary>The bound that was in force.</summary>
    public double Bound { get; }

    /// <summary>The offending value (NaN, infinite, or beyond <see cref="Bound"/>).</summary>
    public double Value { get; }

    /// <summary>Path of the last checkpoint written before the divergence, or null.</summary>
    public string? LastCheckpoint { get; }
}
