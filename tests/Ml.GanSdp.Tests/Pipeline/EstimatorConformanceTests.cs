using Ml.GanSdp.Data;
using Ml.GanSdp.Imaging;
using Ml.GanSdp.Pipeline;
using Ml.GanSdp.Training;
using static Ml.GanSdp.torch;

namespace Ml.GanSdp.Tests.Pipeline;

[TestClass]
public class EstimatorConformanceTests
{
    private static void AssertSchemaError(Action fit, string column)
    {
        var e = Assert.ThrowsExactly<SchemaException>(fit);
        Assert.AreEqual(column, e.ColumnName);
        StringAssert.Contains(e.Message, $"'{column}'");
        StringAssert.Contains(e.Message, "The schema has");
    }

    [TestMethod]
    public void ChainOfImageTransformsFitsAndTransformsLikeTheUnderlyingTransforms()
    {
        var ctx = new GanContext(seed: 0);
        using var data = PipelineFixtures.TwoClassImages(8);
        var pipeline = ctx.Transforms.ResizeImages("Image", 32, 32)
            .Append(ctx.Transforms.NormalizePixels("Pixels", "Image"))
            .Append(ctx.Transforms.ConvertToGrayscale("Gray", "Pixels"));
        var expected = pipeline.GetOutputSchema(data.Schema);
        using var model = pipeline.Fit(data);
        Assert.AreEqual(3, model.Count);
        Assert.IsInstanceOfType<ConvertToGrayscaleTransformer>(model.LastTransformer);
        var output = model.Transform(data);
        Assert.AreEqual(expected.Describe(), output.Schema.Describe());
        Assert.AreEqual(new ImageDataViewType(1, 32, 32, ScalarType.Float32, PixelRange.MinusOneToOne), output.Schema["Pixels"].Type);
        using var pixels = output.ReadColumn("Pixels");
        CollectionAssert.AreEqual(new long[] { 8, 1, 32, 32 }, pixels.shape);
        using var min = pixels.min();
        using var max = pixels.max();
        Assert.IsTrue(min.item<float>() >= -1 && max.item<float>() <= 1);
    }

    [TestMethod]
    public void EveryEstimatorFailsAtFitNamingAMissingColumnAndListingTheSchema()
    {
        var ctx = new GanContext(seed: 0);
        using var data = PipelineFixtures.TwoClassImages(8);
        AssertSchemaError(() => ctx.Transforms.ResizeImages("Out", 8, 8, "Nope").Fit(data), "Nope");
        AssertSchemaError(() => ctx.Transforms.ConvertToGrayscale("Out", "Nope").Fit(data), "Nope");
        AssertSchemaError(() => ctx.Transforms.NormalizePixels("Out", "Nope").Fit(data), "Nope");
        AssertSchemaError(() => ctx.Transforms.TrainGanSdp("Nope").Fit(data), "Nope");
        AssertSchemaError(() => ctx.Transforms.TrainGanSdp("Image", "Klass").Fit(data), "Klass");
        AssertSchemaError(() => ctx.Transforms.TrainImageClassifier("Klass").Fit(data), "Klass");
        AssertSchemaError(() => ctx.Transforms.TrainImageClassifier("Label", "Nope").Fit(data), "Nope");
        AssertSchemaError(() => ctx.Transforms.Augment(PipelineFixtures.ConditionalGenerator, 1.0, "Nope").Fit(data), "Nope");
        // a chain checks every step before fitting any
        AssertSchemaError(() => ctx.Transforms.NormalizePixels().Append(ctx.Transforms.TrainGanSdp("Image", "Klass")).Fit(data), "Klass");
    }

    [TestMethod]
    public void TrainGanSdpRejectsAWrongTypeOrSizeAtFit()
    {
        var ctx = new GanContext(seed: 0);
        using var data = PipelineFixtures.TwoClassImages(8);
        // the label is not an image
        AssertSchemaError(() => ctx.Transforms.TrainGanSdp("Label").Fit(data), "Label");
        // DCGAN has no 20 px network
        var resized = ctx.Transforms.ResizeImages("Image", 20, 20).Fit(data).Transform(data);
        var e = Assert.ThrowsExactly<SchemaException>(() => ctx.Transforms.TrainGanSdp().Fit(resized));
        StringAssert.Contains(e.Message, "ImageSize");
        // the generator is conditional on 2 classes: Augment needs a matching label column
        AssertSchemaError(() => ctx.Transforms.Augment(PipelineFixtures.ConditionalGenerator, 1.0, "Image", "Image").Fit(data), "Image");
    }

    [TestMethod]
    public void TrainGanSdpIsReproducibleForASeedAndReportsProgress()
    {
        using var data = PipelineFixtures.TwoClassImages(32);
        var reports = new List<TrainingProgress>();
        var samples = new List<long>();
        var options = new GanSdpTrainerOptions
        {
            Trainer = PipelineFixtures.TinyTrainer(3) with { SampleInterval = 3, SampleCount = 4 },
            Progress = new SyncProgress(reports.Add),
            SamplesGenerated = (it, x) => samples.Add(it),
        };
        var ctx = new GanContext(seed: 2);
        using var a = ctx.Transforms.TrainGanSdp(options).Fit(data);
        using var b = ctx.Transforms.TrainGanSdp(options with { Progress = null, SamplesGenerated = null }).Fit(data);
        Assert.AreEqual(3, reports.Count);
        CollectionAssert.AreEqual(new long[] { 3 }, samples);
        Assert.IsTrue(a.Metrics.ContainsKey("loss_d") && a.Metrics.ContainsKey("G/sdp/k"), string.Join(", ", a.Metrics.Keys));
        Assert.AreEqual(0, a.NumClasses);
        CollectionAssert.AreEqual(new long[] { 1, 28, 28 }, a.ImageShape);
        using var xa = a.Generate(5, seed: 9);
        using var xb = b.Generate(5, seed: 9);
        using var xc = a.Generate(5, seed: 10);
        TestSupport.TensorAssert.Close(xa, xb, 0, 0, "same seed, same data");
        using var diff = (xa - xc).abs().max();
        Assert.IsTrue(diff.item<float>() > 1e-3, "different seeds give different images");
    }

    [TestMethod]
    public void GeneratorTransformAddsAnImagePerRowDeterminedByTheRowAndItsLabel()
    {
        var g = PipelineFixtures.ConditionalGenerator;
        using var data = PipelineFixtures.TwoClassImages(6);
        var output = g.Transform(data);
        Assert.AreEqual(new ImageDataViewType(1, 28, 28, ScalarType.Float32, PixelRange.MinusOneToOne), output.Schema[GanGeneratorTransformer.DefaultOutputColumnName].Type);
        using var all = output.ReadColumn(GanGeneratorTransformer.DefaultOutputColumnName);
        using var firstThree = output.ReadColumn(GanGeneratorTransformer.DefaultOutputColumnName, batchSize: 2);
        TestSupport.TensorAssert.Close(all, firstThree, 0, 0, "independent of batching");
    }

    [TestMethod]
    public void GenerateImagesMakesPerClassCountsWithClassNames()
    {
        var ctx = new GanContext(seed: 4);
        var g = PipelineFixtures.ConditionalGenerator;
        using var view = ctx.Data.GenerateImages(g, new[] { 3, 2 });
        Assert.AreEqual(5L, view.GetRowCount());
        Assert.AreEqual(new ImageDataViewType(1, 28, 28), view.Schema["Image"].Type);
        CollectionAssert.AreEqual(new[] { "dark", "bright" }, view.Schema["Label"].KeyValues!.ToArray());
        using var labels = view.ReadColumn("Label");
        CollectionAssert.AreEqual(new long[] { 0, 0, 0, 1, 1 }, labels.ToArray<long>());
        using var cyc = ctx.Data.GenerateImages(g, 4);
        using var l2 = cyc.ReadColumn("Label");
        CollectionAssert.AreEqual(new long[] { 0, 1, 0, 1 }, l2.ToArray<long>());
    }

    [TestMethod]
    public void AugmentAddsLabelledSyntheticRowsAtTheRatioInTheRealRepresentation()
    {
        var ctx = new GanContext(seed: 5);
        using var data = PipelineFixtures.TwoClassImages(10);
        var augmented = ctx.Transforms.Augment(PipelineFixtures.ConditionalGenerator, 0.5).Fit(data).Transform(data);
        using (augmented as IDisposable)
        {
            Assert.AreEqual(15L, augmented.GetRowCount());
            Assert.AreEqual(new ImageDataViewType(1, 28, 28), augmented.Schema["Image"].Type);
            using var flags = augmented.ReadColumn("IsSynthetic");
            Assert.AreEqual(5, flags.ToArray<byte>().Count(f => f == 1));
            using var labels = augmented.ReadColumn("Label");
            var l = labels.ToArray<long>();
            Assert.AreEqual(l.Take(10).Count(x => x == 0) / 2 + 0.0, l.Skip(10).Count(x => x == 0), 1.0);
            using var real = data.ReadColumn("Image");
            using var head = augmented.ReadColumn("Image", 10);
            TestSupport.TensorAssert.Close(real, head, 0, 0, "real rows first, unchanged");
        }
    }

    [TestMethod]
    public void ImageClassifierLearnsASeparableTaskAndEvaluateCountsTheConfusionMatrix()
    {
        var ctx = new GanContext(seed: 6);
        using var train = PipelineFixtures.TwoClassImages(128, seed: 1);
        using var test = PipelineFixtures.TwoClassImages(40, seed: 2);
        using var clf = ctx.Transforms.TrainImageClassifier(new ImageClassifierOptions { Epochs = 2, Width = 8, Seed = 6 }).Fit(train);
        var scored = clf.Transform(test);
        Assert.AreEqual(new TensorDataViewType(ScalarType.Float32, 2), scored.Schema["Score"].Type);
        CollectionAssert.AreEqual(new[] { "dark", "bright" }, scored.Schema["PredictedLabel"].KeyValues!.ToArray());
        var m = ctx.MulticlassClassification.Evaluate(scored);
        Assert.AreEqual(40, m.RowCount);
        Assert.AreEqual(40, m.ConfusionMatrix.Sum(r => r.Sum()));
        Assert.AreEqual(20, m.ConfusionMatrix[0].Sum());
        Assert.IsTrue(m.MicroAccuracy >= 0.9, $"accuracy {m.MicroAccuracy}");
        Assert.AreEqual(m.PerClassAccuracy.Average(), m.MacroAccuracy, 1e-12);
    }

    private sealed class SyncProgress(Action<TrainingProgress> f) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => f(value);
    }
}
