namespace Ml.GanSdp.Training;

/// <summary>
/// Thrown when a loss term becomes NaN or infinite. The step is abandoned before its backward pass and
/// optimizer step, and no checkpoint is written for it: the last checkpoint on disk is the last good state.
/// </summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Describes the divergence.</summary>
    public TrainingDivergedException(long iteration, string network, string term, double value, string? lastCheckpoint)
        : base(FormattableString.Invariant(
            $"Training diverged at iteration {iteration} ({iteration} iterations completed): the {network} loss term '{term}' is {value}. ") +
            (lastCheckpoint is null ? "No checkpoint was written before it." : $"The last good checkpoint is '{lastCheckpoint}'."))
    {
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

    /// <summary>The non-finite value.</summary>
    public double Value { get; }

    /// <summary>Path of the last checkpoint written before the divergence, or null.</summary>
    public string? LastCheckpoint { get; }
}
