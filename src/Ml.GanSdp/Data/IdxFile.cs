using System.Buffers.Binary;
using System.IO.Compression;

namespace Ml.GanSdp.Data;

/// <summary>
/// An IDX file (the MNIST / Fashion-MNIST format), gzip-compressed or not: magic <c>00 00 type ndim</c>, then
/// ndim big-endian int32 sizes, then the data. Only unsigned bytes (type 0x08) are supported, which is what
/// MNIST and Fashion-MNIST use.
/// </summary>
public sealed class IdxFile
{
    private IdxFile(string path, long[] dimensions, byte[] data)
    {
        Path = path;
        Dimensions = dimensions;
        Data = data;
    }

    /// <summary>The file it was read from.</summary>
    public string Path { get; }

    /// <summary>The sizes of each dimension (the first is the record count).</summary>
    public IReadOnlyList<long> Dimensions { get; }

    /// <summary>The uint8 data, row-major.</summary>
    internal byte[] Data { get; }

    /// <summary>Number of records (the first dimension).</summary>
    public long Count => Dimensions[0];

    /// <summary>Bytes per record (product of the other dimensions).</summary>
    public long RecordSize => Dimensions.Skip(1).Aggregate(1L, (a, b) => a * b);

    /// <summary>The whole content as a uint8 tensor of shape <see cref="Dimensions"/> (a copy the caller owns).</summary>
    public torch.Tensor ToTensor() => torch.from_bytes(Data, ScalarType.Byte, Dimensions.ToArray());

    /// <summary>Reads the whole file (decompressing it when it starts with the gzip magic 1f 8b).</summary>
    /// <exception cref="FileNotFoundException">The file is missing.</exception>
    /// <exception cref="InvalidDataException">Wrong magic, unsupported type, or a size that does not match the header; the message names the file.</exception>
    public static IdxFile Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"IDX file '{path}' does not exist.", path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
            if (bytes.Length >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b)
            {
                using var gz = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
                using var ms = new MemoryStream();
                gz.CopyTo(ms);
                bytes = ms.ToArray();
            }
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"IDX file '{path}' is not a valid gzip stream: {e.Message}", e);
        }
        if (bytes.Length < 4 || bytes[0] != 0 || bytes[1] != 0)
            throw new InvalidDataException($"IDX file '{path}' has a wrong magic number {Hex(bytes)} (expected 00 00 <type> <ndim>).");
        if (bytes[2] != 0x08)
            throw new InvalidDataException($"IDX file '{path}' has element type 0x{bytes[2]:x2}; only unsigned bytes (0x08) are supported.");
        int ndim = bytes[3];
        if (ndim < 1) throw new InvalidDataException($"IDX file '{path}' declares {ndim} dimensions.");
        int header = 4 + 4 * ndim;
        if (bytes.Length < header) throw new InvalidDataException($"IDX file '{path}' is truncated: {bytes.Length} bytes, the header alone needs {header}.");
        var dims = new long[ndim];
        long total = 1;
        for (int i = 0; i < ndim; i++)
        {
            dims[i] = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4 + 4 * i));
            if (dims[i] < 0) throw new InvalidDataException($"IDX file '{path}' has a negative size {dims[i]} in dimension {i}.");
            total *= dims[i];
        }
        if (bytes.Length - header != total)
            throw new InvalidDataException($"IDX file '{path}' declares shape [{string.Join(", ", dims)}] ({total} bytes of data) but holds {bytes.Length - header}.");
        return new IdxFile(path, dims, bytes.AsSpan(header).ToArray());
    }

    private static string Hex(byte[] b) => string.Join(" ", b.Take(4).Select(x => x.ToString("x2")));
}
