using Ml.GanSdp.Data;
using static Ml.GanSdp.torch;

namespace Ml.GanSdp.Tests.Data;

[TestClass]
public class DataBatchTests
{
    private static DataViewSchema Schema() => new(("Image", new ImageDataViewType(1, 0, 0)), ("Label", NumberDataViewType.Int64), ("Path", TextDataViewType.Instance));

    [TestMethod]
    public void HoldsStackedRowAndTextColumns()
    {
        using var batch = new DataBatch(Schema(), new long[] { 7, 3 });
        batch.SetTensorRows("Image", new[] { zeros(new long[] { 1, 2, 2 }, ScalarType.Byte), ones(new long[] { 1, 2, 2 }, ScalarType.Byte) });
        batch.SetTensor("Label", tensor(new long[] { 4, 5 }));
        batch.SetText("Path", new[] { "a", "b" });
        Assert.AreEqual(2, batch.Count);
        CollectionAssert.AreEqual(new long[] { 7, 3 }, batch.RowIds.ToArray());
        CollectionAssert.AreEqual(new long[] { 2, 1, 2, 2 }, batch.GetTensor("Image").shape);
        Assert.AreEqual(4L, batch.GetTensor("Image").sum().item<long>());
        Assert.AreEqual(2, batch.GetTensorRows("Label").Count);
        Assert.AreEqual(5L, batch.GetTensorRows("Label")[1].item<long>());
        CollectionAssert.AreEqual(new[] { "a", "b" }, batch.GetText("Path").ToArray());
    }

    [TestMethod]
    public void WrongUsesAreClearErrors()
    {
        using var batch = new DataBatch(Schema(), new long[] { 0, 1 });
        var e = Assert.ThrowsExactly<ArgumentException>(() => batch.SetTensor("Label", tensor(new long[] { 1, 2, 3 })));
        StringAssert.Contains(e.Message, "batch size 2");
        batch.SetText("Path", new[] { "a", "b" });
        var e2 = Assert.ThrowsExactly<SchemaException>(() => batch.GetTensor("Path"));
        StringAssert.Contains(e2.Message, "GetText");
        var e3 = Assert.ThrowsExactly<SchemaException>(() => batch.GetTensor("Nope"));
        StringAssert.Contains(e3.Message, "Image: Image<Byte, 1x?x?>");
        batch.SetTensorRows("Image", new[] { zeros(new long[] { 1, 2, 2 }, ScalarType.Byte), zeros(new long[] { 1, 3, 2 }, ScalarType.Byte) });
        var e4 = Assert.ThrowsExactly<InvalidOperationException>(() => batch.GetTensor("Image"));
        StringAssert.Contains(e4.Message, "1x2x2, 1x3x2");
        var e5 = Assert.ThrowsExactly<SchemaException>(() => batch.Rebind(Schema()));
        Assert.AreEqual("Label", e5.ColumnName);
    }

    [TestMethod]
    public void DisposeFreesEveryTensorAndRebindDropsOldColumns()
    {
        long before = TensorCounts.Settled();
        var batch = new DataBatch(Schema(), new long[] { 0 });
        batch.SetTensorRows("Image", new[] { zeros(new long[] { 1, 2, 2 }, ScalarType.Byte) });
        batch.SetTensor("Label", tensor(new long[] { 1 }, new long[] { 1 }));
        batch.SetText("Path", new[] { "p" });
        _ = batch.GetTensor("Image");
        _ = batch.GetTensorRows("Label");
        batch.SetTensor("Extra", zeros(1, 3));
        batch.Rebind(Schema());
        Assert.IsFalse(batch.HasValue("Extra"));
        batch.Dispose();
        Assert.AreEqual(before, LiveTensorCount);
        Assert.ThrowsExactly<ObjectDisposedException>(() => batch.GetTensor("Label"));
    }
}
