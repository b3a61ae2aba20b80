using Ml.GanSdp.Metrics;
using Ml.GanSdp.Models;
using Ml.GanSdp.Regularizers;
using Ml.GanSdp.Tests.TestSupport;
using Ml.GanSdp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Tests.Training;

/// <summary>
/// kill -9, then resume (#12 "also keep"): a child process (this test assembly, see <see cref="Program"/>) trains with
/// checkpoints and is killed with SIGKILL mid-run, wherever it happens to be (inside an iteration or a checkpoint
/// write); a resume in this process from the newest valid checkpoint then gives exactly the losses of an
/// uninterrupted run.
/// </summary>
[TestClass]
public class CrashResumeTests
{
    private const long CheckpointInterval = 7;

    /// <summary>MLP GAN on the ring of 8 with SDP, R1 and EMA, so that every kind of state is checkpointed.</summary>
    private static GanTrainerOptions Options(string dir, long iterations) => new()
    {
        Model = new ModelOptions { Architecture = Architecture.Mlp, LatentSize = 2, Channels = 2, Width = 32, Depth = 2 },
        LatentSize = 2,
        BatchSize = 32,
        Iterations = iterations,
        Seed = 23,
        Sdp = new SdpOptions { Threshold = 5, InitialK = 2, Period = 10 },
        Regularizers = new[] { new RegularizerSpec(RegularizerKind.R1, 0.5) },
        EmaDecay = 0.9,
        CheckpointInterval = CheckpointInterval,
        CheckpointDirectory = dir,
        CheckpointsToKeep = 2,
        ProgressInterval = 1_000_000,
    };

    private static TensorBatchSource Data()
    {
        using var g = new Generator(5);
        using var samples = GaussianMixture2D.Ring8().Sample(512, g);
        return new TensorBatchSource(samples);
    }

    /// <summary>The child's run: trains (checkpointing every few iterations) until it is killed; one log line per iteration.</summary>
    internal static void TrainUntilKilled(string dir, string log)
    {
        using var data = Data();
        using var session = GanTraining.Create(Options(dir, 1_000_000), data);
        using var writer = new StreamWriter(log, append: false) { AutoFlush = true };
        while (true)
        {
            var losses = session.Trainer.TrainIteration().AllLosses().ToArray();
            if (session.Trainer.Iteration % CheckpointInterval == 0) session.Trainer.SaveCheckpoint(); // as GanTrainer.Train does
            writer.WriteLine(Program.Format(losses));
        }
    }

    [TestMethod]
    public void KilledWithSigkillMidRunThenResumedGivesTheLossesOfAnUninterruptedRun()
    {
        using var dir = new TempDir();
        var checkpoints = dir.File("checkpoints");
        var log = dir.File("losses.log");
        using var child = Program.StartChild("train-until-killed", checkpoints, log);
        var stderr = child.StandardError.ReadToEndAsync();
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (LineCount(log) < 40)
        {
            if (child.HasExited) Assert.Fail($"the child exited early ({child.ExitCode}): {stderr.Result}");
            if (DateTime.UtcNow > deadline) { child.Kill(); Assert.Fail("the child did not log 40 iterations in 3 minutes"); }
            Thread.Sleep(20);
        }
        child.Kill(); // SIGKILL on Linux: no managed code of the child runs after it
        child.WaitForExit();
        Assert.AreEqual(137, child.ExitCode, "killed by SIGKILL (128 + 9)");

        var logged = File.ReadAllLines(log).Where(l => l.Length > 0).ToList();
        long target = logged.Count + 5;
        var straight = new List<double[]>();
        using (var data = Data())
        using (var s = GanTraining.Create(Options(dir.File("straight"), target), data))
            while (s.Trainer.Iteration < target) straight.Add(s.Trainer.TrainIteration().AllLosses().ToArray());
        for (int i = 0; i < logged.Count - 1; i++) // the last line may have been cut by the kill
            Assert.AreEqual(Program.Format(straight[i]), logged[i], $"the child's iteration {i} (another process, same losses)");

        var warnings = new List<string>();
        using (var data = Data())
        using (var resumed = GanTraining.ResumeLatest(checkpoints, data, Options(checkpoints, target), warnings.Add))
        {
            Assert.IsNotNull(resumed, "a valid checkpoint survives the kill");
            long from = resumed.Trainer.Iteration;
            Assert.IsTrue(from > 0 && from % CheckpointInterval == 0 && from <= logged.Count, $"resumed at iteration {from} of {logged.Count} logged");
            while (resumed.Trainer.Iteration < target)
            {
                long i = resumed.Trainer.Iteration;
                CollectionAssert.AreEqual(straight[(int)i], resumed.Trainer.TrainIteration().AllLosses().ToArray(), $"resumed iteration {i}");
            }
        }
        Assert.AreEqual(0, Directory.EnumerateFiles(checkpoints, "*.tmp").Count(), $"no temporary is left after the resume (warnings: {string.Join(" | ", warnings)})");
    }

    private static int LineCount(string path)
    {
        if (!File.Exists(path)) return 0;
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        int n = 0;
        while (reader.ReadLine() is not null) n++;
        return n;
    }
}
