using Ml.GanSdp.Regularizers;
using Ml.GanSdp.Serialization;
using Ml.GanSdp.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;
using static Ml.GanSdp.Tests.Regularizers.RegularizerTestSupport;

namespace Ml.GanSdp.Tests.Regularizers;

[TestClass]
public class ConsistencyRegularizationTests
{
    private static void SaveDraw(TempDir dir, ShiftFlipDraw draw, int maxShift, bool reflect)
    {
        Save(dir, "dx", tensor(draw.Dx));
        Save(dir, "dy", tensor(draw.Dy));
        Save(dir, "flip", tensor(draw.Flip.Select(f => f ? 1L : 0L).ToArray()));
        Save(dir, "max_shift", tensor(new long[] { maxShift }, Array.Empty<long>()));
        Save(dir, "reflect", tensor(new long[] { reflect ? 1 : 0 }, Array.Empty<long>()));
    }

    [TestMethod]
    [DataRow(true)]
    [DataRow(false)]
    public void AugmentationAndPenaltyMatchPyTorch(bool reflect)
    {
        using var scope = NewDisposeScope();
        using var dir = new TempDir();
        using var d = new GoldenSdpDiscriminator();
        var real = GoldenReal();
        using var g = new Generator(21);
        var draw = ShiftFlipAugmentation.Draw(8, 3, true, g);
        Assert.IsTrue(draw.Flip.Any() && draw.Flip.Any(f => !f), "the seed should give both flipped and unflipped samples");
        var mode = reflect ? PaddingModes.Reflect : PaddingModes.Constant;
        var aug = ShiftFlipAugmentation.Apply(real, draw, 3, mode);
        SaveDraw(dir, draw, 3, reflect);
        Save(dir, "x", real);
        using var ro = d.Forward(real);
        var p = ConsistencyRegularization.Penalty(d, ro.Scores, aug);
        AssertMatches("cr", dir, p, d.Parameters);
        TensorAssert.Close(Npy.Load(dir.File("augmented_py.npy")), aug, 0, 0, "augmented images");
    }

    [TestMethod]
    public void ShiftMovesContentAndFlipMirrors()
    {
        using var scope = NewDisposeScope();
        var x = arange(0, 16, 1, ScalarType.Float64).reshape(1, 1, 4, 4);
        var shifted = ShiftFlipAugmentation.Apply(x, new ShiftFlipDraw(new long[] { 1 }, new long[] { 0 }, new[] { false }), 1, PaddingModes.Constant);
        // Output (h, w) = input (h, w + 1); the last column comes from the zero padding.
        CollectionAssert.AreEqual(new double[] { 1, 2, 3, 0 }, shifted[0, 0, 0].ToArray<double>());
        var flipped = ShiftFlipAugmentation.Apply(x, new ShiftFlipDraw(new long[] { 0 }, new long[] { 0 }, new[] { true }), 1);
        CollectionAssert.AreEqual(new double[] { 3, 2, 1, 0 }, flipped[0, 0, 0].ToArray<double>());
        Assert.ThrowsExactly<ArgumentException>(() => ShiftFlipAugmentation.Apply(zeros(2, 3), new ShiftFlipDraw(new long[2], new long[2], new bool[2]), 1));
        Assert.AreEqual("MaxShift", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new ConsistencyRegularization(new ConsistencyOptions { MaxShift = -1 })).ParamName);
    }

    [TestMethod]
    public void TheTermUsesTheContextsDrawsAndActsOnDOnly()
    {
        using var scope = NewDisposeScope();
        using var golden = new GoldenBatch();
        var (d, gen, real, fake, ro, fo, z) = golden;
        using var random = new Generator(77);
        var reg = new ConsistencyRegularization(new ConsistencyOptions { Weight = 10, MaxShift = 2 });
        var ctx = Context(d, gen, real, fake, ro, fo, z, 0, random);
        var term = reg.DiscriminatorTerm(ctx)!;
        using var again = new Generator(77);
        var draw = ShiftFlipAugmentation.Draw(8, 2, true, again);
        var expected = ConsistencyRegularization.Penalty(d, ro.Scores, ShiftFlipAugmentation.Apply(real, draw, 2)) * 10;
        Assert.AreEqual(expected.ToDouble(), term.Loss.ToDouble(), 1e-12);
        Assert.IsTrue(term.Loss.ToDouble() > 0);
        Assert.IsNull(reg.GeneratorTerm(ctx));
    }
}

[TestClass]
public class BalancedConsistencyRegularizationTests
{
    [TestMethod]
    public void TheTermIsTheWeightedSumOfTheRealAndFakeConsistencies()
    {
        using var scope = NewDisposeScope();
        using var dir = new TempDir();
        using var golden = new GoldenBatch();
        var (d, gen, real, fake, ro, fo, z) = golden;
        using var random = new Generator(5);
        var reg = new BalancedConsistencyRegularization(new BalancedConsistencyOptions { RealWeight = 10, FakeWeight = 3, MaxShift = 2 });
        var ctx = Context(d, gen, real, fake, ro, fo, z, 0, random);
        var term = reg.DiscriminatorTerm(ctx)!;
        Assert.IsNull(reg.GeneratorTerm(ctx));

        // The same draws (reals first, then fakes), each side checked against PyTorch.
        using var again = new Generator(5);
        var drawReal = ShiftFlipAugmentation.Draw(8, 2, true, again);
        var drawFake = ShiftFlipAugmentation.Draw(8, 2, true, again);
        var pReal = ConsistencyRegularization.Penalty(d, ro.Scores, ShiftFlipAugmentation.Apply(real, drawReal, 2));
        var pFake = ConsistencyRegularization.Penalty(d, fo.Scores, ShiftFlipAugmentation.Apply(fake, drawFake, 2));
        Assert.AreEqual(10 * pReal.ToDouble() + 3 * pFake.ToDouble(), term.Loss.ToDouble(), 1e-12);
        Assert.AreEqual(pFake.ToDouble(), term.Metrics!["bcr_fake"], 1e-12);

        foreach (var (x, draw, p) in new[] { (fake, drawFake, pFake) })
        {
            Save(dir, "x", x);
            Save(dir, "dx", tensor(draw.Dx)); Save(dir, "dy", tensor(draw.Dy));
            Save(dir, "flip", tensor(draw.Flip.Select(f => f ? 1L : 0L).ToArray()));
            Save(dir, "max_shift", tensor(new long[] { 2 }, Array.Empty<long>()));
            Save(dir, "reflect", tensor(new long[] { 1 }, Array.Empty<long>()));
            AssertMatches("cr", dir, p, d.Parameters);
        }
        Assert.AreEqual("FakeWeight", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new BalancedConsistencyRegularization(new BalancedConsistencyOptions { FakeWeight = -2 })).ParamName);
    }
}
