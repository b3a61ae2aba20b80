using Ml.GanSdp.Imaging;
using static Ml.GanSdp.torch;

namespace Ml.GanSdp.Data;

/// <summary>
/// A data view over tensors and strings held in memory (ML.NET's <c>LoadFromEnumerable</c>). It owns copies of
/// the tensors it was built from; dispose it to free them. Build it with <see cref="InMemoryDataViewBuilder"/>
/// or <see cref="LoadFromEnumerable{TRow}"/>.
/// </summary>
public sealed class InMemoryDataView : RandomAccessDataView, IDisposable
{
    private readonly Dictionary<string, Tensor> _tensors;
    private readonly Dictionary<string, string[]> _text;
    private readonly long _rows;
    private bool _disposed;

    internal InMemoryDataView(DataViewSchema schema, Dictionary<string, Tensor> tensors, Dictionary<string, string[]> text, long rows)
    {
        Schema = schema;
        _tensors = tensors;
        _text = text;
        _rows = rows;
    }

    /// <inheritdoc/>
    public override DataViewSchema Schema { get; }

    /// <inheritdoc/>
    protected override long SourceRowCount => _rows;

    /// <inheritdoc/>
    protected override DataBatch ReadRows(long[] rows)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var batch = new DataBatch(Schema, rows);
        try
        {
            using var index = Vectors.Of(rows);
            foreach (var (name, t) in _tensors) batch.SetTensor(name, t.index_select(0, index));
            foreach (var (name, v) in _text) batch.SetText(name, rows.Select(r => v[r]).ToArray());
            return batch;
        }
        catch
        {
            batch.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads <paramref name="rows"/> once into a view, one column per public readable property (ML.NET's
    /// <c>LoadFromEnumerable</c>): <see cref="torch.Tensor"/> (an image column when uint8 C x H x W with C 1 or 3, else a
    /// tensor column; every row the same shape), string (text), float/double/int/long/byte (numbers), or an
    /// integer with <see cref="KeyTypeAttribute"/> (a key). <see cref="ColumnNameAttribute"/> renames a column.
    /// The row tensors are copied; the caller keeps owning them.
    /// </summary>
    /// <exception cref="ArgumentException">No rows, an unsupported property type, or rows whose tensors differ in shape (the message names the column and row).</exception>
    public static InMemoryDataView LoadFromEnumerable<TRow>(IEnumerable<TRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var list = rows.ToList();
        if (list.Count == 0) throw new ArgumentException($"LoadFromEnumerable<{typeof(TRow).Name}> got no rows.", nameof(rows));
        var builder = new InMemoryDataViewBuilder();
        foreach (var p in typeof(TRow).GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance).Where(p => p.CanRead && p.GetIndexParameters().Length == 0))
        {
            var name = (p.GetCustomAttributes(typeof(ColumnNameAttribute), true).FirstOrDefault() as ColumnNameAttribute)?.Name ?? p.Name;
            var key = p.GetCustomAttributes(typeof(KeyTypeAttribute), true).FirstOrDefault() as KeyTypeAttribute;
            var values = list.Select(r => p.GetValue(r)).ToArray();
            var type = p.PropertyType;
            if (type == typeof(string))
                builder.AddText(name, values.Select((v, i) => (string?)v ?? throw new ArgumentException($"Column '{name}' is null in row {i}.", nameof(rows))).ToArray());
            else if (type == typeof(Tensor))
                AddTensorRows(builder, name, values, nameof(rows));
            else if (key is not null)
            {
                if (type != typeof(int) && type != typeof(long) && type != typeof(uint) && type != typeof(byte))
                    throw new ArgumentException($"Column '{name}' has [KeyType] but type {type.Name}; keys are int, long, uint or byte.", nameof(rows));
                var keys = values.Select(v => Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
                using var t = Vectors.Of(keys);
                builder.AddKey(name, t, key.ClassNames ?? Enumerable.Range(0, checked((int)key.Count)).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray());
            }
            else
            {
                using var t = type switch
                {
                    _ when type == typeof(float) => Vectors.Of(values.Cast<float>().ToArray()),
                    _ when type == typeof(double) => Vectors.Of(values.Cast<double>().ToArray()),
                    _ when type == typeof(int) => Vectors.Of(values.Cast<int>().ToArray()),
                    _ when type == typeof(long) => Vectors.Of(values.Cast<long>().ToArray()),
                    _ when type == typeof(byte) => Vectors.Of(values.Cast<byte>().ToArray()),
                    _ => throw new ArgumentException($"Column '{name}' has type {type.Name}; LoadFromEnumerable supports Tensor, string, float, double, int, long, byte.", nameof(rows)),
                };
                builder.AddNumbers(name, t);
            }
        }
        return builder.Build();
    }

    private static void AddTensorRows(InMemoryDataViewBuilder builder, string name, object?[] values, string param)
    {
        var tensors = new Tensor[values.Length];
        for (int i = 0; i < values.Length; i++)
            tensors[i] = values[i] as Tensor ?? throw new ArgumentException($"Column '{name}' is null in row {i}.", param);
        var first = tensors[0].shape;
        for (int i = 1; i < tensors.Length; i++)
            if (!tensors[i].shape.SequenceEqual(first) || tensors[i].dtype != tensors[0].dtype)
                throw new ArgumentException($"Column '{name}' row {i} is {tensors[i].dtype} [{string.Join(", ", tensors[i].shape)}] but row 0 is {tensors[0].dtype} [{string.Join(", ", first)}]; every row must have the same shape and dtype.", param);
        using var stacked = stack(tensors);
        if (tensors[0].dtype == ScalarType.Byte && first.Length == 3 && first[0] is 1 or 3) builder.AddImages(name, stacked);
        else builder.AddTensor(name, stacked);
    }

    /// <summary>Frees the tensors.</summary>
    public void Dispose()
    {
        _disposed = true;
        foreach (var t in _tensors.Values) t.Dispose();
        _tensors.Clear();
    }
}

/// <summary>Builds an <see cref="InMemoryDataView"/> column by column (copying each tensor as it is added); every column must have the same number of rows.</summary>
public sealed class InMemoryDataViewBuilder
{
    private readonly List<(string, DataViewType, IReadOnlyList<string>?)> _columns = new();
    private readonly List<(string Name, Tensor Value)> _tensors = new();
    private readonly Dictionary<string, string[]> _text = new(StringComparer.Ordinal);
    private long _rows = -1;

    /// <summary>Adds an image column from N x C x H x W pixels: uint8, or float32 in <paramref name="range"/>.</summary>
    public InMemoryDataViewBuilder AddImages(string name, Tensor images, PixelRange? range = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        var s = images.shape;
        bool isFloat = images.dtype == ScalarType.Float32;
        if (s.Length != 4 || s[1] is not (1 or 3) || !(images.dtype == ScalarType.Byte || isFloat) || isFloat != range.HasValue)
            throw new ArgumentException($"Image column '{name}' needs N x C x H x W uint8 (no range) or float32 (with a PixelRange), C = 1 or 3; got {images.dtype} [{string.Join(", ", s)}]{(range is null ? "" : $" with range {range}")}.", nameof(images));
        return Add(name, new ImageDataViewType((int)s[1], checked((int)s[2]), checked((int)s[3]), images.dtype, range), null, images);
    }

    /// <summary>Adds a key column from N class indices (int64, or any integer type) and the class names.</summary>
    public InMemoryDataViewBuilder AddKey(string name, Tensor keys, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(classNames);
        if (keys.dim() != 1 || keys.dtype is ScalarType.Float32 or ScalarType.Float64 or ScalarType.Float16 or ScalarType.Bool)
            throw new ArgumentException($"Key column '{name}' needs a 1-D integer tensor; got {keys.dtype} [{string.Join(", ", keys.shape)}].", nameof(keys));
        using var k = keys.to(ScalarType.Int64);
        if (k.numel() > 0)
        {
            using var min = k.min();
            using var max = k.max();
            if (min.item<long>() < 0 || max.item<long>() >= classNames.Count)
                throw new ArgumentException($"Key column '{name}' holds values {min.item<long>()}..{max.item<long>()} outside 0..{classNames.Count - 1} ({classNames.Count} class names).", nameof(keys));
        }
        return Add(name, new KeyDataViewType(classNames.Count), classNames, k);
    }

    /// <summary>Adds a number column from a 1-D tensor (float32, float64, int32, int64 or uint8).</summary>
    public InMemoryDataViewBuilder AddNumbers(string name, Tensor values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.dim() != 1) throw new ArgumentException($"Number column '{name}' needs a 1-D tensor; got [{string.Join(", ", values.shape)}].", nameof(values));
        return Add(name, NumberDataViewType.For(values.dtype), null, values);
    }

    /// <summary>Adds a tensor column from N x ... values (each row has shape ...).</summary>
    public InMemoryDataViewBuilder AddTensor(string name, Tensor values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var s = values.shape;
        if (s.Length < 2) throw new ArgumentException($"Tensor column '{name}' needs N x ... with at least 2 dimensions; got [{string.Join(", ", s)}] (use AddNumbers for 1-D).", nameof(values));
        return Add(name, new TensorDataViewType(values.dtype, s[1..]), null, values);
    }

    /// <summary>Adds a text column.</summary>
    public InMemoryDataViewBuilder AddText(string name, IReadOnlyList<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        CheckRows(name, values.Count);
        _columns.Add((name, TextDataViewType.Instance, null));
        _text[name] = values.ToArray();
        return this;
    }

    /// <summary>The view, taking the copies of the tensors made when the columns were added; the builder is empty afterwards.</summary>
    public InMemoryDataView Build()
    {
        if (_columns.Count == 0) throw new InvalidOperationException("An in-memory data view needs at least one column.");
        var schema = new DataViewSchema(_columns);
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, value) in _tensors) tensors[name] = value;
        var view = new InMemoryDataView(schema, tensors, new Dictionary<string, string[]>(_text), _rows);
        _tensors.Clear();
        _columns.Clear();
        _text.Clear();
        _rows = -1;
        return view;
    }

    private InMemoryDataViewBuilder Add(string name, DataViewType type, IReadOnlyList<string>? keys, Tensor value)
    {
        CheckRows(name, value.size(0));
        _columns.Add((name, type, keys));
        using var detached = value.detach();
        _tensors.Add((name, detached.clone().DetachFromDisposeScope()));
        return this;
    }

    private void CheckRows(string name, long rows)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("A column name must not be empty.", nameof(name));
        if (_columns.Any(c => c.Item1 == name)) throw new ArgumentException($"Column '{name}' was added twice.", nameof(name));
        if (_rows >= 0 && rows != _rows) throw new ArgumentException($"Column '{name}' has {rows} rows but the columns before it have {_rows}.", nameof(name));
        _rows = rows;
    }
}

/// <summary>Names the column a property of a row class becomes (ML.NET's <c>ColumnNameAttribute</c>).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class ColumnNameAttribute(string name) : Attribute
{
    /// <summary>The column name.</summary>
    public string Name { get; } = name;
}

/// <summary>Marks an integer property as a key with <see cref="Count"/> classes (ML.NET's <c>KeyTypeAttribute</c>, 0-based here).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class KeyTypeAttribute(long count) : Attribute
{
    /// <summary>Number of classes.</summary>
    public long Count { get; } = count;

    /// <summary>Optional class names (length <see cref="Count"/>).</summary>
    public string[]? ClassNames { get; init; }
}
