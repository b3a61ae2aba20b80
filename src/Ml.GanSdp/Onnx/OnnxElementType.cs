namespace Ml.GanSdp.Onnx;

/// <summary>
/// Element types of ONNX tensors that Ml.GanSdp's graphs use; the values are ONNX's <c>TensorProto.DataType</c> codes.
/// </summary>
public enum OnnxElementType
{
    /// <summary>32-bit IEEE float (ONNX FLOAT = 1).</summary>
    Float = 1,
    /// <summary>Unsigned 8-bit integer (ONNX UINT8 = 2).</summary>
    UInt8 = 2,
    /// <summary>Signed 8-bit integer (ONNX INT8 = 3).</summary>
    Int8 = 3,
    /// <summary>Signed 32-bit integer (ONNX INT32 = 6).</summary>
    Int32 = 6,
    /// <summary>Signed 64-bit integer (ONNX INT64 = 7).</summary>
    Int64 = 7,
    /// <summary>Boolean (ONNX BOOL = 9).</summary>
    Bool = 9,
    /// <summary>64-bit IEEE float (ONNX DOUBLE = 11).</summary>
    Double = 11,
    /// <summary>Unsigned 32-bit integer (ONNX UINT32 = 12); ML.NET key columns arrive as this type.</summary>
    UInt32 = 12,
    /// <summary>Unsigned 64-bit integer (ONNX UINT64 = 13); the seeded-latent subgraph's arithmetic (wraps modulo 2^64).</summary>
    UInt64 = 13,
}

/// <summary>
/// A named value of an <see cref="OnnxGraphBuilder"/> graph (a graph input, an initializer or a node output) with
/// its element type, which the builder checks when the value feeds an operator.
/// </summary>
/// <param name="Name">The value's name in the graph (unique within the graph).</param>
/// <param name="ElementType">The element type of the tensor.</param>
public readonly record struct OnnxValue(string Name, OnnxElementType ElementType)
{
    /// <inheritdoc />
    public override string ToString() => $"{Name} ({ElementType})";
}
