using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.GanSdp.Tests.Pipeline;

/// <summary>AddSeedColumn: row i gets firstSeed + i, every other column and its annotations pass through, ML.NET's own operations work over it.</summary>
[TestClass]
public sealed class SeedColumnDataViewTests
{
    public sealed class Row
    {
        public string Label { get; set; } = "";
        public float Value { get; set; }
    }

    public sealed class SeededRow
    {
        public uint Label { get; set; }
        public float Value { get; set; }
        public long Seed { get; set; }
    }

    private static IDataView Keyed(MLContext ml, int n)
    {
        var raw = ml.Data.LoadFromEnumerable(Enumerable.Range(0, n).Select(i => new Row { Label = i % 2 == 0 ? "even" : "odd", Value = i * 0.5f }));
        return ml.Transforms.Conversion.MapValueToKey("Label").Fit(raw).Transform(raw);
    }

    [TestMethod]
    public void RowIGetsFirstSeedPlusI_OtherColumnsAndKeyNamesPassThrough()
    {
        var ml = new MLContext(seed: 1);
        var data = Keyed(ml, 7);
        var seeded = ml.Data.AddSeedColumn(data, firstSeed: long.MaxValue - 2);
        Assert.AreEqual(NumberDataViewType.Int64, seeded.Schema["Seed"].Type);
        Assert.AreEqual(data.GetRowCount(), seeded.GetRowCount(), "the input's row count (unknown here)");
        Assert.IsFalse(seeded.CanShuffle);
        var rows = ml.Data.CreateEnumerable<SeededRow>(seeded, reuseRowObject: false).ToArray();
        CollectionAssert.AreEqual(Enumerable.Range(0, 7).Select(i => unchecked(long.MaxValue - 2 + i)).ToArray(), rows.Select(r => r.Seed).ToArray(), "row i gets firstSeed + i (wrapping like ONNX's int64)");
        CollectionAssert.AreEqual(Enumerable.Range(0, 7).Select(i => i * 0.5f).ToArray(), rows.Select(r => r.Value).ToArray());
        CollectionAssert.AreEqual(Enumerable.Range(0, 7).Select(i => (uint)(i % 2) + 1).ToArray(), rows.Select(r => r.Label).ToArray());
        VBuffer<ReadOnlyMemory<char>> names = default;
        seeded.Schema["Label"].GetKeyValues(ref names);
        CollectionAssert.AreEqual(new[] { "even", "odd" }, names.DenseValues().Select(n => n.ToString()).ToArray(), "key names survive");
    }

    [TestMethod]
    public void MlNetOperations_SeeTheSameSeedsOnEveryPass()
    {
        var ml = new MLContext(seed: 1);
        var seeded = ml.Data.AddSeedColumn(Keyed(ml, 50));
        var shuffled = ml.Data.ShuffleRows(seeded, seed: 3);
        var pairs = ml.Data.CreateEnumerable<SeededRow>(shuffled, false).Select(r => (r.Seed, r.Value)).ToArray();
        Assert.IsTrue(pairs.All(p => p.Value == p.Seed * 0.5f), "a shuffle moves each seed with its row");
        CollectionAssert.AreNotEqual(Enumerable.Range(0, 50).Select(i => (long)i).ToArray(), pairs.Select(p => p.Seed).ToArray());
        var taken = ml.Data.TakeRows(seeded, 3).GetColumn<long>("Seed").ToArray();
        CollectionAssert.AreEqual(new long[] { 0, 1, 2 }, taken);
        CollectionAssert.AreEqual(seeded.GetColumn<long>("Seed").ToArray(), seeded.GetColumn<long>("Seed").ToArray(), "every pass numbers the rows the same way");
        using var cursor = seeded.GetRowCursor([seeded.Schema["Value"]]);
        Assert.IsFalse(cursor.IsColumnActive(seeded.Schema["Seed"]));
        Assert.ThrowsExactly<InvalidOperationException>(() => cursor.GetGetter<long>(seeded.Schema["Seed"]));
    }

    [TestMethod]
    public void AnExistingColumnName_IsRefused()
    {
        var ml = new MLContext(seed: 1);
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Data.AddSeedColumn(Keyed(ml, 2), "Value"));
        StringAssert.Contains(e.Message, "already has a column 'Value' (Single)");
    }
}
