using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.GanSdp;

/// <summary>The training data of one arm of <see cref="AugmentationEvaluation.EvaluateAugmentation"/>.</summary>
public enum AugmentationArm
{
    /// <summary>(a) The real training rows only.</summary>
    Real,

    /// <summary>(b) The real rows plus <see cref="AugmentationEvaluationOptions.SyntheticRatio"/> x as many synthetic rows (class proportions kept).</summary>
    RealPlusSynthetic,

    /// <summary>(c) Synthetic rows only, as many per class as the real rows (or <see cref="AugmentationEvaluationOptions.SyntheticOnlyRowsPerClass"/>): the CAS arm.</summary>
    SyntheticOnly,
}

/// <summary>Options of <see cref="AugmentationEvaluation.EvaluateAugmentation"/>.</summary>
public sealed record AugmentationEvaluationOptions
{
    /// <summary>The classifier (ignored when <see cref="ClassifierFactory"/> is set). Default <see cref="PixelClassifierKind.LbfgsMaximumEntropy"/>.</summary>
    public PixelClassifierKind Classifier { get; init; } = PixelClassifierKind.LbfgsMaximumEntropy;

    /// <summary>
    /// Builds the classifier for an arm and a classifier seed, given the seed's context (<c>new MLContext(seed)</c>); it
    /// must add <c>Score</c> and <c>PredictedLabel</c> from the image and label columns. An estimator that is
    /// <see cref="IDisposable"/> is disposed after its arm. Null: <see cref="PixelClassifiers.Create"/> with <see cref="Classifier"/>.
    /// </summary>
    public Func<MLContext, AugmentationArm, int, IEstimator<ITransformer>>? ClassifierFactory { get; init; }

    /// <summary>The classifier seeds; each gives one accuracy per arm. Default 0, 1, 2, 3, 4.</summary>
    public IReadOnlyList<int> Seeds { get; init; } = [0, 1, 2, 3, 4];

    /// <summary>Synthetic rows per real row in arm (b), spread over the classes in proportion to the real rows. Default 1.</summary>
    public double SyntheticRatio { get; init; } = 1;

    /// <summary>Synthetic rows per class in arm (c); null: as many as the real rows of that class. Default null.</summary>
    public int? SyntheticOnlyRowsPerClass { get; init; }

    /// <summary>The synthetic rows for classifier seed s use generator run seed SyntheticSeed + s (arms (b) and (c) alike). Default 1000.</summary>
    public long SyntheticSeed { get; init; } = 1000;

    /// <summary>The image column of the real data (and the generator's output). Default "Image".</summary>
    public string ImageColumnName { get; init; } = "Image";

    /// <summary>The key label column. Default "Label".</summary>
    public string LabelColumnName { get; init; } = "Label";

    /// <summary>The generator's seed input column. Default "Seed".</summary>
    public string SeedColumnName { get; init; } = "Seed";

    /// <summary>
    /// Cache each arm's training rows in memory (ML.NET's <c>Cache</c>) before fitting, so trainers that make many passes
    /// (L-BFGS, SDCA) generate the synthetic images once, not once per pass. Default true.
    /// </summary>
    public bool CacheTrainingData { get; init; } = true;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Classifier)) throw new ArgumentOutOfRangeException(nameof(Classifier), Classifier, "Not a PixelClassifierKind.");
        if (Seeds is null || Seeds.Count == 0) throw new ArgumentException("AugmentationEvaluationOptions.Seeds needs at least one classifier seed.", nameof(Seeds));
        if (Seeds.Distinct().Count() != Seeds.Count) throw new ArgumentException($"AugmentationEvaluationOptions.Seeds repeats a seed ({string.Join(", ", Seeds)}).", nameof(Seeds));
        if (!(SyntheticRatio >= 0 && SyntheticRatio <= SyntheticCounts.MaxRatio))
            throw new ArgumentOutOfRangeException(nameof(SyntheticRatio), SyntheticRatio, $"AugmentationEvaluationOptions.SyntheticRatio must be in [0, {SyntheticCounts.MaxRatio}].");
        if (SyntheticOnlyRowsPerClass is < 1) throw new ArgumentOutOfRangeException(nameof(SyntheticOnlyRowsPerClass), SyntheticOnlyRowsPerClass, "AugmentationEvaluationOptions.SyntheticOnlyRowsPerClass must be positive.");
        AugmentationOptions.RequireName(ImageColumnName, nameof(ImageColumnName));
        AugmentationOptions.RequireName(LabelColumnName, nameof(LabelColumnName));
        AugmentationOptions.RequireName(SeedColumnName, nameof(SeedColumnName));
    }
}

/// <summary>The test accuracies of one arm, one per classifier seed, with their mean and sample standard deviation.</summary>
/// <param name="Arm">The arm.</param>
/// <param name="Seeds">The classifier seeds, in order.</param>
/// <param name="MicroAccuracies">Accuracy (micro: correct / rows) on the real test data, per seed.</param>
/// <param name="MacroAccuracies">Mean per-class accuracy on the real test data, per seed.</param>
/// <param name="TrainingRows">Rows the classifier was trained on (the same for every seed).</param>
public sealed record AugmentationArmScores(AugmentationArm Arm, IReadOnlyList<int> Seeds, IReadOnlyList<double> MicroAccuracies, IReadOnlyList<double> MacroAccuracies, long TrainingRows)
{
    /// <summary>Mean of <see cref="MicroAccuracies"/>.</summary>
    public double Mean => MicroAccuracies.Average();

    /// <summary>Sample standard deviation of <see cref="MicroAccuracies"/>: sqrt(sum (a_i - mean)^2 / (n - 1)); 0 for one seed.</summary>
    public double StandardDeviation => AugmentationEvaluation.SampleStandardDeviation(MicroAccuracies);
}

/// <summary>The three arms of <see cref="AugmentationEvaluation.EvaluateAugmentation"/>.</summary>
/// <param name="Real">(a) real rows only.</param>
/// <param name="RealPlusSynthetic">(b) real plus synthetic rows.</param>
/// <param name="SyntheticOnly">(c) synthetic rows only (CAS).</param>
public sealed record AugmentationReport(AugmentationArmScores Real, AugmentationArmScores RealPlusSynthetic, AugmentationArmScores SyntheticOnly)
{
    /// <summary>Augmentation gain: the mean over seeds of (b) - (a), paired by classifier seed (accuracy, not percentage points).</summary>
    public double AugmentationGain => RealPlusSynthetic.MicroAccuracies.Zip(Real.MicroAccuracies, (b, a) => b - a).Average();

    /// <summary>Sample standard deviation over seeds of the paired differences (b) - (a).</summary>
    public double AugmentationGainStandardDeviation => AugmentationEvaluation.SampleStandardDeviation(RealPlusSynthetic.MicroAccuracies.Zip(Real.MicroAccuracies, (b, a) => b - a).ToArray());

    /// <summary>Classification Accuracy Score (Ravuri and Vinyals, 2019): mean real-test accuracy of the classifier trained on synthetic rows only, arm (c).</summary>
    public double ClassificationAccuracyScore => SyntheticOnly.Mean;
}

/// <summary>
/// Measures what a generator's images are worth to a downstream classifier, on real test data: for each classifier
/// seed, the same classifier trained on (a) the real training rows, (b) those plus synthetic rows
/// (<see cref="AugmentationCatalog.Augment(DataOperationsCatalog, IDataView, ITransformer, AugmentationOptions)"/>), and
/// (c) synthetic rows only (<b>CAS</b>, classification accuracy score: Ravuri and Vinyals, "Classification Accuracy Score
/// for Conditional Generative Models", NeurIPS 2019). Accuracy per seed, mean and sample standard deviation per arm.
/// </summary>
public static class AugmentationEvaluation
{
    /// <summary>
    /// Trains and evaluates the three arms for every seed in <see cref="AugmentationEvaluationOptions.Seeds"/>: classifier
    /// seed s uses <c>new MLContext(seed: s)</c> and synthetic rows from run seed <see cref="AugmentationEvaluationOptions.SyntheticSeed"/> + s.
    /// </summary>
    /// <param name="catalog">The multiclass catalog (<c>mlContext.MulticlassClassification</c>).</param>
    /// <param name="realTrain">The real training rows (e.g. a <c>TakeRowsPerClass</c> subset): image column and key label.</param>
    /// <param name="realTest">The real test rows, whose label column has the same key type as the training rows'.</param>
    /// <param name="generator">A conditional generator (seed + label key to an image of the real image column's type).</param>
    /// <param name="options">Classifier, seeds, ratio, columns.</param>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or mistyped, or the test labels' key type differs from the training labels'.</exception>
    public static AugmentationReport EvaluateAugmentation(this MulticlassClassificationCatalog catalog, IDataView realTrain, IDataView realTest,
        ITransformer generator, AugmentationEvaluationOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(realTrain);
        ArgumentNullException.ThrowIfNull(realTest);
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var label = AugmentationCatalog.RequireKeyLabel(realTrain.Schema, options.LabelColumnName, "training data's label", nameof(realTrain));
        var testLabel = AugmentationCatalog.RequireKeyLabel(realTest.Schema, options.LabelColumnName, "test data's label", nameof(realTest));
        if (!testLabel.Type.Equals(label.Type))
            throw new ArgumentOutOfRangeException(nameof(realTest), $"The test data's label column '{testLabel.Name}' is {testLabel.Type} but the training data's is {label.Type}; they must be the same key type.");
        var realCounts = AugmentationCatalog.CountClasses(realTrain, label);
        var syntheticOnlyCounts = options.SyntheticOnlyRowsPerClass is { } perClass ? SyntheticCounts.PerClass(perClass, realCounts.Length) : realCounts;

        var results = new Dictionary<AugmentationArm, (List<double> Micro, List<double> Macro, long Rows)>();
        foreach (var arm in Enum.GetValues<AugmentationArm>()) results[arm] = ([], [], 0);
        foreach (var seed in options.Seeds)
        {
            var ml = new MLContext(seed: seed);
            long syntheticSeed = unchecked(options.SyntheticSeed + seed);
            var augmentation = new AugmentationOptions
            {
                ImageColumnName = options.ImageColumnName,
                LabelColumnName = options.LabelColumnName,
                SeedColumnName = options.SeedColumnName,
                SyntheticRatio = options.SyntheticRatio,
                Seed = syntheticSeed,
            };
            var training = new Dictionary<AugmentationArm, IDataView>
            {
                [AugmentationArm.Real] = realTrain,
                [AugmentationArm.RealPlusSynthetic] = ml.Data.Augment(realTrain, generator, augmentation),
                [AugmentationArm.SyntheticOnly] = SyntheticOnly(realTrain, generator, augmentation, label, syntheticOnlyCounts),
            };
            foreach (var (arm, data) in training)
            {
                var (micro, macro, rows) = TrainAndTest(ml, arm, seed, options.CacheTrainingData ? ml.Data.Cache(data) : data, realTest, options);
                var r = results[arm];
                r.Micro.Add(micro);
                r.Macro.Add(macro);
                results[arm] = (r.Micro, r.Macro, rows);
            }
        }
        AugmentationArmScores Scores(AugmentationArm arm) => new(arm, [.. options.Seeds], results[arm].Micro, results[arm].Macro, results[arm].Rows);
        return new AugmentationReport(Scores(AugmentationArm.Real), Scores(AugmentationArm.RealPlusSynthetic), Scores(AugmentationArm.SyntheticOnly));
    }

    /// <summary>sqrt(sum (x_i - mean)^2 / (n - 1)); 0 for fewer than two values.</summary>
    internal static double SampleStandardDeviation(IReadOnlyList<double> values)
    {
        if (values.Count < 2) return 0;
        double mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
    }

    /// <summary>The synthetic-only training rows: <see cref="AugmentationCatalog.Augment(DataOperationsCatalog, IDataView, ITransformer, AugmentationOptions)"/>'s view over none of the real rows, <paramref name="counts"/> synthetic rows per class.</summary>
    private static IDataView SyntheticOnly(IDataView realTrain, ITransformer generator, AugmentationOptions o, DataViewSchema.Column label, long[] counts)
    {
        var noReal = RowsPerClassDataView.None(realTrain);
        return AugmentationCatalog.Build(noReal, noReal.Schema[o.ImageColumnName], noReal.Schema[label.Name], generator, o, counts);
    }

    private static (double Micro, double Macro, long Rows) TrainAndTest(MLContext ml, AugmentationArm arm, int seed, IDataView train, IDataView test, AugmentationEvaluationOptions o)
    {
        var estimator = o.ClassifierFactory?.Invoke(ml, arm, seed) ?? PixelClassifiers.Create(ml, o.Classifier, o.LabelColumnName, o.ImageColumnName, seed);
        try
        {
            long rows = train.GetRowCount() ?? train.GetColumn<uint>(o.LabelColumnName).LongCount();
            var model = estimator.Fit(train);
            try
            {
                var metrics = ml.MulticlassClassification.Evaluate(model.Transform(test), o.LabelColumnName);
                return (metrics.MicroAccuracy, metrics.MacroAccuracy, rows);
            }
            finally
            {
                (model as IDisposable)?.Dispose();
            }
        }
        finally
        {
            (estimator as IDisposable)?.Dispose();
        }
    }
}
