using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.GanSdp.Tests.Evaluation;

/// <summary>The deterministic subset of reference statistics: rows floor(i n / m), through ML.NET cursors.</summary>
[TestClass]
public class EvenlySpacedRowsTests
{
    private sealed class Row
    {
        public int Index { get; set; }
    }

    [TestMethod]
    public void SelectsFloorOfINOverMInOrder()
    {
        var ml = new MLContext(seed: 1);
        var source = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 50).Select(i => new Row { Index = i }));
        foreach (var m in new[] { 1, 3, 7, 49, 50 })
        {
            var view = new EvenlySpacedRows(source, 50, m);
            Assert.AreEqual((long)m, view.GetRowCount());
            var got = view.GetColumn<int>("Index").ToArray();
            CollectionAssert.AreEqual(Enumerable.Range(0, m).Select(i => i * 50 / m).ToArray(), got, $"m = {m}");
        }
        // A class-sorted source (5 classes of 10) sampled with m = 5 gets one row of each class.
        var five = new EvenlySpacedRows(source, 50, 5).GetColumn<int>("Index").Select(i => i / 10).ToArray();
        CollectionAssert.AreEqual(new[] { 0, 1, 2, 3, 4 }, five);
        // ML.NET's own operators work over it.
        Assert.AreEqual(2, ml.Data.TakeRows(new EvenlySpacedRows(source, 50, 7), 2).GetColumn<int>("Index").Count());
    }

    [TestMethod]
    public void ACountOutsideTheSourceOrAShortSourceIsAnError()
    {
        var ml = new MLContext(seed: 1);
        var source = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 10).Select(i => new Row { Index = i }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new EvenlySpacedRows(source, 10, 0));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new EvenlySpacedRows(source, 10, 11));
        // Told 20 rows, the source has 10: the cursor says so instead of returning fewer rows silently.
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => new EvenlySpacedRows(source, 20, 4).GetColumn<int>("Index").ToArray());
        StringAssert.Contains(e.Message, "ended after 10 rows");
    }
}
