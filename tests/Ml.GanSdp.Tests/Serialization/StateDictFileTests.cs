using Ml.GanSdp.Serialization;
using Ml.GanSdp.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Tests.Serialization;

[TestClass]
public class StateDictFileTests
{
    private static Dictionary<string, Tensor> Model() => new()
    {
        ["conv.weight"] = arange(0, 24, 1, ScalarType.Float32).view(2, 3, 2, 2),
        ["conv.bias"] = tensor(new[] { -1f, 2f }),
        ["bn.num_batches_tracked"] = tensor(new[] { 7L }).view(Array.Empty<long>()),
    };

    [TestMethod]
    public void SafetensorsRoundTripThroughTheDispatcher()
    {
        using var dir = new TempDir();
        var model = Model();
        try
        {
            var path = dir.File("model.safetensors");
            StateDictFile.Save(path, model, new Dictionary<string, string> { ["kind"] = "generator" });
            var back = StateDictFile.Load(path);
            try { SafetensorsTests.AssertSame(model, back, "dispatch"); }
            finally { SafetensorsTests.DisposeAll(back); }
            Assert.AreEqual("generator", Safetensors.ReadMetadata(path)["kind"]);
        }
        finally { SafetensorsTests.DisposeAll(model); }
    }

    [TestMethod]
    public void PthPtAndNpzAreDispatchedToTheirReaders()
    {
        using var dir = new TempDir();
        var model = Model();
        try
        {
            Npy.SaveNpz(dir.File("model.npz"), model);
            StateDictFile.Save(dir.File("model.safetensors"), model);
            Python.Exec("""
import shutil, torch, safetensors_io as st
t, _, _, _ = st.read(sys.argv[1] + '/model.safetensors')
torch.save(t, sys.argv[1] + '/model.pth')
shutil.copy(sys.argv[1] + '/model.pth', sys.argv[1] + '/MODEL.PT')
""", dir.Path);
            foreach (var name in new[] { "model.pth", "MODEL.PT", "model.npz" })
            {
                var back = StateDictFile.Load(dir.File(name));
                try { SafetensorsTests.AssertSame(model, back, name); }
                finally { SafetensorsTests.DisposeAll(back); }
            }
        }
        finally { SafetensorsTests.DisposeAll(model); }
    }

    [TestMethod]
    public void NonContiguousTensorsAreSavedInLogicalOrder()
    {
        using var dir = new TempDir();
        using var a = arange(0, 6, 1, ScalarType.Float64).view(2, 3);
        using var t = a.T;
        Assert.IsFalse(t.is_contiguous());
        var path = dir.File("t.safetensors");
        StateDictFile.Save(path, new Dictionary<string, Tensor> { ["t"] = t });
        var back = StateDictFile.Load(path);
        try
        {
            CollectionAssert.AreEqual(new long[] { 3, 2 }, back["t"].shape);
            CollectionAssert.AreEqual(new[] { 0.0, 3, 1, 4, 2, 5 }, back["t"].ToArray<double>());
        }
        finally { SafetensorsTests.DisposeAll(back); }
    }

    [TestMethod]
    public void UnknownExtensionsAreNotSupported()
    {
        using var dir = new TempDir();
        var bin = dir.File("weights.bin");
        File.WriteAllBytes(bin, new byte[16]);
        var e = Assert.ThrowsExactly<NotSupportedException>(() => StateDictFile.Load(bin));
        StringAssert.Contains(e.Message, "weights.bin");
        StringAssert.Contains(e.Message, "'.bin'");
        StringAssert.Contains(e.Message, ".safetensors");
        Assert.ThrowsExactly<NotSupportedException>(() => StateDictFile.Load(dir.File("no_extension")));
        using var t = ones(1);
        var s = Assert.ThrowsExactly<NotSupportedException>(() => StateDictFile.Save(dir.File("out.pth"), new Dictionary<string, Tensor> { ["t"] = t }));
        StringAssert.Contains(s.Message, "safetensors");
        Assert.IsFalse(File.Exists(dir.File("out.pth")));
    }

    [TestMethod]
    public void MissingFilesAreFileNotFoundForEveryFormat()
    {
        using var dir = new TempDir();
        foreach (var name in new[] { "a.safetensors", "a.pth", "a.pt", "a.npz" })
        {
            var e = Assert.ThrowsExactly<FileNotFoundException>(() => StateDictFile.Load(dir.File(name)));
            StringAssert.Contains(e.Message, name);
        }
    }
}
