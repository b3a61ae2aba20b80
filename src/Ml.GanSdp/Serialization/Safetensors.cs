using System.Buffers.Binary;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using static Ml.GanSdp.torch;

namespace Ml.GanSdp.Serialization;

/// <summary>
/// The safetensors format (https://github.com/huggingface/safetensors), in pure C#: an 8-byte little-endian
/// header length N, N bytes of UTF-8 JSON (padded with spaces to a multiple of 8), then the raw little-endian,
/// row-major tensor data. The header maps each tensor name to <c>{"dtype", "shape", "data_offsets": [begin, end]}</c>
/// (offsets relative to the start of the data) and may hold <c>"__metadata__"</c>, a map of string to string.
/// Files are laid out like the reference writer: tensors sorted by dtype (widest first) then by name, packed
/// without gaps. Reading is strict: every byte of the data belongs to exactly one tensor.
/// </summary>
public static class Safetensors
{
    /// <summary>The header key that holds the free-form string metadata.</summary>
    public const string MetadataKey = "__metadata__";

    /// <summary>The largest header accepted, as in the reference implementation (100 MB).</summary>
    public const long MaxHeaderSize = 100_000_000;

    // Reference dtype order (its Dtype enum): the writer sorts by this, descending, then by name.
    private static readonly (string Name, ScalarType Type, int Rank)[] DTypes =
    {
        ("BOOL", ScalarType.Bool, 0), ("U8", ScalarType.Byte, 1), ("I8", ScalarType.Int8, 2),
        ("I16", ScalarType.Int16, 5), ("F16", ScalarType.Float16, 7), ("I32", ScalarType.Int32, 9),
        ("F32", ScalarType.Float32, 11), ("F64", ScalarType.Float64, 12), ("I64", ScalarType.Int64, 13),
    };

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>One tensor entry of a header: its dtype, shape and byte range in the data section.</summary>
    private sealed record Entry(string Name, ScalarType DType, long[] Shape, long Begin, long End);

    /// <summary>A parsed header: the tensor entries in data order, and the metadata.</summary>
    private sealed record Header(List<Entry> Entries, Dictionary<string, string> Metadata);

    // ---- writing -------------------------------------------------------------------------------------

    /// <summary>Writes <paramref name="tensors"/> (and optional string <paramref name="metadata"/>) to a safetensors file, atomically.</summary>
    /// <exception cref="ArgumentException">A name is empty or reserved, or a tensor has a dtype safetensors cannot hold here.</exception>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        var order = Prepare(tensors, metadata);
        AtomicFile.Write(path, s => WriteOrdered(s, tensors, order, metadata));
    }

    /// <summary>Writes a safetensors image to <paramref name="stream"/> (for example an entry of a zip archive).</summary>
    public static void Write(Stream stream, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        WriteOrdered(stream, tensors, Prepare(tensors, metadata), metadata);
    }

    /// <summary>Validates the arguments and returns the names in the reference data order.</summary>
    private static List<string> Prepare(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        foreach (var (name, t) in tensors)
        {
            if (string.IsNullOrEmpty(name)) throw new ArgumentException("A tensor name is empty.", nameof(tensors));
            if (name == MetadataKey) throw new ArgumentException($"'{MetadataKey}' is reserved for the metadata and cannot name a tensor.", nameof(tensors));
            if (t is null) throw new ArgumentException($"Tensor '{name}' is null.", nameof(tensors));
            _ = Code(t.dtype, name);
        }
        if (metadata is not null)
            foreach (var (k, v) in metadata)
                if (v is null) throw new ArgumentException($"Metadata value of '{k}' is null.", nameof(metadata));
        return tensors.Select(kv => (kv.Key, Rank: Rank(kv.Value.dtype)))
            .OrderByDescending(x => x.Rank).ThenBy(x => x.Key, StringComparer.Ordinal)
            .Select(x => x.Key).ToList();
    }

    private static void WriteOrdered(Stream stream, IReadOnlyDictionary<string, Tensor> tensors, List<string> order, IReadOnlyDictionary<string, string>? metadata)
    {
        var header = HeaderBytes(tensors, order, metadata);
        Span<byte> len = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)header.Length);
        stream.Write(len);
        stream.Write(header);
        foreach (var name in order) stream.Write(tensors[name].ToBytes());
    }

    /// <summary>The JSON header, padded with spaces to a multiple of 8 bytes.</summary>
    private static byte[] HeaderBytes(IReadOnlyDictionary<string, Tensor> tensors, List<string> order, IReadOnlyDictionary<string, string>? metadata)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, WriterOptions))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject(MetadataKey);
                foreach (var (k, v) in metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal)) w.WriteString(k, v);
                w.WriteEndObject();
            }
            long offset = 0;
            foreach (var name in order)
            {
                var t = tensors[name];
                var shape = t.shape;
                long bytes = checked(shape.Aggregate(1L, (a, b) => a * b) * ElementSize(t.dtype));
                w.WriteStartObject(name);
                w.WriteString("dtype", Code(t.dtype, name));
                w.WriteStartArray("shape");
                foreach (var d in shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(offset + bytes);
                w.WriteEndArray();
                w.WriteEndObject();
                offset += bytes;
            }
            w.WriteEndObject();
        }
        int pad = (int)((8 - ms.Length % 8) % 8);
        for (int i = 0; i < pad; i++) ms.WriteByte((byte)' ');
        return ms.ToArray();
    }

    private static string Code(ScalarType t, string name)
    {
        foreach (var d in DTypes) if (d.Type == t) return d.Name;
        throw new ArgumentException($"Tensor '{name}' has dtype {t}, which safetensors cannot hold here (supported: {string.Join(", ", DTypes.Select(d => d.Type))}).");
    }

    private static int Rank(ScalarType t) => DTypes.First(d => d.Type == t).Rank;

    // ---- reading -------------------------------------------------------------------------------------

    /// <summary>Reads every tensor of a safetensors file. The caller owns (and disposes) the tensors.</summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is truncated or malformed; the message names the file and the tensor.</exception>
    public static Dictionary<string, Tensor> Load(string path)
    {
        using var fs = OpenRead(path);
        return Read(fs, path);
    }

    /// <summary>Reads the <c>__metadata__</c> map of a safetensors file (empty when it has none), without reading the data.</summary>
    public static Dictionary<string, string> ReadMetadata(string path)
    {
        using var fs = OpenRead(path);
        return ReadHeader(fs, path).Metadata;
    }

    /// <summary>Reads the <c>__metadata__</c> map from a stream positioned at a safetensors image.</summary>
    public static Dictionary<string, string> ReadMetadata(Stream stream, string source = "stream") => ReadHeader(stream, source).Metadata;

    /// <summary>
    /// Reads every tensor of a safetensors image from <paramref name="stream"/> (seekable or not, for example a
    /// zip entry); the image must end where the stream ends. <paramref name="source"/> names it in errors.
    /// </summary>
    public static Dictionary<string, Tensor> Read(Stream stream, string source = "stream")
    {
        ArgumentNullException.ThrowIfNull(stream);
        var header = ReadHeader(stream, source);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var e in header.Entries)
            {
                var bytes = new byte[checked((int)(e.End - e.Begin))];
                ReadExactly(stream, bytes, source, $"the data of tensor '{e.Name}'");
                if (e.DType == ScalarType.Bool) CheckBools(bytes, source, e.Name);
                result.Add(e.Name, from_bytes(bytes, e.DType, e.Shape));
            }
            if (stream.ReadByte() >= 0)
                throw new InvalidDataException($"{source}: bytes follow the end of the last tensor's data (the safetensors header does not cover them).");
        }
        catch
        {
            foreach (var t in result.Values) t.Dispose();
            throw;
        }
        return result;
    }

    private static FileStream OpenRead(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"No safetensors file at '{path}'.", path);
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
    }

    /// <summary>Reads and validates the length prefix and the JSON header; leaves the stream at the data.</summary>
    private static Header ReadHeader(Stream stream, string source)
    {
        var len = new byte[8];
        ReadExactly(stream, len, source, "the 8-byte header length");
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(len);
        long remaining = stream.CanSeek ? stream.Length - stream.Position : -1;
        if (n > MaxHeaderSize) throw new InvalidDataException($"{source}: the header length {n} exceeds the limit of {MaxHeaderSize} bytes; not a safetensors file?");
        if (remaining >= 0 && n > (ulong)remaining)
            throw new InvalidDataException($"{source}: the header length {n} is larger than the {remaining} bytes that follow it (truncated, or not a safetensors file).");
        var json = new byte[n];
        ReadExactly(stream, json, source, "the JSON header");
        var header = ParseHeader(json, source);
        long dataLength = header.Entries.Count == 0 ? 0 : header.Entries[^1].End;
        long available = remaining - (long)n;
        var outside = header.Entries.FirstOrDefault(e => e.End > available);
        if (remaining >= 0 && outside is not null)
            throw new InvalidDataException($"{source}: tensor '{outside.Name}' has data_offsets [{outside.Begin}, {outside.End}] beyond the {available} bytes of data the file holds (truncated, or a bad offset).");
        if (remaining >= 0 && available != dataLength)
            throw new InvalidDataException($"{source}: the header describes {dataLength} bytes of tensor data but the file holds {available} (trailing bytes).");
        return header;
    }

    private static Header ParseHeader(byte[] json, string source)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow }); }
        catch (JsonException e) { throw new InvalidDataException($"{source}: the safetensors header is not valid JSON: {e.Message}", e); }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"{source}: the safetensors header is a JSON {doc.RootElement.ValueKind}, not an object.");
            var entries = new List<Entry>();
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (!seen.Add(p.Name)) throw new InvalidDataException($"{source}: the header names '{p.Name}' twice.");
                if (p.Name == MetadataKey) ParseMetadata(p.Value, metadata, source);
                else entries.Add(ParseEntry(p.Name, p.Value, source));
            }
            CheckLayout(entries, source);
            return new Header(entries, metadata);
        }
    }

    private static void ParseMetadata(JsonElement value, Dictionary<string, string> metadata, string source)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"{source}: '{MetadataKey}' is a JSON {value.ValueKind}, not an object of strings.");
        foreach (var m in value.EnumerateObject())
        {
            if (m.Value.ValueKind != JsonValueKind.String)
                throw new InvalidDataException($"{source}: metadata '{m.Name}' is a JSON {m.Value.ValueKind}, not a string.");
            if (!metadata.TryAdd(m.Name, m.Value.GetString()!))
                throw new InvalidDataException($"{source}: metadata '{m.Name}' appears twice.");
        }
    }

    private static Entry ParseEntry(string name, JsonElement value, string source)
    {
        string where = $"{source}: tensor '{name}'";
        if (value.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{where} is described by a JSON {value.ValueKind}, not an object.");
        if (!value.TryGetProperty("dtype", out var dt) || dt.ValueKind != JsonValueKind.String)
            throw new InvalidDataException($"{where} has no string 'dtype'.");
        var code = dt.GetString()!;
        var match = DTypes.Where(d => d.Name == code).ToArray();
        if (match.Length == 0)
            throw new InvalidDataException($"{where} has dtype '{code}', which is unknown or unsupported (supported: {string.Join(", ", DTypes.Select(d => d.Name))}).");
        var shape = ReadInts(value, "shape", where, -1);
        var offsets = ReadInts(value, "data_offsets", where, 2);
        long begin = offsets[0], end = offsets[1];
        if (end < begin) throw new InvalidDataException($"{where} has data_offsets [{begin}, {end}] that end before they begin.");
        long expected;
        try { expected = checked(shape.Aggregate(1L, (a, b) => a * b) * ElementSize(match[0].Type)); }
        catch (OverflowException) { throw new InvalidDataException($"{where} has a shape [{string.Join(", ", shape)}] too large to hold."); }
        if (end - begin != expected)
            throw new InvalidDataException($"{where} has data_offsets [{begin}, {end}] ({end - begin} bytes) but shape [{string.Join(", ", shape)}] of {code} needs {expected} bytes.");
        if (expected > Array.MaxLength)
            throw new InvalidDataException($"{where} holds {expected} bytes, more than one tensor can be read into memory here.");
        return new Entry(name, match[0].Type, shape, begin, end);
    }

    /// <summary>Reads a non-negative integer array property (of <paramref name="count"/> elements, any when negative).</summary>
    private static long[] ReadInts(JsonElement value, string property, string where, int count)
    {
        if (!value.TryGetProperty(property, out var arr) || arr.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException($"{where} has no '{property}' array.");
        var result = new List<long>();
        foreach (var x in arr.EnumerateArray())
        {
            if (x.ValueKind != JsonValueKind.Number || !x.TryGetInt64(out var v) || v < 0)
                throw new InvalidDataException($"{where} has a '{property}' element {x.GetRawText()} that is not a non-negative integer.");
            result.Add(v);
        }
        if (count >= 0 && result.Count != count)
            throw new InvalidDataException($"{where} has {result.Count} '{property}' values, expected {count}.");
        return result.ToArray();
    }

    /// <summary>Sorts entries by offset and checks that they tile the data section exactly: no gap, no overlap.</summary>
    private static void CheckLayout(List<Entry> entries, string source)
    {
        entries.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long expected = 0;
        Entry? previous = null;
        foreach (var e in entries)
        {
            if (e.Begin < expected)
                throw new InvalidDataException($"{source}: tensor '{e.Name}' (data_offsets [{e.Begin}, {e.End}]) overlaps tensor '{previous!.Name}' (data_offsets [{previous.Begin}, {previous.End}]).");
            if (e.Begin > expected)
                throw new InvalidDataException($"{source}: tensor '{e.Name}' starts at data offset {e.Begin} but the data before it ends at {expected}; the header leaves a gap.");
            expected = e.End;
            previous = e;
        }
    }

    private static void CheckBools(byte[] bytes, string source, string name)
    {
        int i = Array.FindIndex(bytes, b => b > 1);
        if (i >= 0) throw new InvalidDataException($"{source}: BOOL tensor '{name}' holds byte {bytes[i]} at element {i} (only 0 and 1 are booleans).");
    }

    private static void ReadExactly(Stream s, byte[] buffer, string source, string what)
    {
        try { s.ReadExactly(buffer); }
        catch (EndOfStreamException) { throw new InvalidDataException($"{source}: the file ends inside {what} (truncated)."); }
    }
}
