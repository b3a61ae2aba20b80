using Ml.GanSdp.Regularizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Training;

/// <summary>Sums a step's adversarial loss and penalty terms, reading each value and stopping on the first non-finite one.</summary>
internal static class StepObjective
{
    private static readonly IReadOnlyDictionary<string, double> NoMetrics = new Dictionary<string, double>();

    /// <summary>
    /// The total loss to back-propagate (in the caller's dispose scope) and the step's values. Throws
    /// <see cref="TrainingDivergedException"/> naming the term when the adversarial loss, a penalty or the
    /// total is NaN, infinite or beyond the divergence bound.
    /// </summary>
    public static (Tensor total, StepResult result) Combine(Tensor adversarial, IReadOnlyList<IRegularizer> regularizers,
        Func<IRegularizer, PenaltyTerm?> term, long iteration, string network, double maxMagnitude)
    {
        double adv = adversarial.ToDouble();
        EnsureHealthy(adv, iteration, network, "adversarial", maxMagnitude);
        var total = adversarial;
        var penalties = new List<PenaltyValue>(regularizers.Count);
        foreach (var r in regularizers)
        {
            if (term(r) is not { } t) continue;
            double v = t.Loss.ToDouble();
            EnsureHealthy(v, iteration, network, r.Name, maxMagnitude);
            var metrics = t.Metrics is null ? NoMetrics : new Dictionary<string, double>(t.Metrics);
            penalties.Add(new PenaltyValue(r.Name, v, metrics));
            total = total + t.Loss;
        }
        double tv = penalties.Count == 0 ? adv : total.ToDouble();
        EnsureHealthy(tv, iteration, network, "total", maxMagnitude);
        return (total, new StepResult(tv, adv, penalties));
    }

    private static void EnsureHealthy(double value, long iteration, string network, string term, double maxMagnitude)
    {
        if (!double.IsFinite(value) || Math.Abs(value) > maxMagnitude)
            throw new TrainingDivergedException(iteration, network, term, value, maxMagnitude, null);
    }
}
