using Ml.GanSdp.Data;
using Ml.GanSdp.Imaging;

namespace Ml.GanSdp.Tests.Data;

[TestClass]
public class DataViewSchemaTests
{
    private static DataViewSchema Sample() => new(new (string, DataViewType, IReadOnlyList<string>?)[]
    {
        ("Image", new ImageDataViewType(3, 32, 32), null),
        ("Label", new KeyDataViewType(2), new[] { "cat", "dog" }),
        ("Path", TextDataViewType.Instance, null),
    });

    [TestMethod]
    public void ColumnsAreNamedTypedAndOrdered()
    {
        var s = Sample();
        Assert.AreEqual(3, s.Count);
        Assert.AreEqual(1, s["Label"].Index);
        Assert.AreEqual(new KeyDataViewType(2), s["Label"].Type);
        CollectionAssert.AreEqual(new[] { "cat", "dog" }, s["Label"].KeyValues!.ToArray());
        Assert.IsNull(s["Path"].KeyValues);
        Assert.AreEqual("3 columns: Image: Image<Byte, 3x32x32>, Label: Key<int64, 2>, Path: Text", s.ToString());
        Assert.IsTrue(s.TryGetColumn("Path", out var p) && p.Type is TextDataViewType);
        Assert.IsFalse(s.HasColumn("Nope"));
    }

    [TestMethod]
    public void AMissingColumnNamesItAndListsTheSchema()
    {
        var e = Assert.ThrowsExactly<SchemaException>(() => Sample().GetColumn("Features"));
        Assert.AreEqual("Features", e.ColumnName);
        StringAssert.Contains(e.Message, "'Features' was not found");
        StringAssert.Contains(e.Message, "Image: Image<Byte, 3x32x32>, Label: Key<int64, 2>, Path: Text");
        Assert.ThrowsExactly<SchemaException>(() => _ = Sample()["Features"]);
    }

    [TestMethod]
    public void AWrongTypeNamesBothTypesAndListsTheSchema()
    {
        var s = Sample();
        Assert.AreSame(s["Image"], s.GetColumn("Image", new ImageDataViewType(3, 32, 32)));
        var e = Assert.ThrowsExactly<SchemaException>(() => s.GetColumn("Image", new ImageDataViewType(3, 32, 32, ScalarType.Float32, PixelRange.MinusOneToOne)));
        StringAssert.Contains(e.Message, "Column 'Image' has type Image<Byte, 3x32x32> but Image<Float32 MinusOneToOne, 3x32x32> is expected");
        StringAssert.Contains(e.Message, "Path: Text");
        var k = s.GetColumn<KeyDataViewType>("Label", "a key");
        Assert.AreEqual(1, k.Index);
        var e2 = Assert.ThrowsExactly<SchemaException>(() => s.GetColumn<ImageDataViewType>("Path", "an image"));
        StringAssert.Contains(e2.Message, "Column 'Path' has type Text but an image is expected");
        var e3 = Assert.ThrowsExactly<SchemaException>(() => s.GetColumn<ImageDataViewType>("Image", "a gray image", t => t.Channels == 1));
        StringAssert.Contains(e3.Message, "a gray image");
    }

    [TestMethod]
    public void InvalidSchemasAreRejected()
    {
        var dup = Assert.ThrowsExactly<ArgumentException>(() => new DataViewSchema(("A", TextDataViewType.Instance), ("A", NumberDataViewType.Single)));
        StringAssert.Contains(dup.Message, "'A' appears twice");
        Assert.ThrowsExactly<ArgumentException>(() => new DataViewSchema(new (string, DataViewType, IReadOnlyList<string>?)[] { ("L", new KeyDataViewType(3), new[] { "a" }) }));
        Assert.ThrowsExactly<ArgumentException>(() => new DataViewSchema(new (string, DataViewType, IReadOnlyList<string>?)[] { ("L", TextDataViewType.Instance, new[] { "a" }) }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new ImageDataViewType(2, 4, 4));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new ImageDataViewType(3, 4, 0));
        Assert.ThrowsExactly<ArgumentException>(() => new ImageDataViewType(3, 4, 4, ScalarType.Float32));
    }

    [TestMethod]
    public void WithColumnReplacesInPlaceOrAppends()
    {
        var s = Sample();
        var replaced = s.WithColumn("Image", new ImageDataViewType(1, 8, 8));
        Assert.AreEqual(0, replaced["Image"].Index);
        Assert.AreEqual(new ImageDataViewType(1, 8, 8), replaced["Image"].Type);
        CollectionAssert.AreEqual(new[] { "cat", "dog" }, replaced["Label"].KeyValues!.ToArray());
        var added = s.WithColumn("Weight", NumberDataViewType.Single);
        Assert.AreEqual(3, added["Weight"].Index);
        Assert.AreEqual(3, s.Count, "the original schema is unchanged");
    }

    [TestMethod]
    public void TypesCompareByValue()
    {
        Assert.AreEqual(new TensorDataViewType(ScalarType.Float32, 2, 3), new TensorDataViewType(ScalarType.Float32, 2, 3));
        Assert.AreNotEqual(new TensorDataViewType(ScalarType.Float32, 2, 3), new TensorDataViewType(ScalarType.Float32, 3, 2));
        Assert.AreNotEqual<DataViewType>(new KeyDataViewType(10), NumberDataViewType.Int64);
        Assert.AreEqual(NumberDataViewType.For(ScalarType.Int64), NumberDataViewType.Int64);
        Assert.IsFalse(new ImageDataViewType(3, 0, 0).HasFixedSize);
        Assert.AreEqual("Image<Byte, 3x?x?>", new ImageDataViewType(3, 0, 0).ToString());
    }
}
