using Ml.GanSdp.Tests.TestSupport;
using Ml.GanSdp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Tests.Training;

/// <summary>The trainer-level defects of issue #12: divergence beyond a bound, option validation, corrupt checkpoints, stale temporaries.</summary>
[TestClass]
public class TrainerReliabilityTests
{
    /// <summary>
    /// #12 (6): a learning rate of 1e6 blows the losses up to huge but finite values; before, training went on with no
    /// error and the last checkpoint held the blown-up weights. Now it stops, the checkpoint whose weights gave the
    /// out-of-bound losses is gone, and the one named resumes without diverging at once.
    /// </summary>
    [TestMethod]
    public void FiniteBlowUpStopsAndLeavesOnlyHealthyCheckpoints()
    {
        using var dir = new TempDir();
        var options = TinyGan.Options(200) with
        {
            GeneratorLearningRate = 1e6,
            DiscriminatorLearningRate = 1e6,
            Loss = Ml.GanSdp.Losses.GanLossKind.LeastSquares,
            CheckpointInterval = 1,
            CheckpointsToKeep = 1000,
            CheckpointDirectory = dir.Path,
        };
        TrainingDivergedException e;
        var (g, d, _) = TinyGan.Models(3);
        using (g) using (d) using (var data = TinyGan.Ring())
        using (var trainer = new GanTrainer(options, g, d, data))
        {
            e = Assert.ThrowsExactly<TrainingDivergedException>(() => trainer.Train());
            Assert.IsTrue(double.IsNaN(e.Value) || Math.Abs(e.Value) > options.MaxLossMagnitude, $"value {e.Value}");
            Assert.AreEqual(e.LastCheckpoint, trainer.LastCheckpoint);
            Assert.ThrowsExactly<InvalidOperationException>(() => trainer.SaveCheckpoint(), "no checkpoint after a divergence");
            Assert.ThrowsExactly<InvalidOperationException>(() => trainer.TrainIteration(), "no training after a divergence");
        }
        Assert.IsTrue(Checkpoint.List(dir.Path).All(p => Iteration(p) < e.Iteration), "a checkpoint holding the diverged weights was kept");
        if (e.LastCheckpoint is null) { Assert.AreEqual(0, e.Iteration, "only iteration 0 may diverge without a checkpoint before it"); return; }
        StringAssert.Contains(e.Message, e.LastCheckpoint);
        var (g2, d2, _) = TinyGan.Models(99);
        using (g2) using (d2) using (var data = TinyGan.Ring())
        using (var resumed = GanTrainer.Resume(e.LastCheckpoint, g2, d2, data, options: options with { CheckpointInterval = 0 }))
        {
            var first = resumed.TrainIteration(); // the healthy checkpoint's own losses are within the bound
            Assert.IsTrue(first.AllLosses().All(v => double.IsFinite(v) && Math.Abs(v) <= options.MaxLossMagnitude));
        }
    }

    private static long Iteration(string path) => long.Parse(Path.GetFileNameWithoutExtension(path)["checkpoint-".Length..], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>#12 (7): every numeric option rejects NaN and infinities with an error naming it (EmaDecay = NaN used to disable EMA).</summary>
    [TestMethod]
    public void NonFiniteNumericOptionsAreRejectedByName()
    {
        var bad = new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity };
        var setters = new (string name, Func<double, GanTrainerOptions> make)[]
        {
            ("GeneratorLearningRate", v => new GanTrainerOptions { GeneratorLearningRate = v }),
            ("DiscriminatorLearningRate", v => new GanTrainerOptions { DiscriminatorLearningRate = v }),
            ("Beta1", v => new GanTrainerOptions { Beta1 = v }),
            ("Beta2", v => new GanTrainerOptions { Beta2 = v }),
            ("EmaDecay", v => new GanTrainerOptions { EmaDecay = v }),
            ("MaxLossMagnitude", v => new GanTrainerOptions { MaxLossMagnitude = v }),
            ("Sdp", v => new GanTrainerOptions { Sdp = new Ml.GanSdp.Regularizers.SdpOptions { Lambda = v } }),
            ("Regularizers", v => new GanTrainerOptions { Regularizers = new[] { new Ml.GanSdp.Regularizers.RegularizerSpec(Ml.GanSdp.Regularizers.RegularizerKind.R1, v) } }),
        };
        foreach (var (name, make) in setters)
            foreach (var v in bad)
            {
                var o = make(v);
                var e = Assert.Throws<ArgumentException>(() => o.Validate(), $"{name} = {v}");
                StringAssert.Contains(e.Message + (e as ArgumentOutOfRangeException)?.ParamName, name == "Sdp" ? "Lambda" : name == "Regularizers" ? "Weight" : name, $"{name} = {v}");
            }
    }

    /// <summary>Thread counts and devices are checked before they reach TorchSharp (set_num_threads(0) aborts the process).</summary>
    [TestMethod]
    public void ThreadAndDeviceOptionsAreCheckedBeforeTorchSharp()
    {
        foreach (var n in new[] { 0, -1, TorchThreads.MaxThreads + 1 })
            Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => TorchThreads.Set(n, "threads"));
        Assert.IsTrue(TorchThreads.Current >= 1, "the process is alive and libtorch still answers");
        foreach (var t in new[] { -1, TorchThreads.MaxThreads + 1 })
            StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => new GanTrainerOptions { Threads = t }.Validate()).Message, "Threads");
        foreach (var dev in new[] { "", "gpu", "cuda:", "cuda:-1", "cuda:x", "cpu:0" })
            StringAssert.Contains(Assert.Throws<ArgumentException>(() => new GanTrainerOptions { Device = dev }.Validate()).Message, "Device");
        Assert.AreEqual(DeviceType.CPU, Devices.Parse(" CPU ", "d").type);
        if (!cuda.is_available())
            StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => Devices.Parse("cuda:0", "GanTrainerOptions.Device")).Message, "TorchSharp-cuda-linux");
    }

    /// <summary>#12 (9): a corrupt newest checkpoint is skipped for the previous valid one, with a message saying so.</summary>
    [TestMethod]
    public void CorruptLatestCheckpointFallsBackToThePreviousOne()
    {
        using var dir = new TempDir();
        var (g, d, _) = TinyGan.Models(1);
        using (g) using (d) using (var data = TinyGan.Ring())
        using (var trainer = new GanTrainer(TinyGan.Options(4) with { CheckpointInterval = 2, CheckpointDirectory = dir.Path }, g, d, data))
            trainer.Train();
        var all = Checkpoint.List(dir.Path);
        Assert.AreEqual(2, all.Count);
        var bytes = File.ReadAllBytes(all[1]);
        File.WriteAllBytes(all[1], bytes[..(bytes.Length * 2 / 3)]);
        var warnings = new List<string>();
        var found = Checkpoint.LoadLatestValid(dir.Path, warnings.Add);
        Assert.IsNotNull(found);
        using (found.Value.State)
        {
            Assert.AreEqual(all[0], found.Value.Path);
            Assert.AreEqual(2, found.Value.State.Iteration);
        }
        Assert.AreEqual(1, warnings.Count);
        StringAssert.Contains(warnings[0], all[1]);
        StringAssert.Contains(warnings[0], all[0]);
    }

    /// <summary>#12 (9): temporaries left by a killed write are deleted at resume; a live writer's are kept.</summary>
    [TestMethod]
    public void StaleTemporariesOfDeadWritersAreCleaned()
    {
        using var dir = new TempDir();
        int dead = 999_999;
        while (IsAlive(dead)) dead--;
        var stale = dir.File($".checkpoint-00000006.ckpt.{dead}.{Guid.NewGuid():N}.tmp");
        var live = dir.File($".checkpoint-00000008.ckpt.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        var other = dir.File(".notes.tmp");
        foreach (var f in new[] { stale, live, other }) File.WriteAllBytes(f, new byte[] { 1, 2, 3 });
        var deleted = Checkpoint.CleanStaleTemporaries(dir.Path);
        CollectionAssert.AreEqual(new[] { stale }, deleted.ToArray());
        Assert.IsFalse(File.Exists(stale));
        Assert.IsTrue(File.Exists(live));
        Assert.IsTrue(File.Exists(other));
    }

    private static bool IsAlive(int pid)
    {
        try { using var p = System.Diagnostics.Process.GetProcessById(pid); return !p.HasExited; }
        catch (ArgumentException) { return false; }
    }

    /// <summary>A failed checkpoint write (here: the target is a directory) leaves the previous checkpoint intact and no temporary behind.</summary>
    [TestMethod]
    public void FailedWriteLeavesThePreviousCheckpointIntact()
    {
        using var dir = new TempDir();
        var (g, d, _) = TinyGan.Models(1);
        using (g) using (d) using (var data = TinyGan.Ring())
        using (var trainer = new GanTrainer(TinyGan.Options(2), g, d, data))
        {
            trainer.TrainIteration();
            var path = dir.File("a.ckpt");
            trainer.SaveCheckpoint(path);
            var before = File.ReadAllBytes(path);
            trainer.TrainIteration();
            Directory.CreateDirectory(dir.File("blocked.ckpt"));
            Assert.ThrowsExactly<IOException>(() => trainer.SaveCheckpoint(dir.File("blocked.ckpt")));
            CollectionAssert.AreEqual(before, File.ReadAllBytes(path));
            Assert.AreEqual(0, Directory.EnumerateFiles(dir.Path, "*.tmp").Count());
        }
    }
}
