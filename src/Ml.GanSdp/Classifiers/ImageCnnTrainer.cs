using Microsoft.ML.Transforms.Onnx;
using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.GanSdp.Metrics;
using Ml.GanSdp.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp;

/// <summary>
/// The library's CNN classifier (<see cref="DomainClassifier"/>'s network) as an ML.NET multiclass trainer. Fit reads the
/// pixel and label columns into memory, trains the network with TorchSharp (Adam on cross-entropy, shuffled mini-batches,
/// seeded), exports it to ONNX and returns a chain of ML.NET's own transformers, so the model saves and loads with
/// <c>mlContext.Model.Save</c>/<c>Load</c> and scores without TorchSharp:
/// <list type="number">
/// <item><c>OnnxTransformer</c> (the one-row view of the exported network): the feature column to class probabilities
/// (softmax) and the one-hot vector of their argmax (ties to the lower class);</item>
/// <item>a <c>MulticlassPredictionTransformer</c> of ML.NET's <c>NaiveBayes</c>, fitted on the K one-hot rows
/// (<see cref="ClassOneHotDataView"/>): it turns the one-hot vector into the scalar key column <c>PredictedLabel</c>
/// with the label's key type and key values. (ML.NET 5.0.1's OnnxTransformer cannot output a scalar: its getter for a
/// rank-0 output throws; and no other built-in transform makes a scalar out of a one-slot vector.) For input e_k,
/// NaiveBayes with one training row per class scores class k at log(1/K) + A + log 2 and every other class at
/// log(1/K) + A - log 2 (A the same for all), so it predicts k exactly;</item>
/// <item><c>CopyColumns</c>: <c>Score</c> = the probabilities (replacing NaiveBayes' own scores);</item>
/// <item><c>DropColumns</c> of the two intermediate columns.</item>
/// </list>
/// Output columns, as ML.NET's multiclass trainers name them: <c>Score</c> (Single vector, K probabilities) and
/// <c>PredictedLabel</c> (the label's key type), so <c>MulticlassClassification.Evaluate</c> and <c>MapKeyToValue</c> work.
/// </summary>
/// <remarks>
/// <para>Files: each fitted model's ONNX file lives in a folder of its own (<see cref="OnnxModelFolder"/>, under
/// <see cref="ImageCnnOptions.TempFolder"/>): ML.NET's OnnxTransformer reads it while it lives and at every Save.
/// <see cref="Dispose"/> disposes every model this trainer fitted and deletes their folders; folders of trainers never
/// disposed are deleted at process exit. Models loaded with <c>mlContext.Model.Load</c> carry their own copy.</para>
/// <para>Threads: Fit may be called from one thread at a time per trainer (TorchSharp training uses libtorch's intra-op
/// threads, one on machines with at most two cores, see <see cref="TorchThreads"/>); a fitted model may transform from
/// several threads at once.</para>
/// </remarks>
public sealed class ImageCnnTrainer : IEstimator<TransformerChain<ITransformer>>, IDisposable
{
    /// <summary>The ONNX file's name in each model folder.</summary>
    public const string ModelFileName = "image-cnn.onnx";

    internal const string ProbabilitiesColumnName = "ImageCnn.Probabilities";
    internal const string OneHotColumnName = "ImageCnn.PredictedOneHot";

    /// <summary>The output column of class probabilities (as ML.NET's trainers name it).</summary>
    public const string ScoreColumnName = "Score";

    /// <summary>The output key column of the predicted class (as ML.NET's trainers name it).</summary>
    public const string PredictedLabelColumnName = "PredictedLabel";

    /// <summary>DomainClassifier's constructor seeds and restores libtorch's global generator: constructions must not overlap.</summary>
    private static readonly object NetworkConstruction = new();

    private readonly object _gate = new();
    private readonly List<(OnnxModelFolder Folder, TransformerChain<ITransformer> Model)> _fitted = [];
    private bool _disposed;

    internal ImageCnnTrainer(ImageCnnOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options with { ImageDimensions = options.ImageDimensions is { } d ? [.. d] : null };
    }

    /// <summary>Test seam: called with the trained network (and the fitted data's dimensions) before it is exported and disposed.</summary>
    internal Action<DomainClassifier>? NetworkTrained { get; set; }

    /// <summary>The options this trainer was made with.</summary>
    public ImageCnnOptions Options { get; }

    /// <summary>The model folders of the models fitted so far (each deleted by <see cref="Dispose"/>).</summary>
    public IReadOnlyList<string> ModelFolders { get { lock (_gate) return _fitted.Select(f => f.Folder.Folder).ToArray(); } }

    /// <summary>
    /// The input's columns plus <c>Score</c> (Single vector) and <c>PredictedLabel</c> (key, with the label's key values),
    /// as ML.NET's own multiclass trainers declare them (taken from NaiveBayes' <c>GetOutputSchema</c>).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The feature or label column is missing or of the wrong kind.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var o = Options;
        var feature = inputSchema.FirstOrDefault(c => c.Name == o.FeatureColumnName);
        if (feature.Name is null) throw Missing(o.FeatureColumnName, "feature", inputSchema.Select(c => c.Name));
        if (feature.Kind != SchemaShape.Column.VectorKind.Vector || feature.IsKey || feature.ItemType != NumberDataViewType.Single)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"The image CNN's feature column '{o.FeatureColumnName}' is {feature.Kind} of {feature.ItemType}; it must be a known-size vector of Single (pixels C x H x W).");
        var label = inputSchema.FirstOrDefault(c => c.Name == o.LabelColumnName);
        if (label.Name is null) throw Missing(o.LabelColumnName, "label", inputSchema.Select(c => c.Name));
        if (label.Kind != SchemaShape.Column.VectorKind.Scalar || !label.IsKey || label.ItemType.RawType != typeof(uint))
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"The image CNN's label column '{o.LabelColumnName}' is {label.Kind} of {(label.IsKey ? "key " : "")}{label.ItemType}; it must be a scalar key of UInt32 (e.g. from MapValueToKey).");
        return new MLContext().MulticlassClassification.Trainers.NaiveBayes(o.LabelColumnName, o.FeatureColumnName).GetOutputSchema(inputSchema);
    }

    /// <summary>Trains the CNN on <paramref name="input"/> and returns the chain of built-in transformers described above.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or of the wrong type (the message names it, its type and what is needed).</exception>
    /// <exception cref="InvalidDataException">A pixel is NaN or infinite (row and column named), or no row has a label.</exception>
    public TransformerChain<ITransformer> Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var o = Options;
        var (feature, label, dims) = CheckInput(input.Schema);
        int classes = (int)((KeyDataViewType)label.Type).Count;
        var (pixels, labels) = ReadRows(input, feature, label, dims);
        byte[] onnx;
        TorchThreads.EnsureDefault();
        DomainClassifier network;
        lock (NetworkConstruction) network = new DomainClassifier(dims[0], dims[1], classes, o.FeatureDimension, o.Seed);
        using (var net = network)
        {
            using (var scope = NewDisposeScope())
            {
                var raw = torch.tensor(pixels, [labels.Length, dims[0], dims[1], dims[2]]);
                var images = (raw - o.MinPixelValue) / (o.MaxPixelValue - o.MinPixelValue);
                net.Train(images, torch.tensor(labels), new DomainClassifierTrainingOptions { Epochs = o.Epochs, BatchSize = o.BatchSize, LearningRate = o.LearningRate, Seed = o.Seed });
            }
            NetworkTrained?.Invoke(net);
            onnx = DomainClassifierExporter.Build(net, Layout(o, singleRow: true));
        }

        var folder = new OnnxModelFolder(o.TempFolder, ModelFileName, onnx);
        try
        {
            var model = BuildChain(input, folder.ModelPath, label);
            lock (_gate)
            {
                if (_disposed) { (model as IDisposable).Dispose(); throw new ObjectDisposedException(nameof(ImageCnnTrainer)); }
                _fitted.Add((folder, model));
            }
            return model;
        }
        catch
        {
            folder.Dispose();
            throw;
        }
    }

    /// <summary>Disposes every model this trainer fitted (their ONNX Runtime sessions) and deletes their folders. The models cannot be used or saved afterwards.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            foreach (var (folder, model) in _fitted)
            {
                model.Dispose();
                folder.Dispose();
            }
            _fitted.Clear();
        }
    }

    internal static DomainClassifierOnnxLayout Layout(ImageCnnOptions o, bool singleRow)
        => new(o.FeatureColumnName, o.MinPixelValue, o.MaxPixelValue, singleRow, ProbabilitiesColumnName, OneHotColumnName);

    /// <summary>ONNX scorer, NaiveBayes key mapper, Score copy, intermediate columns dropped; each stage fitted on the previous stage's output schema.</summary>
    private TransformerChain<ITransformer> BuildChain(IDataView input, string modelPath, DataViewSchema.Column label)
    {
        // The trainers' catalog does not expose its MLContext publicly; the built-in stages need no state from it.
        var ml = new MLContext(seed: 0);
        var onnx = ml.Transforms.ApplyOnnxModel(OnnxRuntimeThreads.SessionOptions(modelPath, [Options.FeatureColumnName], [ProbabilitiesColumnName, OneHotColumnName])).Fit(input);
        try
        {
            var scored = onnx.Transform(input);
            var keys = ml.MulticlassClassification.Trainers.NaiveBayes("Label", OneHotColumnName).Fit(new ClassOneHotDataView(label, "Label", OneHotColumnName));
            var predicted = keys.Transform(scored);
            var copy = ml.Transforms.CopyColumns(ScoreColumnName, ProbabilitiesColumnName).Fit(predicted);
            var drop = ml.Transforms.DropColumns(ProbabilitiesColumnName, OneHotColumnName).Fit(copy.Transform(predicted));
            return new TransformerChain<ITransformer>(onnx, keys, copy, drop);
        }
        catch
        {
            onnx.Dispose();
            throw;
        }
    }

    private (DataViewSchema.Column Feature, DataViewSchema.Column Label, int[] Dims) CheckInput(DataViewSchema schema)
    {
        var o = Options;
        foreach (var reserved in new[] { ProbabilitiesColumnName, OneHotColumnName })
            if (schema.GetColumnOrNull(reserved) is not null)
                throw new ArgumentOutOfRangeException(nameof(schema), $"The input has a column '{reserved}', a name the image CNN uses for an intermediate column; rename it.");
        var feature = schema.GetColumnOrNull(o.FeatureColumnName) ?? throw Missing(o.FeatureColumnName, "feature", schema.Select(c => c.Name));
        if (feature.Type is not VectorDataViewType { IsKnownSize: true } vector || vector.ItemType != NumberDataViewType.Single)
            throw new ArgumentOutOfRangeException(nameof(schema), $"The image CNN's feature column '{feature.Name}' is {feature.Type}; it must be a known-size vector of Single (pixels C x H x W, e.g. from ExtractPixels or a data source).");
        int[] dims = o.ImageDimensions ?? (vector.Dimensions.Length == 3 ? [.. vector.Dimensions] : throw new ArgumentOutOfRangeException(nameof(schema),
            $"The image CNN's feature column '{feature.Name}' is {feature.Type}, without [C, H, W] dimensions; set ImageCnnOptions.ImageDimensions."));
        CheckImageDimensions(dims, $"The image CNN's feature column '{feature.Name}' ({feature.Type})");
        if ((long)dims[0] * dims[1] * dims[2] != vector.Size)
            throw new ArgumentOutOfRangeException(nameof(schema), $"ImageCnnOptions.ImageDimensions [{string.Join(", ", dims)}] hold {(long)dims[0] * dims[1] * dims[2]} values but the feature column '{feature.Name}' ({feature.Type}) has {vector.Size}.");
        var label = schema.GetColumnOrNull(o.LabelColumnName) ?? throw Missing(o.LabelColumnName, "label", schema.Select(c => c.Name));
        if (label.Type is not KeyDataViewType key || key.RawType != typeof(uint) || key.Count < 2 || key.Count > ImageCnnOptions.MaxClasses)
            throw new ArgumentOutOfRangeException(nameof(schema), $"The image CNN's label column '{label.Name}' is {label.Type}; it must be a key of UInt32 with 2 to {ImageCnnOptions.MaxClasses} classes (e.g. from MapValueToKey).");
        return (feature, label, dims);
    }

    /// <summary>[C, H, W] with C in {1, 3} and square images whose side is a positive multiple of 4 (the network's two 2x poolings).</summary>
    internal static void CheckImageDimensions(int[] dims, string what)
    {
        if (dims.Length != 3 || dims[0] is not (1 or 3) || dims[1] != dims[2] || dims[1] < 4 || dims[1] % 4 != 0 || dims[1] > 4096)
            throw new ArgumentOutOfRangeException(nameof(dims), $"{what}: image dimensions [{string.Join(", ", dims)}] must be [C, S, S] with C = 1 or 3 and S a multiple of 4 from 4 to 4096 (the CNN pools twice by 2).");
    }

    /// <summary>Every labelled row's pixels (row-major [N, C x H x W]) and 0-based class; rows whose label is missing (key 0) are skipped.</summary>
    private (float[] Pixels, long[] Labels) ReadRows(IDataView input, DataViewSchema.Column feature, DataViewSchema.Column label, int[] dims)
    {
        int size = dims[0] * dims[1] * dims[2];
        var pixels = new List<float[]>();
        var labels = new List<long>();
        uint classes = (uint)((KeyDataViewType)label.Type).Count;
        using (var cursor = input.GetRowCursor([feature, label]))
        {
            var getPixels = cursor.GetGetter<VBuffer<float>>(feature);
            var getLabel = cursor.GetGetter<uint>(label);
            VBuffer<float> buffer = default;
            uint key = 0;
            while (cursor.MoveNext())
            {
                getLabel(ref key);
                if (key == 0) continue;
                if (key > classes) throw new InvalidDataException($"Row {cursor.Position}: label key {key} of column '{label.Name}' is beyond its {classes} classes.");
                getPixels(ref buffer);
                var row = new float[size];
                buffer.CopyTo(row);
                for (int i = 0; i < size; i++)
                    if (!float.IsFinite(row[i]))
                        throw new InvalidDataException($"Row {cursor.Position}: pixel {i} of column '{feature.Name}' is {row[i]}; the image CNN needs finite pixel values.");
                if ((long)(pixels.Count + 1) * size > Array.MaxLength)
                    throw new InvalidDataException($"The training data has more than {Array.MaxLength / size} labelled rows of {size} pixels; the image CNN holds its training data in one array.");
                pixels.Add(row);
                labels.Add(key - 1);
            }
        }
        if (labels.Count == 0) throw new InvalidDataException($"No training row has a label in column '{label.Name}' (all keys are missing or there are no rows).");
        var flat = new float[labels.Count * size];
        for (int r = 0; r < pixels.Count; r++) pixels[r].CopyTo(flat, r * size);
        return (flat, labels.ToArray());
    }

    private static ArgumentOutOfRangeException Missing(string name, string role, IEnumerable<string> present)
        => new("inputSchema", $"The image CNN's {role} column '{name}' is not in the input; its columns are {string.Join(", ", present.Distinct().Select(n => $"'{n}'"))}.");
}
