using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.GanSdp.Features;
using Ml.GanSdp.Serialization;
using Ml.GanSdp.Tests.TestSupport;

namespace Ml.GanSdp.Tests.Features;

/// <summary>
/// Streaming float64 mean and covariance against numpy (<c>np.mean</c> of the float64 values,
/// <c>np.cov(x, rowvar=False)</c>) to 1e-10, through an IDataView column, merged, saved for pytorch-fid and loaded.
/// </summary>
[TestClass]
public class FeatureStatisticsTests
{
    private sealed class FeatureRow
    {
        [VectorType(24)]
        public float[] Features { get; set; } = Array.Empty<float>();
    }

    [TestMethod]
    public void ReluLikeFloatFeaturesMatchNumpy()
    {
        // 1000 rows (7 full blocks of 128 and a partial one) of non-negative, skewed features of unequal scales.
        var random = new Random(3);
        var rows = Enumerable.Range(0, 1000).Select(_ => Enumerable.Range(0, 37).Select(j => (float)Math.Max(0, (j + 1) * (random.NextDouble() - 0.3))).ToArray()).ToArray();
        var s = new FeatureStatistics(37);
        foreach (var r in rows) s.Add(r);
        Assert.AreEqual(1000L, s.Count);
        AssertMatchesNumpy(rows.Select(r => r.Select(v => (double)v).ToArray()).ToArray(), s);
    }

    [TestMethod]
    public void ALargeOffsetDoesNotCostPrecision()
    {
        // Values 1e4 + N(0, 1) in float64: a sum-of-squares formula loses about 8 digits here; centring per block and
        // Chan's merge keep numpy's two-pass answer to 1e-10.
        var random = new Random(4);
        var rows = Enumerable.Range(0, 5000).Select(_ => Enumerable.Range(0, 8).Select(j => 1e4 + Gaussian(random) * (1 + j % 3)).ToArray()).ToArray();
        var s = new FeatureStatistics(8);
        foreach (var r in rows) s.Add(r);
        AssertMatchesNumpy(rows, s);
    }

    [TestMethod]
    public void StreamingAColumnReportsProgressAndEqualsAddingRows()
    {
        var ml = new MLContext(seed: 1);
        var random = new Random(5);
        var rows = Enumerable.Range(0, 300).Select(_ => new FeatureRow { Features = Enumerable.Range(0, 24).Select(_ => (float)(random.NextDouble() * 10)).ToArray() }).ToList();
        var reports = new List<long>();

        var s = FeatureStatistics.FromColumn(ml.Data.LoadFromEnumerable(rows), "Features", new SynchronousProgress(reports.Add));

        var direct = new FeatureStatistics(24);
        foreach (var r in rows) direct.Add(r.Features);
        CollectionAssert.AreEqual(direct.Mean(), s.Mean());
        CollectionAssert.AreEqual(direct.Covariance(), s.Covariance());
        CollectionAssert.AreEqual(new long[] { 64, 128, 192, 256, 300 }, reports);
        AssertMatchesNumpy(rows.Select(r => r.Features.Select(v => (double)v).ToArray()).ToArray(), s);
    }

    [TestMethod]
    public void MergingPartsEqualsTheWhole()
    {
        var random = new Random(6);
        var rows = Enumerable.Range(0, 500).Select(_ => Enumerable.Range(0, 6).Select(_ => random.NextDouble() * 3 + 7).ToArray()).ToArray();
        var whole = new FeatureStatistics(6);
        foreach (var r in rows) whole.Add(r);
        var parts = new[] { rows[..1], rows[1..130], rows[130..131], rows[131..] }.Select(part =>
        {
            var p = new FeatureStatistics(6);
            foreach (var r in part) p.Add(r);
            return p;
        }).ToList();
        var merged = new FeatureStatistics(6);
        merged.Add(new FeatureStatistics(6)); // an empty part changes nothing
        foreach (var p in parts) merged.Add(p);

        Assert.AreEqual(500L, merged.Count);
        AssertClose(whole.Mean(), merged.Mean(), 1e-13, "mean");
        AssertClose(whole.Covariance(), merged.Covariance(), 1e-12, "covariance");
    }

    [TestMethod]
    public void SavedStatisticsAreWhatPytorchFidReadsAndLoadBack()
    {
        using var dir = new TempDir();
        var random = new Random(7);
        var rows = Enumerable.Range(0, 50).Select(_ => Enumerable.Range(0, 5).Select(_ => random.NextDouble()).ToArray()).ToArray();
        var s = new FeatureStatistics(5);
        foreach (var r in rows[..30]) s.Add(r);
        var path = dir.File("stats.npz");
        s.Save(path);

        // pytorch-fid: f = np.load(path); m, s = f['mu'][:], f['sigma'][:]
        var printed = Python.Exec("""
import numpy as np
f = np.load(sys.argv[1])
print(sorted(f.files), f['mu'].dtype, f['mu'].shape, f['sigma'].dtype, f['sigma'].shape, int(f['n']))
np.save(sys.argv[1] + '.mu.npy', f['mu']); np.save(sys.argv[1] + '.sigma.npy', f['sigma'])
""", path).Trim();
        Assert.AreEqual("['mu', 'n', 'sigma'] float64 (5,) float64 (5, 5) 30", printed);
        CollectionAssert.AreEqual(s.Mean(), FeatureTestData.LoadRows(path + ".mu.npy", 5)[0]);
        CollectionAssert.AreEqual(s.Covariance(), FeatureTestData.LoadRows(path + ".sigma.npy", 25)[0]);

        var loaded = FeatureStatistics.Load(path);
        Assert.AreEqual(30L, loaded.Count);
        Assert.IsNull(loaded.FeatureSpace);
        CollectionAssert.AreEqual(s.Mean(), loaded.Mean());
        CollectionAssert.AreEqual(s.Covariance(), loaded.Covariance()); // exactly what was saved, until rows are added
        foreach (var r in rows[30..]) { loaded.Add(r); s.Add(r); }
        AssertClose(s.Mean(), loaded.Mean(), 1e-14, "mean after more rows");
        AssertClose(s.Covariance(), loaded.Covariance(), 1e-13, "covariance after more rows");
    }

    [TestMethod]
    public void TheFeatureSpaceIsSavedAsANumpyStringAndLoadsBack()
    {
        using var dir = new TempDir();
        var s = new FeatureStatistics(2) { FeatureSpace = "ResNet18" };
        s.Add(new[] { 1.0, 2.0 });
        s.Add(new[] { 3.0, 5.0 });
        var path = dir.File("stats.npz");
        s.Save(path);
        Assert.AreEqual("ResNet18 2 (2,)", Python.Exec("""
import numpy as np
f = np.load(sys.argv[1])
print(str(f['feature_space']), int(f['n']), f['mu'].shape)
""", path).Trim());
        Assert.AreEqual("ResNet18", FeatureStatistics.Load(path).FeatureSpace);
    }

    [TestMethod]
    public void PytorchFidFilesWithoutACountLoadReadOnly()
    {
        using var dir = new TempDir();
        var path = dir.File("fid.npz");
        // pytorch-fid's own files: mu float32 (np.mean of float32 activations), sigma float64, no n.
        Python.Exec("""
import numpy as np
np.savez_compressed(sys.argv[1], mu=np.array([1.5, -2.0, 0.25], dtype=np.float32), sigma=np.array([[2.0, 0.5, 0], [0.5, 1.0, 0], [0, 0, 3.0]]))
""", path);
        var s = FeatureStatistics.Load(path);
        Assert.IsNull(s.Count);
        CollectionAssert.AreEqual(new[] { 1.5, -2.0, 0.25 }, s.Mean());
        CollectionAssert.AreEqual(new[] { 2.0, 0.5, 0, 0.5, 1.0, 0, 0, 0, 3.0 }, s.Covariance());
        Assert.ThrowsExactly<InvalidOperationException>(() => s.Add(new double[3]));
    }

    [TestMethod]
    public void BadValuesColumnsAndFilesAreReported()
    {
        using var dir = new TempDir();
        var s = new FeatureStatistics(3);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => s.Add(new[] { 1f, float.NaN, 0f })).Message, "Feature 1 is NaN");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => s.Add(new double[4])).Message, "must have 3 values, got 4");
        s.Add(new double[3]);
        StringAssert.Contains(Assert.ThrowsExactly<InvalidOperationException>(() => s.Covariance()).Message, "at least 2 vectors");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new FeatureStatistics(0));

        var ml = new MLContext(seed: 1);
        var bad = new[] { new FeatureRow { Features = new float[24] }, new FeatureRow { Features = Enumerable.Repeat(float.PositiveInfinity, 24).ToArray() } };
        var data = ml.Data.LoadFromEnumerable(bad);
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => FeatureStatistics.FromColumn(data, "Features")).Message, "Row 1 of feature column 'Features'");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => FeatureStatistics.FromColumn(data, "Nope")).Message, "'Nope' not found");
        var text = ml.Data.LoadFromEnumerable(new[] { new { Name = "x" } });
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => FeatureStatistics.FromColumn(text, "Name")).Message, "'Name' is String");

        var noSigma = dir.File("nosigma.npz");
        NpzArrays.SaveNpz(noSigma, new Dictionary<string, NumpyArray> { ["mu"] = new(new long[] { 2 }, new double[2]) });
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => FeatureStatistics.Load(noSigma)).Message, "no 'sigma'");
        var badShape = dir.File("badshape.npz");
        NpzArrays.SaveNpz(badShape, new Dictionary<string, NumpyArray> { ["mu"] = new(new long[] { 2 }, new double[2]), ["sigma"] = new(new long[] { 3, 3 }, new double[9]) });
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => FeatureStatistics.Load(badShape)).Message, "sigma (3, 3)");
    }

    private static void AssertMatchesNumpy(double[][] rows, FeatureStatistics s)
    {
        using var dir = new TempDir();
        int d = rows[0].Length;
        using (var f = File.Create(dir.File("x.npy")))
            NpzArrays.WriteNpy(f, new NumpyArray(new long[] { rows.Length, d }, rows.SelectMany(r => r).ToArray()));
        Python.Exec("""
import numpy as np
x = np.load(sys.argv[1] + '/x.npy')
np.save(sys.argv[1] + '/mu.npy', np.mean(x, axis=0)); np.save(sys.argv[1] + '/sigma.npy', np.cov(x, rowvar=False))
""", dir.Path);
        AssertClose(FeatureTestData.LoadRows(dir.File("mu.npy"), d)[0], s.Mean(), 1e-10, "mean");
        AssertClose(FeatureTestData.LoadRows(dir.File("sigma.npy"), d * d)[0], s.Covariance(), 1e-10, "covariance");
    }

    /// <summary>|actual - expected| &lt;= tolerance · (|expected| + max |expected|) for every element.</summary>
    private static void AssertClose(double[] expected, double[] actual, double tolerance, string what)
    {
        Assert.AreEqual(expected.Length, actual.Length, what);
        double scale = expected.Max(Math.Abs);
        for (int i = 0; i < expected.Length; i++)
            Assert.IsTrue(Math.Abs(actual[i] - expected[i]) <= tolerance * (Math.Abs(expected[i]) + scale), $"{what}[{i}]: {actual[i]:R} vs {expected[i]:R}");
    }

    private static double Gaussian(Random r) => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class SynchronousProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}
