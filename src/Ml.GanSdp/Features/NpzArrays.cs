using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using Ml.GanSdp.Serialization;

namespace Ml.GanSdp.Features;

/// <summary>A numeric array as numpy keeps it: a shape (C order) and its values, here widened to float64.</summary>
/// <param name="Shape">The dimensions; empty for a scalar.</param>
/// <param name="Values">The values in C order; as many as the product of <paramref name="Shape"/>.</param>
public sealed record NumpyArray(long[] Shape, double[] Values)
{
    /// <summary>The number of values the shape holds.</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);
}

/// <summary>
/// NumPy's <c>.npy</c> format (1.0 written; 1.0, 2.0, 3.0 read) and <c>.npz</c> archives (a zip of .npy files,
/// stored or deflated) over plain arrays: little-endian, C order, float64 written, float64/float32/int64/int32 read
/// (widened to float64). Enough for Frechet statistics in pytorch-fid's layout (<c>mu</c>, <c>sigma</c>) and for
/// exchanging arrays with numpy. Needs no tensor library.
/// </summary>
public static partial class NpzArrays
{
    /// <summary>Largest array read (elements): 2^27 float64 values, 1 GiB; a 11,585 x 11,585 covariance.</summary>
    public const long MaxElements = 1L << 27;

    private static readonly byte[] Magic = { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y' };

    /// <summary>Writes one float64 array as .npy version 1.0.</summary>
    public static void WriteNpy(Stream stream, NumpyArray array)
    {
        ArgumentNullException.ThrowIfNull(array);
        if (array.ElementCount != array.Values.Length)
            throw new ArgumentException($"Shape ({string.Join(", ", array.Shape)}) holds {array.ElementCount} values, the array has {array.Values.Length}.", nameof(array));
        string shape = array.Shape.Length switch
        {
            0 => "()",
            1 => $"({array.Shape[0]},)",
            _ => "(" + string.Join(", ", array.Shape) + ")",
        };
        var header = $"{{'descr': '<f8', 'fortran_order': False, 'shape': {shape}, }}";
        int unpadded = Magic.Length + 2 + 2 + header.Length + 1;
        header += new string(' ', (64 - unpadded % 64) % 64) + "\n";
        stream.Write(Magic);
        stream.WriteByte(1);
        stream.WriteByte(0);
        Span<byte> length = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(length, checked((ushort)header.Length));
        stream.Write(length);
        stream.Write(Encoding.Latin1.GetBytes(header));
        var bytes = new byte[8 * Math.Min(array.Values.Length, 1 << 16)];
        for (int start = 0; start < array.Values.Length; start += 1 << 16)
        {
            int n = Math.Min(1 << 16, array.Values.Length - start);
            for (int i = 0; i < n; i++) BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(8 * i), array.Values[start + i]);
            stream.Write(bytes, 0, 8 * n);
        }
    }

    /// <summary>Reads one .npy array; <paramref name="source"/> names it in errors.</summary>
    public static NumpyArray ReadNpy(Stream stream, string source)
    {
        var head = new byte[8];
        ReadExactly(stream, head, source);
        if (!head.AsSpan(0, 6).SequenceEqual(Magic)) throw new InvalidDataException($"{source}: not a .npy array (bad magic).");
        int headerLength;
        if (head[6] == 1)
        {
            var b = new byte[2];
            ReadExactly(stream, b, source);
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(b);
        }
        else if (head[6] is 2 or 3)
        {
            var b = new byte[4];
            ReadExactly(stream, b, source);
            headerLength = BinaryPrimitives.ReadInt32LittleEndian(b);
            if (headerLength is < 0 or > 1 << 20) throw new InvalidDataException($"{source}: .npy header length {headerLength} is out of range.");
        }
        else throw new InvalidDataException($"{source}: unsupported .npy format version {head[6]}.{head[7]}.");
        var headerBytes = new byte[headerLength];
        ReadExactly(stream, headerBytes, source);
        var header = Encoding.Latin1.GetString(headerBytes);
        var descr = DescrPattern().Match(header);
        var order = FortranPattern().Match(header);
        var shapeMatch = ShapePattern().Match(header);
        if (!descr.Success || !order.Success || !shapeMatch.Success) throw new InvalidDataException($"{source}: malformed .npy header '{header.Trim()}'.");
        if (order.Groups[1].Value == "True") throw new InvalidDataException($"{source}: Fortran-order arrays are not supported (save with np.ascontiguousarray).");
        int size = descr.Groups[1].Value switch
        {
            "<f8" or "<i8" => 8,
            "<f4" or "<i4" => 4,
            var d => throw new InvalidDataException($"{source}: unsupported dtype '{d}' (expected little-endian f8, f4, i8 or i4)."),
        };
        var shape = new List<long>();
        foreach (var part in shapeMatch.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var dim))
                throw new InvalidDataException($"{source}: bad dimension '{part}' in shape ({shapeMatch.Groups[1].Value}).");
            shape.Add(dim);
        }
        long count = 1;
        foreach (var dim in shape)
        {
            if (dim > MaxElements || (count *= dim) > MaxElements) throw new InvalidDataException($"{source}: shape ({string.Join(", ", shape)}) exceeds the limit of {MaxElements} elements.");
        }
        var values = new double[count];
        var raw = new byte[size * Math.Min(count, 1 << 16)];
        var kind = descr.Groups[1].Value;
        for (long start = 0; start < count; start += 1 << 16)
        {
            int n = (int)Math.Min(1 << 16, count - start);
            ReadExactly(stream, raw.AsMemory(0, size * n), source);
            for (int i = 0; i < n; i++)
            {
                var at = raw.AsSpan(size * i);
                values[start + i] = kind switch
                {
                    "<f8" => BinaryPrimitives.ReadDoubleLittleEndian(at),
                    "<f4" => BinaryPrimitives.ReadSingleLittleEndian(at),
                    "<i8" => BinaryPrimitives.ReadInt64LittleEndian(at),
                    _ => BinaryPrimitives.ReadInt32LittleEndian(at),
                };
            }
        }
        return new NumpyArray(shape.ToArray(), values);
    }

    /// <summary>Writes arrays to an uncompressed .npz atomically (temporary file, then renamed), as <c>np.savez</c> does.</summary>
    public static void SaveNpz(string path, IReadOnlyDictionary<string, NumpyArray> arrays)
    {
        ArgumentNullException.ThrowIfNull(arrays);
        AtomicFile.Write(path, stream =>
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            foreach (var (name, array) in arrays)
            {
                using var entry = zip.CreateEntry(name + ".npy", CompressionLevel.NoCompression).Open();
                WriteNpy(entry, array);
            }
        });
    }

    /// <summary>Reads every array of a .npz file by name (without ".npy").</summary>
    public static Dictionary<string, NumpyArray> LoadNpz(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"No .npz file at '{path}'.", path);
        var arrays = new Dictionary<string, NumpyArray>();
        ZipArchive zip;
        try { zip = ZipFile.OpenRead(path); }
        catch (InvalidDataException e) { throw new InvalidDataException($"'{path}' is not a .npz (zip) file: {e.Message}", e); }
        using (zip)
        {
            foreach (var entry in zip.Entries)
            {
                if (!entry.FullName.EndsWith(".npy", StringComparison.Ordinal)) continue;
                using var s = entry.Open();
                arrays[entry.FullName[..^4]] = ReadNpy(s, $"{path}:{entry.FullName}");
            }
        }
        return arrays;
    }

    private static void ReadExactly(Stream stream, Memory<byte> buffer, string source)
    {
        try { stream.ReadExactly(buffer.Span); }
        catch (EndOfStreamException) { throw new InvalidDataException($"{source}: the .npy data is truncated."); }
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([^']+)'")] private static partial Regex DescrPattern();
    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")] private static partial Regex FortranPattern();
    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")] private static partial Regex ShapePattern();
}
