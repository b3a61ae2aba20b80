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
    public void KeptRealOutputIsDetachedAndComesFromDBeforeItsUpdate()
    {
        using var rig = new StepRig(new TestScoreGap());
        rig.DStep().Run(0, keepRealOutput: false, out var plain, out var none);
        plain.Dispose();
        Assert.IsNull(none, "nothing is kept unless asked");

        using var snapshot = rig.D.Copy();
        long live = TensorCounts.Live;
        rig.DStep().Run(1, keepRealOutput: true, out var real, out var kept);
        using (real)
        using (kept)
        {
            Assert.IsNotNull(kept);
            Assert.IsFalse(kept.Scores.requires_grad || kept.BlockFeatures.Any(f => f.requires_grad), "detached");
            Assert.IsFalse(kept.Scores.IsInvalid, "the kept output outlives the step's dispose scope");
            using var scope = NewDisposeScope();
            var expected = snapshot.Forward(real.Samples);
            Assert.IsTrue(TensorAssert.Equal(expected.Scores, kept.Scores), "scores of D as the step saw it (before its update)");
            Assert.AreEqual(expected.BlockFeatures.Count, kept.BlockFeatures.Count);
            for (int j = 0; j < kept.BlockFeatures.Count; j++)
                Assert.IsTrue(TensorAssert.Equal(expected.BlockFeatures[j], kept.BlockFeatures[j]), $"block {j}");
            var updated = rig.D.Forward(real.Samples);
            Assert.IsTrue((updated.Scores - kept.Scores).abs().max().ToDouble() > 1e-6, "the step updated D after the kept forward");
        }
        Assert.AreEqual(live, TensorCounts.Live, "disposing the batch and the kept output frees everything");
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
    public void UsesTheGivenDiscriminatorStepOutputInsteadOfAForward()
    {
        var gap = new TestScoreGap(weight: 0.25);
        using var rig = new StepRig(gap);
        rig.DStep().Run(0, out var real);
        using (real)
        {
            // A given real output with known scores: the G term is 0.25 (mean D(G(z)) - 3)^2, whatever D says about the reals.
            using var given = new global::Ml.GanSdp.Models.DiscriminatorOutput(full(16, 3.0f), new[] { zeros(16, 16, 1, 1), zeros(16, 16, 1, 1) });
            int forwards = rig.D.Forwards;
            var result = rig.GStep(real: true).Run(0, real, given);
            Assert.AreEqual(1, rig.D.Forwards - forwards, "D runs on the fakes only");
            Assert.AreSame(given, gap.GeneratorStepRealOutput);
            double scoreGap = result.Penalties.Single().Metrics["score_gap"];
            using (var realScores = rig.D.Forward(real.Samples))
            {
                // score_gap = mean D(G(z)) - mean real score: with the given 3 it lies near -3 (D's own real scores are near 0).
                Assert.IsTrue(Math.Abs(realScores.Scores.mean().ToDouble()) < 1, "D scores the reals near 0");
                Assert.IsTrue(scoreGap < -2 && scoreGap > -4, $"score_gap {scoreGap} uses the given real scores");
            }
            Assert.AreEqual(0.25 * scoreGap * scoreGap, result.Penalties[0].Value, 1e-6);
            Assert.IsFalse(given.Scores.IsInvalid, "the caller keeps the given output");

            int before = rig.D.Forwards;
            rig.GStep(real: true).Run(1, real);
            Assert.AreEqual(2, rig.D.Forwards - before, "without one, D runs on the fakes and on the reals");
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
