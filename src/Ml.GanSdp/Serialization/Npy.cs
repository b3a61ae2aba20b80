using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Serialization;

/// <summary>
/// NumPy's <c>.npy</c> (format 1.0/2.0/3.0) and <c>.npz</c> (a zip of .npy files) for little-endian, C-order
/// arrays of float32, float64, int64, int32, uint8 and bool. Enough for golden vectors, FID statistics
/// (<c>mu</c>, <c>sigma</c>) and exchanging arrays with numpy and pytorch-fid.
/// </summary>
public static partial class Npy
{
    /// <summary>The largest array read (2 GiB - 1: one managed byte array).</summary>
    public const long MaxArrayBytes = int.MaxValue;

    private static readonly byte[] Magic = { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y' };

    private static string Descr(ScalarType t) => t switch
    {
        ScalarType.Float32 => "<f4",
        ScalarType.Float64 => "<f8",
        ScalarType.Int64 => "<i8",
        ScalarType.Int32 => "<i4",
        ScalarType.Byte => "|u1",
        ScalarType.Bool => "|b1",
        _ => throw new NotSupportedException($"dtype {t} has no .npy mapping here."),
    };

    private static ScalarType FromDescr(string d, string source) => d switch
    {
        "<f4" => ScalarType.Float32,
        "<f8" => ScalarType.Float64,
        "<i8" => ScalarType.Int64,
        "<i4" => ScalarType.Int32,
        "|u1" or "<u1" => ScalarType.Byte,
        "|b1" => ScalarType.Bool,
        _ => throw new InvalidDataException($"{source}: unsupported .npy dtype '{d}' (expected little-endian f4, f8, i8, i4, u1 or b1)."),
    };

    /// <summary>Reads a .npy file into a tensor.</summary>
    public static Tensor Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"No .npy file at '{path}'.", path);
        using var fs = File.OpenRead(path);
        return Read(fs, path);
    }

    /// <summary>Reads one .npy array from a stream; <paramref name="source"/> names it in errors.</summary>
    public static Tensor Read(Stream stream, string source = "stream")
    {
        var head = new byte[8];
        ReadExactly(stream, head, source);
        if (!head.AsSpan(0, 6).SequenceEqual(Magic)) throw new InvalidDataException($"{source}: not a .npy file (bad magic).");
        int major = head[6];
        int headerLen;
        if (major == 1)
        {
            var b = new byte[2];
            ReadExactly(stream, b, source);
            headerLen = b[0] | (b[1] << 8);
        }
        else if (major is 2 or 3)
        {
            var b = new byte[4];
            ReadExactly(stream, b, source);
            headerLen = BitConverter.ToInt32(b);
        }
        else throw new InvalidDataException($"{source}: unsupported .npy format version {major}.");
        var hb = new byte[headerLen];
        ReadExactly(stream, hb, source);
        var header = Encoding.Latin1.GetString(hb);
        var descr = DescrRe().Match(header);
        var order = FortranRe().Match(header);
        var shapeM = ShapeRe().Match(header);
        if (!descr.Success || !order.Success || !shapeM.Success) throw new InvalidDataException($"{source}: malformed .npy header '{header.Trim()}'.");
        if (order.Groups[1].Value == "True") throw new InvalidDataException($"{source}: Fortran-order arrays are not supported; save with np.ascontiguousarray.");
        var dtype = FromDescr(descr.Groups[1].Value, source);
        var shape = shapeM.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var d) ? d : throw new InvalidDataException($"{source}: bad dimension '{s}' in the .npy header.")).ToArray();
        long n = shape.Aggregate(1L, (a, b) => checked(a * b));
        long size = checked(n * TensorData.ElementSize(dtype));
        if (stream.CanSeek && size > stream.Length - stream.Position)
            throw new InvalidDataException($"{source}: the header declares shape [{string.Join(", ", shape)}] ({size} bytes) but only {stream.Length - stream.Position} bytes follow.");
        if (size > MaxArrayBytes) throw new InvalidDataException($"{source}: the array needs {size} bytes, more than the {MaxArrayBytes}-byte limit.");
        var data = new byte[size];
        ReadExactly(stream, data, source);
        return TensorData.FromBytes(data, dtype, shape);
    }

    /// <summary>Writes a tensor as .npy (version 1.0) to a stream.</summary>
    public static void Write(Stream stream, Tensor t)
    {
        var shape = t.shape;
        string shapeText = shape.Length switch
        {
            0 => "()",
            1 => $"({shape[0]},)",
            _ => "(" + string.Join(", ", shape) + ")",
        };
        var header = $"{{'descr': '{Descr(t.dtype)}', 'fortran_order': False, 'shape': {shapeText}, }}";
        int total = 10 + header.Length + 1;
        int pad = (64 - total % 64) % 64;
        header = header + new string(' ', pad) + "\n";
        stream.Write(Magic);
        stream.WriteByte(1);
        stream.WriteByte(0);
        stream.WriteByte((byte)(header.Length & 0xff));
        stream.WriteByte((byte)(header.Length >> 8));
        stream.Write(Encoding.Latin1.GetBytes(header));
        stream.Write(t.ToBytes());
    }

    /// <summary>Writes a tensor to a .npy file atomically.</summary>
    public static void Save(string path, Tensor t) => AtomicFile.Write(path, s => Write(s, t));

    /// <summary>Reads every array of a .npz file (compressed or not), by name without the .npy suffix.</summary>
    public static Dictionary<string, Tensor> LoadNpz(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"No .npz file at '{path}'.", path);
        var result = new Dictionary<string, Tensor>();
        try
        {
            using var zip = ZipFile.OpenRead(path);
            foreach (var e in zip.Entries)
            {
                if (!e.FullName.EndsWith(".npy", StringComparison.Ordinal)) continue;
                using var s = e.Open();
                using var ms = new MemoryStream();
                s.CopyTo(ms);
                ms.Position = 0;
                result[e.FullName[..^4]] = Read(ms, $"{path}:{e.FullName}");
            }
        }
        catch (InvalidDataException e) when (e.Message.Contains("Central Directory", StringComparison.OrdinalIgnoreCase) || e.Message.Contains("zip", StringComparison.OrdinalIgnoreCase))
        {
            foreach (var t in result.Values) t.Dispose();
            throw new InvalidDataException($"'{path}' is not a valid .npz (zip) file: {e.Message}", e);
        }
        return result;
    }

    /// <summary>Writes arrays to an uncompressed .npz file atomically (readable by numpy.load).</summary>
    public static void SaveNpz(string path, IReadOnlyDictionary<string, Tensor> arrays)
    {
        AtomicFile.Write(path, fs =>
        {
            using var zip = new ZipArchive(fs, ZipArchiveMode.Create, leaveOpen: true);
            foreach (var (name, t) in arrays)
            {
                var entry = zip.CreateEntry(name + ".npy", CompressionLevel.NoCompression);
                using var es = entry.Open();
                Write(es, t);
            }
        });
    }

    private static void ReadExactly(Stream s, byte[] buffer, string source)
    {
        try { s.ReadExactly(buffer); }
        catch (EndOfStreamException) { throw new InvalidDataException($"{source}: the .npy data is truncated."); }
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([^']+)'")] private static partial Regex DescrRe();
    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")] private static partial Regex FortranRe();
    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")] private static partial Regex ShapeRe();
}
