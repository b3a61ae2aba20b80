using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;

namespace Ml.GanSdp.Serialization;

/// <summary>A numeric array as numpy keeps it: a shape (C order) and its values, here widened to float64.</summary>
/// <param name="Shape">The dimensions; empty for a scalar.</param>
/// <param name="Values">The values in C order; as many as the product of <paramref name="Shape"/>.</param>
public sealed record NumpyArray(long[] Shape, double[] Values)
{
    /// <summary>The number of values the shape holds.</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);
}

/// <summary>The element types of <c>.npy</c> arrays this library reads and writes (little-endian, C order).</summary>
internal enum NpyType
{
    /// <summary><c>&lt;f8</c></summary>
    Float64,
    /// <summary><c>&lt;f4</c></summary>
    Float32,
    /// <summary><c>&lt;i8</c></summary>
    Int64,
    /// <summary><c>&lt;i4</c></summary>
    Int32,
    /// <summary><c>&lt;u8</c></summary>
    UInt64,
    /// <summary><c>&lt;u4</c></summary>
    UInt32,
    /// <summary><c>|u1</c></summary>
    UInt8,
    /// <summary><c>|b1</c></summary>
    Bool,
    /// <summary><c>&lt;U<i>n</i></c>: fixed-length strings of n UTF-32LE code points (numpy's <c>str</c> arrays).</summary>
    Unicode,
}

/// <summary>One .npy array as stored: element type, item size in bytes, shape and the raw little-endian C-order bytes.</summary>
internal sealed record NpyArray(NpyType Type, int ItemSize, long[] Shape, byte[] Data)
{
    /// <summary>The number of elements the shape holds.</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>numpy's dtype string.</summary>
    public string Descr => Type switch
    {
        NpyType.Float64 => "<f8",
        NpyType.Float32 => "<f4",
        NpyType.Int64 => "<i8",
        NpyType.Int32 => "<i4",
        NpyType.UInt64 => "<u8",
        NpyType.UInt32 => "<u4",
        NpyType.UInt8 => "|u1",
        NpyType.Bool => "|b1",
        _ => $"<U{ItemSize / 4}",
    };

    /// <summary>A 0-d numpy string (<c>&lt;U<i>n</i></c>): <c>str(np.load(f)['key'])</c> gives <paramref name="text"/> back.</summary>
    public static NpyArray FromString(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var data = new UTF32Encoding(bigEndian: false, byteOrderMark: false).GetBytes(text);
        return new NpyArray(NpyType.Unicode, Math.Max(4, data.Length), Array.Empty<long>(), data.Length == 0 ? new byte[4] : data);
    }

    /// <summary>The text of a 0-d or one-element string array (numpy pads strings with NUL code points, which are dropped).</summary>
    public string AsString(string source)
    {
        if (Type != NpyType.Unicode || ElementCount != 1)
            throw new InvalidDataException($"{source}: expected one string (<U), got {Descr} of shape ({string.Join(", ", Shape)}).");
        return new UTF32Encoding(bigEndian: false, byteOrderMark: false, throwOnInvalidCharacters: true).GetString(Data).TrimEnd('\0');
    }
}

/// <summary>
/// NumPy's <c>.npy</c> format (1.0 written; 1.0, 2.0, 3.0 read) and <c>.npz</c> archives (a zip of .npy files,
/// stored or deflated): little-endian, C order. This is the library's one .npy/.npz implementation: the
/// <see cref="NumpyArray"/> methods below widen every numeric type to float64 (Frechet statistics in pytorch-fid's
/// layout, exchanging arrays with numpy; no tensor library needed), and <see cref="Npy"/> moves the same bytes in
/// and out of TorchSharp tensors with their own element types. Header sizes are checked against limits before
/// anything is allocated.
/// </summary>
public static partial class NpzArrays
{
    /// <summary>Largest array read as float64 values (elements): 2^27, 1 GiB; a 11,585 x 11,585 covariance.</summary>
    public const long MaxElements = 1L << 27;

    /// <summary>Largest array read with its own element type (bytes): one managed array.</summary>
    internal const long MaxBytes = int.MaxValue - 64;

    private static readonly byte[] Magic = { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y' };

    // ---------------------------------------------------------------- float64 view

    /// <summary>Writes one float64 array as .npy version 1.0.</summary>
    public static void WriteNpy(Stream stream, NumpyArray array)
    {
        ArgumentNullException.ThrowIfNull(array);
        if (array.ElementCount != array.Values.Length)
            throw new ArgumentException($"Shape ({string.Join(", ", array.Shape)}) holds {array.ElementCount} values, the array has {array.Values.Length}.", nameof(array));
        WriteRaw(stream, ToRaw(array));
    }

    /// <summary>Reads one .npy array (f8, f4, i8, i4, u8, u4, u1 or b1) widened to float64; <paramref name="source"/> names it in errors.</summary>
    public static NumpyArray ReadNpy(Stream stream, string source) => Widen(ReadRaw(stream, source, MaxElements), source);

    /// <summary>Writes arrays to an uncompressed .npz atomically (temporary file, then renamed), as <c>np.savez</c> does.</summary>
    public static void SaveNpz(string path, IReadOnlyDictionary<string, NumpyArray> arrays)
    {
        ArgumentNullException.ThrowIfNull(arrays);
        foreach (var (name, array) in arrays)
            if (array.ElementCount != array.Values.Length)
                throw new ArgumentException($"'{name}': shape ({string.Join(", ", array.Shape)}) holds {array.ElementCount} values, the array has {array.Values.Length}.", nameof(arrays));
        SaveNpzRaw(path, arrays.Select(kv => (kv.Key, ToRaw(kv.Value))));
    }

    /// <summary>Reads every numeric array of a .npz file by name (without ".npy"), widened to float64; string arrays are skipped.</summary>
    public static Dictionary<string, NumpyArray> LoadNpz(string path)
    {
        var result = new Dictionary<string, NumpyArray>();
        foreach (var (name, raw) in LoadNpzRaw(path, MaxElements))
            if (raw.Type != NpyType.Unicode) result[name] = Widen(raw, $"{path}:{name}.npy");
        return result;
    }

    // ---------------------------------------------------------------- typed (raw) layer

    /// <summary>Writes one array as .npy version 1.0 (the header padded so the data starts at a multiple of 64 bytes).</summary>
    internal static void WriteRaw(Stream stream, NpyArray array)
    {
        if (array.ElementCount * array.ItemSize != array.Data.Length)
            throw new ArgumentException($"Shape ({string.Join(", ", array.Shape)}) of {array.Descr} needs {array.ElementCount * array.ItemSize} bytes, the array has {array.Data.Length}.", nameof(array));
        string shape = array.Shape.Length switch
        {
            0 => "()",
            1 => $"({array.Shape[0]},)",
            _ => "(" + string.Join(", ", array.Shape) + ")",
        };
        var header = $"{{'descr': '{array.Descr}', 'fortran_order': False, 'shape': {shape}, }}";
        int unpadded = Magic.Length + 2 + 2 + header.Length + 1;
        header += new string(' ', (64 - unpadded % 64) % 64) + "\n";
        stream.Write(Magic);
        stream.WriteByte(1);
        stream.WriteByte(0);
        Span<byte> length = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(length, checked((ushort)header.Length));
        stream.Write(length);
        stream.Write(Encoding.Latin1.GetBytes(header));
        stream.Write(array.Data);
    }

    /// <summary>
    /// Reads one .npy array with its own element type. Arrays of more than <paramref name="maxElements"/> elements
    /// (or <see cref="MaxBytes"/> bytes) are refused from the header, before anything is allocated.
    /// </summary>
    internal static NpyArray ReadRaw(Stream stream, string source, long maxElements = long.MaxValue)
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
        var (type, itemSize) = ParseDescr(descr.Groups[1].Value, source);
        var shape = new List<long>();
        foreach (var part in shapeMatch.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var dim))
                throw new InvalidDataException($"{source}: bad dimension '{part}' in shape ({shapeMatch.Groups[1].Value}).");
            shape.Add(dim);
        }
        long limit = Math.Min(maxElements, MaxBytes / itemSize);
        long count = 1;
        foreach (var dim in shape)
            if (dim > limit || (count *= dim) > limit)
                throw new InvalidDataException($"{source}: shape ({string.Join(", ", shape)}) exceeds the limit of {limit} elements.");
        long size = count * itemSize;
        if (stream.CanSeek && size > stream.Length - stream.Position)
            throw new InvalidDataException($"{source}: the header declares shape ({string.Join(", ", shape)}) of {size} bytes but only {stream.Length - stream.Position} follow (the .npy data is truncated).");
        var data = new byte[size];
        ReadExactly(stream, data, source);
        return new NpyArray(type, itemSize, shape.ToArray(), data);
    }

    /// <summary>Writes arrays to an uncompressed .npz atomically, in the given order.</summary>
    internal static void SaveNpzRaw(string path, IEnumerable<(string Name, NpyArray Array)> arrays)
    {
        var list = arrays.ToList();
        var duplicate = list.GroupBy(a => a.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"Two arrays are named '{duplicate.Key}'.", nameof(arrays));
        AtomicFile.Write(path, stream =>
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            foreach (var (name, array) in list)
            {
                using var entry = zip.CreateEntry(name + ".npy", CompressionLevel.NoCompression).Open();
                WriteRaw(entry, array);
            }
        });
    }

    /// <summary>Reads every array of a .npz file (stored or deflated) by name without ".npy", with their own element types.</summary>
    internal static Dictionary<string, NpyArray> LoadNpzRaw(string path, long maxElements = long.MaxValue)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"No .npz file at '{path}'.", path);
        var arrays = new Dictionary<string, NpyArray>();
        ZipArchive zip;
        try { zip = ZipFile.OpenRead(path); }
        catch (InvalidDataException e) { throw new InvalidDataException($"'{path}' is not a .npz (zip) file: {e.Message}", e); }
        using (zip)
        {
            foreach (var entry in zip.Entries)
            {
                if (!entry.FullName.EndsWith(".npy", StringComparison.Ordinal)) continue;
                using var s = entry.Open();
                arrays[entry.FullName[..^4]] = ReadRaw(s, $"{path}:{entry.FullName}", maxElements);
            }
        }
        return arrays;
    }

    // ---------------------------------------------------------------- helpers

    private static NpyArray ToRaw(NumpyArray array)
    {
        var data = new byte[8 * array.Values.Length];
        for (int i = 0; i < array.Values.Length; i++) BinaryPrimitives.WriteDoubleLittleEndian(data.AsSpan(8 * i), array.Values[i]);
        return new NpyArray(NpyType.Float64, 8, (long[])array.Shape.Clone(), data);
    }

    /// <summary>The values of a numeric array widened to float64.</summary>
    internal static NumpyArray Widen(NpyArray raw, string source)
    {
        if (raw.ElementCount > MaxElements) throw new InvalidDataException($"{source}: {raw.ElementCount} elements exceed the limit of {MaxElements}.");
        var values = new double[raw.ElementCount];
        var d = raw.Data.AsSpan();
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = raw.Type switch
            {
                NpyType.Float64 => BinaryPrimitives.ReadDoubleLittleEndian(d[(8 * i)..]),
                NpyType.Float32 => BinaryPrimitives.ReadSingleLittleEndian(d[(4 * i)..]),
                NpyType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(d[(8 * i)..]),
                NpyType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(d[(4 * i)..]),
                NpyType.UInt64 => BinaryPrimitives.ReadUInt64LittleEndian(d[(8 * i)..]),
                NpyType.UInt32 => BinaryPrimitives.ReadUInt32LittleEndian(d[(4 * i)..]),
                NpyType.UInt8 or NpyType.Bool => d[i],
                _ => throw new InvalidDataException($"{source}: a string array ({raw.Descr}) has no numeric values."),
            };
        }
        return new NumpyArray(raw.Shape, values);
    }

    private static (NpyType Type, int ItemSize) ParseDescr(string descr, string source)
    {
        switch (descr)
        {
            case "<f8": return (NpyType.Float64, 8);
            case "<f4": return (NpyType.Float32, 4);
            case "<i8": return (NpyType.Int64, 8);
            case "<i4": return (NpyType.Int32, 4);
            case "<u8": return (NpyType.UInt64, 8);
            case "<u4": return (NpyType.UInt32, 4);
            case "|u1" or "<u1": return (NpyType.UInt8, 1);
            case "|b1": return (NpyType.Bool, 1);
        }
        var unicode = UnicodePattern().Match(descr);
        if (unicode.Success && int.TryParse(unicode.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var chars) && chars is >= 1 and <= 1 << 16)
            return (NpyType.Unicode, 4 * chars);
        throw new InvalidDataException($"{source}: unsupported dtype '{descr}' (expected little-endian f8, f4, i8, i4, u8, u4, u1, b1 or U).");
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer, string source)
    {
        try { stream.ReadExactly(buffer); }
        catch (EndOfStreamException) { throw new InvalidDataException($"{source}: the .npy data is truncated."); }
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([^']+)'")] private static partial Regex DescrPattern();
    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")] private static partial Regex FortranPattern();
    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")] private static partial Regex ShapePattern();
    [GeneratedRegex(@"^<U(\d+)$")] private static partial Regex UnicodePattern();
}
