using Ml.GanSdp.Metrics;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Tests.Metrics;

[TestClass]
public class ModeCoverageTests
{
    [TestMethod]
    public void TrueDistributionCoversEveryModeWithAlmostAllSamplesHighQuality()
    {
        using var g = new Generator(3);
        foreach (var mix in new[] { GaussianMixture2D.Ring8(), GaussianMixture2D.Grid25() })
        {
            using var x = mix.Sample(2500, g);
            var r = ModeCoverage.Evaluate(x, mix);
            Assert.AreEqual(mix.ModeCount, r.ModesCovered, mix.Name);
            // Within 3 std in 2-D: P(chi2_2 <= 9) = 1 - exp(-4.5) = 0.98889.
            Assert.AreEqual(1 - Math.Exp(-4.5), r.HighQualityFraction, 0.01, mix.Name);
        }
    }

    [TestMethod]
    public void CollapsedSamplesCoverOneModeAndFarSamplesAreNotHighQuality()
    {
        var mix = GaussianMixture2D.Ring8();
        // 30 samples exactly on mode 0, 10 on mode 1 (below the 20 threshold), 5 far away.
        var pts = new List<float>();
        for (int i = 0; i < 30; i++) pts.AddRange(new[] { 2f, 0f });
        for (int i = 0; i < 10; i++) pts.AddRange(new[] { (float)(2 * Math.Cos(Math.PI / 4)), (float)(2 * Math.Sin(Math.PI / 4)) });
        for (int i = 0; i < 5; i++) pts.AddRange(new[] { 0f, 0f });
        using var x = tensor(pts.ToArray(), new long[] { 45, 2 });
        var r = ModeCoverage.Evaluate(x, mix);
        Assert.AreEqual(1, r.ModesCovered);
        Assert.AreEqual(40.0 / 45.0, r.HighQualityFraction, 1e-12);
        Assert.AreEqual(30, r.HighQualityPerMode[0]);
        Assert.AreEqual(10, r.HighQualityPerMode[1]);
    }

    [TestMethod]
    public void GridModesAreTheCartesianProductAndRingModesHaveRadiusTwo()
    {
        var grid = GaussianMixture2D.Grid25();
        var set = new HashSet<(double, double)>();
        for (int i = 0; i < 25; i++) set.Add((grid.Means[i, 0], grid.Means[i, 1]));
        foreach (var a in new[] { -4.0, -2, 0, 2, 4 })
            foreach (var b in new[] { -4.0, -2, 0, 2, 4 })
                Assert.IsTrue(set.Contains((a, b)));
        var ring = GaussianMixture2D.Ring8();
        for (int i = 0; i < 8; i++) Assert.AreEqual(2.0, Math.Sqrt(ring.Means[i, 0] * ring.Means[i, 0] + ring.Means[i, 1] * ring.Means[i, 1]), 1e-12);
    }

    [TestMethod]
    public void WrongShapeIsRejected()
    {
        using var x = zeros(10, 3);
        var e = Assert.ThrowsExactly<ArgumentException>(() => ModeCoverage.Evaluate(x, GaussianMixture2D.Ring8()));
        StringAssert.Contains(e.Message, "n x 2");
    }
}
