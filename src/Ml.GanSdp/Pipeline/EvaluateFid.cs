using Ml.GanSdp.Data;
using Ml.GanSdp.Metrics;
using static Ml.GanSdp.torch;

namespace Ml.GanSdp.Pipeline;

/// <summary>Generative-model evaluation (<see cref="GanContext.Evaluation"/>): FID and its variants over a data view.</summary>
public sealed class EvaluationCatalog : CatalogBase
{
    internal EvaluationCatalog(GanContext context) : base(context) { }
}

/// <summary><c>EvaluateFid</c> and <c>TrainDomainClassifier</c> on <see cref="GanContext.Evaluation"/>.</summary>
public static class EvaluateFidCatalogExtensions
{
    /// <summary>
    /// The Frechet distance between the features of the first <paramref name="sampleCount"/> real images of
    /// <paramref name="realData"/> and of <paramref name="sampleCount"/> images of <paramref name="generator"/> (latent
    /// codes from <paramref name="seed"/>, the context's when null; labels cycling over the classes). With
    /// <see cref="InceptionV3Fid"/> this is FID (pytorch-fid's protocol; 10000 or more samples for a stable value);
    /// with a <see cref="DomainClassifier"/> it is the same distance in that classifier's feature space, comparable
    /// only between evaluations that use the same classifier weights.
    /// </summary>
    /// <exception cref="SchemaException">The image column is missing or not a fixed-size image.</exception>
    public static FrechetDistanceResult EvaluateFid(this EvaluationCatalog catalog, IDataView realData, GanGeneratorTransformer generator,
        IFeatureExtractor extractor, long sampleCount = 10_000, long? seed = null, string imageColumnName = "Image", bool allowTooFewSamples = false)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(realData);
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(extractor);
        if (sampleCount < 2) throw new ArgumentOutOfRangeException(nameof(sampleCount), sampleCount, "EvaluateFid needs at least 2 samples.");
        var evaluator = new FidEvaluator(extractor);
        using var real = RealStatistics(evaluator, realData, imageColumnName, sampleCount);
        using var fake = evaluator.ComputeStatistics(GeneratedBatches(generator, sampleCount, seed ?? catalog.Context.Seed));
        return FrechetDistance.Compute(real, fake, allowTooFewSamples);
    }

    /// <summary>
    /// A <see cref="DomainClassifier"/> trained on the labelled images of <paramref name="data"/> (the first
    /// <paramref name="maxRows"/>), for a FID-like distance on data far from ImageNet (e.g. 28 x 28 grayscale).
    /// </summary>
    public static DomainClassifier TrainDomainClassifier(this EvaluationCatalog catalog, IDataView data, string labelColumnName = "Label",
        string imageColumnName = "Image", int epochs = 3, long? maxRows = null, int featureDimension = 128)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(data);
        var type = ImageData.RequireImage(data.Schema, imageColumnName, "TrainDomainClassifier");
        var classes = ImageData.RequireKey(data.Schema, labelColumnName, "TrainDomainClassifier");
        var (x, y) = ImageData.Read(data, imageColumnName, labelColumnName, maxRows, "TrainDomainClassifier");
        using (x)
        using (y)
        using (var x01 = ToZeroOne(x))
        {
            var clf = new DomainClassifier(type.Channels, type.Height, classes.Count, featureDimension, catalog.Context.Seed);
            try
            {
                clf.Train(x01, y!, new DomainClassifierTrainingOptions { Epochs = epochs, Seed = catalog.Context.Seed });
                return clf;
            }
            catch
            {
                clf.Dispose();
                throw;
            }
        }
    }

    /// <summary>Feature statistics of the first <paramref name="count"/> images of a view's image column.</summary>
    public static GaussianStatistics RealStatistics(FidEvaluator evaluator, IDataView data, string imageColumnName, long count)
    {
        ArgumentNullException.ThrowIfNull(evaluator);
        ArgumentNullException.ThrowIfNull(data);
        var (x, _) = ImageData.Read(data, imageColumnName, null, count, "EvaluateFid");
        using (x)
        using (var x01 = ToZeroOne(x))
            return evaluator.ComputeStatistics(x01);
    }

    /// <summary>Generated images in [0, 1] (what feature extractors take), 250 at a time.</summary>
    public static IEnumerable<Tensor> GeneratedBatches(GanGeneratorTransformer generator, long count, long seed)
    {
        ArgumentNullException.ThrowIfNull(generator);
        using var all = generator.GenerateInChunks(count, seed, null);
        for (long i = 0; i < count; i += 250)
        {
            using var part = all.narrow(0, i, Math.Min(250, count - i));
            yield return ToZeroOne(part);
        }
    }

    /// <summary>Pixels in [-1, 1] to [0, 1] (what feature extractors take); the caller owns the result.</summary>
    public static Tensor ToZeroOne(Tensor minusOneToOne)
    {
        using var scope = NewDisposeScope();
        return ((minusOneToOne + 1.0) * 0.5).clamp(0, 1).MoveToOuterDisposeScope();
    }
}
