using Ml.GanSdp.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Tests.Models;

/// <summary>Projection discriminators (Miyato and Koyama 2018): score(x, y) = psi(phi(x)) + &lt;embed(y), phi(x)&gt;.</summary>
[TestClass]
public class ProjectionTests
{
    [TestMethod]
    [DataRow(Architecture.Dcgan, false)]
    [DataRow(Architecture.Dcgan, true)]
    [DataRow(Architecture.SnganCnn, true)]
    [DataRow(Architecture.SnganResNet, true)]
    [DataRow(Architecture.SnganResNet, false)]
    public void ScoreChangesWithTheLabelByTheEmbeddingInnerProduct(Architecture a, bool sn)
    {
        using var scope = NewDisposeScope();
        manual_seed(8);
        var d = ModelFactory.CreateDiscriminator(new ModelOptions { Architecture = a, Channels = 3, ImageSize = 32, Width = 4, NumClasses = 5, DiscriminatorSpectralNorm = sn });
        using var _d = d;
        d.Module.eval(); // no power iteration, no batch statistics: the only difference between the two passes is y
        var x = rand(new long[] { 4, 3, 32, 32 }) * 2 - 1;
        var y1 = tensor(new long[] { 0, 1, 2, 3 });
        var y2 = tensor(new long[] { 4, 4, 0, 3 });
        using var o1 = d.Forward(x, y1);
        using var o2 = d.Forward(x, y2);
        var last = o1.BlockFeatures[^1];
        var phi = a == Architecture.SnganResNet ? last.relu().sum(new long[] { 2, 3 }) : last.flatten(1);
        var embed = a == Architecture.SnganResNet ? ((ResNetDiscriminator)d).Embed! : ((StackedDiscriminator)d).Embed!;
        var table = embed is SpectralNormLayer snl ? snl.NormalizedWeight() : ((TorchSharp.Modules.Embedding)embed).weight!.detach();
        var expected = ((table.index_select(0, y1) - table.index_select(0, y2)) * phi).sum(1);
        var diff = o1.Scores - o2.Scores;
        TestSupport.TensorAssert.Close(expected, diff, 1e-4, 1e-5, "score difference");
        Assert.IsTrue(diff.abs().max().item<float>() > 1e-4, "the label must matter");
        Assert.AreEqual(0f, (diff.narrow(0, 3, 1)).abs().item<float>(), "same label, same score");
    }

    [TestMethod]
    public void UnconditionalModelsRejectLabelsAndConditionalOnesNeedThem()
    {
        using var scope = NewDisposeScope();
        var d = ModelFactory.CreateDiscriminator(new ModelOptions { Architecture = Architecture.SnganResNet, Channels = 1, ImageSize = 32, Width = 2 });
        using var _d = d;
        var e = Assert.ThrowsExactly<ArgumentException>(() => d.Forward(randn(2, 1, 32, 32), tensor(new long[] { 0, 1 })));
        StringAssert.Contains(e.Message, "unconditional");
        var dc = ModelFactory.CreateDiscriminator(new ModelOptions { Architecture = Architecture.SnganResNet, Channels = 1, ImageSize = 32, Width = 2, NumClasses = 2 });
        using var _dc = dc;
        e = Assert.ThrowsExactly<ArgumentException>(() => dc.Forward(randn(2, 1, 32, 32)));
        StringAssert.Contains(e.Message, "labels are required");
    }
}
