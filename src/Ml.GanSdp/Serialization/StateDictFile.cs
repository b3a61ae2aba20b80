using static Ml.GanSdp.torch;

namespace Ml.GanSdp.Serialization;

/// <summary>
/// Named tensors (a model's state dict) on disk, chosen by extension: <c>.safetensors</c> (read and written),
/// <c>.pth</c>/<c>.pt</c> (a torch.save'd dict, read only) and <c>.npz</c> (numpy, read only).
/// </summary>
public static class StateDictFile
{
    /// <summary>The extensions <see cref="Load"/> understands.</summary>
    public static IReadOnlyList<string> Extensions { get; } = new[] { ".safetensors", ".pth", ".pt", ".npz" };

    /// <summary>Reads the named tensors of <paramref name="path"/>, by its extension. The caller owns the tensors.</summary>
    /// <exception cref="NotSupportedException">The extension is none of <see cref="Extensions"/>.</exception>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is malformed (the message names the file).</exception>
    public static Dictionary<string, Tensor> Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Extension(path) switch
        {
            ".safetensors" => Safetensors.Load(path),
            ".pth" or ".pt" => PthFile.Load(path),
            ".npz" => Npy.LoadNpz(path),
            var ext => throw new NotSupportedException(
                $"'{path}': cannot read named tensors from a '{ext}' file; use one of {string.Join(", ", Extensions)}."),
        };
    }

    /// <summary>Writes the named tensors as safetensors (atomically); <paramref name="path"/> must end in <c>.safetensors</c>.</summary>
    /// <exception cref="NotSupportedException">The extension is not <c>.safetensors</c>, the one format written.</exception>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Extension(path) != ".safetensors")
            throw new NotSupportedException($"'{path}': state dicts are written as safetensors only; give the file the '.safetensors' extension.");
        Safetensors.Save(path, tensors, metadata);
    }

    private static string Extension(string path) => Path.GetExtension(path).ToLowerInvariant();
}
