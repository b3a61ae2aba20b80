using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.GanSdp.Onnx;

namespace Ml.GanSdp;

/// <summary>
/// The rows of a data view whose positions were selected, in their original order, with all of its columns: the view
/// <see cref="AugmentationCatalog.TakeRowsPerClass"/> returns. Holds only the selected positions.
/// </summary>
internal sealed class RowsPerClassDataView : IDataView
{
    private readonly IDataView _source;
    private readonly long[] _positions;

    private RowsPerClassDataView(IDataView source, long[] positions)
    {
        _source = source;
        _positions = positions;
    }

    /// <summary>None of <paramref name="source"/>'s rows, with its schema (ML.NET's TakeRows refuses a count of 0).</summary>
    public static RowsPerClassDataView None(IDataView source) => new(source, []);

    /// <summary>
    /// Selects <paramref name="rowsPerClass"/> rows of every class in one pass over the label column: row r (its position
    /// in <paramref name="source"/>) gets priority mix(seed + (r + 1) gamma) (a SplitMix64 output, see
    /// <see cref="SeededLatent.Mix"/>), and each class keeps its rows of smallest priority: a uniformly random subset
    /// without replacement, fixed by the seed. Rows with a missing label (key 0) are never taken.
    /// </summary>
    /// <exception cref="InvalidOperationException">A class has fewer than <paramref name="rowsPerClass"/> rows (the class and its count are named).</exception>
    public static RowsPerClassDataView Select(IDataView source, DataViewSchema.Column label, int rowsPerClass, long seed)
    {
        var key = (KeyDataViewType)label.Type;
        var heaps = new PriorityQueue<long, ulong>[(int)key.Count];
        var largestFirst = Comparer<ulong>.Create((a, b) => b.CompareTo(a));
        for (int c = 0; c < heaps.Length; c++) heaps[c] = new PriorityQueue<long, ulong>(largestFirst);
        var seen = new long[heaps.Length];
        using (var cursor = source.GetRowCursor([label]))
        {
            var get = cursor.GetGetter<uint>(label);
            uint k = 0;
            for (long r = 0; cursor.MoveNext(); r++)
            {
                get(ref k);
                if (k == 0) continue;
                if (k > heaps.Length) throw new InvalidDataException($"Row {r} has label key {k}, beyond the {heaps.Length} classes of column '{label.Name}'.");
                seen[k - 1]++;
                if (rowsPerClass == 0) continue;
                ulong priority = SeededLatent.Mix(unchecked((ulong)seed + ((ulong)r + 1) * SeededLatent.Gamma));
                var heap = heaps[k - 1];
                if (heap.Count < rowsPerClass) heap.Enqueue(r, priority);
                else if (heap.TryPeek(out _, out var largest) && priority < largest) heap.EnqueueDequeue(r, priority);
            }
        }
        for (int c = 0; c < seen.Length; c++)
            if (seen[c] < rowsPerClass)
                throw new InvalidOperationException($"Class {ClassName(label, c)} (key {c + 1}) of column '{label.Name}' has {seen[c]} rows; {rowsPerClass} per class were asked for.");
        var positions = heaps.SelectMany(h => h.UnorderedItems.Select(i => i.Element)).Order().ToArray();
        return new RowsPerClassDataView(source, positions);
    }

    private static string ClassName(DataViewSchema.Column label, int index)
    {
        if (label.Annotations.Schema.GetColumnOrNull("KeyValues")?.Type is VectorDataViewType { ItemType: TextDataViewType })
        {
            VBuffer<ReadOnlyMemory<char>> names = default;
            label.GetKeyValues(ref names);
            if (index < names.Length) return $"'{names.GetItemOrDefault(index)}'";
        }
        return $"#{index + 1}";
    }

    public bool CanShuffle => false;
    public DataViewSchema Schema => _source.Schema;
    public long? GetRowCount() => _positions.Length;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
        => new Cursor(_source.GetRowCursor(columnsNeeded), _positions);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor(DataViewRowCursor inner, long[] positions) : DataViewRowCursor
    {
        private long _position = -1, _innerPosition = -1;

        public override DataViewSchema Schema => inner.Schema;
        public override long Position => _position;
        public override long Batch => 0;

        public override bool MoveNext()
        {
            if (_position + 1 >= positions.Length) return false;
            long target = positions[_position + 1];
            while (_innerPosition < target)
            {
                if (!inner.MoveNext()) throw new InvalidOperationException($"The source data ended before row {target}: it has fewer rows than when the subset was drawn.");
                _innerPosition++;
            }
            _position++;
            return true;
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => inner.GetIdGetter();
        public override bool IsColumnActive(DataViewSchema.Column column) => inner.IsColumnActive(column);
        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => inner.GetGetter<TValue>(column);

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
