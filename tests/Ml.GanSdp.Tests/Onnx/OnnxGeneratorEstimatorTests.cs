using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Ml.GanSdp.Onnx;
using Ml.GanSdp.Tests.TestSupport;

namespace Ml.GanSdp.Tests.Onnx;

using static GeneratorRows;

/// <summary>
/// The ML.NET glue with public API only: LoadFromEnumerable (Int64 seed, string label) -> MapValueToKey ->
/// ApplyOnnxGenerator; the image column's type, values against ONNX Runtime on the batched model, Save and Load in a
/// fresh process (bit-identical), PredictionEngine, 4 threads on one loaded model, temp files, schema errors.
/// </summary>
[TestClass]
public sealed class OnnxGeneratorEstimatorTests
{
    private const int Latent = 8, Classes = 3, Hidden = 16;
    private static readonly int[] Dims = [GeneratorRows.Channels, 8, 8];
    private static readonly byte[] Conditional = TestGenerator.Build(TestGenerator.RandomWeights(5, Latent, Classes, Hidden, Channels), Latent, Classes, Channels);
    private static readonly byte[] Unconditional = TestGenerator.Build(TestGenerator.RandomWeights(6, Latent, 0, Hidden, Channels), Latent, 0, Channels);

    private sealed class Fixture : IDisposable
    {
        public readonly TempDir Dir = new();
        public readonly MLContext Ml;
        public readonly IDataView Train;
        public readonly ITransformer Keys;
        public readonly OnnxGeneratorEstimator Generator;

        public Fixture(byte[]? model = null)
        {
            Directory.CreateDirectory(ContextTemp);
            Ml = new MLContext(seed: 1) { TempFilePath = ContextTemp };
            Train = Ml.Data.LoadFromEnumerable(TrainRows);
            Keys = Ml.Transforms.Conversion.MapValueToKey("Label").Fit(Train);
            Generator = Ml.Transforms.ApplyOnnxGenerator(model ?? Conditional, Options);
        }

        public string ContextTemp => Dir.File("mlcontext-temp");
        public OnnxGeneratorOptions Options => new() { OutputColumnName = "Image", ImageDimensions = Dims, LabelColumnName = "Label", ClassCount = Classes, TempFolder = Dir.File("own") };
        public TransformerChain<ITransformer> Chain() => new([Keys, Generator.Fit(Keys.Transform(Train))]);
        public IDataView Scoring => Ml.Data.LoadFromEnumerable(ScoringRows);

        public void Dispose()
        {
            Generator.Dispose();
            Dir.Dispose();
        }
    }

    private static float[][] Images(IDataView view) => view.GetColumn<float[]>("Image").ToArray();

    [TestMethod]
    public void Transform_AddsImageColumnWithDimsCHW_EqualToOnnxRuntimeOnTheBatchedModel()
    {
        using var f = new Fixture();
        var scored = f.Chain().Transform(f.Scoring);
        var type = (VectorDataViewType)scored.Schema["Image"].Type;
        Assert.AreEqual(NumberDataViewType.Single, type.ItemType);
        CollectionAssert.AreEqual(Dims, type.Dimensions.ToArray(), "the column's Dimensions are [C, H, W]");
        var images = Images(scored);
        var keys = scored.GetColumn<uint>("Label").ToArray();
        var seeds = scored.GetColumn<long>("Seed").ToArray();
        CollectionAssert.AreEqual(ScoringRows.Select(r => r.Label == "zebra" ? 0u : (uint)Array.IndexOf(ClassNames, r.Label) + 1).ToArray(), keys, "raw keys: cat 1, dog 2, bird 3, unseen 0");

        using var session = Ort.Session(Conditional);
        var direct = Ort.RunOne<float>(session, "Image",
            Ort.Input("Seed", new NdArray<long>(seeds, [seeds.Length, 1])), Ort.Input("Label", new NdArray<uint>(keys, [keys.Length, 1])));
        CollectionAssert.AreEqual(new[] { seeds.Length, Channels, 8, 8 }, direct.Shape);
        ArrayAssert.BitEqual(direct.Data, images.SelectMany(i => i).ToArray(), "ML.NET column (one row per call) vs ONNX Runtime on the batch");
        for (int i = 0; i < images.Length; i++)
            Assert.AreEqual(keys[i] == 0, images[i].All(float.IsNaN), $"row {i} (key {keys[i]}): a missing label gives an all-NaN image, any other label none");
        Assert.IsTrue(images.Where((_, i) => keys[i] != 0).SelectMany(i => i).All(v => v is >= 0 and <= 255), "pixels in 0..255");
    }

    [TestMethod]
    public void Unconditional_SeedOnly_Works()
    {
        var ml = new MLContext(seed: 1);
        using var gen = ml.Transforms.ApplyOnnxGenerator("Image", Unconditional, Dims, "Seed");
        var rows = Enumerable.Range(0, 5).Select(i => new SeedOnlyRow { Seed = i }).ToArray();
        var scored = gen.Fit(ml.Data.LoadFromEnumerable(rows)).Transform(ml.Data.LoadFromEnumerable(rows));
        using var session = Ort.Session(Unconditional);
        var direct = Ort.RunOne<float>(session, "Image", Ort.Input("Seed", new NdArray<long>([0, 1, 2, 3, 4], [5, 1])));
        ArrayAssert.Close(direct.Data, Images(scored).SelectMany(i => i).ToArray(), 1e-5 * 255, 0, "unconditional");
    }

    [TestMethod]
    public void SaveThenLoadInAFreshProcess_GivesBitIdenticalImages()
    {
        using var f = new Fixture();
        var chain = f.Chain();
        var inProcess = Images(chain.Transform(f.Scoring));
        var zip = f.Dir.File("generator.zip");
        f.Ml.Model.Save(chain, f.Train.Schema, zip);
        var output = f.Dir.File("child.bin");
        var log = TestSupport.Program.RunChild(TimeSpan.FromMinutes(3), "onnx-load-transform", zip, output);
        Console.WriteLine(log.Trim());
        StringAssert.Contains(log, "dims=3,8,8");
        StringAssert.Contains(log, "Ml.GanSdp loaded: False", "the child loads the model with ML.NET alone");
        var child = MemoryMarshalFloats(File.ReadAllBytes(output));
        ArrayAssert.BitEqual(inProcess.SelectMany(i => i).ToArray(), child, "in-process vs loaded in a fresh process");
    }

    private static float[] MemoryMarshalFloats(byte[] bytes) => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).ToArray();

    [TestMethod]
    public void PredictionEngine_OnFittedAndLoadedModels_MatchesTransform()
    {
        using var f = new Fixture();
        var chain = f.Chain();
        var expected = Images(chain.Transform(f.Scoring));
        var zip = f.Dir.File("m.zip");
        f.Ml.Model.Save(chain, f.Train.Schema, zip);
        var loaded = f.Ml.Model.Load(zip, out _);
        try
        {
            foreach (var model in new[] { chain, loaded })
            {
                using var engine = f.Ml.Model.CreatePredictionEngine<SeedLabelRow, ImageRow>(model);
                for (int i = 0; i < ScoringRows.Length; i++)
                    ArrayAssert.BitEqual(expected[i], engine.Predict(ScoringRows[i]).Image, $"row {i}");
            }
        }
        finally { (loaded as IDisposable)?.Dispose(); }
    }

    [TestMethod]
    public void FourThreads_TransformingOneLoadedModel_AgreeBitForBitWithOneThread()
    {
        using var f = new Fixture();
        var zip = f.Dir.File("m.zip");
        f.Ml.Model.Save(f.Chain(), f.Train.Schema, zip);
        var loaded = f.Ml.Model.Load(zip, out _);
        try
        {
            var rows = Enumerable.Range(0, 300).Select(i => new SeedLabelRow { Seed = i * 31L, Label = ClassNames[i % 3] }).ToArray();
            var data = f.Ml.Data.LoadFromEnumerable(rows);
            var single = Images(loaded.Transform(data)).SelectMany(i => i).ToArray();
            using var start = new Barrier(4);
            var results = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
            {
                start.SignalAndWait();
                return Images(loaded.Transform(data)).SelectMany(i => i).ToArray();
            })).ToArray();
            Task.WaitAll(results);
            for (int t = 0; t < 4; t++) ArrayAssert.BitEqual(single, results[t].Result, $"thread {t}");
        }
        finally { (loaded as IDisposable)?.Dispose(); }
    }

    [TestMethod]
    public void TempFiles_OwnFolderHoldsOneModel_ContextTempStaysEmpty_AllRemovedOnDispose()
    {
        var f = new Fixture();
        try
        {
            var folder = f.Generator.ModelFolder;
            CollectionAssert.AreEqual(new[] { OnnxGeneratorEstimator.ModelFileName }, Directory.GetFiles(folder).Select(Path.GetFileName).ToArray());
            // Schema propagation (EstimatorChain.Fit calls GetOutputSchema), fitting, transforming and saving, three times.
            var probe = new SchemaProbe();
            for (int i = 0; i < 3; i++)
            {
                var model = f.Ml.Transforms.Conversion.MapValueToKey("Label").Append(f.Generator).Append(probe).Fit(f.Train);
                _ = Images(model.Transform(f.Scoring));
                f.Ml.Model.Save(model, f.Train.Schema, f.Dir.File($"m{i}.zip"));
            }
            Assert.AreEqual(3, probe.Calls);
            Assert.AreSame(f.Generator.Fit(f.Keys.Transform(f.Train)), f.Generator.Fit(f.Keys.Transform(f.Train)), "one cached transformer");
            Assert.AreEqual(1, Directory.GetFiles(folder).Length, "no copy per call");
            Assert.AreEqual(0, Directory.GetFileSystemEntries(f.ContextTemp).Length, "nothing in MLContext.TempFilePath");

            // A loaded model writes its own copy into the loading context's TempFilePath; disposing the model removes it.
            var loadTemp = f.Dir.File("load-temp");
            Directory.CreateDirectory(loadTemp);
            var ml2 = new MLContext(seed: 3) { TempFilePath = loadTemp };
            var loaded = ml2.Model.Load(f.Dir.File("m0.zip"), out _);
            _ = Images(loaded.Transform(ml2.Data.LoadFromEnumerable(ScoringRows)));
            Assert.AreEqual(1, Directory.GetFiles(loadTemp).Length);
            ((IDisposable)loaded).Dispose();
            Assert.AreEqual(0, Directory.GetFiles(loadTemp).Length, "the loaded model's copy is gone after dispose");

            f.Generator.Dispose();
            Assert.IsFalse(Directory.Exists(folder), "the estimator's folder is deleted on dispose");
            Assert.ThrowsExactly<ObjectDisposedException>(() => f.Generator.Fit(f.Train));
        }
        finally { f.Dispose(); }
    }

    [TestMethod]
    public void EstimatorNeverDisposed_ItsFolderIsDeletedAtProcessExit()
    {
        using var dir = new TempDir();
        var log = TestSupport.Program.RunChild(TimeSpan.FromMinutes(2), "onnx-exit-without-dispose", dir.Path);
        var folder = log.Split('\n').Single(l => l.StartsWith("folder=")).Trim()["folder=".Length..];
        StringAssert.StartsWith(folder, dir.Path);
        StringAssert.Contains(log, "model file present: True");
        Assert.IsFalse(Directory.Exists(folder), "the process-exit hook deleted the folder");
        Assert.AreEqual(0, Directory.GetFileSystemEntries(dir.Path).Length);
    }

    /// <summary>The child side of <see cref="EstimatorNeverDisposed_ItsFolderIsDeletedAtProcessExit"/>.</summary>
    public static int CreateAndExitWithoutDispose(string parent)
    {
        var ml = new MLContext(seed: 1);
        var gen = ml.Transforms.ApplyOnnxGenerator(Conditional, new OnnxGeneratorOptions { ImageDimensions = Dims, LabelColumnName = "Label", ClassCount = Classes, TempFolder = parent });
        var data = ml.Data.LoadFromEnumerable(TrainRows);
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);
        _ = Images(gen.Fit(keyed).Transform(keyed));
        Console.WriteLine($"folder={gen.ModelFolder}");
        Console.WriteLine($"model file present: {File.Exists(gen.ModelPath)}");
        return 0;
    }

    [TestMethod]
    public void OutputSchemaShape_FromGetOutputSchema_HasTheImageVector()
    {
        using var f = new Fixture();
        var probe = new SchemaProbe();
        f.Ml.Transforms.Conversion.MapValueToKey("Label").Append(f.Generator).Append(probe).Fit(f.Train);
        var image = probe.Seen!.Single(c => c.Name == "Image");
        Assert.AreEqual(SchemaShape.Column.VectorKind.Vector, image.Kind);
        Assert.AreEqual(NumberDataViewType.Single, image.ItemType);
        Assert.IsTrue(probe.Seen!.Any(c => c.Name == "Seed") && probe.Seen!.Any(c => c.Name == "Label" && c.IsKey), "input columns pass through");
    }

    // ---------------------------------------------------------------- errors

    [TestMethod]
    public void MissingSeedColumn_NamesTheColumn_InFitAndInSchemaPropagation()
    {
        using var f = new Fixture();
        var noSeed = f.Ml.Data.LoadFromEnumerable(new[] { new LabelOnlyRow { Label = "cat" } });
        var keyed = f.Ml.Transforms.Conversion.MapValueToKey("Label").Fit(noSeed).Transform(noSeed);
        var e1 = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => f.Generator.Fit(keyed));
        StringAssert.Contains(e1.Message, "seed column 'Seed' (Int64) is not in the input");
        var e2 = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => f.Ml.Transforms.Conversion.MapValueToKey("Label").Append(f.Generator).Fit(noSeed));
        StringAssert.Contains(e2.Message, "seed column 'Seed' (Int64) is not in the input");
    }

    public sealed class LabelOnlyRow { public string Label { get; set; } = ""; }
    public sealed class IntSeedRow { public int Seed { get; set; } public string Label { get; set; } = ""; }

    [TestMethod]
    public void WrongSeedType_And_NonKeyLabel_And_WrongClassCount_AreNamed()
    {
        using var f = new Fixture();
        var intSeeds = f.Ml.Data.LoadFromEnumerable(new[] { new IntSeedRow { Seed = 1, Label = "cat" } });
        var keyedInt = f.Ml.Transforms.Conversion.MapValueToKey("Label").Fit(intSeeds).Transform(intSeeds);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => f.Generator.Fit(keyedInt)).Message,
            "seed column 'Seed' is Int32; it must be a scalar Int64");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => f.Ml.Transforms.Conversion.MapValueToKey("Label").Append(f.Generator).Fit(intSeeds)).Message,
            "seed column 'Seed' is Int32; it must be a scalar Int64");

        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => f.Generator.Fit(f.Train)).Message,
            "label column 'Label' is String; it must be a key of UInt32 over the generator's 3 classes");

        var fourClasses = f.Ml.Data.LoadFromEnumerable(TrainRows.Append(new SeedLabelRow { Seed = 9, Label = "emu" }));
        var keyed4 = f.Ml.Transforms.Conversion.MapValueToKey("Label").Fit(fourClasses).Transform(fourClasses);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => f.Generator.Fit(keyed4)).Message,
            "label column 'Label' is Key<UInt32, 0-3>; it must be a key of UInt32 over the generator's 3 classes");
    }

    [TestMethod]
    public void ModelNotMatchingTheOptions_IsRejectedWithTheMismatch()
    {
        var ml = new MLContext(seed: 1);
        using var dir = new TempDir();
        OnnxGeneratorOptions O(int[]? dims = null, string? label = "Label", int classes = Classes, string seed = "Seed")
            => new() { ImageDimensions = dims ?? Dims, LabelColumnName = label, ClassCount = classes, SeedColumnName = seed, TempFolder = dir.Path };
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.ApplyOnnxGenerator(Conditional, O(dims: [3, 16, 16]))).Message,
            "output 'Image' is float [N, 3, 8, 8]; it must be float [N, 3, 16, 16]");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.ApplyOnnxGenerator(Unconditional, O())).Message,
            "has no input 'Label'");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.ApplyOnnxGenerator(Conditional, O(label: null, classes: 0))).Message,
            "inputs 'Label' that are not the seed");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.ApplyOnnxGenerator(Conditional, O(seed: "Noise"))).Message,
            "inputs 'Seed' that are not the seed ('Noise')");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.ApplyOnnxGenerator([0x0a, 0xff], O())).Message,
            "not an ONNX model");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.ApplyOnnxGenerator(Conditional, O(classes: 0))).Message,
            "ClassCount must be positive");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.ApplyOnnxGenerator(Conditional, O(dims: [3, 8]))).Message,
            "ImageDimensions must be [C, H, W]");
        Assert.AreEqual(0, Directory.GetFileSystemEntries(dir.Path).Length, "a rejected model leaves no folder behind");
    }

    /// <summary>An estimator that records the schema shape it is given (ML.NET makes the input shape; no internals).</summary>
    private sealed class SchemaProbe : IEstimator<ITransformer>
    {
        public int Calls;
        public SchemaShape? Seen;
        public ITransformer Fit(IDataView input) => new MLContext().Transforms.CopyColumns("SeedCopy", "Seed").Fit(input);
        public SchemaShape GetOutputSchema(SchemaShape inputSchema) { Calls++; Seen = inputSchema; return inputSchema; }
    }
}
