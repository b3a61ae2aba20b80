namespace Ml.GanSdp.Onnx;

/// <summary>
/// The parts every exported generator graph shares around its network: the seed and label-key inputs as ML.NET
/// delivers them, class-table lookups that respect ML.NET's key encoding, the mapping of tanh output to a pixel
/// range, the NaN image of a missing label, and the two image outputs (per row for ML.NET, batched for ONNX Runtime).
/// </summary>
/// <remarks>
/// ML.NET's OnnxTransformer feeds one row per call and gives scalar columns rank 2, so inputs are declared [N, 1].
/// A key-typed label arrives as its raw uint32 value: 1-based, 0 for a value the key mapping had not seen ("missing").
/// The graph casts it to int64 and looks it up in class tables that carry an extra row 0, so that key k reads row k and
/// no index is ever -1 (ONNX Gather reads -1 as the last row: subtracting 1 would give a missing label the last class).
/// A missing label yields an image whose every pixel is NaN (<see cref="MaskMissingLabels"/>), which can never pass
/// for an image; a key larger than the class count fails in ONNX Runtime's Gather (index out of bounds).
/// </remarks>
public static class GeneratorGraph
{
    /// <summary>The suffix of the batched image output: output "Image" has a companion "Image_batch" [N, C, H, W].</summary>
    public const string BatchOutputSuffix = "_batch";

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
    /// Declares the generated image [N, C, H, W] twice: as <paramref name="outputName"/> with shape [C, H, W] (one row,
    /// for ML.NET's OnnxTransformer, whose column then has Dimensions C, H, W like ExtractPixels'; ML.NET would report a
    /// declared batch axis as an extra leading 1) and as <paramref name="outputName"/> + <see cref="BatchOutputSuffix"/>
    /// with shape [N, C, H, W] for batched generation with ONNX Runtime. ONNX Runtime computes only requested outputs;
    /// requesting the per-row one for more than one row fails in its Reshape.
    /// </summary>
    public static void AddImageOutputs(this OnnxGraphBuilder graph, OnnxValue image, string outputName, int channels, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputName);
        if (channels < 1 || height < 1 || width < 1)
            throw new ArgumentException($"AddImageOutputs: image dimensions [{channels}, {height}, {width}] must be positive.", nameof(channels));
        graph.AddOutput(graph.Reshape(image, channels, height, width), outputName, channels, height, width);
        graph.AddOutput(image, outputName + BatchOutputSuffix, OnnxGraphBuilder.Batch, channels, height, width);
    }
}
