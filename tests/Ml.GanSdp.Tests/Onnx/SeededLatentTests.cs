using Microsoft.ML.OnnxRuntime;
using Ml.GanSdp.Onnx;

namespace Ml.GanSdp.Tests.Onnx;

/// <summary>
/// The seeded latent: C# reference against published SplitMix64 outputs, the ONNX subgraph against the C# reference
/// (integer stage bit for bit, floats to 1 ulp: bit-equal in practice) and against an independent NumPy implementation of the same
/// definition (Oracles/onnx_oracle.py), and the statistics of the codes over many seeds.
/// </summary>
[TestClass]
public sealed class SeededLatentTests
{
    private static readonly long[] EdgeSeeds = [0, 1, -1, 2, 42, long.MinValue, long.MaxValue, 123456789, -987654321, 1L << 62];

    /// <summary>A graph: int64 seed [N, 1] to "z" float [N, L] and "bits" uint64 [N, 2P].</summary>
    private static InferenceSession LatentSession(int latentSize)
    {
        var g = new OnnxGraphBuilder();
        var seed = g.AddSeedInput("Seed");
        var z = SeededLatent.AddTo(g, seed, latentSize, out var bits);
        g.AddOutput(z, "z", OnnxGraphBuilder.Batch, latentSize);
        g.AddOutput(bits, "bits", OnnxGraphBuilder.Batch, 2 * ((latentSize + 1) / 2));
        return Ort.Session(g.ToBytes());
    }

    private static NamedOnnxValue Seeds(params long[] seeds) => Ort.Input("Seed", new NdArray<long>(seeds, [seeds.Length, 1]));

    private static long[] ManySeeds(int n, int salt)
    {
        var rng = new Random(salt);
        return EdgeSeeds.Concat(Enumerable.Range(0, n - EdgeSeeds.Length).Select(_ => rng.NextInt64(long.MinValue, long.MaxValue))).ToArray();
    }

    [TestMethod]
    public void Bits_AreSplitMix64_PublishedOutputsForState0()
    {
        // Vigna's splitmix64.c with x = 0: the first two next() values.
        CollectionAssert.AreEqual(new[] { 0xE220A8397B1DCDAFUL, 0x6E789E6AA1B965F4UL }, SeededLatent.Bits(0, 2));
        Assert.AreEqual(SeededLatent.Bits(5, 3)[2], SeededLatent.Mix(unchecked(5UL + 3 * SeededLatent.Gamma)), "x_k = mix(s + (k+1) gamma)");
    }

    [TestMethod]
    public void OnnxIntegerStage_IsBitExact_WithCSharpAndNumPy()
    {
        const int latent = 64;
        var seeds = ManySeeds(64, 1);
        using var session = LatentSession(latent);
        var bits = Ort.RunOne<ulong>(session, "bits", Seeds(seeds));
        CollectionAssert.AreEqual(new[] { seeds.Length, latent }, bits.Shape);
        var csharp = seeds.SelectMany(s => SeededLatent.Bits(s, latent)).ToArray();
        CollectionAssert.AreEqual(csharp, bits.Data, "ONNX Runtime's uint64 Add/Mul/BitShift/BitwiseXor against C#");

        using var oracle = new OracleBatch();
        oracle.Add("bits", "latent_bits", new { count = latent }, ("seeds", new NdArray<long>(seeds, [seeds.Length])));
        oracle.Compute();
        var numpy = oracle.Get<long>("bits").Data.Select(v => unchecked((ulong)v)).ToArray();
        CollectionAssert.AreEqual(numpy, bits.Data, "ONNX Runtime against NumPy's uint64 arithmetic");
    }

    [TestMethod]
    public void OnnxLatent_MatchesCSharpReference_AndNumPy_ToOneUlp()
    {
        const int latent = 128;
        var seeds = ManySeeds(512, 2);
        using var session = LatentSession(latent);
        var z = Ort.RunOne<float>(session, "z", Seeds(seeds));
        CollectionAssert.AreEqual(new[] { seeds.Length, latent }, z.Shape);
        var csharp = seeds.SelectMany(s => SeededLatent.Compute(s, latent)).ToArray();
        var (maxUlps, maxAbs, exact) = Compare(csharp, z.Data);
        Console.WriteLine($"ONNX Runtime vs C#: {exact}/{csharp.Length} bit-equal, max {maxUlps} ulp, max |diff| {maxAbs:E2}");
        // The float64 stage rounds to the same float32 unless a value sits at a rounding boundary: at most 1 ulp.
        Assert.IsTrue(maxUlps <= 1, $"max {maxUlps} ulp vs C# reference");
        Assert.IsTrue(exact >= csharp.Length * 0.999, $"only {exact}/{csharp.Length} bit-equal vs C# reference");

        using var oracle = new OracleBatch();
        oracle.Add("z", "latent", new { latent }, ("seeds", new NdArray<long>(seeds, [seeds.Length])));
        oracle.Compute();
        var numpy = oracle.Get<float>("z");
        CollectionAssert.AreEqual(z.Shape, numpy.Shape);
        var (npUlps, npAbs, npExact) = Compare(numpy.Data, z.Data);
        Console.WriteLine($"ONNX Runtime vs NumPy: {npExact}/{csharp.Length} bit-equal, max {npUlps} ulp, max |diff| {npAbs:E2}");
        Assert.IsTrue(npUlps <= 1, $"max {npUlps} ulp vs NumPy");
        Assert.IsTrue(npExact >= csharp.Length * 0.999, $"only {npExact}/{csharp.Length} bit-equal vs NumPy");
    }

    private static (long MaxUlps, double MaxAbs, int Exact) Compare(float[] expected, float[] actual)
    {
        long maxUlps = 0;
        double maxAbs = 0;
        int exact = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.IsTrue(float.IsFinite(actual[i]), $"element {i} is {actual[i]}");
            if (expected[i] == actual[i]) exact++;
            maxAbs = Math.Max(maxAbs, Math.Abs((double)expected[i] - actual[i]));
            maxUlps = Math.Max(maxUlps, ArrayAssert.Ulps(expected[i], actual[i]));
        }
        return (maxUlps, maxAbs, exact);
    }

    [TestMethod]
    public void OddLatentSize_DropsTheLastSine_AndPrefixesAgree()
    {
        using var session = LatentSession(7);
        var z = Ort.RunOne<float>(session, "z", Seeds(3, 4));
        CollectionAssert.AreEqual(new[] { 2, 7 }, z.Shape);
        var seven = SeededLatent.Compute(3, 7);
        CollectionAssert.AreEqual(SeededLatent.Compute(3, 8).Take(7).ToArray(), seven, "z_i does not depend on L");
        ArrayAssert.Close(seven.Concat(SeededLatent.Compute(4, 7)).ToArray(), z.Data, 1e-6, 1.2e-7, "odd L");
    }

    [TestMethod]
    public void EachRow_DependsOnlyOnItsSeed_NotOnTheBatch()
    {
        long[] seeds = [10, -3, 10, 77];
        using var session = LatentSession(16);
        var batch = Ort.RunOne<float>(session, "z", Seeds(seeds));
        for (int i = 0; i < seeds.Length; i++)
        {
            var alone = Ort.RunOne<float>(session, "z", Seeds(seeds[i]));
            ArrayAssert.BitEqual(alone.Data, batch.Data.AsSpan(i * 16, 16).ToArray(), $"row {i}");
        }
        ArrayAssert.BitEqual(batch.Data.AsSpan(0, 16).ToArray(), batch.Data.AsSpan(32, 16).ToArray(), "same seed, same code");
    }

    [TestMethod]
    public void Codes_OverManySeeds_AreStandardNormal_AndDistinct()
    {
        const int n = 4096, latent = 64;
        var seeds = Enumerable.Range(0, n).Select(i => (long)i).ToArray();
        using var session = LatentSession(latent);
        var z = Ort.RunOne<float>(session, "z", Seeds(seeds)).Data;
        int count = z.Length;
        double mean = z.Average(v => (double)v);
        double std = Math.Sqrt(z.Sum(v => (v - mean) * (v - mean)) / (count - 1));
        double within1 = z.Count(v => Math.Abs(v) < 1) / (double)count;
        double within2 = z.Count(v => Math.Abs(v) < 2) / (double)count;
        double skew = z.Sum(v => Math.Pow((v - mean) / std, 3)) / count;
        double kurt = z.Sum(v => Math.Pow((v - mean) / std, 4)) / count;
        Console.WriteLine($"{count} values: mean {mean:F5}, std {std:F5}, P(|z|<1) {within1:F4}, P(|z|<2) {within2:F4}, skew {skew:F4}, kurtosis {kurt:F4}");
        // Bounds are about 4 standard errors of each statistic for a standard normal sample of this size.
        Assert.AreEqual(0, mean, 4 / Math.Sqrt(count), "mean");
        Assert.AreEqual(1, std, 4 / Math.Sqrt(2.0 * count), "std");
        Assert.AreEqual(0.682689, within1, 4 * Math.Sqrt(0.6827 * 0.3173 / count), "P(|z| < 1)");
        Assert.AreEqual(0.954500, within2, 4 * Math.Sqrt(0.9545 * 0.0455 / count), "P(|z| < 2)");
        Assert.AreEqual(0, skew, 4 * Math.Sqrt(6.0 / count), "skewness");
        Assert.AreEqual(3, kurt, 4 * Math.Sqrt(24.0 / count), "kurtosis");
        for (int d = 0; d < latent; d++)
        {
            double md = Enumerable.Range(0, n).Average(s => (double)z[s * latent + d]);
            Assert.AreEqual(0, md, 4.5 / Math.Sqrt(n), $"mean of dimension {d} over seeds");
        }
        // Neighbouring seeds (s, s+1) are uncorrelated, dimension by dimension.
        double sxy = 0;
        for (int s = 0; s + 1 < n; s++)
            for (int d = 0; d < latent; d++) sxy += z[s * latent + d] * (double)z[(s + 1) * latent + d];
        double r = sxy / ((n - 1) * latent) / (std * std);
        Assert.AreEqual(0, r, 4 / Math.Sqrt((n - 1) * latent), "correlation of neighbouring seeds");
        var distinct = new HashSet<string>(Enumerable.Range(0, n).Select(s => Convert.ToBase64String(System.Runtime.InteropServices.MemoryMarshal.AsBytes(z.AsSpan(s * latent, latent)))));
        Assert.AreEqual(n, distinct.Count, "distinct seeds give distinct codes");
    }

    [TestMethod]
    public void ArgumentChecks()
    {
        var g = new OnnxGraphBuilder();
        var f = g.AddInput("f", OnnxElementType.Float, OnnxGraphBuilder.Batch, 1);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => SeededLatent.AddTo(g, f, 8)).Message, "int64");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => SeededLatent.Compute(1, 0));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => SeededLatent.Bits(1, -1));
    }
}
