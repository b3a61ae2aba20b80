using Google.Protobuf;
using Ml.GanSdp.Onnx.Protobuf;

namespace Ml.GanSdp.Onnx;

/// <summary>
/// Reads the outline of a serialized ONNX <c>ModelProto</c> from a stream in bounded memory: its
/// <c>metadata_props</c>, the graph's inputs and outputs, and the names of the graph's initializers. Everything else
/// (the nodes, the initializers' data: all but a few bytes of a real model) is skipped as it streams past, in small
/// chunks, so a model zip entry that decompresses to gigabytes costs time to read but no memory.
/// <para>Wire format (protocol buffers): a field is a varint tag <c>(number &lt;&lt; 3) | wire type</c>, then a varint
/// (type 0), 8 bytes (type 1), a varint length and that many bytes (type 2) or 4 bytes (type 5). ONNX's field numbers:
/// ModelProto.graph = 7, ModelProto.metadata_props = 14; GraphProto.initializer = 5, input = 11, output = 12;
/// TensorProto.name = 8.</para>
/// </summary>
internal static class OnnxModelOutline
{
    /// <summary>The largest metadata entry, graph input/output description or initializer name kept (each).</summary>
    public const int MaxKeptFieldBytes = 64 << 20;

    private const int ModelGraph = 7, ModelMetadataProps = 14;
    private const int GraphInitializer = 5, GraphInput = 11, GraphOutput = 12;
    private const int TensorName = 8;

    /// <summary>
    /// Reads <paramref name="length"/> bytes of a serialized <c>ModelProto</c> from <paramref name="stream"/> and returns
    /// a <see cref="ModelProto"/> holding only its outline (see the class summary; initializers carry only their names).
    /// Throws <see cref="InvalidDataException"/> on a malformed message or a kept field above <see cref="MaxKeptFieldBytes"/>.
    /// </summary>
    public static ModelProto Read(Stream stream, long length)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var reader = new Reader(stream, length);
        var model = new ModelProto();
        while (reader.Remaining > 0)
        {
            var (field, wire) = reader.ReadTag();
            if (field == ModelGraph && wire == 2) model.Graph = ReadGraph(reader, reader.ReadLength());
            else if (field == ModelMetadataProps && wire == 2) model.MetadataProps.Add(StringStringEntryProto.Parser.ParseFrom(reader.ReadKept("metadata_props")));
            else reader.Skip(wire);
        }
        return model;
    }

    private static GraphProto ReadGraph(Reader reader, long length)
    {
        var graph = new GraphProto();
        long end = reader.Position + length;
        while (reader.Position < end)
        {
            var (field, wire) = reader.ReadTag();
            if (field == GraphInput && wire == 2) graph.Input.Add(ValueInfoProto.Parser.ParseFrom(reader.ReadKept("graph.input")));
            else if (field == GraphOutput && wire == 2) graph.Output.Add(ValueInfoProto.Parser.ParseFrom(reader.ReadKept("graph.output")));
            else if (field == GraphInitializer && wire == 2) graph.Initializer.Add(ReadTensorName(reader, reader.ReadLength()));
            else reader.Skip(wire);
        }
        if (reader.Position != end) throw new InvalidDataException("the ONNX graph's fields overrun its declared length.");
        return graph;
    }

    private static TensorProto ReadTensorName(Reader reader, long length)
    {
        var tensor = new TensorProto();
        long end = reader.Position + length;
        while (reader.Position < end)
        {
            var (field, wire) = reader.ReadTag();
            if (field == TensorName && wire == 2) tensor.Name = System.Text.Encoding.UTF8.GetString(reader.ReadKept("initializer name"));
            else reader.Skip(wire);
        }
        if (reader.Position != end) throw new InvalidDataException("an ONNX initializer's fields overrun its declared length.");
        return tensor;
    }

    /// <summary>A forward-only protocol-buffer field reader over at most a given number of bytes of a stream.</summary>
    private sealed class Reader(Stream stream, long length)
    {
        private readonly byte[] _scratch = new byte[81920];

        public long Position { get; private set; }

        public long Remaining => length - Position;

        public (int Field, int Wire) ReadTag()
        {
            ulong tag = ReadVarint();
            int field = (int)(tag >> 3), wire = (int)(tag & 7);
            if (field == 0 || tag >> 3 > int.MaxValue) throw new InvalidDataException($"invalid protobuf field number {tag >> 3}.");
            return (field, wire);
        }

        /// <summary>A length-delimited field's length, checked against the bytes left.</summary>
        public long ReadLength()
        {
            ulong n = ReadVarint();
            if (n > (ulong)Remaining) throw new InvalidDataException($"a field declares {n} bytes but only {Remaining} remain.");
            return (long)n;
        }

        /// <summary>A length-delimited field's bytes, at most <see cref="MaxKeptFieldBytes"/> of them.</summary>
        public byte[] ReadKept(string what)
        {
            long n = ReadLength();
            if (n > MaxKeptFieldBytes) throw new InvalidDataException($"the ONNX model's {what} declares {n} bytes, beyond the {MaxKeptFieldBytes}-byte limit.");
            var bytes = new byte[n];
            ReadExactly(bytes, (int)n);
            return bytes;
        }

        /// <summary>Skips the value of a field of wire type <paramref name="wire"/> without keeping it.</summary>
        public void Skip(int wire)
        {
            switch (wire)
            {
                case 0: ReadVarint(); break;
                case 1: Discard(8); break;
                case 2: Discard(ReadLength()); break;
                case 5: Discard(4); break;
                default: throw new InvalidDataException($"protobuf wire type {wire} is not used by ONNX models.");
            }
        }

        private ulong ReadVarint()
        {
            ulong value = 0;
            for (int shift = 0; shift < 64; shift += 7)
            {
                int b = ReadByte();
                value |= (ulong)(b & 0x7f) << shift;
                if ((b & 0x80) == 0) return value;
            }
            throw new InvalidDataException("a protobuf varint is longer than 10 bytes.");
        }

        private int ReadByte()
        {
            if (Remaining <= 0) throw new InvalidDataException("the ONNX model ends inside a field.");
            int b = stream.ReadByte();
            if (b < 0) throw new InvalidDataException($"the ONNX model ends after {Position} of its {length} bytes.");
            Position++;
            return b;
        }

        private void ReadExactly(byte[] buffer, int count)
        {
            if (count > Remaining) throw new InvalidDataException("the ONNX model ends inside a field.");
            int read = stream.ReadAtLeast(buffer.AsSpan(0, count), count, throwOnEndOfStream: false);
            if (read != count) throw new InvalidDataException($"the ONNX model ends after {Position + read} of its {length} bytes.");
            Position += count;
        }

        private void Discard(long count)
        {
            if (count > Remaining) throw new InvalidDataException("the ONNX model ends inside a field.");
            while (count > 0)
            {
                int chunk = (int)Math.Min(count, _scratch.Length);
                ReadExactly(_scratch, chunk);
                count -= chunk;
            }
        }
    }
}
