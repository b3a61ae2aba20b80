using System.Buffers.Binary;
using System.IO.Compression;

namespace Ml.GanSdp;

/// <summary>
/// The header of an IDX file (the MNIST format), gzip-compressed or not: bytes <c>00 00 08 ndim</c>, then ndim
/// big-endian int32 sizes, then the unsigned-byte data row-major. Only the header is read here; the data is
/// streamed by <see cref="OpenData"/>, which never reads more than the header declares (plus one byte to notice
/// extra data), so a gzip bomb cannot expand in memory.
/// </summary>
internal sealed class IdxFile
{
    /// <summary>Largest expansion a deflate stream can achieve (about 1032:1); a declared size beyond it is impossible.</summary>
    public const long MaxDeflateRatio = 1032;

    private readonly byte[] _header;

    private IdxFile(string path, bool gzip, int[] dims, byte[] header)
    {
        Path = path;
        IsGzip = gzip;
        Dimensions = dims;
        _header = header;
        RecordBytes = 1;
        for (int i = 1; i < dims.Length; i++) RecordBytes *= dims[i];
        DataBytes = dims[0] * RecordBytes;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>Whether the file is gzip-compressed (starts with 1f 8b).</summary>
    public bool IsGzip { get; }

    /// <summary>The declared sizes; the first is the record count.</summary>
    public IReadOnlyList<int> Dimensions { get; }

    /// <summary>Records declared (the first size).</summary>
    public int Count => Dimensions[0];

    /// <summary>Bytes per record (product of the other sizes).</summary>
    public long RecordBytes { get; }

    /// <summary>Declared data bytes: Count x RecordBytes.</summary>
    public long DataBytes { get; }

    /// <summary>Header bytes: 4 + 4 ndim.</summary>
    public int HeaderBytes => _header.Length;

    /// <summary>Shape as text, e.g. [60000, 28, 28].</summary>
    public string ShapeText => "[" + string.Join(", ", Dimensions) + "]";

    /// <summary>
    /// Reads and checks the header of <paramref name="path"/>: magic, element type (unsigned byte), exactly
    /// <paramref name="ndim"/> dimensions, sizes within limits (each record at most <paramref name="maxRecordBytes"/>),
    /// and a data size the file can hold: exactly the file's size when raw, at most <see cref="MaxDeflateRatio"/> x the
    /// compressed size when gzip.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file is missing.</exception>
    /// <exception cref="InvalidDataException">Anything else wrong; the message names the file and what is wrong.</exception>
    public static IdxFile ReadHeader(string path, string role, int ndim, long maxRecordBytes)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"IDX {role} file '{path}' does not exist.", path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096);
        long fileBytes = file.Length;
        bool gzip = IsGzipFile(file);
        using var stream = gzip ? new GZipStream(file, CompressionMode.Decompress, leaveOpen: true) : (Stream)file;
        var head = new byte[4];
        int got = ReadFully(stream, head, path, role);
        if (got < 4) throw new InvalidDataException($"IDX {role} file '{path}' is truncated: {got} bytes, a header needs at least 4.");
        if (head[0] != 0 || head[1] != 0)
            throw new InvalidDataException($"IDX {role} file '{path}' has a wrong magic number {Convert.ToHexString(head)} (expected 0000 then type and dimension count){(gzip ? "" : "; it is not gzip either")}.");
        if (head[2] != 0x08)
            throw new InvalidDataException($"IDX {role} file '{path}' holds element type 0x{head[2]:X2} ({TypeName(head[2])}); only unsigned bytes (0x08) are supported.");
        if (head[3] != ndim)
            throw new InvalidDataException($"IDX {role} file '{path}' has {head[3]} dimensions; {ndim} are expected ({(ndim == 3 ? "N x H x W" : "N")}).");
        var header = new byte[4 + 4 * ndim];
        head.CopyTo(header, 0);
        got = ReadFully(stream, header.AsSpan(4), path, role);
        if (got < 4 * ndim) throw new InvalidDataException($"IDX {role} file '{path}' is truncated inside its header ({4 + got} of {header.Length} bytes).");
        var dims = new int[ndim];
        long record = 1;
        for (int i = 0; i < ndim; i++)
        {
            dims[i] = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(4 + 4 * i));
            if (dims[i] < (i == 0 ? 0 : 1))
                throw new InvalidDataException($"IDX {role} file '{path}' declares size {dims[i]} for dimension {i}; sizes must be {(i == 0 ? "non-negative" : "positive")}.");
            if (i > 0)
            {
                record *= dims[i];
                if (record > maxRecordBytes)
                    throw new InvalidDataException($"IDX {role} file '{path}' declares records of {string.Join(" x ", dims.Skip(1).Take(i))} = {record:N0} bytes or more, above the limit of {maxRecordBytes:N0}.");
            }
        }
        var idx = new IdxFile(path, gzip, dims, header);
        long declared = header.Length + idx.DataBytes;
        if (!gzip && declared != fileBytes)
            throw new InvalidDataException(declared > fileBytes
                ? $"IDX {role} file '{path}' is truncated: its header declares {idx.ShapeText} ({idx.DataBytes:N0} data bytes) but it holds {fileBytes - header.Length:N0}."
                : $"IDX {role} file '{path}' holds {fileBytes - declared:N0} bytes beyond the {idx.ShapeText} its header declares.");
        if (gzip && declared > MaxDeflateRatio * fileBytes + 1024)
            throw new InvalidDataException($"IDX {role} file '{path}' declares {idx.ShapeText} ({declared:N0} bytes) but is a gzip stream of {fileBytes:N0} bytes, which cannot expand to more than about {MaxDeflateRatio} times that: the header is corrupt.");
        return idx;
    }

    /// <summary>
    /// Opens the file for one pass over the data: decompressing when gzip, positioned after the header, which is
    /// checked to be unchanged since <see cref="ReadHeader"/>. The caller reads at most <see cref="DataBytes"/> (+ 1).
    /// </summary>
    public Stream OpenData()
    {
        var file = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        Stream stream = file;
        try
        {
            if (IsGzip) stream = new GZipStream(file, CompressionMode.Decompress, leaveOpen: false);
            var header = new byte[_header.Length];
            if (ReadFully(stream, header, Path, "data") != header.Length || !header.AsSpan().SequenceEqual(_header))
                throw new InvalidDataException($"IDX file '{Path}' changed since it was opened: its header no longer declares {ShapeText}.");
            return stream;
        }
        catch
        {
            stream.Dispose();
            file.Dispose();
            throw;
        }
    }

    /// <summary>Reads until <paramref name="buffer"/> is full or the stream ends; a corrupt gzip stream is an error naming the file.</summary>
    public static int ReadFully(Stream stream, Span<byte> buffer, string path, string role)
    {
        try
        {
            return stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"IDX {role} file '{path}' is not a valid gzip stream: {e.Message}", e);
        }
    }

    private static bool IsGzipFile(FileStream file)
    {
        Span<byte> magic = stackalloc byte[2];
        int n = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
        file.Position = 0;
        return n == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    }

    private static string TypeName(byte type) => type switch
    {
        0x09 => "signed byte",
        0x0B => "int16",
        0x0C => "int32",
        0x0D => "float32",
        0x0E => "float64",
        _ => "unknown",
    };
}
