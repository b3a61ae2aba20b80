using Ml.GanSdp.Regularizers;
using Ml.GanSdp.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;
using static Ml.GanSdp.Tests.Regularizers.RegularizerTestSupport;

namespace Ml.GanSdp.Tests.Regularizers;

[TestClass]
public class LatentConsistencyTests
{
    [TestMethod]
    public void DiscriminatorAndGeneratorTermsMatchPyTorch()
    {
        using var scope = NewDisposeScope();
        using var dir = new TempDir();
        using var d = new GoldenSdpDiscriminator();
        using var gen = MakeGenerator();
        using var g = new Generator(13);
        var z = randn(new long[] { 8, 4 }, ScalarType.Float64, generator: g);
        var dz = randn(new long[] { 8, 4 }, ScalarType.Float64, generator: g) * 0.03;
        var gw = gen.Module.get_parameter("weight")!;
        var gb = gen.Module.get_parameter("bias")!;
        Save(dir, "z", z); Save(dir, "dz", dz); Save(dir, "gw", gw); Save(dir, "gb", gb);

        Tensor fakeDetached;
        using (no_grad()) fakeDetached = gen.Forward(z);
        using var fo = d.Forward(fakeDetached);
        var pd = LatentConsistencyRegularization.DiscriminatorPenalty(d, gen, fo.Scores, z, dz);
        AssertMatches("zcr_dis", dir, pd, d.Parameters);

        var fake = gen.Forward(z);
        var pg = LatentConsistencyRegularization.GeneratorDifference(gen, fake, z, dz);
        AssertMatches("zcr_gen", dir, pg, new[] { gw, gb });
    }

    [TestMethod]
    public void TermsUseTheContextsDrawsWithTheirSignsAndWeights()
    {
        using var scope = NewDisposeScope();
        using var d = new GoldenSdpDiscriminator();
        using var gen = MakeGenerator();
        var real = GoldenReal();
        using var g = new Generator(2);
        var z = randn(new long[] { 8, 4 }, ScalarType.Float64, generator: g);
        var fake = gen.Forward(z);
        using var fo = d.Forward(fake);
        var reg = new LatentConsistencyRegularization();

        using var random = new Generator(31);
        var dTerm = reg.DiscriminatorTerm(Context(d, gen, real, fake.detach(), null, fo, z, 0, random))!;
        using var again = new Generator(31);
        var dz = randn(new long[] { 8, 4 }, ScalarType.Float64, generator: again) * 0.03;
        Assert.AreEqual(5 * LatentConsistencyRegularization.DiscriminatorPenalty(d, gen, fo.Scores, z, dz).ToDouble(), dTerm.Loss.ToDouble(), 1e-12);
        Assert.IsTrue(dTerm.Loss.ToDouble() > 0, "the D term increases D's loss");

        using var random2 = new Generator(32);
        var gTerm = reg.GeneratorTerm(Context(d, gen, real, fake, null, fo, z, 0, random2))!;
        using var again2 = new Generator(32);
        var dz2 = randn(new long[] { 8, 4 }, ScalarType.Float64, generator: again2) * 0.03;
        Assert.AreEqual(-0.5 * LatentConsistencyRegularization.GeneratorDifference(gen, fake, z, dz2).ToDouble(), gTerm.Loss.ToDouble(), 1e-12);
        Assert.IsTrue(gTerm.Loss.ToDouble() < 0, "the G term rewards sensitivity to the latent perturbation");
        Assert.AreEqual("Sigma", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new LatentConsistencyRegularization(new LatentConsistencyOptions { Sigma = 0 })).ParamName);
    }
}
