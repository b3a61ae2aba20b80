using Microsoft.ML;
using Ml.GanSdp.Features;
using Ml.GanSdp.Metrics;

namespace Ml.GanSdp.Samples.Commands;

/// <summary>
/// The Frechet distance during training (<c>train --fd-every</c>): prepared before anything is written (features checked,
/// the domain classifier loaded or trained, the reference statistics loaded, taken from the library's cache or computed
/// from the training data), then measured on the generator's samples with <c>mlContext.Generation().Evaluate</c>.
/// The reference statistics and the classifier are saved into the run folder so a resumed run measures in the same space.
/// </summary>
internal sealed class FdCurve
{
    private readonly MLContext _ml;
    private readonly GenerativeEvaluationOptions _options;
    private readonly long[] _seeds;
    private readonly int[] _classes;
    private readonly ImageShape _shape;

    private FdCurve(MLContext ml, FdSpec spec, FeatureStatistics reference, DomainClassifier? classifier, GenerativeEvaluationOptions options, LoadedData data)
    {
        _ml = ml;
        Spec = spec;
        Reference = reference;
        Classifier = classifier;
        _options = options;
        _shape = data.Shape;
        _seeds = Enumerable.Range(0, spec.Samples).Select(i => (long)i).ToArray();
        int k = data.ClassNames.Count;
        _classes = Enumerable.Range(0, spec.Samples).Select(i => k > 0 ? i % k : 0).ToArray();
    }

    public FdSpec Spec { get; }

    /// <summary>The real side.</summary>
    public FeatureStatistics Reference { get; }

    /// <summary>The domain classifier of FD (classifier), or null.</summary>
    public DomainClassifier? Classifier { get; }

    /// <summary>Prepares the curve (nothing is written); <paramref name="conditional"/> decides whether classes are passed to the generator.</summary>
    public static FdCurve Prepare(MLContext ml, FdSpec spec, DatasetSpec dataset, LoadedData data, bool conditional, CliConsole console)
    {
        var features = spec.FeatureSpec;
        features.Check("fd-");
        if (spec.Reference is not null && features.Resolved == GenerativeFeatureSpace.DomainClassifier && spec.Classifier is null)
            throw new UsageException("--fd-reference statistics in the domain-classifier space need --fd-classifier: the classifier they were computed with.");
        var classifier = Features.Classifier(ml, features, data, console);
        var options = Features.Options(features, classifier) with { MaxFeatureSamples = 0, AllowTooFewSamples = true };
        FeatureStatistics reference;
        if (spec.Reference is { } file)
        {
            if (!File.Exists(file)) throw new UsageException($"--fd-reference '{file}' does not exist.");
            reference = FeatureStatistics.Load(file);
        }
        else if (features.Resolved == GenerativeFeatureSpace.ResNet18 && dataset.Kind == DatasetKind.FashionMnist
                 && (dataset.Data is null || Path.GetFullPath(dataset.Data) == Path.GetFullPath(DataSourceCatalog.FashionMnistDirectory)))
        {
            var cached = ReferenceStatistics.GetOrCompute(ml, ReferenceDataset.FashionMnistTrain, new ReferenceStatisticsOptions { MaxImages = spec.Samples });
            console.Line($"FD reference: {(cached.FromCache ? "cached" : "computed and cached")} statistics of {cached.Statistics.Count} Fashion-MNIST training images ({cached.Path}).");
            reference = cached.Statistics;
        }
        else
        {
            console.Line($"FD reference: computing the {features.DistanceName} statistics of {spec.Samples} images of {data.Description} ...");
            reference = ml.Generation().ComputeStatistics(Features.Sample(ml, data, spec.Samples), options);
        }
        return new FdCurve(ml, spec, reference, classifier, options, conditional ? data : data with { ClassNames = [] });
    }

    /// <summary>Saves the reference statistics and the classifier into the run folder; returns the spec that names them (recorded in options.json).</summary>
    public FdSpec SaveInto(RunFolder folder)
    {
        Reference.Save(folder.FdReferencePath);
        Classifier?.Save(folder.FdClassifierPath);
        return Spec with { Reference = folder.FdReferencePath, Classifier = Classifier is null ? null : folder.FdClassifierPath };
    }

    /// <summary>The distance of <see cref="FdSpec.Samples"/> images of the current generator to the reference.</summary>
    public double Measure(GanSdpSamples samples)
    {
        var images = samples.Generate(_seeds, samples.ClassCount > 0 ? _classes : default);
        var metrics = _ml.Generation().Evaluate(Reference, Features.ImagesView(_ml, images, _shape), _options);
        return metrics.FrechetDistance;
    }
}
