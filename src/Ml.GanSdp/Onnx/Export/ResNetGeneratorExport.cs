using Ml.GanSdp.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ml.GanSdp.Onnx;

/// <summary>
/// The network of the SNGAN ResNet generator (<see cref="ResNetGenerator"/>, Miyato et al. 2018, Table 4), read from its
/// registered children (PyTorch's names): <c>l1</c> (Linear) then Reshape to [N, ch, 4, 4]; three up-blocks
/// <c>block2..4</c>, each h = c2(relu(b2(c1(up(relu(b1(x))))))) plus the shortcut c_sc(up(x)) (nearest 2x up-sampling,
/// ONNX Resize nearest/asymmetric/floor = PyTorch's <c>interpolate(scale_factor=2, mode='nearest')</c>; a 1x1 conv on
/// the shortcut; b1, b2 batch norms or conditional batch norms); then <c>b5</c> (batch norm), ReLU, <c>c5</c> (3x3 conv)
/// and Tanh.
/// </summary>
internal static class ResNetGeneratorExport
{
    public static NetValue AddNetwork(ExportContext ctx, ResNetGenerator generator, OnnxValue z)
    {
        var g = ctx.Graph;
        var parts = Children(generator, "ResNetGenerator");
        var l1 = Child<Linear>(parts, "l1", "ResNetGenerator");
        long ch = l1.out_features / 16;
        if (ch * 16 != l1.out_features) throw new NotSupportedException($"ONNX export of ResNetGenerator.l1: {l1.out_features} outputs are not ch x 4 x 4.");
        var h = OnnxLayerExport.Apply(ctx, l1, new NetValue(z, 2), "ResNetGenerator.l1");
        h = new NetValue(g.Reshape(h.Value, 0, ch, 4, 4), 4);
        foreach (var name in new[] { "block2", "block3", "block4" })
            h = Block(ctx, Child<ResNetGenBlock>(parts, name, "ResNetGenerator"), h, "ResNetGenerator." + name);
        h = OnnxLayerExport.Apply(ctx, Child<nn.Module>(parts, "b5", "ResNetGenerator"), h, "ResNetGenerator.b5");
        h = h with { Value = g.Relu(h.Value) };
        h = OnnxLayerExport.Apply(ctx, Child<nn.Module>(parts, "c5", "ResNetGenerator"), h, "ResNetGenerator.c5");
        ctx.EndsWithTanh = true;
        return h with { Value = g.Tanh(h.Value) };
    }

    /// <summary>One up-block: residual branch plus the up-sampled 1x1-conv shortcut.</summary>
    private static NetValue Block(ExportContext ctx, ResNetGenBlock block, NetValue x, string where)
    {
        var g = ctx.Graph;
        var parts = Children(block, where);
        var h = OnnxLayerExport.Apply(ctx, Child<nn.Module>(parts, "b1", where), x, where + ".b1");
        h = h with { Value = g.ResizeNearest(g.Relu(h.Value), 2, 2) };
        h = OnnxLayerExport.Apply(ctx, Child<nn.Module>(parts, "c1", where), h, where + ".c1");
        h = OnnxLayerExport.Apply(ctx, Child<nn.Module>(parts, "b2", where), h, where + ".b2");
        h = h with { Value = g.Relu(h.Value) };
        h = OnnxLayerExport.Apply(ctx, Child<nn.Module>(parts, "c2", where), h, where + ".c2");
        var shortcut = OnnxLayerExport.Apply(ctx, Child<nn.Module>(parts, "c_sc", where), x with { Value = g.ResizeNearest(x.Value, 2, 2) }, where + ".c_sc");
        return h with { Value = g.Add(h.Value, shortcut.Value) };
    }

    private static Dictionary<string, nn.Module> Children(nn.Module m, string where)
        => m.named_children().ToDictionary(c => c.name, c => c.module, StringComparer.Ordinal);

    private static T Child<T>(Dictionary<string, nn.Module> parts, string name, string where) where T : nn.Module
        => parts.GetValueOrDefault(name) as T
            ?? throw new NotSupportedException($"ONNX export of {where}: expected a child '{name}' of type {typeof(T).Name}; it has {string.Join(", ", parts.Select(p => $"'{p.Key}' ({p.Value.GetType().Name})"))}.");
}
