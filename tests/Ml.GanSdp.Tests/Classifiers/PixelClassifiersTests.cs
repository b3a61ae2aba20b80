using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.GanSdp.Tests.Augmentation;
using Ml.GanSdp.Tests.Onnx;

namespace Ml.GanSdp.Tests.Classifiers;

/// <summary>
/// ML.NET's own trainers (L-BFGS and SDCA maximum entropy, LightGbm) and the image CNN, built by
/// <see cref="PixelClassifiers.Create"/>, trained on real + synthetic Fashion-MNIST rows from <c>Augment</c> (500 real,
/// 500 synthetic from a class-mean template generator) and evaluated with <c>MulticlassClassification.Evaluate</c> on
/// 1,000 real test images: accuracy above a stated bound, PredictedLabel = argmax of Score, Save/Load round trip.
/// </summary>
[TestClass]
public sealed class PixelClassifiersTests
{
    [TestMethod]
    [DataRow(PixelClassifierKind.LbfgsMaximumEntropy, 0.75)] // measured 0.780
    [DataRow(PixelClassifierKind.SdcaMaximumEntropy, 0.75)] // measured 0.782
    [DataRow(PixelClassifierKind.LightGbm, 0.72)] // measured 0.752
    [DataRow(PixelClassifierKind.ImageCnn, 0.65)] // measured 0.689 (3 epochs over 1,000 rows)
    public void TrainsOnRealPlusSyntheticPixels_EvaluatesOnRealTestData(PixelClassifierKind kind, double bound)
    {
        using var f = new FashionMnistTemplates();
        using var generator = f.Generator();
        var real = f.Ml.Data.TakeRowsPerClass(f.Train, 50, seed: 2);
        var augmented = f.Ml.Data.Cache(f.Ml.Data.Augment(real, generator.Transformer, new AugmentationOptions { SyntheticRatio = 1, Seed = 5 }));
        Assert.AreEqual(1000L, augmented.GetRowCount());
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var estimator = PixelClassifiers.Create(f.Ml, kind, seed: 1, cnnOptions: new ImageCnnOptions { TempFolder = f.Dir.Path });
        try
        {
            var model = estimator.Fit(augmented);
            var scored = model.Transform(f.Test);
            var metrics = f.Ml.MulticlassClassification.Evaluate(scored);
            Console.WriteLine($"{kind}: fit on 500 real + 500 synthetic rows in {clock.Elapsed.TotalSeconds:F1} s; test accuracy {metrics.MicroAccuracy:F4} (macro {metrics.MacroAccuracy:F4})");
            Assert.IsTrue(metrics.MicroAccuracy > bound, $"{kind}: test accuracy {metrics.MicroAccuracy}");
            var scores = scored.GetColumn<float[]>("Score").ToArray();
            var predicted = scored.GetColumn<uint>("PredictedLabel").ToArray();
            for (int i = 0; i < scores.Length; i++)
                Assert.AreEqual((uint)Array.IndexOf(scores[i], scores[i].Max()) + 1, predicted[i], $"row {i}");

            var zip = f.Dir.File($"{kind}.zip");
            f.Ml.Model.Save(model, augmented.Schema, zip);
            var loaded = f.Ml.Model.Load(zip, out _);
            ArrayAssert.BitEqual(scores.SelectMany(s => s).ToArray(), loaded.Transform(f.Test).GetColumn<float[]>("Score").SelectMany(s => s).ToArray(), $"{kind} after Save/Load");
            (loaded as IDisposable)?.Dispose();
        }
        finally
        {
            (estimator as IDisposable)?.Dispose();
        }
    }

    [TestMethod]
    public void UnknownKind_IsRefused()
        => Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => PixelClassifiers.Create(new MLContext(), (PixelClassifierKind)42));
}
