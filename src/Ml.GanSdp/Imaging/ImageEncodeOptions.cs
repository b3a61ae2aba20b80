namespace Ml.GanSdp.Imaging;

/// <summary>Options of <see cref="ImageCodec.Encode(torch.Tensor, ImageFormat, ImageEncodeOptions?)"/>.</summary>
public sealed record ImageEncodeOptions
{
    /// <summary>JPEG and lossy WebP quality, 1..100 (default 95). Ignored by PNG and BMP.</summary>
    public int Quality { get; init; } = 95;

    /// <summary>WebP only: encode losslessly (OpenCV's quality &gt; 100). Default false.</summary>
    public bool Lossless { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> when an option is out of range.</summary>
    public void Validate()
    {
        if (Quality is < 1 or > 100)
            throw new ArgumentOutOfRangeException(nameof(Quality), Quality, "ImageEncodeOptions.Quality must be in 1..100.");
    }
}
