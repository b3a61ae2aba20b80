using Ml.GanSdp.Regularizers;
using Ml.GanSdp.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;
using static Ml.GanSdp.Tests.Regularizers.RegularizerTestSupport;

namespace Ml.GanSdp.Tests.Regularizers;

[TestClass]
public class FeatureMatchingTests
{
    [TestMethod]
    public void TheGeneratorTermMatchesPyTorchAndActsOnGOnly()
    {
        using var scope = NewDisposeScope();
        using var dir = new TempDir();
        using var d = new GoldenSdpDiscriminator();
        using var gen = MakeGenerator();
        var real = GoldenReal();
        var fake = GoldenFake().requires_grad_();
        Save(dir, "real", real); Save(dir, "fake", fake);
        using var ro = d.Forward(real);
        using var fo = d.Forward(fake);
        var z = zeros(new long[] { 8, 4 }, ScalarType.Float64);
        using var random = new Generator(0);
        var reg = new FeatureMatching(new FeatureMatchingOptions { Weight = 2 });
        var ctx = Context(d, gen, real, fake, ro, fo, z, 0, random);
        var term = reg.GeneratorTerm(ctx)!;
        Assert.IsNull(reg.DiscriminatorTerm(ctx));
        var inputs = d.Parameters.Append(fake).ToArray();
        AssertMatches("fm", dir, term.Loss / 2.0, inputs);
        Assert.IsNull(reg.GeneratorTerm(Context(d, gen, real, fake, null, fo, z, 0, random)), "no real output, no term");
    }
}
