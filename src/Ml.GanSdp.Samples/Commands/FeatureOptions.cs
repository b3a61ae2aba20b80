using System.CommandLine;
using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.GanSdp.Metrics;
using static TorchSharp.torch;

namespace Ml.GanSdp.Samples.Commands;

/// <summary>The feature space of a Frechet distance and what it needs: Inception weights, or a domain classifier (given or trained on the data).</summary>
/// <param name="Space">ResNet18, Inception (FID) or DomainClassifier (Auto resolves by the weights).</param>
/// <param name="Weights">pytorch-fid's Inception weights.</param>
/// <param name="Classifier">A saved domain classifier (.npz); null: one is trained on the real data.</param>
public sealed record FeatureSpec(GenerativeFeatureSpace Space, string? Weights, string? Classifier)
{
    /// <summary>The space <see cref="Space"/> resolves to (Auto: Inception with weights, else ResNet18).</summary>
    public GenerativeFeatureSpace Resolved => Space != GenerativeFeatureSpace.Auto ? Space : Weights is not null ? GenerativeFeatureSpace.Inception : GenerativeFeatureSpace.ResNet18;

    /// <summary>The report name of the distance: "FID" (Inception only), "FD (ResNet18)", "FD (classifier)".</summary>
    public string DistanceName => GenerativeCatalog.DistanceNameOf(Resolved);

    /// <summary>Checks the combination and the files before anything is computed (a usage error names the option).</summary>
    public void Check(string prefix)
    {
        if (Resolved == GenerativeFeatureSpace.Inception && Weights is null)
            throw new UsageException($"--{prefix}features inception (FID) needs --{prefix}weights: pytorch-fid's pt_inception-2015-12-05-6726825d.pth (none ship with this library).");
        if (Weights is not null && Resolved != GenerativeFeatureSpace.Inception) throw new UsageException($"--{prefix}weights applies to --{prefix}features inception only.");
        if (Classifier is not null && Resolved != GenerativeFeatureSpace.DomainClassifier) throw new UsageException($"--{prefix}classifier applies to --{prefix}features domain-classifier only.");
        if (Weights is not null && !File.Exists(Weights)) throw new UsageException($"--{prefix}weights '{Weights}' does not exist.");
        if (Classifier is not null && !File.Exists(Classifier)) throw new UsageException($"--{prefix}classifier '{Classifier}' does not exist.");
    }
}

/// <summary>The feature-space options of <c>fid</c>, <c>fid stats</c> and <c>train</c>'s FD curve (with a prefix there).</summary>
internal sealed class FeatureOptions(string prefix)
{
    public Option<GenerativeFeatureSpace> Features { get; } = new($"--{prefix}features")
    {
        Description = "feature space: auto (inception with weights, else resnet18), resnet18 (FD (ResNet18)), inception (FID, needs weights), domain-classifier (FD (classifier))",
        HelpName = "auto|resnet18|inception|domain-classifier",
        DefaultValueFactory = _ => GenerativeFeatureSpace.Auto,
        CustomParser = r => ParseSpace(r, $"--{prefix}features"),
    };
    public Option<string?> Weights { get; } = new($"--{prefix}weights") { Description = "pytorch-fid's Inception weights (pt_inception-2015-12-05-6726825d.pth): the distance is then the FID" };
    public Option<string?> Classifier { get; } = new($"--{prefix}classifier") { Description = "a saved domain classifier (.npz) for domain-classifier features; default: one is trained on the real data" };

    public Option[] All => [Features, Weights, Classifier];

    public FeatureSpec Spec(ParseResult p)
    {
        var spec = new FeatureSpec(p.GetValue(Features), p.GetValue(Weights), p.GetValue(Classifier));
        spec.Check(prefix);
        return spec;
    }

    private static GenerativeFeatureSpace ParseSpace(System.CommandLine.Parsing.ArgumentResult r, string name)
    {
        var text = r.Tokens.Count > 0 ? r.Tokens[^1].Value : "";
        if (string.Equals(text, "classifier", StringComparison.OrdinalIgnoreCase)) return GenerativeFeatureSpace.DomainClassifier;
        foreach (var v in Enum.GetValues<GenerativeFeatureSpace>())
            if (string.Equals(Opt.Kebab(v), text, StringComparison.OrdinalIgnoreCase) || string.Equals(v.ToString(), text, StringComparison.OrdinalIgnoreCase)) return v;
        r.AddError($"{name}: unknown feature space '{text}'; use auto, resnet18, inception or domain-classifier.");
        return default;
    }
}

/// <summary>Featurizing for Frechet distances: evaluation options, domain classifiers, samples of real data, generated images as data.</summary>
internal static class Features
{
    /// <summary>Rows a domain classifier is trained on at most (the rest of the data is not read for it).</summary>
    public const int ClassifierRows = 10_000;

    /// <summary>The library's evaluation options for <paramref name="spec"/> (<paramref name="classifier"/> for domain-classifier features).</summary>
    public static GenerativeEvaluationOptions Options(FeatureSpec spec, DomainClassifier? classifier, string imageColumn = LoadedData.ImageColumn, string? generatedImageColumn = null) => new()
    {
        ImageColumnName = imageColumn,
        GeneratedImageColumnName = generatedImageColumn,
        FeatureSpace = spec.Resolved,
        InceptionWeightsPath = spec.Weights,
        DomainClassifier = classifier,
    };

    /// <summary>
    /// The domain classifier of <paramref name="spec"/>: loaded from its file, or trained (3 epochs, Adam, seed 0) on up to
    /// <see cref="ClassifierRows"/> labelled rows of <paramref name="data"/> minus a held-out tenth whose accuracy is
    /// reported; null for other feature spaces.
    /// </summary>
    public static DomainClassifier? Classifier(MLContext ml, FeatureSpec spec, LoadedData data, CliConsole console)
    {
        if (spec.Resolved != GenerativeFeatureSpace.DomainClassifier) return null;
        if (spec.Classifier is not null) return LoadClassifier(spec, data.Shape);
        if (!data.HasLabels) throw new UsageException($"Domain-classifier features are learned from labels; {data.Description} has none (give a trained classifier, or use resnet18 features).");
        if (data.Shape.Height != data.Shape.Width || data.Shape.Height % 4 != 0)
            throw new UsageException($"The domain classifier needs square images whose side is a multiple of 4; the data's are {data.Shape}.");
        var (images, labels) = ReadRows(Sample(ml, data, ClassifierRows));
        int n = labels.Length, size = (int)data.Shape.Size;
        if (n < 10) throw new UsageException($"{data.Description} has {n} labelled rows; a domain classifier needs at least 10.");
        // every tenth row is held out (the rows may be sorted by class)
        var trainRows = Enumerable.Range(0, n).Where(i => i % 10 != 9).ToArray();
        var testRows = Enumerable.Range(0, n).Where(i => i % 10 == 9).ToArray();
        var classifier = new DomainClassifier(data.Shape.Channels, data.Shape.Height, data.ClassNames.Count);
        using (var xTrain = tensor(Gather(images, trainRows, size), [trainRows.Length, data.Shape.Channels, data.Shape.Height, data.Shape.Width]))
        using (var yTrain = tensor(trainRows.Select(i => labels[i]).ToArray()))
        using (var xTest = tensor(Gather(images, testRows, size), [testRows.Length, data.Shape.Channels, data.Shape.Height, data.Shape.Width]))
        using (var yTest = tensor(testRows.Select(i => labels[i]).ToArray()))
        {
            classifier.Train(xTrain, yTrain);
            double accuracy = classifier.Evaluate(xTest, yTest);
            console.Line(FormattableString.Invariant($"Domain classifier {classifier.ExtractorName} trained on {trainRows.Length} rows of {data.Description}: held-out accuracy {accuracy:P1} on {testRows.Length} rows (FD (classifier) values compare only under these weights)."));
        }
        return classifier;
    }

    /// <summary>
    /// The saved domain classifier of <paramref name="spec"/> for images of <paramref name="shape"/> (null for other feature
    /// spaces); precomputed statistics need the weights they were computed with, so none is trained here.
    /// </summary>
    public static DomainClassifier? LoadClassifier(FeatureSpec spec, ImageShape shape)
    {
        if (spec.Resolved != GenerativeFeatureSpace.DomainClassifier) return null;
        var path = spec.Classifier ?? throw new UsageException("Domain-classifier features against precomputed statistics need --classifier: the classifier those statistics were computed with.");
        var loaded = DomainClassifier.Load(path);
        if (loaded.Channels != shape.Channels || loaded.ImageSize != shape.Height || shape.Height != shape.Width)
            throw new InvalidDataException($"The domain classifier '{path}' takes {loaded.Channels} x {loaded.ImageSize} x {loaded.ImageSize} images; the images are {shape}.");
        return loaded;
    }

    private static float[] Gather(float[] images, int[] rows, int size)
    {
        var result = new float[rows.Length * size];
        for (int i = 0; i < rows.Length; i++) Array.Copy(images, (long)rows[i] * size, result, (long)i * size, size);
        return result;
    }

    /// <summary>The labelled rows of <paramref name="view"/> as [0, 1] pixels and 0-based classes.</summary>
    private static (float[] Images, long[] Labels) ReadRows(IDataView view)
    {
        var image = view.Schema[LoadedData.ImageColumn];
        var label = view.Schema[LoadedData.LabelColumn];
        using var cursor = view.GetRowCursor([image, label]);
        var getImage = cursor.GetGetter<VBuffer<float>>(image);
        var getLabel = cursor.GetGetter<uint>(label);
        var pixels = new List<float>();
        var labels = new List<long>();
        VBuffer<float> buffer = default;
        uint key = 0;
        while (cursor.MoveNext())
        {
            getLabel(ref key);
            if (key == 0) continue;
            getImage(ref buffer);
            foreach (var v in buffer.DenseValues()) pixels.Add(v / 255f);
            labels.Add(key - 1);
        }
        return ([.. pixels], [.. labels]);
    }

    /// <summary>
    /// At most <paramref name="count"/> rows of the real data: a stratified random subset (the same number of every class,
    /// <c>TakeRowsPerClass</c>, seed 0) when labelled and larger, so a class-sorted folder is sampled evenly; else the first rows.
    /// </summary>
    public static IDataView Sample(MLContext ml, LoadedData data, long count)
    {
        long rows = data.View.GetRowCount() ?? long.MaxValue;
        if (rows <= count) return data.View;
        if (data.HasLabels && count >= data.ClassNames.Count)
            return ml.Data.TakeRowsPerClass(data.View, (int)Math.Min(int.MaxValue, count / data.ClassNames.Count), seed: 0);
        return ml.Data.TakeRows(data.View, count);
    }

    /// <summary>Images (N x C x H x W, 0..255) as a data view with column Image of <paramref name="shape"/>.</summary>
    public static IDataView ImagesView(MLContext ml, float[] images, ImageShape shape)
    {
        int size = (int)shape.Size;
        var definition = SchemaDefinition.Create(typeof(ImageRow));
        definition[nameof(ImageRow.Image)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, shape.Channels, shape.Height, shape.Width);
        var rows = Enumerable.Range(0, images.Length / size).Select(i => new ImageRow { Image = images.AsSpan(i * size, size).ToArray() });
        return ml.Data.LoadFromEnumerable(rows, definition);
    }

    /// <summary>One image row.</summary>
    public sealed class ImageRow
    {
        /// <summary>The pixels.</summary>
        public float[] Image { get; set; } = [];
    }
}
