using Ml.GanSdp.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Metrics;

using Module = TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>;

// The ONNX export of pytorch-fid's Inception-v3: each module writes its own operators next to its TorchSharp forward
// (same branches, same order), with OnnxGraphBuilder. Batch norms are folded into the convolutions in float64 and
// rounded once to float32 (ONNX Runtime would fold them anyway, in float32, when it optimizes the graph).

public sealed partial class InceptionV3Fid
{
    /// <summary>The input of <see cref="ToOnnx"/>: images [N, C, H, W], values in [0, 1].</summary>
    public const string OnnxInputName = "images";

    /// <summary>The output of <see cref="ToOnnx"/>: features [N, d].</summary>
    public const string OnnxOutputName = "features";

    /// <summary>
    /// This network (its current weights, its <see cref="FeatureDimension"/>) as an ONNX model (IR 8, opset 18) for
    /// images of one size: input <see cref="OnnxInputName"/> float [N, <paramref name="channels"/>,
    /// <paramref name="height"/>, <paramref name="width"/>] in [0, 1] (any N), output <see cref="OnnxOutputName"/> float
    /// [N, d], the features <see cref="Extract"/> gives. The graph holds pytorch-fid's whole input pipeline (gray
    /// repeated to RGB, bilinear resize to 299 x 299 with <c>align_corners=False</c> as two matrix products whose
    /// weights are computed the way PyTorch computes them, <c>2x - 1</c>), the FID blocks (average pools that do not
    /// count padding, Mixed_7c's max pool) and the spatial mean of the chosen block. Run it with ONNX Runtime or
    /// ML.NET (<c>FeaturizeInceptionFid</c>); it needs no TorchSharp.
    /// </summary>
    public byte[] ToOnnx(int channels, int height, int width)
    {
        var g = NewGraph();
        var images = g.AddInput(OnnxInputName, OnnxElementType.Float, OnnxGraphBuilder.Batch, channels, height, width);
        var prepared = FidPreprocessing.AddTo(g, images, channels, height, width, pixelMax: 1f);
        g.AddOutput(AddNetwork(g, prepared, _outputBlock, null), OnnxOutputName, OnnxGraphBuilder.Batch, FeatureDimension);
        return g.ToBytes();
    }

    /// <summary>
    /// The network alone for ML.NET's one-row calls: input <paramref name="inputName"/> float [1, 3, 299, 299]
    /// (already prepared, in [-1, 1]), output <paramref name="outputName"/> float [d].
    /// </summary>
    internal byte[] ToSingleRowNetworkOnnx(string inputName, string outputName)
    {
        var g = NewGraph();
        var x = g.AddInput(inputName, OnnxElementType.Float, 1, 3, FidPreprocessing.InputSize, FidPreprocessing.InputSize);
        var features = AddNetwork(g, x, _outputBlock, null);
        g.AddOutput(g.Reshape(features, FeatureDimension), outputName, FeatureDimension);
        return g.ToBytes();
    }

    /// <summary>
    /// A test view: the raw outputs of blocks 0..<paramref name="lastBlock"/> (feature maps [N, c, h, w] named
    /// <c>block0</c>, <c>block1</c>, ...) for images [N, C, H, W] in [0, 1], to compare with PyTorch's block outputs.
    /// </summary>
    internal byte[] ToBlockMapsOnnx(int channels, int height, int width, int lastBlock)
    {
        if (lastBlock is < 0 or > 3) throw new ArgumentOutOfRangeException(nameof(lastBlock), lastBlock, "Blocks are numbered 0 to 3.");
        var g = NewGraph();
        var images = g.AddInput(OnnxInputName, OnnxElementType.Float, OnnxGraphBuilder.Batch, channels, height, width);
        var prepared = FidPreprocessing.AddTo(g, images, channels, height, width, pixelMax: 1f);
        var maps = new List<OnnxValue>();
        AddNetwork(g, prepared, lastBlock, maps);
        long[][] shapes = [[64, 73, 73], [192, 35, 35], [768, 17, 17], [2048, 1, 1]];
        for (int b = 0; b <= lastBlock; b++)
            g.AddOutput(maps[b], $"block{b}", [OnnxGraphBuilder.Batch, .. shapes[b]]);
        return g.ToBytes();
    }

    private OnnxGraphBuilder NewGraph()
    {
        var g = new OnnxGraphBuilder("inception_v3_fid");
        g.DocString = "pytorch-fid's Inception-v3 (FID blocks), exported by Ml.GanSdp; batch norms folded into the convolutions in float64.";
        g.SetMetadata("feature_space", ExtractorName);
        g.SetMetadata("feature_dimension", FeatureDimension.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return g;
    }

    /// <summary>
    /// Blocks 0..<paramref name="block"/> on prepared images (N x 3 x 299 x 299 in [-1, 1]); returns the block's spatial
    /// mean, [N, d]. When <paramref name="maps"/> is given, each block's raw output is appended to it.
    /// </summary>
    private OnnxValue AddNetwork(OnnxGraphBuilder g, OnnxValue x, int block, List<OnnxValue>? maps)
    {
        for (int b = 0; b <= block; b++)
        {
            x = b switch
            {
                0 => MaxPool3x3Stride2(g, _conv2b.AddTo(g, _conv2a.AddTo(g, _conv1a.AddTo(g, x, "Conv2d_1a_3x3"), "Conv2d_2a_3x3"), "Conv2d_2b_3x3")),
                1 => MaxPool3x3Stride2(g, _conv4a.AddTo(g, _conv3b.AddTo(g, x, "Conv2d_3b_1x1"), "Conv2d_4a_3x3")),
                2 => AddMixed(g, x, _mixed5to6, ["Mixed_5b", "Mixed_5c", "Mixed_5d", "Mixed_6a", "Mixed_6b", "Mixed_6c", "Mixed_6d", "Mixed_6e"]),
                _ => g.GlobalAveragePool(AddMixed(g, x, _mixed7, ["Mixed_7a", "Mixed_7b", "Mixed_7c"])),
            };
            maps?.Add(x);
        }
        // pytorch-fid: blocks of more than 1 x 1 are averaged over space (adaptive_avg_pool2d to 1 x 1); block 3 already is.
        var pooled = block == 3 ? x : g.GlobalAveragePool(x);
        return g.Flatten(pooled, 1);
    }

    private static OnnxValue MaxPool3x3Stride2(OnnxGraphBuilder g, OnnxValue x) => g.MaxPool(x, [3, 3], [2, 2]);

    private static OnnxValue AddMixed(OnnxGraphBuilder g, OnnxValue x, Module[] blocks, string[] names)
    {
        for (int i = 0; i < blocks.Length; i++)
        {
            x = blocks[i] switch
            {
                FidInceptionA a => a.AddTo(g, x, names[i]),
                InceptionB b => b.AddTo(g, x, names[i]),
                FidInceptionC c => c.AddTo(g, x, names[i]),
                InceptionD d => d.AddTo(g, x, names[i]),
                FidInceptionE e => e.AddTo(g, x, names[i]),
                var other => throw new InvalidOperationException($"No ONNX export for {other.GetName()}."),
            };
        }
        return x;
    }
}

internal sealed partial class BasicConv2d
{
    /// <summary>Conv (batch norm folded in, see <see cref="FoldedWeightAndBias"/>) and Relu; initializers named after <paramref name="path"/>.</summary>
    public OnnxValue AddTo(OnnxGraphBuilder g, OnnxValue x, string path)
    {
        var (weight, bias) = FoldedWeightAndBias();
        using (weight)
        using (bias)
        {
            var w = g.AddInitializer(path + ".weight", weight.ToArray<float>(), weight.shape);
            var b = g.AddInitializer(path + ".bias", bias.ToArray<float>(), bias.shape);
            var y = g.Conv(x, w, b, strides: _stride, pads: [_padding[0], _padding[1], _padding[0], _padding[1]]);
            return g.Relu(y);
        }
    }
}

internal static partial class Branches
{
    /// <summary>The layers in order.</summary>
    public static OnnxValue AddTo(OnnxGraphBuilder g, OnnxValue x, string path, params (BasicConv2d Layer, string Name)[] layers)
    {
        foreach (var (layer, name) in layers) x = layer.AddTo(g, x, $"{path}.{name}");
        return x;
    }

    /// <summary>3 x 3 average, stride 1, padding 1, not counting the padding.</summary>
    public static OnnxValue AddAveragePoolExcludingPadding(OnnxGraphBuilder g, OnnxValue x) => g.AveragePool(x, [3, 3], [1, 1], [1, 1, 1, 1], countIncludePad: false);
}

internal sealed partial class FidInceptionA
{
    public OnnxValue AddTo(OnnxGraphBuilder g, OnnxValue x, string path)
    {
        var a = Branches.AddTo(g, x, path, (b1x1, "branch1x1"));
        var b = Branches.AddTo(g, x, path, (b5x5_1, "branch5x5_1"), (b5x5_2, "branch5x5_2"));
        var c = Branches.AddTo(g, x, path, (b3dbl_1, "branch3x3dbl_1"), (b3dbl_2, "branch3x3dbl_2"), (b3dbl_3, "branch3x3dbl_3"));
        var d = Branches.AddTo(g, Branches.AddAveragePoolExcludingPadding(g, x), path, (bPool, "branch_pool"));
        return g.Concat(1, a, b, c, d);
    }
}

internal sealed partial class InceptionB
{
    public OnnxValue AddTo(OnnxGraphBuilder g, OnnxValue x, string path)
    {
        var a = Branches.AddTo(g, x, path, (b3x3, "branch3x3"));
        var b = Branches.AddTo(g, x, path, (b3dbl_1, "branch3x3dbl_1"), (b3dbl_2, "branch3x3dbl_2"), (b3dbl_3, "branch3x3dbl_3"));
        var c = g.MaxPool(x, [3, 3], [2, 2]);
        return g.Concat(1, a, b, c);
    }
}

internal sealed partial class FidInceptionC
{
    public OnnxValue AddTo(OnnxGraphBuilder g, OnnxValue x, string path)
    {
        var a = Branches.AddTo(g, x, path, (b1x1, "branch1x1"));
        var b = Branches.AddTo(g, x, path, (b7_1, "branch7x7_1"), (b7_2, "branch7x7_2"), (b7_3, "branch7x7_3"));
        var c = Branches.AddTo(g, x, path, (bd_1, "branch7x7dbl_1"), (bd_2, "branch7x7dbl_2"), (bd_3, "branch7x7dbl_3"), (bd_4, "branch7x7dbl_4"), (bd_5, "branch7x7dbl_5"));
        var d = Branches.AddTo(g, Branches.AddAveragePoolExcludingPadding(g, x), path, (bPool, "branch_pool"));
        return g.Concat(1, a, b, c, d);
    }
}

internal sealed partial class InceptionD
{
    public OnnxValue AddTo(OnnxGraphBuilder g, OnnxValue x, string path)
    {
        var a = Branches.AddTo(g, x, path, (b3_1, "branch3x3_1"), (b3_2, "branch3x3_2"));
        var b = Branches.AddTo(g, x, path, (b7_1, "branch7x7x3_1"), (b7_2, "branch7x7x3_2"), (b7_3, "branch7x7x3_3"), (b7_4, "branch7x7x3_4"));
        var c = g.MaxPool(x, [3, 3], [2, 2]);
        return g.Concat(1, a, b, c);
    }
}

internal sealed partial class FidInceptionE
{
    public OnnxValue AddTo(OnnxGraphBuilder g, OnnxValue x, string path)
    {
        var a = Branches.AddTo(g, x, path, (b1x1, "branch1x1"));
        var t = Branches.AddTo(g, x, path, (b3_1, "branch3x3_1"));
        var b = g.Concat(1, Branches.AddTo(g, t, path, (b3_2a, "branch3x3_2a")), Branches.AddTo(g, t, path, (b3_2b, "branch3x3_2b")));
        var u = Branches.AddTo(g, x, path, (bd_1, "branch3x3dbl_1"), (bd_2, "branch3x3dbl_2"));
        var c = g.Concat(1, Branches.AddTo(g, u, path, (bd_3a, "branch3x3dbl_3a")), Branches.AddTo(g, u, path, (bd_3b, "branch3x3dbl_3b")));
        var pooled = _maxPool ? g.MaxPool(x, [3, 3], [1, 1], [1, 1, 1, 1]) : Branches.AddAveragePoolExcludingPadding(g, x);
        var d = Branches.AddTo(g, pooled, path, (bPool, "branch_pool"));
        return g.Concat(1, a, b, c, d);
    }
}
