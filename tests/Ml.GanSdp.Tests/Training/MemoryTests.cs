using Ml.GanSdp.Tests.TestSupport;
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
        public void Report(TrainingProgress value) => Counts.Add(TensorCounts.Live);
    }

    /// <summary>Resident set size of this process in bytes.</summary>
    private static long Rss()
    {
        using var p = System.Diagnostics.Process.GetCurrentProcess();
        p.Refresh();
        return p.WorkingSet64;
    }

    [TestMethod]
    public void LiveTensorCountAndRssStayFlatOverTwoThousandIterations()
    {
        var (g, d, e) = TinyGan.Models(1, ema: true);
        using (g) using (d) using (e) using (var data = TinyGan.Ring())
        using (var trainer = new GanTrainer(TinyGan.Options(2000) with { EmaDecay = 0.99, ProgressInterval = 100, SampleInterval = 500 }, g, d, data,
                   new IRegularizer[] { new TestGradientPenalty(), new TestScoreGap() }, e))
        {
            for (int i = 0; i < 20; i++) trainer.TrainIteration();
            long warm = TensorCounts.Live;
            GC.Collect();
            GC.WaitForPendingFinalizers();
            long rssBefore = Rss();
            var live = new LiveCounts();
            trainer.Train(live);
            GC.Collect();
            GC.WaitForPendingFinalizers();
            long rssGrowth = Rss() - rssBefore;
            Assert.IsTrue(rssGrowth < 50L << 20, $"RSS grew by {rssGrowth >> 20} MB over 2,000 iterations (limit 50 MB)");
            Assert.AreEqual(2000, trainer.Iteration);
            Assert.AreEqual(20, live.Counts.Count);
            Assert.IsTrue(live.Counts.Max() <= warm, $"live tensors grew from {warm} to [{string.Join(", ", live.Counts)}]");
        }
    }
}
