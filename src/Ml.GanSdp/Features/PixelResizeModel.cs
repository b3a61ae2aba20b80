using Ml.GanSdp.Onnx;

namespace Ml.GanSdp.Features;

/// <summary>
/// The ONNX graph that turns a [C, H, W] float pixel tensor (C = 1 or 3, values as given, 0..255 for the ResNet18
/// featurizer) into the [3, S, S] RGB tensor a fixed-size network needs: a gray channel is repeated three times,
/// then the image is resampled separably with a triangle (bilinear) filter, written as two matrix products
/// <c>out[c] = R · in[c] · Cᵀ</c> with row weights R (S x H) and column weights C (S x W).
/// <para>
/// The weights are those of PIL's <c>Image.resize(BILINEAR)</c> and of PyTorch's
/// <c>F.interpolate(mode="bilinear", align_corners=False, antialias=True)</c>: output pixel i samples around the
/// input coordinate <c>centre = (i + 0.5)·in/out</c> with the tent <c>max(0, 1 - |x|)</c> stretched by
/// <c>max(in/out, 1)</c> and normalised to sum 1 over the input pixels it covers. Upsampling (in &lt; out) is plain
/// half-pixel bilinear interpolation with the edge pixels clamped; downsampling averages over the footprint
/// (anti-aliased). The weights are non-negative, so the output stays within the input's range.
/// </para>
/// </summary>
internal static class PixelResizeModel
{
    /// <summary>Largest accepted input height or width.</summary>
    public const int MaxSide = 4096;

    /// <summary>
    /// The S x N matrix (row-major) of triangle-filter weights that resamples N samples to S:
    /// <c>w[i, j] ∝ max(0, 1 - |j + 0.5 - centre_i| / f)</c> with <c>centre_i = (i + 0.5)·N/S</c>,
    /// <c>f = max(N/S, 1)</c>, over <c>j ∈ [trunc(centre_i - f + 0.5), trunc(centre_i + f + 0.5))</c> ∩ [0, N),
    /// each row normalised to sum 1 (PIL's <c>precompute_coeffs</c> for the bilinear filter).
    /// </summary>
    public static float[] TriangleWeights(int inputSize, int outputSize)
    {
        if (inputSize < 1 || inputSize > MaxSide) throw new ArgumentOutOfRangeException(nameof(inputSize), inputSize, $"Must be 1..{MaxSide}.");
        if (outputSize < 1 || outputSize > MaxSide) throw new ArgumentOutOfRangeException(nameof(outputSize), outputSize, $"Must be 1..{MaxSide}.");
        double scale = (double)inputSize / outputSize;
        double stretch = Math.Max(scale, 1.0);
        var weights = new float[outputSize * inputSize];
        var row = new double[inputSize];
        for (int i = 0; i < outputSize; i++)
        {
            double centre = (i + 0.5) * scale;
            int first = Math.Max((int)(centre - stretch + 0.5), 0);
            int end = Math.Min((int)(centre + stretch + 0.5), inputSize);
            double total = 0;
            for (int j = first; j < end; j++)
            {
                row[j] = Math.Max(0.0, 1.0 - Math.Abs((j + 0.5 - centre) / stretch));
                total += row[j];
            }
            for (int j = first; j < end; j++)
                weights[i * inputSize + j] = (float)(row[j] / total);
        }
        return weights;
    }

    /// <summary>
    /// The ONNX model (bytes, written with <see cref="OnnxGraphBuilder"/>) with input <paramref name="inputName"/>
    /// [C, H, W] and output <paramref name="outputName"/> [3, S, S], S = <paramref name="outputSize"/>: a gray channel
    /// concatenated three times, then <c>MatMul(rgb, Cᵀ)</c> and <c>MatMul(R, ·)</c>.
    /// </summary>
    public static byte[] Build(string inputName, string outputName, int channels, int height, int width, int outputSize)
    {
        if (channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(channels), channels, "Pixels must have 1 (gray) or 3 (RGB) channels.");
        if (string.IsNullOrEmpty(inputName) || string.IsNullOrEmpty(outputName) || inputName == outputName)
            throw new ArgumentException($"The model's input and output names must be non-empty and different; got '{inputName}' and '{outputName}'.");
        var rowWeights = TriangleWeights(height, outputSize);          // S x H
        var columnWeights = Transpose(TriangleWeights(width, outputSize), outputSize, width); // W x S

        var graph = new OnnxGraphBuilder("pixels_to_rgb" + outputSize);
        var pixels = graph.AddInput(inputName, OnnxElementType.Float, channels, height, width);
        var rgb = channels == 1 ? graph.Concat(0, pixels, pixels, pixels) : pixels;
        var columnsResampled = graph.MatMul(rgb, graph.AddInitializer("gansdp_resize/column_weights", columnWeights, width, outputSize));
        var resampled = graph.MatMul(graph.AddInitializer("gansdp_resize/row_weights", rowWeights, outputSize, height), columnsResampled);
        graph.AddOutput(resampled, outputName, 3, outputSize, outputSize);
        return graph.ToBytes();
    }

    private static float[] Transpose(float[] m, int rows, int columns)
    {
        var t = new float[m.Length];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
                t[c * rows + r] = m[r * columns + c];
        return t;
    }
}
