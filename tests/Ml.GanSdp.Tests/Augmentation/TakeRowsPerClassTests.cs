using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.GanSdp.Tests.TestSupport;

namespace Ml.GanSdp.Tests.Augmentation;

/// <summary><c>mlContext.Data.TakeRowsPerClass</c>: the stratified subset against the documented rule computed in Python, its order, columns and errors.</summary>
[TestClass]
public sealed class TakeRowsPerClassTests
{
    private const string Oracle = """
        M = (1 << 64) - 1
        def mix(z):
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
            return z ^ (z >> 31)
        seed, per_class = int(sys.argv[2]), int(sys.argv[3])
        keys = [int(v) for v in open(sys.argv[1]).read().split()]
        chosen = []
        for k in sorted(set(keys) - {0}):
            rows = [r for r, key in enumerate(keys) if key == k]
            rows.sort(key=lambda r: mix((seed + (r + 1) * 0x9E3779B97F4A7C15) & M))
            chosen += rows[:per_class]
        print(" ".join(str(r) for r in sorted(chosen)))
        """;

    [TestMethod]
    public void Subset_IsEachClassesSmallestPriorityRows_InOriginalOrder_WithAllColumns()
    {
        var ml = new MLContext(seed: 1);
        var rng = new Random(3);
        var labels = Enumerable.Range(0, 300).Select(_ => rng.Next(4) switch { 0 => "cat", 1 => "dog", 2 => "bird", _ => "zebra" }).ToArray();
        var data = RealRows.Create(ml, [1, 2, 2], ["cat", "dog", "bird"], labels.Select((l, i) => (new float[] { i, 0, 0, 0 }, l)));
        var keys = data.GetColumn<uint>("Label").ToArray();
        using var dir = new TempDir();
        File.WriteAllText(dir.File("keys.txt"), string.Join(" ", keys));
        foreach (var seed in new long[] { 0, 12345 })
        {
            var expected = Python.Exec(Oracle, dir.File("keys.txt"), seed.ToString(CultureInfo.InvariantCulture), "20").Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray();
            var subset = ml.Data.TakeRowsPerClass(data, 20, seed);
            Assert.AreEqual(60L, subset.GetRowCount());
            CollectionAssert.AreEqual(data.Schema.Select(c => c.Name).ToArray(), subset.Schema.Select(c => c.Name).ToArray());
            var rows = subset.GetColumn<float[]>("Image").Select(i => (int)i[0]).ToArray();
            CollectionAssert.AreEqual(expected, rows, $"seed {seed}");
            CollectionAssert.AreEqual(expected.Select(r => $"real {r}").ToArray(), subset.GetColumn<string>("Note").ToArray());
            var counts = subset.GetColumn<uint>("Label").GroupBy(k => k).OrderBy(g => g.Key).Select(g => (g.Key, g.Count())).ToArray();
            CollectionAssert.AreEqual(new[] { (1u, 20), (2u, 20), (3u, 20) }, counts, "20 of each class, no missing label");
        }
    }

    [TestMethod]
    public void TooFewRowsInAClass_NamesTheClass()
    {
        var ml = new MLContext(seed: 1);
        var data = RealRows.Create(ml, [1, 1, 1], ["cat", "dog"], [([0f], "cat"), ([1f], "cat"), ([2f], "dog")]);
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Data.TakeRowsPerClass(data, 2));
        StringAssert.Contains(e.Message, "Class 'dog' (key 2) of column 'Label' has 1 rows; 2 per class were asked for.");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Data.TakeRowsPerClass(data, 1, labelColumnName: "Note")).Message, "'Note' is String");
    }
}
