using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using Ml.GanSdp.Models;
using Ml.GanSdp.Tests.Onnx;
using Ml.GanSdp.Tests.TestSupport;

namespace Ml.GanSdp.Tests.Pipeline;

using static PipelineTestData;

/// <summary>Save and Load (fresh processes), the ImageAnalytics chain, PredictionEngine, threads, the seed column rule.</summary>
public sealed partial class GanSdpEstimatorTests
{
    /// <summary>A tiny image folder (3 classes x 4 RGB PNGs of 20 x 24 pixels) listed as (ImagePath, Label text) rows.</summary>
    private static GanSdpChildJob.ChainRow[] WriteImageFolder(string root)
    {
        var rng = new Random(3);
        var rows = new List<GanSdpChildJob.ChainRow>();
        foreach (var (name, c) in ClassNames.Select((n, i) => (n, i)))
        {
            Directory.CreateDirectory(Path.Combine(root, name));
            for (int k = 0; k < 4; k++)
            {
                var shape = new ImageShape(3, 20, 24);
                var values = new float[shape.Size];
                for (int i = 0; i < values.Length; i++) values[i] = (float)Math.Round(Math.Clamp(60 * c + 40 * Math.Sin(i * (0.01 + 0.02 * k)) + rng.Next(0, 40), 0, 255));
                var path = Path.Combine(root, name, $"{k}.png");
                ImageFile.Write(path, new ImagePixels(shape, values));
                rows.Add(new GanSdpChildJob.ChainRow { ImagePath = path, Label = name });
            }
        }
        return [.. rows];
    }

    private static EstimatorChain<Microsoft.ML.Transforms.Onnx.OnnxTransformer> ImageChain(MLContext ml, GanSdpOptions options) =>
        ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.LoadImages("Image", imageFolder: null, inputColumnName: "ImagePath"))
            .Append(ml.Transforms.ResizeImages("Image", imageWidth: 32, imageHeight: 32))
            .Append(ml.Transforms.ExtractPixels("Image"))
            .Append(ml.Transforms.TrainGanSdp(options));

    private static float[] RunChild(TempDir dir, string zip, GanSdpChildJob.Job job, string expectDims)
    {
        var jobPath = dir.File(Path.GetFileNameWithoutExtension(zip) + ".job.json");
        var output = dir.File(Path.GetFileNameWithoutExtension(zip) + ".child.bin");
        GanSdpChildJob.Write(jobPath, job);
        var log = TestSupport.Program.RunChild(TimeSpan.FromMinutes(3), "gansdp-load-transform", zip, jobPath, output);
        Console.WriteLine(log.Trim());
        StringAssert.Contains(log, "dims=" + expectDims);
        StringAssert.Contains(log, "Ml.GanSdp loaded: False", "the fresh process loads the model with ML.NET alone");
        StringAssert.Contains(log, "TorchSharp loaded: False", "inference needs no TorchSharp");
        return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(output)).ToArray();
    }

    [TestMethod]
    public void ImageAnalyticsChain_SavedWholeAndTransformerAlone_LoadInFreshProcessesBitIdentical()
    {
        using var dir = new TempDir();
        var ml = new MLContext(seed: 1);
        var folderRows = WriteImageFolder(dir.File("images"));
        var train = ml.Data.AddSeedColumn(ml.Data.LoadFromEnumerable(folderRows.Select(r => new { r.ImagePath, r.Label })));
        var options = Quick() with { Architecture = Architecture.Dcgan, TempFolder = dir.Path };
        var pipeline = ImageChain(ml, options);
        var chain = pipeline.Fit(train);   // EstimatorChain.Fit propagates the schema, fits every step and transforms the data through it
        Assert.AreEqual(folderRows.Length, chain.Transform(train).GetColumn<float[]>("Generated").Count(), "the training rows themselves can be transformed");

        // Generation rows: the chain's input columns plus a seed; an unseen label gives NaN images.
        var genRows = Enumerable.Range(0, 12).Select(i => new GanSdpChildJob.ChainRow
        {
            ImagePath = folderRows[i % folderRows.Length].ImagePath,
            Label = i == 10 ? "zebra" : ClassNames[i % 3],
            Seed = 31L * i - 50,
        }).ToArray();
        var scored = chain.Transform(ml.Data.LoadFromEnumerable(genRows));
        CollectionAssert.AreEqual(new[] { 3, 32, 32 }, ((VectorDataViewType)scored.Schema["Generated"].Type).Dimensions.ToArray());
        var inProcess = scored.GetColumn<float[]>("Generated").ToArray();
        for (int i = 0; i < inProcess.Length; i++)
            Assert.AreEqual(i == 10, inProcess[i].All(float.IsNaN), $"row {i}: NaN exactly for the unseen label");

        var chainZip = dir.File("chain.zip");
        ml.Model.Save(chain, train.Schema, chainZip);
        var fromChain = RunChild(dir, chainZip, new GanSdpChildJob.Job("chain", 3, "Generated", genRows), "3,32,32");
        ArrayAssert.BitEqual(inProcess.SelectMany(x => x).ToArray(), fromChain, "whole chain: in-process vs loaded in a fresh process");

        // The fitted TrainGanSdp transformer alone, saved with its own input schema (Seed, Label key).
        var generator = chain.LastTransformer;
        var keyRows = genRows.Where((_, i) => i != 10).Select(r => new GanSdpChildJob.ChainRow { Seed = r.Seed, Label = Array.IndexOf(ClassNames, r.Label).ToString() }).ToArray();
        var job = new GanSdpChildJob.Job("generator", 3, "Generated", keyRows);
        var keyData = GanSdpChildJob.Rows(ml, job);
        var alone = generator.Transform(keyData).GetColumn<float[]>("Generated").SelectMany(x => x).ToArray();
        ArrayAssert.BitEqual(inProcess.Where((_, i) => i != 10).SelectMany(x => x).ToArray(), alone, "the transformer alone equals the chain's last step");
        var aloneZip = dir.File("generator.zip");
        ml.Model.Save(generator, keyData.Schema, aloneZip);
        ArrayAssert.BitEqual(alone, RunChild(dir, aloneZip, job, "3,32,32"), "transformer alone: in-process vs loaded in a fresh process");

        var info = GanSdpModelInfo.Read(chainZip);
        CollectionAssert.AreEqual(ClassNames, info.ClassNames.ToArray(), "class names from MapValueToKey's key values");
        Assert.AreEqual(new ImageShape(3, 32, 32), info.ImageShape);
    }

    [TestMethod]
    public void MLImageColumn_IsReadWithExtractPixels_AndSizeIsCheckedInSchemaPropagation()
    {
        using var dir = new TempDir();
        var ml = new MLContext(seed: 1);
        var folderRows = WriteImageFolder(dir.File("images"));
        var train = ml.Data.AddSeedColumn(ml.Data.LoadFromEnumerable(folderRows.Select(r => new { r.ImagePath, r.Label })));
        var options = Quick() with { InputColumnName = "Image", TempFolder = dir.Path };
        var images = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.Transforms.LoadImages("Image", null, "ImagePath"));

        // Unknown size (no ResizeImages): refused by schema propagation, before anything is fitted.
        var unsized = images.Append(ml.Transforms.TrainGanSdp(options));
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => unsized.GetOutputSchema(SchemaShapes.Of(train.Schema)));
        StringAssert.Contains(e.Message, "'Image'");
        StringAssert.Contains(e.Message, "ResizeImages");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => unsized.Fit(train));

        var sized = images.Append(ml.Transforms.ResizeImages("Image", 32, 32)).Append(ml.Transforms.TrainGanSdp(options));
        var model = sized.Fit(train);
        var rows = ml.Data.LoadFromEnumerable(folderRows.Take(3).Select((r, i) => new GanSdpChildJob.ChainRow { ImagePath = r.ImagePath, Label = r.Label, Seed = i }));
        var scored = model.Transform(rows);
        Assert.IsInstanceOfType<ImageDataViewType>(scored.Schema["Image"].Type, "the input image column is left as it is");
        CollectionAssert.AreEqual(new[] { 3, 32, 32 }, ((VectorDataViewType)scored.Schema["Generated"].Type).Dimensions.ToArray());
        Assert.IsTrue(Images(scored).All(v => v is >= 0 and <= 255));

        // The same images as pixels give the same training data, hence bit-identical generators.
        var viaPixels = images.Append(ml.Transforms.ResizeImages("Image", 32, 32)).Append(ml.Transforms.ExtractPixels("Image"))
            .Append(ml.Transforms.TrainGanSdp(options)).Fit(train);
        ArrayAssert.BitEqual(Images(scored), Images(viaPixels.Transform(rows)), "MLImage input = ExtractPixels input");
    }

    [TestMethod]
    public void WithoutSeedColumn_SchemaPropagationFailsBeforeTraining_NamingTheColumnAndHowToAddOne()
    {
        using var dir = new TempDir();
        var ml = new MLContext(seed: 1);
        var train = Train(ml);
        int finished = 0;
        var options = Quick() with { TempFolder = dir.Path, OnTrainingFinished = _ => finished++ };
        using var estimator = ml.Transforms.TrainGanSdp(options);

        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.GetOutputSchema(SchemaShapes.Of(train)));
        StringAssert.Contains(e.Message, "seed column 'Seed' (Int64) is not in the input");
        StringAssert.Contains(e.Message, "mlContext.Data.AddSeedColumn");
        var chain = ml.Transforms.CopyColumns("Copy", "Image").Append(estimator);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => chain.Fit(train)).Message, "AddSeedColumn");
        Assert.AreEqual(0, finished, "the chain failed before training");

        // Fit alone reads no seed; its transformer needs one at Transform (ML.NET's own message names it).
        var model = estimator.Fit(train);
        Assert.AreEqual(1, finished);
        var t = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.Transform(train));
        StringAssert.Contains(t.Message, "'Seed'");

        var seeded = ml.Data.AddSeedColumn(train, firstSeed: 100);
        var fitted = chain.Fit(seeded);
        var seeds = fitted.Transform(seeded).GetColumn<long>("Seed").ToArray();
        CollectionAssert.AreEqual(Enumerable.Range(100, 24).Select(i => (long)i).ToArray(), seeds, "row i gets firstSeed + i");
        var generatedFromTraining = Images(fitted.Transform(seeded));
        var fromRows = Images(fitted.LastTransformer.Transform(Generation(ml, 0, 3)));
        Assert.AreEqual(24 * 28 * 28, generatedFromTraining.Length);
        Assert.AreEqual(0, fromRows.Length);
    }

    [TestMethod]
    public void GetOutputSchema_DescribesTheFittedTransformersOutput()
    {
        using var dir = new TempDir();
        var ml = new MLContext(seed: 1);
        var train = Train(ml);
        using var estimator = ml.Transforms.TrainGanSdp(Quick() with { TempFolder = dir.Path });
        var withSeed = ml.Data.AddSeedColumn(train);
        var predicted = estimator.GetOutputSchema(SchemaShapes.Of(withSeed.Schema));
        var model = estimator.Fit(train);
        var actual = SchemaShapes.Of(model.GetOutputSchema(withSeed.Schema));
        CollectionAssert.AreEquivalent(actual.Select(c => c.Name).Distinct().ToArray(), predicted.Select(c => c.Name).Distinct().ToArray());
        var p = predicted.Single(c => c.Name == "Generated");
        var a = actual.Last(c => c.Name == "Generated");
        Assert.AreEqual(a.Kind, p.Kind);
        Assert.AreEqual(a.ItemType, p.ItemType);
        Assert.AreEqual(a.IsKey, p.IsKey);
    }

    [TestMethod]
    public void RowToRowMapper_PredictionEngine_AndFourThreadsOnALoadedModel_AgreeBitForBitWithTransform()
    {
        using var dir = new TempDir();
        var ml = new MLContext(seed: 1);
        var train = Train(ml);
        var model = ml.Transforms.TrainGanSdp(Quick() with { TempFolder = dir.Path }).Fit(train);
        var rows = Generation(ml, 200, 3);
        var zip = dir.File("m.zip");
        ml.Model.Save(model, rows.Schema, zip);
        var loaded = ml.Model.Load(zip, out _);
        try
        {
            var single = Images(loaded.Transform(rows));
            ArrayAssert.BitEqual(Images(model.Transform(rows)), single, "loaded vs fitted");

            using var start = new Barrier(4);
            var results = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
            {
                start.SignalAndWait();
                return Images(loaded.Transform(rows));
            })).ToArray();
            Task.WaitAll(results);
            for (int t = 0; t < 4; t++) ArrayAssert.BitEqual(single, results[t].Result, $"thread {t}");

            // GetRowToRowMapper: the fitted and the loaded model map single rows as Transform does.
            foreach (var m in new[] { model, loaded })
            {
                var mapper = m.GetRowToRowMapper(rows.Schema);
                var outColumn = mapper.OutputSchema["Generated"];
                using var cursor = rows.GetRowCursor(mapper.GetDependencies([outColumn]));
                using var row = mapper.GetRow(cursor, [outColumn]);
                var getter = row.GetGetter<VBuffer<float>>(outColumn);
                VBuffer<float> value = default;
                for (int i = 0; cursor.MoveNext(); i++)
                {
                    getter(ref value);
                    ArrayAssert.BitEqual(single.AsSpan(i * 784, 784).ToArray(), value.DenseValues().ToArray(), $"row-to-row mapper row {i}");
                }
            }

            var def = SchemaDefinition.Create(typeof(SeedKeyRow));
            def["Label"].ColumnType = new KeyDataViewType(typeof(uint), 3);
            foreach (var m in new[] { model, loaded })
            {
                using var engine = ml.Model.CreatePredictionEngine<SeedKeyRow, GeneratedRow>(m, inputSchemaDefinition: def);
                var expected = single.Chunk(28 * 28).ToArray();
                var input = GenerationRows(200, 3);
                for (int i = 0; i < 20; i++) ArrayAssert.BitEqual(expected[i], engine.Predict(input[i]).Generated, $"PredictionEngine row {i}");
            }
        }
        finally { (loaded as IDisposable)?.Dispose(); }
    }

    public sealed class GeneratedRow
    {
        [VectorType(1, 28, 28)] public float[] Generated { get; set; } = [];
    }
}
