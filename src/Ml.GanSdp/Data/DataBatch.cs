using static Ml.GanSdp.torch;

namespace Ml.GanSdp.Data;

/// <summary>
/// A batch of rows of a data view: per column either one tensor whose first dimension is the row
/// (<see cref="GetTensor"/>), the rows' tensors (<see cref="GetTensorRows"/>, for images of varying size) or
/// strings (<see cref="GetText"/>). The batch owns every tensor it holds and frees them on <see cref="Dispose"/>;
/// tensors returned by its getters stay owned by the batch (clone one to keep it longer).
/// </summary>
public sealed class DataBatch : IDisposable
{
    private readonly Dictionary<string, Tensor> _stacked = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Tensor[]> _rows = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string[]> _text = new(StringComparer.Ordinal);
    private readonly long[] _rowIds;
    private bool _disposed;

    /// <summary>An empty batch of <paramref name="rowIds"/> (the source rows, in batch order) with <paramref name="schema"/>; fill it with the setters.</summary>
    public DataBatch(DataViewSchema schema, IReadOnlyList<long> rowIds)
    {
        Schema = schema ?? throw new ArgumentNullException(nameof(schema));
        _rowIds = (rowIds ?? throw new ArgumentNullException(nameof(rowIds))).ToArray();
    }

    /// <summary>The columns of this batch.</summary>
    public DataViewSchema Schema { get; private set; }

    /// <summary>Number of rows.</summary>
    public int Count => _rowIds.Length;

    /// <summary>The index of each row in the source view (before shuffling), in batch order.</summary>
    public IReadOnlyList<long> RowIds => _rowIds;

    /// <summary>
    /// The column as one tensor N x ...; an image column of varying size is stacked on first use when its rows
    /// agree in shape.
    /// </summary>
    /// <exception cref="SchemaException">No such column, or a text column.</exception>
    /// <exception cref="InvalidOperationException">The rows differ in shape (resize them first).</exception>
    public Tensor GetTensor(string column)
    {
        ThrowIfDisposed();
        var c = CheckColumn(column, tensor: true);
        if (_stacked.TryGetValue(c.Name, out var t)) return t;
        if (_rows.TryGetValue(c.Name, out var rows))
        {
            var shapes = rows.Select(r => string.Join("x", r.shape)).Distinct().ToArray();
            if (shapes.Length > 1)
                throw new InvalidOperationException($"Column '{c.Name}' holds rows of different shapes ({string.Join(", ", shapes.Take(5))}{(shapes.Length > 5 ? ", ..." : "")}) that cannot be stacked; resize them first (ResizeImagesTransform).");
            var s = stack(rows).DetachFromDisposeScope();
            _stacked[c.Name] = s;
            return s;
        }
        throw Missing(c.Name);
    }

    /// <summary>The column's per-row tensors (views into a stacked tensor when it was set stacked).</summary>
    public IReadOnlyList<Tensor> GetTensorRows(string column)
    {
        ThrowIfDisposed();
        var c = CheckColumn(column, tensor: true);
        if (_rows.TryGetValue(c.Name, out var rows)) return rows;
        if (_stacked.TryGetValue(c.Name, out var t))
        {
            var views = new Tensor[Count];
            for (int i = 0; i < views.Length; i++) views[i] = t.select(0, i).DetachFromDisposeScope();
            _rows[c.Name] = views;
            return views;
        }
        throw Missing(c.Name);
    }

    /// <summary>The strings of a text column.</summary>
    public IReadOnlyList<string> GetText(string column)
    {
        ThrowIfDisposed();
        var c = CheckColumn(column, tensor: false);
        return _text.TryGetValue(c.Name, out var v) ? v : throw Missing(c.Name);
    }

    /// <summary>Whether the batch holds a value for <paramref name="column"/>.</summary>
    public bool HasValue(string column) => _stacked.ContainsKey(column) || _rows.ContainsKey(column) || _text.ContainsKey(column);

    /// <summary>Sets (or replaces, freeing the old value) a column as one N x ... tensor; the batch takes ownership.</summary>
    public void SetTensor(string column, Tensor value)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(value);
        var s = value.shape;
        if (s.Length == 0 || s[0] != Count)
            throw new ArgumentException($"Column '{column}' needs a tensor whose first dimension is the batch size {Count}; got shape [{string.Join(", ", s)}].", nameof(value));
        Clear(column);
        _stacked[column] = value.DetachFromDisposeScope();
    }

    /// <summary>Sets (or replaces) a column as one tensor per row; the batch takes ownership of them.</summary>
    public void SetTensorRows(string column, IReadOnlyList<Tensor> rows)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count != Count) throw new ArgumentException($"Column '{column}' needs {Count} rows; got {rows.Count}.", nameof(rows));
        Clear(column);
        var copy = rows.ToArray();
        foreach (var r in copy) r.DetachFromDisposeScope();
        _rows[column] = copy;
    }

    /// <summary>Sets (or replaces) a text column.</summary>
    public void SetText(string column, IReadOnlyList<string> values)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count != Count) throw new ArgumentException($"Column '{column}' needs {Count} strings; got {values.Count}.", nameof(values));
        Clear(column);
        _text[column] = values.ToArray();
    }

    /// <summary>
    /// Moves the batch to <paramref name="schema"/> (what a transform does after setting its output column):
    /// values of columns not in it are freed, and every column of it must have a value.
    /// </summary>
    public void Rebind(DataViewSchema schema)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(schema);
        foreach (var c in schema)
            if (!HasValue(c.Name)) throw new SchemaException(c.Name, $"The batch has no value for column '{c.Name}' of the new schema ({schema.Describe()}).");
        foreach (var name in _stacked.Keys.Concat(_rows.Keys).Concat(_text.Keys).Distinct().ToArray())
            if (!schema.HasColumn(name)) Clear(name);
        Schema = schema;
    }

    /// <summary>Frees every tensor of the batch.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var t in _stacked.Values) t.Dispose();
        foreach (var rows in _rows.Values) foreach (var t in rows) t.Dispose();
        _stacked.Clear();
        _rows.Clear();
        _text.Clear();
    }

    private void Clear(string column)
    {
        if (_stacked.Remove(column, out var t)) t.Dispose();
        if (_rows.Remove(column, out var rows)) foreach (var r in rows) r.Dispose();
        _text.Remove(column);
    }

    private DataViewSchema.Column CheckColumn(string column, bool tensor)
    {
        var c = Schema.GetColumn(column);
        if (c.Type.IsTensor != tensor)
            throw new SchemaException(column, $"Column '{column}' has type {c.Type}; read it with {(c.Type.IsTensor ? "GetTensor/GetTensorRows" : "GetText")}. The schema has {Schema.Describe()}.");
        return c;
    }

    private static InvalidOperationException Missing(string column) => new($"The batch holds no value for column '{column}'.");

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
