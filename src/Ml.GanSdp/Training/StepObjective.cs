using Ml.GanSdp.Regularizers;
using static Ml.GanSdp.torch;

namespace Ml.GanSdp.Training;

/// <summary>Sums a step's adversarial loss and penalty terms, reading each value and stopping on the first non-finite one.</summary>
internal static class StepObjective
{
    private static readonly IReadOnlyDictionary<string, double> NoMetrics = new Dictionary<string, double>();

    /// <summary>
    /// The total loss to back-propagate (in the caller's dispose scope) and the step's values. Throws
    /// <see cref="TrainingDivergedException"/> naming the term when the adversarial loss, a penalty or the
    /// total is NaN or infinite.
    /// </summary>
    public static (Tensor total, StepResult result) Combine(Tensor adversarial, IReadOnlyList<IRegularizer> regularizers,
        Func<IRegularizer, PenaltyTerm?> term, long iteration, string network)
    {
        double adv = adversarial.item<double>();
        EnsureFinite(adv, iteration, network, "adversarial");
        var total = adversarial;
        var penalties = new List<PenaltyValue>(regularizers.Count);
        foreach (var r in regularizers)
        {
            if (term(r) is not { } t) continue;
            double v = t.Loss.item<double>();
            EnsureFinite(v, iteration, network, r.Name);
            var metrics = t.Metrics is null ? NoMetrics : new Dictionary<string, double>(t.Metrics);
            penalties.Add(new PenaltyValue(r.Name, v, metrics));
            total = total + t.Loss;
        }
        double tv = penalties.Count == 0 ? adv : total.item<double>();
        EnsureFinite(tv, iteration, network, "total");
        return (total, new StepResult(tv, adv, penalties));
    }

    private static void EnsureFinite(double value, long iteration, string network, string term)
    {
        if (!double.IsFinite(value)) throw new TrainingDivergedException(iteration, network, term, value, null);
    }
}
