using System.Runtime.InteropServices;
using Google.Protobuf;

namespace Ml.GanSdp.Features;

/// <summary>
/// Encodes the few ONNX protobuf messages a small inference graph needs (model, graph, node, float tensor,
/// value info, int attribute) with Google.Protobuf's wire writer, by the field numbers of <c>onnx.proto</c>
/// (IR version 7, opset 13). Enough for the pixel-resampling model of <see cref="PixelResizeModel"/>;
/// not a general ONNX builder.
/// </summary>
internal static class OnnxProtoWriter
{
    /// <summary>The IR version written (ONNX 1.8, the one that goes with opset 13).</summary>
    public const long IrVersion = 7;

    /// <summary>The default-domain opset written.</summary>
    public const long Opset = 13;

    private const int FloatElementType = 1; // TensorProto.DataType.FLOAT
    private const int IntAttributeType = 2; // AttributeProto.AttributeType.INT

    /// <summary>A node: <c>NodeProto</c> {input = 1, output = 2, name = 3, op_type = 4, attribute = 5}.</summary>
    public static byte[] Node(string opType, string name, string[] inputs, string[] outputs, params byte[][] attributes) => Message(o =>
    {
        foreach (var i in inputs) String(o, 1, i);
        foreach (var x in outputs) String(o, 2, x);
        String(o, 3, name);
        String(o, 4, opType);
        foreach (var a in attributes) Bytes(o, 5, a);
    });

    /// <summary>An integer attribute: <c>AttributeProto</c> {name = 1, i = 3, type = 20}.</summary>
    public static byte[] IntAttribute(string name, long value) => Message(o =>
    {
        String(o, 1, name);
        Int64(o, 3, value);
        Int64(o, 20, IntAttributeType);
    });

    /// <summary>A float32 initializer: <c>TensorProto</c> {dims = 1, data_type = 2, name = 8, raw_data = 9 (little-endian)}.</summary>
    public static byte[] FloatTensor(string name, long[] dims, float[] values)
    {
        if (dims.Aggregate(1L, (a, b) => a * b) != values.Length)
            throw new ArgumentException($"Tensor '{name}': dims [{string.Join(", ", dims)}] do not hold {values.Length} values.", nameof(dims));
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX raw_data is little-endian; this writer needs a little-endian machine.");
        return Message(o =>
        {
            foreach (var d in dims) Int64(o, 1, d);
            Int64(o, 2, FloatElementType);
            String(o, 8, name);
            o.WriteTag(9, WireFormat.WireType.LengthDelimited);
            o.WriteBytes(ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())));
        });
    }

    /// <summary>
    /// A float32 tensor input or output: <c>ValueInfoProto</c> {name = 1, type = 2} with <c>TypeProto</c>
    /// {tensor_type = 1: {elem_type = 1, shape = 2: {dim = 1: {dim_value = 1}}}}.
    /// </summary>
    public static byte[] FloatValueInfo(string name, long[] dims)
    {
        var shape = Message(o =>
        {
            foreach (var d in dims) Bytes(o, 1, Message(od => Int64(od, 1, d)));
        });
        var tensorType = Message(o =>
        {
            Int64(o, 1, FloatElementType);
            Bytes(o, 2, shape);
        });
        var type = Message(o => Bytes(o, 1, tensorType));
        return Message(o =>
        {
            String(o, 1, name);
            Bytes(o, 2, type);
        });
    }

    /// <summary>A graph: <c>GraphProto</c> {node = 1, name = 2, initializer = 5, input = 11, output = 12}.</summary>
    public static byte[] Graph(string name, IEnumerable<byte[]> nodes, IEnumerable<byte[]> initializers, IEnumerable<byte[]> inputs, IEnumerable<byte[]> outputs) => Message(o =>
    {
        foreach (var n in nodes) Bytes(o, 1, n);
        String(o, 2, name);
        foreach (var t in initializers) Bytes(o, 5, t);
        foreach (var i in inputs) Bytes(o, 11, i);
        foreach (var x in outputs) Bytes(o, 12, x);
    });

    /// <summary>
    /// A model: <c>ModelProto</c> {ir_version = 1, producer_name = 2, producer_version = 3, graph = 7,
    /// opset_import = 8: {domain = 1 (empty: the default domain), version = 2}}.
    /// </summary>
    public static byte[] Model(byte[] graph, string producer, string producerVersion) => Message(o =>
    {
        Int64(o, 1, IrVersion);
        String(o, 2, producer);
        String(o, 3, producerVersion);
        Bytes(o, 7, graph);
        Bytes(o, 8, Message(os => Int64(os, 2, Opset)));
    });

    private static byte[] Message(Action<CodedOutputStream> body)
    {
        using var ms = new MemoryStream();
        using (var o = new CodedOutputStream(ms, leaveOpen: true))
        {
            body(o);
            o.Flush();
        }
        return ms.ToArray();
    }

    private static void String(CodedOutputStream o, int field, string value)
    {
        o.WriteTag(field, WireFormat.WireType.LengthDelimited);
        o.WriteString(value);
    }

    private static void Bytes(CodedOutputStream o, int field, byte[] value)
    {
        o.WriteTag(field, WireFormat.WireType.LengthDelimited);
        o.WriteBytes(ByteString.CopyFrom(value));
    }

    private static void Int64(CodedOutputStream o, int field, long value)
    {
        o.WriteTag(field, WireFormat.WireType.Varint);
        o.WriteInt64(value);
    }
}
