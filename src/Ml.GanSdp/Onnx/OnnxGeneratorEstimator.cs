using Google.Protobuf;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Onnx;
using Ml.GanSdp.Onnx.Protobuf;

namespace Ml.GanSdp.Onnx;

/// <summary>
/// Puts a generator exported to ONNX into an ML.NET pipeline as ML.NET's own <see cref="OnnxTransformer"/>, so that
/// <c>mlContext.Model.Save</c>/<c>Load</c> work with public API only (the zip holds the ONNX bytes) and inference needs
/// no TorchSharp. Each row's image is a function of its seed column (Int64) and, for a conditional generator, its label
/// key (see <see cref="GeneratorGraph"/> for the graph's conventions and <see cref="SeededLatent"/> for the seed).
/// </summary>
/// <remarks>
/// <para>Fitting reads no data: the fitted transformer is created once, when the estimator is built, and every
/// <see cref="Fit"/> returns that same transformer (after checking the input schema); <see cref="GetOutputSchema"/>
/// delegates to the same cached ML.NET estimator, so no ONNX Runtime session or model copy is made per call.</para>
/// <para>The generator model is batched (inputs [N, 1], output [N, C, H, W], see <see cref="GeneratorGraph"/>); ML.NET
/// runs its one-row view (<see cref="GeneratorGraph.ToSingleRowModel"/>), so the column's Dimensions are [C, H, W].</para>
/// <para>Files: ML.NET's OnnxTransformer reads its model from a file while it lives (and again at each Save). The
/// estimator writes the one-row model once into a folder of its own (under <see cref="OnnxGeneratorOptions.TempFolder"/>) and
/// passes that path to ML.NET; <see cref="Dispose"/> disposes the transformer (its ONNX Runtime session) and deletes the
/// folder, and a process-exit hook deletes the folders of estimators never disposed. The transformer is unusable after
/// Dispose. Models loaded with <c>mlContext.Model.Load</c> write their own copy into that context's
/// <c>TempFilePath</c>, which ML.NET deletes when the loaded model is disposed.</para>
/// <para>Thread safety: <see cref="Fit"/> and <see cref="GetOutputSchema"/> may be called concurrently; the fitted
/// transformer may transform from several threads at once (ONNX Runtime sessions are thread-safe);
/// <see cref="Dispose"/> must not race with them.</para>
/// </remarks>
public sealed class OnnxGeneratorEstimator : IEstimator<OnnxTransformer>, IDisposable
{
    /// <summary>The model file's name inside the estimator's folder.</summary>
    public const string ModelFileName = "generator.onnx";

    private readonly object _gate = new();
    private readonly OnnxScoringEstimator _inner;
    private readonly OnnxTransformer _transformer;
    private readonly OnnxModelFolder _folder;
    private bool _disposed;

    internal OnnxGeneratorEstimator(TransformsCatalog catalog, byte[] onnxModel, OnnxGeneratorOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(onnxModel);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        options = options with { ImageDimensions = [.. options.ImageDimensions] };
        CheckModelSignature(onnxModel, options);
        Options = options;

        _folder = new OnnxModelFolder(options.TempFolder, ModelFileName, GeneratorGraph.ToSingleRowModel(onnxModel, options.OutputColumnName));
        try
        {
            _inner = catalog.ApplyOnnxModel(OnnxRuntimeThreads.SessionOptions(ModelPath, InputColumns(options), [options.OutputColumnName]));
            _transformer = _inner.Fit(new EmptyDataView(RequiredInputSchema(options)));
        }
        catch
        {
            _folder.Dispose();
            throw;
        }
    }

    /// <summary>The fitted transformer (created once; what every <see cref="Fit"/> returns), without a schema check.</summary>
    internal OnnxTransformer Transformer
    {
        get
        {
            ThrowIfDisposed();
            return _transformer;
        }
    }

    /// <summary>The column binding this estimator was made with.</summary>
    public OnnxGeneratorOptions Options { get; }

    /// <summary>The estimator's own folder (deleted on <see cref="Dispose"/>).</summary>
    public string ModelFolder => _folder.Folder;

    /// <summary>The ONNX file that ML.NET's OnnxTransformer reads: the one-row view (<see cref="GeneratorGraph.ToSingleRowModel"/>) of the generator.</summary>
    public string ModelPath => _folder.ModelPath;

    /// <summary>
    /// The output schema shape: the input's columns plus the image column (a known-size Single vector).
    /// Throws <see cref="ArgumentOutOfRangeException"/> naming a missing or mistyped seed or label column.
    /// </summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        ThrowIfDisposed();
        CheckInput(inputSchema);
        return _inner.GetOutputSchema(inputSchema);
    }

    /// <summary>
    /// Returns the fitted ML.NET <see cref="OnnxTransformer"/> (always the same instance; fitting reads no rows) after
    /// checking <paramref name="input"/>'s schema: the seed column Int64, the label column a key over <see cref="OnnxGeneratorOptions.ClassCount"/> classes.
    /// </summary>
    public OnnxTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        ThrowIfDisposed();
        CheckInput(input.Schema);
        return _inner.Fit(input);
    }

    /// <summary>Disposes the fitted transformer (ONNX Runtime session and model file handle) and deletes <see cref="ModelFolder"/>.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            _transformer.Dispose();
            _folder.Dispose();
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    private static string[] InputColumns(OnnxGeneratorOptions o)
        => o.LabelColumnName is null ? [o.SeedColumnName] : [o.SeedColumnName, o.LabelColumnName];

    private static DataViewSchema RequiredInputSchema(OnnxGeneratorOptions o)
    {
        var b = new DataViewSchema.Builder();
        b.AddColumn(o.SeedColumnName, NumberDataViewType.Int64);
        if (o.LabelColumnName is not null) b.AddColumn(o.LabelColumnName, new KeyDataViewType(typeof(uint), o.ClassCount));
        return b.ToSchema();
    }

    // ---------------------------------------------------------------- schema checks

    private void CheckInput(DataViewSchema schema)
    {
        var o = Options;
        var seed = schema.GetColumnOrNull(o.SeedColumnName)
            ?? throw MissingColumn(o.SeedColumnName, "seed", "Int64", schema.Select(c => c.Name));
        if (seed.Type != NumberDataViewType.Int64)
            throw WrongType(o.SeedColumnName, "seed", seed.Type.ToString() ?? "?", "a scalar Int64 (one seed per row)");
        if (o.LabelColumnName is null) return;
        var label = schema.GetColumnOrNull(o.LabelColumnName)
            ?? throw MissingColumn(o.LabelColumnName, "label", $"Key<UInt32, 0-{o.ClassCount - 1}>", schema.Select(c => c.Name));
        if (label.Type is not KeyDataViewType key || key.RawType != typeof(uint) || key.Count != (ulong)o.ClassCount)
            throw WrongType(o.LabelColumnName, "label", label.Type.ToString() ?? "?",
                $"a key of UInt32 over the generator's {o.ClassCount} classes (Key<UInt32, 0-{o.ClassCount - 1}>, e.g. from MapValueToKey over the training labels)");
    }

    private void CheckInput(SchemaShape shape)
    {
        var o = Options;
        if (Find(shape, o.SeedColumnName) is not { } seed)
            throw MissingColumn(o.SeedColumnName, "seed", "Int64", shape.Select(c => c.Name));
        if (seed.Kind != SchemaShape.Column.VectorKind.Scalar || seed.IsKey || seed.ItemType != NumberDataViewType.Int64)
            throw WrongType(o.SeedColumnName, "seed", Describe(seed), "a scalar Int64 (one seed per row)");
        if (o.LabelColumnName is null) return;
        if (Find(shape, o.LabelColumnName) is not { } label)
            throw MissingColumn(o.LabelColumnName, "label", $"Key<UInt32, 0-{o.ClassCount - 1}>", shape.Select(c => c.Name));
        if (label.Kind != SchemaShape.Column.VectorKind.Scalar || !label.IsKey || label.ItemType.RawType != typeof(uint))
            throw WrongType(o.LabelColumnName, "label", Describe(label), $"a scalar key of UInt32 over the generator's {o.ClassCount} classes");
    }

    private static SchemaShape.Column? Find(SchemaShape shape, string name)
    {
        foreach (var c in shape)
            if (c.Name == name) return c;
        return null;
    }

    private static string Describe(SchemaShape.Column c)
        => $"{(c.Kind == SchemaShape.Column.VectorKind.Scalar ? "" : c.Kind + " of ")}{(c.IsKey ? "key of " : "")}{c.ItemType}";

    private static ArgumentOutOfRangeException MissingColumn(string name, string role, string type, IEnumerable<string> present)
        => new("inputSchema", $"The generator's {role} column '{name}' ({type}) is not in the input; its columns are: {string.Join(", ", present.Distinct().Select(n => $"'{n}'"))}.");

    private static ArgumentOutOfRangeException WrongType(string name, string role, string actual, string needed)
        => new("inputSchema", $"The generator's {role} column '{name}' is {actual}; it must be {needed}.");

    /// <summary>
    /// Checks that <paramref name="bytes"/> is an ONNX model whose inputs are exactly the seed (int64 [N, 1]) and, when
    /// conditional, the label (uint32 [N, 1]), and whose output <see cref="OnnxGeneratorOptions.OutputColumnName"/> is float [N, C, H, W].
    /// </summary>
    internal static void CheckModelSignature(byte[] bytes, OnnxGeneratorOptions o)
    {
        ModelProto model;
        try { model = ModelProto.Parser.ParseFrom(bytes); }
        catch (InvalidProtocolBufferException e) { throw new ArgumentException($"The generator bytes are not an ONNX model: {e.Message}", "onnxModel", e); }
        if (model.Graph is null) throw new ArgumentException("The ONNX model has no graph.", "onnxModel");

        var inputs = model.Graph.Input.Where(i => model.Graph.Initializer.All(t => t.Name != i.Name)).ToDictionary(i => i.Name, StringComparer.Ordinal);
        var expected = InputColumns(o);
        var extra = inputs.Keys.Except(expected).ToArray();
        if (extra.Length > 0)
            throw new ArgumentException($"The ONNX model has inputs {string.Join(", ", extra.Select(n => $"'{n}'"))} that are not the seed ('{o.SeedColumnName}') or label column{(o.LabelColumnName is null ? " (none configured)" : $" ('{o.LabelColumnName}')")}.", "onnxModel");
        CheckTensor(inputs, o.SeedColumnName, "input", OnnxElementType.Int64, [-1, 1]);
        if (o.LabelColumnName is not null) CheckTensor(inputs, o.LabelColumnName, "input", OnnxElementType.UInt32, [-1, 1]);
        var outputs = model.Graph.Output.ToDictionary(v => v.Name, StringComparer.Ordinal);
        CheckTensor(outputs, o.OutputColumnName, "output", OnnxElementType.Float, [-1, .. o.ImageDimensions.Select(d => (long)d)]);
    }

    /// <summary>Checks value <paramref name="name"/>'s type; -1 in <paramref name="dims"/> accepts a symbolic dimension (the batch).</summary>
    private static void CheckTensor(Dictionary<string, ValueInfoProto> values, string name, string what, OnnxElementType type, long[] dims)
    {
        string needed = $"{type.ToString().ToLowerInvariant()} [{string.Join(", ", dims.Select(d => d < 0 ? OnnxGraphBuilder.BatchDimName : d.ToString()))}]";
        if (!values.TryGetValue(name, out var v))
            throw new ArgumentException($"The ONNX model has no {what} '{name}' ({needed}); it has {string.Join(", ", values.Keys.Select(k => $"'{k}'"))}.", "onnxModel");
        var t = v.Type?.TensorType;
        var shape = t?.Shape?.Dim;
        bool ok = t is not null && t.ElemType == (int)type && shape is not null && shape.Count == dims.Length;
        for (int i = 0; ok && i < dims.Length; i++)
            ok = dims[i] < 0 ? shape![i].ValueCase != TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue || shape[i].DimValue < 1 : shape![i].DimValue == dims[i];
        if (!ok)
        {
            string actual = t is null ? "not a tensor"
                : $"{(Enum.IsDefined((OnnxElementType)t.ElemType) ? ((OnnxElementType)t.ElemType).ToString().ToLowerInvariant() : "type " + t.ElemType)} [{string.Join(", ", shape?.Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue ? d.DimValue.ToString() : d.DimParam) ?? [])}]";
            throw new ArgumentException($"The ONNX model's {what} '{name}' is {actual}; it must be {needed}.", "onnxModel");
        }
    }

    /// <summary>A row-less data view with a given schema: lets the cached ML.NET estimator create its transformer up front.</summary>
    private sealed class EmptyDataView(DataViewSchema schema) : IDataView
    {
        public bool CanShuffle => false;
        public DataViewSchema Schema { get; } = schema;
        public long? GetRowCount() => 0;
        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(Schema);
        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => [new Cursor(Schema)];

        private sealed class Cursor(DataViewSchema schema) : DataViewRowCursor
        {
            public override DataViewSchema Schema { get; } = schema;
            public override long Position => -1;
            public override long Batch => 0;
            public override bool MoveNext() => false;
            public override bool IsColumnActive(DataViewSchema.Column column) => false;
            public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => throw new InvalidOperationException("The data view has no rows.");
            public override ValueGetter<DataViewRowId> GetIdGetter() => throw new InvalidOperationException("The data view has no rows.");
        }
    }
}
