namespace Ml.GanSdp.Imaging;

/// <summary>Image file formats that <see cref="ImageCodec"/> reads and writes (through OpenCV 4.6).</summary>
public enum ImageFormat
{
    /// <summary>PNG: lossless, 8-bit gray or RGB.</summary>
    Png,
    /// <summary>JPEG (baseline, libjpeg): lossy; <see cref="ImageEncodeOptions.Quality"/> applies.</summary>
    Jpeg,
    /// <summary>Windows bitmap: lossless, uncompressed.</summary>
    Bmp,
    /// <summary>WebP (libwebp): lossy, or lossless with <see cref="ImageEncodeOptions.Lossless"/>.</summary>
    WebP,
}

/// <summary>Which range float pixels use.</summary>
public enum PixelRange
{
    /// <summary>[0, 1]: <c>x / 255</c> (torchvision's <c>ToTensor</c>).</summary>
    ZeroToOne,
    /// <summary>[-1, 1]: <c>(x / 255 - 0.5) / 0.5</c> (the usual GAN range, matching a tanh output).</summary>
    MinusOneToOne,
}
