using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.GanSdp.Models;
using Ml.GanSdp.Tests.Onnx;
using Ml.GanSdp.Tests.TestSupport;

namespace Ml.GanSdp.Tests.Pipeline;

using static PipelineTestData;

/// <summary>Schema errors (in schema propagation and in Fit), pixel scale, bad values.</summary>
public sealed partial class GanSdpEstimatorTests
{
    public sealed class IntImageRow { [VectorType(1, 28, 28)] public int[] Image { get; set; } = new int[784]; public long Seed { get; set; } }
    public sealed class VarImageRow { public float[] Image { get; set; } = new float[784]; public long Seed { get; set; } }
    public sealed class FlatImageRow { [VectorType(784)] public float[] Image { get; set; } = new float[784]; public long Seed { get; set; } }
    public sealed class WideImageRow { [VectorType(1, 28, 32)] public float[] Image { get; set; } = new float[28 * 32]; public long Seed { get; set; } }
    public sealed class FourChannelRow { [VectorType(4, 32, 32)] public float[] Image { get; set; } = new float[4 * 32 * 32]; public long Seed { get; set; } }
    public sealed class TextImageRow { public string Image { get; set; } = "x"; public long Seed { get; set; } }
    public sealed class LabelledRow { [VectorType(1, 28, 28)] public float[] Image { get; set; } = new float[784]; public string Label { get; set; } = "a"; public long Seed { get; set; } }
    public sealed class PlainRow { [VectorType(1, 28, 28)] public float[] Image { get; set; } = new float[784]; public long Seed { get; set; } }
    public sealed class IntSeedRow { [VectorType(1, 28, 28)] public float[] Image { get; set; } = new float[784]; public int Seed { get; set; } }

    private static IDataView One<T>(MLContext ml, T row) where T : class => ml.Data.LoadFromEnumerable([row]);

    /// <summary>(case, data, options, expected message parts, also in schema propagation).</summary>
    private static IEnumerable<(string Case, IDataView Data, GanSdpOptions Options, string[] Parts, bool InShape)> SchemaCases(MLContext ml)
    {
        var q = Quick(label: null) with { OutputColumnName = "Generated" };
        yield return ("missing image", One(ml, new FlatImageRow()), q with { InputColumnName = "Pixels" },
            ["image column 'Pixels' is not in the input", "'Image'", "Dimensions [C, H, W]"], true);
        yield return ("Int32 pixels", One(ml, new IntImageRow()), q,
            ["image column 'Image'", "Int32", "Dimensions [C, H, W]"], true);
        yield return ("text", One(ml, new TextImageRow()), q,
            ["image column 'Image' is", "String", "Dimensions [C, H, W]"], true);
        yield return ("unknown size", One(ml, new VarImageRow()), q,
            ["image column 'Image'", "unknown size", "known size"], true);
        yield return ("flat vector", One(ml, new FlatImageRow()), q,
            ["image column 'Image' is Vector<Single, 784>", "Dimensions are [C, H, W] (it has 1 dimension"], false);
        yield return ("non-square", One(ml, new WideImageRow()), q,
            ["image column 'Image' holds [1, 28, 32] images", "Dcgan needs square 28x28, 32x32 or 64x64", "ResizeImages"], false);
        yield return ("size for SNGAN", One(ml, new LabelledRow()), q with { Architecture = Architecture.SnganCnn },
            ["image column 'Image' holds [1, 28, 28] images", "SnganCnn needs 32x32 images"], false);
        yield return ("4 channels", One(ml, new FourChannelRow()), q with { Architecture = Architecture.SnganResNet },
            ["[4, 32, 32]", "SnganResNet needs 32x32 images with 1 or 3 channels"], false);
        yield return ("text label", One(ml, new LabelledRow()), q with { LabelColumnName = "Label" },
            ["label column 'Label'", "String", "a key of UInt32"], true);
        yield return ("missing label", One(ml, new PlainRow()), Quick() with { InputColumnName = "Image" },
            ["label column 'Label' is not in the input", "Key<UInt32>"], true);
        yield return ("Int32 seed", One(ml, new IntSeedRow()), q,
            ["seed column 'Seed'", "Int32", "scalar Int64"], true);
    }

    [TestMethod]
    public void SchemaErrors_NameTheColumnItsTypeAndWhatIsNeeded_InFitAndSchemaPropagation()
    {
        using var dir = new TempDir();
        var ml = new MLContext(seed: 1);
        foreach (var (name, data, options, parts, inShape) in SchemaCases(ml))
        {
            using var estimator = ml.Transforms.TrainGanSdp(options with { TempFolder = dir.Path });
            var fit = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.Fit(data), name);
            foreach (var p in parts) StringAssert.Contains(fit.Message, p, $"{name} (Fit)");
            if (inShape)
            {
                var shape = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.GetOutputSchema(SchemaShapes.Of(data)), name);
                foreach (var p in parts) StringAssert.Contains(shape.Message, p, $"{name} (GetOutputSchema)");
            }
            else estimator.GetOutputSchema(SchemaShapes.Of(data)); // a schema shape has no vector dimensions: only Fit can tell
            Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.ResolveModelOptions(data.Schema), name);
        }
        Assert.AreEqual(0, Directory.GetFileSystemEntries(dir.Path).Length, "no model file was written");
    }

    [TestMethod]
    public void Mlp_TrainsOnAnyImageSize_AndHasNoConditionalVariant()
    {
        using var dir = new TempDir();
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 8).Select(i => new WideImageRow { Seed = i, Image = Enumerable.Range(0, 28 * 32).Select(j => (float)((i * 7 + j) % 256)).ToArray() }));
        var options = Quick(label: null) with { Architecture = Architecture.Mlp, Width = 16, Depth = 2, TempFolder = dir.Path };
        var model = ml.Transforms.TrainGanSdp(options).Fit(data);
        var scored = model.Transform(data);
        CollectionAssert.AreEqual(new[] { 1, 28, 32 }, ((VectorDataViewType)scored.Schema["Generated"].Type).Dimensions.ToArray());
        Assert.IsTrue(Images(scored).All(v => v is >= 0 and <= 255), "the MLP's output is clipped to the pixel range");
        var e = Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.TrainGanSdp(options with { LabelColumnName = "Label" }));
        StringAssert.Contains(e.Message, "Mlp architecture has no class-conditional variant");
    }

    [TestMethod]
    public void PixelScale_MinusOneToOne_GivesExactlyTheTanhOutput_OfTheSameFitOn0To255()
    {
        using var dir = new TempDir();
        var ml = new MLContext(seed: 1);
        var bytes = Rows(16);
        // The same pixels in [-1, 1], rounded exactly as training maps 0..255 onto [-1, 1]: both fits see identical tensors.
        var unit = bytes.Select(r => new PixelRow { Label = r.Label, Image = r.Image.Select(v => PixelRange.Bytes.ToTanhScale(v)).ToArray() }).ToArray();
        IDataView Keyed(PixelRow[] rows) => ml.Data.AddSeedColumn(ml.Transforms.Conversion.MapValueToKey("Label").Fit(ml.Data.LoadFromEnumerable(rows)).Transform(ml.Data.LoadFromEnumerable(rows)));
        var a = Images(ml.Transforms.TrainGanSdp(Quick() with { TempFolder = dir.Path }).Fit(Keyed(bytes)).Transform(Generation(ml, 10, 3)));
        var b = Images(ml.Transforms.TrainGanSdp(Quick() with { TempFolder = dir.Path, InputRange = PixelRange.Tanh }).Fit(Keyed(unit)).Transform(Generation(ml, 10, 3)));
        Assert.IsTrue(b.All(v => v is >= -1 and <= 1), "the generated column comes out in the declared range");
        Assert.IsTrue(b.Any(v => v < 0) && b.Any(v => v > 0));
        ArrayAssert.BitEqual(a, b.Select(v => v * 127.5f + 127.5f).ToArray(), "0..255 output = 127.5 x + 127.5 of the [-1, 1] output, bit for bit");
    }

    [TestMethod]
    public void ValuesOutsideTheRange_AndMissingLabels_FailFitNamingRowColumnAndValue()
    {
        using var dir = new TempDir();
        var ml = new MLContext(seed: 1);
        var rows = Rows(12);
        rows[5].Image[30] = 300f;
        var keys = ml.Transforms.Conversion.MapValueToKey("Label").Fit(ml.Data.LoadFromEnumerable(rows));
        var e = Assert.ThrowsExactly<InvalidDataException>(() => ml.Transforms.TrainGanSdp(Quick() with { TempFolder = dir.Path }).Fit(keys.Transform(ml.Data.LoadFromEnumerable(rows))));
        foreach (var p in new[] { "row 5", "column 'Image'", "300", "index 30 (channel 0, y 1, x 2)", "InputRange [0, 255]" }) StringAssert.Contains(e.Message, p);

        rows[5].Image[30] = float.NaN;
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => ml.Transforms.TrainGanSdp(Quick() with { TempFolder = dir.Path }).Fit(keys.Transform(ml.Data.LoadFromEnumerable(rows)))).Message, "row 5 of column 'Image' holds NaN");

        rows[5].Image[30] = 0;
        rows[7].Label = "zebra"; // a label the key mapping never saw: key 0
        var missing = Assert.ThrowsExactly<InvalidDataException>(() => ml.Transforms.TrainGanSdp(Quick() with { TempFolder = dir.Path }).Fit(keys.Transform(ml.Data.LoadFromEnumerable(rows))));
        foreach (var p in new[] { "row 7", "label column 'Label'", "key 0", "missing label" }) StringAssert.Contains(missing.Message, p);

        var empty = ml.Data.LoadFromEnumerable(Array.Empty<PixelRow>());
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => ml.Transforms.TrainGanSdp(Quick(label: null) with { TempFolder = dir.Path }).Fit(empty)).Message, "no rows");
        Assert.AreEqual(0, Directory.GetFileSystemEntries(dir.Path).Length);
    }
}
