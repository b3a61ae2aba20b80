using static Ml.GanSdp.torch;

namespace Ml.GanSdp.Imaging;

/// <summary>
/// Conversions between the codec's layout (H x W x C uint8, RGB) and the training layout
/// (C x H x W float32 in [0, 1] or [-1, 1]). Every method also takes a batch (N x ...) and returns a new
/// tensor that the caller owns.
/// </summary>
public static class ImageTensors
{
    /// <summary>
    /// H x W x C (or N x H x W x C) uint8 to C x H x W (or N x C x H x W) float32 in <paramref name="range"/>:
    /// <c>x / 255</c>, then <c>(v - 0.5) / 0.5</c> for [-1, 1] (torchvision's ToTensor + Normalize(0.5, 0.5)).
    /// </summary>
    public static Tensor ToChwFloat(Tensor hwc, PixelRange range = PixelRange.MinusOneToOne)
    {
        ArgumentNullException.ThrowIfNull(hwc);
        var s = hwc.shape;
        if (hwc.dtype != ScalarType.Byte || s.Length is not (3 or 4))
            throw new ArgumentException($"ToChwFloat expects a uint8 H x W x C or N x H x W x C tensor; got {hwc.dtype} of shape [{string.Join(", ", s)}].", nameof(hwc));
        using var chw = s.Length == 3 ? hwc.permute(2, 0, 1) : hwc.permute(0, 3, 1, 2);
        return BytesToFloat(chw, range);
    }

    /// <summary>
    /// C x H x W (or N x C x H x W) float in <paramref name="range"/> to H x W x C (or N x H x W x C) uint8:
    /// clamped to the range, mapped to [0, 1], then <c>floor(v * 255 + 0.5)</c> clamped to 0..255
    /// (torchvision's <c>save_image</c>).
    /// </summary>
    public static Tensor ToHwcBytes(Tensor chw, PixelRange range = PixelRange.MinusOneToOne)
    {
        ArgumentNullException.ThrowIfNull(chw);
        var s = chw.shape;
        if (!IsFloating(chw.dtype) || s.Length is not (3 or 4))
            throw new ArgumentException($"ToHwcBytes expects a floating C x H x W or N x C x H x W tensor; got {chw.dtype} of shape [{string.Join(", ", s)}].", nameof(chw));
        using var bytes = FloatToBytes(chw, range);
        using var hwc = s.Length == 3 ? bytes.permute(1, 2, 0) : bytes.permute(0, 2, 3, 1);
        return hwc.contiguous();
    }

    /// <summary>uint8 pixels (any layout) to float32 in <paramref name="range"/>, keeping the shape.</summary>
    public static Tensor BytesToFloat(Tensor pixels, PixelRange range = PixelRange.MinusOneToOne)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        if (pixels.dtype != ScalarType.Byte)
            throw new ArgumentException($"BytesToFloat expects uint8 pixels; got {pixels.dtype} of shape [{string.Join(", ", pixels.shape)}].", nameof(pixels));
        using var f = pixels.to(ScalarType.Float32);
        var unit = f.div(255.0);
        if (range == PixelRange.ZeroToOne) return unit;
        using (unit)
        {
            using var centered = unit - 0.5;
            return centered.div(0.5);
        }
    }

    /// <summary>Float pixels in <paramref name="range"/> (any layout) to uint8, keeping the shape (see <see cref="ToHwcBytes"/>).</summary>
    public static Tensor FloatToBytes(Tensor pixels, PixelRange range = PixelRange.MinusOneToOne)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        if (!IsFloating(pixels.dtype))
            throw new ArgumentException($"FloatToBytes expects floating pixels; got {pixels.dtype}.", nameof(pixels));
        using var unit = ToUnitRange(pixels, range);
        using var scaled = unit.mul(255.0);
        using var shifted = scaled.add(0.5);
        using var clamped = shifted.clamp(0, 255);
        return clamped.to(ScalarType.Byte);
    }

    /// <summary>Clamps to <paramref name="range"/> and maps it onto [0, 1] (a new float tensor).</summary>
    internal static Tensor ToUnitRange(Tensor pixels, PixelRange range)
    {
        if (range == PixelRange.ZeroToOne) return pixels.clamp(0, 1);
        using var c = pixels.clamp(-1, 1);
        using var shifted = c.add(1.0);
        return shifted.div(2.0);
    }

    internal static bool IsFloating(ScalarType t) => t is ScalarType.Float32 or ScalarType.Float64 or ScalarType.Float16;
}
