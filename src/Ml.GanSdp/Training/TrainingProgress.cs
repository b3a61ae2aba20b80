using System.Globalization;
using System.Text;

namespace Ml.GanSdp.Training;

/// <summary>
/// What <see cref="GanTrainer.Train"/> reports through <see cref="IProgress{T}"/> every
/// <see cref="GanTrainerOptions.ProgressInterval"/> iterations (and after the last one): the losses of the
/// latest iteration and the speed.
/// </summary>
/// <param name="Iteration">Generator iterations completed.</param>
/// <param name="TotalIterations">The run's <see cref="GanTrainerOptions.Iterations"/>.</param>
/// <param name="DiscriminatorLoss">Total D loss of the iteration's last D step.</param>
/// <param name="GeneratorLoss">Total G loss of the iteration's G step.</param>
/// <param name="Terms">
/// Every term by name: <c>D/adversarial</c>, <c>D/{regularizer}</c>, <c>D/{regularizer}/{metric}</c>, and the
/// same under <c>G/</c> (for example <c>G/sdp/k</c>, <c>D/sdp/score_gap</c>).
/// </param>
/// <param name="IterationsPerSecond">Speed since <see cref="GanTrainer.Train"/> started.</param>
/// <param name="Elapsed">Time since <see cref="GanTrainer.Train"/> started.</param>
/// <param name="EstimatedRemaining">Time left at the current speed.</param>
/// <param name="Last">The latest iteration's full results.</param>
public sealed record TrainingProgress(
    long Iteration,
    long TotalIterations,
    double DiscriminatorLoss,
    double GeneratorLoss,
    IReadOnlyDictionary<string, double> Terms,
    double IterationsPerSecond,
    TimeSpan Elapsed,
    TimeSpan EstimatedRemaining,
    IterationResult Last)
{
    /// <summary>Builds the progress record of an iteration's results.</summary>
    public static TrainingProgress From(IterationResult last, long completed, long total, long iterationsThisRun, TimeSpan elapsed)
    {
        double rate = elapsed.TotalSeconds > 0 ? iterationsThisRun / elapsed.TotalSeconds : 0;
        var eta = rate > 0 ? TimeSpan.FromSeconds(Math.Min((total - completed) / rate, TimeSpan.MaxValue.TotalSeconds / 2)) : TimeSpan.Zero;
        var terms = new Dictionary<string, double>();
        AddTerms(terms, "D", last.DiscriminatorSteps[^1]);
        AddTerms(terms, "G", last.GeneratorStep);
        return new TrainingProgress(completed, total, last.DiscriminatorSteps[^1].Loss, last.GeneratorStep.Loss, terms, rate, elapsed, eta, last);
    }

    private static void AddTerms(Dictionary<string, double> terms, string prefix, StepResult step)
    {
        terms[$"{prefix}/adversarial"] = step.AdversarialLoss;
        foreach (var p in step.Penalties)
        {
            terms[$"{prefix}/{p.Name}"] = p.Value;
            foreach (var (k, v) in p.Metrics) terms[$"{prefix}/{p.Name}/{k}"] = v;
        }
    }

    /// <summary>A one-line log entry: iteration, losses, terms, speed and ETA.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"iter {Iteration}/{TotalIterations}  loss_D {DiscriminatorLoss:F4}  loss_G {GeneratorLoss:F4}");
        foreach (var (k, v) in Terms)
            if (!k.EndsWith("/adversarial", StringComparison.Ordinal)) sb.Append(CultureInfo.InvariantCulture, $"  {k} {v:G4}");
        sb.Append(CultureInfo.InvariantCulture, $"  {IterationsPerSecond:F1} it/s  ETA {(long)EstimatedRemaining.TotalHours}:{EstimatedRemaining:mm\\:ss}");
        return sb.ToString();
    }
}
