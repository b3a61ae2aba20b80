using Ml.GanSdp.Models;
using Ml.GanSdp.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Tests.Models;

/// <summary>#12 (1): generating must not change the generator and must be safe from several threads.</summary>
[TestClass]
public class GeneratorInferenceTests
{
    private static IGenerator TrainedLikeGenerator()
    {
        manual_seed(4);
        var g = ModelFactory.CreateGenerator(new ModelOptions { Architecture = Architecture.Dcgan, ImageSize = 32, Width = 8, LatentSize = 16, NumClasses = 3 });
        // A generator as training leaves it: in training mode, with moved batch-norm statistics.
        using (no_grad())
            for (int i = 0; i < 3; i++) g.Forward(randn(8, 16), randint(0, 3, new long[] { 8 })).Dispose();
        Assert.IsTrue(g.Module.training);
        return g;
    }

    [TestMethod]
    public void FourThreadsGiveTheSingleThreadedImagesBitForBitAndChangeNothing()
    {
        using var inference = new GeneratorInference(TrainedLikeGenerator());
        var before = new Dictionary<string, float[]>();
        var module = typeof(GeneratorInference).GetField("_generator", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!;
        var g = (IGenerator)module.GetValue(inference)!;
        foreach (var (k, v) in StateDicts.Copy(g.Module)) before[k] = v.to(ScalarType.Float32).data<float>().ToArray();

        var expected = Enumerable.Range(0, 8).Select(seed => { using var t = inference.Generate(5, seed); return t.data<float>().ToArray(); }).ToArray();
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        var threads = Enumerable.Range(0, 4).Select(w => new Thread(() =>
        {
            for (int call = 0; call < 25; call++)
            {
                int seed = (w * 7 + call) % 8;
                using var t = inference.Generate(5, seed);
                if (!t.data<float>().ToArray().SequenceEqual(expected[seed])) failures.Add($"thread {w} call {call} seed {seed}");
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.AreEqual(0, failures.Count, string.Join("; ", failures.Take(5)));
        foreach (var (k, v) in StateDicts.Copy(g.Module))
            CollectionAssert.AreEqual(before[k], v.to(ScalarType.Float32).data<float>().ToArray(), $"{k} changed by generation");
        for (int seed = 0; seed < 8; seed++)
        {
            using var again = inference.Generate(5, seed);
            CollectionAssert.AreEqual(expected[seed], again.data<float>().ToArray(), $"seed {seed} changed after concurrent use");
        }
    }

    [TestMethod]
    public void SwitchingBackToTrainingModeIsRefused()
    {
        var g = TrainedLikeGenerator();
        using var inference = new GeneratorInference(g);
        g.Module.train();
        Assert.ThrowsExactly<InvalidOperationException>(() => inference.Generate(2, 0));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => inference.Generate(0, 0));
    }
}
