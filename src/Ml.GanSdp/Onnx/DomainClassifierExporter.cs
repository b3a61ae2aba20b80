using Ml.GanSdp.Metrics;
using TorchSharp;

namespace Ml.GanSdp.Onnx;

/// <summary>How <see cref="DomainClassifierExporter.Build"/> shapes the classifier's ONNX graph.</summary>
/// <param name="InputName">The pixel input (float [N or 1, C, H, W]); ML.NET binds it to the feature column of this name.</param>
/// <param name="MinPixelValue">The pixel value that maps to 0 (the classifier's inputs are (x - min) / (max - min)).</param>
/// <param name="MaxPixelValue">The pixel value that maps to 1.</param>
/// <param name="SingleRow">True: the one-row view ML.NET's OnnxTransformer runs (input [1, C, H, W], outputs [K]); false: batched ([N, ...] in, [N, K] out).</param>
/// <param name="ScoreName">The output holding the softmax probabilities.</param>
/// <param name="PredictedOneHotName">The output holding the one-hot vector of the predicted class (argmax of the probabilities, ties to the lower class).</param>
internal sealed record DomainClassifierOnnxLayout(string InputName, float MinPixelValue, float MaxPixelValue, bool SingleRow, string ScoreName, string PredictedOneHotName);

/// <summary>
/// Exports <see cref="DomainClassifier"/> (conv 3x3 (C -> 32) + ReLU + max pool 2, conv 3x3 (32 -> 64) + ReLU + max pool 2,
/// flatten, linear (-> F) + ReLU, linear (F -> K)) to ONNX with its current weights:
/// probabilities = softmax(logits((x - min) / (max - min))), and the one-hot of their argmax. The network's own input
/// mapping [0, 1] -> [-1, 1] (2 u - 1) is part of the graph, as in <see cref="DomainClassifier.Features"/>.
/// </summary>
internal static class DomainClassifierExporter
{
    public static byte[] Build(DomainClassifier net, DomainClassifierOnnxLayout layout)
    {
        ArgumentNullException.ThrowIfNull(net);
        ArgumentNullException.ThrowIfNull(layout);
        if (!(layout.MaxPixelValue > layout.MinPixelValue) || !float.IsFinite(layout.MinPixelValue) || !float.IsFinite(layout.MaxPixelValue))
            throw new ArgumentException($"The pixel range [{layout.MinPixelValue}, {layout.MaxPixelValue}] must be finite and increasing.", nameof(layout));
        int c = net.Channels, s = net.ImageSize, k = net.Classes;
        var g = new OnnxGraphBuilder("image_cnn") { DocString = $"Ml.GanSdp image CNN: {c}x{s}x{s} pixels in [{layout.MinPixelValue}, {layout.MaxPixelValue}] -> {k} class probabilities" };
        var weights = net.state_dict();
        OnnxValue W(string name)
        {
            var t = weights[name];
            return g.AddInitializer(name.Replace('.', '_'), t.ToArray<float>(), t.shape);
        }

        long batch = layout.SingleRow ? 1 : OnnxGraphBuilder.Batch;
        var x = g.AddInput(layout.InputName, OnnxElementType.Float, batch, c, s, s);
        var unit = g.Div(g.Sub(x, g.Scalar(layout.MinPixelValue, "pixel_min")), g.Scalar(layout.MaxPixelValue - layout.MinPixelValue, "pixel_span"));
        var h = g.Sub(g.Mul(unit, g.Scalar(2f, "two")), g.Scalar(1f, "one"));
        long[] pad1 = [1, 1, 1, 1], pool = [2, 2];
        h = g.MaxPool(g.Relu(g.Conv(h, W("conv1.weight"), W("conv1.bias"), pads: pad1)), pool, strides: pool);
        h = g.MaxPool(g.Relu(g.Conv(h, W("conv2.weight"), W("conv2.bias"), pads: pad1)), pool, strides: pool);
        h = g.Relu(g.Gemm(g.Flatten(h), W("fc1.weight"), W("fc1.bias"), transB: true));
        var logits = g.Gemm(h, W("fc2.weight"), W("fc2.bias"), transB: true);
        var probabilities = g.Softmax(logits, 1);
        var identity = new float[k * k];
        for (int i = 0; i < k; i++) identity[i * k + i] = 1;
        var oneHot = g.Gather(g.AddInitializer("identity", identity, k, k), g.ArgMax(probabilities, 1));
        if (layout.SingleRow)
        {
            g.AddOutput(g.Reshape(probabilities, k), layout.ScoreName, k);
            g.AddOutput(g.Reshape(oneHot, k), layout.PredictedOneHotName, k);
        }
        else
        {
            g.AddOutput(probabilities, layout.ScoreName, OnnxGraphBuilder.Batch, k);
            g.AddOutput(oneHot, layout.PredictedOneHotName, OnnxGraphBuilder.Batch, k);
        }
        return g.ToBytes();
    }
}
