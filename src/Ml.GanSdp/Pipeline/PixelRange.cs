using System.Globalization;

namespace Ml.GanSdp;

/// <summary>
/// The value range [<see cref="Min"/>, <see cref="Max"/>] of a pixel column: 0..255 is what ImageAnalytics'
/// <c>ExtractPixels</c> writes with its defaults (and what the data sources write). Training maps it linearly onto
/// tanh's [-1, 1]; generated images are mapped back with the inverse map.
/// </summary>
/// <param name="Min">The value of black (tanh -1).</param>
/// <param name="Max">The value of white (tanh +1).</param>
public readonly record struct PixelRange(float Min, float Max)
{
    /// <summary>0..255, ExtractPixels' default scale.</summary>
    public static PixelRange Bytes => new(0, 255);

    /// <summary>-1..1, the generator's own scale.</summary>
    public static PixelRange Tanh => new(-1, 1);

    /// <summary>Throws <see cref="ArgumentException"/> naming <paramref name="what"/> unless both ends are finite and Min &lt; Max.</summary>
    public void Validate(string what)
    {
        if (!float.IsFinite(Min) || !float.IsFinite(Max) || !(Min < Max))
            throw new ArgumentException($"{what} {this} must have finite ends with Min < Max.");
    }

    /// <summary>Whether <paramref name="value"/> lies in [Min, Max] (false for NaN).</summary>
    public bool Contains(float value) => value >= Min && value <= Max;

    /// <summary>
    /// The training value of a pixel: t = 2 (v - Min) / (Max - Min) - 1, computed in float64 and rounded once to float32,
    /// so Min maps to exactly -1 and Max to exactly 1.
    /// </summary>
    public float ToTanhScale(float value) => (float)(2.0 * ((double)value - Min) / ((double)Max - Min) - 1.0);

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"[{Min:R}, {Max:R}]");
}
