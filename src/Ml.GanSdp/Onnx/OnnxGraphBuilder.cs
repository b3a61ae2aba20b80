using System.Runtime.InteropServices;
using Google.Protobuf;
using Ml.GanSdp.Onnx.Protobuf;

namespace Ml.GanSdp.Onnx;

/// <summary>
/// Builds an ONNX model (IR version <see cref="IrVersion"/>, default-domain opset <see cref="Opset"/>) op by op:
/// typed graph inputs and outputs (with a symbolic batch dimension <see cref="BatchDimName"/>), float/int64/uint64
/// initializers, and one method per operator the model exporters use. Every method checks the element types of its
/// operands and its attribute values and throws an <see cref="ArgumentException"/> naming the operator and the operand,
/// so a malformed graph fails when it is built rather than when ONNX Runtime loads it.
/// </summary>
/// <remarks>
/// Opset 18 is the lowest opset with <c>BitwiseXor</c> (the seeded-latent subgraph needs it) and with the <c>axes</c>
/// attribute of <c>Resize</c> (resizing H and W of an N-dynamic tensor without computing the full size at run time);
/// ONNX Runtime 1.31 implements every operator used here at that opset on CPU. Names: graph inputs and outputs keep
/// the exact names given (ML.NET's OnnxTransformer binds columns by these names); initializers and node outputs get
/// unique names derived from a hint. The builder is not thread-safe.
/// </remarks>
public sealed class OnnxGraphBuilder
{
    /// <summary>The default-domain operator set version the graph imports.</summary>
    public const int Opset = 18;

    /// <summary>The ONNX IR version written into the model (IR 8 goes with opset 18).</summary>
    public const long IrVersion = 8;

    /// <summary>The symbolic name of the batch dimension of inputs and outputs.</summary>
    public const string BatchDimName = "N";

    /// <summary>Marks the batch dimension in a shape passed to <see cref="AddInput"/> or <see cref="AddOutput"/>.</summary>
    public const long Batch = -1;

    private readonly GraphProto _graph;
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _nextSuffix = new(StringComparer.Ordinal);
    private readonly List<KeyValuePair<string, string>> _metadata = [];
    private bool _hasOutput;

    /// <summary>Starts an empty graph called <paramref name="graphName"/>.</summary>
    public OnnxGraphBuilder(string graphName = "main")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(graphName);
        _graph = new GraphProto { Name = graphName };
    }

    /// <summary>The model's <c>producer_name</c>.</summary>
    public string ProducerName { get; set; } = "Ml.GanSdp";

    /// <summary>The model's <c>producer_version</c> (defaults to this library's informational version).</summary>
    public string ProducerVersion { get; set; } = typeof(OnnxGraphBuilder).Assembly.GetName().Version?.ToString() ?? "0";

    /// <summary>The model's <c>doc_string</c> (free text describing the model), or null for none.</summary>
    public string? DocString { get; set; }

    /// <summary>The model's <c>metadata_props</c> in the order they were set.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Metadata => _metadata;

    /// <summary>Sets metadata entry <paramref name="key"/> (replacing an earlier value of the same key).</summary>
    public void SetMetadata(string key, string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentNullException.ThrowIfNull(value);
        int i = _metadata.FindIndex(p => p.Key == key);
        if (i >= 0) _metadata[i] = new(key, value);
        else _metadata.Add(new(key, value));
    }

    // ---------------------------------------------------------------- inputs, outputs, initializers

    /// <summary>
    /// Declares graph input <paramref name="name"/> of <paramref name="type"/> with shape <paramref name="dims"/>
    /// (<see cref="Batch"/> marks the symbolic batch dimension). The name is kept exactly.
    /// </summary>
    public OnnxValue AddInput(string name, OnnxElementType type, params long[] dims)
    {
        Reserve(name, "graph input");
        _graph.Input.Add(ValueInfo(name, type, dims));
        return new OnnxValue(name, type);
    }

    /// <summary>
    /// Declares <paramref name="value"/> as graph output <paramref name="name"/> with shape <paramref name="dims"/>
    /// (<see cref="Batch"/> marks the batch dimension). When the value has another name an Identity node renames it.
    /// </summary>
    public OnnxValue AddOutput(OnnxValue value, string name, params long[] dims)
    {
        RequireValue(value, "output", nameof(value));
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (value.Name != name)
        {
            Reserve(name, "graph output");
            Emit("Identity", [value], [name], []);
        }
        else if (_graph.Output.Any(o => o.Name == name))
            throw new ArgumentException($"'{name}' is already a graph output.", nameof(name));
        _graph.Output.Add(ValueInfo(name, value.ElementType, dims));
        _hasOutput = true;
        return new OnnxValue(name, value.ElementType);
    }

    /// <summary>Adds a float32 initializer of shape <paramref name="dims"/> (row-major values) named after <paramref name="nameHint"/>.</summary>
    public OnnxValue AddInitializer(string nameHint, ReadOnlySpan<float> values, params long[] dims)
        => AddRaw(nameHint, OnnxElementType.Float, MemoryMarshal.AsBytes(values), values.Length, dims);

    /// <summary>Adds a float64 initializer of shape <paramref name="dims"/> named after <paramref name="nameHint"/>.</summary>
    public OnnxValue AddInitializer(string nameHint, ReadOnlySpan<double> values, params long[] dims)
        => AddRaw(nameHint, OnnxElementType.Double, MemoryMarshal.AsBytes(values), values.Length, dims);

    /// <summary>Adds an int64 initializer of shape <paramref name="dims"/> named after <paramref name="nameHint"/>.</summary>
    public OnnxValue AddInitializer(string nameHint, ReadOnlySpan<long> values, params long[] dims)
        => AddRaw(nameHint, OnnxElementType.Int64, MemoryMarshal.AsBytes(values), values.Length, dims);

    /// <summary>Adds a uint64 initializer of shape <paramref name="dims"/> named after <paramref name="nameHint"/>.</summary>
    public OnnxValue AddInitializer(string nameHint, ReadOnlySpan<ulong> values, params long[] dims)
        => AddRaw(nameHint, OnnxElementType.UInt64, MemoryMarshal.AsBytes(values), values.Length, dims);

    /// <summary>A float32 scalar (rank-0) initializer.</summary>
    public OnnxValue Scalar(float value, string nameHint = "const") => AddInitializer(nameHint, [value]);

    /// <summary>A float64 scalar (rank-0) initializer.</summary>
    public OnnxValue Scalar(double value, string nameHint = "const") => AddInitializer(nameHint, [value]);

    /// <summary>An int64 scalar (rank-0) initializer.</summary>
    public OnnxValue Scalar(long value, string nameHint = "const") => AddInitializer(nameHint, [value]);

    /// <summary>A uint64 scalar (rank-0) initializer.</summary>
    public OnnxValue Scalar(ulong value, string nameHint = "const") => AddInitializer(nameHint, [value]);

    /// <summary>A 1-D int64 initializer (shapes, axes, pads given as inputs).</summary>
    public OnnxValue Vector(string nameHint, params long[] values) => AddInitializer(nameHint, values, values.Length);

    private OnnxValue AddRaw(string nameHint, OnnxElementType type, ReadOnlySpan<byte> bytes, int count, long[] dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        long expected = 1;
        foreach (var d in dims)
        {
            if (d < 0) throw new ArgumentException($"Initializer '{nameHint}': dimension {d} is negative (shape [{string.Join(",", dims)}]).", nameof(dims));
            expected = checked(expected * d);
        }
        if (expected != count)
            throw new ArgumentException($"Initializer '{nameHint}': {count} values do not fill shape [{string.Join(",", dims)}] ({expected} values).", nameof(dims));
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX raw_data is little-endian; this platform is not.");
        var name = UniqueName(nameHint);
        var t = new TensorProto { Name = name, DataType = (int)type, RawData = ByteString.CopyFrom(bytes) };
        t.Dims.AddRange(dims);
        _graph.Initializer.Add(t);
        return new OnnxValue(name, type);
    }

    // ---------------------------------------------------------------- convolution and normalization

    /// <summary>
    /// 2-D (or N-D) convolution, ONNX <c>Conv</c>: y = x * weight + bias with weight [M, C/group, kH, kW].
    /// <paramref name="pads"/> is ONNX's [begin per axis..., end per axis...]; PyTorch's padding p is [p, p, p, p].
    /// </summary>
    public OnnxValue Conv(OnnxValue x, OnnxValue weight, OnnxValue? bias = null, long[]? strides = null, long[]? pads = null,
        long[]? dilations = null, long group = 1)
    {
        RequireFloat("Conv", (x, "x"), (weight, "weight"));
        if (bias is { } b) RequireFloat("Conv", (b, "bias"));
        if (group < 1) throw new ArgumentOutOfRangeException(nameof(group), group, "Conv: group must be at least 1.");
        var attrs = new List<AttributeProto> { Int("group", group) };
        AddSpatial(attrs, "Conv", strides, pads, dilations);
        return Node("Conv", bias is { } bb ? [x, weight, bb] : [x, weight], x.ElementType, attrs);
    }

    /// <summary>
    /// Transposed convolution, ONNX <c>ConvTranspose</c> with weight [C, M/group, kH, kW]. Output size per axis is
    /// stride (in - 1) + output_padding + dilation (k - 1) + 1 - pad_begin - pad_end, as PyTorch's
    /// <c>ConvTranspose2d(padding = p, output_padding = op)</c> with pads [p, p, p, p] and output_padding [op, op].
    /// </summary>
    public OnnxValue ConvTranspose(OnnxValue x, OnnxValue weight, OnnxValue? bias = null, long[]? strides = null, long[]? pads = null,
        long[]? outputPadding = null, long[]? dilations = null, long group = 1)
    {
        RequireFloat("ConvTranspose", (x, "x"), (weight, "weight"));
        if (bias is { } b) RequireFloat("ConvTranspose", (b, "bias"));
        if (group < 1) throw new ArgumentOutOfRangeException(nameof(group), group, "ConvTranspose: group must be at least 1.");
        var attrs = new List<AttributeProto> { Int("group", group) };
        AddSpatial(attrs, "ConvTranspose", strides, pads, dilations);
        if (outputPadding is not null)
        {
            RequireNonNegative("ConvTranspose", "output_padding", outputPadding);
            if (strides is not null && outputPadding.Length == strides.Length)
                for (int i = 0; i < strides.Length; i++)
                    if (outputPadding[i] >= Math.Max(strides[i], dilations?[i] ?? 1))
                        throw new ArgumentException($"ConvTranspose: output_padding {outputPadding[i]} on axis {i} must be smaller than the stride or the dilation.", nameof(outputPadding));
            attrs.Add(Ints("output_padding", outputPadding));
        }
        return Node("ConvTranspose", bias is { } bb ? [x, weight, bb] : [x, weight], x.ElementType, attrs);
    }

    /// <summary>
    /// Batch normalization in inference mode, ONNX <c>BatchNormalization</c>:
    /// y = scale (x - mean) / sqrt(var + epsilon) + bias per channel (axis 1), with the running statistics.
    /// </summary>
    public OnnxValue BatchNormalization(OnnxValue x, OnnxValue scale, OnnxValue bias, OnnxValue mean, OnnxValue variance, float epsilon = 1e-5f)
    {
        RequireFloat("BatchNormalization", (x, "x"), (scale, "scale"), (bias, "bias"), (mean, "mean"), (variance, "variance"));
        if (!(epsilon >= 0) || float.IsInfinity(epsilon)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "BatchNormalization: epsilon must be finite and non-negative.");
        return Node("BatchNormalization", [x, scale, bias, mean, variance], x.ElementType, [Float("epsilon", epsilon)]);
    }

    // ---------------------------------------------------------------- activations and element-wise maths

    /// <summary>max(x, 0), ONNX <c>Relu</c>.</summary>
    public OnnxValue Relu(OnnxValue x) => Unary("Relu", x);

    /// <summary>x if x &gt;= 0 else alpha x, ONNX <c>LeakyRelu</c>.</summary>
    public OnnxValue LeakyRelu(OnnxValue x, float alpha = 0.01f)
    {
        RequireFloat("LeakyRelu", (x, "x"));
        if (!float.IsFinite(alpha)) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "LeakyRelu: alpha must be finite.");
        return Node("LeakyRelu", [x], x.ElementType, [Float("alpha", alpha)]);
    }

    /// <summary>tanh(x), ONNX <c>Tanh</c>.</summary>
    public OnnxValue Tanh(OnnxValue x) => Unary("Tanh", x);

    /// <summary>1 / (1 + exp(-x)), ONNX <c>Sigmoid</c>.</summary>
    public OnnxValue Sigmoid(OnnxValue x) => Unary("Sigmoid", x);

    /// <summary>Natural logarithm, ONNX <c>Log</c>.</summary>
    public OnnxValue Log(OnnxValue x) => Unary("Log", x);

    /// <summary>Square root, ONNX <c>Sqrt</c>.</summary>
    public OnnxValue Sqrt(OnnxValue x) => Unary("Sqrt", x);

    /// <summary>Sine (radians), ONNX <c>Sin</c>.</summary>
    public OnnxValue Sin(OnnxValue x) => Unary("Sin", x);

    /// <summary>Cosine (radians), ONNX <c>Cos</c>.</summary>
    public OnnxValue Cos(OnnxValue x) => Unary("Cos", x);

    /// <summary>min(max(x, min), max), ONNX <c>Clip</c> (bounds given as float scalars).</summary>
    public OnnxValue Clip(OnnxValue x, float min, float max)
    {
        RequireFloat("Clip", (x, "x"));
        if (float.IsNaN(min) || float.IsNaN(max) || min > max) throw new ArgumentException($"Clip: bounds [{min}, {max}] are not an interval.", nameof(min));
        return Node("Clip", [x, Scalar(min, "clip_min"), Scalar(max, "clip_max")], x.ElementType, []);
    }

    /// <summary>Element-wise a + b with NumPy broadcasting, ONNX <c>Add</c> (integers wrap).</summary>
    public OnnxValue Add(OnnxValue a, OnnxValue b) => Binary("Add", a, b);

    /// <summary>Element-wise a - b with broadcasting, ONNX <c>Sub</c>.</summary>
    public OnnxValue Sub(OnnxValue a, OnnxValue b) => Binary("Sub", a, b);

    /// <summary>Element-wise a b with broadcasting, ONNX <c>Mul</c> (integers wrap).</summary>
    public OnnxValue Mul(OnnxValue a, OnnxValue b) => Binary("Mul", a, b);

    /// <summary>Element-wise a / b with broadcasting, ONNX <c>Div</c>.</summary>
    public OnnxValue Div(OnnxValue a, OnnxValue b) => Binary("Div", a, b);

    /// <summary>Element-wise a == b as bool, ONNX <c>Equal</c>.</summary>
    public OnnxValue Equal(OnnxValue a, OnnxValue b)
    {
        RequireSameType("Equal", a, b);
        return Node("Equal", [a, b], OnnxElementType.Bool, []);
    }

    /// <summary>Element-wise condition ? x : y with broadcasting, ONNX <c>Where</c>.</summary>
    public OnnxValue Where(OnnxValue condition, OnnxValue x, OnnxValue y)
    {
        RequireType("Where", condition, "condition", OnnxElementType.Bool);
        RequireSameType("Where", x, y);
        return Node("Where", [condition, x, y], x.ElementType, []);
    }

    /// <summary>
    /// Logical shift of unsigned integers by <paramref name="shift"/> bits (same type, broadcast), ONNX <c>BitShift</c>.
    /// </summary>
    public OnnxValue BitShift(OnnxValue x, OnnxValue shift, bool right)
    {
        if (x.ElementType is not (OnnxElementType.UInt8 or OnnxElementType.UInt32 or OnnxElementType.UInt64))
            throw new ArgumentException($"BitShift: x {x} must be an unsigned integer (uint8, uint32 or uint64).", nameof(x));
        RequireSameType("BitShift", x, shift);
        return Node("BitShift", [x, shift], x.ElementType, [Str("direction", right ? "RIGHT" : "LEFT")]);
    }

    /// <summary>Bitwise exclusive or of integers (same type, broadcast), ONNX <c>BitwiseXor</c> (opset 18).</summary>
    public OnnxValue BitwiseXor(OnnxValue a, OnnxValue b)
    {
        if (!IsInteger(a.ElementType)) throw new ArgumentException($"BitwiseXor: {a} must be an integer tensor.", nameof(a));
        RequireSameType("BitwiseXor", a, b);
        return Node("BitwiseXor", [a, b], a.ElementType, []);
    }

    // ---------------------------------------------------------------- classification outputs

    /// <summary>
    /// Softmax along one axis, ONNX <c>Softmax</c> (opset 13 semantics: over <paramref name="axis"/> only):
    /// y_i = exp(x_i - max x) / sum_j exp(x_j - max x), which is PyTorch's <c>torch.softmax(x, dim = axis)</c>.
    /// </summary>
    public OnnxValue Softmax(OnnxValue x, long axis = -1)
    {
        RequireFloat("Softmax", (x, "x"));
        return Node("Softmax", [x], x.ElementType, [Int("axis", axis)]);
    }

    /// <summary>
    /// Index (int64) of the largest entry along <paramref name="axis"/>, ONNX <c>ArgMax</c>; ties go to the first index
    /// (<c>select_last_index = 0</c>), like <c>torch.argmax</c>. <paramref name="keepDims"/> false drops the axis.
    /// </summary>
    public OnnxValue ArgMax(OnnxValue x, long axis, bool keepDims = false)
    {
        RequireFloat("ArgMax", (x, "x"));
        return Node("ArgMax", [x], OnnxElementType.Int64, [Int("axis", axis), Int("keepdims", keepDims ? 1 : 0), Int("select_last_index", 0)]);
    }

    // ---------------------------------------------------------------- linear algebra

    /// <summary>
    /// General matrix product, ONNX <c>Gemm</c>: y = alpha op(a) op(b) + beta c, op = transpose when the flag is set.
    /// PyTorch's <c>Linear</c> is Gemm(x, weight, bias, transB: true).
    /// </summary>
    public OnnxValue Gemm(OnnxValue a, OnnxValue b, OnnxValue? c = null, float alpha = 1f, float beta = 1f, bool transA = false, bool transB = false)
    {
        RequireFloat("Gemm", (a, "a"), (b, "b"));
        if (c is { } cc) RequireFloat("Gemm", (cc, "c"));
        return Node("Gemm", c is { } c2 ? [a, b, c2] : [a, b], a.ElementType,
            [Float("alpha", alpha), Float("beta", beta), Int("transA", transA ? 1 : 0), Int("transB", transB ? 1 : 0)]);
    }

    /// <summary>Matrix product with NumPy semantics (batched, broadcast), ONNX <c>MatMul</c>.</summary>
    public OnnxValue MatMul(OnnxValue a, OnnxValue b)
    {
        RequireFloat("MatMul", (a, "a"), (b, "b"));
        return Node("MatMul", [a, b], a.ElementType, []);
    }

    // ---------------------------------------------------------------- shapes and indexing

    /// <summary>
    /// Reshape to <paramref name="shape"/>, ONNX <c>Reshape</c>: 0 copies the input's dimension at that position,
    /// -1 (at most once) is inferred.
    /// </summary>
    public OnnxValue Reshape(OnnxValue x, params long[] shape)
    {
        RequireValue(x, "Reshape", nameof(x));
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Count(d => d == -1) > 1 || shape.Any(d => d < -1))
            throw new ArgumentException($"Reshape: shape [{string.Join(",", shape)}] may hold one -1 and no other negative value.", nameof(shape));
        return Node("Reshape", [x, Vector("shape", shape)], x.ElementType, []);
    }

    /// <summary>Flattens to 2-D [prod(dims[..axis]), prod(dims[axis..])], ONNX <c>Flatten</c>.</summary>
    public OnnxValue Flatten(OnnxValue x, long axis = 1)
    {
        RequireValue(x, "Flatten", nameof(x));
        return Node("Flatten", [x], x.ElementType, [Int("axis", axis)]);
    }

    /// <summary>Permutes axes (output axis i is input axis perm[i]), ONNX <c>Transpose</c>.</summary>
    public OnnxValue Transpose(OnnxValue x, params long[] perm)
    {
        RequireValue(x, "Transpose", nameof(x));
        ArgumentNullException.ThrowIfNull(perm);
        if (perm.Length == 0 || !perm.Order().SequenceEqual(Enumerable.Range(0, perm.Length).Select(i => (long)i)))
            throw new ArgumentException($"Transpose: perm [{string.Join(",", perm)}] is not a permutation of 0..{perm.Length - 1}.", nameof(perm));
        return Node("Transpose", [x], x.ElementType, [Ints("perm", perm)]);
    }

    /// <summary>Concatenates <paramref name="inputs"/> (same type) along <paramref name="axis"/>, ONNX <c>Concat</c>.</summary>
    public OnnxValue Concat(long axis, params OnnxValue[] inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Length == 0) throw new ArgumentException("Concat: needs at least one input.", nameof(inputs));
        foreach (var v in inputs.Skip(1)) RequireSameType("Concat", inputs[0], v);
        return Node("Concat", inputs, inputs[0].ElementType, [Int("axis", axis)]);
    }

    /// <summary>Splits <paramref name="x"/> along <paramref name="axis"/> into parts of the given sizes, ONNX <c>Split</c>.</summary>
    public OnnxValue[] Split(OnnxValue x, long axis, params long[] sizes)
    {
        RequireValue(x, "Split", nameof(x));
        ArgumentNullException.ThrowIfNull(sizes);
        if (sizes.Length == 0 || sizes.Any(s => s < 0)) throw new ArgumentException($"Split: sizes [{string.Join(",", sizes)}] must be non-negative and non-empty.", nameof(sizes));
        var outputs = sizes.Select(_ => UniqueName("Split")).ToArray();
        Emit("Split", [x, Vector("split", sizes)], outputs, [Int("axis", axis)]);
        return outputs.Select(n => new OnnxValue(n, x.ElementType)).ToArray();
    }

    /// <summary>
    /// Slices x[starts:ends:steps] on <paramref name="axes"/>, ONNX <c>Slice</c> (negative indices count from the end;
    /// ends are clamped to the dimension).
    /// </summary>
    public OnnxValue Slice(OnnxValue x, long[] starts, long[] ends, long[] axes, long[]? steps = null)
    {
        RequireValue(x, "Slice", nameof(x));
        ArgumentNullException.ThrowIfNull(starts);
        ArgumentNullException.ThrowIfNull(ends);
        ArgumentNullException.ThrowIfNull(axes);
        if (starts.Length != ends.Length || starts.Length != axes.Length || (steps is not null && steps.Length != axes.Length))
            throw new ArgumentException("Slice: starts, ends, axes (and steps) must have the same length.", nameof(axes));
        if (steps is not null && steps.Any(s => s == 0)) throw new ArgumentException("Slice: a step is 0.", nameof(steps));
        List<OnnxValue> ins = [x, Vector("starts", starts), Vector("ends", ends), Vector("axes", axes)];
        if (steps is not null) ins.Add(Vector("steps", steps));
        return Node("Slice", [.. ins], x.ElementType, []);
    }

    /// <summary>Inserts size-1 axes at <paramref name="axes"/> (positions in the output), ONNX <c>Unsqueeze</c>.</summary>
    public OnnxValue Unsqueeze(OnnxValue x, params long[] axes)
    {
        RequireValue(x, "Unsqueeze", nameof(x));
        ArgumentNullException.ThrowIfNull(axes);
        if (axes.Length == 0 || axes.Distinct().Count() != axes.Length) throw new ArgumentException($"Unsqueeze: axes [{string.Join(",", axes)}] must be distinct and non-empty.", nameof(axes));
        return Node("Unsqueeze", [x, Vector("axes", axes)], x.ElementType, []);
    }

    /// <summary>
    /// Takes entries of <paramref name="data"/> along <paramref name="axis"/> at int32/int64 <paramref name="indices"/>,
    /// ONNX <c>Gather</c>; output shape is data.shape[..axis] + indices.shape + data.shape[axis+1..].
    /// Negative indices count from the end (so -1 reads the last row), out-of-range ones fail at run time.
    /// </summary>
    public OnnxValue Gather(OnnxValue data, OnnxValue indices, long axis = 0)
    {
        RequireValue(data, "Gather", nameof(data));
        if (indices.ElementType is not (OnnxElementType.Int32 or OnnxElementType.Int64))
            throw new ArgumentException($"Gather: indices {indices} must be int32 or int64.", nameof(indices));
        return Node("Gather", [data, indices], data.ElementType, [Int("axis", axis)]);
    }

    /// <summary>Converts the element type, ONNX <c>Cast</c> (integer to integer keeps the low bits, two's complement).</summary>
    public OnnxValue Cast(OnnxValue x, OnnxElementType to)
    {
        RequireValue(x, "Cast", nameof(x));
        if (!Enum.IsDefined(to)) throw new ArgumentOutOfRangeException(nameof(to), to, "Cast: unknown element type.");
        return Node("Cast", [x], to, [Int("to", (long)to)]);
    }

    /// <summary>Copies its input, ONNX <c>Identity</c>.</summary>
    public OnnxValue Identity(OnnxValue x)
    {
        RequireValue(x, "Identity", nameof(x));
        return Node("Identity", [x], x.ElementType, []);
    }

    // ---------------------------------------------------------------- resizing and pooling

    /// <summary>
    /// Nearest-neighbour up-sampling of the last two axes of NCHW <paramref name="x"/> by integer factors, ONNX <c>Resize</c>
    /// (mode nearest, coordinate transformation asymmetric, nearest mode floor): out[i] = in[floor(i / scale)],
    /// which is PyTorch's <c>F.interpolate(x, scale_factor = s, mode = 'nearest')</c>.
    /// </summary>
    public OnnxValue ResizeNearest(OnnxValue x, int scaleHeight = 2, int scaleWidth = 2)
    {
        RequireFloat("Resize", (x, "x"));
        if (scaleHeight < 1 || scaleWidth < 1) throw new ArgumentOutOfRangeException(nameof(scaleHeight), $"Resize: scale factors ({scaleHeight}, {scaleWidth}) must be positive integers.");
        var scales = AddInitializer("scales", [(float)scaleHeight, (float)scaleWidth], 2);
        return Node("Resize", [x, Empty, scales], x.ElementType,
            [Str("mode", "nearest"), Str("coordinate_transformation_mode", "asymmetric"), Str("nearest_mode", "floor"), Ints("axes", [2, 3])]);
    }

    /// <summary>
    /// Bilinear resize of the last two axes of NCHW <paramref name="x"/> to <paramref name="height"/> x <paramref name="width"/>,
    /// ONNX <c>Resize</c> (mode linear, coordinate transformation pytorch_half_pixel, no antialiasing): source coordinate
    /// (i + 0.5) in/out - 0.5 clamped at 0, which is PyTorch's <c>F.interpolate(x, size, mode = 'bilinear', align_corners = False)</c>.
    /// </summary>
    public OnnxValue ResizeBilinear(OnnxValue x, long height, long width)
    {
        RequireFloat("Resize", (x, "x"));
        if (height < 1 || width < 1) throw new ArgumentOutOfRangeException(nameof(height), $"Resize: target size {height}x{width} must be positive.");
        var sizes = Vector("sizes", height, width);
        return Node("Resize", [x, Empty, Empty, sizes], x.ElementType,
            [Str("mode", "linear"), Str("coordinate_transformation_mode", "pytorch_half_pixel"), Ints("axes", [2, 3])]);
    }

    /// <summary>Max pooling, ONNX <c>MaxPool</c> (pads [begin..., end...]; padding never wins the max).</summary>
    public OnnxValue MaxPool(OnnxValue x, long[] kernelShape, long[]? strides = null, long[]? pads = null, bool ceilMode = false)
    {
        RequireFloat("MaxPool", (x, "x"));
        var attrs = PoolAttributes("MaxPool", kernelShape, strides, pads, ceilMode);
        return Node("MaxPool", [x], x.ElementType, attrs);
    }

    /// <summary>
    /// Average pooling, ONNX <c>AveragePool</c>. <paramref name="countIncludePad"/> true divides by the full kernel size
    /// (PyTorch's default <c>count_include_pad = True</c>), false by the number of non-padding elements.
    /// </summary>
    public OnnxValue AveragePool(OnnxValue x, long[] kernelShape, long[]? strides = null, long[]? pads = null, bool countIncludePad = true, bool ceilMode = false)
    {
        RequireFloat("AveragePool", (x, "x"));
        var attrs = PoolAttributes("AveragePool", kernelShape, strides, pads, ceilMode);
        attrs.Add(Int("count_include_pad", countIncludePad ? 1 : 0));
        return Node("AveragePool", [x], x.ElementType, attrs);
    }

    /// <summary>Mean over all spatial axes keeping them as size 1 ([N,C,H,W] to [N,C,1,1]), ONNX <c>GlobalAveragePool</c>.</summary>
    public OnnxValue GlobalAveragePool(OnnxValue x) => Unary("GlobalAveragePool", x);

    // ---------------------------------------------------------------- serialization

    /// <summary>The serialized <c>ModelProto</c> (the bytes of an .onnx file).</summary>
    public byte[] ToBytes() => ToModel().ToByteArray();

    /// <summary>The model as protobuf message (a deep copy; later builder calls do not change it).</summary>
    internal ModelProto ToModel()
    {
        if (_graph.Input.Count == 0) throw new InvalidOperationException("The graph has no input; add one with AddInput.");
        if (!_hasOutput) throw new InvalidOperationException("The graph has no output; add one with AddOutput.");
        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = ProducerName,
            ProducerVersion = ProducerVersion,
            Graph = _graph.Clone(),
        };
        if (DocString is not null) model.DocString = DocString;
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        foreach (var (k, v) in _metadata) model.MetadataProps.Add(new StringStringEntryProto { Key = k, Value = v });
        return model;
    }

    // ---------------------------------------------------------------- helpers

    private static readonly OnnxValue Empty = new("", OnnxElementType.Float);

    /// <summary>A name not used yet in this graph: the hint itself, else hint_1, hint_2, ...</summary>
    private string UniqueName(string hint)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(hint);
        if (_names.Add(hint)) return hint;
        int k = _nextSuffix.GetValueOrDefault(hint, 1);
        string name;
        do name = $"{hint}_{k++}"; while (!_names.Add(name));
        _nextSuffix[hint] = k;
        return name;
    }

    private void Reserve(string name, string what)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!_names.Add(name)) throw new ArgumentException($"The {what} name '{name}' is already used in the graph.", nameof(name));
    }

    private OnnxValue Unary(string op, OnnxValue x)
    {
        RequireFloat(op, (x, "x"));
        return Node(op, [x], x.ElementType, []);
    }

    private OnnxValue Binary(string op, OnnxValue a, OnnxValue b)
    {
        RequireSameType(op, a, b);
        if (a.ElementType == OnnxElementType.Bool) throw new ArgumentException($"{op}: {a} is boolean; arithmetic needs numbers.", nameof(a));
        return Node(op, [a, b], a.ElementType, []);
    }

    private OnnxValue Node(string op, OnnxValue[] inputs, OnnxElementType outputType, IEnumerable<AttributeProto> attributes)
    {
        var output = UniqueName(op);
        Emit(op, inputs, [output], attributes);
        return new OnnxValue(output, outputType);
    }

    private void Emit(string op, OnnxValue[] inputs, string[] outputs, IEnumerable<AttributeProto> attributes)
    {
        var node = new NodeProto { OpType = op, Name = $"{op}_{_graph.Node.Count}" };
        foreach (var i in inputs)
        {
            if (i.Name is null) throw new ArgumentException($"{op}: an input is a default OnnxValue (no name).");
            if (i.Name.Length > 0 && !_names.Contains(i.Name)) throw new ArgumentException($"{op}: input '{i.Name}' is not a value of this graph.");
            node.Input.Add(i.Name);
        }
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
    }

    private List<AttributeProto> PoolAttributes(string op, long[] kernelShape, long[]? strides, long[]? pads, bool ceilMode)
    {
        ArgumentNullException.ThrowIfNull(kernelShape);
        if (kernelShape.Length == 0 || kernelShape.Any(k => k < 1)) throw new ArgumentException($"{op}: kernel_shape [{string.Join(",", kernelShape)}] must be positive.", nameof(kernelShape));
        var attrs = new List<AttributeProto> { Ints("kernel_shape", kernelShape), Int("ceil_mode", ceilMode ? 1 : 0) };
        if (strides is not null && strides.Length != kernelShape.Length) throw new ArgumentException($"{op}: strides need {kernelShape.Length} values.", nameof(strides));
        if (pads is not null && pads.Length != 2 * kernelShape.Length) throw new ArgumentException($"{op}: pads need {2 * kernelShape.Length} values (begin per axis, then end per axis).", nameof(pads));
        AddSpatial(attrs, op, strides, pads, null);
        return attrs;
    }

    private static void AddSpatial(List<AttributeProto> attrs, string op, long[]? strides, long[]? pads, long[]? dilations)
    {
        if (strides is not null) { RequirePositive(op, "strides", strides); attrs.Add(Ints("strides", strides)); }
        if (dilations is not null) { RequirePositive(op, "dilations", dilations); attrs.Add(Ints("dilations", dilations)); }
        if (pads is not null)
        {
            RequireNonNegative(op, "pads", pads);
            if (pads.Length % 2 != 0) throw new ArgumentException($"{op}: pads [{string.Join(",", pads)}] needs a begin and an end per axis.", nameof(pads));
            if (strides is not null && pads.Length != 2 * strides.Length) throw new ArgumentException($"{op}: {pads.Length} pads do not match {strides.Length} strides.", nameof(pads));
            attrs.Add(Ints("pads", pads));
        }
    }

    private static void RequirePositive(string op, string what, long[] values)
    {
        if (values.Length == 0 || values.Any(v => v < 1)) throw new ArgumentException($"{op}: {what} [{string.Join(",", values)}] must be positive.", what);
    }

    private static void RequireNonNegative(string op, string what, long[] values)
    {
        if (values.Any(v => v < 0)) throw new ArgumentException($"{op}: {what} [{string.Join(",", values)}] must not be negative.", what);
    }

    private static void RequireValue(OnnxValue v, string op, string param)
    {
        if (string.IsNullOrEmpty(v.Name)) throw new ArgumentException($"{op}: {param} is not a graph value.", param);
    }

    private static void RequireFloat(string op, params (OnnxValue Value, string Role)[] operands)
    {
        foreach (var (v, role) in operands)
        {
            RequireValue(v, op, role);
            if (v.ElementType is not (OnnxElementType.Float or OnnxElementType.Double))
                throw new ArgumentException($"{op}: {role} {v} must be float or double.", role);
        }
    }

    private static void RequireType(string op, OnnxValue v, string role, OnnxElementType type)
    {
        RequireValue(v, op, role);
        if (v.ElementType != type) throw new ArgumentException($"{op}: {role} {v} must be {type}.", role);
    }

    private static void RequireSameType(string op, OnnxValue a, OnnxValue b)
    {
        RequireValue(a, op, "a");
        RequireValue(b, op, "b");
        if (a.ElementType != b.ElementType) throw new ArgumentException($"{op}: operands {a} and {b} must have the same element type.", nameof(b));
    }

    private static bool IsInteger(OnnxElementType t) => t is OnnxElementType.UInt8 or OnnxElementType.Int8 or OnnxElementType.Int32
        or OnnxElementType.Int64 or OnnxElementType.UInt32 or OnnxElementType.UInt64;

    private static ValueInfoProto ValueInfo(string name, OnnxElementType type, long[] dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        if (!Enum.IsDefined(type)) throw new ArgumentOutOfRangeException(nameof(type), type, $"'{name}': unknown element type.");
        var shape = new TensorShapeProto();
        foreach (var d in dims)
        {
            if (d == Batch) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = BatchDimName });
            else if (d >= 0) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
            else throw new ArgumentException($"'{name}': dimension {d} is neither a size nor Batch ({Batch}).", nameof(dims));
        }
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } } };
    }

    private static AttributeProto Int(string name, long v) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = v };
    private static AttributeProto Float(string name, float v) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = v };
    private static AttributeProto Str(string name, string v) => new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(v) };

    private static AttributeProto Ints(string name, long[] v)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(v);
        return a;
    }
}
