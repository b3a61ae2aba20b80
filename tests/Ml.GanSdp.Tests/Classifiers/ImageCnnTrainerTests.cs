using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.GanSdp.Metrics;
using Ml.GanSdp.Tests.Augmentation;
using Ml.GanSdp.Tests.Onnx;
using Ml.GanSdp.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Tests.Classifiers;

/// <summary>
/// <c>mlContext.MulticlassClassification.Trainers.ImageCnn</c> on Fashion-MNIST (3,000 training rows, 2 epochs, 1,000
/// test rows): accuracy above 0.75, ML.NET's scores equal to the trained TorchSharp network's softmax to 1e-5,
/// PredictedLabel = argmax of Score as the label's key (MapKeyToValue gives class names), Evaluate, Save then Load in a
/// fresh process bit-identical, a prediction class with scalar PredictedLabel; plus schema propagation, determinism,
/// temp folders and errors on tiny data.
/// </summary>
[TestClass]
public sealed class ImageCnnTrainerTests
{
    private const int TestRows = 1000;
    private static TempDir _dir = null!;
    private static MLContext _ml = null!;
    private static IDataView _train = null!, _test = null!;
    private static ImageCnnTrainer _trainer = null!;
    private static TransformerChain<ITransformer> _model = null!;
    private static float[] _torchScores = null!;
    private static TimeSpan _fitTime;

    [ClassInitialize]
    public static void TrainOnce(TestContext _)
    {
        if (!File.Exists(Path.Combine(DataSourceCatalog.FashionMnistDirectory, "t10k-labels-idx1-ubyte.gz"))
            && !File.Exists(Path.Combine(DataSourceCatalog.FashionMnistDirectory, "t10k-labels-idx1-ubyte")))
            return;
        _dir = new TempDir();
        _ml = new MLContext(seed: 1);
        _train = _ml.Data.TakeRowsPerClass(_ml.Data.LoadFashionMnist(), 300, seed: 1);
        _test = _ml.Data.Cache(_ml.Data.TakeRows(_ml.Data.LoadFashionMnist(train: false), TestRows));
        _trainer = _ml.MulticlassClassification.Trainers.ImageCnn(new ImageCnnOptions { Epochs = 2, Seed = 1, TempFolder = _dir.Path });
        var pixels = _test.GetColumn<float[]>("Image").SelectMany(p => p).ToArray();
        _trainer.NetworkTrained = net =>
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            net.eval();
            var raw = torch.tensor(pixels, [TestRows, 1, 28, 28]);
            _torchScores = softmax(net.forward((raw - 0f) / 255f), 1).ToArray<float>();
        };
        var clock = System.Diagnostics.Stopwatch.StartNew();
        _model = _trainer.Fit(_train);
        _fitTime = clock.Elapsed;
    }

    [ClassCleanup]
    public static void Cleanup()
    {
        _trainer?.Dispose();
        _dir?.Dispose();
    }

    private static void RequireFashionMnist()
    {
        if (_model is null) Assert.Inconclusive($"Fashion-MNIST is not installed ({DataSourceCatalog.FashionMnistDirectory}).");
    }

    [TestMethod]
    public void FashionMnist_AccuracyAbove075_EvaluateAgreesWithPredictedLabel_WhichIsArgmaxOfScore()
    {
        RequireFashionMnist();
        var scored = _model.Transform(_test);
        Assert.AreEqual(new KeyDataViewType(typeof(uint), 10), scored.Schema["PredictedLabel"].Type);
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 10), scored.Schema["Score"].Type);
        Assert.IsNull(scored.Schema.GetColumnOrNull(ImageCnnTrainer.ProbabilitiesColumnName), "intermediate columns are dropped");
        var scores = scored.GetColumn<float[]>("Score").ToArray();
        var predicted = scored.GetColumn<uint>("PredictedLabel").ToArray();
        var labels = scored.GetColumn<uint>("Label").ToArray();
        for (int i = 0; i < TestRows; i++)
        {
            Assert.AreEqual(1.0, scores[i].Sum(), 1e-5, $"row {i}: probabilities sum to 1");
            Assert.AreEqual((uint)Array.IndexOf(scores[i], scores[i].Max()) + 1, predicted[i], $"row {i}: PredictedLabel is the key of the largest score");
        }
        double manual = labels.Zip(predicted).Count(p => p.First == p.Second) / (double)TestRows;
        var metrics = _ml.MulticlassClassification.Evaluate(scored);
        Console.WriteLine($"fit on 3,000 rows, 2 epochs: {_fitTime.TotalSeconds:F1} s; test accuracy (micro) {metrics.MicroAccuracy:F4}, macro {metrics.MacroAccuracy:F4}, log-loss {metrics.LogLoss:F4}");
        Assert.AreEqual(manual, metrics.MicroAccuracy, 1e-12, "Evaluate's accuracy is the fraction of rows whose PredictedLabel is the label");
        Assert.IsTrue(metrics.MicroAccuracy > 0.75, $"test accuracy {metrics.MicroAccuracy}");

        var names = _ml.Transforms.Conversion.MapKeyToValue("PredictedName", "PredictedLabel").Fit(scored).Transform(scored).GetColumn<string>("PredictedName").ToArray();
        CollectionAssert.AreEqual(predicted.Select(k => KnownClassNames.FashionMnist[(int)k - 1]).ToArray(), names);
    }

    [TestMethod]
    public void MlNetScores_EqualTheTrainedTorchSharpNetworksSoftmax_To1e5()
    {
        RequireFashionMnist();
        var scores = _model.Transform(_test).GetColumn<float[]>("Score").SelectMany(s => s).ToArray();
        double worst = ArrayAssert.Close(_torchScores, scores, 1e-5, 0, "ML.NET (ONNX one-row model) vs TorchSharp");
        Console.WriteLine($"max |ML.NET score - TorchSharp softmax| over {TestRows} x 10 = {worst:E2}");
    }

    [TestMethod]
    public void SaveThenLoadInAFreshProcess_GivesBitIdenticalScoresAndLabels()
    {
        RequireFashionMnist();
        var scored = _model.Transform(_test);
        var scores = scored.GetColumn<float[]>("Score").SelectMany(s => s).ToArray();
        var predicted = scored.GetColumn<uint>("PredictedLabel").ToArray();
        using var dir = new TempDir();
        var zip = dir.File("cnn.zip");
        _ml.Model.Save(_model, _train.Schema, zip);
        var pixels = _test.GetColumn<float[]>("Image").SelectMany(p => p).ToArray();
        File.WriteAllBytes(dir.File("pixels.bin"), System.Runtime.InteropServices.MemoryMarshal.AsBytes(pixels.AsSpan()).ToArray());
        var log = TestSupport.Program.RunChild(TimeSpan.FromMinutes(3), "cnn-load-score", zip, dir.File("pixels.bin"), dir.File("out.bin"));
        StringAssert.Contains(log, "Ml.GanSdp loaded: False", "the child loads the model with ML.NET alone");
        var bytes = File.ReadAllBytes(dir.File("out.bin"));
        var childScores = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes.AsSpan(0, scores.Length * 4)).ToArray();
        var childKeys = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(bytes.AsSpan(scores.Length * 4)).ToArray();
        ArrayAssert.BitEqual(scores, childScores, "scores in a fresh process");
        CollectionAssert.AreEqual(predicted, childKeys);
        var names = log.Split('\n').Single(l => l.StartsWith("names=", StringComparison.Ordinal))["names=".Length..].Trim().Split('|');
        CollectionAssert.AreEqual(predicted.Select(k => KnownClassNames.FashionMnist[(int)k - 1]).ToArray(), names, "the loaded model's PredictedLabel keeps the class names");
    }

    public sealed class Prediction
    {
        public uint PredictedLabel { get; set; }
        public float[] Score { get; set; } = [];
    }

    public sealed class Input
    {
        [VectorType(1, 28, 28)]
        public float[] Image { get; set; } = [];
    }

    [TestMethod]
    public void PredictionEngine_BindsAScalarPredictedLabel()
    {
        RequireFashionMnist();
        var scored = _model.Transform(_test);
        var expected = scored.GetColumn<uint>("PredictedLabel").Take(20).ToArray();
        var images = _test.GetColumn<float[]>("Image").Take(20).ToArray();
        using var engine = _ml.Model.CreatePredictionEngine<Input, Prediction>(_model);
        CollectionAssert.AreEqual(expected, images.Select(i => engine.Predict(new Input { Image = i }).PredictedLabel).ToArray());
    }

    // ---------------------------------------------------------------- tiny data: schema, determinism, files, errors

    private static IDataView Tiny(MLContext ml, int rows = 48, int side = 8, int channels = 1, Func<int, int, float>? pixel = null, bool flat = false)
    {
        var rng = new Random(1);
        pixel ??= (r, i) => (float)rng.Next(256);
        int d = channels * side * side;
        return RealRows.Create(ml, flat ? [d] : [channels, side, side], ["a", "b", "c"], Enumerable.Range(0, rows).Select(r => (Enumerable.Range(0, d).Select(i => pixel(r, i)).ToArray(), r % 4 == 3 ? "none" : "abc"[r % 4].ToString())));
    }

    [TestMethod]
    public void InAPipeline_OutputSchemaHasScoreAndKeyedPredictedLabel_FromNaiveBayesShape()
    {
        var ml = new MLContext(seed: 1);
        using var dir = new TempDir();
        var data = Tiny(ml);
        var probe = new SchemaProbe();
        using var cnn = ml.MulticlassClassification.Trainers.ImageCnn(new ImageCnnOptions { FeatureColumnName = "Pixels", Epochs = 1, TempFolder = dir.Path });
        ml.Transforms.CopyColumns("Pixels", "Image").Append(cnn).Append(probe).Fit(data);
        var score = probe.Seen!.Single(c => c.Name == "Score");
        var predicted = probe.Seen!.Single(c => c.Name == "PredictedLabel");
        Assert.AreEqual(SchemaShape.Column.VectorKind.Vector, score.Kind);
        Assert.AreEqual(NumberDataViewType.Single, score.ItemType);
        Assert.IsTrue(predicted.IsKey);
        Assert.AreEqual(SchemaShape.Column.VectorKind.Scalar, predicted.Kind);
    }

    [TestMethod]
    public void SameSeed_SameScores_MissingLabelsSkipped_DisposeDeletesTheModelFolders()
    {
        var ml = new MLContext(seed: 1);
        using var dir = new TempDir();
        var data = Tiny(ml);
        var options = new ImageCnnOptions { Epochs = 2, BatchSize = 8, Seed = 3, TempFolder = dir.Path };
        int seen = 0;
        var a = ml.MulticlassClassification.Trainers.ImageCnn(options);
        a.NetworkTrained = _ => seen++;
        using var b = ml.MulticlassClassification.Trainers.ImageCnn(options);
        using var c = ml.MulticlassClassification.Trainers.ImageCnn(options with { Seed = 4 });
        var sa = a.Fit(data).Transform(data).GetColumn<float[]>("Score").SelectMany(s => s).ToArray();
        var sb = b.Fit(data).Transform(data).GetColumn<float[]>("Score").SelectMany(s => s).ToArray();
        var sc = c.Fit(data).Transform(data).GetColumn<float[]>("Score").SelectMany(s => s).ToArray();
        ArrayAssert.BitEqual(sa, sb, "same options, same seed");
        Assert.IsFalse(sa.SequenceEqual(sc), "another seed, other weights");
        Assert.AreEqual(1, seen);

        var folders = a.ModelFolders;
        Assert.AreEqual(1, folders.Count);
        Assert.IsTrue(File.Exists(Path.Combine(folders[0], ImageCnnTrainer.ModelFileName)));
        Assert.IsTrue(Ml.GanSdp.Onnx.OnnxModelFolder.IsLive(folders[0]));
        a.Dispose();
        Assert.IsFalse(Directory.Exists(folders[0]), "Dispose deletes the model's folder");
        Assert.IsFalse(Ml.GanSdp.Onnx.OnnxModelFolder.IsLive(folders[0]));
        Assert.ThrowsExactly<ObjectDisposedException>(() => a.Fit(data));
    }

    [TestMethod]
    public void FitsOnFourThreadsAtOnce_GiveTheScoresOfOneAtATime()
    {
        var ml = new MLContext(seed: 1);
        using var dir = new TempDir();
        var data = ml.Data.Cache(Tiny(ml));
        var seeds = new long[] { 1, 2, 3, 4 };
        float[] Scores(long seed)
        {
            using var cnn = ml.MulticlassClassification.Trainers.ImageCnn(new ImageCnnOptions { Epochs = 1, BatchSize = 8, Seed = seed, TempFolder = dir.Path });
            return cnn.Fit(data).Transform(data).GetColumn<float[]>("Score").SelectMany(s => s).ToArray();
        }
        var sequential = seeds.Select(Scores).ToArray();
        var parallel = new float[seeds.Length][];
        Parallel.For(0, seeds.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => parallel[i] = Scores(seeds[i]));
        for (int i = 0; i < seeds.Length; i++) ArrayAssert.BitEqual(sequential[i], parallel[i], $"seed {seeds[i]}");
    }

    [TestMethod]
    public void Errors_NameTheColumnItsTypeAndWhatIsNeeded()
    {
        var ml = new MLContext(seed: 1);
        using var dir = new TempDir();
        var data = Tiny(ml);
        ImageCnnTrainer Cnn(ImageCnnOptions? o = null) => ml.MulticlassClassification.Trainers.ImageCnn((o ?? new ImageCnnOptions()) with { TempFolder = dir.Path, Epochs = 1 });
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Cnn(new() { FeatureColumnName = "Pixels" }).Fit(data)).Message,
            "The image CNN's feature column 'Pixels' is not in the input; its columns are");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Cnn(new() { FeatureColumnName = "Note" }).Fit(data)).Message,
            "The image CNN's feature column 'Note' is String; it must be a known-size vector of Single");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Cnn(new() { LabelColumnName = "Note" }).Fit(data)).Message,
            "The image CNN's label column 'Note' is String; it must be a key of UInt32 with 2 to");
        var flat = ml.Transforms.CopyColumns("Flat", "Image").Fit(Tiny(ml, flat: true)).Transform(Tiny(ml, flat: true)); // Vector<Single, 64>
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Cnn(new() { FeatureColumnName = "Flat" }).Fit(flat)).Message,
            "without [C, H, W] dimensions; set ImageCnnOptions.ImageDimensions");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Cnn(new() { FeatureColumnName = "Flat", ImageDimensions = [1, 4, 16] }).Fit(flat)).Message,
            "[1, 4, 16] must be [C, S, S]");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Cnn(new() { FeatureColumnName = "Flat", ImageDimensions = [1, 4, 4] }).Fit(flat)).Message,
            "hold 16 values but the feature column 'Flat'");
        Assert.IsNotNull(Cnn(new() { FeatureColumnName = "Flat", ImageDimensions = [1, 8, 8] }).Fit(flat), "a flat column works with ImageDimensions");
        var nan = Tiny(ml, pixel: (r, i) => r == 5 && i == 7 ? float.NaN : 1f);
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => Cnn().Fit(nan)).Message, "Row 5: pixel 7 of column 'Image' is NaN");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Cnn(new() { LearningRate = double.NaN }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Cnn(new() { MinPixelValue = 1, MaxPixelValue = 1 }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.MulticlassClassification.Trainers.ImageCnn(new ImageCnnOptions { Epochs = 0 }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Cnn(new() { ImageDimensions = [2, 8, 8] }));
    }

    private sealed class SchemaProbe : IEstimator<ITransformer>
    {
        public SchemaShape? Seen;
        public ITransformer Fit(IDataView input) => new MLContext().Transforms.CopyColumns("LabelCopy", "Label").Fit(input);
        public SchemaShape GetOutputSchema(SchemaShape inputSchema) { Seen = inputSchema; return inputSchema; }
    }
}
