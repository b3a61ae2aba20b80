using System.Buffers.Binary;
using System.IO.Compression;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.GanSdp.Tests.TestSupport;

namespace Ml.GanSdp.Tests.DataSources;

/// <summary>Builders of small test files (IDX, CIFAR binary, PNG bombs) and readers of data views and oracle output.</summary>
internal static class DataSourceTestFiles
{
    /// <summary>An IDX file of unsigned bytes: header 00 00 08 ndim, big-endian sizes, then <paramref name="data"/>.</summary>
    public static byte[] Idx(int[] dims, byte[] data)
    {
        var bytes = new byte[4 + 4 * dims.Length + data.Length];
        bytes[2] = 0x08;
        bytes[3] = (byte)dims.Length;
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), dims[i]);
        data.CopyTo(bytes, 4 + 4 * dims.Length);
        return bytes;
    }

    /// <summary>gzip of <paramref name="data"/>.</summary>
    public static byte[] Gzip(byte[] data)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Optimal, leaveOpen: true)) gz.Write(data);
        return ms.ToArray();
    }

    /// <summary>gzip of <paramref name="prefix"/> followed by <paramref name="zeros"/> zero bytes, compressed as a stream (never held whole).</summary>
    public static void WriteGzipWithZeros(string path, byte[] prefix, long zeros)
    {
        using var file = File.Create(path);
        using var gz = new GZipStream(file, CompressionLevel.SmallestSize);
        gz.Write(prefix);
        var block = new byte[1 << 20];
        for (long left = zeros; left > 0; left -= block.Length) gz.Write(block, 0, (int)Math.Min(block.Length, left));
    }

    /// <summary>Deterministic pseudo-random bytes.</summary>
    public static byte[] RandomBytes(int count, int seed)
    {
        var b = new byte[count];
        new Random(seed).NextBytes(b);
        return b;
    }

    /// <summary>
    /// A valid PNG declaring <paramref name="width"/> x <paramref name="height"/> 1-bit gray pixels, all black,
    /// whose IDAT is the zlib stream of the real (small per row) scanlines: a decompression bomb when large.
    /// </summary>
    public static void WritePngBomb(string path, int width, int height)
    {
        using var file = File.Create(path);
        file.Write(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A });
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 1; // bit depth 1, colour type 0 (gray), compression 0, filter 0, interlace 0
        WriteChunk(file, "IHDR", ihdr);
        using var idat = new MemoryStream();
        using (var z = new ZLibStream(idat, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var row = new byte[1 + (width + 7) / 8];
            for (int y = 0; y < height; y++) z.Write(row);
        }
        WriteChunk(file, "IDAT", idat.ToArray());
        WriteChunk(file, "IEND", Array.Empty<byte>());
    }

    private static void WriteChunk(Stream s, string type, byte[] data)
    {
        Span<byte> u32 = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(u32, data.Length);
        s.Write(u32);
        var typed = System.Text.Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        s.Write(typed);
        BinaryPrimitives.WriteUInt32BigEndian(u32, Crc32(typed));
        s.Write(u32);
    }

    /// <summary>CRC-32 (ISO-HDLC, PNG's chunk checksum), bitwise.</summary>
    private static uint Crc32(byte[] data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (var b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return ~crc;
    }

    /// <summary>Resets the process's peak resident set size (Linux: "5" into /proc/self/clear_refs) and returns the current one, in bytes.</summary>
    public static long ResetPeakRss()
    {
        File.WriteAllText("/proc/self/clear_refs", "5");
        return ProcStatus("VmRSS");
    }

    /// <summary>The process's peak resident set size since the last reset, in bytes.</summary>
    public static long PeakRss() => ProcStatus("VmHWM");

    private static long ProcStatus(string field)
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }

    /// <summary>All values of a vector column, row by row.</summary>
    public static List<float[]> Vectors(IDataView view, string column) => view.GetColumn<VBuffer<float>>(column).Select(v => v.DenseValues().ToArray()).ToList();

    /// <summary>All raw values of a key column (1-based).</summary>
    public static List<uint> Keys(IDataView view, string column) => view.GetColumn<uint>(column).ToList();

    /// <summary>The KeyValues annotation of a key column.</summary>
    public static string[] KeyNames(DataViewSchema.Column column)
    {
        VBuffer<ReadOnlyMemory<char>> names = default;
        column.GetKeyValues(ref names);
        return names.DenseValues().Select(m => m.ToString()).ToArray();
    }

    /// <summary>Runs Oracles/datasources_oracle.py and parses its JSON output.</summary>
    public static JsonElement Oracle(params string[] args) => JsonDocument.Parse(Python.Run("datasources_oracle.py", args)).RootElement;

    /// <summary>The "values" array of an oracle answer as floats.</summary>
    public static float[] Values(JsonElement e) => e.GetProperty("values").EnumerateArray().Select(v => (float)v.GetInt32()).ToArray();

    /// <summary>The "shape" array of an oracle answer.</summary>
    public static int[] Shape(JsonElement e) => e.GetProperty("shape").EnumerateArray().Select(v => v.GetInt32()).ToArray();
}
