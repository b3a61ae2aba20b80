using Ml.GanSdp.Features;
using Ml.GanSdp.Metrics;
using Ml.GanSdp.Serialization;
using Ml.GanSdp.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Tests.Metrics;

[TestClass]
public class FrechetDistanceTests
{
    /// <summary>Features n x d with correlated columns and a mean offset, float64.</summary>
    internal static Tensor Features(long n, long d, long seed, double shift)
    {
        using var g = new Generator(unchecked((ulong)seed), CPU);
        using var z = randn(new[] { n, d }, ScalarType.Float64, generator: g);
        using var mix = randn(new[] { d, d }, ScalarType.Float64, generator: g);
        using var mixed = z.matmul(mix) * 0.3;
        return mixed + shift;
    }

    private static double ScipyDistance(TempDir dir, double[] mu1, double[] s1, double[] mu2, double[] s2)
    {
        long d = mu1.Length;
        NpzArrays.SaveNpz(dir.File("stats.npz"), new Dictionary<string, NumpyArray>
        {
            ["mu1"] = new(new[] { d }, mu1), ["s1"] = new(new[] { d, d }, s1), ["mu2"] = new(new[] { d }, mu2), ["s2"] = new(new[] { d, d }, s2),
        });
        var text = Python.Exec("""
import numpy as np, metrics_oracle
z = np.load(sys.argv[1])
print(repr(metrics_oracle.frechet_distance_sqrtm(z['mu1'], z['s1'], z['mu2'], z['s2'])))
""", dir.File("stats.npz"));
        return double.Parse(text.Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static FeatureStatistics Statistics(long n, long d, long seed, double shift)
    {
        using var features = Features(n, d, seed, shift);
        return TensorFeatureStatistics.FromRows(features);
    }

    private static void AssertMatchesScipy(long n1, long n2, long d, bool expectSingular)
    {
        using var dir = new TempDir();
        var a = Statistics(n1, d, 1, 0.0);
        var b = Statistics(n2, d, 2, 0.2);
        var mu1 = a.Mean(); var s1 = a.Covariance(); var mu2 = b.Mean(); var s2 = b.Covariance();
        double expected = ScipyDistance(dir, mu1, s1, mu2, s2);
        var warnings = new List<string>();
        var r = FrechetDistance.Compute(mu1, s1, mu2, s2, onWarning: warnings.Add);
        Assert.AreEqual(expected, r.Distance, 1e-6 * Math.Abs(expected), $"d^2 = {r.Distance:R}, scipy {expected:R}");
        Assert.IsFalse(r.EpsilonAdded);
        Assert.AreEqual(expectSingular, r.ProductIsSingular, $"rank {r.ProductRank}");
        Assert.AreEqual(expectSingular ? 1 : 0, warnings.Count, string.Join(" | ", warnings));
        CollectionAssert.AreEqual(warnings, r.Warnings.ToList());
        // The statistics overload computes the same number (the rank-deficient pair needs allowTooFewSamples when n <= d).
        var viaStatistics = FrechetDistance.Compute(a, b, allowTooFewSamples: true);
        Assert.AreEqual(r.Distance, viaStatistics.Distance, 0.0);
    }

    [TestMethod]
    public void MatchesPytorchFidSqrtmFormulaOnRandomCovariances() => AssertMatchesScipy(200, 200, 64, expectSingular: false);

    [TestMethod]
    public void MatchesPytorchFidSqrtmFormulaOnARankDeficientPair() => AssertMatchesScipy(40, 50, 64, expectSingular: true);

    [TestMethod]
    public void EqualCovariancesGiveTheSquaredMeanDistanceExactly()
    {
        var a = Statistics(100, 16, 3, 0.0);
        var mu1 = a.Mean();
        var s = a.Covariance();
        var mu2 = mu1.Select((m, i) => m + 0.1 * i).ToArray();
        var diff = mu1.Zip(mu2, (x, y) => (x - y) * (x - y)).Sum();
        var r = FrechetDistance.Compute(mu1, s, mu2, (double[])s.Clone());
        Assert.AreEqual(r.SquaredMeanDistance, r.Distance, 0.0); // the trace terms cancel exactly
        Assert.AreEqual(diff, r.Distance, 1e-14 * diff);          // ||mu1 - mu2||^2 up to summation order
        Assert.AreEqual(16, r.ProductRank);
        Assert.AreEqual(0.0, FrechetDistance.Compute(mu1, s, mu1, s).Distance, 0.0);
    }

    [TestMethod]
    public void TooFewSamplesForTheDimensionIsAnErrorUnlessAllowed()
    {
        var few = Statistics(10, 16, 4, 0.0);
        var many = Statistics(100, 16, 5, 0.0);
        Assert.IsTrue(few.HasTooFewSamples);
        Assert.IsFalse(many.HasTooFewSamples);
        var e = Assert.ThrowsExactly<ArgumentException>(() => FrechetDistance.Compute(many, few));
        StringAssert.Contains(e.Message, "10 samples");
        StringAssert.Contains(e.Message, "d + 1 = 17");
        var r = FrechetDistance.Compute(many, few, allowTooFewSamples: true);
        Assert.IsTrue(double.IsFinite(r.Distance));
        Assert.IsTrue(r.ProductIsSingular);
        Assert.IsTrue(r.Warnings.Any(w => w.Contains("10 samples")), string.Join(" | ", r.Warnings));
    }

    [TestMethod]
    public void StatisticsOfDifferentFeatureSpacesAreNotCompared()
    {
        var a = Statistics(100, 16, 6, 0.0);
        var b = Statistics(100, 16, 7, 0.0);
        a.FeatureSpace = "ResNet18";
        b.FeatureSpace = "InceptionV3Fid-2048";
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => FrechetDistance.Compute(a, b)).Message, "different feature spaces ('ResNet18' and 'InceptionV3Fid-2048')");
        b.FeatureSpace = null; // unknown (e.g. pytorch-fid's own file): compared
        Assert.IsTrue(double.IsFinite(FrechetDistance.Compute(a, b).Distance));
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => FrechetDistance.Compute(a, Statistics(100, 8, 8, 0.0))).Message, "dimensions: 16 and 8");
    }

    [TestMethod]
    public void BadInputsAreClearErrors()
    {
        var mu = new double[4];
        var s = new double[16];
        for (int i = 0; i < 4; i++) s[i * 5] = 1;
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => FrechetDistance.Compute(mu, s, new double[5], s)).Message, "same length");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => FrechetDistance.Compute(mu, s, mu, new double[9])).Message, "4 x 4");
        var bad = Enumerable.Repeat(double.NaN, 16).ToArray();
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => FrechetDistance.Compute(mu, s, mu, bad)).Message, "sigma2");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => FrechetDistance.Compute(Array.Empty<double>(), Array.Empty<double>(), Array.Empty<double>(), Array.Empty<double>())).Message, "d = 0");
    }

    [TestMethod]
    public void TraceSqrtProductOfDiagonalMatricesIsTheSumOfRoots()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new double[] { 4, 0, 0, 9 }, new long[] { 2, 2 });
        var b = tensor(new double[] { 1, 0, 0, 4 }, new long[] { 2, 2 });
        var (trace, rank) = FrechetDistance.TraceSqrtProduct(a, b);
        Assert.AreEqual(2 + 6, trace, 1e-12); // sqrt(4 * 1) + sqrt(9 * 4)
        Assert.AreEqual(2, rank);
        // Singular first matrix: the second one's Cholesky factor is used; both singular: the eigh square root.
        var singular1 = tensor(new double[] { 4, 0, 0, 0 }, new long[] { 2, 2 });
        var singular2 = tensor(new double[] { 0, 0, 0, 9 }, new long[] { 2, 2 });
        Assert.IsNull(FrechetDistance.CholeskyLower(singular1));
        Assert.AreEqual((2.0, 1), FrechetDistance.TraceSqrtProduct(singular1, b)); // sqrt(4 * 1) + sqrt(0 * 4)
        Assert.AreEqual((0.0, 0), FrechetDistance.TraceSqrtProduct(singular1, singular2));
    }
}
