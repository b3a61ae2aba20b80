using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.GanSdp.Tests.Augmentation;

/// <summary>
/// The augmentation-gain / CAS helper on Fashion-MNIST (300 real training rows, 1,000 real test rows, L-BFGS): arm sizes,
/// the real arm equal to a hand-made fit with the same seed, CAS far above chance for a class-faithful generator and
/// far below it for one that draws the next class (so labels follow the generated class and arm (c) sees only synthetic
/// rows), and the statistics' formulas.
/// </summary>
[TestClass]
public sealed class AugmentationEvaluationTests
{
    [TestMethod]
    public void ThreeArms_RealEqualsAHandMadeFit_CasSeparatesFaithfulFromPermutedGenerators()
    {
        using var f = new FashionMnistTemplates();
        var real = f.Ml.Data.Cache(f.Ml.Data.TakeRowsPerClass(f.Train, 30, seed: 3));
        using var faithful = f.Generator();
        using var permuted = f.Generator(shift: 1);
        var options = new AugmentationEvaluationOptions { Seeds = [0, 1], SyntheticRatio = 1 };
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var report = f.Ml.MulticlassClassification.EvaluateAugmentation(real, f.Test, faithful.Transformer, options);
        Console.WriteLine($"faithful generator ({clock.Elapsed.TotalSeconds:F0} s): real {Format(report.Real)}; real + synthetic {Format(report.RealPlusSynthetic)}; synthetic only (CAS) {Format(report.SyntheticOnly)}; gain {report.AugmentationGain:+0.0000;-0.0000} +- {report.AugmentationGainStandardDeviation:F4}");

        Assert.AreEqual(300L, report.Real.TrainingRows);
        Assert.AreEqual(600L, report.RealPlusSynthetic.TrainingRows);
        Assert.AreEqual(300L, report.SyntheticOnly.TrainingRows);
        CollectionAssert.AreEqual(new[] { 0, 1 }, report.Real.Seeds.ToArray());

        // (a) is exactly what one writes by hand with the same seed.
        for (int i = 0; i < 2; i++)
        {
            var ml = new MLContext(seed: i);
            var model = PixelClassifiers.Create(ml, PixelClassifierKind.LbfgsMaximumEntropy, seed: i).Fit(ml.Data.Cache(real));
            Assert.AreEqual(ml.MulticlassClassification.Evaluate(model.Transform(f.Test)).MicroAccuracy, report.Real.MicroAccuracies[i], 0, $"seed {i}");
        }
        Assert.IsTrue(report.ClassificationAccuracyScore > 0.4, $"CAS of the class-mean generator {report.ClassificationAccuracyScore} (chance 0.1)");

        var wrong = f.Ml.MulticlassClassification.EvaluateAugmentation(real, f.Test, permuted.Transformer, options with { Seeds = [0] });
        Console.WriteLine($"generator drawing the next class: CAS {Format(wrong.SyntheticOnly)}");
        Assert.IsTrue(wrong.ClassificationAccuracyScore < 0.1, $"a generator that draws class k + 1 for label k must score below chance on real data; CAS {wrong.ClassificationAccuracyScore}");

        // Statistics.
        var a = report.RealPlusSynthetic.MicroAccuracies;
        Assert.AreEqual((a[0] + a[1]) / 2, report.RealPlusSynthetic.Mean, 1e-15);
        Assert.AreEqual(Math.Abs(a[0] - a[1]) / Math.Sqrt(2), report.RealPlusSynthetic.StandardDeviation, 1e-12);
        Assert.AreEqual((a[0] - report.Real.MicroAccuracies[0] + a[1] - report.Real.MicroAccuracies[1]) / 2, report.AugmentationGain, 1e-15);
        Assert.AreEqual(0, wrong.Real.StandardDeviation, "one seed: no spread");
    }

    private static string Format(AugmentationArmScores s) => $"{string.Join(", ", s.MicroAccuracies.Select(a => a.ToString("F4")))} (mean {s.Mean:F4}, sd {s.StandardDeviation:F4})";

    [TestMethod]
    public void MismatchedTestLabels_AndBadOptions_AreNamed()
    {
        var ml = new MLContext(seed: 1);
        using var dir = new TestSupport.TempDir();
        var train = RealRows.Create(ml, [1, 4, 4], ["a", "b"], [(new float[16], "a"), (new float[16], "b")]);
        var test = RealRows.Create(ml, [1, 4, 4], ["a", "b", "c"], [(new float[16], "a")]);
        using var generator = new TemplateGenerator(ml, [new float[16], new float[16]], [1, 4, 4], 1, train.Schema["Label"], dir.Path);
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.MulticlassClassification.EvaluateAugmentation(train, test, generator.Transformer, new AugmentationEvaluationOptions()));
        StringAssert.Contains(e.Message, "The test data's label column 'Label' is Key<UInt32, 0-2> but the training data's is Key<UInt32, 0-1>");
        Assert.ThrowsExactly<ArgumentException>(() => new AugmentationEvaluationOptions { Seeds = [] }.Validate());
        Assert.ThrowsExactly<ArgumentException>(() => new AugmentationEvaluationOptions { Seeds = [1, 1] }.Validate());
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new AugmentationEvaluationOptions { SyntheticRatio = double.NaN }.Validate());
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new AugmentationEvaluationOptions { SyntheticOnlyRowsPerClass = 0 }.Validate());
    }
}
