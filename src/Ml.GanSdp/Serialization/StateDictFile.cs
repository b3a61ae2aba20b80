using System.Collections;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Ml.GanSdp.Serialization;

/// <summary>
/// Named tensors (a model's state dict) on disk, chosen by extension, through TorchSharp.PyBridge for PyTorch's
/// formats: <c>.pth</c>/<c>.pt</c> (what <c>torch.save(model.state_dict())</c> writes: an <c>OrderedDict</c> or a plain
/// dict of tensors, in PyTorch's zip format), <c>.safetensors</c>, and <c>.npz</c> (numpy). PyBridge's unpickler only
/// rebuilds tensors and the collections that hold them: a pickle that asks to import or call anything else is
/// refused (an <see cref="InvalidDataException"/> naming the file), never executed. The formats carry no checksum.
/// </summary>
public static class StateDictFile
{
    /// <summary>The extensions <see cref="Load"/> understands.</summary>
    public static IReadOnlyList<string> Extensions { get; } = new[] { ".safetensors", ".pth", ".pt", ".npz" };

    /// <summary>The extensions <see cref="Save"/> writes.</summary>
    public static IReadOnlyList<string> WritableExtensions { get; } = new[] { ".safetensors", ".pth", ".pt" };

    /// <summary>Reads the named tensors of <paramref name="path"/>, by its extension. The caller owns the tensors (CPU).</summary>
    /// <exception cref="NotSupportedException">The extension is none of <see cref="Extensions"/>.</exception>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is malformed or hostile (the message names the file).</exception>
    public static Dictionary<string, Tensor> Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var ext = Extension(path);
        if (!Extensions.Contains(ext))
            throw new NotSupportedException($"'{path}': cannot read named tensors from a '{ext}' file; use one of {string.Join(", ", Extensions)}.");
        if (!File.Exists(path)) throw new FileNotFoundException($"No state dict file at '{path}'.", path);
        if (ext == ".npz") return Npy.LoadNpz(path);
        try
        {
            return ext == ".safetensors" ? Safetensors.LoadStateDict(path) : FromPickle(PyTorchUnpickler.UnpickleStateDict(path), path);
        }
        catch (Exception e) when (e is not (InvalidDataException or OutOfMemoryException))
        {
            throw new InvalidDataException($"'{path}' is not a readable {ext} state dict: {e.Message}", e);
        }
    }

    /// <summary>Writes the named tensors atomically as safetensors or as a PyTorch <c>.pth</c> (readable by <c>torch.load</c>).</summary>
    /// <exception cref="NotSupportedException">The extension is not one of <see cref="WritableExtensions"/>.</exception>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(tensors);
        var ext = Extension(path);
        if (!WritableExtensions.Contains(ext))
            throw new NotSupportedException($"'{path}': state dicts are written as {string.Join(", ", WritableExtensions)}; give the file one of these extensions.");
        using var scope = NewDisposeScope();
        var cpu = tensors.ToDictionary(kv => kv.Key, kv => kv.Value.detach().cpu().contiguous());
        AtomicFile.Write(path, s =>
        {
            if (ext == ".safetensors") Safetensors.SaveStateDict(s, cpu, leaveOpen: true);
            else PyTorchPickler.PickleStateDict(s, cpu, leaveOpen: true);
        });
    }

    private static Dictionary<string, Tensor> FromPickle(Hashtable table, string path)
    {
        var result = new Dictionary<string, Tensor>();
        try
        {
            foreach (DictionaryEntry e in table)
            {
                if (e.Key is not string key)
                    throw new InvalidDataException($"'{path}': a state dict key is a {e.Key?.GetType().Name ?? "null"}, not a string.");
                if (e.Value is not Tensor t)
                    throw new InvalidDataException($"'{path}': '{key}' holds a {e.Value?.GetType().Name ?? "null"}, not a tensor; save model.state_dict(), not a whole checkpoint object.");
                result[key] = t;
            }
            return result;
        }
        catch
        {
            foreach (DictionaryEntry e in table) (e.Value as IDisposable)?.Dispose();
            throw;
        }
    }

    private static string Extension(string path) => Path.GetExtension(path).ToLowerInvariant();
}
