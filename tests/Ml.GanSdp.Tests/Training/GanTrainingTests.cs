using Ml.GanSdp.Metrics;
using Ml.GanSdp.Models;
using Ml.GanSdp.Regularizers;
using Ml.GanSdp.Tests.TestSupport;
using Ml.GanSdp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Tests.Training;

[TestClass]
public class GanTrainingTests
{
    private static GanTrainerOptions RingOptions(string dir, long iterations) => new()
    {
        Model = new ModelOptions { Architecture = Architecture.Mlp, LatentSize = 2, Channels = 2, Width = 32, Depth = 2 },
        LatentSize = 2,
        BatchSize = 32,
        Iterations = iterations,
        Seed = 11,
        Sdp = new SdpOptions { Threshold = 5, InitialK = 2, Period = 10 },
        Regularizers = new[] { new RegularizerSpec(RegularizerKind.R1, 0.5) },
        EmaDecay = 0.9,
        CheckpointInterval = 10,
        CheckpointDirectory = dir,
        ProgressInterval = 1000,
    };

    [TestMethod]
    public void SessionFromOptionsResumesExactlyWithSdpAndRegularizersFromTheCheckpoint()
    {
        using var dir = new TempDir();
        using var g = new Generator(5);
        using var samples = GaussianMixture2D.Ring8().Sample(512, g);
        using var data = new TensorBatchSource(samples);

        var straight = new List<double>();
        using (var s = GanTraining.Create(RingOptions(dir.File("a"), 20), data))
            for (int i = 0; i < 20; i++) straight.AddRange(s.Trainer.TrainIteration().AllLosses());

        var resumed = new List<double>();
        using (var s = GanTraining.Create(RingOptions(dir.File("b"), 20), data))
        {
            for (int i = 0; i < 10; i++) resumed.AddRange(s.Trainer.TrainIteration().AllLosses());
            s.Trainer.SaveCheckpoint();
        }
        var ckpt = Checkpoint.FindLatest(dir.File("b"))!;
        using (var s = GanTraining.Resume(ckpt, data))
        {
            Assert.AreEqual(10, s.Trainer.Iteration);
            Assert.IsNotNull(s.Trainer.Options.Sdp);
            Assert.AreEqual(2, s.Trainer.Options.Sdp!.InitialK);
            Assert.AreEqual(new RegularizerSpec(RegularizerKind.R1, 0.5), s.Trainer.Options.Regularizers.Single());
            CollectionAssert.AreEqual(new[] { "sdp", "r1" }, s.Trainer.Regularizers.Select(r => r.Name).ToArray());
            for (int i = 0; i < 10; i++) resumed.AddRange(s.Trainer.TrainIteration().AllLosses());
        }
        CollectionAssert.AreEqual(straight, resumed);
    }

    [TestMethod]
    public void InvalidRegularizerOptionsAreNamed()
    {
        var o = RingOptions("x", 1) with { Regularizers = new[] { new RegularizerSpec(RegularizerKind.Cr, -1) } };
        var e = Assert.ThrowsExactly<ArgumentException>(() => o.Validate());
        StringAssert.Contains(e.Message, "RegularizerSpec.Weight of Cr");
        var twice = RingOptions("x", 1) with { Regularizers = new[] { new RegularizerSpec(RegularizerKind.R1), new RegularizerSpec(RegularizerKind.R1) } };
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => twice.Validate()).Message, "twice");
        var sdp = RingOptions("x", 1) with { Sdp = new SdpOptions { InitialK = 0 } };
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => sdp.Validate());
    }

    [TestMethod]
    public void FactoryBuildsEachKindWithItsWeight()
    {
        var all = Enum.GetValues<RegularizerKind>().Select(k => new RegularizerSpec(k, 3)).ToList();
        var regs = RegularizerFactory.Create(all, new SdpOptions());
        CollectionAssert.AreEqual(new[] { "sdp", "wgan-gp", "r1", "r2", "dragan", "cr", "bcr", "zcr", "feature-matching" }, regs.Select(r => r.Name).ToArray());
        Assert.AreEqual(3, ((GradientPenalty)regs[1]).Options.Weight);
        Assert.AreEqual(3, ((R1Penalty)regs[2]).Options.Gamma);
        Assert.AreEqual(3, ((BalancedConsistencyRegularization)regs[6]).Options.FakeWeight);
    }
}
