namespace Ml.GanSdp;

/// <summary>How many synthetic rows each class gets (see <see cref="SyntheticAllocation"/>).</summary>
internal static class SyntheticCounts
{
    /// <summary>The largest synthetic ratio accepted (keeps ratio x n far inside exact double integers for any real row count).</summary>
    public const double MaxRatio = 1e6;

    /// <summary>The same number of rows for each of <paramref name="classes"/> classes.</summary>
    public static long[] PerClass(int rowsPerClass, int classes)
    {
        var counts = new long[classes];
        Array.Fill(counts, rowsPerClass);
        return counts;
    }

    /// <summary>
    /// Synthetic rows per class for <paramref name="ratio"/> x the real rows (<paramref name="realCounts"/>[c] = real rows
    /// of class key c + 1), by <paramref name="allocation"/>. The total is always round(ratio x n) (half away from zero).
    /// </summary>
    public static long[] FromRatio(IReadOnlyList<long> realCounts, double ratio, SyntheticAllocation allocation)
    {
        ArgumentNullException.ThrowIfNull(realCounts);
        if (realCounts.Count == 0) throw new ArgumentException("There must be at least one class.", nameof(realCounts));
        if (!(ratio >= 0 && ratio <= MaxRatio)) throw new ArgumentOutOfRangeException(nameof(ratio), ratio, $"The ratio must be in [0, {MaxRatio}].");
        long n = 0;
        foreach (var c in realCounts)
        {
            if (c < 0) throw new ArgumentOutOfRangeException(nameof(realCounts), c, "A class count is negative.");
            n = checked(n + c);
        }
        long total = (long)Math.Round(ratio * n, MidpointRounding.AwayFromZero);
        int k = realCounts.Count;
        var counts = new long[k];
        if (allocation == SyntheticAllocation.Uniform)
        {
            for (int c = 0; c < k; c++) counts[c] = total / k + (c < total % k ? 1 : 0);
            return counts;
        }
        // Largest remainder (Hamilton): floors first, then the remaining rows to the largest fractional parts.
        var fraction = new double[k];
        long assigned = 0;
        for (int c = 0; c < k; c++)
        {
            double exact = ratio * realCounts[c];
            counts[c] = (long)Math.Floor(exact);
            fraction[c] = exact - counts[c];
            assigned += counts[c];
        }
        long left = total - assigned;
        foreach (int c in Enumerable.Range(0, k).OrderByDescending(c => fraction[c]).ThenBy(c => c))
        {
            if (left <= 0) break;
            counts[c]++;
            left--;
        }
        return counts;
    }
}
