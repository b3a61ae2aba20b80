using Ml.GanSdp.Models;
using TorchSharp.Modules;

namespace Ml.GanSdp.Onnx;

/// <summary>
/// The network of a <see cref="StackedGenerator"/>, the module tree of the MLP, DCGAN (28/32/64, 1 or 3 channels) and SNGAN
/// standard-CNN generators, conditional or not: its <c>main</c> layer stack in order, each layer through
/// <see cref="OnnxLayerExport"/>. z enters as [N, L, 1, 1] when the first layer is a (possibly spectrally normalized)
/// transposed convolution (DCGAN's <c>latentAsImage</c>) and as [N, L] otherwise, exactly as
/// <see cref="StackedGenerator.Forward"/> feeds it.
/// </summary>
internal static class StackedGeneratorExport
{
    public static NetValue AddNetwork(ExportContext ctx, StackedGenerator generator, OnnxValue z)
    {
        var layers = generator.Main.Layers;
        if (layers.Count == 0) throw new NotSupportedException($"ONNX export of {generator.GetName()}: the layer stack is empty.");
        bool latentAsImage = layers[0] is ConvTranspose2d or SpectralNormLayer { Kind: SpectralNormLayer.LayerKind.ConvTranspose2d };
        var x = latentAsImage
            ? new NetValue(ctx.Graph.Reshape(z, 0, generator.LatentSize, 1, 1), 4)
            : new NetValue(z, 2);
        for (int i = 0; i < layers.Count; i++)
            x = OnnxLayerExport.Apply(ctx, layers[i], x, $"{generator.GetName()}.main.{i}");
        return x;
    }
}
