namespace Ml.GanSdp.Tests.Augmentation;

/// <summary>The per-class allocation of synthetic rows, against hand-computed largest-remainder and even splits.</summary>
[TestClass]
public sealed class SyntheticCountsTests
{
    [TestMethod]
    public void Proportional_IsLargestRemainderOfRatioTimesClassCounts_TotalIsRoundedRatioTimesN()
    {
        // ratio 0.5 over [3, 3, 1]: exact 1.5, 1.5, 0.5 -> floors 1, 1, 0 (2); total round(3.5) = 4 -> two more to the
        // largest fractions, a three-way tie of 0.5 broken to the lowest keys.
        CollectionAssert.AreEqual(new long[] { 2, 2, 0 }, SyntheticCounts.FromRatio([3, 3, 1], 0.5, SyntheticAllocation.Proportional));
        // ratio 1: exact copies.
        CollectionAssert.AreEqual(new long[] { 100, 7, 0, 33 }, SyntheticCounts.FromRatio([100, 7, 0, 33], 1, SyntheticAllocation.Proportional));
        // ratio 0.3 over [10, 5, 2]: exact 3, 1.5, 0.6 -> floors 3, 1, 0; total round(5.1) = 5 -> +1 to the 0.6 class.
        CollectionAssert.AreEqual(new long[] { 3, 1, 1 }, SyntheticCounts.FromRatio([10, 5, 2], 0.3, SyntheticAllocation.Proportional));
        CollectionAssert.AreEqual(new long[] { 0, 0 }, SyntheticCounts.FromRatio([10, 5], 0, SyntheticAllocation.Proportional));
    }

    [TestMethod]
    public void Uniform_SplitsRoundedRatioTimesNEvenly_FirstKeysTakeTheRemainder()
    {
        // total round(0.5 x 7) = 4 over 3 classes: 2, 1, 1.
        CollectionAssert.AreEqual(new long[] { 2, 1, 1 }, SyntheticCounts.FromRatio([3, 3, 1], 0.5, SyntheticAllocation.Uniform));
        // total 140 over 4 classes, whatever the real counts (a class without real rows gets its share too).
        CollectionAssert.AreEqual(new long[] { 35, 35, 35, 35 }, SyntheticCounts.FromRatio([100, 7, 0, 33], 1, SyntheticAllocation.Uniform));
        CollectionAssert.AreEqual(new long[] { 5, 5, 5 }, SyntheticCounts.PerClass(5, 3));
    }

    [TestMethod]
    public void BadArguments_AreRefused()
    {
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => SyntheticCounts.FromRatio([1, 2], double.NaN, SyntheticAllocation.Uniform));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => SyntheticCounts.FromRatio([1, 2], -0.1, SyntheticAllocation.Uniform));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => SyntheticCounts.FromRatio([1, 2], 1e7, SyntheticAllocation.Uniform));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => SyntheticCounts.FromRatio([1, -2], 1, SyntheticAllocation.Uniform));
        Assert.ThrowsExactly<ArgumentException>(() => SyntheticCounts.FromRatio([], 1, SyntheticAllocation.Uniform));
    }
}
