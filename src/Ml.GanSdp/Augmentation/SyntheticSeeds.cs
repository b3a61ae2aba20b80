using Ml.GanSdp.Onnx;

namespace Ml.GanSdp;

/// <summary>
/// The generator seed of each synthetic row made by <see cref="AugmentationCatalog.Augment(Microsoft.ML.DataOperationsCatalog, Microsoft.ML.IDataView, Microsoft.ML.ITransformer, AugmentationOptions)"/>
/// and <see cref="AugmentationCatalog.GenerateImages(Microsoft.ML.DataOperationsCatalog, Microsoft.ML.ITransformer, Microsoft.ML.DataViewSchema, ImageGenerationOptions)"/>:
/// a function of the run's seed, the row's class key and its index within the class, and nothing else.
/// </summary>
/// <remarks>
/// With mix = SplitMix64's finalizer (<see cref="SeededLatent.Mix"/>), gamma = <c>0x9E3779B97F4A7C15</c> and all
/// arithmetic on unsigned 64-bit integers mod 2^64 (seeds as two's complement):
/// <list type="bullet">
/// <item>class stream t_k = mix(seed + (k + 1) gamma), for class key k (1-based; 0 for an unconditional generator);</item>
/// <item>row seed s_(k,i) = mix(t_k + (i + 1) gamma), for the i-th synthetic row of class k (0-based), read as Int64.</item>
/// </list>
/// So t_k is the (k+1)-th output of Vigna's <c>splitmix64</c> started at state <c>seed</c>, and s_(k,i) the (i+1)-th output
/// of <c>splitmix64</c> started at state t_k. Consequences: asking for more rows per class only appends rows (the first
/// n rows of a class are the same for any count >= n); the classes' streams are unrelated; two different run seeds give
/// unrelated rows (not the same rows shifted by one, as seed + i would); mix is a bijection, so the rows of one class
/// never repeat a seed.
/// </remarks>
public static class SyntheticSeeds
{
    /// <summary>t_k = mix(seed + (k + 1) gamma): the state of class <paramref name="classKey"/>'s seed stream.</summary>
    public static ulong ClassStream(long seed, uint classKey)
        => SeededLatent.Mix(unchecked((ulong)seed + ((ulong)classKey + 1) * SeededLatent.Gamma));

    /// <summary>s_(k,i) = mix(t_k + (i + 1) gamma) as Int64: the generator seed of row <paramref name="index"/> (0-based) of class <paramref name="classKey"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is negative.</exception>
    public static long RowSeed(long seed, uint classKey, long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        return RowSeedOfStream(ClassStream(seed, classKey), index);
    }

    /// <summary>The row seed from a class stream state (<see cref="ClassStream"/>).</summary>
    internal static long RowSeedOfStream(ulong classStream, long index)
        => unchecked((long)SeededLatent.Mix(classStream + ((ulong)index + 1) * SeededLatent.Gamma));
}
