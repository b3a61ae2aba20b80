using SkiaSharp;

namespace Ml.GanSdp;

/// <summary>
/// Image decoding and encoding through SkiaSharp (the codec library under ImageAnalytics' <c>LoadImages</c>):
/// a header check that reads the declared size before any pixel is decoded, and the float to byte conversion of
/// image output.
/// </summary>
internal static class SkiaImages
{
    /// <summary>Default limit on an image's declared pixels: 8192 x 8192 = 67,108,864 (64 megapixels).</summary>
    public const long DefaultMaxPixels = 8192L * 8192;

    /// <summary>Largest pixel limit accepted by any option: an RGBA (or float) buffer of that many pixels must fit in one .NET array.</summary>
    public static readonly long MaxPixelsLimit = Array.MaxLength / 4;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> unless 1 &lt;= <paramref name="value"/> &lt;= <see cref="MaxPixelsLimit"/>.</summary>
    public static void ValidateMaxPixels(long value, string name)
    {
        if (value < 1 || value > MaxPixelsLimit)
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be in 1..{MaxPixelsLimit:N0}.");
    }

    /// <summary>
    /// Opens <paramref name="path"/>'s codec, which parses the header only, and refuses an image whose declared
    /// width x height exceeds <paramref name="maxPixels"/> before anything is decoded (a decompression bomb: a
    /// small PNG may declare 30000 x 30000). The caller disposes the codec.
    /// </summary>
    /// <exception cref="InvalidImageException">Missing, empty, not a decodable format, zero or too many pixels; names the file.</exception>
    public static SKCodec OpenChecked(string path, long maxPixels, string limitName)
    {
        var file = Target(path);
        if (!file.Exists) throw new InvalidImageException(path, file.FullName == Path.GetFullPath(path) ? "does not exist" : $"is a link to '{file.FullName}', which does not exist");
        if (file.Length == 0) throw new InvalidImageException(path, "is empty");
        var codec = SKCodec.Create(path, out var result);
        if (codec is null) throw new InvalidImageException(path, $"is not an image SkiaSharp can decode (header: {result})");
        var info = codec.Info;
        long pixels = (long)info.Width * info.Height;
        if (info.Width <= 0 || info.Height <= 0)
        {
            codec.Dispose();
            throw new InvalidImageException(path, $"declares an empty size {info.Width} x {info.Height}");
        }
        if (pixels > maxPixels)
        {
            codec.Dispose();
            throw new InvalidImageException(path, $"declares {info.Width} x {info.Height} = {pixels:N0} pixels, above the limit of {maxPixels:N0} ({limitName}); it was not decoded");
        }
        return codec;
    }

    /// <summary>The file itself, or for a symbolic link its final target.</summary>
    private static FileInfo Target(string path)
    {
        var file = new FileInfo(path);
        if (file.LinkTarget is null) return file;
        try
        {
            return file.ResolveLinkTarget(returnFinalTarget: true) is FileInfo target ? new FileInfo(target.FullName) : file;
        }
        catch (IOException e)
        {
            throw new InvalidImageException(path, $"is a symbolic link that cannot be resolved ({e.Message})", e);
        }
    }

    /// <summary>
    /// Decodes the whole image as 8-bit RGBA, unpremultiplied, into <paramref name="rgba"/> (at least W x H x 4 bytes).
    /// Anything but a complete decode (e.g. a truncated file, which Skia would otherwise fill in) is an error.
    /// </summary>
    public static unsafe void DecodeRgba(SKCodec codec, string path, byte[] rgba)
    {
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        if (rgba.LongLength < (long)info.Width * info.Height * 4) throw new ArgumentException("The RGBA buffer is too small.", nameof(rgba));
        SKCodecResult result;
        fixed (byte* p = rgba) result = codec.GetPixels(info, (IntPtr)p);
        if (result == SKCodecResult.IncompleteInput)
            throw new InvalidImageException(path, "is truncated: its pixel data ends before the image is complete");
        if (result != SKCodecResult.Success)
            throw new InvalidImageException(path, $"has pixel data that cannot be decoded ({result})");
    }

    /// <summary>
    /// Maps a value of the declared range [<paramref name="min"/>, <paramref name="max"/>] to a byte as
    /// torchvision's <c>make_grid(normalize=True, value_range=(min, max))</c> + <c>save_image</c> do, in float32:
    /// <c>u = (clamp(v, min, max) - min) / range</c>, byte = <c>floor(u * 255 + 0.5)</c>, with <c>range</c> from <see cref="Range"/>.
    /// </summary>
    public static byte ToByte(float value, float min, float max, float range)
    {
        float u = (Math.Clamp(value, min, max) - min) / range;
        float s = u * 255f + 0.5f;
        return (byte)Math.Clamp(s, 0f, 255f);
    }

    /// <summary>The float32 divisor of <see cref="ToByte"/>: max(max - min, 1e-5), computed in double then rounded (as Python does).</summary>
    public static float Range(float min, float max) => (float)Math.Max((double)max - min, 1e-5);

    /// <summary>The output format of <paramref name="path"/> from its extension: .png, or .jpg/.jpeg.</summary>
    /// <exception cref="ArgumentException">Any other extension (the bytes would not match the name).</exception>
    public static SKEncodedImageFormat FormatOf(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var ext = Path.GetExtension(path);
        if (ext.Equals(".png", StringComparison.OrdinalIgnoreCase)) return SKEncodedImageFormat.Png;
        if (ext.Equals(".jpg", StringComparison.OrdinalIgnoreCase) || ext.Equals(".jpeg", StringComparison.OrdinalIgnoreCase)) return SKEncodedImageFormat.Jpeg;
        throw new ArgumentException($"Cannot write image '{path}': the extension '{ext}' is not supported; use .png (or .jpg/.jpeg), the format follows the extension.", nameof(path));
    }

    /// <summary>Encodes C x H x W bytes (planes; C = 1 gray, 3 RGB) as PNG or JPEG (<paramref name="quality"/> 1..100).</summary>
    public static unsafe byte[] Encode(ReadOnlySpan<byte> planes, ImageShape shape, SKEncodedImageFormat format, int quality)
    {
        int h = shape.Height, w = shape.Width;
        var info = shape.Channels == 1
            ? new SKImageInfo(w, h, SKColorType.Gray8, SKAlphaType.Opaque)
            : new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Opaque);
        using var bitmap = new SKBitmap(info);
        byte* dst = (byte*)bitmap.GetPixels();
        int stride = bitmap.RowBytes;
        long plane = (long)h * w;
        for (int y = 0; y < h; y++)
        {
            byte* row = dst + (long)y * stride;
            for (int x = 0; x < w; x++)
            {
                long i = (long)y * w + x;
                if (shape.Channels == 1) row[x] = planes[(int)i];
                else
                {
                    row[4 * x] = planes[(int)i];
                    row[4 * x + 1] = planes[(int)(plane + i)];
                    row[4 * x + 2] = planes[(int)(2 * plane + i)];
                    row[4 * x + 3] = 255;
                }
            }
        }
        using var data = bitmap.Encode(format, quality)
            ?? throw new InvalidOperationException($"SkiaSharp could not encode a {w} x {h} image as {format}.");
        return data.ToArray();
    }
}
