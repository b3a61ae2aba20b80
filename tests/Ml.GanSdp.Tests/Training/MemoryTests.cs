using Ml.GanSdp.Regularizers;
using Ml.GanSdp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Tests.Training;

[TestClass]
public class MemoryTests
{
    private sealed class LiveCounts : IProgress<TrainingProgress>
    {
        public List<long> Counts { get; } = new();
        public void Report(TrainingProgress value) => Counts.Add(LiveTensorCount);
    }

    [TestMethod]
    public void LiveTensorCountStaysFlatOverTwoThousandIterations()
    {
        var (g, d, e) = TinyGan.Models(1, ema: true);
        using (g) using (d) using (e) using (var data = TinyGan.Ring())
        using (var trainer = new GanTrainer(TinyGan.Options(2000) with { EmaDecay = 0.99, ProgressInterval = 100, SampleInterval = 500 }, g, d, data,
                   new IRegularizer[] { new TestGradientPenalty(), new TestScoreGap() }, e))
        {
            for (int i = 0; i < 20; i++) trainer.TrainIteration();
            long warm = LiveTensorCount;
            var live = new LiveCounts();
            trainer.Train(live);
            Assert.AreEqual(2000, trainer.Iteration);
            Assert.AreEqual(20, live.Counts.Count);
            Assert.IsTrue(live.Counts.Max() <= warm, $"live tensors grew from {warm} to [{string.Join(", ", live.Counts)}]");
        }
    }
}
