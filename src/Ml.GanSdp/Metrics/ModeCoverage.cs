using Ml.GanSdp.Metrics;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Metrics;

/// <summary>Mode coverage of 2-D samples against a Gaussian mixture.</summary>
/// <param name="ModesCovered">Modes with at least <c>minSamplesPerMode</c> high-quality samples.</param>
/// <param name="ModeCount">Modes in the mixture.</param>
/// <param name="HighQualityFraction">Fraction of samples within <c>stdMultiple</c> standard deviations of their nearest mode.</param>
/// <param name="HighQualityPerMode">High-quality samples assigned to each mode.</param>
public sealed record ModeCoverageResult(int ModesCovered, int ModeCount, double HighQualityFraction, int[] HighQualityPerMode);

/// <summary>
/// The mode-collapse measure of Srivastava et al. (VEEGAN, 2017) used for the ring and grid toys: a sample
/// is high quality when it lies within 3 standard deviations (Euclidean distance) of its nearest mode; a
/// mode is covered when it has at least 20 high-quality samples (of 2,500 drawn).
/// </summary>
public static class ModeCoverage
{
    /// <summary>Scores <paramref name="samples"/> (n x 2) against <paramref name="mixture"/>.</summary>
    public static ModeCoverageResult Evaluate(Tensor samples, GaussianMixture2D mixture, double stdMultiple = 3, int minSamplesPerMode = 20)
    {
        var s = samples.shape;
        if (s.Length != 2 || s[1] != 2) throw new ArgumentException($"Mode coverage needs n x 2 samples, got [{string.Join(", ", s)}].", nameof(samples));
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = samples.detach().to(ScalarType.Float64);
        var means = mixture.MeansTensor().to(ScalarType.Float64);
        var d = cdist(x, means);                       // n x M Euclidean distances
        var (nearestDist, nearestMode) = d.min(1);
        var hq = nearestDist.le(stdMultiple * mixture.Std);
        var hqModes = nearestMode.masked_select(hq).ToArray<long>();
        var perMode = new int[mixture.ModeCount];
        foreach (var m in hqModes) perMode[m]++;
        int covered = perMode.Count(c => c >= minSamplesPerMode);
        double fraction = s[0] == 0 ? 0 : (double)hqModes.Length / s[0];
        return new ModeCoverageResult(covered, mixture.ModeCount, fraction, perMode);
    }
}
