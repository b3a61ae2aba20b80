namespace Ml.GanSdp;

/// <summary>
/// A uniform random sample of at most <see cref="Capacity"/> feature vectors from a stream of unknown length
/// (reservoir sampling, Vitter's Algorithm R: row t (0-based) is kept with probability Capacity / (t + 1), replacing a
/// uniformly chosen kept row), stored as float32. Seeded, so the sample is reproducible. Not thread-safe.
/// </summary>
internal sealed class FeatureSample
{
    private readonly List<float[]> _rows = new();
    private readonly Random _random;
    private long _seen;

    public FeatureSample(int capacity, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        Capacity = capacity;
        _random = new Random(seed);
    }

    /// <summary>The most rows kept.</summary>
    public int Capacity { get; }

    /// <summary>The rows offered so far.</summary>
    public long Seen => _seen;

    /// <summary>The rows kept (at most <see cref="Capacity"/>), in no particular order.</summary>
    public IReadOnlyList<float[]> Rows => _rows;

    /// <summary>Offers one row (copied when kept).</summary>
    public void Offer(ReadOnlySpan<double> row)
    {
        long t = _seen++;
        if (Capacity == 0) return;
        int slot;
        if (t < Capacity) slot = -1;
        else
        {
            long j = _random.NextInt64(t + 1);
            if (j >= Capacity) return;
            slot = (int)j;
        }
        var copy = new float[row.Length];
        for (int i = 0; i < copy.Length; i++) copy[i] = (float)row[i];
        if (slot < 0) _rows.Add(copy);
        else _rows[slot] = copy;
    }
}
