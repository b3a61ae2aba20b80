using Ml.GanSdp.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Tests.Models;

/// <summary>WGAN-GP differentiates D's input gradient again: every discriminator must support double backward.</summary>
[TestClass]
public class DoubleBackwardTests
{
    [TestMethod]
    [DataRow(Architecture.Mlp, 0, false)]
    [DataRow(Architecture.Dcgan, 0, false)]
    [DataRow(Architecture.Dcgan, 3, true)]
    [DataRow(Architecture.SnganCnn, 3, true)]
    [DataRow(Architecture.SnganResNet, 3, true)]
    public void GradientPenaltyBackpropagatesToEveryParameter(Architecture a, int classes, bool sn)
    {
        using var scope = NewDisposeScope();
        manual_seed(21);
        var o = new ModelOptions { Architecture = a, Channels = a == Architecture.Mlp ? 2 : 3, ImageSize = 32, Width = 2, NumClasses = classes, DiscriminatorSpectralNorm = sn, DiscriminatorBatchNorm = false };
        var d = ModelFactory.CreateDiscriminator(o);
        using var _d = d;
        var x = (a == Architecture.Mlp ? randn(4, 2) : randn(4, 3, 32, 32)).requires_grad_();
        var y = classes > 0 ? tensor(new long[] { 0, 1, 2, 0 }) : null;
        using var output = d.Forward(x, y);
        var grad = autograd.grad(new[] { output.Scores.sum() }, new[] { x }, retain_graph: true, create_graph: true)[0]!;
        var norms = linalg.vector_norm(grad.flatten(1), 2, new long[] { 1 });
        var penalty = (norms - 1).square().mean();
        penalty.backward();
        foreach (var (name, p) in d.Module.named_parameters())
        {
            if (name.EndsWith("bias", StringComparison.Ordinal)) continue; // the head's bias does not enter the input gradient
            Assert.IsNotNull(p.grad, $"{name} has no gradient");
            Assert.IsTrue(p.grad!.isfinite().all().item<bool>(), $"{name} has a non-finite gradient");
        }
    }
}
