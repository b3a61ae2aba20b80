namespace Ml.GanSdp.Training;

/// <summary>One penalty's value in a step and the metrics it reported (for example SDP's k and score gap).</summary>
public sealed record PenaltyValue(string Name, double Value, IReadOnlyDictionary<string, double> Metrics);

/// <summary>The losses of one D or G step: the total minimized, its adversarial part, and each penalty.</summary>
public sealed record StepResult(double Loss, double AdversarialLoss, IReadOnlyList<PenaltyValue> Penalties);

/// <summary>
/// The losses of one generator iteration: its <see cref="GanTrainerOptions.DiscriminatorSteps"/> D steps then
/// its G step. <see cref="Iteration"/> is 0-based (iterations completed before it).
/// </summary>
public sealed record IterationResult(long Iteration, IReadOnlyList<StepResult> DiscriminatorSteps, StepResult GeneratorStep)
{
    /// <summary>Every loss of the iteration in a fixed order (D steps' totals, adversarial parts and penalties, then G's): handy for bit-exact comparisons.</summary>
    public IEnumerable<double> AllLosses()
    {
        foreach (var s in DiscriminatorSteps.Append(GeneratorStep))
        {
            yield return s.Loss;
            yield return s.AdversarialLoss;
            foreach (var p in s.Penalties) yield return p.Value;
        }
    }
}
