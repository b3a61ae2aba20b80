using System.Collections.Concurrent;

namespace Ml.GanSdp.Onnx;

/// <summary>
/// A folder of its own for ONNX files that ML.NET's <c>OnnxTransformer</c> reads. The transformer reads its model from a
/// file while it lives (and again at every <c>mlContext.Model.Save</c>), and <c>ApplyOnnxModel(..., Stream)</c> would
/// copy the bytes into <c>MLContext.TempFilePath</c> and never delete them (measured with ML.NET 5.0.1), so estimators
/// that hold generated models write them here instead: <see cref="Dispose"/> deletes the folder, and a process-exit hook
/// deletes the folders never disposed. Thread-safe.
/// </summary>
internal sealed class OnnxModelFolder : IDisposable
{
    private static readonly ConcurrentDictionary<string, byte> LiveFolders = new(StringComparer.Ordinal);

    static OnnxModelFolder()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var folder in LiveFolders.Keys) TryDelete(folder);
        };
    }

    private readonly object _gate = new();
    private bool _disposed;

    /// <summary>Creates <c>gansdp-onnx-&lt;guid&gt;</c> under <paramref name="parent"/> (null: the system temp folder).</summary>
    public OnnxModelFolder(string? parent)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetFullPath(parent ?? System.IO.Path.GetTempPath()), "gansdp-onnx-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
        LiveFolders[Path] = 0;
    }

    /// <summary>The folder.</summary>
    public string Path { get; }

    /// <summary>
    /// The path of <paramref name="fileName"/> in the folder, writing <paramref name="bytes"/> there first (to a
    /// temporary file, flushed, then renamed) unless the file exists already: callers name files after what they hold.
    /// </summary>
    public string GetOrWrite(string fileName, Func<byte[]> bytes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(fileName);
        if (fileName.IndexOfAny(System.IO.Path.GetInvalidFileNameChars()) >= 0 || fileName is "." or "..")
            throw new ArgumentException($"'{fileName}' is not a plain file name.", nameof(fileName));
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var path = System.IO.Path.Combine(Path, fileName);
            if (File.Exists(path)) return path;
            var tmp = path + ".tmp";
            using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                fs.Write(bytes());
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, path);
            return path;
        }
    }

    /// <summary>Deletes the folder and everything in it (files still open elsewhere are left to the exit hook).</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            if (TryDelete(Path)) LiveFolders.TryRemove(Path, out _);
        }
    }

    private static bool TryDelete(string folder)
    {
        try
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
            return true;
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }
}
