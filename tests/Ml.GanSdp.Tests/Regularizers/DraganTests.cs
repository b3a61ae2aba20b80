using Ml.GanSdp.Regularizers;
using Ml.GanSdp.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;
using static Ml.GanSdp.Tests.Regularizers.RegularizerTestSupport;

namespace Ml.GanSdp.Tests.Regularizers;

[TestClass]
public class DraganTests
{
    [TestMethod]
    public void PenaltyMatchesPyTorch()
    {
        using var scope = NewDisposeScope();
        using var dir = new TempDir();
        using var d = new GoldenSdpDiscriminator();
        var real = GoldenReal();
        using var g = new Generator(5);
        var u = rand(real.shape, ScalarType.Float64, generator: g);
        Save(dir, "real", real); Save(dir, "u", u); Save(dir, "scale", tensor(0.5, ScalarType.Float64));
        AssertMatches("dragan", dir, Dragan.Penalty(d, real, u, 0.5), d.Parameters);
    }

    [TestMethod]
    public void TheTermUsesTheContextsDrawsAndTheWeight()
    {
        using var scope = NewDisposeScope();
        using var golden = new GoldenBatch();
        var (d, gen, real, fake, _, fo, z) = golden;
        using var random = new Generator(9);
        var term = new Dragan(new DraganOptions { Weight = 3 }).DiscriminatorTerm(Context(d, gen, real, fake, null, fo, z, 0, random))!;
        using var again = new Generator(9);
        var u = rand(real.shape, ScalarType.Float64, generator: again);
        Assert.AreEqual(Dragan.Penalty(d, real, u, 0.5).ToDouble() * 3, term.Loss.ToDouble(), 1e-12);
        Assert.IsTrue(term.Loss.ToDouble() > 0);
        // The perturbation is 0.5 * population std of the batch * U(0, 1).
        var delta = Dragan.Perturb(real, u, 0.5) - real;
        double std = real.std(unbiased: false).ToDouble();
        Assert.IsTrue(delta.min().ToDouble() >= 0 && delta.max().ToDouble() <= 0.5 * std + 1e-12);
        Assert.AreEqual("PerturbationScale", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new Dragan(new DraganOptions { PerturbationScale = -1 })).ParamName);
    }
}
