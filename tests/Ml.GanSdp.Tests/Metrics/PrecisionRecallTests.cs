using Ml.GanSdp.Metrics;
using Ml.GanSdp.Serialization;
using Ml.GanSdp.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Tests.Metrics;

[TestClass]
public class PrecisionRecallTests
{
    [TestMethod]
    public void HandCheckableOneDimensionalCase()
    {
        using var scope = NewDisposeScope();
        // k = 1. Real {0, 1, 2, 10}: radii 1, 1, 1, 8. Fake {0.5, 2.5, 5, 20}: radii 2, 2, 2.5, 15.
        // Fakes inside the real manifold: 0.5 (near 0), 2.5 (near 2), 5 (within 8 of 10); 20 is not: precision 3/4.
        // Reals inside the fake manifold: 0, 1, 2 (within 2 of 0.5 or 2.5) and 10 (within 15 of 20): recall 1.
        var real = tensor(new double[] { 0, 1, 2, 10 }, new long[] { 4, 1 });
        var fake = tensor(new double[] { 0.5, 2.5, 5, 20 }, new long[] { 4, 1 });
        TensorAssert.Close(new double[] { 1, 1, 1, 8 }, PrecisionRecall.NearestNeighbourRadii(real, 1).ToArray<double>(), 0, 1e-12, "radii");
        var r = PrecisionRecall.Compute(real, fake, k: 1, batchSize: 3);
        Assert.AreEqual(0.75, r.Precision, 0.0);
        Assert.AreEqual(1.0, r.Recall, 0.0);
    }

    [TestMethod]
    public void MatchesNumpyOnRandomFeaturesWithBatching()
    {
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        manual_seed(31);
        var real = randn(new long[] { 90, 8 }, ScalarType.Float64);
        var fake = randn(new long[] { 70, 8 }, ScalarType.Float64) * 1.5 + 0.5;
        Npy.Save(dir.File("r.npy"), real);
        Npy.Save(dir.File("f.npy"), fake);
        var text = Python.Exec("""
import numpy as np, metrics_oracle
p, r = metrics_oracle.precision_recall(np.load(sys.argv[1] + '/r.npy'), np.load(sys.argv[1] + '/f.npy'), 3)
print(repr(p), repr(r))
""", dir.Path);
        var expected = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(s => double.Parse(s, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var ours = PrecisionRecall.Compute(real, fake, k: 3, batchSize: 16);
        Assert.AreEqual(expected[0], ours.Precision, 0.0, "precision");
        Assert.AreEqual(expected[1], ours.Recall, 0.0, "recall");
        Assert.IsTrue(ours.Precision is > 0 and < 1 && ours.Recall is > 0 and < 1, $"{ours}");
    }

    [TestMethod]
    public void TooFewVectorsForKIsAnError()
    {
        using var scope = NewDisposeScope();
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => PrecisionRecall.Compute(zeros(3, 2), zeros(10, 2), k: 3)).Message, "k + 1");
    }
}
