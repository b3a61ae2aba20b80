namespace Ml.GanSdp.Tests.Evaluation;

/// <summary>The reservoir sample behind KID and precision/recall: all rows while they fit, then a uniform, seeded sample.</summary>
[TestClass]
public class FeatureSampleTests
{
    [TestMethod]
    public void KeepsEveryRowInOrderWhileTheyFit()
    {
        var sample = new FeatureSample(10, seed: 1);
        for (int i = 0; i < 7; i++) sample.Offer(new double[] { i, -i });
        Assert.AreEqual(7L, sample.Seen);
        CollectionAssert.AreEqual(Enumerable.Range(0, 7).Select(i => (float)i).ToArray(), sample.Rows.Select(r => r[0]).ToArray());
        CollectionAssert.AreEqual(new float[] { 3, -3 }, sample.Rows[3]);
    }

    [TestMethod]
    public void EveryRowIsKeptWithProbabilityCapacityOverCount()
    {
        // 1,000 rows into 100 slots, 2,000 seeds: each row should be kept in 10% of the samples (binomial sd 0.67%).
        const int rows = 1000, capacity = 100, seeds = 2000;
        var kept = new int[rows];
        for (int seed = 0; seed < seeds; seed++)
        {
            var sample = new FeatureSample(capacity, seed);
            for (int i = 0; i < rows; i++) sample.Offer(new double[] { i });
            Assert.AreEqual(capacity, sample.Rows.Count);
            Assert.AreEqual(capacity, sample.Rows.Select(r => r[0]).Distinct().Count(), "a row kept twice");
            foreach (var r in sample.Rows) kept[(int)r[0]]++;
        }
        double Fraction(int from, int to) => kept[from..to].Sum() / (double)((to - from) * seeds);
        foreach (var (from, to) in new[] { (0, 100), (100, 500), (500, 900), (900, 1000) })
            Assert.AreEqual(0.1, Fraction(from, to), 0.004, $"rows {from}..{to}");
        Assert.IsTrue(kept.All(k => k is > 120 and < 290), $"per-row counts range {kept.Min()}..{kept.Max()} (expected 200 +- 5 sd)");
    }

    [TestMethod]
    public void TheSameSeedGivesTheSameSampleAndCapacityZeroKeepsNothing()
    {
        float[][] Run(int seed)
        {
            var s = new FeatureSample(5, seed);
            for (int i = 0; i < 50; i++) s.Offer(new double[] { i });
            return s.Rows.ToArray();
        }
        CollectionAssert.AreEqual(Run(3).Select(r => r[0]).ToArray(), Run(3).Select(r => r[0]).ToArray());
        CollectionAssert.AreNotEqual(Run(3).Select(r => r[0]).ToArray(), Run(4).Select(r => r[0]).ToArray());
        var none = new FeatureSample(0, 1);
        none.Offer(new double[] { 1 });
        Assert.AreEqual(0, none.Rows.Count);
        Assert.AreEqual(1L, none.Seen);
    }
}
