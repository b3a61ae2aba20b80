using Ml.GanSdp.Tests.TestSupport;
using Ml.GanSdp.Losses;
using Ml.GanSdp.Regularizers;
using Ml.GanSdp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Tests.Training;

/// <summary>Builds the steps of a tiny GAN by hand.</summary>
internal sealed class StepRig : IDisposable
{
    public StepRig(params IRegularizer[] regularizers)
    {
        (G, D, _) = TinyGan.Models(11);
        Data = TinyGan.Ring();
        Regularizers = regularizers;
        OptG = optim.Adam(G.Module.parameters(), 1e-2, 0.5, 0.999);
        OptD = optim.Adam(D.Module.parameters(), 1e-2, 0.5, 0.999);
        Latents = new LatentSampler(Noise, G.LatentSize, 0);
    }

    public TinyGenerator G { get; }
    public TinyDiscriminator D { get; }
    public TensorBatchSource Data { get; }
    public IRegularizer[] Regularizers { get; }
    public optim.Optimizer OptG { get; }
    public optim.Optimizer OptD { get; }
    public Generator DataRng { get; } = new(1);
    public Generator Noise { get; } = new(2);
    public LatentSampler Latents { get; }

    public DiscriminatorStep DStep() => new(G, D, GanLosses.Create(GanLossKind.NonSaturating), Regularizers, OptD, Data, DataRng, Latents, 16);
    public GeneratorStep GStep(bool real) => new(G, D, GanLosses.Create(GanLossKind.NonSaturating), Regularizers, OptG, Latents, 16, real);

    public void Dispose()
    {
        OptG.Dispose();
        OptD.Dispose();
        DataRng.Dispose();
        Noise.Dispose();
        Data.Dispose();
        G.Dispose();
        D.Dispose();
    }
}

[TestClass]
public class DiscriminatorStepTests
{
    [TestMethod]
    public void UpdatesOnlyTheDiscriminatorAndReportsEachTerm()
    {
        using var rig = new StepRig(new TestGradientPenalty(), new TestScoreGap());
        var g0 = TinyGan.Flat(rig.G.Module);
        var d0 = TinyGan.Flat(rig.D.Module);
        var result = rig.DStep().Run(0, out var real);
        using (real)
        {
            CollectionAssert.AreEqual(new long[] { 16, 2 }, real.Samples.shape);
            Assert.IsFalse(real.Samples.IsInvalid, "the real batch outlives the step's dispose scope");
        }
        CollectionAssert.AreEqual(g0, TinyGan.Flat(rig.G.Module), "G must not change in a D step");
        CollectionAssert.AreNotEqual(d0, TinyGan.Flat(rig.D.Module), "D must change in a D step");
        Assert.IsTrue(rig.G.Module.parameters().All(p => p.grad is null), "no gradient reaches G in a D step");
        Assert.AreEqual(2, result.Penalties.Count);
        Assert.AreEqual("r1", result.Penalties[0].Name);
        Assert.IsTrue(result.Penalties[0].Metrics.ContainsKey("grad_norm"));
        Assert.AreEqual("gap", result.Penalties[1].Name);
        Assert.AreEqual(result.AdversarialLoss + result.Penalties.Sum(p => p.Value), result.Loss, 1e-5);
    }

    [TestMethod]
    public void NonFiniteTermStopsBeforeTheUpdate()
    {
        using var rig = new StepRig(new NanAt(3, inGeneratorStep: false));
        var step = rig.DStep();
        long live = TensorCounts.Live;
        var d0 = TinyGan.Flat(rig.D.Module);
        var e = Assert.ThrowsExactly<TrainingDivergedException>(() => step.Run(3, out _));
        Assert.AreEqual(3, e.Iteration);
        Assert.AreEqual("discriminator", e.Network);
        Assert.AreEqual("nan", e.Term);
        Assert.IsTrue(double.IsNaN(e.Value));
        CollectionAssert.AreEqual(d0, TinyGan.Flat(rig.D.Module), "the diverged step is not applied");
        Assert.AreEqual(live, TensorCounts.Live, "the failed step frees its tensors");
    }
}

[TestClass]
public class GeneratorStepTests
{
    [TestMethod]
    public void UpdatesOnlyTheGeneratorAndPassesRealOutput()
    {
        var gap = new TestScoreGap();
        using var rig = new StepRig(gap);
        rig.DStep().Run(0, out var real);
        using (real)
        {
            var g0 = TinyGan.Flat(rig.G.Module);
            var d0 = TinyGan.Flat(rig.D.Module);
            var result = rig.GStep(real: true).Run(0, real);
            CollectionAssert.AreNotEqual(g0, TinyGan.Flat(rig.G.Module), "G must change in a G step");
            CollectionAssert.AreEqual(d0, TinyGan.Flat(rig.D.Module), "D must not change in a G step");
            Assert.IsTrue(rig.D.Module.parameters().All(p => p.requires_grad), "D's parameters are unfrozen after the G step");
            Assert.IsTrue(gap.SawRealOutputInGeneratorStep == true);
            Assert.IsTrue(gap.GeneratorStepFakeRequiresGrad == true, "fakes are attached to G in the G step");
            Assert.AreEqual("gap", result.Penalties.Single().Name);
            Assert.IsTrue(result.Penalties[0].Metrics.ContainsKey("score_gap"));
            Assert.AreEqual(result.AdversarialLoss + result.Penalties[0].Value, result.Loss, 1e-5);
        }
    }

    [TestMethod]
    public void SkipsRealForwardWhenNotAsked()
    {
        var gap = new TestScoreGap();
        using var rig = new StepRig(gap);
        rig.DStep().Run(0, out var real);
        using (real)
        {
            var result = rig.GStep(real: false).Run(0, real);
            Assert.IsTrue(gap.SawRealOutputInGeneratorStep == false);
            Assert.AreEqual(0, result.Penalties.Count);
        }
    }

    [TestMethod]
    public void NonFiniteTermStopsBeforeTheUpdate()
    {
        using var rig = new StepRig(new NanAt(0, inGeneratorStep: true));
        rig.DStep().Run(0, out var real);
        using (real)
        {
            var g0 = TinyGan.Flat(rig.G.Module);
            var e = Assert.ThrowsExactly<TrainingDivergedException>(() => rig.GStep(real: false).Run(0, real));
            Assert.AreEqual("generator", e.Network);
            Assert.AreEqual("nan", e.Term);
            CollectionAssert.AreEqual(g0, TinyGan.Flat(rig.G.Module));
            Assert.IsTrue(rig.D.Module.parameters().All(p => p.requires_grad), "D is unfrozen even when the step fails");
        }
    }
}
