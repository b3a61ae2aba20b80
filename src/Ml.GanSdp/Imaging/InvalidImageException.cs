namespace Ml.GanSdp.Imaging;

/// <summary>
/// An image file (or buffer) that could not be read or decoded. It derives from <see cref="IOException"/>
/// so that one <c>catch (IOException)</c> covers missing, unreadable and corrupt images alike; the
/// message always names the file.
/// </summary>
public sealed class InvalidImageException : IOException
{
    /// <summary>Creates the exception for <paramref name="filePath"/> with the reason it failed.</summary>
    public InvalidImageException(string filePath, string reason, Exception? inner = null)
        : base($"Image '{filePath}' could not be read: {reason}", inner)
    {
        FilePath = filePath;
        Reason = reason;
    }

    /// <summary>The file (or the name given to an in-memory buffer) that failed.</summary>
    public string FilePath { get; }

    /// <summary>Why it failed, without the file name.</summary>
    public string Reason { get; }
}
