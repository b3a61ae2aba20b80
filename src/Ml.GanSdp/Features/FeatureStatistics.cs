using System.Numerics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.GanSdp.Serialization;

namespace Ml.GanSdp.Features;

/// <summary>
/// Mean and covariance of feature vectors, the Gaussian a Frechet distance compares, accumulated in float64 from a
/// stream of vectors without keeping them. Vectors are gathered in blocks of <see cref="BlockRows"/>; a block's mean
/// and its sum of centred outer products M2_b (two passes over the block) are merged into the running (n, mean, M2)
/// by Chan, Golub and LeVeque's pairwise update (1979): with m rows in the block and delta = mean_b - mean,
/// <c>M2 += M2_b + delta deltaᵀ · n m / (n + m)</c>, <c>mean += delta · m / (n + m)</c>. The covariance is the unbiased
/// <c>M2 / (n - 1)</c>, numpy's <c>np.cov(x, rowvar=False)</c> as pytorch-fid computes it.
/// <para>
/// Saved as <c>.npz</c> in pytorch-fid's layout: <c>mu</c> (d) and <c>sigma</c> (d x d) float64, plus <c>n</c> (the
/// sample count) and <c>feature_space</c> (a numpy string naming the features, see <see cref="FeatureSpace"/>), which
/// pytorch-fid ignores. This is the library's one implementation of feature statistics: every Frechet distance
/// (<c>Metrics.FrechetDistance</c>) compares two of them. An instance is not thread-safe: one writer at a time; merge
/// instances filled on different threads with <see cref="Add(FeatureStatistics)"/>.
/// </para>
/// </summary>
public sealed class FeatureStatistics
{
    /// <summary>Largest feature dimension: the d x d covariance must fit in an array (and in <see cref="NpzArrays.MaxElements"/>).</summary>
    public const int MaxDimension = 11_585;

    /// <summary>Rows gathered before they are merged (a block of 128 x d float64 values).</summary>
    public const int BlockRows = 128;

    private readonly double[] _mean;
    private readonly double[] _m2;          // d x d, upper triangle used until read; empty when loaded without n
    private readonly double[]? _covariance; // d x d, only for statistics loaded without a sample count
    private readonly double[] _block;       // BlockRows x d
    private double[]? _loadedCovariance;    // sigma as read from a file with n, returned exactly until vectors are added
    private int _blockCount;
    private long _count;

    /// <summary>Empty statistics of <paramref name="dimension"/>-d vectors.</summary>
    public FeatureStatistics(int dimension)
    {
        if (dimension is < 1 or > MaxDimension) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, $"The feature dimension must be 1..{MaxDimension}.");
        Dimension = dimension;
        _mean = new double[dimension];
        _m2 = new double[dimension * dimension];
        _block = new double[BlockRows * dimension];
    }

    private FeatureStatistics(double[] mean, double[] covariance)
    {
        Dimension = mean.Length;
        _mean = mean;
        _m2 = Array.Empty<double>();
        _covariance = covariance;
        _block = Array.Empty<double>();
        _count = -1;
    }

    /// <summary>The feature dimension d.</summary>
    public int Dimension { get; }

    /// <summary>The number of vectors added; null for statistics loaded from a file without <c>n</c>.</summary>
    public long? Count => _count < 0 ? null : _count + _blockCount;

    /// <summary>
    /// The feature space the vectors come from (for example <c>"ResNet18"</c> or <c>"InceptionV3Fid-2048"</c>), saved
    /// with the statistics so that statistics of different networks are never compared; null when unknown (such as
    /// pytorch-fid's own files).
    /// </summary>
    public string? FeatureSpace { get; set; }

    /// <summary>Whether the covariance is certainly singular: fewer than d + 1 vectors give rank at most n - 1 &lt; d.</summary>
    public bool HasTooFewSamples => Count is { } n && n < Dimension + 1;

    /// <summary>Adds one vector (widened to float64). Throws <see cref="ArgumentException"/> for a wrong length or a non-finite value.</summary>
    public void Add(ReadOnlySpan<float> features)
    {
        var row = NextRow(features.Length);
        for (int j = 0; j < row.Length; j++) row[j] = features[j];
        CommitRow(row);
    }

    /// <summary>Adds one vector. Throws <see cref="ArgumentException"/> for a wrong length or a non-finite value.</summary>
    public void Add(ReadOnlySpan<double> features)
    {
        var row = NextRow(features.Length);
        features.CopyTo(row);
        CommitRow(row);
    }

    /// <summary>Merges the vectors <paramref name="other"/> has seen into these statistics (Chan et al.'s pairwise update).</summary>
    public void Add(FeatureStatistics other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Dimension != Dimension) throw new ArgumentException($"Cannot merge {other.Dimension}-d statistics into {Dimension}-d ones.", nameof(other));
        if (other.Count is null) throw new ArgumentException("The statistics to merge were loaded without a sample count.", nameof(other));
        CheckMergeable();
        if (ReferenceEquals(other, this)) throw new ArgumentException("Cannot merge statistics into themselves.", nameof(other));
        other.Flush();
        Flush();
        _loadedCovariance = null;
        Merge(other._count, other._mean, other._m2);
    }

    /// <summary>The mean (a copy).</summary>
    public double[] Mean()
    {
        Flush();
        if (_count == 0) throw new InvalidOperationException("No vectors were added: the mean is undefined.");
        return (double[])_mean.Clone();
    }

    /// <summary>The unbiased covariance M2 / (n - 1), d x d row-major (a copy). Needs at least 2 vectors.</summary>
    public double[] Covariance()
    {
        if (_covariance is not null) return (double[])_covariance.Clone();
        if (_loadedCovariance is not null) return (double[])_loadedCovariance.Clone();
        Flush();
        if (_count < 2) throw new InvalidOperationException($"The covariance needs at least 2 vectors; {_count} were added.");
        int d = Dimension;
        var c = new double[d * d];
        double scale = 1.0 / (_count - 1);
        for (int i = 0; i < d; i++)
            for (int j = i; j < d; j++)
                c[i * d + j] = c[j * d + i] = _m2[i * d + j] * scale;
        return c;
    }

    /// <summary>
    /// Streams a feature column (known-size <c>Vector&lt;Single&gt;</c> or <c>Vector&lt;Double&gt;</c>) of
    /// <paramref name="data"/> into statistics. Reading the column runs whatever computes it (e.g. ResNet18
    /// featurization); <paramref name="progress"/> hears the number of rows read, every 64 rows and at the end.
    /// </summary>
    public static FeatureStatistics FromColumn(IDataView data, string columnName, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
        => FromColumnObserved(data, columnName, progress, cancellationToken, null);

    /// <summary>As the public overload; <paramref name="onRow"/> also sees every row's features (widened to float64, a reused buffer).</summary>
    internal static FeatureStatistics FromColumnObserved(IDataView data, string columnName, IProgress<long>? progress, CancellationToken cancellationToken, Action<ReadOnlySpan<double>>? onRow)
    {
        ArgumentNullException.ThrowIfNull(data);
        var column = data.Schema.GetColumnOrNull(columnName)
            ?? throw new ArgumentOutOfRangeException(nameof(columnName), $"Feature column '{columnName}' not found; the data has [{string.Join(", ", data.Schema.Where(c => !c.IsHidden).Select(c => c.Name))}].");
        if (column.Type is not VectorDataViewType { IsKnownSize: true } vector || (vector.ItemType != NumberDataViewType.Single && vector.ItemType != NumberDataViewType.Double))
            throw new ArgumentOutOfRangeException(nameof(columnName), $"Feature column '{columnName}' is {column.Type}; it must be a known-size Vector<Single> or Vector<Double>.");
        var statistics = new FeatureStatistics(vector.Size);
        var wide = onRow is null ? null : new double[vector.Size];
        if (vector.ItemType == NumberDataViewType.Single)
            statistics.AddColumn<float>(data, column, (s, v) =>
            {
                s.Add(v);
                if (wide is null) return;
                for (int j = 0; j < v.Length; j++) wide[j] = v[j];
                onRow!(wide);
            }, progress, cancellationToken);
        else
            statistics.AddColumn<double>(data, column, (s, v) =>
            {
                s.Add(v);
                onRow?.Invoke(v);
            }, progress, cancellationToken);
        return statistics;
    }

    /// <summary>
    /// Writes <c>mu</c>, <c>sigma</c> (float64), and when known <c>n</c> (an int64 scalar) and <c>feature_space</c> (a
    /// numpy string), to an uncompressed .npz atomically (temporary file, then renamed).
    /// </summary>
    public void Save(string path)
    {
        var arrays = new List<(string, NpyArray)>
        {
            ("mu", Float64Array(new long[] { Dimension }, Mean())),
            ("sigma", Float64Array(new long[] { Dimension, Dimension }, Covariance())),
        };
        if (Count is { } n) arrays.Add(("n", new NpyArray(NpyType.Int64, 8, Array.Empty<long>(), BitConverter.GetBytes(n))));
        if (FeatureSpace is { } space) arrays.Add(("feature_space", NpyArray.FromString(space)));
        NpzArrays.SaveNpzRaw(path, arrays);
    }

    private static NpyArray Float64Array(long[] shape, double[] values)
    {
        var bytes = new byte[8 * values.Length];
        for (int i = 0; i < values.Length; i++) System.Buffers.Binary.BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(8 * i), values[i]);
        return new NpyArray(NpyType.Float64, 8, shape, bytes);
    }

    /// <summary>
    /// Reads a .npz with <c>mu</c> (d) and <c>sigma</c> (d x d), float32 or float64 (pytorch-fid's files), and
    /// <c>n</c> when present. With <c>n</c> the statistics can take more vectors; without, only be read.
    /// </summary>
    public static FeatureStatistics Load(string path)
    {
        var raw = NpzArrays.LoadNpzRaw(path, NpzArrays.MaxElements);
        var arrays = raw.Where(kv => kv.Value.Type != NpyType.Unicode).ToDictionary(kv => kv.Key, kv => NpzArrays.Widen(kv.Value, $"'{path}': {kv.Key}"));
        var s = FromMoments(path, arrays);
        if (raw.TryGetValue("feature_space", out var space)) s.FeatureSpace = space.AsString($"'{path}': feature_space");
        return s;
    }

    private static FeatureStatistics FromMoments(string path, Dictionary<string, NumpyArray> arrays)
    {
        foreach (var key in new[] { "mu", "sigma" })
            if (!arrays.ContainsKey(key))
                throw new InvalidDataException($"'{path}' has no '{key}' array (it has [{string.Join(", ", arrays.Keys)}]); Frechet statistics need 'mu' and 'sigma'.");
        var mu = arrays["mu"];
        var sigma = arrays["sigma"];
        if (mu.Shape.Length != 1 || mu.Shape[0] is < 1 or > MaxDimension || sigma.Shape.Length != 2 || sigma.Shape[0] != mu.Shape[0] || sigma.Shape[1] != mu.Shape[0])
            throw new InvalidDataException($"'{path}': mu must be (d,) and sigma (d, d) with 1 <= d <= {MaxDimension}; got mu ({string.Join(", ", mu.Shape)}) and sigma ({string.Join(", ", sigma.Shape)}).");
        if (mu.Values.Concat(sigma.Values).Any(v => !double.IsFinite(v)))
            throw new InvalidDataException($"'{path}': mu or sigma holds a non-finite value.");
        if (!arrays.TryGetValue("n", out var n)) return new FeatureStatistics(mu.Values, sigma.Values);
        if (n.Values.Length != 1 || n.Values[0] < 0 || n.Values[0] != Math.Floor(n.Values[0]))
            throw new InvalidDataException($"'{path}': 'n' must be one non-negative sample count, got [{string.Join(", ", n.Values.Take(4))}].");
        long count = (long)n.Values[0];
        int d = mu.Values.Length;
        var s = new FeatureStatistics(d);
        if (count == 0) return s;
        if (count == 1 && sigma.Values.Any(v => v != 0))
            throw new InvalidDataException($"'{path}': n = 1 but sigma is not zero.");
        mu.Values.CopyTo(s._mean, 0);
        for (int i = 0; i < d; i++)
            for (int j = i; j < d; j++)
                s._m2[i * d + j] = sigma.Values[i * d + j] * (count - 1);
        s._count = count;
        if (count >= 2) s._loadedCovariance = sigma.Values;
        return s;
    }

    private void AddColumn<T>(IDataView data, DataViewSchema.Column column, Action<FeatureStatistics, ReadOnlySpan<T>> add, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        using var cursor = data.GetRowCursor(new[] { column });
        var getter = cursor.GetGetter<VBuffer<T>>(column);
        var buffer = default(VBuffer<T>);
        var dense = new T[Dimension];
        long rows = 0;
        while (cursor.MoveNext())
        {
            cancellationToken.ThrowIfCancellationRequested();
            getter(ref buffer);
            buffer.CopyTo(dense);
            try { add(this, dense); }
            catch (ArgumentException e) { throw new InvalidDataException($"Row {rows} of feature column '{column.Name}': {e.Message}", e); }
            if (++rows % 64 == 0) progress?.Report(rows);
        }
        progress?.Report(rows);
    }

    private Span<double> NextRow(int length)
    {
        CheckMergeable();
        if (length != Dimension) throw new ArgumentException($"A feature vector must have {Dimension} values, got {length}.");
        _loadedCovariance = null;
        return _block.AsSpan(_blockCount * Dimension, Dimension);
    }

    private void CommitRow(Span<double> row)
    {
        for (int j = 0; j < row.Length; j++)
            if (!double.IsFinite(row[j])) throw new ArgumentException($"Feature {j} is {row[j]}: statistics need finite values.");
        if (++_blockCount == BlockRows) Flush();
    }

    private void CheckMergeable()
    {
        if (_covariance is not null) throw new InvalidOperationException("These statistics were loaded without a sample count ('n'), so vectors cannot be added to them.");
    }

    /// <summary>
    /// Merges the gathered block: its mean, the pairwise update with its M2 = the sum of its rows' centred outer
    /// products, which are added straight into the running M2 (upper triangle).
    /// </summary>
    private void Flush()
    {
        if (_covariance is not null || _blockCount == 0) return;
        int d = Dimension, m = _blockCount;
        var blockMean = new double[d];
        for (int r = 0; r < m; r++) AddScaled(blockMean, _block.AsSpan(r * d, d), 1.0);
        for (int j = 0; j < d; j++) blockMean[j] /= m;
        for (int r = 0; r < m; r++)
        {
            var row = _block.AsSpan(r * d, d);
            AddScaled(row, blockMean, -1.0);
            for (int i = 0; i < d; i++)
                if (row[i] != 0) AddScaled(_m2.AsSpan(i * d + i, d - i), row[i..], row[i]);
        }
        _blockCount = 0;
        Merge(m, blockMean, null);
    }

    /// <summary>
    /// The pairwise update with a part of <paramref name="m"/> vectors of mean <paramref name="mean"/> and M2
    /// <paramref name="m2"/> (upper triangle; null when it was already added to the running M2).
    /// </summary>
    private void Merge(long m, double[] mean, double[]? m2)
    {
        if (m == 0) return;
        int d = Dimension;
        long n = _count;
        double total = n + (double)m;
        var delta = new double[d];
        for (int j = 0; j < d; j++) delta[j] = mean[j] - _mean[j];
        double weight = n * (double)m / total;
        for (int i = 0; i < d; i++)
        {
            var target = _m2.AsSpan(i * d + i, d - i);
            if (m2 is not null) AddScaled(target, m2.AsSpan(i * d + i, d - i), 1.0);
            if (n > 0 && delta[i] != 0) AddScaled(target, delta.AsSpan(i), weight * delta[i]);
        }
        AddScaled(_mean, delta, m / total);
        _count = n + m;
    }

    /// <summary><c>target += a · source</c>, vectorised.</summary>
    private static void AddScaled(Span<double> target, ReadOnlySpan<double> source, double a)
    {
        int k = 0;
        if (Vector.IsHardwareAccelerated && target.Length >= Vector<double>.Count)
        {
            var scale = new Vector<double>(a);
            for (; k <= target.Length - Vector<double>.Count; k += Vector<double>.Count)
                (new Vector<double>(target[k..]) + scale * new Vector<double>(source[k..])).CopyTo(target[k..]);
        }
        for (; k < target.Length; k++) target[k] += a * source[k];
    }
}
