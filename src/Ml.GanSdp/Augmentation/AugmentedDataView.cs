using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.GanSdp;

/// <summary>
/// Real rows followed by synthetic ones, streamed: a cursor first reads the real view, then the generator's output over
/// a <see cref="SyntheticRowsDataView"/>, one row at a time, so memory does not grow with the number of rows. Columns:
/// the real image and label columns (same names, types and annotations, in the real schema's order) and optionally a
/// Boolean flag that is true on synthetic rows. A synthetic row's label is the class its generator input was made for.
/// </summary>
internal sealed class AugmentedDataView : IDataView
{
    private readonly IDataView _real;
    private readonly DataViewSchema.Column _realImage, _realLabel;
    private readonly SyntheticRowsDataView _syntheticInput;
    private readonly IDataView _generated;
    private readonly DataViewSchema.Column _generatedImage;
    private readonly int _imageIndex, _labelIndex, _flagIndex = -1;

    public AugmentedDataView(IDataView real, DataViewSchema.Column realImage, DataViewSchema.Column realLabel,
        SyntheticRowsDataView syntheticInput, IDataView generated, DataViewSchema.Column generatedImage, string? flagColumnName)
    {
        _real = real;
        _realImage = realImage;
        _realLabel = realLabel;
        _syntheticInput = syntheticInput;
        _generated = generated;
        _generatedImage = generatedImage;
        var b = new DataViewSchema.Builder();
        bool imageFirst = realImage.Index < realLabel.Index;
        foreach (var c in imageFirst ? new[] { realImage, realLabel } : [realLabel, realImage]) b.AddColumn(c.Name, c.Type, c.Annotations);
        (_imageIndex, _labelIndex) = imageFirst ? (0, 1) : (1, 0);
        if (flagColumnName is not null)
        {
            b.AddColumn(flagColumnName, BooleanDataViewType.Instance);
            _flagIndex = 2;
        }
        Schema = b.ToSchema();
    }

    /// <summary>Synthetic rows in all.</summary>
    public long SyntheticRowCount => _syntheticInput.RowCount;

    public bool CanShuffle => false;
    public DataViewSchema Schema { get; }

    /// <summary>Real rows (if the real view knows its count) plus synthetic rows; null otherwise.</summary>
    public long? GetRowCount() => _real.GetRowCount() is { } n ? n + SyntheticRowCount : null;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(this, columnsNeeded);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly AugmentedDataView _parent;
        private readonly bool[] _active;
        private readonly DataViewRowCursor _realCursor;
        private readonly SyntheticRowsDataView.Walker _walk;
        private DataViewRowCursor? _generatedCursor;
        private bool _synthetic, _done;
        private long _position = -1, _syntheticRows;

        public Cursor(AugmentedDataView parent, IEnumerable<DataViewSchema.Column> columnsNeeded)
        {
            ArgumentNullException.ThrowIfNull(columnsNeeded);
            _parent = parent;
            _active = new bool[parent.Schema.Count];
            foreach (var c in columnsNeeded)
            {
                if (c.Index < 0 || c.Index >= _active.Length || parent.Schema[c.Index].Name != c.Name)
                    throw new ArgumentOutOfRangeException(nameof(columnsNeeded), $"Column '{c.Name}' is not a column of the augmented data; its columns are {string.Join(", ", parent.Schema.Select(s => $"'{s.Name}'"))}.");
                _active[c.Index] = true;
            }
            var realNeeded = new List<DataViewSchema.Column>();
            if (_active[parent._imageIndex]) realNeeded.Add(parent._realImage);
            if (_active[parent._labelIndex]) realNeeded.Add(parent._realLabel);
            _realCursor = parent._real.GetRowCursor(realNeeded);
            _walk = new SyntheticRowsDataView.Walker(parent._syntheticInput.Counts);
            Schema = parent.Schema;
        }

        public override DataViewSchema Schema { get; }
        public override long Position => _position;
        public override long Batch => 0;

        public override bool MoveNext()
        {
            if (_done) return false;
            if (!_synthetic)
            {
                if (_realCursor.MoveNext())
                {
                    _position++;
                    return true;
                }
                _synthetic = true;
                _realCursor.Dispose(); // releases the real source (files) before the generator runs
                // The generator runs only when the image column is read; otherwise its input alone counts the rows.
                _generatedCursor = _active[_parent._imageIndex]
                    ? _parent._generated.GetRowCursor([_parent._generatedImage])
                    : _parent._syntheticInput.GetRowCursor([]);
            }
            bool more = _walk.MoveNext();
            bool generated = _generatedCursor!.MoveNext();
            if (more != generated)
                throw new InvalidOperationException(more
                    ? $"The generator's output ended after {_syntheticRows} of {_parent.SyntheticRowCount} synthetic rows: the generator must map each input row to one output row."
                    : $"The generator's output has more rows than the {_parent.SyntheticRowCount} synthetic inputs: the generator must map each input row to one output row.");
            if (!more)
            {
                _done = true;
                return false;
            }
            _syntheticRows++;
            _position++;
            return true;
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) =>
        {
            EnsureOnRow();
            id = new DataViewRowId((ulong)_position, 0);
        };

        public override bool IsColumnActive(DataViewSchema.Column column) => column.Index >= 0 && column.Index < _active.Length && _active[column.Index];

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!IsColumnActive(column)) throw new InvalidOperationException($"Column '{column.Name}' was not requested when the cursor was created; pass it in columnsNeeded.");
            if (column.Index == _parent._flagIndex)
                return Typed<TValue, bool>(column, (ref bool synthetic) => { EnsureOnRow(); synthetic = _synthetic; });
            if (column.Index == _parent._labelIndex)
            {
                var real = _realCursor.GetGetter<TValue>(_parent._realLabel);
                ValueGetter<uint> syntheticKey = (ref uint key) => { EnsureOnRow(); key = (uint)(_walk.Class + 1); };
                var synthetic = syntheticKey as ValueGetter<TValue> ?? throw new InvalidOperationException($"Column '{column.Name}' holds UInt32 keys; a getter of {typeof(TValue).Name} was requested.");
                return (ref TValue value) => { if (_synthetic) synthetic(ref value); else real(ref value); };
            }
            var realImage = _realCursor.GetGetter<TValue>(_parent._realImage);
            ValueGetter<TValue>? generatedImage = null;
            return (ref TValue value) =>
            {
                if (!_synthetic)
                {
                    realImage(ref value);
                    return;
                }
                generatedImage ??= _generatedCursor!.GetGetter<TValue>(_parent._generatedImage);
                generatedImage(ref value);
            };
        }

        private static ValueGetter<TValue> Typed<TValue, TRaw>(DataViewSchema.Column column, ValueGetter<TRaw> getter)
            => getter as ValueGetter<TValue> ?? throw new InvalidOperationException($"Column '{column.Name}' holds {typeof(TRaw).Name}; a getter of {typeof(TValue).Name} was requested.");

        private void EnsureOnRow()
        {
            if (_position < 0 || _done) throw new InvalidOperationException("The cursor is not on a row: call MoveNext first (and only use getters while it returns true).");
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _realCursor.Dispose();
                _generatedCursor?.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
