using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

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

    /// <summary>Bilinear resize to 299 x 299 with align_corners=False (PyTorch's <c>F.interpolate</c>).</summary>
    public static Tensor ResizeBilinear(Tensor images)
    {
        var s = images.shape;
        if (s[2] == InputSize && s[3] == InputSize) return images.alias(); // interpolate to the same size is the identity
        return interpolate(images, new long[] { InputSize, InputSize }, mode: InterpolationMode.Bilinear, align_corners: false);
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

    /// <summary>The value of a one-element tensor, which is disposed (TorchSharp's own <c>Tensor.ToDouble()</c> leaves a temporary tensor alive).</summary>
    internal static double ToDoubleAndDispose(this Tensor t)
    {
        using (t)
        using (var d = t.to(ScalarType.Float64))
            return d.item<double>();
    }
}
