using System.Runtime.InteropServices;
using Ml.GanSdp.Interop;
using Ml.GanSdp.Serialization;
using static Ml.GanSdp.torch;

namespace Ml.GanSdp.Imaging;

/// <summary>
/// Decodes and encodes image files through OpenCV 4.6 (the native shim's <c>gs_image_decode</c> and
/// <c>gs_image_encode</c>). Decoded images are uint8 tensors of shape H x W x C in RGB order (C = 3, or 1
/// when grayscale); use <see cref="ImageTensors"/> to turn them into C x H x W floats.
/// PNG, JPEG, BMP and WebP are supported for both reading and writing (see docs/data.md).
/// </summary>
public static class ImageCodec
{
    /// <summary>File extensions (lower case, with the dot) that <see cref="Decode(string, bool)"/> accepts by default.</summary>
    public static IReadOnlyList<string> SupportedExtensions { get; } = new[] { ".png", ".jpg", ".jpeg", ".bmp", ".webp" };

    /// <summary>Decodes encoded image bytes into an H x W x C uint8 RGB tensor (C = 1 when <paramref name="grayscale"/>).</summary>
    /// <param name="bytes">The encoded file content.</param>
    /// <param name="grayscale">Decode to one channel (OpenCV's conversion) instead of RGB.</param>
    /// <param name="name">How the data is named in errors (for example its file path).</param>
    /// <exception cref="InvalidImageException">The bytes are empty or not a decodable image.</exception>
    public static unsafe Tensor Decode(ReadOnlySpan<byte> bytes, bool grayscale = false, string name = "<memory>")
    {
        if (bytes.IsEmpty) throw new InvalidImageException(name, "the data is empty (0 bytes)");
        int status;
        IntPtr r;
        fixed (byte* p = bytes)
        {
            status = NativeMethods.gs_image_decode(p, bytes.Length, grayscale ? 1 : 0, out r);
        }
        if (status != 0) throw new InvalidImageException(name, NativeMethods.LastError + $" ({bytes.Length} bytes)");
        return Wrap(r);
    }

    /// <summary>Reads and decodes the image file at <paramref name="path"/> (H x W x C uint8, RGB).</summary>
    /// <exception cref="InvalidImageException">The file is missing, unreadable or not a decodable image; the message names it.</exception>
    public static Tensor Decode(string path, bool grayscale = false)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidImageException(path, e is FileNotFoundException or DirectoryNotFoundException ? "the file does not exist" : e.Message, e);
        }
        return Decode(bytes, grayscale, path);
    }

    /// <summary>Encodes an H x W x C uint8 tensor (C = 1 or 3, RGB) in <paramref name="format"/>.</summary>
    /// <exception cref="ArgumentException">The tensor is not uint8 H x W x C with C in {1, 3}.</exception>
    public static byte[] Encode(Tensor image, ImageFormat format, ImageEncodeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        options ??= new ImageEncodeOptions();
        options.Validate();
        CheckEncodable(image, nameof(image));
        int quality = format == ImageFormat.WebP && options.Lossless ? 101 : options.Quality;
        NativeMethods.Check(NativeMethods.gs_image_encode(image.Handle, Extension(format), quality, out var buffer, out var size), nameof(Encode));
        try
        {
            var result = new byte[size];
            Marshal.Copy(buffer, result, 0, checked((int)size));
            return result;
        }
        finally
        {
            NativeMethods.gs_buffer_free(buffer);
        }
    }

    /// <summary>
    /// Encodes <paramref name="image"/> (H x W x C uint8) and writes it atomically to <paramref name="path"/>;
    /// the format comes from the extension unless <paramref name="format"/> is given.
    /// </summary>
    public static void Save(string path, Tensor image, ImageFormat? format = null, ImageEncodeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        var bytes = Encode(image, format ?? FormatFromPath(path), options);
        AtomicFile.WriteAllBytes(path, bytes);
    }

    /// <summary>The format named by the extension of <paramref name="path"/> (.png, .jpg/.jpeg, .bmp, .webp).</summary>
    /// <exception cref="ArgumentException">The extension is none of those.</exception>
    public static ImageFormat FormatFromPath(string path) => TryFormatFromPath(path, out var f)
        ? f
        : throw new ArgumentException($"'{path}' has no image extension that ImageCodec writes (expected one of {string.Join(", ", SupportedExtensions)}).", nameof(path));

    /// <summary>Whether <paramref name="path"/> ends with a supported image extension (case-insensitive).</summary>
    public static bool TryFormatFromPath(string path, out ImageFormat format)
    {
        switch (Path.GetExtension(path).ToLowerInvariant())
        {
            case ".png": format = ImageFormat.Png; return true;
            case ".jpg" or ".jpeg": format = ImageFormat.Jpeg; return true;
            case ".bmp": format = ImageFormat.Bmp; return true;
            case ".webp": format = ImageFormat.WebP; return true;
            default: format = default; return false;
        }
    }

    /// <summary>The extension OpenCV uses for <paramref name="format"/>.</summary>
    public static string Extension(ImageFormat format) => format switch
    {
        ImageFormat.Png => ".png",
        ImageFormat.Jpeg => ".jpg",
        ImageFormat.Bmp => ".bmp",
        ImageFormat.WebP => ".webp",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown image format."),
    };

    private static void CheckEncodable(Tensor image, string param)
    {
        var s = image.shape;
        if (image.dtype != ScalarType.Byte || s.Length != 3 || (s[2] != 1 && s[2] != 3) || s[0] < 1 || s[1] < 1)
            throw new ArgumentException(
                $"An image to encode must be a uint8 H x W x C tensor with C = 1 or 3 (RGB); got {image.dtype} of shape [{string.Join(", ", s)}]. " +
                "Convert C x H x W floats with ImageTensors.ToHwcBytes first.", param);
    }
}
