using Ml.GanSdp.Regularizers;
using Ml.GanSdp.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;
using static Ml.GanSdp.Tests.Regularizers.RegularizerTestSupport;

namespace Ml.GanSdp.Tests.Regularizers;

[TestClass]
public class GradientPenaltyTests
{
    [TestMethod]
    public void PenaltyAndItsParameterGradientsMatchPyTorch()
    {
        using var scope = NewDisposeScope();
        using var dir = new TempDir();
        using var d = new GoldenSdpDiscriminator();
        var real = GoldenReal();
        var fake = GoldenFake();
        using var g = new Generator(3);
        var eps = rand(new long[] { 8 }, ScalarType.Float64, generator: g);
        Save(dir, "real", real); Save(dir, "fake", fake); Save(dir, "eps", eps);
        var p = GradientPenalty.Penalty(d, real, fake, eps);
        AssertMatches("wgan-gp", dir, p, d.Parameters);
    }

    [TestMethod]
    public void TheTermIsTheWeightedPenaltyAtTheContextsDrawsAndActsOnDOnly()
    {
        using var scope = NewDisposeScope();
        using var golden = new GoldenBatch();
        var (d, gen, real, fake, _, fo, z) = golden;
        using var random = new Generator(42);
        var reg = new GradientPenalty(new GradientPenaltyOptions { Weight = 7 });
        var term = reg.DiscriminatorTerm(Context(d, gen, real, fake, null, fo, z, 0, random))!;
        using var again = new Generator(42);
        var eps = rand(new long[] { 8 }, ScalarType.Float64, generator: again);
        var expected = GradientPenalty.Penalty(d, real, fake, eps) * 7;
        Assert.AreEqual(expected.ToDouble(), term.Loss.ToDouble(), 1e-12);
        Assert.IsTrue(term.Loss.ToDouble() > 0, "adding the term increases D's loss");
        Assert.IsNull(reg.GeneratorTerm(Context(d, gen, real, fake, null, fo, z, 0, random)));
        Assert.AreEqual("Weight", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new GradientPenalty(new GradientPenaltyOptions { Weight = -1 })).ParamName);
    }

    [TestMethod]
    public void NoTensorLeaks()
    {
        using var d = new GoldenSdpDiscriminator();
        using var gen = MakeGenerator();
        using var real = GoldenReal();
        using var fake = GoldenFake();
        using var z = zeros(new long[] { 8, 4 }, ScalarType.Float64);
        using var random = new Generator(1);
        long start = TensorCounts.Live;
        int undefined;
        using (var fo = d.Forward(fake))
        {
            var term = new GradientPenalty().DiscriminatorTerm(Context(d, gen, real, fake, null, fo, z, 0, random))!;
            undefined = TensorCounts.DisposeGradients(autograd.grad(new[] { term.Loss }, d.Parameters.ToList(), allow_unused: true));
            term.Loss.Dispose();
        }
        Assert.AreEqual(1, undefined, "the penalty on input gradients does not depend on the last layer's bias");
        Assert.AreEqual(start + undefined, TensorCounts.Live, "live tensors besides TorchSharp's handle-less undefined gradients");
    }
}
