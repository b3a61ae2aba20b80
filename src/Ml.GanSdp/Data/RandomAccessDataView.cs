using static Ml.GanSdp.torch;

namespace Ml.GanSdp.Data;

/// <summary>
/// Base of data views whose rows can be read by index (files, records, tensors): it cuts a pass into batches,
/// in order or in a seeded random order, and reads each batch only when it is requested.
/// </summary>
public abstract class RandomAccessDataView : IDataView
{
    /// <inheritdoc/>
    public abstract DataViewSchema Schema { get; }

    /// <summary>The number of row indices a pass visits (rows that turn out invalid may still be skipped).</summary>
    protected abstract long SourceRowCount { get; }

    /// <inheritdoc/>
    public virtual long? GetRowCount() => SourceRowCount;

    /// <summary>Reads the rows <paramref name="rows"/> (in that order) into a batch; rows may be left out (skipped), null when all were.</summary>
    protected abstract DataBatch? ReadRows(long[] rows);

    /// <inheritdoc/>
    public IEnumerable<DataBatch> GetBatches(BatchOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return Iterate(options);
    }

    private IEnumerable<DataBatch> Iterate(BatchOptions options)
    {
        long n = SourceRowCount;
        long[]? order = options.Shuffle ? Permutation(n, options.Seed) : null;
        for (long start = 0; start < n; start += options.BatchSize)
        {
            int count = (int)Math.Min(options.BatchSize, n - start);
            if (options.DropLast && count < options.BatchSize) yield break;
            var rows = new long[count];
            for (int i = 0; i < count; i++) rows[i] = order is null ? start + i : order[start + i];
            var batch = ReadRows(rows);
            if (batch is null) continue;
            if (batch.Count == 0) { batch.Dispose(); continue; }
            yield return batch;
        }
    }

    /// <summary>
    /// The shuffle order of <paramref name="n"/> rows for <paramref name="seed"/>: libtorch's <c>randperm</c> with a
    /// generator seeded with <paramref name="seed"/>, the order of PyTorch's
    /// <c>torch.randperm(n, generator=torch.Generator().manual_seed(seed))</c>.
    /// </summary>
    public static long[] Permutation(long n, long seed)
    {
        if (n == 0) return Array.Empty<long>();
        using var g = new Generator(seed);
        using var p = randperm(n, g);
        return p.ToArray<long>();
    }
}
