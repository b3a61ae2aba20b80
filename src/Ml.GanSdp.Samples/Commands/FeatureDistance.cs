using Ml.GanSdp.Data;
using Ml.GanSdp.Metrics;
using Ml.GanSdp.Pipeline;
using static Ml.GanSdp.torch;

namespace Ml.GanSdp.Samples.Commands;

/// <summary>
/// The Frechet distance in the feature space of a <see cref="DomainClassifier"/> trained on the real data (FID's
/// formula with a small classifier in place of Inception: cheap enough for 2 CPU cores, and comparable only within one
/// run). The real statistics are computed once; <see cref="Distance"/> compares generated images with them.
/// </summary>
internal sealed class FeatureDistance : IDisposable
{
    private readonly DomainClassifier _classifier;
    private readonly FidEvaluator _evaluator;
    private readonly GaussianStatistics _real;

    public FeatureDistance(GanContext ctx, IDataView data, long maxTrainRows, long realSamples)
    {
        _classifier = ctx.Evaluation.TrainDomainClassifier(data, epochs: 1, maxRows: maxTrainRows);
        _evaluator = new FidEvaluator(_classifier, 250);
        _real = EvaluateFidCatalogExtensions.RealStatistics(_evaluator, data, "Image", realSamples);
    }

    /// <summary>The feature extractor's name (recorded in the run).</summary>
    public string Name => _classifier.ExtractorName;

    /// <summary>The distance between the real set and <paramref name="images"/> (float32 in [-1, 1]).</summary>
    public double Distance(Tensor images)
    {
        using var x01 = EvaluateFidCatalogExtensions.ToZeroOne(images);
        using var fake = _evaluator.ComputeStatistics(x01);
        return FrechetDistance.Compute(_real, fake, allowTooFewSamples: true).Distance;
    }

    public void Dispose()
    {
        _real.Dispose();
        _classifier.Dispose();
    }
}
