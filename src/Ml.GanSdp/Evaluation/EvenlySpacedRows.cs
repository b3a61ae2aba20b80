using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.GanSdp;

/// <summary>
/// m rows of an n-row <see cref="IDataView"/>, evenly spaced: rows floor(i n / m) for i = 0 .. m - 1, in order. A
/// deterministic subset that samples ordered data (such as an image folder, sorted by class) evenly. The cursor reads
/// the source's cursor and passes on the selected rows (skipped rows are moved over, their values not fetched).
/// </summary>
internal sealed class EvenlySpacedRows : IDataView
{
    private readonly IDataView _source;
    private readonly long _total;
    private readonly long _count;

    public EvenlySpacedRows(IDataView source, long total, long count)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (count < 1 || count > total) throw new ArgumentOutOfRangeException(nameof(count), count, $"Between 1 and the {total} rows.");
        _source = source;
        _total = total;
        _count = count;
    }

    /// <summary>The source row of selected row <paramref name="i"/>: floor(i n / m).</summary>
    public long SourceRow(long i) => (long)(((Int128)i * _total) / _count);

    public bool CanShuffle => false;

    public DataViewSchema Schema => _source.Schema;

    public long? GetRowCount() => _count;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
        => new Cursor(this, _source.GetRowCursor(columnsNeeded));

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
        => new[] { GetRowCursor(columnsNeeded) };

    private sealed class Cursor(EvenlySpacedRows view, DataViewRowCursor inner) : DataViewRowCursor
    {
        private long _position = -1;
        private long _sourcePosition = -1;

        public override DataViewSchema Schema => inner.Schema;
        public override long Position => _position;
        public override long Batch => 0;

        public override bool MoveNext()
        {
            if (_position + 1 >= view._count) return false;
            long target = view.SourceRow(_position + 1);
            while (_sourcePosition < target)
            {
                if (!inner.MoveNext())
                    throw new InvalidOperationException($"The data ended after {_sourcePosition + 1} rows; it was said to have {view._total}.");
                _sourcePosition++;
            }
            _position++;
            return true;
        }

        public override bool IsColumnActive(DataViewSchema.Column column) => inner.IsColumnActive(column);
        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => inner.GetGetter<TValue>(column);
        public override ValueGetter<DataViewRowId> GetIdGetter() => inner.GetIdGetter();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
