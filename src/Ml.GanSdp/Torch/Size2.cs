namespace Ml.GanSdp;

/// <summary>A (height, width) pair for kernel sizes, strides and paddings; a single number means both.</summary>
public readonly record struct Size2(long Height, long Width)
{
    /// <summary>The same value for height and width.</summary>
    public static implicit operator Size2(long both) => new(both, both);

    /// <summary>(height, width).</summary>
    public static implicit operator Size2((long h, long w) hw) => new(hw.h, hw.w);

    internal long[] ToArray() => new[] { Height, Width };
}
