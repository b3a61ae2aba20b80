using Ml.GanSdp.Metrics;
using Ml.GanSdp.Serialization;
using Ml.GanSdp.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Tests.Metrics;

[TestClass]
public class GaussianStatisticsTests
{
    [TestMethod]
    public void StreamingStatisticsEqualNumpyMeanAndCovarianceOfTheConcatenatedData()
    {
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        manual_seed(11);
        // float32 batches of unequal sizes (one of a single row) with a large mean: the merge must stay exact.
        var batches = new[] { 37L, 1L, 64L, 5L }.Select(n => randn(n, 8) * 3 + 1000).ToList();
        using var stats = new GaussianStatistics(8);
        foreach (var b in batches) stats.Add(b);
        Assert.AreEqual(107L, stats.SampleCount);
        Npy.Save(dir.File("x.npy"), cat(batches, 0));
        Python.Exec("""
import numpy as np
x = np.load(sys.argv[1] + '/x.npy').astype(np.float64)
np.save(sys.argv[1] + '/mu.npy', x.mean(0)); np.save(sys.argv[1] + '/sigma.npy', np.cov(x, rowvar=False))
""", dir.Path);
        TensorAssert.Close(Npy.Load(dir.File("mu.npy")), stats.Mean(), 1e-12, 1e-12, "mu");
        TensorAssert.Close(Npy.Load(dir.File("sigma.npy")), stats.Covariance(), 1e-9, 1e-9, "sigma");
    }

    [TestMethod]
    public void NpzRoundTripsAndIsReadableByNumpy()
    {
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        manual_seed(12);
        using var stats = GaussianStatistics.FromFeatures(randn(20, 5));
        var path = dir.File("stats.npz");
        stats.Save(path);
        using var back = GaussianStatistics.Load(path);
        Assert.AreEqual(20L, back.SampleCount);
        TensorAssert.Close(stats.Mean(), back.Mean(), 0, 0, "mu");
        TensorAssert.Close(stats.Covariance(), back.Covariance(), 1e-15, 0, "sigma");
        Npy.Save(dir.File("mu.npy"), stats.Mean());
        Npy.Save(dir.File("sigma.npy"), stats.Covariance());
        var text = Python.Exec("""
import numpy as np
f = np.load(sys.argv[1] + '/stats.npz')
assert f['mu'].dtype == np.float64 and f['mu'].shape == (5,) and f['sigma'].shape == (5, 5)
assert np.array_equal(f['mu'], np.load(sys.argv[1] + '/mu.npy')) and np.array_equal(f['sigma'], np.load(sys.argv[1] + '/sigma.npy'))
print(int(f['n']))
""", dir.Path);
        Assert.AreEqual("20", text.Trim());
    }

    [TestMethod]
    public void StatisticsWrittenByNumpyWithoutACountLoad()
    {
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        Python.Exec("""
import numpy as np
rng = np.random.default_rng(0)
x = rng.standard_normal((30, 4))
np.savez(sys.argv[1] + '/ref.npz', mu=x.mean(0), sigma=np.cov(x, rowvar=False))
np.save(sys.argv[1] + '/mu.npy', x.mean(0)); np.save(sys.argv[1] + '/sigma.npy', np.cov(x, rowvar=False))
np.savez(sys.argv[1] + '/bad.npz', mu=x.mean(0))
""", dir.Path);
        using var s = GaussianStatistics.Load(dir.File("ref.npz"));
        Assert.IsNull(s.SampleCount);
        Assert.AreEqual(4, s.Dimension);
        TensorAssert.Close(Npy.Load(dir.File("mu.npy")), s.Mean(), 0, 0, "mu");
        TensorAssert.Close(Npy.Load(dir.File("sigma.npy")), s.Covariance(), 0, 0, "sigma");
        Assert.ThrowsExactly<InvalidOperationException>(() => s.Add(zeros(2, 4)));
        var e = Assert.ThrowsExactly<InvalidDataException>(() => GaussianStatistics.Load(dir.File("bad.npz")));
        StringAssert.Contains(e.Message, "'sigma'");
    }

    [TestMethod]
    public void WrongBatchShapeIsAClearError()
    {
        using var stats = new GaussianStatistics(3);
        using var x = zeros(2, 4);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => stats.Add(x)).Message, "N x 3");
        Assert.ThrowsExactly<InvalidOperationException>(() => stats.Covariance());
    }
}
