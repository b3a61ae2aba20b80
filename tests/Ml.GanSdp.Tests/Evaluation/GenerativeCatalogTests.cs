using System.Globalization;
using Microsoft.ML;
using Ml.GanSdp.Features;
using Ml.GanSdp.Metrics;
using Ml.GanSdp.Serialization;
using Ml.GanSdp.Tests.Features;
using Ml.GanSdp.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Tests.Evaluation;

/// <summary>
/// <c>mlContext.Generation().Evaluate</c> in each feature space: the metrics against numpy/scipy on the same features
/// (Oracles/metrics_oracle.py: scipy's sqrtm Frechet distance, the unbiased polynomial MMD, k-NN precision/recall), the
/// names it reports, precomputed statistics on either side, progress, and its errors.
/// </summary>
[TestClass]
public class GenerativeCatalogTests
{
    private static readonly GenerativeEvaluationOptions Small = new() { ImageColumnName = "Pixels", AllowTooFewSamples = true, IntraOpThreads = 1 };

    /// <summary>Fashion-MNIST test images: <paramref name="perClass"/> of each class, skipping the first <paramref name="skip"/> of each.</summary>
    private static IDataView Fashion(MLContext ml, int perClass, int skip)
    {
        var rows = FeatureTestData.FashionMnist(Enumerable.Range(0, 10).ToArray(), skip + perClass)
            .GroupBy(r => r.Label).SelectMany(g => g.Skip(skip)).ToList();
        return FeatureTestData.PixelData(ml, rows, 1, 28, 28);
    }

    /// <summary>numpy/scipy on two feature matrices: "fd kid precision recall".</summary>
    private static double[] NumpyMetrics(TempDir dir, float[][] real, float[][] generated)
    {
        FeatureTestData.SaveNpy(dir.File("real.npy"), real, real.Length, real[0].Length);
        FeatureTestData.SaveNpy(dir.File("generated.npy"), generated, generated.Length, generated[0].Length);
        var text = Python.Exec("""
import numpy as np, metrics_oracle as m
x, y = np.load(sys.argv[1] + '/real.npy'), np.load(sys.argv[1] + '/generated.npy')
fd = m.frechet_distance_sqrtm(x.mean(0), np.cov(x, rowvar=False), y.mean(0), np.cov(y, rowvar=False))
p, r = m.precision_recall(x, y, k=3)
print(repr(float(fd)), repr(float(m.polynomial_mmd2_unbiased(x, y))), repr(float(p)), repr(float(r)))
""", dir.Path);
        return text.Trim().Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
    }

    [TestMethod]
    public void ResNet18MetricsEqualNumpyOnTheSameFeatures()
    {
        using var dir = new TempDir();
        var ml = new MLContext(seed: 1);
        var real = Fashion(ml, 3, 0);
        var generated = Fashion(ml, 3, 3);
        var reports = new List<GenerativeEvaluationProgress>();

        var metrics = ml.Generation().Evaluate(real, generated, Small, new Synchronous<GenerativeEvaluationProgress>(reports.Add));
        Console.WriteLine(metrics);

        Assert.AreEqual("FD (ResNet18)", metrics.DistanceName);
        Assert.AreEqual(ResNet18Model.FeatureSpaceName, metrics.FeatureSpace);
        Assert.AreEqual(30L, metrics.RealSampleCount);
        Assert.AreEqual(30L, metrics.GeneratedSampleCount);
        Assert.AreEqual(30, metrics.RealFeatureSamples);
        Assert.AreEqual(30, metrics.KidSubsetSize); // capped by the 30 vectors per side
        Assert.IsTrue(metrics.Warnings.Any(w => w.Contains("30 samples, fewer than d + 1 = 513")), string.Join(" | ", metrics.Warnings));
        Assert.IsTrue(metrics.Warnings.Any(w => w.Contains("subsets of 30 vectors")), string.Join(" | ", metrics.Warnings));
        CollectionAssert.AreEqual(new[] { ("real", 30L), ("generated", 30L) }, reports.Where(r => r.Rows == 30).Select(r => (r.Side, r.Rows)).ToArray());

        // The same features straight from FeaturizeResNet18, then numpy/scipy.
        var options = new ResNet18FeaturizerOptions { OutputColumnName = "F", InputColumnName = "Pixels", IntraOpThreads = 1 };
        var x = FeatureTestData.Column(ml.Transforms.FeaturizeResNet18(options).Fit(real).Transform(real), "F");
        var y = FeatureTestData.Column(ml.Transforms.FeaturizeResNet18(options).Fit(generated).Transform(generated), "F");
        var expected = NumpyMetrics(dir, x, y);
        Assert.AreEqual(expected[0], metrics.FrechetDistance, 1e-6 * expected[0], "Frechet distance vs scipy");
        // Subsets of all 30 vectors are permutations of the whole sets: every subset's MMD is the whole sets' MMD.
        Assert.AreEqual(expected[1], metrics.KidMean!.Value, 1e-9 * Math.Abs(expected[1]) + 1e-12, "KID vs numpy");
        Assert.AreEqual(0.0, metrics.KidStandardDeviation!.Value, 1e-9 * Math.Abs(expected[1]) + 1e-12, "KID spread over identical subsets");
        Assert.AreEqual(expected[2], metrics.Precision!.Value, 0.0, "precision vs numpy");
        Assert.AreEqual(expected[3], metrics.Recall!.Value, 0.0, "recall vs numpy");
    }

    [TestMethod]
    public void PrecomputedStatisticsOnEitherSideGiveTheSameFrechetDistance()
    {
        using var dir = new TempDir();
        var ml = new MLContext(seed: 1);
        var real = Fashion(ml, 2, 0);
        var generated = Fashion(ml, 2, 2);
        var catalog = ml.Generation();
        var both = catalog.Evaluate(real, generated, Small);

        var realStatistics = catalog.ComputeStatistics(real, Small);
        Assert.AreEqual(ResNet18Model.FeatureSpaceName, realStatistics.FeatureSpace);
        Assert.AreEqual(20L, realStatistics.Count);
        realStatistics.Save(dir.File("real.npz"));
        var loaded = FeatureStatistics.Load(dir.File("real.npz"));
        var fromFile = catalog.Evaluate(loaded, generated, Small);
        Assert.AreEqual(both.FrechetDistance, fromFile.FrechetDistance, 0.0);
        Assert.AreEqual(20L, fromFile.RealSampleCount);
        Assert.IsNull(fromFile.KidMean);
        Assert.IsNull(fromFile.Precision);
        Assert.IsTrue(fromFile.Warnings.Any(w => w.Contains("the real side is precomputed statistics")), string.Join(" | ", fromFile.Warnings));
        var generatedStatistics = catalog.ComputeStatistics(generated, Small);
        Assert.AreEqual(both.FrechetDistance, catalog.Evaluate(real, generatedStatistics, Small).FrechetDistance, 0.0);

        // pytorch-fid's own files name no feature space: accepted, with a warning; another space or dimension is refused.
        NpzArrays.SaveNpz(dir.File("pytorch-fid.npz"), new Dictionary<string, NumpyArray>
        {
            ["mu"] = new(new long[] { 512 }, realStatistics.Mean()), ["sigma"] = new(new long[] { 512, 512 }, realStatistics.Covariance()),
        });
        var unnamed = catalog.Evaluate(FeatureStatistics.Load(dir.File("pytorch-fid.npz")), generated, Small);
        Assert.AreEqual(both.FrechetDistance, unnamed.FrechetDistance, 1e-9 * both.FrechetDistance);
        Assert.IsNull(unnamed.RealSampleCount);
        Assert.IsTrue(unnamed.Warnings.Any(w => w.Contains("do not say their feature space")), string.Join(" | ", unnamed.Warnings));
        loaded.FeatureSpace = "inception-v3-fid-512";
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => catalog.Evaluate(loaded, generated, Small)).Message, "feature space 'inception-v3-fid-512'");
        var small = new FeatureStatistics(4) { FeatureSpace = ResNet18Model.FeatureSpaceName };
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => catalog.Evaluate(small, generated, Small)).Message, "4-d");
    }

    [TestMethod]
    public void InceptionIsTheOnlyFeatureSpaceCalledFid()
    {
        using var dir = new TempDir();
        Python.Run("inception_fid_oracle.py", dir.Path);
        var ml = new MLContext(seed: 1);
        var random = new Random(9);
        IDataView Images(int n) => FeatureTestData.PixelData(ml, Enumerable.Range(0, n).Select(_ => new PixelRow { Pixels = Enumerable.Range(0, 3 * 20 * 20).Select(_ => (float)random.Next(256)).ToArray() }).ToList(), 3, 20, 20);
        var real = Images(6);
        var generated = Images(5);
        var options = Small with { InceptionWeightsPath = dir.File("weights.npz"), InceptionDimension = 64, TempFolder = dir.Path };
        Assert.AreEqual(GenerativeFeatureSpace.Inception, options.ResolvedFeatureSpace);

        var metrics = ml.Generation().Evaluate(real, generated, options);

        Assert.AreEqual("FID", metrics.DistanceName);
        Assert.AreEqual("inception-v3-fid-64", metrics.FeatureSpace);
        Assert.AreEqual(6L, metrics.RealSampleCount);
        Assert.AreEqual(5L, metrics.GeneratedSampleCount);
        Assert.IsNotNull(metrics.KidMean);
        Assert.IsNotNull(metrics.Precision);
        // The same features through FeaturizeInceptionFid give the same statistics and distance.
        using var featurizer = ml.Transforms.FeaturizeInceptionFid(new InceptionFidFeaturizerOptions { OutputColumnName = "F", InputColumnName = "Pixels", WeightsPath = dir.File("weights.npz"), Dimension = 64, IntraOpThreads = 1, TempFolder = dir.Path });
        var a = FeatureStatistics.FromColumn(featurizer.Fit(real).Transform(real), "F");
        var b = FeatureStatistics.FromColumn(featurizer.Fit(generated).Transform(generated), "F");
        Assert.AreEqual(FrechetDistance.Compute(a, b, allowTooFewSamples: true).Distance, metrics.FrechetDistance, 0.0);
        Assert.AreEqual(2, Directory.GetDirectories(dir.Path, "gansdp-onnx-*").Length, "the evaluation's ONNX folders are gone; the featurizer above holds two (network, 3x20x20 input pipeline)");
    }

    [TestMethod]
    public void DomainClassifierFeaturesAreFdClassifier()
    {
        using var dir = new TempDir();
        var ml = new MLContext(seed: 1);
        using var classifier = new DomainClassifier(seed: 1);
        var real = Fashion(ml, 7, 0);       // 70 rows: two classifier batches of 64 and 6
        var generated = Fashion(ml, 7, 7);
        var options = Small with { FeatureSpace = GenerativeFeatureSpace.DomainClassifier, DomainClassifier = classifier };

        var metrics = ml.Generation().Evaluate(real, generated, options);

        Assert.AreEqual("FD (classifier)", metrics.DistanceName);
        Assert.AreEqual(classifier.ExtractorName, metrics.FeatureSpace);
        Assert.AreEqual(70L, metrics.RealSampleCount);
        // Features of all images at once (pixels / 255), then numpy/scipy.
        float[][] Features(IDataView data)
        {
            var pixels = FeatureTestData.Column(data, "Pixels");
            using var images = tensor(pixels.SelectMany(r => r).ToArray(), new long[] { pixels.Length, 1, 28, 28 }) / 255f;
            using var f = classifier.Extract(images);
            return f.data<float>().ToArray().Chunk(classifier.FeatureDimension).ToArray();
        }
        var expected = NumpyMetrics(dir, Features(real), Features(generated));
        Assert.AreEqual(expected[0], metrics.FrechetDistance, 1e-6 * expected[0], "Frechet distance vs scipy");
        Assert.AreEqual(expected[1], metrics.KidMean!.Value, 1e-6 * Math.Abs(expected[1]) + 1e-9, "KID vs numpy (subsets of all 70 vectors)");

        // An MLImage column gives 3 channels: a gray classifier refuses it by name.
        var rgb = FeatureTestData.PixelData(ml, new[] { new PixelRow { Pixels = new float[3 * 28 * 28] } }, 3, 28, 28);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Generation().Evaluate(rgb, generated, options)).Message, "takes 1 x 28 x 28 images");
    }

    [TestMethod]
    public void TooFewSamplesMissingWeightsAndBadColumnsAreClearErrors()
    {
        var ml = new MLContext(seed: 1);
        var catalog = ml.Generation();
        var data = Fashion(ml, 1, 0);
        var strict = Small with { AllowTooFewSamples = false };
        // Refused from the row count, before anything is featurized.
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => catalog.Evaluate(data, data, strict)).Message, "10 rows, fewer than d + 1 = 513");
        // ... before any network is loaded: a missing weights file is not even opened.
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => catalog.Evaluate(data, data, strict with { InceptionWeightsPath = "/nonexistent/pt_inception.pth" })).Message, "fewer than d + 1 = 2049");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => catalog.Evaluate(data, data, strict with { FeatureSpace = GenerativeFeatureSpace.Inception })).Message, "InceptionWeightsPath");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => catalog.Evaluate(data, data, strict with { FeatureSpace = GenerativeFeatureSpace.DomainClassifier })).Message, "needs a trained DomainClassifier");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => catalog.Evaluate(data, data, Small with { KidSubsetSize = 1 }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => catalog.Evaluate(data, data, Small with { PrecisionRecallNeighbors = 0 }));
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => catalog.Evaluate(data, data, Small with { ImageColumnName = "Nope" })).Message, "The real data has no image column 'Nope'");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => catalog.Evaluate(data, data, Small with { ImageColumnName = "Label" })).Message, "image column 'Label' is Int32");
        var wrongScale = FeatureTestData.PixelData(ml, new[] { new PixelRow { Pixels = Enumerable.Repeat(-1f, 784).ToArray() } }, 1, 28, 28);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => catalog.Evaluate(data, wrongScale, Small)).Message, "column 'Pixels' holds the pixel value -1");

        // With too few rows for KID and precision/recall and no allowance: refused after the Frechet distance is known to be defined.
        using var classifier = new DomainClassifier(featureDimension: 2, seed: 1);
        var ten = Fashion(ml, 1, 0);
        var tiny = FeatureTestData.PixelData(ml, FeatureTestData.FashionMnist(new[] { 0 }, 3), 1, 28, 28);
        var options = strict with { FeatureSpace = GenerativeFeatureSpace.DomainClassifier, DomainClassifier = classifier };
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => catalog.Evaluate(ten, tiny, options)).Message, "precision/recall with k = 3 needs more than 3");
        var allowed = catalog.Evaluate(ten, tiny, options with { AllowTooFewSamples = true });
        Assert.IsNotNull(allowed.KidMean);
        Assert.IsNull(allowed.Precision);
        Assert.IsTrue(allowed.Warnings.Any(w => w.Contains("not computed")), string.Join(" | ", allowed.Warnings));
        var skipped = catalog.Evaluate(ten, tiny, options with { MaxFeatureSamples = 0 });
        Assert.IsNull(skipped.KidMean);
        Assert.IsTrue(skipped.Warnings.Any(w => w.Contains("MaxFeatureSamples = 0")));
    }

    /// <summary>Reports on the calling thread.</summary>
    private sealed class Synchronous<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
