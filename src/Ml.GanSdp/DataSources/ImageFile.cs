using Ml.GanSdp.Serialization;

namespace Ml.GanSdp;

/// <summary>
/// Reads an image file into [C, H, W] floats and writes one back, through SkiaSharp (the decoder under
/// ImageAnalytics' <c>LoadImages</c>). Values are 0..255, the scale of <c>ExtractPixels</c>' default output.
/// </summary>
public static class ImageFile
{
    /// <summary>Default limit on an image's declared pixels: 8192 x 8192 = 67,108,864 (64 megapixels).</summary>
    public const long DefaultMaxPixels = SkiaImages.DefaultMaxPixels;

    /// <summary>
    /// Reads <paramref name="path"/> (PNG, JPEG, BMP, GIF's first frame, WebP, ICO) into [C, H, W] floats 0..255:
    /// C = 3 R, G, B planes (the order and scale of ImageAnalytics' <c>ExtractPixels</c> defaults), or C = 1 for
    /// <see cref="ImageColorMode.Grayscale"/>. Alpha is dropped (not composited). The header is checked first:
    /// an image declaring more than <paramref name="maxPixels"/> pixels is refused without being decoded.
    /// </summary>
    /// <exception cref="InvalidImageException">Missing, empty, undecodable, truncated, or too large; names the file.</exception>
    public static ImagePixels Read(string path, ImageColorMode mode = ImageColorMode.Rgb, long maxPixels = DefaultMaxPixels)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!Enum.IsDefined(mode)) throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown ImageColorMode.");
        SkiaImages.ValidateMaxPixels(maxPixels, nameof(maxPixels));
        using var codec = SkiaImages.OpenChecked(path, maxPixels, nameof(maxPixels));
        int w = codec.Info.Width, h = codec.Info.Height;
        var rgba = new byte[(long)w * h * 4];
        SkiaImages.DecodeRgba(codec, path, rgba);
        return mode == ImageColorMode.Rgb ? RgbPlanes(rgba, h, w) : LumaPlane(rgba, h, w);
    }

    /// <summary>
    /// Writes <paramref name="image"/> to <paramref name="path"/> atomically (temporary file + rename): PNG for .png,
    /// JPEG (<paramref name="jpegQuality"/>) for .jpg/.jpeg. Values of [<paramref name="minValue"/>, <paramref name="maxValue"/>]
    /// map to 0..255 as torchvision's <c>save_image</c> (clamp, scale, floor(u * 255 + 0.5)).
    /// </summary>
    /// <exception cref="ArgumentException">Another extension (checked before anything is written), a bad range, or a NaN value.</exception>
    /// <exception cref="IOException">The target cannot be written; the message names the target.</exception>
    public static void Write(string path, ImagePixels image, float minValue = 0, float maxValue = 255, int jpegQuality = 95)
    {
        ArgumentNullException.ThrowIfNull(image);
        var format = SkiaImages.FormatOf(path);
        if (jpegQuality is < 1 or > 100) throw new ArgumentOutOfRangeException(nameof(jpegQuality), jpegQuality, "jpegQuality must be in 1..100.");
        var bytes = Encode(image, format, minValue, maxValue, jpegQuality);
        AtomicFile.WriteAllBytes(path, bytes);
    }

    /// <summary>Encodes <paramref name="image"/> as PNG bytes (values of [min, max] mapped to 0..255 as in <see cref="Write"/>).</summary>
    public static byte[] EncodePng(ImagePixels image, float minValue = 0, float maxValue = 255)
    {
        ArgumentNullException.ThrowIfNull(image);
        return Encode(image, SkiaSharp.SKEncodedImageFormat.Png, minValue, maxValue, 100);
    }

    private static byte[] Encode(ImagePixels image, SkiaSharp.SKEncodedImageFormat format, float min, float max, int quality)
    {
        ValidateRange(min, max);
        var bytes = new byte[image.Values.Length];
        float range = SkiaImages.Range(min, max);
        for (int i = 0; i < bytes.Length; i++)
        {
            float v = image.Values[i];
            if (float.IsNaN(v)) throw new ArgumentException($"The image holds NaN at value index {i}; cannot write it.", nameof(image));
            bytes[i] = SkiaImages.ToByte(v, min, max, range);
        }
        return SkiaImages.Encode(bytes, image.Shape, format, quality);
    }

    internal static void ValidateRange(float min, float max)
    {
        if (!float.IsFinite(min) || !float.IsFinite(max) || !(min < max))
            throw new ArgumentException($"The value range [{min}, {max}] is invalid: both ends must be finite and min < max.");
    }

    private static ImagePixels RgbPlanes(byte[] rgba, int h, int w)
    {
        long plane = (long)h * w;
        var values = new float[3 * plane];
        for (long i = 0; i < plane; i++)
        {
            values[i] = rgba[4 * i];
            values[plane + i] = rgba[4 * i + 1];
            values[2 * plane + i] = rgba[4 * i + 2];
        }
        return new ImagePixels(new ImageShape(3, h, w), values);
    }

    /// <summary>ITU-R BT.601 luma in 16-bit fixed point, Pillow's <c>convert("L")</c>: (19595 R + 38470 G + 7471 B + 2^15) >> 16; exact for gray files.</summary>
    private static ImagePixels LumaPlane(byte[] rgba, int h, int w)
    {
        long plane = (long)h * w;
        var values = new float[plane];
        for (long i = 0; i < plane; i++)
            values[i] = (rgba[4 * i] * 19595 + rgba[4 * i + 1] * 38470 + rgba[4 * i + 2] * 7471 + 0x8000) >> 16;
        return new ImagePixels(new ImageShape(1, h, w), values);
    }
}
