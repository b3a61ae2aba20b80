using System.Collections.Concurrent;

namespace Ml.GanSdp.Onnx;

/// <summary>
/// An ONNX model file in a folder of its own, for ML.NET's <c>OnnxTransformer</c>, which reads its model from a file
/// while it lives and again at every <c>mlContext.Model.Save</c>. (<c>ApplyOnnxModel(..., Stream)</c> would instead
/// write a copy into <c>MLContext.TempFilePath</c> that ML.NET never deletes.) The folder
/// (<c>&lt;parent&gt;/gansdp-onnx-&lt;guid&gt;</c>) is deleted by <see cref="Dispose"/>, and a process-exit hook deletes
/// the folders never disposed. The file is written atomically (temporary name, flush, rename).
/// </summary>
/// <remarks>Shared by <see cref="OnnxGeneratorEstimator"/> and the image CNN trainer. Thread-safe.</remarks>
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

    private int _disposed;

    /// <summary>
    /// Creates <c>gansdp-onnx-&lt;guid&gt;</c> under <paramref name="parentFolder"/> (null: the system temp folder) and
    /// writes <paramref name="model"/> into it as <paramref name="fileName"/>. On failure nothing is left behind.
    /// </summary>
    public OnnxModelFolder(string? parentFolder, string fileName, byte[] model)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(fileName);
        ArgumentNullException.ThrowIfNull(model);
        var parent = Path.GetFullPath(parentFolder ?? Path.GetTempPath());
        Folder = Path.Combine(parent, "gansdp-onnx-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
        LiveFolders[Folder] = 0;
        try
        {
            ModelPath = Path.Combine(Folder, fileName);
            WriteAtomically(ModelPath, model);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The folder (deleted on <see cref="Dispose"/> or at process exit).</summary>
    public string Folder { get; }

    /// <summary>The model file inside <see cref="Folder"/>.</summary>
    public string ModelPath { get; } = "";

    /// <summary>Whether the folder is registered as live (not yet disposed); for tests.</summary>
    internal static bool IsLive(string folder) => LiveFolders.ContainsKey(folder);

    /// <summary>Deletes the folder (once; later calls do nothing). Errors deleting it are ignored.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        TryDelete(Folder);
        LiveFolders.TryRemove(Folder, out _);
    }

    private static void TryDelete(string folder)
    {
        try { if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private static void WriteAtomically(string path, byte[] bytes)
    {
        var tmp = path + ".tmp";
        using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            fs.Write(bytes);
            fs.Flush(flushToDisk: true);
        }
        File.Move(tmp, path);
    }
}
