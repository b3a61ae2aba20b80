using Microsoft.ML.OnnxRuntime;
using Ml.GanSdp.Onnx;

namespace Ml.GanSdp.Tests.Onnx;

/// <summary>
/// The generator-graph conventions: a whole conditional generator from (seed, raw key) against PyTorch with the latent
/// recomputed independently in NumPy; key handling (row k for key k, no -1, out-of-range rejected), the NaN image of a
/// missing label, the pixel-range mapping against exact maths, and the one-row view ML.NET runs.
/// </summary>
[TestClass]
public sealed class GeneratorGraphTests
{
    private const int Latent = 8, Classes = 3, Hidden = 16, Channels = 3;

    private static NamedOnnxValue Seeds(params long[] s) => Ort.Input("Seed", new NdArray<long>(s, [s.Length, 1]));
    private static NamedOnnxValue Keys(params uint[] k) => Ort.Input("Label", new NdArray<uint>(k, [k.Length, 1]));

    [TestMethod]
    public void ConditionalGenerator_FromSeedAndKey_MatchesTorch_WithNumPyLatent()
    {
        long[] seeds = [0, 1, 2, -5, 1234567, long.MaxValue, 7];
        uint[] keys = [1, 2, 3, 1, 2, 3, 0];
        using var oracle = new OracleBatch();
        oracle.Add("gen", "dcgan", new { seed = 11, latent = Latent, hidden = Hidden, channels = Channels, classes = Classes, pixel_range = new[] { 0, 255 } },
            ("seeds", new NdArray<long>(seeds, [seeds.Length])), ("keys", new NdArray<long>(keys.Select(k => (long)k).ToArray(), [keys.Length])));
        oracle.Compute();
        var w = TestGenerator.WeightNames.ToDictionary(k => k, k => oracle.Get<float>("gen", k));
        var model = TestGenerator.Build(w, Latent, Classes, Channels);
        using var session = Ort.Session(model);
        var batch = Ort.RunOne<float>(session, "Image", Seeds(seeds), Keys(keys));
        var expected = oracle.Get<float>("gen");
        double worst = ArrayAssert.Close(expected, batch, atol: 1e-5 * 255, rtol: 0, what: "generator");
        Console.WriteLine($"conditional generator (pixels 0..255): max |ONNX Runtime - PyTorch| = {worst:E2} ({worst / 255:E2} of the range)");
        Assert.IsTrue(batch.Data.Take(6 * 192).All(v => v is >= 0 and <= 255), "pixels in [0, 255]");
        Assert.IsTrue(batch.Data.Skip(6 * 192).All(float.IsNaN), "key 0 (missing label) gives a NaN image");

        // The one-row view (what ML.NET runs) gives each row's image bit for bit.
        using var single = Ort.Session(GeneratorGraph.ToSingleRowModel(model, "Image"));
        for (int i = 0; i < seeds.Length; i++)
        {
            var row = Ort.RunOne<float>(single, "Image", Seeds(seeds[i]), Keys(keys[i]));
            CollectionAssert.AreEqual(new[] { Channels, 8, 8 }, row.Shape);
            ArrayAssert.BitEqual(batch.Data.AsSpan(i * 192, 192).ToArray(), row.Data, $"row {i} alone vs in the batch");
        }
    }

    [TestMethod]
    public void GatherClassRows_KeyKReadsRowK_Key0ReadsZeros_OutOfRangeFails()
    {
        var g = new OnnxGraphBuilder();
        var key = g.AddLabelKeyInput("Label");
        float[] table = [10, 11, 20, 21, 30, 31]; // 3 classes, width 2
        g.AddOutput(g.GatherClassRows("emb", table, 3, key), "rows", OnnxGraphBuilder.Batch, 2);
        using var s = Ort.Session(g.ToBytes());
        var y = Ort.RunOne<float>(s, "rows", Keys(1, 3, 0, 2));
        CollectionAssert.AreEqual(new float[] { 10, 11, 30, 31, 0, 0, 20, 21 }, y.Data);
        var e = Assert.ThrowsExactly<OnnxRuntimeException>(() => Ort.RunOne<float>(s, "rows", Keys(4)));
        StringAssert.Contains(e.Message, "out of", "a key beyond the class count is rejected, not wrapped");
    }

    [TestMethod]
    public void MaskMissingLabels_NaNsExactlyTheKey0Rows()
    {
        var g = new OnnxGraphBuilder();
        var key = g.AddLabelKeyInput("Label");
        var img = g.AddInput("img", OnnxElementType.Float, OnnxGraphBuilder.Batch, 2, 2, 2);
        g.AddOutput(g.MaskMissingLabels(img, key), "y", OnnxGraphBuilder.Batch, 2, 2, 2);
        var x = Rand.Normal(new Random(3), 3, 2, 2, 2);
        using var s = Ort.Session(g.ToBytes());
        var y = Ort.RunOne<float>(s, "y", Keys(2, 0, 1), Ort.Input("img", x));
        ArrayAssert.BitEqual(x.Data[..8], y.Data[..8], "key 2 untouched");
        Assert.IsTrue(y.Data[8..16].All(float.IsNaN), "key 0 all NaN");
        ArrayAssert.BitEqual(x.Data[16..], y.Data[16..], "key 1 untouched");
    }

    [TestMethod]
    public void ScaleTanhToRange_IsTheAffineMap_OntoThePixelRange()
    {
        foreach (var (lo, hi) in new[] { (0f, 255f), (0f, 1f), (-1f, 1f), (-3.5f, 17f) })
        {
            var g = new OnnxGraphBuilder();
            var x = g.AddInput("x", OnnxElementType.Float, OnnxGraphBuilder.Batch);
            g.AddOutput(g.ScaleTanhToRange(x, lo, hi), "y", OnnxGraphBuilder.Batch);
            var xs = Enumerable.Range(0, 2001).Select(i => -1f + i / 1000f).Append(-1f).Append(1f).Append(0f).ToArray();
            using var s = Ort.Session(g.ToBytes());
            var y = Ort.RunOne<float>(s, "y", Ort.Input("x", new NdArray<float>(xs, [xs.Length])));
            var exact = xs.Select(v => (float)(lo + (v + 1.0) / 2 * (hi - lo))).ToArray();
            ArrayAssert.Close(exact, y.Data, 1e-6 * (hi - lo), 0, $"[{lo}, {hi}]");
            Assert.AreEqual(lo, y.Data[^3], $"-1 maps to {lo}");
            Assert.AreEqual(hi, y.Data[^2], $"1 maps to {hi}");
        }
    }

    [TestMethod]
    public void SingleRowModel_DeclaresOneRowAndCHW_RefusesTwoRows_KeepsTheBatchedModelIntact()
    {
        var g = new OnnxGraphBuilder();
        var x = g.AddInput("x", OnnxElementType.Float, OnnxGraphBuilder.Batch, 2, 3, 4);
        var y = g.AddImageOutput(g.Relu(x), "Image", 2, 3, 4);
        g.AddOutput(g.Sigmoid(y), "extra", OnnxGraphBuilder.Batch, 2, 3, 4);
        var batched = g.ToBytes();
        var single = GeneratorGraph.ToSingleRowModel(batched, "Image");
        using var s = Ort.Session(single);
        CollectionAssert.AreEqual(new[] { 1, 2, 3, 4 }, s.InputMetadata["x"].Dimensions);
        CollectionAssert.AreEqual(new[] { 2, 3, 4 }, s.OutputMetadata["Image"].Dimensions);
        CollectionAssert.AreEqual(new[] { "Image" }, s.OutputMetadata.Keys.ToArray(), "other outputs are dropped");
        var two = Rand.Normal(new Random(1), 2, 2, 3, 4);
        var one = new NdArray<float>(two.Data[..24], [1, 2, 3, 4]);
        var r = Ort.RunOne<float>(s, "Image", Ort.Input("x", one));
        CollectionAssert.AreEqual(new[] { 2, 3, 4 }, r.Shape);
        ArrayAssert.BitEqual(one.Data.Select(v => Math.Max(v, 0f)).ToArray(), r.Data, "relu of the row");
        Assert.ThrowsExactly<OnnxRuntimeException>(() => Ort.RunOne<float>(s, "Image", Ort.Input("x", two)));
        using var b = Ort.Session(batched);
        Assert.AreEqual(48, Ort.RunOne<float>(b, "Image", Ort.Input("x", two)).Data.Length, "the batched model still takes N rows");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => GeneratorGraph.ToSingleRowModel(batched, "Nope")).Message, "no output 'Nope'");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => GeneratorGraph.ToSingleRowModel([1, 2, 3], "Image")).Message, "not an ONNX model");
    }

    [TestMethod]
    public void ArgumentChecks()
    {
        var g = new OnnxGraphBuilder();
        var key = g.AddLabelKeyInput("Label");
        var f = g.AddInput("f", OnnxElementType.Float, OnnxGraphBuilder.Batch, 1);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => g.GatherClassRows("t", new float[5], 2, key)).Message, "5 values are not 2 rows");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => g.GatherClassRows("t", new float[4], 2, f)).Message, "int64");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => g.ScaleTanhToRange(f, 1, 1)).Message, "min < max");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => g.MaskMissingLabels(f, f)).Message, "int64");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => g.AddImageOutput(f, "Image", 0, 1, 1)).Message, "positive");
    }
}
