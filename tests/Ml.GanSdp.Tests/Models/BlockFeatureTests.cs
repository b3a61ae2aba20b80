using Ml.GanSdp.Models;
using Ml.GanSdp.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Tests.Models;

/// <summary>The block features come from the very forward that produced the scores.</summary>
[TestClass]
public class BlockFeatureTests
{
    [TestMethod]
    [DataRow(Architecture.Mlp, 0, false, "train")]
    [DataRow(Architecture.Dcgan, 0, false, "train")]
    [DataRow(Architecture.Dcgan, 3, true, "eval")]
    [DataRow(Architecture.SnganCnn, 0, true, "eval")]
    [DataRow(Architecture.SnganCnn, 3, false, "train")]
    [DataRow(Architecture.SnganResNet, 0, false, "train")]
    [DataRow(Architecture.SnganResNet, 3, true, "eval")]
    public void LastBlockFeatureThroughTheHeadReproducesTheScores(Architecture a, int classes, bool sn, string mode)
    {
        using var scope = NewDisposeScope();
        manual_seed(12);
        var o = new ModelOptions { Architecture = a, Channels = a == Architecture.Mlp ? 2 : 3, ImageSize = 32, Width = 4, NumClasses = classes, DiscriminatorSpectralNorm = sn };
        var d = ModelFactory.CreateDiscriminator(o);
        using var _d = d;
        d.Module.train(mode == "train");
        var x = a == Architecture.Mlp ? randn(6, 2) : randn(6, 3, 32, 32);
        var y = classes > 0 ? tensor(new long[] { 0, 1, 2, 0, 1, 2 }) : null;
        using var output = d.Forward(x, y);
        var head = d is ResNetDiscriminator r ? r.Head(output.BlockFeatures[^1], y) : ((StackedDiscriminator)d).Head(output.BlockFeatures[^1], y);
        TensorAssert.Close(output.Scores, head, 1e-5, 1e-6, "head(last block feature)");
        // Earlier blocks feed later ones: every feature must take part in the scores' graph.
        var grads = autograd.grad(new[] { output.Scores.sum() }, output.BlockFeatures.ToList(), allow_unused: true);
        Assert.IsTrue(grads.All(gr => gr is not null), "every block feature is upstream of the scores");
    }
}
