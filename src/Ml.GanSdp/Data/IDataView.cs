namespace Ml.GanSdp.Data;

/// <summary>
/// A lazily streamed table (ML.NET's <c>IDataView</c>): a <see cref="Schema"/>, an optional row count, and
/// batches produced on demand. Nothing is decoded until a batch is requested, and a batch holds only its own
/// rows, so a dataset larger than memory can be trained on. Every call to <see cref="GetBatches"/> is an
/// independent pass.
/// </summary>
public interface IDataView
{
    /// <summary>The columns.</summary>
    DataViewSchema Schema { get; }

    /// <summary>The number of rows when known without a pass (ML.NET's <c>GetRowCount</c>), else null.</summary>
    long? GetRowCount();

    /// <summary>
    /// One pass over the rows in batches. The caller owns each yielded <see cref="DataBatch"/> and disposes it
    /// (its tensors go with it). With <see cref="BatchOptions.Shuffle"/> the order is a permutation drawn from
    /// <see cref="BatchOptions.Seed"/> (the same seed gives the same order).
    /// </summary>
    IEnumerable<DataBatch> GetBatches(BatchOptions options);
}

/// <summary>How <see cref="IDataView.GetBatches"/> cuts a pass into batches.</summary>
public sealed record BatchOptions
{
    /// <summary>Rows per batch (the last one may be smaller unless <see cref="DropLast"/>); default 64.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Visit the rows in a random order drawn from <see cref="Seed"/>; default false.</summary>
    public bool Shuffle { get; init; }

    /// <summary>Seed of the shuffle: libtorch's <c>randperm</c> with a generator seeded so (PyTorch's <c>RandomSampler</c> order). Use e.g. seed + epoch per epoch.</summary>
    public long Seed { get; init; }

    /// <summary>Drop a last batch smaller than <see cref="BatchSize"/>; default false.</summary>
    public bool DropLast { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for an invalid option.</summary>
    public void Validate()
    {
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "BatchOptions.BatchSize must be at least 1.");
    }
}

/// <summary>Shorthands over <see cref="IDataView"/>.</summary>
public static class DataViewExtensions
{
    /// <summary>One pass in batches of <paramref name="batchSize"/> (see <see cref="IDataView.GetBatches"/>).</summary>
    public static IEnumerable<DataBatch> GetBatches(this IDataView view, int batchSize, bool shuffle = false, long seed = 0, bool dropLast = false)
    {
        ArgumentNullException.ThrowIfNull(view);
        return view.GetBatches(new BatchOptions { BatchSize = batchSize, Shuffle = shuffle, Seed = seed, DropLast = dropLast });
    }

    /// <summary>
    /// Reads one tensor column of the first <paramref name="maxRows"/> rows (all when null), in order, into one
    /// N x ... tensor that the caller owns; meant for evaluation sets that fit in memory.
    /// </summary>
    /// <exception cref="SchemaException">The column is missing or is text.</exception>
    public static torch.Tensor ReadColumn(this IDataView view, string column, long? maxRows = null, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(view);
        var c = view.Schema.GetColumn(column);
        if (!c.Type.IsTensor) throw new SchemaException(column, $"Column '{column}' has type {c.Type}; ReadColumn reads tensor columns. The schema has {view.Schema.Describe()}.");
        if (maxRows is < 1) throw new ArgumentOutOfRangeException(nameof(maxRows), maxRows, "maxRows must be positive.");
        var parts = new List<torch.Tensor>();
        long have = 0;
        try
        {
            foreach (var batch in view.GetBatches(batchSize))
                using (batch)
                {
                    var t = batch.GetTensor(column);
                    long take = maxRows is { } m ? Math.Min(t.size(0), m - have) : t.size(0);
                    using var part = t.narrow(0, 0, take);
                    parts.Add(part.clone().DetachFromDisposeScope());
                    have += take;
                    if (maxRows is { } max && have >= max) break;
                }
            if (parts.Count == 0) throw new InvalidOperationException($"The view has no rows to read column '{column}' from.");
            return torch.cat(parts);
        }
        finally
        {
            foreach (var p in parts) p.Dispose();
        }
    }
}
