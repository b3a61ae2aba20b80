namespace Ml.GanSdp.Serialization;

/// <summary>Writes files atomically: to a temporary file beside the target, flushed, then renamed over it.</summary>
public static class AtomicFile
{
    /// <summary>
    /// Writes through <paramref name="write"/> into a temporary file and renames it to <paramref name="path"/>.
    /// A failure to create, write or rename (no permission, no space, a missing folder) is rethrown as the same kind
    /// of exception naming <paramref name="path"/>, not the temporary file; the temporary file is removed.
    /// </summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        var tmp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            Directory.CreateDirectory(dir);
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(fs);
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(tmp); } catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException) { }
            var reason = e.Message.Replace(tmp, full, StringComparison.Ordinal);
            var message = $"Cannot write '{full}': {reason}";
            if (e is UnauthorizedAccessException) throw new UnauthorizedAccessException(message, e);
            if (e is DirectoryNotFoundException) throw new DirectoryNotFoundException(message, e);
            throw new IOException(message, e);
        }
        catch
        {
            try { File.Delete(tmp); } catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException) { }
            throw;
        }
    }

    /// <summary>
    /// The process id in the name of a temporary file this class writes (<c>.{name}.{pid}.{guid}.tmp</c>), or null
    /// when <paramref name="path"/> is not one.
    /// </summary>
    public static int? WriterProcessId(string path)
    {
        var name = Path.GetFileName(path);
        if (!name.StartsWith('.') || !name.EndsWith(".tmp", StringComparison.Ordinal)) return null;
        var parts = name[..^4].Split('.');
        if (parts.Length < 4 || parts[^1].Length != 32 || !parts[^1].All(Uri.IsHexDigit)) return null;
        return int.TryParse(parts[^2], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var pid) ? pid : null;
    }

    /// <summary>Writes <paramref name="bytes"/> atomically.</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        var copy = bytes.ToArray();
        Write(path, s => s.Write(copy));
    }

    /// <summary>Writes <paramref name="text"/> (UTF-8) atomically.</summary>
    public static void WriteAllText(string path, string text) => WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(text));
}
