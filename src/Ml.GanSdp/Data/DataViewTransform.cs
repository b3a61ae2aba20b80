namespace Ml.GanSdp.Data;

/// <summary>
/// Base of a row-wise transform over a data view (what an ML.NET transformer's <c>Transform</c> returns):
/// the output schema is computed (and the input checked) when the transform is built, and each input batch is
/// mapped lazily by <see cref="Apply"/> when a pass reaches it.
/// </summary>
public abstract class DataViewTransform : IDataView
{
    /// <summary>Wraps <paramref name="input"/>; derived constructors set <see cref="Schema"/> through <see cref="SetSchema"/>.</summary>
    protected DataViewTransform(IDataView input)
    {
        Input = input ?? throw new ArgumentNullException(nameof(input));
        Schema = input.Schema;
    }

    /// <summary>The upstream view.</summary>
    public IDataView Input { get; }

    /// <inheritdoc/>
    public DataViewSchema Schema { get; private set; }

    /// <summary>Sets the output schema (from the constructor).</summary>
    protected void SetSchema(DataViewSchema schema) => Schema = schema ?? throw new ArgumentNullException(nameof(schema));

    /// <inheritdoc/>
    public long? GetRowCount() => Input.GetRowCount();

    /// <summary>
    /// Maps one batch of the input schema in place (set the output column, then <see cref="DataBatch.Rebind"/> to
    /// <see cref="Schema"/>). Callable on its own, for example by a trainer that transforms its own batches.
    /// </summary>
    public abstract void Apply(DataBatch batch);

    /// <inheritdoc/>
    public IEnumerable<DataBatch> GetBatches(BatchOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return Iterate(options);
    }

    private IEnumerable<DataBatch> Iterate(BatchOptions options)
    {
        foreach (var batch in Input.GetBatches(options))
        {
            try
            {
                Apply(batch);
            }
            catch
            {
                batch.Dispose();
                throw;
            }
            yield return batch;
        }
    }
}
