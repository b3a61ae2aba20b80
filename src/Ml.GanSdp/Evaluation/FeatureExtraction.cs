using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using Ml.GanSdp.Features;
using Ml.GanSdp.Metrics;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp;

/// <summary>
/// The featurizer of one evaluation, in the options' feature space: Inception (<c>FeaturizeInceptionFid</c>, made once
/// and disposed with this object), ResNet18 (<c>FeaturizeResNet18</c>, a chain per side) or a domain classifier
/// (TorchSharp, pixels read in batches). <see cref="Extract"/> streams one side's data into
/// <see cref="FeatureStatistics"/> and, when given, a <see cref="FeatureSample"/>.
/// </summary>
internal sealed class FeatureExtraction : IDisposable
{
    private const int ClassifierBatch = 64;

    private readonly MLContext _ml;
    private readonly GenerativeEvaluationOptions _options;
    private readonly GenerativeFeatureSpace _space;
    private readonly InceptionFidFeaturizingEstimator? _inception;
    private readonly ResNet18FeaturizingEstimator? _resNet18;

    public FeatureExtraction(MLContext ml, GenerativeEvaluationOptions options)
    {
        _ml = ml;
        _options = options;
        _space = options.ResolvedFeatureSpace;
        switch (_space)
        {
            case GenerativeFeatureSpace.Inception:
                _inception = ml.Transforms.FeaturizeInceptionFid(new InceptionFidFeaturizerOptions
                {
                    OutputColumnName = GenerativeCatalog.FeatureColumnName,
                    InputColumnName = GenerativeCatalog.ImageCopyColumnName,
                    WeightsPath = options.InceptionWeightsPath!,
                    Dimension = options.InceptionDimension,
                    ImageWidth = options.ImageWidth,
                    ImageHeight = options.ImageHeight,
                    IntraOpThreads = options.IntraOpThreads,
                    TempFolder = options.TempFolder,
                });
                FeatureSpace = _inception.FeatureSpace;
                Dimension = options.InceptionDimension;
                break;
            case GenerativeFeatureSpace.ResNet18:
                _resNet18 = ml.Transforms.FeaturizeResNet18(new ResNet18FeaturizerOptions
                {
                    OutputColumnName = GenerativeCatalog.FeatureColumnName,
                    InputColumnName = GenerativeCatalog.ImageCopyColumnName,
                    ImageWidth = options.ImageWidth,
                    ImageHeight = options.ImageHeight,
                    ModelDirectory = options.ResNet18ModelDirectory,
                    IntraOpThreads = options.IntraOpThreads,
                    TempFolder = options.TempFolder,
                });
                FeatureSpace = ResNet18Model.FeatureSpaceName;
                Dimension = ResNet18Model.FeatureDimension;
                break;
            default:
                FeatureSpace = options.DomainClassifier!.ExtractorName;
                Dimension = options.DomainClassifier.FeatureDimension;
                break;
        }
    }

    /// <summary>The feature dimension of the options' feature space, known without loading a network.</summary>
    public static int DimensionOf(GenerativeEvaluationOptions options) => options.ResolvedFeatureSpace switch
    {
        GenerativeFeatureSpace.Inception => options.InceptionDimension,
        GenerativeFeatureSpace.ResNet18 => ResNet18Model.FeatureDimension,
        _ => options.DomainClassifier!.FeatureDimension,
    };

    /// <summary>The feature space's identifier (what <see cref="FeatureStatistics.FeatureSpace"/> records).</summary>
    public string FeatureSpace { get; }

    /// <summary>The feature dimension d.</summary>
    public int Dimension { get; }

    /// <summary>
    /// Featurizes every row of column <paramref name="column"/> of <paramref name="data"/> (the <paramref name="side"/>
    /// named in errors) into statistics labelled with <see cref="FeatureSpace"/>, offering each row's features to
    /// <paramref name="sample"/>.
    /// </summary>
    public FeatureStatistics Extract(IDataView data, string column, string side, IProgress<long>? progress, FeatureSample? sample, CancellationToken cancellationToken)
    {
        var image = data.Schema.GetColumnOrNull(column)
            ?? throw new ArgumentOutOfRangeException(nameof(column), $"The {side} data has no image column '{column}'; its columns are [{string.Join(", ", data.Schema.Where(c => !c.IsHidden).Select(c => c.Name))}].");
        foreach (var reserved in new[] { GenerativeCatalog.FeatureColumnName, GenerativeCatalog.ImageCopyColumnName })
            if (data.Schema.GetColumnOrNull(reserved) is not null)
                throw new ArgumentOutOfRangeException(nameof(data), $"The {side} data has a column '{reserved}', a name the evaluation uses for its own columns; rename or drop it.");
        if (image.Type is not (ImageDataViewType or VectorDataViewType { ItemType: NumberDataViewType }))
            throw new ArgumentOutOfRangeException(nameof(column), $"The {side} data's image column '{column}' is {image.Type}; it must be pixels (Vector<Single> with dimensions [C, H, W], values 0..255) or images (MLImage).");
        var copied = _ml.Transforms.CopyColumns(GenerativeCatalog.ImageCopyColumnName, column).Fit(data).Transform(data);
        try
        {
            var statistics = _space == GenerativeFeatureSpace.DomainClassifier
                ? ClassifierFeatures(copied, progress, sample, cancellationToken)
                : OnnxFeatures(copied, progress, sample, cancellationToken);
            statistics.FeatureSpace = FeatureSpace;
            return statistics;
        }
        catch (ArgumentException e) when (e.Message.Contains(GenerativeCatalog.ImageCopyColumnName, StringComparison.Ordinal))
        {
            throw new ArgumentOutOfRangeException(nameof(column), $"The {side} data: " + e.Message.Replace(GenerativeCatalog.ImageCopyColumnName, column, StringComparison.Ordinal));
        }
    }

    private FeatureStatistics OnnxFeatures(IDataView data, IProgress<long>? progress, FeatureSample? sample, CancellationToken cancellationToken)
    {
        Action<ReadOnlySpan<double>>? onRow = sample is null ? null : sample.Offer;
        if (_inception is not null)
            return FeatureStatistics.FromColumnObserved(_inception.Fit(data).Transform(data), GenerativeCatalog.FeatureColumnName, progress, cancellationToken, onRow);
        var chain = _resNet18!.Fit(data); // disposed with the estimator
        return FeatureStatistics.FromColumnObserved(chain.Transform(data), GenerativeCatalog.FeatureColumnName, progress, cancellationToken, onRow);
    }

    /// <summary>The classifier's features of the pixels (0..255, scaled to [0, 1]), <see cref="ClassifierBatch"/> images at a time.</summary>
    private FeatureStatistics ClassifierFeatures(IDataView data, IProgress<long>? progress, FeatureSample? sample, CancellationToken cancellationToken)
    {
        var classifier = _options.DomainClassifier!;
        var pixelInput = new PixelInput(_ml.Transforms, "Evaluate (domain classifier)", GenerativeCatalog.ImageCopyColumnName,
            _options.ImageWidth, _options.ImageHeight, FidPreprocessing.MaxSide, "GanSdp.Classifier", nameof(GenerativeEvaluationOptions));
        var steps = new List<IEstimator<ITransformer>>();
        var (pixels, channels, height, width) = pixelInput.AddSteps(data, steps, new List<string>());
        if (channels != classifier.Channels || height != classifier.ImageSize || width != classifier.ImageSize)
            throw new ArgumentOutOfRangeException(nameof(data), $"The domain classifier {classifier.ExtractorName} takes {classifier.Channels} x {classifier.ImageSize} x {classifier.ImageSize} images, the column '{GenerativeCatalog.ImageCopyColumnName}' holds {channels} x {height} x {width} (images (MLImage) give 3 channels; give a gray classifier [1, H, W] pixels).");
        var view = data;
        if (steps.Count > 0)
        {
            var chain = new EstimatorChain<ITransformer>();
            foreach (var step in steps) chain = chain.Append(step);
            view = chain.Fit(data).Transform(data);
        }
        var statistics = new FeatureStatistics(Dimension);
        int size = channels * height * width;
        var batch = new float[ClassifierBatch * size];
        var buffer = default(VBuffer<float>);
        var column = view.Schema[pixels];
        using var cursor = view.GetRowCursor(new[] { column });
        var getter = cursor.GetGetter<VBuffer<float>>(column);
        long rows = 0;
        int filled = 0;
        while (cursor.MoveNext())
        {
            cancellationToken.ThrowIfCancellationRequested();
            getter(ref buffer);
            buffer.CopyTo(batch, filled * size);
            if (++filled == ClassifierBatch) Flush();
            if (++rows % 64 == 0) progress?.Report(rows);
        }
        Flush();
        progress?.Report(rows);
        return statistics;

        void Flush()
        {
            if (filled == 0) return;
            using var scope = NewDisposeScope();
            var images = tensor(batch.AsSpan(0, filled * size).ToArray(), new long[] { filled, channels, height, width }).div_(255f);
            var features = classifier.Extract(images);
            statistics.AddRows(features);
            if (sample is not null)
            {
                var values = features.ToArray<double>();
                for (int i = 0; i < filled; i++) sample.Offer(values.AsSpan(i * Dimension, Dimension));
            }
            filled = 0;
        }
    }

    public void Dispose()
    {
        _inception?.Dispose();
        _resNet18?.Dispose();
    }
}
