using Ml.GanSdp.Training;
using TorchSharp;
using static TorchSharp.torch;

using Ml.GanSdp.Tests.TestSupport;

namespace Ml.GanSdp.Tests.Training;

[TestClass]
public class TensorBatchSourceTests
{
    [TestMethod]
    public void SameGeneratorStateGivesSameBatch()
    {
        using var scope = NewDisposeScope();
        using var source = new TensorBatchSource(arange(0, 100, 1, ScalarType.Float32).reshape(50, 2));
        using var a = new Generator(3);
        using var b = new Generator(3);
        using var first = source.NextBatch(8, a);
        using var again = source.NextBatch(8, b);
        using var second = source.NextBatch(8, a);
        CollectionAssert.AreEqual(new long[] { 8, 2 }, first.Samples.shape);
        Assert.IsTrue(TensorAssert.Equal(first.Samples, again.Samples));
        Assert.IsFalse(TensorAssert.Equal(first.Samples, second.Samples));
        Assert.IsNull(first.Labels);
        CollectionAssert.AreEqual(new long[] { 2 }, source.SampleShape);
    }

    [TestMethod]
    public void LabelsStayAlignedWithSamples()
    {
        using var scope = NewDisposeScope();
        var labels = arange(0, 40, 1, ScalarType.Int64).remainder(4).to(ScalarType.Int64);
        var samples = labels.to(ScalarType.Float32).unsqueeze(1) * 10;
        using var source = new TensorBatchSource(samples, labels, numClasses: 4);
        using var rng = new Generator(1);
        using var batch = source.NextBatch(16, rng);
        var x = batch.Samples.ToArray<float>();
        var y = batch.Labels!.ToArray<long>();
        for (int i = 0; i < 16; i++) Assert.AreEqual(y[i] * 10f, x[i]);
        Assert.AreEqual(4, source.NumClasses);
    }

    [TestMethod]
    public void RejectsBadLabels()
    {
        using var scope = NewDisposeScope();
        var samples = zeros(10, 2);
        Assert.ThrowsExactly<ArgumentException>(() => new TensorBatchSource(samples, zeros(10)));
        Assert.ThrowsExactly<ArgumentException>(() => new TensorBatchSource(samples, arange(9), numClasses: 3));
        Assert.ThrowsExactly<ArgumentException>(() => new TensorBatchSource(samples, arange(10), numClasses: 0));
    }
}
