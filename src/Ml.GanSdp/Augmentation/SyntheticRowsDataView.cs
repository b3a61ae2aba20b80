using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.GanSdp;

/// <summary>
/// The generator's input for synthetic rows, computed on the fly: class by class in key order, <c>counts[k - 1]</c>
/// rows of class key k, each with its seed <see cref="SyntheticSeeds.RowSeed"/>(seed, k, i). Columns: the seed column
/// (Int64) and, for a conditional generator, the label column typed and annotated like the real label column (its key
/// values included). Nothing is stored per row: memory does not grow with the row count.
/// </summary>
internal sealed class SyntheticRowsDataView : IDataView
{
    private readonly long[] _counts;
    private readonly ulong[] _streams;
    private readonly bool _conditional;

    /// <param name="seedColumnName">The seed column's name.</param>
    /// <param name="label">The label column to imitate (name, key type, annotations), or null for an unconditional generator (then <paramref name="counts"/> has one entry, class key 0).</param>
    /// <param name="counts">Rows per class, index k - 1 for key k.</param>
    /// <param name="seed">The run's seed.</param>
    public SyntheticRowsDataView(string seedColumnName, DataViewSchema.Column? label, long[] counts, long seed)
    {
        _conditional = label is not null;
        if (_conditional ? counts.Length != (int)((KeyDataViewType)label!.Value.Type).Count : counts.Length != 1)
            throw new ArgumentException("One count per class is needed (one in all for an unconditional generator).", nameof(counts));
        if (counts.Any(c => c < 0)) throw new ArgumentOutOfRangeException(nameof(counts), "A row count is negative.");
        _counts = [.. counts];
        RowCount = counts.Aggregate(0L, (a, c) => checked(a + c));
        _streams = Enumerable.Range(0, counts.Length).Select(c => SyntheticSeeds.ClassStream(seed, ClassKey(c))).ToArray();
        var b = new DataViewSchema.Builder();
        b.AddColumn(seedColumnName, NumberDataViewType.Int64);
        if (label is { } l) b.AddColumn(l.Name, l.Type, l.Annotations);
        Schema = b.ToSchema();
    }

    /// <summary>Rows in all.</summary>
    public long RowCount { get; }

    /// <summary>Rows per class (index k - 1 for key k; one entry when unconditional).</summary>
    public IReadOnlyList<long> Counts => _counts;

    public bool CanShuffle => false;
    public DataViewSchema Schema { get; }
    public long? GetRowCount() => RowCount;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(this, columnsNeeded);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => [GetRowCursor(columnsNeeded, rand)];

    private uint ClassKey(int classIndex) => _conditional ? (uint)(classIndex + 1) : 0u;

    /// <summary>Walks the rows class by class; the current row is (class index, index within the class).</summary>
    internal sealed class Walker(IReadOnlyList<long> counts)
    {
        public int Class { get; private set; }
        public long Index { get; private set; } = -1;

        public bool MoveNext()
        {
            Index++;
            while (Class < counts.Count && Index >= counts[Class])
            {
                Class++;
                Index = 0;
            }
            return Class < counts.Count;
        }
    }

    private sealed class Cursor(SyntheticRowsDataView parent, IEnumerable<DataViewSchema.Column> columnsNeeded) : SourceRowCursor(parent.Schema, columnsNeeded)
    {
        private readonly Walker _walk = new(parent._counts);

        protected override bool MoveNextCore()
        {
            if (!_walk.MoveNext()) return false;
            RowIndex++;
            return true;
        }

        protected override Delegate MakeGetter(int index) => index == 0
            ? (ValueGetter<long>)((ref long seed) =>
            {
                EnsureOnRow();
                seed = SyntheticSeeds.RowSeedOfStream(parent._streams[_walk.Class], _walk.Index);
            })
            : (ValueGetter<uint>)((ref uint key) =>
            {
                EnsureOnRow();
                key = parent.ClassKey(_walk.Class);
            });
    }
}
