using Google.Protobuf;
using Ml.GanSdp.Onnx.Protobuf;

namespace Ml.GanSdp.Onnx;

/// <summary>
/// The parts every exported generator graph shares around its network: the seed and label-key inputs as ML.NET
/// delivers them, class-table lookups that respect ML.NET's key encoding, the mapping of tanh output to a pixel
/// range, the NaN image of a missing label, the image output, and the one-row view ML.NET's OnnxTransformer needs.
/// </summary>
/// <remarks>
/// Generator graphs are batched: inputs [N, 1], image output [N, C, H, W], for ONNX Runtime on any number of rows.
/// ML.NET's OnnxTransformer feeds one row per call (scalar columns with rank 2, [1, 1]); <see cref="ToSingleRowModel"/>
/// derives the view it runs.
/// A key-typed label arrives as its raw uint32 value: 1-based, 0 for a value the key mapping had not seen ("missing").
/// The graph casts it to int64 and looks it up in class tables that carry an extra row 0, so that key k reads row k and
/// no index is ever -1 (ONNX Gather reads -1 as the last row: subtracting 1 would give a missing label the last class).
/// A missing label yields an image whose every pixel is NaN (<see cref="MaskMissingLabels"/>), which can never pass
/// for an image; a key larger than the class count fails in ONNX Runtime's Gather (index out of bounds).
/// </remarks>
public static class GeneratorGraph
{
    /// <summary>Declares the seed input: int64 [N, 1] named like the ML.NET seed column.</summary>
    public static OnnxValue AddSeedInput(this OnnxGraphBuilder graph, string columnName)
        => graph.AddInput(columnName, OnnxElementType.Int64, OnnxGraphBuilder.Batch, 1);

    /// <summary>
    /// Declares the label input as ML.NET's key column arrives (uint32 [N, 1], 1-based, 0 = missing) and returns the
    /// key as int64 [N, 1], ready for <see cref="GatherClassRows"/> and <see cref="MaskMissingLabels"/>.
    /// </summary>
    public static OnnxValue AddLabelKeyInput(this OnnxGraphBuilder graph, string columnName)
        => graph.Cast(graph.AddInput(columnName, OnnxElementType.UInt32, OnnxGraphBuilder.Batch, 1), OnnxElementType.Int64);

    /// <summary>
    /// Row <c>key</c> of a per-class table for each row: <paramref name="table"/> holds <paramref name="classCount"/>
    /// rows of width w (row c - 1 belongs to key c, row-major); the graph stores it with a zero row 0 in front
    /// ([classCount + 1, w]) and gathers at the raw key (int64 [N, 1]), giving [N, w]. Key 0 (missing) reads the zero row;
    /// mask the image with <see cref="MaskMissingLabels"/>. Embeddings, one-hot codes (an identity table) and conditional
    /// batch-norm gains and biases are all such tables.
    /// </summary>
    public static OnnxValue GatherClassRows(this OnnxGraphBuilder graph, string nameHint, ReadOnlySpan<float> table, int classCount, OnnxValue key)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        if (key.ElementType != OnnxElementType.Int64)
            throw new ArgumentException($"GatherClassRows: the key {key} must be int64 [N, 1] (use AddLabelKeyInput).", nameof(key));
        if (table.Length == 0 || table.Length % classCount != 0)
            throw new ArgumentException($"GatherClassRows '{nameHint}': {table.Length} values are not {classCount} rows of equal width.", nameof(table));
        int width = table.Length / classCount;
        var padded = new float[table.Length + width];
        table.CopyTo(padded.AsSpan(width));
        var stored = graph.AddInitializer(nameHint, padded, classCount + 1, width);
        return graph.Reshape(graph.Gather(stored, key, axis: 0), 0, width);
    }

    /// <summary>
    /// Maps tanh output in [-1, 1] linearly onto the pixel range [<paramref name="min"/>, <paramref name="max"/>]:
    /// y = x (max - min) / 2 + (max + min) / 2 (one Mul and one Add in float32; 0..255 gives 127.5 x + 127.5).
    /// </summary>
    public static OnnxValue ScaleTanhToRange(this OnnxGraphBuilder graph, OnnxValue x, float min, float max)
    {
        ArgumentNullException.ThrowIfNull(graph);
        if (!float.IsFinite(min) || !float.IsFinite(max) || !(min < max))
            throw new ArgumentException($"ScaleTanhToRange: the pixel range [{min}, {max}] must be finite with min < max.", nameof(min));
        float half = (float)(((double)max - min) / 2), mid = (float)(((double)max + min) / 2);
        return graph.Add(graph.Mul(x, graph.Scalar(half, "pixel_half_range")), graph.Scalar(mid, "pixel_mid"));
    }

    /// <summary>
    /// Replaces every pixel of the rows whose label key is 0 (missing) by NaN: <paramref name="image"/> is float
    /// [N, ...rank r], <paramref name="key"/> int64 [N, 1]; the mask is reshaped to [N, 1, ..., 1] (rank r).
    /// </summary>
    public static OnnxValue MaskMissingLabels(this OnnxGraphBuilder graph, OnnxValue image, OnnxValue key, int imageRank = 4)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentOutOfRangeException.ThrowIfLessThan(imageRank, 2);
        if (key.ElementType != OnnxElementType.Int64)
            throw new ArgumentException($"MaskMissingLabels: the key {key} must be int64 [N, 1].", nameof(key));
        var missing = graph.Equal(key, graph.Scalar(0L, "missing_key"));
        var shape = new long[imageRank];
        Array.Fill(shape, 1L);
        shape[0] = 0;
        return graph.Where(graph.Reshape(missing, shape), graph.Scalar(float.NaN, "missing_label_pixel"), image);
    }

    /// <summary>
    /// Declares the generated image (float [N, C, H, W]) as graph output <paramref name="outputName"/> with that shape.
    /// </summary>
    public static OnnxValue AddImageOutput(this OnnxGraphBuilder graph, OnnxValue image, string outputName, int channels, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputName);
        if (channels < 1 || height < 1 || width < 1)
            throw new ArgumentException($"AddImageOutput: image dimensions [{channels}, {height}, {width}] must be positive.", nameof(channels));
        return graph.AddOutput(image, outputName, OnnxGraphBuilder.Batch, channels, height, width);
    }

    /// <summary>
    /// The one-row view of a batched generator model, for ML.NET's OnnxTransformer: every graph input's batch dimension
    /// becomes 1, and output <paramref name="outputName"/> (float [N, C, H, W]) is reshaped to [C, H, W] (the original
    /// value is renamed <c>outputName_batched</c>); other outputs are dropped. ML.NET feeds one row per call and turns a
    /// symbolic leading dimension into an extra 1, so only this view gives the column Dimensions [C, H, W] like
    /// ExtractPixels'. The network itself is unchanged, so a row's image is bit-identical to that row of the batched model.
    /// </summary>
    public static byte[] ToSingleRowModel(byte[] batchedModel, string outputName)
    {
        ArgumentNullException.ThrowIfNull(batchedModel);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputName);
        ModelProto model;
        try { model = ModelProto.Parser.ParseFrom(batchedModel); }
        catch (Google.Protobuf.InvalidProtocolBufferException e) { throw new ArgumentException($"The generator bytes are not an ONNX model: {e.Message}", nameof(batchedModel), e); }
        var graph = model.Graph ?? throw new ArgumentException("The ONNX model has no graph.", nameof(batchedModel));

        var output = graph.Output.FirstOrDefault(o => o.Name == outputName)
            ?? throw new ArgumentException($"The ONNX model has no output '{outputName}'; it has {string.Join(", ", graph.Output.Select(o => $"'{o.Name}'"))}.", nameof(outputName));
        var dims = output.Type?.TensorType?.Shape?.Dim;
        if (output.Type?.TensorType is not { ElemType: (int)OnnxElementType.Float } || dims is null || dims.Count != 4
            || dims.Skip(1).Any(d => d.ValueCase != TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue || d.DimValue < 1))
            throw new ArgumentException($"The ONNX model's output '{outputName}' must be float [N, C, H, W] with known C, H, W.", nameof(outputName));
        long[] chw = [dims[1].DimValue, dims[2].DimValue, dims[3].DimValue];

        var initializers = graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var input in graph.Input.Where(i => !initializers.Contains(i.Name)))
        {
            var d = input.Type?.TensorType?.Shape?.Dim;
            if (d is null || d.Count == 0) throw new ArgumentException($"The ONNX model's input '{input.Name}' has no shape; a batched generator declares [N, ...].", nameof(batchedModel));
            d[0] = new TensorShapeProto.Types.Dimension { DimValue = 1 };
        }

        var used = graph.Node.SelectMany(n => n.Input.Concat(n.Output)).Concat(graph.Input.Select(i => i.Name)).Concat(initializers).ToHashSet(StringComparer.Ordinal);
        string batched = Unique(used, outputName + "_batched"), shapeName = Unique(used, outputName + "_chw");
        foreach (var node in graph.Node)
        {
            for (int i = 0; i < node.Input.Count; i++) if (node.Input[i] == outputName) node.Input[i] = batched;
            for (int i = 0; i < node.Output.Count; i++) if (node.Output[i] == outputName) node.Output[i] = batched;
        }
        foreach (var vi in graph.ValueInfo.Where(v => v.Name == outputName)) vi.Name = batched;
        var shape = new TensorProto { Name = shapeName, DataType = (int)OnnxElementType.Int64 };
        shape.Dims.Add(3);
        shape.Int64Data.AddRange(chw);
        graph.Initializer.Add(shape);
        graph.Node.Add(new NodeProto { OpType = "Reshape", Name = Unique(used, "SingleRow_Reshape"), Input = { batched, shapeName }, Output = { outputName } });
        dims.RemoveAt(0);
        graph.Output.Clear();
        graph.Output.Add(output);
        return model.ToByteArray();
    }

    private static string Unique(HashSet<string> used, string name)
    {
        var candidate = name;
        for (int k = 1; !used.Add(candidate); k++) candidate = $"{name}_{k}";
        return candidate;
    }
}
