using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.GanSdp;

/// <summary>
/// K rows, one per class: row k holds key k in a column typed and annotated exactly like a given label column (its key
/// values included) and the one-hot vector e_k (Single, K slots). Training ML.NET's NaiveBayes on it gives a built-in
/// scorer whose PredictedLabel for input e_k is exactly key k, with the label's key type; the image CNN uses it to turn
/// its ONNX one-hot output into a scalar key column (see <see cref="ImageCnnTrainer"/>).
/// </summary>
internal sealed class ClassOneHotDataView : IDataView
{
    private readonly int _classes;

    public ClassOneHotDataView(DataViewSchema.Column label, string labelColumnName, string oneHotColumnName)
    {
        _classes = (int)((KeyDataViewType)label.Type).Count;
        var b = new DataViewSchema.Builder();
        b.AddColumn(labelColumnName, label.Type, label.Annotations);
        b.AddColumn(oneHotColumnName, new VectorDataViewType(NumberDataViewType.Single, _classes));
        Schema = b.ToSchema();
    }

    public bool CanShuffle => false;
    public DataViewSchema Schema { get; }
    public long? GetRowCount() => _classes;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(this, columnsNeeded);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor(ClassOneHotDataView parent, IEnumerable<DataViewSchema.Column> columnsNeeded) : SourceRowCursor(parent.Schema, columnsNeeded)
    {
        protected override bool MoveNextCore()
        {
            if (RowIndex + 1 >= parent._classes) return false;
            RowIndex++;
            return true;
        }

        protected override Delegate MakeGetter(int index) => index == 0
            ? (ValueGetter<uint>)((ref uint key) =>
            {
                EnsureOnRow();
                key = (uint)(RowIndex + 1);
            })
            : (ValueGetter<VBuffer<float>>)((ref VBuffer<float> oneHot) =>
            {
                EnsureOnRow();
                var editor = VBufferEditor.Create(ref oneHot, parent._classes);
                editor.Values.Clear();
                editor.Values[(int)RowIndex] = 1;
                oneHot = editor.Commit();
            });
    }
}
