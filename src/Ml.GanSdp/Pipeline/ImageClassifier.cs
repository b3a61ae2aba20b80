using Ml.GanSdp.Data;
using Ml.GanSdp.Modules;
using static Ml.GanSdp.torch;

namespace Ml.GanSdp.Pipeline;

/// <summary>Options of <see cref="ImageClassifierTrainer"/>.</summary>
public sealed record ImageClassifierOptions
{
    /// <summary>The key column to predict; default "Label".</summary>
    public string LabelColumnName { get; init; } = "Label";
    /// <summary>The image column (fixed size); default "Image".</summary>
    public string ImageColumnName { get; init; } = "Image";
    /// <summary>The key column added with the predicted class; default "PredictedLabel".</summary>
    public string PredictedLabelColumnName { get; init; } = "PredictedLabel";
    /// <summary>The K-vector column added with the class probabilities; default "Score".</summary>
    public string ScoreColumnName { get; init; } = "Score";
    /// <summary>Passes over the training rows; default 3.</summary>
    public int Epochs { get; init; } = 3;
    /// <summary>Rows per step; default 64.</summary>
    public int BatchSize { get; init; } = 64;
    /// <summary>Adam's learning rate; default 1e-3.</summary>
    public double LearningRate { get; init; } = 1e-3;
    /// <summary>Channels of the first conv (the second has twice as many); default 32.</summary>
    public int Width { get; init; } = 32;
    /// <summary>Seed of the initial weights and the shuffles.</summary>
    public long Seed { get; init; }
    /// <summary>Use only the first rows (all when null).</summary>
    public long? MaxRows { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (Epochs < 1) throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, "ImageClassifierOptions.Epochs must be at least 1.");
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "ImageClassifierOptions.BatchSize must be at least 1.");
        if (!(LearningRate > 0)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "ImageClassifierOptions.LearningRate must be positive.");
        if (Width < 1) throw new ArgumentOutOfRangeException(nameof(Width), Width, "ImageClassifierOptions.Width must be at least 1.");
        if (MaxRows is < 1) throw new ArgumentOutOfRangeException(nameof(MaxRows), MaxRows, "ImageClassifierOptions.MaxRows must be positive.");
    }
}

/// <summary>
/// Trains a small CNN classifier on an image column (downstream evaluation of synthetic data): conv 4x4/2 (Width) -
/// LeakyReLU(0.2) - conv 4x4/2 (2 Width) - LeakyReLU(0.2) - flatten - linear to K classes, cross-entropy, Adam.
/// The rows are read into memory once (float32 in [-1, 1]) and shuffled per epoch with seed + epoch.
/// </summary>
public sealed class ImageClassifierTrainer : IEstimator<ImageClassifierTransformer>
{
    internal ImageClassifierTrainer(ImageClassifierOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
    }

    /// <summary>The options.</summary>
    public ImageClassifierOptions Options { get; }

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => ImageClassifierTransformer.OutputSchema(inputSchema, Options, null);

    /// <summary>Trains the classifier.</summary>
    public ImageClassifierTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(input.Schema);
        var img = ImageData.RequireImage(input.Schema, Options.ImageColumnName, "TrainImageClassifier");
        var classNames = ImageData.RequireKey(input.Schema, Options.LabelColumnName, "TrainImageClassifier");
        var (x, y) = ImageData.Read(input, Options.ImageColumnName, Options.LabelColumnName, Options.MaxRows, "TrainImageClassifier");
        using (x)
        using (y)
        {
            manual_seed(Options.Seed);
            var net = ImageClassifierTransformer.BuildNetwork(img, classNames.Count, Options.Width);
            try
            {
                using var opt = optim.Adam(net.parameters(), Options.LearningRate);
                long n = x.size(0);
                net.train();
                for (int epoch = 0; epoch < Options.Epochs; epoch++)
                {
                    var perm = RandomAccessDataView.Permutation(n, Options.Seed + epoch);
                    for (long i = 0; i < n; i += Options.BatchSize)
                    {
                        using var scope = NewDisposeScope();
                        var idx = tensor(perm[(int)i..(int)Math.Min(n, i + Options.BatchSize)]);
                        var logits = net.forward(x.index_select(0, idx));
                        var loss = nn.functional.cross_entropy(logits, y!.index_select(0, idx));
                        opt.zero_grad();
                        loss.backward();
                        opt.step();
                    }
                }
                net.eval();
                return new ImageClassifierTransformer(net, img, classNames, Options);
            }
            catch
            {
                net.Dispose();
                throw;
            }
        }
    }
}

/// <summary>
/// The fitted classifier: adds <see cref="ImageClassifierOptions.PredictedLabelColumnName"/> (a key with the class names)
/// and <see cref="ImageClassifierOptions.ScoreColumnName"/> (softmax probabilities, K floats) to each row, lazily per batch.
/// </summary>
public sealed class ImageClassifierTransformer : ITransformer, IDisposable
{
    private readonly Sequential _net;
    private readonly ImageDataViewType _imageType;

    internal ImageClassifierTransformer(Sequential net, ImageDataViewType imageType, IReadOnlyList<string> classNames, ImageClassifierOptions options)
    {
        _net = net;
        _imageType = imageType;
        ClassNames = classNames;
        Options = options;
    }

    /// <summary>The class names (index = key).</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>The options it was trained with.</summary>
    public ImageClassifierOptions Options { get; }

    /// <summary>The network.</summary>
    public nn.Module Network => _net;

    internal static Sequential BuildNetwork(ImageDataViewType img, int classes, int width)
    {
        static long Down(long s) => (s + 2 - 4) / 2 + 1;
        long h = Down(Down(img.Height)), w = Down(Down(img.Width));
        if (h < 1 || w < 1) throw new ArgumentException($"TrainImageClassifier needs images of at least 4 x 4 pixels; got {img}.");
        return new Sequential(
            nn.Conv2d(img.Channels, width, 4, 2, 1), nn.LeakyReLU(0.2),
            nn.Conv2d(width, 2 * width, 4, 2, 1), nn.LeakyReLU(0.2),
            nn.Flatten(), nn.Linear(2 * width * h * w, classes));
    }

    internal static DataViewSchema OutputSchema(DataViewSchema input, ImageClassifierOptions o, IReadOnlyList<string>? classNames)
    {
        ArgumentNullException.ThrowIfNull(input);
        ImageData.RequireImage(input, o.ImageColumnName, "TrainImageClassifier");
        var names = classNames ?? ImageData.RequireKey(input, o.LabelColumnName, "TrainImageClassifier");
        return input.WithColumn(o.PredictedLabelColumnName, new KeyDataViewType(names.Count), names)
                    .WithColumn(o.ScoreColumnName, new TensorDataViewType(ScalarType.Float32, names.Count));
    }

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        var s = OutputSchema(inputSchema, Options, ClassNames);
        var t = ImageData.RequireImage(inputSchema, Options.ImageColumnName, "ImageClassifier");
        if (t.Channels != _imageType.Channels || t.Height != _imageType.Height || t.Width != _imageType.Width)
            throw new SchemaException(Options.ImageColumnName, $"Column '{Options.ImageColumnName}' has type {t} but the classifier was trained on {_imageType}. The schema has {inputSchema.Describe()}.");
        return s;
    }

    /// <inheritdoc/>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new PredictionView(input, this);
    }

    /// <summary>Class probabilities (N x K) of float32 images in [-1, 1]; the caller owns the result.</summary>
    public Tensor PredictProbabilities(Tensor images)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        return _net.forward(images).softmax(1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The classifier's features: the second conv block's output averaged over space (N x 2 Width)
    /// of float32 images in [-1, 1], for a Frechet distance in the classifier's feature space; the caller owns the result.
    /// </summary>
    public Tensor Features(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var x = images;
        for (int i = 0; i < 4; i++) x = _net.Layers[i].forward(x);
        return x.mean(new long[] { 2, 3 }).MoveToOuterDisposeScope();
    }

    private sealed class PredictionView : DataViewTransform
    {
        private readonly ImageClassifierTransformer _owner;
        private readonly ImageDataViewType _inType;

        public PredictionView(IDataView input, ImageClassifierTransformer owner) : base(input)
        {
            _owner = owner;
            SetSchema(owner.GetOutputSchema(input.Schema));
            _inType = (ImageDataViewType)input.Schema[owner.Options.ImageColumnName].Type;
        }

        public override void Apply(DataBatch batch)
        {
            using var scope = NewDisposeScope();
            var x = ImageData.ToMinusOneToOne(batch.GetTensor(_owner.Options.ImageColumnName), _inType);
            var p = _owner.PredictProbabilities(x);
            batch.SetTensor(_owner.Options.PredictedLabelColumnName, p.argmax(1).to(ScalarType.Int64));
            batch.SetTensor(_owner.Options.ScoreColumnName, p);
            batch.Rebind(Schema);
        }
    }

    /// <summary>Frees the network.</summary>
    public void Dispose() => _net.Dispose();
}

/// <summary>Accuracy of a classifier (ML.NET's <c>MulticlassClassificationMetrics</c>).</summary>
/// <param name="MicroAccuracy">Correct rows / rows.</param>
/// <param name="MacroAccuracy">Mean over classes of the per-class accuracy (recall).</param>
/// <param name="PerClassAccuracy">Per class: correct rows of the class / rows of the class (NaN when it has none).</param>
/// <param name="ConfusionMatrix">[true class][predicted class] counts.</param>
/// <param name="ClassNames">The class names.</param>
/// <param name="RowCount">Rows evaluated.</param>
public sealed record MulticlassClassificationMetrics(double MicroAccuracy, double MacroAccuracy, IReadOnlyList<double> PerClassAccuracy,
    IReadOnlyList<long[]> ConfusionMatrix, IReadOnlyList<string> ClassNames, long RowCount);

/// <summary><c>TrainImageClassifier</c> on <see cref="GanContext.Transforms"/> and <c>Evaluate</c> on <see cref="GanContext.MulticlassClassification"/>.</summary>
public static class ImageClassifierCatalogExtensions
{
    /// <summary>A small CNN predicting <paramref name="labelColumnName"/> from <paramref name="imageColumnName"/>; the seed is the context's.</summary>
    public static ImageClassifierTrainer TrainImageClassifier(this TransformsCatalog catalog, string labelColumnName = "Label", string imageColumnName = "Image", int epochs = 3)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return TrainImageClassifier(catalog, new ImageClassifierOptions { LabelColumnName = labelColumnName, ImageColumnName = imageColumnName, Epochs = epochs, Seed = catalog.Context.Seed });
    }

    /// <summary>The classifier with all options.</summary>
    public static ImageClassifierTrainer TrainImageClassifier(this TransformsCatalog catalog, ImageClassifierOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new ImageClassifierTrainer(options);
    }

    /// <summary>Accuracy, per-class accuracy and the confusion matrix of scored data (the output of a classifier's Transform).</summary>
    public static MulticlassClassificationMetrics Evaluate(this MulticlassClassificationCatalog catalog, IDataView data, string labelColumnName = "Label",
        string predictedLabelColumnName = "PredictedLabel")
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(data);
        var names = ImageData.RequireKey(data.Schema, labelColumnName, "Evaluate");
        var predNames = ImageData.RequireKey(data.Schema, predictedLabelColumnName, "Evaluate");
        if (predNames.Count != names.Count)
            throw new SchemaException(predictedLabelColumnName, $"Column '{predictedLabelColumnName}' has {predNames.Count} classes but '{labelColumnName}' has {names.Count}. The schema has {data.Schema.Describe()}.");
        int k = names.Count;
        var cm = Enumerable.Range(0, k).Select(_ => new long[k]).ToArray();
        long rows = 0;
        foreach (var batch in data.GetBatches(256))
            using (batch)
            using (var y = batch.GetTensor(labelColumnName).to(ScalarType.Int64))
            using (var p = batch.GetTensor(predictedLabelColumnName).to(ScalarType.Int64))
            {
                var ya = y.ToArray<long>();
                var pa = p.ToArray<long>();
                for (int i = 0; i < ya.Length; i++) cm[ya[i]][pa[i]]++;
                rows += ya.Length;
            }
        if (rows == 0) throw new InvalidOperationException("Evaluate: the data view has no rows.");
        var per = Enumerable.Range(0, k).Select(c => cm[c].Sum() is var t && t > 0 ? (double)cm[c][c] / t : double.NaN).ToArray();
        double micro = (double)Enumerable.Range(0, k).Sum(c => cm[c][c]) / rows;
        var present = per.Where(double.IsFinite).ToArray();
        double macro = present.Length > 0 ? present.Average() : double.NaN;
        return new MulticlassClassificationMetrics(micro, macro, per, cm, names, rows);
    }
}
