using System.Collections.Immutable;
using Microsoft.ML.Data;

namespace Ml.GanSdp;

/// <summary>
/// The shape of one image in channels-first layout [C, H, W]: what ImageAnalytics' <c>ExtractPixels</c> puts in a
/// pixel column's <see cref="VectorDataViewType.Dimensions"/> (with its default, non-interleaved planes).
/// </summary>
/// <param name="Channels">C: 1 (gray) or 3 (R, G, B planes in that order).</param>
/// <param name="Height">H in pixels.</param>
/// <param name="Width">W in pixels.</param>
public readonly record struct ImageShape(int Channels, int Height, int Width)
{
    /// <summary>Values per image: C x H x W.</summary>
    public long Size => (long)Channels * Height * Width;

    /// <summary>Pixels per plane: H x W.</summary>
    public long Pixels => (long)Height * Width;

    /// <summary>Throws <see cref="ArgumentException"/> unless C is 1 or 3 and H, W are positive.</summary>
    public void Validate(string what)
    {
        if (Channels is not (1 or 3)) throw new ArgumentException($"{what} has {Channels} channels; 1 (gray) or 3 (RGB) are supported.");
        if (Height < 1 || Width < 1) throw new ArgumentException($"{what} has size {Height} x {Width}; height and width must be positive.");
    }

    /// <summary>Reads [C, H, W] from a pixel column's type (e.g. the output of <c>ExtractPixels</c>).</summary>
    /// <exception cref="ArgumentException">The type is not a known-size Single vector with three dimensions.</exception>
    public static ImageShape FromVectorType(VectorDataViewType type, string columnName)
    {
        ArgumentNullException.ThrowIfNull(type);
        ImmutableArray<int> d = type.Dimensions;
        if (type.ItemType != NumberDataViewType.Single || d.Length != 3 || !type.IsKnownSize)
            throw new ArgumentException($"Column '{columnName}' has type {type}; a known-size Single vector with dimensions [C, H, W] (ExtractPixels' output) is needed.");
        return new ImageShape(d[0], d[1], d[2]);
    }

    /// <inheritdoc/>
    public override string ToString() => $"[{Channels}, {Height}, {Width}]";
}
