using Ml.GanSdp.Metrics;
using Ml.GanSdp.Serialization;
using Ml.GanSdp.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Tests.Metrics;

[TestClass]
public class KernelInceptionDistanceTests
{
    [TestMethod]
    public void UnbiasedMmdOfAHandCheckableCase()
    {
        using var scope = NewDisposeScope();
        // d = 1, k(a, b) = (ab + 1)^3. X = {0, 1}: off-diagonal k = 1, twice, / (2 * 1) = 1.
        // Y = {1, 2}: k(1, 2) = 27, twice, / 2 = 27. Cross: 1 + 1 + 8 + 27 = 37, 2 * 37 / 4 = 18.5. MMD^2 = 9.5.
        var x = tensor(new double[] { 0, 1 }, new long[] { 2, 1 });
        var y = tensor(new double[] { 1, 2 }, new long[] { 2, 1 });
        Assert.AreEqual(9.5, KernelInceptionDistance.UnbiasedMmd2(x, y), 1e-12);
    }

    [TestMethod]
    public void MatchesNumpyOnRandomFeaturesAndFullSubsetsHaveNoSpread()
    {
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        manual_seed(21);
        var x = randn(new long[] { 60, 16 }, ScalarType.Float64);
        var y = randn(new long[] { 60, 16 }, ScalarType.Float64) * 1.2 + 0.3;
        Npy.Save(dir.File("x.npy"), x);
        Npy.Save(dir.File("y.npy"), y);
        var text = Python.Exec("""
import numpy as np, metrics_oracle
print(repr(metrics_oracle.polynomial_mmd2_unbiased(np.load(sys.argv[1] + '/x.npy'), np.load(sys.argv[1] + '/y.npy'))))
""", dir.Path);
        double expected = double.Parse(text.Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.AreEqual(expected, KernelInceptionDistance.UnbiasedMmd2(x, y), 1e-10 * Math.Abs(expected));
        // Subsets as large as the sets are permutations of them: every estimate is the full one.
        using var g = new Generator(3);
        var r = KernelInceptionDistance.Compute(x.to(ScalarType.Float32), y.to(ScalarType.Float32), subsets: 5, subsetSize: 1000, generator: g);
        Assert.AreEqual(60, r.SubsetSize);
        Assert.AreEqual(expected, r.Mean, 1e-5 * Math.Abs(expected)); // float32 inputs
        Assert.AreEqual(0, r.StandardDeviation, 1e-9 * Math.Abs(expected));
        // Smaller subsets differ from each other.
        var small = KernelInceptionDistance.Compute(x, y, subsets: 20, subsetSize: 10, generator: g);
        Assert.IsTrue(small.StandardDeviation > 0);
        Assert.AreEqual(10, small.SubsetSize);
    }

    [TestMethod]
    public void MismatchedDimensionsAreAnError()
    {
        using var scope = NewDisposeScope();
        Assert.ThrowsExactly<ArgumentException>(() => KernelInceptionDistance.Compute(zeros(5, 3), zeros(5, 4)));
        Assert.ThrowsExactly<ArgumentException>(() => KernelInceptionDistance.Compute(zeros(1, 3), zeros(5, 3)));
    }
}
