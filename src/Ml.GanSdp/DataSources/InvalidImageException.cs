namespace Ml.GanSdp;

/// <summary>An image file that cannot be used: missing, empty, undecodable, truncated, or declaring more pixels than allowed (an <see cref="IOException"/>).</summary>
public sealed class InvalidImageException : IOException
{
    /// <summary>Creates the exception for <paramref name="filePath"/>; the message reads "Image '&lt;path&gt;' &lt;reason&gt;.".</summary>
    public InvalidImageException(string filePath, string reason, Exception? inner = null)
        : base($"Image '{filePath}' {reason}.", inner)
    {
        FilePath = filePath;
        Reason = reason;
    }

    /// <summary>The file.</summary>
    public string FilePath { get; }

    /// <summary>What is wrong with it (without the file name).</summary>
    public string Reason { get; }
}

/// <summary>What a data source does with an image file it cannot use.</summary>
public enum InvalidImageHandling
{
    /// <summary>Throw an <see cref="InvalidImageException"/> naming the file when the cursor reaches it (default).</summary>
    Throw,
    /// <summary>Leave the row out, and record the file and the reason (<see cref="ImageFolderDataView.SkippedImages"/>).</summary>
    Skip,
}

/// <summary>How <see cref="ImageFile.Read"/> turns a file into channels.</summary>
public enum ImageColorMode
{
    /// <summary>Three planes R, G, B (a gray file gives three equal planes; alpha is dropped).</summary>
    Rgb,
    /// <summary>One plane: gray files as stored; colour files through ITU-R BT.601 luma, (19595 R + 38470 G + 7471 B + 2^15) >> 16 (Pillow's <c>convert("L")</c>).</summary>
    Grayscale,
}

/// <summary>One image file left out by <see cref="InvalidImageHandling.Skip"/>: the file and why.</summary>
/// <param name="Path">The file.</param>
/// <param name="Reason">What is wrong with it.</param>
public sealed record SkippedImage(string Path, string Reason);
