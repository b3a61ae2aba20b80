using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.GanSdp;

/// <summary>
/// A data view that adds an Int64 seed column to another one: row i (0-based, in the input's own order) gets
/// <c>firstSeed + i</c>. Made by <see cref="GanSdpCatalog.AddSeedColumn"/>; rows are streamed from the input, nothing is
/// copied. Cursors read the input in order (a shuffle request is ignored: <see cref="CanShuffle"/> is false, use
/// ML.NET's <c>ShuffleRows</c> after this view) and one cursor set is one cursor, so every cursor numbers the rows the same way.
/// </summary>
public sealed class SeedColumnDataView : IDataView
{
    private readonly IDataView _input;
    private readonly DataViewSchema.Column _seed;

    internal SeedColumnDataView(IDataView input, string columnName, long firstSeed)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentException.ThrowIfNullOrWhiteSpace(columnName);
        if (input.Schema.GetColumnOrNull(columnName) is { } existing)
            throw new ArgumentOutOfRangeException(nameof(columnName), $"AddSeedColumn: the input already has a column '{columnName}' ({existing.Type}); choose another name.");
        _input = input;
        FirstSeed = firstSeed;
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(input.Schema);
        builder.AddColumn(columnName, NumberDataViewType.Int64);
        Schema = builder.ToSchema();
        _seed = Schema[columnName];
    }

    /// <summary>The seed of the first row.</summary>
    public long FirstSeed { get; }

    /// <summary>False: rows keep the input's order so that their seeds are fixed.</summary>
    public bool CanShuffle => false;

    /// <summary>The input's columns followed by the seed column.</summary>
    public DataViewSchema Schema { get; }

    /// <summary>The input's row count.</summary>
    public long? GetRowCount() => _input.GetRowCount();

    /// <summary>A cursor over the input in its order, with the seed column computed from the row index.</summary>
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        ArgumentNullException.ThrowIfNull(columnsNeeded);
        var needed = columnsNeeded.ToList();
        bool seedActive = needed.Any(c => c.Index == _seed.Index);
        var inputColumns = needed.Where(c => c.Index != _seed.Index).Select(c => _input.Schema[c.Index]).ToList();
        return new Cursor(this, _input.GetRowCursor(inputColumns), seedActive);
    }

    /// <summary>One cursor (see the class remarks).</summary>
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
        => [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor(SeedColumnDataView parent, DataViewRowCursor input, bool seedActive) : DataViewRowCursor
    {
        private long _row = -1;

        public override DataViewSchema Schema => parent.Schema;
        public override long Position => _row;
        public override long Batch => 0;

        public override bool MoveNext()
        {
            if (!input.MoveNext()) return false;
            _row++;
            return true;
        }

        public override bool IsColumnActive(DataViewSchema.Column column)
            => column.Index == parent._seed.Index ? seedActive : input.IsColumnActive(input.Schema[column.Index]);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (column.Index != parent._seed.Index) return input.GetGetter<TValue>(input.Schema[column.Index]);
            if (!seedActive) throw new InvalidOperationException($"Column '{column.Name}' was not requested from this cursor.");
            if (typeof(TValue) != typeof(long)) throw new InvalidOperationException($"Column '{column.Name}' is Int64; a getter of {typeof(TValue).Name} was asked for.");
            ValueGetter<long> getter = (ref long value) =>
            {
                if (_row < 0) throw new InvalidOperationException("The cursor is not on a row.");
                value = unchecked(parent.FirstSeed + _row);
            };
            return (ValueGetter<TValue>)(Delegate)getter;
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => input.GetIdGetter();

        protected override void Dispose(bool disposing)
        {
            if (disposing) input.Dispose();
            base.Dispose(disposing);
        }
    }
}
