using System.Globalization;
using Ml.GanSdp.Tests.TestSupport;

namespace Ml.GanSdp.Tests.Augmentation;

/// <summary>
/// The documented row-seed formula against an independent Python implementation in exact integer arithmetic
/// (Vigna's splitmix64 as published: state += gamma; z = state; mix), plus its stated properties.
/// </summary>
[TestClass]
public sealed class SyntheticSeedsTests
{
    private const string Oracle = """
        M = (1 << 64) - 1
        GAMMA = 0x9E3779B97F4A7C15
        def splitmix64(state, n):
            out = []
            for _ in range(n):
                state = (state + GAMMA) & M
                z = state
                z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
                z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
                out.append(z ^ (z >> 31))
            return out
        for line in open(sys.argv[1]):
            seed, key, index = (int(v) for v in line.split())
            stream = splitmix64(seed & M, key + 1)[key]
            s = splitmix64(stream, index + 1)[index]
            print(s - (1 << 64) if s >= (1 << 63) else s)
        """;

    [TestMethod]
    public void RowSeed_EqualsSplitMix64OfTheClassStream_AsPythonComputesIt()
    {
        var cases = new List<(long Seed, uint Key, long Index)>();
        foreach (var seed in new long[] { 0, 1, -1, 42, long.MinValue, long.MaxValue, 123456789012345 })
            foreach (var key in new uint[] { 0, 1, 2, 9, 100 })
                foreach (var index in new long[] { 0, 1, 7, 999 })
                    cases.Add((seed, key, index));
        using var dir = new TempDir();
        File.WriteAllLines(dir.File("cases.txt"), cases.Select(c => FormattableString.Invariant($"{c.Seed} {c.Key} {c.Index}")));
        var expected = Python.Exec(Oracle, dir.File("cases.txt")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        Assert.AreEqual(cases.Count, expected.Length);
        for (int i = 0; i < cases.Count; i++)
            Assert.AreEqual(expected[i], SyntheticSeeds.RowSeed(cases[i].Seed, cases[i].Key, cases[i].Index), $"seed {cases[i].Seed}, key {cases[i].Key}, index {cases[i].Index}");
    }

    [TestMethod]
    public void RowSeeds_AreDistinctWithinAndAcrossClassesAndRunSeeds_AndNotShiftedCopies()
    {
        var all = new HashSet<long>();
        foreach (var seed in new long[] { 0, 1, 2 })
            foreach (var key in new uint[] { 0, 1, 2, 3 })
                for (long i = 0; i < 5000; i++)
                    Assert.IsTrue(all.Add(SyntheticSeeds.RowSeed(seed, key, i)), $"seed {seed} key {key} row {i} repeats a seed");
        // Seed 1's rows are not seed 0's rows moved by one (what seed + i would give).
        Assert.AreNotEqual(SyntheticSeeds.RowSeed(0, 1, 1), SyntheticSeeds.RowSeed(1, 1, 0));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => SyntheticSeeds.RowSeed(0, 1, -1));
    }
}
