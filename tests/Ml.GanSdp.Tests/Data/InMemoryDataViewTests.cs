using Ml.GanSdp.Data;
using Ml.GanSdp.Imaging;
using Ml.GanSdp.Tests.TestSupport;
using static Ml.GanSdp.torch;

namespace Ml.GanSdp.Tests.Data;

[TestClass]
public class InMemoryDataViewTests
{
    private sealed class Row
    {
        public Tensor Image { get; init; } = null!;
        [KeyType(3, ClassNames = new[] { "a", "b", "c" })] public int Label { get; init; }
        [ColumnName("File")] public string Path { get; init; } = "";
        public float Weight { get; init; }
    }

    [TestMethod]
    public void BuilderColumnsComeBackInOrderAndUnchanged()
    {
        using var images = arange(0, 10 * 3 * 2 * 2, 1, ScalarType.Int64);
        using var bytes = images.remainder(256).to(ScalarType.Byte).reshape(10, 3, 2, 2);
        using var labels = tensor(new long[] { 0, 1, 2, 0, 1, 2, 0, 1, 2, 0 });
        using var view = new InMemoryDataViewBuilder()
            .AddImages("Image", bytes)
            .AddKey("Label", labels, new[] { "x", "y", "z" })
            .AddText("Name", Enumerable.Range(0, 10).Select(i => $"n{i}").ToArray())
            .Build();
        Assert.AreEqual("3 columns: Image: Image<Byte, 3x2x2>, Label: Key<int64, 3>, Name: Text", view.Schema.ToString());
        Assert.AreEqual(10L, view.GetRowCount());
        var batches = view.GetBatches(4).ToList();
        try
        {
            CollectionAssert.AreEqual(new[] { 4, 4, 2 }, batches.Select(b => b.Count).ToArray());
            using var all = cat(batches.Select(b => b.GetTensor("Image")).ToArray());
            Assert.IsTrue(equal(bytes, all));
            CollectionAssert.AreEqual(new[] { "n8", "n9" }, batches[2].GetText("Name").ToArray());
            Assert.AreEqual(2, view.GetBatches(4, dropLast: true).Count(b => { b.Dispose(); return true; }));
        }
        finally
        {
            foreach (var b in batches) b.Dispose();
        }
    }

    [TestMethod]
    public void ShuffleIsReproducibleFromTheSeedAndIsTorchRandperm()
    {
        using var values = arange(0, 50, 1, ScalarType.Int64);
        using var view = new InMemoryDataViewBuilder().AddNumbers("X", values).Build();
        long[] Order(long seed)
        {
            var ids = new List<long>();
            foreach (var b in view.GetBatches(7, shuffle: true, seed: seed))
                using (b)
                {
                    CollectionAssert.AreEqual(b.RowIds.ToArray(), b.GetTensor("X").ToArray<long>());
                    ids.AddRange(b.RowIds);
                }
            return ids.ToArray();
        }
        var a = Order(42);
        CollectionAssert.AreEqual(a, Order(42));
        CollectionAssert.AreNotEqual(a, Order(43));
        CollectionAssert.AreEquivalent(Enumerable.Range(0, 50).Select(i => (long)i).ToArray(), a);
        var text = Python.Exec("import torch\nprint(' '.join(str(v) for v in torch.randperm(50, generator=torch.Generator().manual_seed(42)).tolist()))");
        CollectionAssert.AreEqual(text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(long.Parse).ToArray(), a, "PyTorch's RandomSampler order for the seed");
    }

    [TestMethod]
    public void LoadFromEnumerableReflectsPropertiesAndAttributes()
    {
        var rows = Enumerable.Range(0, 5).Select(i => new Row
        {
            Image = full(new long[] { 1, 2, 3 }, i, ScalarType.Byte),
            Label = i % 3,
            Path = $"p{i}",
            Weight = i * 0.5f,
        }).ToList();
        using var view = InMemoryDataView.LoadFromEnumerable(rows);
        foreach (var r in rows) r.Image.Dispose();
        Assert.AreEqual("4 columns: Image: Image<Byte, 1x2x3>, Label: Key<int64, 3>, File: Text, Weight: Float32", view.Schema.ToString());
        CollectionAssert.AreEqual(new[] { "a", "b", "c" }, view.Schema["Label"].KeyValues!.ToArray());
        using var batch = view.GetBatches(5).Single();
        CollectionAssert.AreEqual(new long[] { 0, 1, 2, 0, 1 }, batch.GetTensor("Label").ToArray<long>());
        CollectionAssert.AreEqual(new[] { 0f, 0.5f, 1f, 1.5f, 2f }, batch.GetTensor("Weight").ToArray<float>());
        Assert.AreEqual(4L * 6, batch.GetTensor("Image").narrow(0, 4, 1).to(ScalarType.Int64).sum().item<long>());
        using var one = InMemoryDataView.LoadFromEnumerable(rows.Take(1).Select(r => new { Id = 7L }));
        using var b1 = one.GetBatches(1).Single();
        CollectionAssert.AreEqual(new long[] { 1 }, b1.GetTensor("Id").shape);
    }

    [TestMethod]
    public void InconsistentInputsAreClearErrors()
    {
        using var a = zeros(new long[] { 1, 2, 2 }, ScalarType.Byte);
        using var b = zeros(new long[] { 1, 3, 2 }, ScalarType.Byte);
        var e = Assert.ThrowsExactly<ArgumentException>(() => InMemoryDataView.LoadFromEnumerable(new[] { new { Image = a }, new { Image = b } }));
        StringAssert.Contains(e.Message, "Column 'Image' row 1");
        using var imgs = zeros(new long[] { 3, 3, 2, 2 }, ScalarType.Byte);
        using var labels = tensor(new long[] { 0, 1 });
        var rows = Assert.ThrowsExactly<ArgumentException>(() => new InMemoryDataViewBuilder().AddImages("Image", imgs).AddKey("Label", labels, new[] { "a", "b" }));
        StringAssert.Contains(rows.Message, "2 rows but the columns before it have 3");
        using var big = tensor(new long[] { 0, 5, 1 });
        var key = Assert.ThrowsExactly<ArgumentException>(() => new InMemoryDataViewBuilder().AddKey("Label", big, new[] { "a", "b" }));
        StringAssert.Contains(key.Message, "0..5 outside 0..1");
        using var f = zeros(3, 3, 2, 2);
        Assert.ThrowsExactly<ArgumentException>(() => new InMemoryDataViewBuilder().AddImages("Image", f));
        using var fv = new InMemoryDataViewBuilder().AddImages("Image", f, PixelRange.MinusOneToOne).Build();
        Assert.AreEqual(new ImageDataViewType(3, 2, 2, ScalarType.Float32, PixelRange.MinusOneToOne), fv.Schema["Image"].Type);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => fv.GetBatches(0));
    }

    [TestMethod]
    public void ReadColumnConcatenatesTheFirstRows()
    {
        using var values = arange(0, 10, 1, ScalarType.Int64);
        using var view = new InMemoryDataViewBuilder().AddNumbers("X", values).AddText("T", Enumerable.Repeat("t", 10).ToArray()).Build();
        using var all = view.ReadColumn("X", batchSize: 3);
        Assert.IsTrue(equal(values, all));
        using var some = view.ReadColumn("X", maxRows: 4, batchSize: 3);
        CollectionAssert.AreEqual(new long[] { 0, 1, 2, 3 }, some.ToArray<long>());
        Assert.ThrowsExactly<SchemaException>(() => view.ReadColumn("T"));
        StringAssert.Contains(Assert.ThrowsExactly<SchemaException>(() => view.ReadColumn("Y")).Message, "X: Int64, T: Text");
    }

    [TestMethod]
    public void TheViewOwnsCopiesAndFreesThemOnDispose()
    {
        long before = TensorCounts.Settled();
        var source = ones(4, 2);
        var view = new InMemoryDataViewBuilder().AddTensor("X", source).Build();
        source.fill_(5);
        using (var b = view.GetBatches(4).Single())
        {
            using var sum = b.GetTensor("X").sum();
            Assert.AreEqual(8f, sum.item<float>(), "the view copied the tensor when it was added");
        }
        source.Dispose();
        view.Dispose();
        Assert.AreEqual(before, LiveTensorCount);
        Assert.ThrowsExactly<ObjectDisposedException>(() => view.GetBatches(4).First());
    }
}
