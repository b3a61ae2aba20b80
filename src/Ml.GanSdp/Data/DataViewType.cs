namespace Ml.GanSdp.Data;

/// <summary>
/// The type of a data-view column (ML.NET's <c>DataViewType</c>). Values of a batch are stored per column:
/// <see cref="ImageDataViewType"/>, <see cref="TensorDataViewType"/>, <see cref="KeyDataViewType"/> and
/// <see cref="NumberDataViewType"/> columns as one tensor whose first dimension is the row; <see cref="TextDataViewType"/>
/// columns as strings.
/// </summary>
public abstract class DataViewType : IEquatable<DataViewType>
{
    private protected DataViewType() { }

    /// <summary>Whether batch values of this column are tensors (every type except text).</summary>
    public abstract bool IsTensor { get; }

    /// <inheritdoc/>
    public abstract bool Equals(DataViewType? other);

    /// <inheritdoc/>
    public sealed override bool Equals(object? obj) => obj is DataViewType t && Equals(t);

    /// <inheritdoc/>
    public abstract override int GetHashCode();
}

/// <summary>Text (ML.NET's <c>TextDataViewType</c>), for example a file path.</summary>
public sealed class TextDataViewType : DataViewType
{
    private TextDataViewType() { }

    /// <summary>The one instance.</summary>
    public static TextDataViewType Instance { get; } = new();

    /// <inheritdoc/>
    public override bool IsTensor => false;

    /// <inheritdoc/>
    public override bool Equals(DataViewType? other) => other is TextDataViewType;

    /// <inheritdoc/>
    public override int GetHashCode() => 17;

    /// <inheritdoc/>
    public override string ToString() => "Text";
}

/// <summary>A scalar number per row (ML.NET's <c>NumberDataViewType</c>); a batch holds a 1-D tensor of <see cref="ItemType"/>.</summary>
public sealed class NumberDataViewType : DataViewType
{
    private NumberDataViewType(ScalarType itemType) => ItemType = itemType;

    /// <summary>float32.</summary>
    public static NumberDataViewType Single { get; } = new(ScalarType.Float32);
    /// <summary>float64.</summary>
    public static NumberDataViewType Double { get; } = new(ScalarType.Float64);
    /// <summary>int32.</summary>
    public static NumberDataViewType Int32 { get; } = new(ScalarType.Int32);
    /// <summary>int64.</summary>
    public static NumberDataViewType Int64 { get; } = new(ScalarType.Int64);
    /// <summary>uint8.</summary>
    public static NumberDataViewType Byte { get; } = new(ScalarType.Byte);

    /// <summary>The element type.</summary>
    public ScalarType ItemType { get; }

    /// <summary>The number type of <paramref name="t"/>.</summary>
    public static NumberDataViewType For(ScalarType t) => t switch
    {
        ScalarType.Float32 => Single,
        ScalarType.Float64 => Double,
        ScalarType.Int32 => Int32,
        ScalarType.Int64 => Int64,
        ScalarType.Byte => Byte,
        _ => throw new NotSupportedException($"No number column type for {t}."),
    };

    /// <inheritdoc/>
    public override bool IsTensor => true;

    /// <inheritdoc/>
    public override bool Equals(DataViewType? other) => other is NumberDataViewType n && n.ItemType == ItemType;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(1, ItemType);

    /// <inheritdoc/>
    public override string ToString() => ItemType.ToString();
}

/// <summary>
/// A key (ML.NET's <c>KeyDataViewType</c>): a class index in 0..<see cref="Count"/>-1 stored as int64
/// (ML.NET uses 1-based uint keys; here 0-based int64, as PyTorch labels). The class names are the column's
/// <see cref="DataViewSchema.Column.KeyValues"/>.
/// </summary>
public sealed class KeyDataViewType : DataViewType
{
    /// <summary>A key type with <paramref name="count"/> classes.</summary>
    public KeyDataViewType(long count)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "A key type needs at least one class.");
        Count = count;
    }

    /// <summary>The number of classes.</summary>
    public long Count { get; }

    /// <inheritdoc/>
    public override bool IsTensor => true;

    /// <inheritdoc/>
    public override bool Equals(DataViewType? other) => other is KeyDataViewType k && k.Count == Count;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(2, Count);

    /// <inheritdoc/>
    public override string ToString() => $"Key<int64, {Count}>";
}

/// <summary>A fixed-shape tensor per row (ML.NET's <c>VectorDataViewType</c>); a batch holds N x <see cref="Dimensions"/>.</summary>
public sealed class TensorDataViewType : DataViewType
{
    /// <summary>A tensor column of <paramref name="itemType"/> with per-row <paramref name="dimensions"/>.</summary>
    public TensorDataViewType(ScalarType itemType, params long[] dimensions)
    {
        ArgumentNullException.ThrowIfNull(dimensions);
        if (dimensions.Any(d => d < 1)) throw new ArgumentOutOfRangeException(nameof(dimensions), $"Tensor column dimensions must be positive; got [{string.Join(", ", dimensions)}].");
        ItemType = itemType;
        Dimensions = dimensions.ToArray();
    }

    /// <summary>The element type.</summary>
    public ScalarType ItemType { get; }

    /// <summary>The shape of one row.</summary>
    public IReadOnlyList<long> Dimensions { get; }

    /// <inheritdoc/>
    public override bool IsTensor => true;

    /// <inheritdoc/>
    public override bool Equals(DataViewType? other) => other is TensorDataViewType t && t.ItemType == ItemType && t.Dimensions.SequenceEqual(Dimensions);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(3, ItemType, Dimensions.Count, Dimensions.Count > 0 ? Dimensions[0] : 0);

    /// <inheritdoc/>
    public override string ToString() => $"Tensor<{ItemType}, {string.Join("x", Dimensions)}>";
}

/// <summary>
/// An image per row (ML.NET's <c>ImageDataViewType</c>), always C x H x W (channels first, RGB order): uint8 in
/// 0..255 as loaded, or float32 in <see cref="Range"/> after <c>NormalizePixels</c>. <see cref="Height"/> and
/// <see cref="Width"/> are 0 when images vary in size (an image folder before <c>ResizeImages</c>); such a column
/// is held per row in a batch and stacks only when its rows agree.
/// </summary>
public sealed class ImageDataViewType : DataViewType
{
    /// <summary>An image type; <paramref name="height"/> and <paramref name="width"/> 0 mean "varies".</summary>
    public ImageDataViewType(int channels, int height, int width, ScalarType itemType = ScalarType.Byte, Imaging.PixelRange? range = null)
    {
        if (channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(channels), channels, "An image has 1 (gray) or 3 (RGB) channels.");
        if (height < 0 || width < 0 || (height == 0) != (width == 0))
            throw new ArgumentOutOfRangeException(nameof(height), $"Image size {height}x{width} is invalid: both positive, or both 0 for a varying size.");
        if (itemType is not (ScalarType.Byte or ScalarType.Float32))
            throw new ArgumentOutOfRangeException(nameof(itemType), itemType, "Image pixels are uint8 or float32.");
        if ((itemType == ScalarType.Float32) != range.HasValue)
            throw new ArgumentException("A float32 image type needs a PixelRange; a uint8 one takes none.", nameof(range));
        Channels = channels;
        Height = height;
        Width = width;
        ItemType = itemType;
        Range = range;
    }

    /// <summary>1 (gray) or 3 (RGB).</summary>
    public int Channels { get; }

    /// <summary>Height in pixels, 0 when it varies.</summary>
    public int Height { get; }

    /// <summary>Width in pixels, 0 when it varies.</summary>
    public int Width { get; }

    /// <summary>uint8 (0..255) or float32 (in <see cref="Range"/>).</summary>
    public ScalarType ItemType { get; }

    /// <summary>The range of float32 pixels; null for uint8.</summary>
    public Imaging.PixelRange? Range { get; }

    /// <summary>Whether every row has the same size.</summary>
    public bool HasFixedSize => Height > 0;

    /// <summary>The shape of one row, C x H x W (H and W 0 when varying).</summary>
    public long[] RowShape => new long[] { Channels, Height, Width };

    /// <inheritdoc/>
    public override bool IsTensor => true;

    /// <inheritdoc/>
    public override bool Equals(DataViewType? other) => other is ImageDataViewType i && i.Channels == Channels && i.Height == Height
        && i.Width == Width && i.ItemType == ItemType && i.Range == Range;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(4, Channels, Height, Width, ItemType, Range);

    /// <inheritdoc/>
    public override string ToString() => $"Image<{ItemType}{(Range is { } r ? " " + r : "")}, {Channels}x{(HasFixedSize ? $"{Height}x{Width}" : "?x?")}>";
}
