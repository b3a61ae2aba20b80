using Ml.GanSdp.Features;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Metrics;

/// <summary>
/// Feeds TorchSharp feature tensors (the output of an <see cref="IFeatureExtractor"/>) into
/// <see cref="FeatureStatistics"/>, the library's one implementation of streaming mean and covariance. Only copies
/// rows: no statistics are computed here.
/// </summary>
public static class TensorFeatureStatistics
{
    /// <summary>Adds the rows of an N x d feature tensor (any floating dtype, any device; copied to float64 on the CPU).</summary>
    public static void AddRows(this FeatureStatistics statistics, Tensor features)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        ArgumentNullException.ThrowIfNull(features);
        var shape = features.shape;
        if (shape.Length != 2 || shape[1] != statistics.Dimension)
            throw new ArgumentException($"A batch of features must be N x {statistics.Dimension}, got shape [{string.Join(", ", shape)}].", nameof(features));
        if (!features.is_floating_point())
            throw new ArgumentException($"Features must be floating point, got {features.dtype}.", nameof(features));
        var values = features.ToArray<double>();
        int d = statistics.Dimension;
        for (long row = 0; row < shape[0]; row++)
            statistics.Add(values.AsSpan((int)(row * d), d));
    }

    /// <summary>Statistics of the rows of an N x d feature tensor, labelled with <paramref name="featureSpace"/>.</summary>
    public static FeatureStatistics FromRows(Tensor features, string? featureSpace = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.dim() != 2) throw new ArgumentException($"Features must be N x d, got shape [{string.Join(", ", features.shape)}].", nameof(features));
        var statistics = new FeatureStatistics((int)features.size(1)) { FeatureSpace = featureSpace };
        statistics.AddRows(features);
        return statistics;
    }
}
