using Ml.GanSdp.Features;
using Ml.GanSdp.Metrics;
using Ml.GanSdp.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Tests.Metrics;

[TestClass]
public class DomainClassifierTests
{
    [TestMethod]
    public void TrainsOnFashionMnistAndItsFeaturesSeparateRealFromNoise()
    {
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        var (trainImages, trainLabels) = FashionMnistSubset.Load(train: true, count: 4000);
        var (testImages, testLabels) = FashionMnistSubset.Load(train: false, count: 1000);
        using var classifier = new DomainClassifier(seed: 1);
        var losses = classifier.Train(trainImages, trainLabels, new DomainClassifierTrainingOptions { Epochs = 2, BatchSize = 64, Seed = 1 });
        Assert.AreEqual(2, losses.Count);
        Assert.IsTrue(losses[1] < losses[0], $"losses {string.Join(", ", losses)}");
        double accuracy = classifier.Evaluate(testImages, testLabels);
        Assert.IsTrue(accuracy > 0.75, $"test accuracy {accuracy}");

        // Frechet distance in the classifier's feature space: two halves of the real test set are close, real vs noise far.
        FeatureStatistics Statistics(Tensor images)
        {
            var s = new FeatureStatistics(classifier.FeatureDimension);
            for (long start = 0; start < images.size(0); start += 128)
                using (var f = classifier.Extract(images.narrow(0, start, Math.Min(128, images.size(0) - start)))) s.AddRows(f);
            return s;
        }
        var realA = Statistics(testImages.narrow(0, 0, 500));
        var realB = Statistics(testImages.narrow(0, 500, 500));
        var noise = Statistics(rand(500, 1, 28, 28));
        double realVsReal = FrechetDistance.Compute(realA, realB).Distance;
        double realVsNoise = FrechetDistance.Compute(realA, noise).Distance;
        Assert.IsTrue(realVsNoise > 10 * realVsReal, $"real/real {realVsReal}, real/noise {realVsNoise}");

        // Streaming statistics in batches equal those of all features at once.
        var direct = TensorFeatureStatistics.FromRows(classifier.Extract(testImages.narrow(0, 0, 500)));
        var expected = direct.Covariance();
        var streamed = realA.Covariance();
        for (int i = 0; i < expected.Length; i++)
            Assert.AreEqual(expected[i], streamed[i], 1e-9 + 1e-9 * Math.Abs(expected[i]), $"streamed covariance [{i}]");

        // Save and load: same features, same recorded accuracy.
        classifier.Save(dir.File("classifier.npz"));
        using var loaded = DomainClassifier.Load(dir.File("classifier.npz"));
        Assert.AreEqual(accuracy, loaded.TestAccuracy);
        Assert.AreEqual(classifier.ExtractorName, loaded.ExtractorName);
        var probe = testImages.narrow(0, 0, 16);
        TensorAssert.Close(classifier.Extract(probe), loaded.Extract(probe), 0, 0, "features after reload");
    }

    [TestMethod]
    public void WrongImageShapeIsAClearError()
    {
        using var classifier = new DomainClassifier();
        using var x = zeros(2, 3, 28, 28);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => classifier.Extract(x)).Message, "N x 1 x 28 x 28");
    }
}
