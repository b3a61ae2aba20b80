using Ml.GanSdp.Regularizers;
using Ml.GanSdp.Serialization;
using Ml.GanSdp.Tests.TestSupport;
using Ml.GanSdp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Tests.Training;

[TestClass]
public class GanTrainerTests
{
    /// <summary>A run's per-iteration losses as raw bits, and its final weights.</summary>
    private sealed record Run(List<long[]> Losses, float[] G, float[] D, float[]? Ema);

    private static GanTrainerOptions Rich(long iterations, string? dir = null, long interval = 0, GeneratorRealOutput realOutput = GeneratorRealOutput.Recompute) => TinyGan.Options(iterations) with
    {
        GeneratorRealOutput = realOutput,
        DiscriminatorSteps = 2,
        EmaDecay = 0.9,
        EmaStartIteration = 3,
        CheckpointInterval = interval,
        CheckpointDirectory = dir,
    };

    private static IRegularizer[] Regs() => new IRegularizer[] { new TestGradientPenalty(), new TestScoreGap() };

    private static long[] Bits(IterationResult r) => r.AllLosses().Select(BitConverter.DoubleToInt64Bits).ToArray();

    private static Run Train(GanTrainerOptions options, long modelSeed = 1)
    {
        var (g, d, ema) = TinyGan.Models(modelSeed, options.EmaDecay is not null);
        using (g) using (d) using (ema) using (var data = TinyGan.Ring())
        using (var trainer = new GanTrainer(options, g, d, data, Regs(), ema))
        {
            var losses = new List<long[]>();
            while (trainer.Iteration < options.Iterations) losses.Add(Bits(trainer.TrainIteration()));
            return new Run(losses, TinyGan.Flat(g.Module), TinyGan.Flat(d.Module), ema is null ? null : TinyGan.Flat(ema.Module));
        }
    }

    private static void AssertSame(Run expected, Run actual, int offset = 0)
    {
        for (int i = 0; i < actual.Losses.Count; i++)
            CollectionAssert.AreEqual(expected.Losses[i + offset], actual.Losses[i], $"losses of iteration {i + offset}");
        CollectionAssert.AreEqual(expected.G, actual.G, "G weights");
        CollectionAssert.AreEqual(expected.D, actual.D, "D weights");
        CollectionAssert.AreEqual(expected.Ema, actual.Ema, "EMA weights");
    }

    [TestMethod]
    public void SameSeedGivesBitIdenticalLosses()
    {
        var a = Train(Rich(12));
        var b = Train(Rich(12));
        AssertSame(a, b);
        Assert.AreEqual(12, a.Losses.Count);
        var c = Train(Rich(12) with { Seed = 8 });
        CollectionAssert.AreNotEqual(a.Losses[0], c.Losses[0], "another seed draws other batches");
    }

    [TestMethod]
    [DataRow(GeneratorRealOutput.Recompute)]
    [DataRow(GeneratorRealOutput.ReuseDiscriminatorStep)]
    public void ResumeContinuesExactlyAsAnUninterruptedRun(GeneratorRealOutput realOutput)
    {
        const int n = 10;
        var straight = Train(Rich(2 * n, realOutput: realOutput));

        using var dir = new TempDir();
        string checkpoint;
        var (g1, d1, e1) = TinyGan.Models(1, ema: true);
        using (g1) using (d1) using (e1) using (var data = TinyGan.Ring())
        using (var first = new GanTrainer(Rich(n, dir.Path, n, realOutput), g1, d1, data, Regs(), e1))
        {
            first.Train();
            checkpoint = first.LastCheckpoint!;
        }
        Assert.AreEqual(Checkpoint.FileName(n), Path.GetFileName(checkpoint));
        using (var state = Checkpoint.Load(checkpoint)) Assert.AreEqual(realOutput, state.Options.GeneratorRealOutput, "the checkpoint records the option");

        // New objects, as a new process would build them (other initial weights, the default generator moved on).
        var (g2, d2, e2) = TinyGan.Models(999, ema: true);
        using (g2) using (d2) using (e2) using (var data = TinyGan.Ring())
        using (var resumed = GanTrainer.Resume(checkpoint, g2, d2, data, Regs(), e2, Rich(2 * n, dir.Path, n, realOutput)))
        {
            Assert.AreEqual(n, resumed.Iteration);
            var losses = new List<long[]>();
            while (resumed.Iteration < 2 * n) losses.Add(Bits(resumed.TrainIteration()));
            AssertSame(straight, new Run(losses, TinyGan.Flat(g2.Module), TinyGan.Flat(d2.Module), TinyGan.Flat(e2!.Module)), offset: n);
        }
    }

    /// <summary>
    /// The G step's SDP term (eq. 10) equals (lambda/k) L_SDP computed by hand from the G step's fakes and D's output on
    /// them, and the real scores and block features of the D that <see cref="GanTrainerOptions.GeneratorRealOutput"/>
    /// names: with Recompute, D as it is after the iteration's D steps; with ReuseDiscriminatorStep, D as the last D step
    /// saw it, before that step's update (a copy taken by <see cref="ContextRecorder"/>), on the same real batch. The
    /// other D gives another value, so the test tells the two apart; the reuse saves exactly one D forward per iteration.
    /// </summary>
    [TestMethod]
    [DataRow(GeneratorRealOutput.Recompute, 1)]
    [DataRow(GeneratorRealOutput.ReuseDiscriminatorStep, 1)]
    [DataRow(GeneratorRealOutput.ReuseDiscriminatorStep, 3)]
    public void GeneratorSdpTermIsComputedFromTheChosenRealOutput(GeneratorRealOutput realOutput, int nCritic)
    {
        const double lambda = 0.5;
        const int k = 3;
        bool reuse = realOutput == GeneratorRealOutput.ReuseDiscriminatorStep;
        var sdp = new SdpRegularizer(new SdpOptions { Threshold = 0, InitialK = k, Lambda = lambda });
        var (g, d, _) = TinyGan.Models(1);
        using (g) using (d) using (var data = TinyGan.Ring()) using (var recorder = new ContextRecorder())
        using (var trainer = new GanTrainer(TinyGan.Options(10) with { DiscriminatorSteps = nCritic, GeneratorRealOutput = realOutput }, g, d, data,
                   new IRegularizer[] { sdp, recorder }))
        {
            trainer.TrainIteration();
            trainer.TrainIteration();
            int forwards = d.Forwards;
            var result = trainer.TrainIteration();
            Assert.AreEqual(2 * nCritic + (reuse ? 1 : 2), d.Forwards - forwards, "D forwards in one iteration");

            var real = recorder.GeneratorStepReal!;
            Assert.IsTrue(TensorAssert.Equal(recorder.LastDiscriminatorStepReal!, real), "the G step pairs with the last D step's real batch");
            var fakeOutput = recorder.GeneratorStepFakeOutput!;
            var passed = recorder.GeneratorStepRealOutput!;
            var term = result.GeneratorStep.Penalties.Single(p => p.Name == "sdp");
            Assert.AreEqual(k, term.Metrics["k"]);

            double Hand(TinyDiscriminator scorer, bool mustMatchPassed)
            {
                using var scope = NewDisposeScope();
                using var _ = no_grad();
                var r = scorer.Forward(real);
                if (mustMatchPassed)
                {
                    Assert.IsTrue(TensorAssert.Equal(r.Scores, passed.Scores), "real scores passed to the G step");
                    for (int j = 0; j < r.BlockFeatures.Count; j++)
                        Assert.IsTrue(TensorAssert.Equal(r.BlockFeatures[j], passed.BlockFeatures[j]), $"real block {j} passed to the G step");
                }
                using var l = SampleDifferencesPenalty.Compute(real, recorder.GeneratorStepFake!, r.Scores, fakeOutput.Scores,
                    r.BlockFeatures, fakeOutput.BlockFeatures, k, SdpNormalization.Unit);
                return lambda / k * l.Loss.ToDouble();
            }

            using var dBeforeLastUpdate = recorder.LastDiscriminatorStepD!.Copy();
            using var dNow = d.Copy();
            double expected = Hand(reuse ? dBeforeLastUpdate : dNow, mustMatchPassed: true);
            double other = Hand(reuse ? dNow : dBeforeLastUpdate, mustMatchPassed: false);
            Assert.AreEqual(expected, term.Value, 1e-6 * Math.Abs(expected));
            Assert.IsTrue(Math.Abs(other - expected) > 1e-4 * Math.Abs(expected), $"the other D's real output gives another term ({other} vs {expected})");
        }
    }

    [TestMethod]
    public void ResumeChecksTheRegularizersAndEma()
    {
        using var dir = new TempDir();
        var (g, d, e) = TinyGan.Models(1, ema: true);
        using (g) using (d) using (e) using (var data = TinyGan.Ring())
        {
            string path;
            using (var t = new GanTrainer(Rich(2), g, d, data, Regs(), e)) path = t.SaveCheckpoint(dir.File("x.ckpt"));
            var wrong = Assert.ThrowsExactly<ArgumentException>(() => GanTrainer.Resume(path, g, d, data, new IRegularizer[] { new TestGradientPenalty() }, e));
            StringAssert.Contains(wrong.Message, "[r1, gap]");
            Assert.ThrowsExactly<ArgumentException>(() => GanTrainer.Resume(path, g, d, data, Regs(), null));
        }
    }

    [TestMethod]
    public void DivergenceStopsAndKeepsTheLastGoodCheckpoint()
    {
        using var dir = new TempDir();
        var (g, d, _) = TinyGan.Models(1);
        using (g) using (d) using (var data = TinyGan.Ring())
        using (var trainer = new GanTrainer(TinyGan.Options(20) with { CheckpointInterval = 5, CheckpointDirectory = dir.Path }, g, d, data,
                   new IRegularizer[] { new TestGradientPenalty(), new NanAt(7, inGeneratorStep: true) }))
        {
            var e = Assert.ThrowsExactly<TrainingDivergedException>(() => trainer.Train());
            Assert.AreEqual(7, e.Iteration);
            Assert.AreEqual("generator", e.Network);
            Assert.AreEqual("nan", e.Term);
            StringAssert.Contains(e.Message, "iteration 7");
            StringAssert.Contains(e.Message, "'nan'");
            Assert.AreEqual(7, trainer.Iteration, "the diverged iteration does not count");
            Assert.AreEqual(dir.File(Checkpoint.FileName(5)), e.LastCheckpoint);
            CollectionAssert.AreEqual(new[] { e.LastCheckpoint }, Checkpoint.List(dir.Path).ToArray(), "no checkpoint after the last good one");
            using var state = Checkpoint.Load(e.LastCheckpoint!);
            Assert.AreEqual(5, state.Iteration);
        }
    }

    [TestMethod]
    public void DivergenceInTheDiscriminatorStepNamesIt()
    {
        var (g, d, _) = TinyGan.Models(1);
        using (g) using (d) using (var data = TinyGan.Ring())
        using (var trainer = new GanTrainer(TinyGan.Options(5), g, d, data, new IRegularizer[] { new NanAt(2, inGeneratorStep: false) }))
        {
            var e = Assert.ThrowsExactly<TrainingDivergedException>(() => trainer.Train());
            Assert.AreEqual((2L, "discriminator", "nan"), (e.Iteration, e.Network, e.Term));
            Assert.IsNull(e.LastCheckpoint);
        }
    }

    [TestMethod]
    public void ReportsProgressWithEveryTermAndMetric()
    {
        var progress = new ListProgress<TrainingProgress>();
        var (g, d, _) = TinyGan.Models(1);
        using (g) using (d) using (var data = TinyGan.Ring())
        using (var trainer = new GanTrainer(TinyGan.Options(12) with { ProgressInterval = 5 }, g, d, data, Regs()))
        {
            var last = trainer.Train(progress);
            Assert.AreEqual(11, last!.Iteration);
        }
        CollectionAssert.AreEqual(new long[] { 5, 10, 12 }, progress.Items.Select(p => p.Iteration).ToArray());
        var p = progress.Items[^1];
        Assert.AreEqual(12, p.TotalIterations);
        Assert.AreEqual(p.Last.GeneratorStep.Loss, p.GeneratorLoss);
        foreach (var key in new[] { "D/adversarial", "D/r1", "D/r1/grad_norm", "D/gap", "G/adversarial", "G/gap", "G/gap/k", "G/gap/score_gap" })
            Assert.IsTrue(p.Terms.ContainsKey(key), $"missing {key} in [{string.Join(", ", p.Terms.Keys)}]");
        Assert.AreEqual(2.0, p.Terms["G/gap/k"], "k = 1 + 11 / 10");
        Assert.IsTrue(p.IterationsPerSecond > 0);
        StringAssert.Contains(p.ToString(), "iter 12/12");
    }

    [TestMethod]
    public void RunsNCriticDiscriminatorStepsPerGeneratorStep()
    {
        var r1 = new TestGradientPenalty();
        var gap = new TestScoreGap();
        var (g, d, _) = TinyGan.Models(1);
        using (g) using (d) using (var data = TinyGan.Ring())
        using (var trainer = new GanTrainer(TinyGan.Options(4) with { DiscriminatorSteps = 3 }, g, d, data, new IRegularizer[] { r1, gap }))
        {
            var result = trainer.TrainIteration();
            Assert.AreEqual(3, result.DiscriminatorSteps.Count);
            trainer.Train();
        }
        Assert.AreEqual(12, r1.DiscriminatorCalls);
        Assert.AreEqual(4, gap.GeneratorCalls);
    }

    [TestMethod]
    public void EmaGeneratorAveragesAndTrainedModelsAreExposed()
    {
        var (g, d, e) = TinyGan.Models(1, ema: true);
        using (g) using (d) using (e) using (var data = TinyGan.Ring())
        {
            using (var copying = new GanTrainer(TinyGan.Options(5) with { EmaDecay = 0.9, EmaStartIteration = 100 }, g, d, data, null, e))
            {
                copying.Train();
                Assert.AreSame(e!.Module, copying.EmaGeneratorModule);
                Assert.AreSame(g, copying.Generator);
                Assert.AreSame(d, copying.Discriminator);
                CollectionAssert.AreEqual(TinyGan.Flat(g.Module), TinyGan.Flat(e.Module), "before the start iteration the EMA copies G");
            }
            using (var averaging = new GanTrainer(TinyGan.Options(5) with { EmaDecay = 0.9 }, g, d, data, null, e))
            {
                averaging.Train();
                CollectionAssert.AreNotEqual(TinyGan.Flat(g.Module), TinyGan.Flat(e.Module), "the EMA lags G");
            }
        }
    }

    [TestMethod]
    public void WritesSamplesAndPrunesOldCheckpoints()
    {
        using var dir = new TempDir();
        var seen = new List<long>();
        var (g, d, _) = TinyGan.Models(1);
        using (g) using (d) using (var data = TinyGan.Ring())
        using (var trainer = new GanTrainer(TinyGan.Options(10) with
               {
                   CheckpointInterval = 2, CheckpointDirectory = dir.Path, CheckpointsToKeep = 2,
                   SampleInterval = 5, SampleCount = 9, SampleDirectory = dir.Path,
               }, g, d, data))
        {
            trainer.SamplesGenerated = (it, s) => { seen.Add(it); CollectionAssert.AreEqual(new long[] { 9, 2 }, s.shape); };
            trainer.Train();
        }
        CollectionAssert.AreEqual(new long[] { 5, 10 }, seen);
        using var samples = Npy.Load(dir.File("samples-00000010.npy"));
        CollectionAssert.AreEqual(new long[] { 9, 2 }, samples.shape);
        CollectionAssert.AreEqual(new[] { Checkpoint.FileName(8), Checkpoint.FileName(10) }, Checkpoint.List(dir.Path).Select(Path.GetFileName).ToArray());
    }

    [TestMethod]
    public void TrainStopsOnCancellationAndReturnsNullWhenDone()
    {
        var (g, d, _) = TinyGan.Models(1);
        using (g) using (d) using (var data = TinyGan.Ring())
        using (var trainer = new GanTrainer(TinyGan.Options(3), g, d, data))
        {
            using var cts = new CancellationTokenSource();
            cts.Cancel();
            Assert.ThrowsExactly<OperationCanceledException>(() => trainer.Train(null, cts.Token));
            Assert.AreEqual(0, trainer.Iteration);
            Assert.IsNotNull(trainer.Train());
            Assert.IsNull(trainer.Train(), "nothing left to train");
        }
    }

    [TestMethod]
    public void RejectsMismatchedParts()
    {
        var (g, d, e) = TinyGan.Models(1, ema: true);
        using (g) using (d) using (e) using (var data = TinyGan.Ring())
        {
            var latent = Assert.ThrowsExactly<ArgumentException>(() => new GanTrainer(TinyGan.Options() with { LatentSize = 5 }, g, d, data));
            StringAssert.Contains(latent.Message, "LatentSize (5)");
            Assert.ThrowsExactly<ArgumentException>(() => new GanTrainer(TinyGan.Options() with { EmaDecay = 0.99 }, g, d, data));
            Assert.ThrowsExactly<ArgumentException>(() => new GanTrainer(TinyGan.Options(), g, d, data, null, e));
            Assert.ThrowsExactly<ArgumentException>(() => new GanTrainer(TinyGan.Options(), g, d, data, new IRegularizer[] { new TestScoreGap(), new TestScoreGap() }));
            Assert.ThrowsExactly<ArgumentException>(() => new GanTrainer(TinyGan.Options() with { BatchSize = 1 }, g, d, data));
        }
    }
}
