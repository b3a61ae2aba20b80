using Ml.GanSdp.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ml.GanSdp.Onnx;

/// <summary>A value flowing through an exported network, with its rank (2 = [N, F], 4 = [N, C, H, W]).</summary>
internal readonly record struct NetValue(OnnxValue Value, int Rank);

/// <summary>
/// The graph being exported and what every layer may need: the builder, the raw label key (int64 [N, 1]) and the class
/// count of a conditional generator.
/// </summary>
internal sealed class ExportContext(OnnxGraphBuilder graph, OnnxValue? key, int numClasses)
{
    public OnnxGraphBuilder Graph { get; } = graph;
    public OnnxValue? Key { get; } = key;
    public int NumClasses { get; } = numClasses;

    /// <summary>Whether the last layer written was a Tanh (the output is then already in [-1, 1]).</summary>
    public bool EndsWithTanh { get; set; }
}

/// <summary>
/// One TorchSharp layer as ONNX operators, with the weights read from the module (on any device, copied to the CPU):
/// Linear = Gemm(transB), Conv2d = Conv, ConvTranspose2d = ConvTranspose, BatchNorm2d = BatchNormalization in inference
/// form with the running statistics, <see cref="ConditionalBatchNorm"/> = that without affine parameters followed by
/// per-class gain and bias rows (<see cref="GeneratorGraph.GatherClassRows"/>), <see cref="SpectralNormLayer"/> = the
/// wrapped operation with the stored weight_orig / sigma, sigma = u^T W v from the stored u and v (what an
/// evaluation-mode forward uses: no power iteration), ReLU, LeakyReLU, Tanh, Sigmoid, Unflatten(1, ...) = Reshape,
/// Identity. Anything else is a <see cref="NotSupportedException"/> naming the module.
/// </summary>
internal static class OnnxLayerExport
{
    /// <summary>Appends <paramref name="layer"/> applied to <paramref name="x"/>.</summary>
    public static NetValue Apply(ExportContext ctx, nn.Module layer, NetValue x, string where)
    {
        var g = ctx.Graph;
        ctx.EndsWithTanh = false;
        switch (layer)
        {
            case Linear l:
                return Linear(ctx, l.weight!, l.bias, x, where);
            case ConvTranspose2d c:
                RequireZeroPadding(c, where);
                return ConvTranspose(ctx, c.weight!, c.bias, c.stride, c.padding!, c.output_padding, c.dilation, c.groups, x, where);
            case Conv2d c:
                RequireZeroPadding(c, where);
                return Conv(ctx, c.weight!, c.bias, c.stride, c.padding!, c.dilation, c.groups, x, where);
            case ConditionalBatchNorm cbn:
                return ConditionalBatchNorm(ctx, cbn, x, where);
            case BatchNorm2d bn:
                return BatchNorm(ctx, bn, x, where);
            case SpectralNormLayer sn:
                return SpectralNormalized(ctx, sn, x, where);
            case ReLU:
                return x with { Value = g.Relu(x.Value) };
            case LeakyReLU lr:
                return x with { Value = g.LeakyRelu(x.Value, (float)lr.negative_slope) };
            case Tanh:
                ctx.EndsWithTanh = true;
                return x with { Value = g.Tanh(x.Value) };
            case Sigmoid:
                return x with { Value = g.Sigmoid(x.Value) };
            case Unflatten u:
                if (u.dim != 1 || x.Rank != 2)
                    throw new NotSupportedException($"ONNX export of {where}: Unflatten is supported on dimension 1 of an [N, F] value only (got dim {u.dim} of a rank-{x.Rank} value).");
                return new NetValue(g.Reshape(x.Value, [0, .. u.unflattened_size]), 1 + u.unflattened_size.Length);
            case Identity:
                return x;
            default:
                throw new NotSupportedException($"ONNX export of {where}: the module type {layer.GetType().Name} ('{layer.GetName()}') is not supported. "
                    + "Supported: Linear, Conv2d, ConvTranspose2d, BatchNorm2d, ConditionalBatchNorm, SpectralNormLayer, ReLU, LeakyReLU, Tanh, Sigmoid, Unflatten, Identity.");
        }
    }

    /// <summary>A float initializer holding <paramref name="t"/>'s values with its shape.</summary>
    public static OnnxValue Initializer(OnnxGraphBuilder g, string hint, Tensor t)
    {
        using var f = t.detach().cpu().to(ScalarType.Float32).contiguous();
        return g.AddInitializer(hint, f.data<float>().ToArray(), f.shape);
    }

    /// <summary>y = x W^T + b (PyTorch's Linear): Gemm with transB.</summary>
    public static NetValue Linear(ExportContext ctx, Tensor weight, Tensor? bias, NetValue x, string where)
    {
        if (x.Rank != 2) throw new NotSupportedException($"ONNX export of {where}: a Linear layer needs an [N, F] input, the network gives rank {x.Rank}.");
        var g = ctx.Graph;
        var w = Initializer(g, "linear_w", weight);
        var b = bias is null ? (OnnxValue?)null : Initializer(g, "linear_b", bias);
        return new NetValue(g.Gemm(x.Value, w, b, transB: true), 2);
    }

    /// <summary>PyTorch's conv2d with zero padding p: ONNX Conv with pads [p_h, p_w, p_h, p_w].</summary>
    public static NetValue Conv(ExportContext ctx, Tensor weight, Tensor? bias, long[] stride, long[] padding, long[] dilation, long groups, NetValue x, string where)
    {
        if (x.Rank != 4) throw new NotSupportedException($"ONNX export of {where}: Conv2d needs an [N, C, H, W] input, the network gives rank {x.Rank}.");
        var g = ctx.Graph;
        var w = Initializer(g, "conv_w", weight);
        var b = bias is null ? (OnnxValue?)null : Initializer(g, "conv_b", bias);
        return new NetValue(g.Conv(x.Value, w, b, Pair(stride), Pads(padding), Pair(dilation), groups), 4);
    }

    /// <summary>PyTorch's conv_transpose2d(padding p, output_padding op): ONNX ConvTranspose with pads [p, p], output_padding op.</summary>
    public static NetValue ConvTranspose(ExportContext ctx, Tensor weight, Tensor? bias, long[] stride, long[] padding, long[] outputPadding,
        long[] dilation, long groups, NetValue x, string where)
    {
        if (x.Rank != 4) throw new NotSupportedException($"ONNX export of {where}: ConvTranspose2d needs an [N, C, H, W] input, the network gives rank {x.Rank}.");
        var g = ctx.Graph;
        var w = Initializer(g, "convT_w", weight);
        var b = bias is null ? (OnnxValue?)null : Initializer(g, "convT_b", bias);
        bool anyOutputPadding = outputPadding.Any(p => p != 0);
        return new NetValue(g.ConvTranspose(x.Value, w, b, Pair(stride), Pads(padding), anyOutputPadding ? Pair(outputPadding) : null, Pair(dilation), groups), 4);
    }

    /// <summary>
    /// Batch norm with running statistics (PyTorch's evaluation mode): y = gamma (x - mean) / sqrt(var + eps) + beta,
    /// gamma = 1 and beta = 0 without affine parameters.
    /// </summary>
    public static NetValue BatchNorm(ExportContext ctx, BatchNorm2d bn, NetValue x, string where)
    {
        if (bn.running_mean is not { } mean || bn.running_var is not { } variance)
            throw new NotSupportedException($"ONNX export of {where}: BatchNorm2d without running statistics (track_running_stats false) cannot be exported in inference form.");
        if (x.Rank is not (2 or 4)) throw new NotSupportedException($"ONNX export of {where}: BatchNorm2d on a rank-{x.Rank} value.");
        var g = ctx.Graph;
        long c = mean.shape[0];
        OnnxValue scale, shift;
        if (bn.affine)
        {
            scale = Initializer(g, "bn_scale", bn.weight);
            shift = Initializer(g, "bn_bias", bn.bias!);
        }
        else
        {
            var ones = new float[c];
            Array.Fill(ones, 1f);
            scale = g.AddInitializer("bn_scale", ones, c);
            shift = g.AddInitializer("bn_bias", new float[c], c);
        }
        return x with { Value = g.BatchNormalization(x.Value, scale, shift, Initializer(g, "bn_mean", mean), Initializer(g, "bn_var", variance), (float)bn.eps) };
    }

    /// <summary>
    /// Conditional batch norm (de Vries et al. 2017): batch norm without affine parameters, then gamma[y] * x + beta[y],
    /// the per-class rows gathered at the raw key (zero row 0 for a missing label).
    /// </summary>
    public static NetValue ConditionalBatchNorm(ExportContext ctx, ConditionalBatchNorm cbn, NetValue x, string where)
    {
        if (ctx.Key is not { } key) throw new NotSupportedException($"ONNX export of {where}: a ConditionalBatchNorm layer in a generator without classes.");
        var children = cbn.named_children().ToDictionary(c => c.name, c => c.module, StringComparer.Ordinal);
        if (children.GetValueOrDefault("bn") is not BatchNorm2d bn || children.GetValueOrDefault("gamma") is not Embedding gamma
            || children.GetValueOrDefault("beta") is not Embedding beta)
            throw new NotSupportedException($"ONNX export of {where}: a ConditionalBatchNorm without its bn, gamma and beta children.");
        if (cbn.NumClasses != ctx.NumClasses)
            throw new NotSupportedException($"ONNX export of {where}: ConditionalBatchNorm has {cbn.NumClasses} classes, the generator {ctx.NumClasses}.");
        var g = ctx.Graph;
        var normalized = BatchNorm(ctx, bn, x, where + ".bn").Value;
        var gain = ClassRows(g, "cbn_gamma", gamma.weight!, ctx.NumClasses, key, x.Rank);
        var bias = ClassRows(g, "cbn_beta", beta.weight!, ctx.NumClasses, key, x.Rank);
        return x with { Value = g.Add(g.Mul(normalized, gain), bias) };
    }

    private static OnnxValue ClassRows(OnnxGraphBuilder g, string hint, Tensor table, int classes, OnnxValue key, int rank)
    {
        using var f = table.detach().cpu().to(ScalarType.Float32).contiguous();
        var rows = g.GatherClassRows(hint, f.data<float>().ToArray(), classes, key);
        return rank == 4 ? g.Reshape(rows, 0, f.shape[1], 1, 1) : rows;
    }

    /// <summary>A spectrally normalized layer with its weight baked in as weight_orig / sigma (stored u, v; no power iteration).</summary>
    public static NetValue SpectralNormalized(ExportContext ctx, SpectralNormLayer sn, NetValue x, string where)
    {
        using var w = sn.NormalizedWeight();
        return sn.Kind switch
        {
            SpectralNormLayer.LayerKind.Linear => Linear(ctx, w, sn.Bias, x, where),
            SpectralNormLayer.LayerKind.Conv2d => Conv(ctx, w, sn.Bias, sn.Stride, sn.Padding, sn.Dilation, sn.Groups, x, where),
            SpectralNormLayer.LayerKind.ConvTranspose2d => ConvTranspose(ctx, w, sn.Bias, sn.Stride, sn.Padding, sn.OutputPadding, sn.Dilation, sn.Groups, x, where),
            _ => throw new NotSupportedException($"ONNX export of {where}: a spectrally normalized {sn.Kind} is not a generator layer."),
        };
    }

    private static void RequireZeroPadding(Convolution c, string where)
    {
        if (c.padding_mode != PaddingModes.Zeros || c.padding_type is not null || c.padding is null)
            throw new NotSupportedException($"ONNX export of {where}: only convolutions with explicit zero padding are supported (padding mode {c.padding_mode}).");
    }

    private static long[] Pair(long[] v) => v.Length switch
    {
        1 => [v[0], v[0]],
        2 => [v[0], v[1]],
        _ => throw new NotSupportedException($"A 2-D convolution attribute has {v.Length} values."),
    };

    private static long[] Pads(long[] padding)
    {
        var p = Pair(padding);
        return [p[0], p[1], p[0], p[1]];
    }
}
