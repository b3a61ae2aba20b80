using Microsoft.ML.OnnxRuntime;
using Ml.GanSdp.Onnx;
using Ml.GanSdp.Onnx.Protobuf;
using static Ml.GanSdp.Onnx.OnnxGraphBuilder;

namespace Ml.GanSdp.Tests.Onnx;

/// <summary>
/// Every operator <see cref="OnnxGraphBuilder"/> emits, run in ONNX Runtime and compared with PyTorch 1.13 (or NumPy)
/// through Oracles/onnx_oracle.py (one interpreter start for the class), to 1e-5; plus the builder's model metadata,
/// naming and argument checks.
/// </summary>
[TestClass]
public sealed class OnnxGraphBuilderTests
{
    private static OracleBatch _oracle = null!;
    private static readonly Dictionary<string, Dictionary<string, NdArray<float>>> Inputs = [];

    [ClassInitialize]
    public static void ComputeOracle(TestContext _)
    {
        var rng = new Random(20240611);
        _oracle = new OracleBatch();
        void Case(string name, string op, object? p, params (string Key, NdArray<float> A)[] inputs)
        {
            Inputs[name] = inputs.ToDictionary(i => i.Key, i => i.A);
            _oracle.Add(name, op, p, inputs.Select(i => (i.Key, (object)i.A)).ToArray());
        }
        Case("conv", "conv", new { stride = new[] { 2, 1 }, padding = new[] { 1, 2 }, dilation = new[] { 1, 2 }, groups = 1 },
            ("x", Rand.Normal(rng, 2, 3, 9, 8)), ("w", Rand.Normal(rng, 4, 3, 3, 3)), ("b", Rand.Normal(rng, 4)));
        Case("conv_grouped", "conv", new { stride = new[] { 1, 1 }, padding = new[] { 1, 1 }, dilation = new[] { 1, 1 }, groups = 2 },
            ("x", Rand.Normal(rng, 2, 4, 6, 6)), ("w", Rand.Normal(rng, 6, 2, 3, 3)), ("b", Rand.Normal(rng, 6)));
        Case("convT_k4s2p1", "conv_transpose", new { stride = new[] { 2, 2 }, padding = new[] { 1, 1 }, output_padding = new[] { 0, 0 }, dilation = new[] { 1, 1 }, groups = 1 },
            ("x", Rand.Normal(rng, 2, 5, 4, 4)), ("w", Rand.Normal(rng, 5, 3, 4, 4)), ("b", Rand.Normal(rng, 3)));
        Case("convT_k3s2p1_4to7", "conv_transpose", new { stride = new[] { 2, 2 }, padding = new[] { 1, 1 }, output_padding = new[] { 0, 0 }, dilation = new[] { 1, 1 }, groups = 1 },
            ("x", Rand.Normal(rng, 2, 5, 4, 4)), ("w", Rand.Normal(rng, 5, 3, 3, 3)), ("b", Rand.Normal(rng, 3)));
        Case("convT_k3s2p1op1_4to8", "conv_transpose", new { stride = new[] { 2, 2 }, padding = new[] { 1, 1 }, output_padding = new[] { 1, 1 }, dilation = new[] { 1, 1 }, groups = 1 },
            ("x", Rand.Normal(rng, 2, 5, 4, 4)), ("w", Rand.Normal(rng, 5, 3, 3, 3)), ("b", Rand.Normal(rng, 3)));
        Case("batch_norm", "batch_norm", new { eps = 1e-3 },
            ("x", Rand.Normal(rng, 3, 5, 4, 4)), ("scale", Rand.Uniform(rng, 0.5f, 1.5f, 5)), ("bias", Rand.Normal(rng, 5)),
            ("mean", Rand.Normal(rng, 5)), ("var", Rand.Uniform(rng, 0.2f, 3f, 5)));
        Case("relu", "relu", null, ("x", Rand.Normal(rng, 4, 7)));
        Case("leaky_relu", "leaky_relu", new { alpha = 0.2 }, ("x", Rand.Normal(rng, 4, 7)));
        Case("tanh", "tanh", null, ("x", Rand.Normal(rng, 4, 7)));
        Case("sigmoid", "sigmoid", null, ("x", Rand.Normal(rng, 4, 7)));
        Case("gemm", "linear", null, ("x", Rand.Normal(rng, 3, 5)), ("w", Rand.Normal(rng, 4, 5)), ("b", Rand.Normal(rng, 4)));
        Case("matmul", "matmul", null, ("a", Rand.Normal(rng, 2, 3, 5)), ("b", Rand.Normal(rng, 5, 4)));
        Case("nearest2x", "nearest2x", null, ("x", Rand.Normal(rng, 2, 3, 5, 4)));
        Case("bilinear299", "bilinear", new { size = new[] { 299, 299 } }, ("x", Rand.Normal(rng, 2, 3, 32, 32)));
        Case("bilinear_down", "bilinear", new { size = new[] { 13, 22 } }, ("x", Rand.Normal(rng, 1, 2, 40, 37)));
        Case("max_pool", "max_pool", new { kernel = 3, stride = 2, padding = 1, ceil_mode = false }, ("x", Rand.Normal(rng, 2, 3, 9, 8)));
        Case("max_pool_ceil", "max_pool", new { kernel = 2, stride = 2, padding = 0, ceil_mode = true }, ("x", Rand.Normal(rng, 2, 3, 9, 7)));
        Case("avg_pool_incl", "avg_pool", new { kernel = 3, stride = 2, padding = 1, ceil_mode = false, count_include_pad = true }, ("x", Rand.Normal(rng, 2, 3, 9, 8)));
        Case("avg_pool_excl", "avg_pool", new { kernel = 3, stride = 2, padding = 1, ceil_mode = false, count_include_pad = false }, ("x", Rand.Normal(rng, 2, 3, 9, 8)));
        Case("global_avg_pool", "global_avg_pool", null, ("x", Rand.Normal(rng, 2, 3, 5, 6)));
        Case("clip", "clip", new { min = -0.5, max = 0.75 }, ("x", Rand.Normal(rng, 3, 8)));
        var logits = Rand.Normal(rng, 5, 7);
        for (int i = 0; i < logits.Data.Length; i++) logits.Data[i] *= 8; // spread: probabilities from ~1e-20 to ~1
        Case("softmax", "softmax", new { dim = 1 }, ("x", logits));
        Case("softmax_dim0", "softmax", new { dim = 0 }, ("x", logits));
        var ties = new NdArray<float>([1f, 3, 3, 0, 5, 5, 5, 5, -1, -1, -2, -3], [3, 4]); // row maxima tied: the first index wins
        Case("argmax", "argmax", new { dim = 1 }, ("x", ties));
        Case("elementwise", "elementwise", null, ("a", Rand.Normal(rng, 2, 3, 1)), ("b", Rand.Uniform(rng, 0.5f, 2f, 3, 4)));
        Case("unary_math", "unary_math", null, ("x", Rand.Uniform(rng, 0.01f, 9f, 3, 11)));
        Case("shapes", "shapes", null, ("x", Rand.Normal(rng, 2, 3, 4, 5)));
        var idx = new NdArray<long>([2, 0, -1, 1, 3, 2], [2, 3]);
        Inputs["gather"] = new() { ["data"] = Rand.Normal(rng, 4, 5) };
        _oracle.Add("gather", "gather", null, ("data", Inputs["gather"]["data"]), ("idx", idx));
        Case("cast", "cast", null, ("x", Rand.Uniform(rng, -20f, 20f, 4, 6)));
        var z = Rand.Normal(rng, 3, 8);
        Inputs["dcgan_z"] = new() { ["z"] = z };
        _oracle.Add("dcgan", "dcgan", new { seed = 7, latent = 8, hidden = 16, channels = 3 }, ("z", z));
        _oracle.Compute();
    }

    [ClassCleanup]
    public static void Cleanup() => _oracle?.Dispose();

    private static NdArray<float> In(string name, string key = "x") => Inputs[name][key];

    /// <summary>Builds a graph with float input "x" of the case's shape and output f(x), runs it, compares with the oracle.</summary>
    private static double Check(string name, Func<OnnxGraphBuilder, OnnxValue, OnnxValue> f, double atol = 1e-5)
    {
        var x = In(name);
        var g = new OnnxGraphBuilder();
        var input = g.AddInput("x", OnnxElementType.Float, [Batch, .. x.Shape.Skip(1).Select(d => (long)d)]);
        var expected = _oracle.Get<float>(name);
        g.AddOutput(f(g, input), "y", [Batch, .. expected.Shape.Skip(1).Select(d => (long)d)]);
        var y = Ort.Run(g.ToBytes(), Ort.Input("x", x))["y"];
        double worst = ArrayAssert.Close(expected, y, atol, 1e-5, name);
        Console.WriteLine($"{name}: max |ONNX Runtime - oracle| = {worst:E2}");
        return worst;
    }

    private static OnnxValue Weight(OnnxGraphBuilder g, string name, string key) { var a = In(name, key); return g.AddInitializer(key, a.Data, a.Shape.Select(d => (long)d).ToArray()); }

    [TestMethod]
    public void Conv_MatchesTorchConv2d_WithStridePaddingDilation()
        => Check("conv", (g, x) => g.Conv(x, Weight(g, "conv", "w"), Weight(g, "conv", "b"), strides: [2, 1], pads: [1, 2, 1, 2], dilations: [1, 2]));

    [TestMethod]
    public void Conv_Grouped_MatchesTorch()
        => Check("conv_grouped", (g, x) => g.Conv(x, Weight(g, "conv_grouped", "w"), Weight(g, "conv_grouped", "b"), pads: [1, 1, 1, 1], group: 2));

    [TestMethod]
    public void ConvTranspose_Stride2Pad1Kernel4_DoublesSize_MatchesTorch()
    {
        Check("convT_k4s2p1", (g, x) => g.ConvTranspose(x, Weight(g, "convT_k4s2p1", "w"), Weight(g, "convT_k4s2p1", "b"), strides: [2, 2], pads: [1, 1, 1, 1]));
        CollectionAssert.AreEqual(new[] { 2, 3, 8, 8 }, _oracle.Get<float>("convT_k4s2p1").Shape);
    }

    [TestMethod]
    public void ConvTranspose_Kernel3_4To7_And_OutputPadding_4To8_MatchTorch()
    {
        Check("convT_k3s2p1_4to7", (g, x) => g.ConvTranspose(x, Weight(g, "convT_k3s2p1_4to7", "w"), Weight(g, "convT_k3s2p1_4to7", "b"), strides: [2, 2], pads: [1, 1, 1, 1]));
        CollectionAssert.AreEqual(new[] { 2, 3, 7, 7 }, _oracle.Get<float>("convT_k3s2p1_4to7").Shape);
        Check("convT_k3s2p1op1_4to8", (g, x) => g.ConvTranspose(x, Weight(g, "convT_k3s2p1op1_4to8", "w"), Weight(g, "convT_k3s2p1op1_4to8", "b"), strides: [2, 2], pads: [1, 1, 1, 1], outputPadding: [1, 1]));
        CollectionAssert.AreEqual(new[] { 2, 3, 8, 8 }, _oracle.Get<float>("convT_k3s2p1op1_4to8").Shape);
    }

    [TestMethod]
    public void BatchNormalization_InferenceMode_MatchesTorchEval()
        => Check("batch_norm", (g, x) => g.BatchNormalization(x, Weight(g, "batch_norm", "scale"), Weight(g, "batch_norm", "bias"),
            Weight(g, "batch_norm", "mean"), Weight(g, "batch_norm", "var"), epsilon: 1e-3f));

    [TestMethod]
    public void Activations_MatchTorch()
    {
        Check("relu", (g, x) => g.Relu(x));
        Check("leaky_relu", (g, x) => g.LeakyRelu(x, 0.2f));
        Check("tanh", (g, x) => g.Tanh(x));
        Check("sigmoid", (g, x) => g.Sigmoid(x));
    }

    [TestMethod]
    public void Gemm_WithTransB_IsTorchLinear_And_MatMul_Broadcasts()
    {
        Check("gemm", (g, x) => g.Gemm(x, Weight(g, "gemm", "w"), Weight(g, "gemm", "b"), transB: true));
        var g2 = new OnnxGraphBuilder();
        var a = g2.AddInput("a", OnnxElementType.Float, Batch, 3, 5);
        g2.AddOutput(g2.MatMul(a, Weight(g2, "matmul", "b")), "y", Batch, 3, 4);
        var y = Ort.Run(g2.ToBytes(), Ort.Input("a", In("matmul", "a")))["y"];
        ArrayAssert.Close(_oracle.Get<float>("matmul"), y, what: "matmul");
    }

    [TestMethod]
    public void ResizeNearest_Scale2_IsTorchInterpolateNearest()
        => Assert.AreEqual(0.0, Check("nearest2x", (g, x) => g.ResizeNearest(x, 2, 2)), "nearest up-sampling copies values exactly");

    [TestMethod]
    public void ResizeBilinear_To299_And_Downsampling_AreTorchBilinearAlignCornersFalse()
    {
        Check("bilinear299", (g, x) => g.ResizeBilinear(x, 299, 299));
        Check("bilinear_down", (g, x) => g.ResizeBilinear(x, 13, 22));
    }

    [TestMethod]
    public void MaxPool_MatchesTorch_IncludingCeilMode()
    {
        Check("max_pool", (g, x) => g.MaxPool(x, [3, 3], strides: [2, 2], pads: [1, 1, 1, 1]));
        Check("max_pool_ceil", (g, x) => g.MaxPool(x, [2, 2], strides: [2, 2], ceilMode: true));
    }

    [TestMethod]
    public void AveragePool_CountIncludePad_BothSettings_MatchTorch()
    {
        Check("avg_pool_incl", (g, x) => g.AveragePool(x, [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], countIncludePad: true));
        Check("avg_pool_excl", (g, x) => g.AveragePool(x, [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], countIncludePad: false));
        var incl = _oracle.Get<float>("avg_pool_incl").Data;
        var excl = _oracle.Get<float>("avg_pool_excl").Data;
        Assert.IsTrue(incl.Zip(excl).Any(p => Math.Abs(p.First - p.Second) > 1e-3), "the two padding counts must differ at the border");
    }

    [TestMethod]
    public void GlobalAveragePool_And_Clip_MatchTorch()
    {
        Check("global_avg_pool", (g, x) => g.GlobalAveragePool(x));
        Check("clip", (g, x) => g.Clip(x, -0.5f, 0.75f));
    }

    [TestMethod]
    public void Softmax_IsTorchSoftmax_OnEitherAxis()
    {
        Check("softmax", (g, x) => g.Softmax(x, 1));
        Check("softmax_dim0", (g, x) => g.Softmax(x, 0));
    }

    [TestMethod]
    public void ArgMax_DropsTheAxis_TiesGoToTheFirstIndex_LikeTorchArgmax()
    {
        var g = new OnnxGraphBuilder();
        var x = g.AddInput("x", OnnxElementType.Float, Batch, 4);
        g.AddOutput(g.ArgMax(x, 1), "y", Batch);
        using var s = Ort.Session(g.ToBytes());
        var y = Ort.RunOne<long>(s, "y", Ort.Input("x", In("argmax")));
        var expected = _oracle.Get<long>("argmax");
        CollectionAssert.AreEqual(new long[] { 1, 0, 0 }, expected.Data, "torch.argmax takes the first of tied maxima");
        CollectionAssert.AreEqual(expected.Data, y.Data);
        CollectionAssert.AreEqual(new[] { 3 }, y.Shape);
        var k = new OnnxGraphBuilder();
        var kx = k.AddInput("x", OnnxElementType.Float, Batch, 4);
        k.AddOutput(k.ArgMax(kx, 1, keepDims: true), "y", Batch, 1);
        using var ks = Ort.Session(k.ToBytes());
        CollectionAssert.AreEqual(new[] { 3, 1 }, Ort.RunOne<long>(ks, "y", Ort.Input("x", In("argmax"))).Shape);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => k.ArgMax(k.Cast(kx, OnnxElementType.Int64), 1)).Message, "ArgMax: x");
    }

    [TestMethod]
    public void ElementwiseArithmetic_Broadcasts_LikeTorch()
    {
        var g = new OnnxGraphBuilder();
        var a = g.AddInput("a", OnnxElementType.Float, 2, 3, 1);
        var b = g.AddInput("b", OnnxElementType.Float, 3, 4);
        var parts = new[] { g.Add(a, b), g.Sub(a, b), g.Mul(a, b), g.Div(a, b) }.Select(v => g.Unsqueeze(v, 0)).ToArray();
        g.AddOutput(g.Concat(0, parts), "y", 4, 2, 3, 4);
        var y = Ort.Run(g.ToBytes(), Ort.Input("a", In("elementwise", "a")), Ort.Input("b", In("elementwise", "b")))["y"];
        ArrayAssert.Close(_oracle.Get<float>("elementwise"), y, what: "elementwise");
    }

    [TestMethod]
    public void LogSqrtSinCos_MatchTorch()
    {
        var x = In("unary_math");
        var g = new OnnxGraphBuilder();
        var v = g.AddInput("x", OnnxElementType.Float, 3, 11);
        var parts = new[] { g.Log(v), g.Sqrt(v), g.Sin(v), g.Cos(v) }.Select(p => g.Unsqueeze(p, 0)).ToArray();
        g.AddOutput(g.Concat(0, parts), "y", 4, 3, 11);
        ArrayAssert.Close(_oracle.Get<float>("unary_math"), Ort.Run(g.ToBytes(), Ort.Input("x", x))["y"], what: "unary");
    }

    [TestMethod]
    public void ShapeOps_ReshapeFlattenTransposeConcatUnsqueezeSlice_MatchTorch()
    {
        var g = new OnnxGraphBuilder();
        var v = g.AddInput("x", OnnxElementType.Float, 2, 3, 4, 5);
        (OnnxValue Value, int[] Shape)[] outs =
        [
            (g.Reshape(v, 0, -1), [2, 60]),
            (g.Flatten(v, 1), [2, 60]),
            (g.Transpose(v, 0, 2, 3, 1), [2, 4, 5, 3]),
            (g.Concat(1, v, g.Mul(v, g.Scalar(2f))), [2, 6, 4, 5]),
            (g.Unsqueeze(v, 1, 5), [2, 1, 3, 4, 5, 1]),
            (g.Slice(v, [1, 0, -2], [3, long.MaxValue, long.MaxValue], [1, 2, 3], [1, 2, 1]), [2, 2, 2, 2]),
        ];
        for (int i = 0; i < outs.Length; i++) g.AddOutput(outs[i].Value, $"y{i}", outs[i].Shape.Select(d => (long)d).ToArray());
        var y = Ort.Run(g.ToBytes(), Ort.Input("x", In("shapes")));
        for (int i = 0; i < outs.Length; i++) CollectionAssert.AreEqual(outs[i].Shape, y[$"y{i}"].Shape, $"y{i} shape");
        var all = Enumerable.Range(0, outs.Length).SelectMany(i => y[$"y{i}"].Data).ToArray();
        ArrayAssert.Close(_oracle.Get<float>("shapes").Data, all, 0, 0, "shape ops move values exactly");
    }

    [TestMethod]
    public void Gather_ReadsRows_NegativeIndexIsLastRow_LikeTorchIndexing()
    {
        var g = new OnnxGraphBuilder();
        var data = g.AddInput("data", OnnxElementType.Float, 4, 5);
        var idx = g.AddInitializer("idx", new long[] { 2, 0, -1, 1, 3, 2 }, 2, 3);
        g.AddOutput(g.Gather(data, idx), "y", 2, 3, 5);
        var y = Ort.Run(g.ToBytes(), Ort.Input("data", In("gather", "data")))["y"];
        ArrayAssert.Close(_oracle.Get<float>("gather"), y, 0, 0, "gather");
    }

    [TestMethod]
    public void Cast_FloatToInt64_TruncatesLikeTorch_And_Identity_Copies()
    {
        var g = new OnnxGraphBuilder();
        var x = g.AddInput("x", OnnxElementType.Float, 4, 6);
        g.AddOutput(g.Cast(g.Identity(x), OnnxElementType.Int64), "y", 4, 6);
        using var s = Ort.Session(g.ToBytes());
        var y = Ort.RunOne<long>(s, "y", Ort.Input("x", In("cast")));
        CollectionAssert.AreEqual(_oracle.Get<long>("cast").Data, y.Data);
    }

    [TestMethod]
    public void TinyDcgan_ConvTransposeBnReluConvTransposeTanh_MatchesTorchEval()
    {
        var w = new[] { "w1", "b1", "gamma", "beta", "mean", "var", "w2", "b2" }.ToDictionary(k => k, k => _oracle.Get<float>("dcgan", k));
        var g = new OnnxGraphBuilder();
        OnnxValue W(string k) => g.AddInitializer(k, w[k].Data, w[k].Shape.Select(d => (long)d).ToArray());
        var z = g.AddInput("z", OnnxElementType.Float, Batch, 8);
        var h = g.ConvTranspose(g.Reshape(z, 0, 8, 1, 1), W("w1"), W("b1"));
        h = g.Relu(g.BatchNormalization(h, W("gamma"), W("beta"), W("mean"), W("var")));
        var img = g.Tanh(g.ConvTranspose(h, W("w2"), W("b2"), strides: [2, 2], pads: [1, 1, 1, 1]));
        g.AddOutput(img, "img", Batch, 3, 8, 8);
        var y = Ort.Run(g.ToBytes(), Ort.Input("z", Inputs["dcgan_z"]["z"]))["img"];
        double worst = ArrayAssert.Close(_oracle.Get<float>("dcgan"), y, what: "dcgan");
        Console.WriteLine($"tiny DCGAN: max |ONNX Runtime - PyTorch| = {worst:E2}");
    }

    // ---------------------------------------------------------------- model metadata, names, argument checks

    [TestMethod]
    public void ToBytes_WritesIrVersionOpsetProducerDocAndMetadata()
    {
        var g = new OnnxGraphBuilder("gen") { ProducerName = "test-producer", ProducerVersion = "9.9", DocString = "a tiny graph" };
        g.SetMetadata("gansdp.latent_size", "8");
        g.SetMetadata("gansdp.latent_size", "16");
        g.SetMetadata("other", "x");
        var x = g.AddInput("x", OnnxElementType.Float, Batch, 2);
        g.AddOutput(g.Relu(x), "y", Batch, 2);
        var m = ModelProto.Parser.ParseFrom(g.ToBytes());
        Assert.AreEqual(IrVersion, m.IrVersion);
        Assert.AreEqual(Opset, m.OpsetImport.Single(o => o.Domain == "").Version);
        Assert.AreEqual(("test-producer", "9.9", "a tiny graph", "gen"), (m.ProducerName, m.ProducerVersion, m.DocString, m.Graph.Name));
        CollectionAssert.AreEqual(new[] { "gansdp.latent_size=16", "other=x" }, m.MetadataProps.Select(p => $"{p.Key}={p.Value}").ToArray());
        Assert.AreEqual(BatchDimName, m.Graph.Input[0].Type.TensorType.Shape.Dim[0].DimParam);
        Assert.AreEqual(2, m.Graph.Input[0].Type.TensorType.Shape.Dim[1].DimValue);
        using var session = new InferenceSession(g.ToBytes());
        Assert.AreEqual("16", session.ModelMetadata.CustomMetadataMap["gansdp.latent_size"]);
        Assert.AreEqual("test-producer", session.ModelMetadata.ProducerName);
    }

    [TestMethod]
    public void Names_InitializersAndNodesGetUniqueNames_InputsKeepTheirs()
    {
        var g = new OnnxGraphBuilder();
        var x = g.AddInput("Seed", OnnxElementType.Float, Batch, 3);
        var a = g.AddInitializer("w", new float[] { 1, 2, 3 }, 3);
        var b = g.AddInitializer("w", new float[] { 4, 5, 6 }, 3);
        Assert.AreNotEqual(a.Name, b.Name);
        var y = g.Add(g.Mul(x, a), b);
        g.AddOutput(y, "out", Batch, 3);
        var m = ModelProto.Parser.ParseFrom(g.ToBytes());
        var values = m.Graph.Initializer.Select(i => i.Name).Concat(m.Graph.Node.SelectMany(n => n.Output)).Concat(m.Graph.Input.Select(i => i.Name)).ToList();
        Assert.AreEqual(values.Count, values.Distinct().Count(), "every value is defined once");
        Assert.AreEqual("Seed", m.Graph.Input.Single().Name);
        Assert.AreEqual("out", m.Graph.Output.Single().Name);
        Assert.ThrowsExactly<ArgumentException>(() => g.AddInput("Seed", OnnxElementType.Float, 1), "a second input with the same name");
        var r = Ort.Run(g.ToBytes(), Ort.Input("Seed", new NdArray<float>([1, 1, 1, 2, 2, 2], [2, 3])))["out"];
        CollectionAssert.AreEqual(new float[] { 5, 7, 9, 6, 9, 12 }, r.Data);
    }

    [TestMethod]
    public void ArgumentChecks_NameTheOperatorAndOperand()
    {
        var g = new OnnxGraphBuilder();
        var f = g.AddInput("f", OnnxElementType.Float, Batch, 4);
        var i = g.AddInput("i", OnnxElementType.Int64, Batch, 4);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => g.Add(f, i)).Message, "Add: operands f (Float) and i (Int64)");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => g.Relu(i)).Message, "Relu: x i (Int64) must be float");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => g.BitShift(i, i, true)).Message, "unsigned");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => g.Gather(f, f)).Message, "indices");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => g.AddInitializer("w", new float[5], 2, 3)).Message, "5 values do not fill shape [2,3]");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => g.Transpose(f, 0, 0)).Message, "not a permutation");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => g.Reshape(f, -1, -1)).Message, "one -1");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => g.ConvTranspose(f, f, strides: [2, 2], outputPadding: [2, 0])).Message, "output_padding 2");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => g.MaxPool(f, [3, 3], pads: [1, 1])).Message, "pads need 4 values");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => g.Relu(default)).Message, "not a graph value");
        var other = new OnnxGraphBuilder().AddInput("z", OnnxElementType.Float, 1);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => g.Relu(other)).Message, "'z' is not a value of this graph");
        StringAssert.Contains(Assert.ThrowsExactly<InvalidOperationException>(() => g.ToBytes()).Message, "no output");
    }
}
