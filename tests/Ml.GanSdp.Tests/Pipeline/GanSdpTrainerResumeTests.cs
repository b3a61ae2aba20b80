using Ml.GanSdp.Pipeline;
using Ml.GanSdp.Tests.TestSupport;
using Ml.GanSdp.Training;
using static Ml.GanSdp.torch;

namespace Ml.GanSdp.Tests.Pipeline;

[TestClass]
public class GanSdpTrainerResumeTests
{
    [TestMethod]
    public void AFitResumedFromACheckpointEqualsTheUninterruptedFit()
    {
        using var dir = new TempDir();
        var data = PipelineFixtures.TwoClassImages();
        var trainer = PipelineFixtures.TinyTrainer(iterations: 6) with { CheckpointInterval = 3, CheckpointsToKeep = 5 };

        var ctx = new GanContext(1);
        using var straight = ctx.Transforms.TrainGanSdp(new GanSdpTrainerOptions
        {
            LabelColumnName = "Label",
            Trainer = trainer with { CheckpointDirectory = dir.File("a") },
        }).Fit(data);
        var halfway = Path.Combine(dir.File("a"), Checkpoint.FileName(3));
        Assert.IsTrue(File.Exists(halfway));

        using var resumed = new GanContext(1).Transforms.TrainGanSdp(new GanSdpTrainerOptions
        {
            LabelColumnName = "Label",
            Trainer = trainer with { CheckpointDirectory = dir.File("b") },
            ResumeFrom = halfway,
        }).Fit(data);

        using var scope = NewDisposeScope();
        var labels = arange(16).remainder(2).to(ScalarType.Int64);
        Assert.IsTrue(equal(straight.Generate(16, 5, labels), resumed.Generate(16, 5, labels)), "resumed generator differs from the uninterrupted one");
        Assert.AreEqual(6.0, resumed.Metrics["iterations"]);
    }

    [TestMethod]
    public void ResumingWithOtherRegularizersIsRefused()
    {
        using var dir = new TempDir();
        var data = PipelineFixtures.TwoClassImages();
        var trainer = PipelineFixtures.TinyTrainer(iterations: 2) with { CheckpointInterval = 2, CheckpointDirectory = dir.File("a") };
        using (new GanContext(1).Transforms.TrainGanSdp(new GanSdpTrainerOptions { LabelColumnName = "Label", Trainer = trainer }).Fit(data)) { }
        var e = Assert.ThrowsExactly<ArgumentException>(() => new GanContext(1).Transforms.TrainGanSdp(new GanSdpTrainerOptions
        {
            LabelColumnName = "Label",
            Trainer = trainer with { Sdp = null, Iterations = 4 },
            ResumeFrom = Path.Combine(dir.File("a"), Checkpoint.FileName(2)),
        }).Fit(data));
        StringAssert.Contains(e.Message, "sdp");
    }
}
