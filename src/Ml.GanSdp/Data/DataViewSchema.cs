using System.Text;

namespace Ml.GanSdp.Data;

/// <summary>
/// The columns of a data view (ML.NET's <c>DataViewSchema</c>): named, typed, in order. Estimators check
/// their input columns at Fit with <see cref="GetColumn(string, DataViewType)"/> or
/// <see cref="GetColumn{TType}(string, string, Func{TType, bool}?)"/>, which throw a <see cref="SchemaException"/>
/// naming the column and listing the schema.
/// </summary>
public sealed class DataViewSchema : IReadOnlyList<DataViewSchema.Column>
{
    private readonly Column[] _columns;
    private readonly Dictionary<string, int> _byName;

    /// <summary>A schema of <paramref name="columns"/> (names must be unique).</summary>
    public DataViewSchema(IEnumerable<(string Name, DataViewType Type, IReadOnlyList<string>? KeyValues)> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        var list = new List<Column>();
        _byName = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (name, type, keys) in columns)
        {
            if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("A column name must not be empty.", nameof(columns));
            ArgumentNullException.ThrowIfNull(type);
            if (!_byName.TryAdd(name, list.Count)) throw new ArgumentException($"Column '{name}' appears twice in the schema.", nameof(columns));
            if (keys is not null)
            {
                if (type is not KeyDataViewType k) throw new ArgumentException($"Column '{name}' has key values (class names) but type {type}, not a key.", nameof(columns));
                if (keys.Count != k.Count) throw new ArgumentException($"Column '{name}' is {type} but has {keys.Count} class names.", nameof(columns));
            }
            list.Add(new Column(name, list.Count, type, keys?.ToArray()));
        }
        _columns = list.ToArray();
    }

    /// <summary>A schema of columns without key values.</summary>
    public DataViewSchema(params (string Name, DataViewType Type)[] columns)
        : this(columns.Select(c => (c.Name, c.Type, (IReadOnlyList<string>?)null))) { }

    /// <summary>One column: its name, position, type and, for keys, its class names.</summary>
    public sealed class Column
    {
        internal Column(string name, int index, DataViewType type, IReadOnlyList<string>? keyValues)
        {
            Name = name;
            Index = index;
            Type = type;
            KeyValues = keyValues;
        }

        /// <summary>The column name.</summary>
        public string Name { get; }

        /// <summary>Its position in the schema.</summary>
        public int Index { get; }

        /// <summary>Its type.</summary>
        public DataViewType Type { get; }

        /// <summary>Class names of a key column (ML.NET's KeyValues annotation), index = key; null otherwise.</summary>
        public IReadOnlyList<string>? KeyValues { get; }

        /// <inheritdoc/>
        public override string ToString() => $"{Name}: {Type}";
    }

    /// <summary>Number of columns.</summary>
    public int Count => _columns.Length;

    /// <summary>The column at <paramref name="index"/>.</summary>
    public Column this[int index] => _columns[index];

    /// <summary>The column named <paramref name="name"/>; a <see cref="SchemaException"/> listing the schema when absent.</summary>
    public Column this[string name] => GetColumn(name);

    /// <summary>Finds a column by name.</summary>
    public bool TryGetColumn(string name, out Column column)
    {
        if (name is not null && _byName.TryGetValue(name, out var i)) { column = _columns[i]; return true; }
        column = null!;
        return false;
    }

    /// <summary>Whether a column named <paramref name="name"/> exists.</summary>
    public bool HasColumn(string name) => name is not null && _byName.ContainsKey(name);

    /// <summary>The column named <paramref name="name"/>.</summary>
    /// <exception cref="SchemaException">No such column; the message lists the schema.</exception>
    public Column GetColumn(string name)
    {
        if (TryGetColumn(name, out var c)) return c;
        throw new SchemaException(name, $"Column '{name}' was not found. The schema has {Describe()}.");
    }

    /// <summary>The column named <paramref name="name"/>, which must have exactly type <paramref name="expectedType"/>.</summary>
    /// <exception cref="SchemaException">No such column, or another type; the message names both types and lists the schema.</exception>
    public Column GetColumn(string name, DataViewType expectedType)
    {
        ArgumentNullException.ThrowIfNull(expectedType);
        var c = GetColumn(name);
        if (!c.Type.Equals(expectedType))
            throw new SchemaException(name, $"Column '{name}' has type {c.Type} but {expectedType} is expected. The schema has {Describe()}.");
        return c;
    }

    /// <summary>
    /// The column named <paramref name="name"/>, whose type must be a <typeparamref name="TType"/> accepted by
    /// <paramref name="accept"/>; <paramref name="expected"/> describes what is wanted (for example
    /// "a uint8 image") in the error.
    /// </summary>
    /// <exception cref="SchemaException">No such column, or a type that does not fit; the message lists the schema.</exception>
    public Column GetColumn<TType>(string name, string expected, Func<TType, bool>? accept = null) where TType : DataViewType
    {
        var c = GetColumn(name);
        if (c.Type is not TType t || (accept is not null && !accept(t)))
            throw new SchemaException(name, $"Column '{name}' has type {c.Type} but {expected} is expected. The schema has {Describe()}.");
        return c;
    }

    /// <summary>A schema with <paramref name="name"/> added, or replaced in place when it exists (what a transform outputs).</summary>
    public DataViewSchema WithColumn(string name, DataViewType type, IReadOnlyList<string>? keyValues = null)
    {
        var cols = _columns.Select(c => (c.Name, c.Type, c.KeyValues)).ToList();
        int i = cols.FindIndex(c => c.Name == name);
        if (i >= 0) cols[i] = (name, type, keyValues);
        else cols.Add((name, type, keyValues));
        return new DataViewSchema(cols);
    }

    /// <summary>"N columns: A: T, B: U" for messages.</summary>
    public string Describe()
    {
        var sb = new StringBuilder();
        sb.Append(_columns.Length).Append(_columns.Length == 1 ? " column: " : " columns: ");
        sb.Append(_columns.Length == 0 ? "(none)" : string.Join(", ", _columns.Select(c => c.ToString())));
        return sb.ToString();
    }

    /// <inheritdoc/>
    public override string ToString() => Describe();

    /// <inheritdoc/>
    public IEnumerator<Column> GetEnumerator() => ((IEnumerable<Column>)_columns).GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>A missing column or a column of the wrong type (ML.NET's "schema mismatch"); the message lists the schema.</summary>
public sealed class SchemaException : ArgumentException
{
    /// <summary>Creates the exception for <paramref name="columnName"/>.</summary>
    public SchemaException(string columnName, string message) : base(message) => ColumnName = columnName;

    /// <summary>The column that was missing or mistyped.</summary>
    public string ColumnName { get; }
}
