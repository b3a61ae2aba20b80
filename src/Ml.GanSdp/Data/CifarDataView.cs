using static Ml.GanSdp.torch;

namespace Ml.GanSdp.Data;

/// <summary>
/// The view of <see cref="CifarLoader"/>: Image (3 x 32 x 32 uint8, RGB), Label (key) and, for CIFAR-100,
/// CoarseLabel (key). Each batch reads its records from the files by offset.
/// </summary>
public sealed class CifarDataView : RandomAccessDataView
{
    /// <summary>Pixel bytes per record: 3 planes (R, G, B) of 32 x 32.</summary>
    public const int PixelBytes = 3 * 32 * 32;

    private readonly string[] _files;
    private readonly long[] _firstRow; // cumulative record offsets, length files + 1
    private readonly CifarLoaderOptions _options;
    private readonly int _labelBytes;

    internal CifarDataView(CifarKind kind, string[] files, IReadOnlyList<string> fine, IReadOnlyList<string> coarse, CifarLoaderOptions options)
    {
        Kind = kind;
        _files = files;
        _options = options;
        _labelBytes = kind == CifarKind.Cifar10 ? 1 : 2;
        _firstRow = new long[files.Length + 1];
        for (int i = 0; i < files.Length; i++)
        {
            long len = new FileInfo(files[i]).Length;
            if (len == 0 || len % RecordSize != 0)
                throw new InvalidDataException($"CIFAR batch file '{files[i]}' has {len} bytes, not a whole number of {RecordSize}-byte {kind} records.");
            _firstRow[i + 1] = _firstRow[i] + len / RecordSize;
        }
        ClassNames = fine;
        CoarseClassNames = kind == CifarKind.Cifar100 ? coarse : null;
        var cols = new List<(string, DataViewType, IReadOnlyList<string>?)>
        {
            (options.ImageColumnName, new ImageDataViewType(3, 32, 32), null),
            (options.LabelColumnName, new KeyDataViewType(fine.Count), fine),
        };
        if (kind == CifarKind.Cifar100) cols.Add((options.CoarseLabelColumnName, new KeyDataViewType(coarse.Count), coarse));
        Schema = new DataViewSchema(cols);
    }

    /// <inheritdoc/>
    public override DataViewSchema Schema { get; }

    /// <summary>CIFAR-10 or CIFAR-100.</summary>
    public CifarKind Kind { get; }

    /// <summary>Bytes per record: label byte(s) + 3072 pixels.</summary>
    public int RecordSize => _labelBytes + PixelBytes;

    /// <summary>The (fine) class names.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>CIFAR-100's coarse class names; null for CIFAR-10.</summary>
    public IReadOnlyList<string>? CoarseClassNames { get; }

    /// <summary>The batch files, in row order.</summary>
    public IReadOnlyList<string> Files => _files;

    /// <inheritdoc/>
    protected override long SourceRowCount => _firstRow[^1];

    /// <inheritdoc/>
    protected override DataBatch ReadRows(long[] rows)
    {
        var pixels = new byte[(long)rows.Length * PixelBytes];
        var fine = new long[rows.Length];
        var coarse = new long[rows.Length];
        var record = new byte[RecordSize];
        var streams = new FileStream?[_files.Length];
        try
        {
            for (int i = 0; i < rows.Length; i++)
            {
                int f = Array.BinarySearch(_firstRow, rows[i]);
                if (f < 0) f = ~f - 1;
                long local = rows[i] - _firstRow[f];
                var s = streams[f] ??= new FileStream(_files[f], FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 14, FileOptions.RandomAccess);
                s.Position = local * RecordSize;
                s.ReadExactly(record);
                if (_labelBytes == 1) fine[i] = record[0];
                else { coarse[i] = record[0]; fine[i] = record[1]; }
                if (fine[i] >= ClassNames.Count || (CoarseClassNames is not null && coarse[i] >= CoarseClassNames.Count))
                    throw new InvalidDataException($"CIFAR batch file '{_files[f]}' record {local} has label {fine[i]}{(_labelBytes == 2 ? $" (coarse {coarse[i]})" : "")}, beyond the {ClassNames.Count} classes.");
                Buffer.BlockCopy(record, _labelBytes, pixels, i * PixelBytes, PixelBytes);
            }
        }
        finally
        {
            foreach (var s in streams) s?.Dispose();
        }
        var batch = new DataBatch(Schema, rows);
        try
        {
            batch.SetTensor(_options.ImageColumnName, from_bytes(pixels, ScalarType.Byte, new long[] { rows.Length, 3, 32, 32 }));
            batch.SetTensor(_options.LabelColumnName, Vectors.Of(fine));
            if (Kind == CifarKind.Cifar100) batch.SetTensor(_options.CoarseLabelColumnName, Vectors.Of(coarse));
            return batch;
        }
        catch
        {
            batch.Dispose();
            throw;
        }
    }
}
