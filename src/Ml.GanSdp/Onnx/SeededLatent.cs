namespace Ml.GanSdp.Onnx;

/// <summary>
/// The latent code z (L float32 values, approximately N(0, 1)) of a row, computed from the row's int64 seed alone, so
/// that a (seed, label) pair fixes its generated image in every runtime. The same definition exists twice: as C# here
/// (<see cref="Compute(long, int)"/>) and as an ONNX subgraph of integer and float ops (<see cref="AddTo(OnnxGraphBuilder, OnnxValue, int)"/>).
/// </summary>
/// <remarks>
/// <para><b>Definition.</b> Let s be the seed as uint64 (two's complement), gamma = 0x9E3779B97F4A7C15, P = ceil(L / 2),
/// and all integer arithmetic modulo 2^64.</para>
/// <list type="number">
/// <item>Bits (SplitMix64, Steele, Lea and Flood 2014, with Stafford's "variant 13" mixer as in Vigna's splitmix64.c):
/// for k = 0 .. 2P-1, x_k = mix(s + (k + 1) gamma) where mix(z) = z3 with z1 = (z ^ (z &gt;&gt; 30)) * 0xBF58476D1CE4E5B9,
/// z2 = (z1 ^ (z1 &gt;&gt; 27)) * 0x94D049BB133111EB, z3 = z2 ^ (z2 &gt;&gt; 31). x_k is the (k+1)-th output of a SplitMix64
/// generator whose state starts at s; it depends on (s, k) only (counter-based: no state is carried between rows).</item>
/// <item>Uniforms (exact in float32 and float64): a_k = x_k &gt;&gt; 40 (the top 24 bits); for pair j = 0 .. P-1,
/// u1_j = (2^24 - a_{2j}) 2^-24 in (0, 1] and u2_j = a_{2j+1} 2^-24 in [0, 1).</item>
/// <item>Box-Muller (Box and Muller 1958) in float64, rounded once to float32 at the end:
/// r_j = sqrt(ln(u1_j) * -2), theta_j = u2_j * 2pi (2pi = 2 Math.PI in float64),
/// z_{2j} = float32(r_j * cos(theta_j)), z_{2j+1} = float32(r_j * sin(theta_j)). The last sine is dropped when L is odd.</item>
/// </list>
/// <para>The integer stage is bit-exact everywhere (ONNX Runtime's uint64 Add/Mul wrap, BitShift is logical). The
/// transcendental stage runs in float64 so that the runtimes' log/sin/cos (each within a few float64 ulps) agree after
/// the final rounding to float32: a float32 result can differ by 1 ulp only when the float64 value lies within a few
/// float64 ulps of a float32 rounding boundary (about 1 value in 10^8; the tests found none in 65,536 against .NET and
/// NumPy, while float32 Box-Muller differed by up to 4 ulp in 23% of values). |z| &lt;= sqrt(-2 ln 2^-24) = 5.77.
/// Two seeds share a value only if they differ by m gamma modulo 2^64 for some
/// 0 &lt; |m| &lt; 2P; for L &lt;= 4096 every such difference exceeds 2^51 in magnitude, so seeds closer than that never do.</para>
/// </remarks>
public static class SeededLatent
{
    /// <summary>SplitMix64's increment, the odd integer closest to 2^64 / phi.</summary>
    public const ulong Gamma = 0x9E3779B97F4A7C15UL;

    /// <summary>2 pi in float64 (the Box-Muller angle factor).</summary>
    public const double TwoPi = 2 * Math.PI;

    /// <summary>2^-24: turns the top 24 bits of a uint64 into a number in [0, 1) exactly.</summary>
    public const double TwoToMinus24 = 1.0 / 16777216;

    /// <summary>Stafford's variant 13 mixer used by SplitMix64: bijective on uint64, strong avalanche.</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The first <paramref name="count"/> SplitMix64 outputs of state <paramref name="seed"/>: x_k = mix(s + (k + 1) gamma).</summary>
    public static ulong[] Bits(long seed, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var x = new ulong[count];
        ulong s = unchecked((ulong)seed);
        for (int k = 0; k < count; k++) x[k] = Mix(unchecked(s + (ulong)(k + 1) * Gamma));
        return x;
    }

    /// <summary>The latent code of <paramref name="seed"/>: <paramref name="latentSize"/> float32 values (definition in the class remarks).</summary>
    public static float[] Compute(long seed, int latentSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(latentSize, 1);
        int pairs = (latentSize + 1) / 2;
        var x = Bits(seed, 2 * pairs);
        var z = new float[latentSize];
        for (int j = 0; j < pairs; j++)
        {
            double a1 = x[2 * j] >> 40, a2 = x[2 * j + 1] >> 40;
            double u1 = (16777216.0 - a1) * TwoToMinus24;
            double u2 = a2 * TwoToMinus24;
            double r = Math.Sqrt(Math.Log(u1) * -2.0);
            double theta = u2 * TwoPi;
            z[2 * j] = (float)(r * Math.Cos(theta));
            if (2 * j + 1 < latentSize) z[2 * j + 1] = (float)(r * Math.Sin(theta));
        }
        return z;
    }

    /// <summary>
    /// Adds the latent subgraph to <paramref name="graph"/>: from an int64 [N, 1] <paramref name="seed"/> input to the
    /// float32 [N, <paramref name="latentSize"/>] codes. <paramref name="bits"/> receives the uint64 [N, 2P] SplitMix64
    /// outputs (the integer stage), which a test or a debug output can compare bit for bit.
    /// </summary>
    public static OnnxValue AddTo(OnnxGraphBuilder graph, OnnxValue seed, int latentSize, out OnnxValue bits)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentOutOfRangeException.ThrowIfLessThan(latentSize, 1);
        if (seed.ElementType != OnnxElementType.Int64)
            throw new ArgumentException($"SeededLatent: the seed {seed} must be int64 [N, 1].", nameof(seed));
        int pairs = (latentSize + 1) / 2;
        var offsets = new ulong[2 * pairs];
        for (int k = 0; k < offsets.Length; k++) offsets[k] = unchecked((ulong)(k + 1) * Gamma);

        // x_k = mix(s + (k+1) gamma), [N, 2P] uint64.
        var state = graph.Add(graph.Cast(seed, OnnxElementType.UInt64), graph.AddInitializer("latent_counter", offsets, 1, offsets.Length));
        bits = AddMix(graph, state);

        // a_k = x_k >> 40 as float64, split into the u1 and u2 halves of each pair: [N, P, 1] each.
        var top = graph.Cast(graph.BitShift(bits, graph.Scalar(40UL, "latent_shift40"), right: true), OnnxElementType.Double);
        var parts = graph.Split(graph.Reshape(top, 0, pairs, 2), 2, 1, 1);
        var scale = graph.Scalar(TwoToMinus24, "latent_2pow_minus24");
        var u1 = graph.Mul(graph.Sub(graph.Scalar(16777216.0, "latent_2pow24"), parts[0]), scale);
        var u2 = graph.Mul(parts[1], scale);

        // Box-Muller in float64: r = sqrt(ln(u1) * -2), theta = u2 * 2pi; z = (r cos theta, r sin theta) interleaved, then float32.
        var r = graph.Sqrt(graph.Mul(graph.Log(u1), graph.Scalar(-2.0, "latent_minus2")));
        var theta = graph.Mul(u2, graph.Scalar(TwoPi, "latent_2pi"));
        var pairsOut = graph.Cast(graph.Concat(2, graph.Mul(r, graph.Cos(theta)), graph.Mul(r, graph.Sin(theta))), OnnxElementType.Float);
        var z = graph.Reshape(pairsOut, 0, 2 * pairs);
        return latentSize == 2 * pairs ? z : graph.Slice(z, [0], [latentSize], [1]);
    }

    /// <summary>Adds the latent subgraph without exposing the integer stage.</summary>
    public static OnnxValue AddTo(OnnxGraphBuilder graph, OnnxValue seed, int latentSize) => AddTo(graph, seed, latentSize, out _);

    private static OnnxValue AddMix(OnnxGraphBuilder g, OnnxValue z)
    {
        z = g.Mul(XorShiftRight(g, z, 30), g.Scalar(0xBF58476D1CE4E5B9UL, "splitmix_m1"));
        z = g.Mul(XorShiftRight(g, z, 27), g.Scalar(0x94D049BB133111EBUL, "splitmix_m2"));
        return XorShiftRight(g, z, 31);
    }

    private static OnnxValue XorShiftRight(OnnxGraphBuilder g, OnnxValue z, int shift)
        => g.BitwiseXor(z, g.BitShift(z, g.Scalar((ulong)shift, $"splitmix_shift{shift}"), right: true));
}
