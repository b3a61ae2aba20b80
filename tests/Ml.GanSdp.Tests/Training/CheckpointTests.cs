using System.IO.Compression;
using System.Text;
using Ml.GanSdp.Models;
using Ml.GanSdp.Tests.TestSupport;
using Ml.GanSdp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Tests.Training;

[TestClass]
public class CheckpointTests
{
    private static CheckpointState Sample(GanTrainerOptions options)
    {
        Tensor T(params float[] v) => tensor(v).DetachFromDisposeScope();
        using var rng = new Generator(5);
        return new CheckpointState
        {
            Iteration = 42,
            Options = options,
            Regularizers = new[] { "r1", "gap" },
            Generator = new Dictionary<string, Tensor> { ["l1.weight"] = T(1, 2, 3), ["l1.bias"] = T(4) },
            Discriminator = new Dictionary<string, Tensor> { ["l1.weight"] = T(5, 6) },
            GeneratorEma = new Dictionary<string, Tensor> { ["l1.weight"] = T(1.5f, 2, 3), ["l1.bias"] = T(4) },
            GeneratorOptimizer = new Dictionary<string, Tensor> { ["state.0.exp_avg"] = T(0.1f), ["lr"] = tensor(1e-3, ScalarType.Float64).DetachFromDisposeScope() },
            DiscriminatorOptimizer = new Dictionary<string, Tensor> { ["lr"] = tensor(2e-3, ScalarType.Float64).DetachFromDisposeScope() },
            Rng = new Dictionary<string, Tensor> { ["data"] = rng.get_state().DetachFromDisposeScope() },
        };
    }

    private static string Write(TempDir dir, string name = "c.ckpt")
    {
        var path = dir.File(name);
        using var state = Sample(new GanTrainerOptions());
        Checkpoint.Save(path, state);
        return path;
    }

    [TestMethod]
    public void RoundTripsEveryTensorAndTheOptions()
    {
        using var dir = new TempDir();
        var options = new GanTrainerOptions { LatentSize = 8, Model = new ModelOptions { Architecture = Architecture.Mlp, LatentSize = 8, Channels = 2 }, EmaDecay = 0.999, Seed = 9, CheckpointDirectory = "x", GeneratorRealOutput = GeneratorRealOutput.ReuseDiscriminatorStep,
            Sdp = new Ml.GanSdp.Regularizers.SdpOptions { Lambda = 0.03 }, Regularizers = new[] { new Ml.GanSdp.Regularizers.RegularizerSpec(Ml.GanSdp.Regularizers.RegularizerKind.Zcr, 2) } };
        using var state = Sample(options);
        var path = dir.File("a.ckpt");
        Checkpoint.Save(path, state);
        using var back = Checkpoint.Load(path);
        Assert.AreEqual(42, back.Iteration);
        // Record equality compares the Regularizers list by reference: compare it by sequence, the rest as records.
        Assert.AreEqual(options with { Regularizers = back.Options.Regularizers }, back.Options);
        CollectionAssert.AreEqual(options.Regularizers.ToList(), back.Options.Regularizers.ToList());
        CollectionAssert.AreEqual(new[] { "r1", "gap" }, back.Regularizers.ToArray());
        foreach (var ((group, a), (_, b)) in state.Groups().Zip(back.Groups()))
        {
            CollectionAssert.AreEquivalent(a.Keys.ToArray(), b.Keys.ToArray(), group);
            foreach (var (k, t) in a) Assert.IsTrue(TensorAssert.Equal(t, b[k]), $"{group}/{k}");
        }
        using var zip = ZipFile.OpenRead(path);
        Assert.IsNotNull(zip.GetEntry("checkpoint.json"));
        Assert.IsNotNull(zip.GetEntry("generator/l1.weight.npy"));
        using var manifest = new StreamReader(zip.GetEntry("checkpoint.json")!.Open());
        var json = manifest.ReadToEnd();
        StringAssert.Contains(json, "\"format\": \"ml-gansdp-checkpoint\"");
        StringAssert.Contains(json, "\"batch_size\": 64");
        StringAssert.Contains(json, "\"architecture\": \"Mlp\"");
        StringAssert.Contains(json, "\"generator_real_output\": \"ReuseDiscriminatorStep\"");
        StringAssert.Contains(json, "\"sha256\"");
    }

    [TestMethod]
    public void TruncatedFileIsReported()
    {
        using var dir = new TempDir();
        var path = Write(dir);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length * 2 / 3)]);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => Checkpoint.Load(path));
        StringAssert.Contains(e.Message, "truncated");
        StringAssert.Contains(e.Message, path);
    }

    [TestMethod]
    public void CorruptArrayIsReported()
    {
        using var dir = new TempDir();
        var path = Write(dir);
        var bytes = File.ReadAllBytes(path);
        // Flip one byte of the first array's data (after the local header and the .npy header).
        var text = Encoding.Latin1.GetString(bytes);
        int at = text.IndexOf('\n', text.IndexOf("'shape'", StringComparison.Ordinal)) + 2;
        bytes[at] ^= 0x40;
        File.WriteAllBytes(path, bytes);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => Checkpoint.Load(path));
        StringAssert.Contains(e.Message, "corrupt");
    }

    [TestMethod]
    public void NewerVersionIsRejectedClearly()
    {
        using var dir = new TempDir();
        var path = dir.File("new.ckpt");
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        using (var s = new StreamWriter(zip.CreateEntry("checkpoint.json").Open()))
            s.Write("{\"format\": \"ml-gansdp-checkpoint\", \"version\": 99, \"something_new\": true}");
        var e = Assert.ThrowsExactly<NotSupportedException>(() => Checkpoint.Load(path));
        StringAssert.Contains(e.Message, "version 99");
    }

    [TestMethod]
    public void OtherFilesAreRejected()
    {
        using var dir = new TempDir();
        var junk = dir.File("junk.ckpt");
        File.WriteAllText(junk, "not a zip at all");
        Assert.ThrowsExactly<InvalidDataException>(() => Checkpoint.Load(junk));
        var npz = dir.File("arrays.ckpt");
        using (var t = ones(2)) global::Ml.GanSdp.Serialization.Npy.SaveNpz(npz, new Dictionary<string, Tensor> { ["a"] = t });
        var e = Assert.ThrowsExactly<InvalidDataException>(() => Checkpoint.Load(npz));
        StringAssert.Contains(e.Message, "checkpoint.json");
        Assert.ThrowsExactly<FileNotFoundException>(() => Checkpoint.Load(dir.File("missing.ckpt")));
    }

    [TestMethod]
    public void ListsCheckpointsByIteration()
    {
        using var dir = new TempDir();
        Write(dir, Checkpoint.FileName(100));
        Write(dir, Checkpoint.FileName(20));
        File.WriteAllText(dir.File("checkpoint-notes.ckpt"), "");
        var all = Checkpoint.List(dir.Path).Select(Path.GetFileName).ToArray();
        CollectionAssert.AreEqual(new[] { "checkpoint-00000020.ckpt", "checkpoint-00000100.ckpt" }, all);
        Assert.AreEqual("checkpoint-00000100.ckpt", Path.GetFileName(Checkpoint.FindLatest(dir.Path)));
        Assert.IsNull(Checkpoint.FindLatest(dir.File("nothing-here")));
    }
}
