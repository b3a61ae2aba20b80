using System.Text.Json.Nodes;
using Microsoft.ML;
using Ml.GanSdp.Samples.Commands;
using Ml.GanSdp.Tests.TestSupport;

namespace Ml.GanSdp.Tests.Samples;

/// <summary><c>gansdp classify</c>: its accuracies are the library's <c>EvaluateAugmentation</c> on the same rows (exactly), for ML.NET's trainers and the CNN.</summary>
[TestClass]
public sealed class ClassifyCommandTests
{
    [TestMethod]
    public void Accuracies_AreTheLibrarysEvaluateAugmentation_OnTheSameRows()
    {
        using var dir = new TempDir();
        var r = Gansdp.Run(["classify", TinyRuns.ConditionalModel, "--max-rows", "300", "--per-class", "5", "--test-rows", "100", "--seeds", "0,1", "--ratio", "1", "-o", dir.File("r.json")]).Expect(0);
        StringAssert.Contains(r.Out, "mean ± SD");
        StringAssert.Contains(r.Out, "CAS");
        var json = TinyRuns.Json(dir.File("r.json"))["lbfgs-maximum-entropy"]!;

        var ml = new MLContext(1);
        var loaded = ml.Model.Load(TinyRuns.ConditionalModel, out _);
        var train = ml.Data.Cache(ml.Data.TakeRowsPerClass(ml.Data.TakeRows(ml.Data.LoadFashionMnist(), 300), 5, seed: 0));
        var test = ml.Data.TakeRows(ml.Data.LoadFashionMnist(train: false), 100);
        var report = ml.MulticlassClassification.EvaluateAugmentation(train, test, loaded, new AugmentationEvaluationOptions { Seeds = [0, 1], SyntheticRatio = 1 });
        (loaded as IDisposable)?.Dispose();
        foreach (var (arm, scores) in new[] { ("real", report.Real), ("real-plus-synthetic", report.RealPlusSynthetic), ("synthetic-only", report.SyntheticOnly) })
        {
            CollectionAssert.AreEqual(scores.MicroAccuracies.ToArray(), json["arms"]![arm]!["accuracy"]!.AsArray().Select(a => a!.GetValue<double>()).ToArray(), arm);
            Assert.AreEqual(scores.TrainingRows, json["arms"]![arm]!["training_rows"]!.GetValue<long>(), arm);
        }
        Assert.AreEqual(50, report.Real.TrainingRows);
        Assert.AreEqual(report.AugmentationGain, json["augmentation_gain"]!.GetValue<double>());
        Assert.AreEqual(report.ClassificationAccuracyScore, json["cas"]!.GetValue<double>());
    }

    [TestMethod]
    public void LightGbmAndTheCnn_Run_AndBadOptionsAreUsageErrors()
    {
        using var dir = new TempDir();
        Gansdp.Run(["classify", TinyRuns.ConditionalModel, "--max-rows", "200", "--per-class", "3", "--test-rows", "50", "--seeds", "0",
            "--classifiers", "lightgbm,cnn", "--cnn-epochs", "1", "-o", dir.File("r.json")]).Expect(0);
        var json = TinyRuns.Json(dir.File("r.json"));
        CollectionAssert.AreEquivalent(new[] { "lightgbm", "image-cnn" }, json.Select(p => p.Key).ToArray());
        foreach (var (_, c) in json)
            foreach (var arm in new[] { "real", "real-plus-synthetic", "synthetic-only" })
            {
                double a = c!["arms"]![arm]!["accuracy"]![0]!.GetValue<double>();
                Assert.IsTrue(a >= 0 && a <= 1, $"{arm}: {a}");
            }
        Gansdp.Run(["classify", TinyRuns.ConditionalModel, "--classifiers", "nosuch"]).ExpectOneLineError(ExitCodes.Usage, "nosuch");
        Gansdp.Run(["classify", TinyRuns.ConditionalModel, "--seeds", "0,x"]).ExpectOneLineError(ExitCodes.Usage, "--seeds");
        Gansdp.Run(["classify", TinyRuns.ConditionalModel, "-o", dir.File("r.txt")]).ExpectOneLineError(ExitCodes.Usage, ".json");
    }
}
