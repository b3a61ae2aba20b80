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

    private static double ScipyDistance(TempDir dir, Tensor mu1, Tensor s1, Tensor mu2, Tensor s2)
    {
        Npy.SaveNpz(dir.File("stats.npz"), new Dictionary<string, Tensor> { ["mu1"] = mu1, ["s1"] = s1, ["mu2"] = mu2, ["s2"] = s2 });
        var text = Python.Exec("""
import numpy as np, metrics_oracle
z = np.load(sys.argv[1])
print(repr(metrics_oracle.frechet_distance_sqrtm(z['mu1'], z['s1'], z['mu2'], z['s2'])))
""", dir.File("stats.npz"));
        return double.Parse(text.Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static void AssertMatchesScipy(long n1, long n2, long d, bool expectSingular)
    {
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        using var a = GaussianStatistics.FromFeatures(Features(n1, d, 1, 0.0));
        using var b = GaussianStatistics.FromFeatures(Features(n2, d, 2, 0.2));
        var mu1 = a.Mean(); var s1 = a.Covariance(); var mu2 = b.Mean(); var s2 = b.Covariance();
        double expected = ScipyDistance(dir, mu1, s1, mu2, s2);
        var warnings = new List<string>();
        var r = FrechetDistance.Compute(mu1, s1, mu2, s2, onWarning: warnings.Add);
        Assert.AreEqual(expected, r.Distance, 1e-6 * Math.Abs(expected), $"d^2 = {r.Distance:R}, scipy {expected:R}");
        Assert.IsFalse(r.EpsilonAdded);
        Assert.AreEqual(expectSingular, r.ProductIsSingular, $"rank {r.ProductRank}");
        Assert.AreEqual(expectSingular ? 1 : 0, warnings.Count, string.Join(" | ", warnings));
        CollectionAssert.AreEqual(warnings, r.Warnings.ToList());
    }

    [TestMethod]
    public void MatchesPytorchFidSqrtmFormulaOnRandomCovariances() => AssertMatchesScipy(200, 200, 64, expectSingular: false);

    [TestMethod]
    public void MatchesPytorchFidSqrtmFormulaOnARankDeficientPair() => AssertMatchesScipy(40, 50, 64, expectSingular: true);

    [TestMethod]
    public void EqualCovariancesGiveTheSquaredMeanDistanceExactly()
    {
        using var scope = NewDisposeScope();
        using var a = GaussianStatistics.FromFeatures(Features(100, 16, 3, 0.0));
        var mu1 = a.Mean();
        var s = a.Covariance();
        var mu2 = mu1 + tensor(Enumerable.Range(0, 16).Select(i => 0.1 * i).ToArray());
        var diff = (mu1 - mu2).square().sum().ToDouble();
        var r = FrechetDistance.Compute(mu1, s, mu2, s.clone());
        Assert.AreEqual(diff, r.Distance, 0.0);
        Assert.AreEqual(16, r.ProductRank);
        Assert.AreEqual(0.0, FrechetDistance.Compute(mu1, s, mu1, s).Distance, 0.0);
    }

    [TestMethod]
    public void TooFewSamplesForTheDimensionIsAnErrorUnlessAllowed()
    {
        using var scope = NewDisposeScope();
        using var few = GaussianStatistics.FromFeatures(Features(10, 16, 4, 0.0));
        using var many = GaussianStatistics.FromFeatures(Features(100, 16, 5, 0.0));
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
    public void BadInputsAreClearErrors()
    {
        using var scope = NewDisposeScope();
        var mu = zeros(new long[] { 4 }, ScalarType.Float64);
        var s = eye(4, dtype: ScalarType.Float64);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => FrechetDistance.Compute(mu, s, zeros(new long[] { 5 }, ScalarType.Float64), s)).Message, "same length");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => FrechetDistance.Compute(mu, s, mu, eye(3, dtype: ScalarType.Float64))).Message, "4 x 4");
        var bad = s.clone();
        bad.fill_(double.NaN);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => FrechetDistance.Compute(mu, s, mu, bad)).Message, "sigma2");
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
