using Ml.GanSdp.Tests.TestSupport;
using Ml.GanSdp.Metrics;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Tests.Metrics;

/// <summary>The metrics free every temporary tensor: the live native tensor count returns to where it was.</summary>
[TestClass]
public class MetricsOwnershipTests
{
    [TestMethod]
    public void MetricsLeaveNoLiveTensorsBehind()
    {
        manual_seed(41);
        using var real = randn(40, 8);
        using var fake = randn(40, 8);
        using var images = rand(2, 1, 28, 28);
        using var inception = new InceptionV3Fid(64);
        using var classifier = new DomainClassifier();
        // Warm up once (lazily created native state is not a leak), then count.
        Run();
        long before = TensorCounts.Live;
        Run();
        Assert.AreEqual(before, TensorCounts.Live);

        void Run()
        {
            FrechetDistance.Compute(TensorFeatureStatistics.FromRows(real), TensorFeatureStatistics.FromRows(fake));
            KernelInceptionDistance.Compute(real, fake, subsets: 3, subsetSize: 10);
            PrecisionRecall.Compute(real, fake, k: 3, batchSize: 7);
            using (var f = inception.Extract(images)) Assert.AreEqual(64L, f.size(1));
            foreach (var b in inception.Blocks(images, 0)) b.Dispose();
            using (var f = classifier.Extract(images)) Assert.AreEqual(2L, TensorFeatureStatistics.FromRows(f).Count);
        }
    }
}
