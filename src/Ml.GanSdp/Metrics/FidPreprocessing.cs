using Ml.GanSdp.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Metrics;

/// <summary>
/// The input pipeline of pytorch-fid's <c>InceptionV3</c> (resize_input=True, normalize_input=True): images in
/// [0, 1] are resized to 299 x 299 with bilinear interpolation (align_corners=False) and scaled to [-1, 1] by
/// 2x - 1. Grayscale images (one channel) are first repeated to three channels (resizing the single channel first
/// is mathematically the same, but libtorch's kernel rounds differently for one channel, so the order is kept).
/// </summary>
public static class FidPreprocessing
{
    /// <summary>The side length Inception-v3 expects.</summary>
    public const int InputSize = 299;

    /// <summary>How far outside [0, 1] an input may stray (rounding) before it is rejected.</summary>
    public const double RangeTolerance = 1e-3;

    /// <summary>Resizes, replicates gray to RGB, and scales to [-1, 1]: N x 3 x 299 x 299 float32 out.</summary>
    public static Tensor Prepare(Tensor images, bool resizeInput = true, bool normalizeInput = true)
    {
        CheckImages(images);
        using var f = images.dtype == ScalarType.Float32 ? images.alias() : images.to(ScalarType.Float32);
        using var rgb = ToThreeChannels(f);
        using var resized = resizeInput ? ResizeBilinear(rgb) : rgb.alias();
        return normalizeInput ? ScaleToSymmetricRange(resized) : resized.alias();
    }

    /// <summary>
    /// Bilinear resize to 299 x 299 with align_corners=False, PyTorch's <c>F.interpolate</c>, computed as
    /// <c>R · x · Cᵀ</c> with the weight matrices of <see cref="BilinearWeights"/> (PyTorch 1.13's weights bit for bit;
    /// libtorch 2.10's own kernel rounds its source coordinates differently, by up to about 1e-6 of the image range,
    /// which the network amplifies). The ONNX export computes the same two products.
    /// </summary>
    public static Tensor ResizeBilinear(Tensor images)
    {
        var s = images.shape;
        if (s[2] == InputSize && s[3] == InputSize) return images.alias(); // interpolate to the same size is the identity
        if (s[2] > MaxSide || s[3] > MaxSide)
            throw new ArgumentException($"FID images may be at most {MaxSide} pixels a side, got [{string.Join(", ", s)}].", nameof(images));
        using var scope = NewDisposeScope();
        Tensor columns, rows;
        if (images.dtype == ScalarType.Float64)
        {
            columns = tensor(Transpose(BilinearWeights64((int)s[3], InputSize), InputSize, (int)s[3]), new[] { s[3], InputSize }, ScalarType.Float64, images.device);
            rows = tensor(BilinearWeights64((int)s[2], InputSize), new[] { InputSize, s[2] }, ScalarType.Float64, images.device);
        }
        else
        {
            columns = tensor(Transpose(BilinearWeights((int)s[3], InputSize), InputSize, (int)s[3]), new[] { s[3], InputSize }, images.dtype, images.device);
            rows = tensor(BilinearWeights((int)s[2], InputSize), new[] { InputSize, s[2] }, images.dtype, images.device);
        }
        return rows.matmul(images.matmul(columns)).MoveToOuterDisposeScope();
    }

    /// <summary>One channel repeated to three; three channels unchanged (a new handle).</summary>
    public static Tensor ToThreeChannels(Tensor images) => images.size(1) == 1 ? images.repeat(1, 3, 1, 1) : images.alias();

    /// <summary>[0, 1] to [-1, 1]: 2x - 1.</summary>
    public static Tensor ScaleToSymmetricRange(Tensor images)
    {
        var scaled = images * 2.0;
        return scaled.add_(-1.0);
    }

    /// <summary>Checks N x C x H x W, C in {1, 3}, floating point, values in [0, 1].</summary>
    public static void CheckImages(Tensor images)
    {
        var s = images.shape;
        if (s.Length != 4 || (s[1] != 1 && s[1] != 3))
            throw new ArgumentException($"FID expects images of shape N x C x H x W with C = 1 or 3, got [{string.Join(", ", s)}].", nameof(images));
        if (images.dtype is not (ScalarType.Float32 or ScalarType.Float64))
            throw new ArgumentException($"FID expects floating-point images in [0, 1], got {images.dtype}; divide uint8 images by 255.", nameof(images));
        if (s[0] == 0) return;
        double min = images.min().ToDoubleAndDispose(), max = images.max().ToDoubleAndDispose();
        if (!(min >= -RangeTolerance && max <= 1 + RangeTolerance))
            throw new ArgumentException($"FID expects images in [0, 1], got values in [{min:G6}, {max:G6}]; map generator outputs in [-1, 1] with (x + 1) / 2.", nameof(images));
    }

    /// <summary>Largest input height or width of the ONNX pipeline (<see cref="AddTo"/>).</summary>
    public const int MaxSide = 4096;

    /// <summary>
    /// The same pipeline as ONNX operators on images [N, C, H, W] with values in [0, <paramref name="pixelMax"/>]
    /// (1 for [0, 1], 255 for ImageAnalytics' pixels): <c>Div</c> by pixelMax (as <c>ToTensor</c> divides by 255),
    /// gray <c>Concat</c>enated to three channels, the bilinear resize as <c>MatMul(R, MatMul(x, Cᵀ))</c> with the weights
    /// of <see cref="BilinearWeights"/>, then <c>2x - 1</c>. Returns [N, 3, 299, 299].
    /// </summary>
    internal static OnnxValue AddTo(OnnxGraphBuilder g, OnnxValue images, int channels, int height, int width, float pixelMax)
    {
        if (channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(channels), channels, "FID images have 1 (gray) or 3 (RGB) channels.");
        if (height is < 1 or > MaxSide) throw new ArgumentOutOfRangeException(nameof(height), height, $"The image height must be 1..{MaxSide}.");
        if (width is < 1 or > MaxSide) throw new ArgumentOutOfRangeException(nameof(width), width, $"The image width must be 1..{MaxSide}.");
        if (!(pixelMax > 0) || !float.IsFinite(pixelMax)) throw new ArgumentOutOfRangeException(nameof(pixelMax), pixelMax, "The pixel scale must be positive.");
        var x = pixelMax == 1f ? images : g.Div(images, g.Scalar(pixelMax, "pixel_max"));
        if (channels == 1) x = g.Concat(1, x, x, x);
        if (height != InputSize || width != InputSize)
        {
            var columnWeights = Transpose(BilinearWeights(width, InputSize), InputSize, width);
            var columns = g.MatMul(x, g.AddInitializer("fid_resize.column_weights", columnWeights, width, InputSize));
            x = g.MatMul(g.AddInitializer("fid_resize.row_weights", BilinearWeights(height, InputSize), InputSize, height), columns);
        }
        return g.Sub(g.Mul(x, g.Scalar(2f, "two")), g.Scalar(1f, "one"));
    }

    /// <summary>
    /// The one-row ONNX model ML.NET runs before the network: input <paramref name="inputName"/> float [C, H, W] with
    /// values in [0, <paramref name="pixelMax"/>], output <paramref name="outputName"/> float [1, 3, 299, 299] in [-1, 1]
    /// (see <see cref="AddTo"/>).
    /// </summary>
    internal static byte[] SingleRowOnnx(string inputName, string outputName, int channels, int height, int width, float pixelMax)
    {
        var g = new OnnxGraphBuilder("fid_preprocessing");
        g.DocString = "pytorch-fid's input pipeline (ToTensor's /255, gray to RGB, bilinear resize to 299 x 299 with align_corners=False, 2x - 1), exported by Ml.GanSdp.";
        var pixels = g.AddInput(inputName, OnnxElementType.Float, channels, height, width);
        var prepared = AddTo(g, g.Unsqueeze(pixels, 0), channels, height, width, pixelMax);
        g.AddOutput(prepared, outputName, 1, 3, InputSize, InputSize);
        return g.ToBytes();
    }

    /// <summary>
    /// The S x N matrix (row-major) of PyTorch's bilinear weights for resampling N samples to S with
    /// <c>align_corners=False</c> (ATen's <c>area_pixel_compute_scale</c>, <c>area_pixel_compute_source_index</c>,
    /// <c>compute_source_index_and_lambda</c>), rounded as PyTorch 1.13's CPU kernel rounds them: the scale
    /// s = (float)N / S in float32, the source coordinate src_i = max(0, s (i + 0.5) - 0.5) in float64,
    /// i0 = trunc(src_i), i1 = min(i0 + 1, N - 1), lambda1 = clamp((float)(src_i - i0), 0, 1) and lambda0 = 1 - lambda1
    /// in float32. Row i holds lambda0 at i0 and lambda1 at i1 (their sum where i0 = i1). N = S gives the identity, as in
    /// PyTorch. These weights equal PyTorch 1.13's bit for bit (test: one-hot images through <c>F.interpolate</c>).
    /// </summary>
    internal static float[] BilinearWeights(int inputSize, int outputSize)
    {
        if (inputSize is < 1 or > MaxSide) throw new ArgumentOutOfRangeException(nameof(inputSize), inputSize, $"Must be 1..{MaxSide}.");
        if (outputSize is < 1 or > MaxSide) throw new ArgumentOutOfRangeException(nameof(outputSize), outputSize, $"Must be 1..{MaxSide}.");
        var weights = new float[outputSize * inputSize];
        float scale = (float)inputSize / outputSize;
        for (int i = 0; i < outputSize; i++)
        {
            if (inputSize == outputSize)
            {
                weights[i * inputSize + i] = 1f;
                continue;
            }
            double source = scale * (i + 0.5) - 0.5;
            if (source < 0) source = 0;
            int i0 = (int)source;
            int i1 = i0 < inputSize - 1 ? i0 + 1 : i0;
            float lambda1 = Math.Clamp((float)(source - i0), 0f, 1f);
            float lambda0 = 1f - lambda1;
            weights[i * inputSize + i0] += lambda0;
            weights[i * inputSize + i1] += lambda1;
        }
        return weights;
    }

    /// <summary>
    /// The same weights for float64 images, as PyTorch computes them in float64: s = (double)N / S,
    /// src_i = max(0, s (i + 0.5) - 0.5), lambda1 = clamp(src_i - i0, 0, 1), lambda0 = 1 - lambda1.
    /// </summary>
    internal static double[] BilinearWeights64(int inputSize, int outputSize)
    {
        if (inputSize is < 1 or > MaxSide) throw new ArgumentOutOfRangeException(nameof(inputSize), inputSize, $"Must be 1..{MaxSide}.");
        if (outputSize is < 1 or > MaxSide) throw new ArgumentOutOfRangeException(nameof(outputSize), outputSize, $"Must be 1..{MaxSide}.");
        var weights = new double[outputSize * inputSize];
        double scale = (double)inputSize / outputSize;
        for (int i = 0; i < outputSize; i++)
        {
            if (inputSize == outputSize)
            {
                weights[i * inputSize + i] = 1;
                continue;
            }
            double source = Math.Max(scale * (i + 0.5) - 0.5, 0);
            int i0 = (int)source;
            int i1 = i0 < inputSize - 1 ? i0 + 1 : i0;
            double lambda1 = Math.Clamp(source - i0, 0, 1);
            weights[i * inputSize + i0] += 1 - lambda1;
            weights[i * inputSize + i1] += lambda1;
        }
        return weights;
    }

    private static T[] Transpose<T>(T[] m, int rows, int columns)
    {
        var t = new T[m.Length];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
                t[c * rows + r] = m[r * columns + c];
        return t;
    }

    /// <summary>The value of a one-element tensor, which is disposed (TorchSharp's own <c>Tensor.ToDouble()</c> leaves a temporary tensor alive).</summary>
    internal static double ToDoubleAndDispose(this Tensor t)
    {
        using (t)
        using (var d = t.to(ScalarType.Float64))
            return d.item<double>();
    }
}
