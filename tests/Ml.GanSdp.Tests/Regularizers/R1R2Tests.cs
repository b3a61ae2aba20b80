using Ml.GanSdp.Regularizers;
using Ml.GanSdp.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;
using static Ml.GanSdp.Tests.Regularizers.RegularizerTestSupport;

namespace Ml.GanSdp.Tests.Regularizers;

[TestClass]
public class R1R2Tests
{
    [TestMethod]
    public void R1AndR2MatchPyTorchAtRealsAndFakes()
    {
        using var scope = NewDisposeScope();
        using var dir = new TempDir();
        using var golden = new GoldenBatch();
        var (d, gen, real, fake, ro, fo, z) = golden;
        using var random = new Generator(0);
        var ctx = Context(d, gen, real, fake, ro, fo, z, 0, random);

        var r1 = new R1Penalty(new ZeroCenteredPenaltyOptions { Gamma = 4 }).DiscriminatorTerm(ctx)!;
        Save(dir, "points", real);
        AssertMatches("r1", dir, r1.Loss / 2.0, d.Parameters);   // gamma/2 = 2
        Assert.IsTrue(r1.Loss.ToDouble() > 0);

        var r2 = new R2Penalty(new ZeroCenteredPenaltyOptions { Gamma = 4 }).DiscriminatorTerm(ctx)!;
        Save(dir, "points", fake);
        AssertMatches("r2", dir, r2.Loss / 2.0, d.Parameters);
        Assert.IsNull(new R1Penalty().GeneratorTerm(ctx));
        Assert.IsNull(new R2Penalty().GeneratorTerm(ctx));
        Assert.AreEqual("Gamma", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new R1Penalty(new ZeroCenteredPenaltyOptions { Gamma = double.NaN })).ParamName);
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
        int undefined = 0;
        using (var fo = d.Forward(fake))
        {
            var ctx = Context(d, gen, real, fake, null, fo, z, 0, random);
            foreach (var reg in new IRegularizer[] { new R1Penalty(), new R2Penalty() })
            {
                var term = reg.DiscriminatorTerm(ctx)!;
                undefined += TensorCounts.DisposeGradients(autograd.grad(new[] { term.Loss }, d.Parameters.ToList(), allow_unused: true));
                term.Loss.Dispose();
            }
        }
        Assert.AreEqual(2, undefined, "the penalties on input gradients do not depend on the last layer's bias");
        Assert.AreEqual(start + undefined, TensorCounts.Live, "live tensors besides TorchSharp's handle-less undefined gradients");
    }
}
