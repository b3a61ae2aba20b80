using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.GanSdp;

/// <summary>
/// The cursor plumbing shared by the data sources: one forward pass, row ids equal to the row's index in the
/// source (so two cursors agree on ids), active-column bookkeeping, and getters that check the requested type.
/// A subclass reads one row per <see cref="MoveNextCore"/> and hands out getters for its active columns.
/// </summary>
internal abstract class SourceRowCursor : DataViewRowCursor
{
    private readonly bool[] _active;
    private long _position = -1;
    private bool _done;

    protected SourceRowCursor(DataViewSchema schema, IEnumerable<DataViewSchema.Column> columnsNeeded)
    {
        ArgumentNullException.ThrowIfNull(columnsNeeded);
        Schema = schema;
        _active = new bool[schema.Count];
        foreach (var column in columnsNeeded) _active[IndexOf(column)] = true;
    }

    /// <inheritdoc/>
    public sealed override DataViewSchema Schema { get; }

    /// <inheritdoc/>
    public sealed override long Position => _position;

    /// <summary>Always 0: these cursors are never split into parallel batches.</summary>
    public sealed override long Batch => 0;

    /// <summary>The current row's index in the source (its file record or file-list index).</summary>
    protected long RowIndex { get; set; } = -1;

    /// <inheritdoc/>
    public sealed override bool MoveNext()
    {
        if (_done) return false;
        if (MoveNextCore())
        {
            _position++;
            return true;
        }
        _done = true;
        RowIndex = -1;
        OnFinished();
        return false;
    }

    /// <summary>Reads the next row into the cursor's buffers; false at the end of the data.</summary>
    protected abstract bool MoveNextCore();

    /// <summary>Called once when the cursor reaches the end of the data (releases files early).</summary>
    protected virtual void OnFinished() { }

    /// <inheritdoc/>
    public sealed override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) =>
    {
        EnsureOnRow();
        id = new DataViewRowId((ulong)RowIndex, 0);
    };

    /// <inheritdoc/>
    public sealed override bool IsColumnActive(DataViewSchema.Column column) => _active[IndexOf(column)];

    /// <summary>Whether column <paramref name="index"/> was requested when the cursor was made.</summary>
    protected bool IsActive(int index) => _active[index];

    /// <inheritdoc/>
    public sealed override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        int index = IndexOf(column);
        if (!_active[index])
            throw new InvalidOperationException($"Column '{column.Name}' was not requested when the cursor was created; pass it in columnsNeeded.");
        var getter = MakeGetter(index);
        return getter as ValueGetter<TValue> ?? throw new InvalidOperationException(
            $"Column '{column.Name}' has type {Schema[index].Type}; a getter of {typeof(TValue).Name} was requested, but its values are {GetterValueType(getter)}.");
    }

    /// <summary>The getter of column <paramref name="index"/>: a <see cref="ValueGetter{TValue}"/> of the column's raw type.</summary>
    protected abstract Delegate MakeGetter(int index);

    /// <summary>Throws unless the cursor stands on a row (after a successful <see cref="MoveNext"/>).</summary>
    protected void EnsureOnRow()
    {
        if (_position < 0 || _done) throw new InvalidOperationException("The cursor is not on a row: call MoveNext first (and only use getters while it returns true).");
    }

    private int IndexOf(DataViewSchema.Column column)
    {
        if (column.Index < 0 || column.Index >= Schema.Count || !string.Equals(Schema[column.Index].Name, column.Name, StringComparison.Ordinal))
            throw new ArgumentOutOfRangeException(nameof(column), $"Column '{column.Name}' (index {column.Index}) is not a column of this data view; its columns are {string.Join(", ", Schema.Select(c => c.Name))}.");
        return column.Index;
    }

    private static string GetterValueType(Delegate getter)
    {
        var type = getter.GetType();
        return type.IsGenericType ? type.GetGenericArguments()[0].Name : type.Name;
    }
}
