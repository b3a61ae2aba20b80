using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Serialization;

/// <summary>
/// TorchSharp tensors as NumPy <c>.npy</c> arrays and <c>.npz</c> archives, keeping their element type (float32,
/// float64, int64, int32, uint8, bool). A thin adapter: the format itself (headers, limits, zip, atomic writes) is
/// <see cref="NpzArrays"/>; this class only moves the bytes in and out of tensors. Used for golden vectors,
/// checkpoints, the trainer's sample dumps and state dicts saved as .npz.
/// </summary>
public static class Npy
{
    /// <summary>The largest array read (bytes): one managed byte array.</summary>
    public const long MaxArrayBytes = NpzArrays.MaxBytes;

    /// <summary>Reads a .npy file into a tensor.</summary>
    public static Tensor Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"No .npy file at '{path}'.", path);
        using var fs = File.OpenRead(path);
        return Read(fs, path);
    }

    /// <summary>Reads one .npy array from a stream; <paramref name="source"/> names it in errors.</summary>
    public static Tensor Read(Stream stream, string source = "stream") => ToTensor(NpzArrays.ReadRaw(stream, source), source);

    /// <summary>Writes a tensor as .npy (version 1.0) to a stream.</summary>
    public static void Write(Stream stream, Tensor t) => NpzArrays.WriteRaw(stream, ToArray(t));

    /// <summary>Writes a tensor to a .npy file atomically.</summary>
    public static void Save(string path, Tensor t)
    {
        var array = ToArray(t);
        AtomicFile.Write(path, s => NpzArrays.WriteRaw(s, array));
    }

    /// <summary>Reads every array of a .npz file (compressed or not), by name without the .npy suffix. The caller owns the tensors.</summary>
    public static Dictionary<string, Tensor> LoadNpz(string path)
    {
        var raw = NpzArrays.LoadNpzRaw(path);
        var result = new Dictionary<string, Tensor>();
        try
        {
            foreach (var (name, array) in raw) result[name] = ToTensor(array, $"{path}:{name}.npy");
            return result;
        }
        catch
        {
            foreach (var t in result.Values) t.Dispose();
            throw;
        }
    }

    /// <summary>Writes tensors to an uncompressed .npz file atomically (readable by <c>numpy.load</c>).</summary>
    public static void SaveNpz(string path, IReadOnlyDictionary<string, Tensor> arrays)
    {
        ArgumentNullException.ThrowIfNull(arrays);
        NpzArrays.SaveNpzRaw(path, arrays.Select(kv => (kv.Key, ToArray(kv.Value))).ToList());
    }

    private static NpyArray ToArray(Tensor t)
    {
        ArgumentNullException.ThrowIfNull(t);
        var type = t.dtype switch
        {
            ScalarType.Float32 => NpyType.Float32,
            ScalarType.Float64 => NpyType.Float64,
            ScalarType.Int64 => NpyType.Int64,
            ScalarType.Int32 => NpyType.Int32,
            ScalarType.Byte => NpyType.UInt8,
            ScalarType.Bool => NpyType.Bool,
            _ => throw new NotSupportedException($"dtype {t.dtype} has no .npy mapping here (float32, float64, int64, int32, uint8, bool)."),
        };
        return new NpyArray(type, TensorData.ElementSize(t.dtype), t.shape, t.ToBytes());
    }

    private static Tensor ToTensor(NpyArray array, string source)
    {
        var dtype = array.Type switch
        {
            NpyType.Float32 => ScalarType.Float32,
            NpyType.Float64 => ScalarType.Float64,
            NpyType.Int64 => ScalarType.Int64,
            NpyType.Int32 => ScalarType.Int32,
            NpyType.UInt8 => ScalarType.Byte,
            NpyType.Bool => ScalarType.Bool,
            _ => throw new InvalidDataException($"{source}: dtype '{array.Descr}' has no tensor type here (expected f4, f8, i8, i4, u1 or b1)."),
        };
        return TensorData.FromBytes(array.Data, dtype, array.Shape);
    }
}
