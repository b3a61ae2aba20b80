using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.GanSdp.Features;
using Ml.GanSdp.Metrics;
using Ml.GanSdp.Samples.Commands;
using Ml.GanSdp.Tests.TestSupport;

namespace Ml.GanSdp.Tests.Samples;

/// <summary>
/// <c>gansdp fid</c>, <c>fid stats</c> and <c>train --fd-every</c>: their numbers are the library's
/// <c>mlContext.Generation()</c> on the same rows and images (exactly, or within the ONNX vs TorchSharp generator
/// difference for the in-training curve), with ResNet18 and domain-classifier features; and their refusals.
/// </summary>
[TestClass]
public sealed class FidCommandTests
{
    [TestMethod]
    public void Fid_IsTheLibrarysEvaluate_OnTheSameRealSampleAndGeneratedImages()
    {
        using var dir = new TempDir();
        var classifierPath = RandomClassifier(dir.File("c.npz"));
        Gansdp.Run(["fid", TinyRuns.ConditionalModel, "--features", "domain-classifier", "--classifier", classifierPath, "-n", "40", "-s", "3", "--allow-few", "-o", dir.File("r.json")]).Expect(0);
        var json = TinyRuns.Json(dir.File("r.json"));

        var ml = new MLContext(1);
        var loaded = ml.Model.Load(TinyRuns.ConditionalModel, out var schema);
        var real = ml.Data.TakeRowsPerClass(ml.Data.LoadFashionMnist(), 4, seed: 0);
        var generated = ml.Data.GenerateImages(loaded, schema, 4, seed: 3);
        var expected = ml.Generation().Evaluate(real, generated, new GenerativeEvaluationOptions
        {
            FeatureSpace = GenerativeFeatureSpace.DomainClassifier, DomainClassifier = DomainClassifier.Load(classifierPath), AllowTooFewSamples = true,
        });
        (loaded as IDisposable)?.Dispose();
        Assert.AreEqual("FD (classifier)", json["DistanceName"]!.GetValue<string>());
        Assert.AreEqual(expected.FrechetDistance, json["FrechetDistance"]!.GetValue<double>());
        Assert.AreEqual(expected.KidMean, json["KidMean"]!.GetValue<double>());
        Assert.AreEqual(expected.Precision, json["Precision"]!.GetValue<double>());
        Assert.AreEqual(40, json["GeneratedSampleCount"]!.GetValue<long>());
    }

    [TestMethod]
    public void FidStats_SavesTheLibrarysStatistics_AndFidAgainstThemGivesTheLibrarysDistance()
    {
        using var dir = new TempDir();
        var classifierPath = RandomClassifier(dir.File("c.npz"));
        Gansdp.Run(["fid", "stats", "--features", "domain-classifier", "--classifier", classifierPath, "-n", "50", "-o", dir.File("s.npz")]).Expect(0);
        var saved = FeatureStatistics.Load(dir.File("s.npz"));

        var ml = new MLContext(1);
        var classifier = DomainClassifier.Load(classifierPath);
        var options = new GenerativeEvaluationOptions { FeatureSpace = GenerativeFeatureSpace.DomainClassifier, DomainClassifier = classifier, AllowTooFewSamples = true };
        var expected = ml.Generation().ComputeStatistics(ml.Data.TakeRowsPerClass(ml.Data.LoadFashionMnist(), 5, seed: 0), options);
        Assert.AreEqual(50, saved.Count);
        Assert.AreEqual(expected.FeatureSpace, saved.FeatureSpace);
        CollectionAssert.AreEqual(expected.Mean(), saved.Mean());
        CollectionAssert.AreEqual(expected.Covariance(), saved.Covariance());

        Gansdp.Run(["fid", TinyRuns.ConditionalModel, "--reference", dir.File("s.npz"), "--features", "domain-classifier", "--classifier", classifierPath, "-n", "30", "--allow-few", "-o", dir.File("r.json")]).Expect(0);
        var loaded = ml.Model.Load(TinyRuns.ConditionalModel, out var schema);
        var distance = ml.Generation().Evaluate(saved, ml.Data.GenerateImages(loaded, schema, 3), options).FrechetDistance;
        (loaded as IDisposable)?.Dispose();
        Assert.AreEqual(distance, TinyRuns.Json(dir.File("r.json"))["FrechetDistance"]!.GetValue<double>());
    }

    [TestMethod]
    public void FidStats_TrainsAndSavesTheDomainClassifier_ThatFidThenUses()
    {
        using var dir = new TempDir();
        Gansdp.Run(["fid", "stats", "--max-rows", "400", "--features", "classifier", "--save-classifier", dir.File("c.npz"), "-n", "100", "-o", dir.File("s.npz")]).Expect(0);
        var classifier = DomainClassifier.Load(dir.File("c.npz"));
        Assert.IsTrue(classifier.TestAccuracy is > 0.3 and <= 1, $"held-out accuracy {classifier.TestAccuracy} of a classifier trained on 360 rows (chance: 0.1)");
        Assert.AreEqual(classifier.ExtractorName, FeatureStatistics.Load(dir.File("s.npz")).FeatureSpace);
        Gansdp.Run(["fid", TinyRuns.ConditionalModel, "--reference", dir.File("s.npz"), "--features", "classifier", "--classifier", dir.File("c.npz"), "-n", "20", "--allow-few"]).Expect(0);
    }

    [TestMethod]
    public void Fid_DefaultsToResNet18Features_NeverCalledFid()
    {
        using var dir = new TempDir();
        var r = Gansdp.Run(["fid", Path.Combine(TinyRuns.Unconditional, "model.zip"), "-n", "3", "--allow-few", "-o", dir.File("r.json")]).Expect(0);
        var json = TinyRuns.Json(dir.File("r.json"));
        Assert.AreEqual("FD (ResNet18)", json["DistanceName"]!.GetValue<string>());
        Assert.AreEqual("ResNet18", json["FeatureSpace"]!.GetValue<string>());
        StringAssert.Contains(r.Err, "fewer than d + 1");

        var ml = new MLContext(1);
        var loaded = ml.Model.Load(Path.Combine(TinyRuns.Unconditional, "model.zip"), out var schema);
        var expected = ml.Generation().Evaluate(ml.Data.TakeRows(ml.Data.LoadFashionMnist(), 3), ml.Data.GenerateImages(loaded, schema, 3),
            new GenerativeEvaluationOptions { AllowTooFewSamples = true });
        (loaded as IDisposable)?.Dispose();
        Assert.AreEqual(expected.FrechetDistance, json["FrechetDistance"]!.GetValue<double>());
    }

    [TestMethod]
    public void ReferenceDataset_IsTheLibrarysCachedStatistics()
    {
        using var dir = new TempDir();
        var previous = Environment.GetEnvironmentVariable(ReferenceStatistics.CacheDirectoryVariable);
        Environment.SetEnvironmentVariable(ReferenceStatistics.CacheDirectoryVariable, dir.File("cache"));
        try
        {
            var stats = Gansdp.Run(["fid", "stats", "--reference-dataset", "fashion-mnist", "-n", "6"]).Expect(0);
            var file = Path.Combine(dir.File("cache"), ReferenceStatistics.FileName(ReferenceDataset.FashionMnistTrain, 6));
            StringAssert.Contains(stats.Out, file);
            Gansdp.Run(["fid", Path.Combine(TinyRuns.Unconditional, "model.zip"), "--reference-dataset", "fashion-mnist", "-n", "6", "--allow-few", "-o", dir.File("r.json")]).Expect(0);

            var ml = new MLContext(1);
            var loaded = ml.Model.Load(Path.Combine(TinyRuns.Unconditional, "model.zip"), out var schema);
            var expected = ml.Generation().Evaluate(FeatureStatistics.Load(file), ml.Data.GenerateImages(loaded, schema, 6), new GenerativeEvaluationOptions { AllowTooFewSamples = true });
            (loaded as IDisposable)?.Dispose();
            Assert.AreEqual(expected.FrechetDistance, TinyRuns.Json(dir.File("r.json"))["FrechetDistance"]!.GetValue<double>());
            Gansdp.Run(["fid", "stats", "--reference-dataset", "fashion-mnist", "-o", dir.File("x.npz")]).ExpectOneLineError(ExitCodes.Usage, "leave out -o");
        }
        finally
        {
            Environment.SetEnvironmentVariable(ReferenceStatistics.CacheDirectoryVariable, previous);
        }
    }

    [TestMethod]
    public void BadFeatureOptions_AreUsageErrors()
    {
        using var dir = new TempDir();
        var model = TinyRuns.ConditionalModel;
        Gansdp.Run(["fid", model, "--features", "inception"]).ExpectOneLineError(ExitCodes.Usage, "--weights");
        Gansdp.Run(["fid", model, "--weights", dir.File("missing.pth")]).ExpectOneLineError(ExitCodes.Usage, "missing.pth", "does not exist");
        Gansdp.Run(["fid", model, "--features", "nosuch"]).ExpectOneLineError(ExitCodes.Usage, "nosuch");
        Gansdp.Run(["fid", model, "--reference", dir.File("none.npz")]).ExpectOneLineError(ExitCodes.Usage, "none.npz");
        Gansdp.Run(["fid", model, "-o", dir.File("r.txt")]).ExpectOneLineError(ExitCodes.Usage, ".json");
        Gansdp.Run(["fid", "stats"]).ExpectOneLineError(ExitCodes.Usage, "-o");
        Gansdp.Run(["fid", "stats", "-o", dir.File("s.txt")]).ExpectOneLineError(ExitCodes.Usage, ".npz");
        Gansdp.Run(["fid", "stats", "--features", "domain-classifier", "-o", dir.File("s.npz")]).ExpectOneLineError(ExitCodes.Usage, "--save-classifier");
        Gansdp.Run(["fid", model, "--features", "domain-classifier", "--reference", TinyRuns.ConditionalModel]).ExpectOneLineError(ExitCodes.Usage, "--classifier");
        Gansdp.Run(["fid", model, "-n", "5"]).ExpectOneLineError(ExitCodes.Failure, "fewer");
        Assert.AreEqual(0, Directory.GetFileSystemEntries(dir.Path).Length);
    }

    [TestMethod]
    public void Train_MeasuresTheFdCurve_OnTheGeneratorsImages_AndResumeKeepsItsReference()
    {
        using var dir = new TempDir();
        var classifierPath = RandomClassifier(dir.File("c.npz"));
        var run = dir.File("run");
        var r = Gansdp.Run([.. TinyRuns.Args, "--conditional", "--fd-every", "3", "--fd-samples", "20", "--fd-features", "domain-classifier", "--fd-classifier", classifierPath, "-o", run]).Expect(0);
        StringAssert.Contains(r.Out, "iter 6: FD (classifier)");
        var fdLines = File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Select(l => (JsonObject)JsonNode.Parse(l)!).Where(o => o.ContainsKey("fd")).ToList();
        CollectionAssert.AreEqual(new long[] { 3, 6 }, fdLines.Select(o => o["iteration"]!.GetValue<long>()).ToArray());
        var final = TinyRuns.Json(Path.Combine(run, "final.json"));
        Assert.AreEqual(fdLines[^1]["fd"]!.GetValue<double>(), final["fd"]!.GetValue<double>());

        // the reference: the library's statistics of 2 training rows per class (20 images)
        var ml = new MLContext(1);
        var classifier = DomainClassifier.Load(Path.Combine(run, "fd-classifier.npz"));
        var options = new GenerativeEvaluationOptions { FeatureSpace = GenerativeFeatureSpace.DomainClassifier, DomainClassifier = classifier, AllowTooFewSamples = true, MaxFeatureSamples = 0 };
        var reference = FeatureStatistics.Load(Path.Combine(run, "fd-reference.npz"));
        var expected = ml.Generation().ComputeStatistics(ml.Data.TakeRowsPerClass(ml.Data.TakeRows(ml.Data.LoadFashionMnist(), 300), 2, seed: 0), options);
        CollectionAssert.AreEqual(expected.Mean(), reference.Mean());

        // the last measurement: the final generator's images for seeds 0..19, classes i mod 10, as the saved model makes them
        // (TorchSharp during training, ONNX Runtime here: equal to float32 rounding, so the distances agree closely)
        var loaded = ml.Model.Load(Path.Combine(run, "model.zip"), out var schema);
        var rows = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 20).Select(i => new SeedRow { Seed = i, Label = (uint)(i % 10) }));
        var images = loaded.Transform(rows);
        double distance = ml.Generation().Evaluate(reference, images, options).FrechetDistance;
        (loaded as IDisposable)?.Dispose();
        Assert.AreEqual(distance, fdLines[^1]["fd"]!.GetValue<double>(), 1e-4 * distance);

        // resume continues with the run's reference and classifier files
        File.Delete(Path.Combine(run, "final.json"));
        Gansdp.Run(["train", "--resume", "-n", "9", "-o", run]).Expect(0);
        CollectionAssert.AreEqual(reference.Mean(), FeatureStatistics.Load(Path.Combine(run, "fd-reference.npz")).Mean());
        Assert.AreEqual(9, TinyRuns.Json(Path.Combine(run, "final.json"))["fd_iteration"]!.GetValue<long>());
        StringAssert.Contains(File.ReadAllText(Path.Combine(run, "report.html")), "FD (classifier) (20 images)");

        Gansdp.Run([.. TinyRuns.Args, "--fd-every", "4", "-o", dir.File("bad")]).ExpectOneLineError(ExitCodes.Usage, "--fd-every 4", "multiple of --sample-every 3");
        Gansdp.Run([.. TinyRuns.Args, "--fd-samples", "20", "-o", dir.File("bad")]).ExpectOneLineError(ExitCodes.Usage, "need --fd-every");
        Assert.IsFalse(Directory.Exists(dir.File("bad")));
    }

    /// <summary>A row to generate from: seed and 0-based class (LoadFromEnumerable stores key = value + 1).</summary>
    public sealed class SeedRow
    {
        public long Seed { get; set; }
        [KeyType(10)] public uint Label { get; set; }
    }

    /// <summary>An untrained domain classifier for 1 x 28 x 28 images of 10 classes (fixed seed), saved.</summary>
    private static string RandomClassifier(string path)
    {
        using var c = new DomainClassifier(1, 28, 10, seed: 5);
        c.Save(path);
        return path;
    }
}
