using Ml.GanSdp.Models;
using Ml.GanSdp.Serialization;
using Ml.GanSdp.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Tests.Serialization;

/// <summary>State dicts through TorchSharp.PyBridge, checked against PyTorch 1.13 writing and reading the files.</summary>
[TestClass]
public class StateDictFileTests
{
    private static TensorBag Sample()
    {
        manual_seed(11);
        return new TensorBag
        {
            ["main.0.weight"] = randn(4, 3, 2, 2),
            ["main.1.running_mean"] = randn(4, dtype: ScalarType.Float64),
            ["main.1.num_batches_tracked"] = tensor(7L),
            ["embed.weight"] = randn(5, 6),
        };
    }

    [TestMethod]
    public void PyTorchOrderedDictStateDictLoadsDirectly()
    {
        using var dir = new TempDir();
        var path = dir.File("sd.pth");
        // What torch.save(model.state_dict()) writes: an OrderedDict (pytorch-fid's Inception weights have this form).
        using var theirs = new TensorBag(TorchOracle.Run($$"""
m = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 2), torch.nn.BatchNorm2d(4))
torch.manual_seed(3)
for p in m.parameters(): torch.nn.init.normal_(p)
m.train(); m(torch.randn(2, 3, 5, 5))
sd = m.state_dict()
assert type(sd).__name__ == 'OrderedDict'
torch.save(sd, r'{{path}}')
for k, v in sd.items(): O[k] = v
"""));
        using var ours = new TensorBag(StateDictFile.Load(path));
        CollectionAssert.AreEquivalent(theirs.Keys.ToList(), ours.Keys.ToList());
        foreach (var (k, v) in ours)
        {
            Assert.AreEqual(theirs[k].dtype, v.dtype, k);
            Assert.IsTrue(TensorAssert.Equal(theirs[k], v), k);
        }
    }

    [TestMethod]
    public void SavedFilesAreReadByPyTorchBitForBit()
    {
        using var dir = new TempDir();
        using var sd = Sample();
        foreach (var ext in new[] { ".pth", ".safetensors" })
        {
            var path = dir.File("ours" + ext);
            StateDictFile.Save(path, sd);
            string read = ext == ".pth"
                ? $"sd = torch.load(r'{path}')"
                : $$"""
import json, struct
raw = open(r'{{path}}', 'rb').read()
n = struct.unpack('<Q', raw[:8])[0]
hdr = json.loads(raw[8:8 + n])
dt = {'F32': np.float32, 'F64': np.float64, 'I64': np.int64}
sd = {}
for k, v in hdr.items():
    if k == '__metadata__': continue
    a, b = v['data_offsets']
    sd[k] = torch.from_numpy(np.frombuffer(raw[8 + n + a:8 + n + b], dtype=dt[v['dtype']]).reshape(v['shape']).copy())
""";
            using var back = new TensorBag(TorchOracle.Run(read + "\nfor k, v in sd.items(): O[k] = v\n"));
            CollectionAssert.AreEquivalent(sd.Keys.ToList(), back.Keys.ToList(), ext);
            foreach (var (k, v) in sd) Assert.IsTrue(TensorAssert.Equal(v, back[k]), $"{ext}: {k}");
            using var again = new TensorBag(StateDictFile.Load(path));
            foreach (var (k, v) in sd) Assert.IsTrue(TensorAssert.Equal(v, again[k]), $"{ext} round trip: {k}");
        }
    }

    [TestMethod]
    public void HostilePicklesAreRefusedAndNeverRun()
    {
        using var dir = new TempDir();
        var marker = dir.File("pwned");
        var path = dir.File("evil.pth");
        // A zip-format torch file whose pickle calls os.system: torch.load (1.13, weights_only off) would run it.
        Python.Exec($$"""
import os, pickle, zipfile
class Evil:
    def __reduce__(self):
        return (os.system, ('touch ' + {{"r'" + marker + "'"}},))
data = pickle.dumps({'w': Evil()}, protocol=2)
with zipfile.ZipFile(r'{{path}}', 'w') as z:
    z.writestr('archive/data.pkl', data)
    z.writestr('archive/version', '3\n')
""");
        var e = Assert.ThrowsExactly<InvalidDataException>(() => StateDictFile.Load(path));
        StringAssert.Contains(e.Message, path);
        Assert.IsFalse(File.Exists(marker), "the pickle's payload ran");
    }

    [TestMethod]
    public void BadFilesGiveClearErrors()
    {
        using var dir = new TempDir();
        var junk = dir.File("junk.pth");
        File.WriteAllBytes(junk, new byte[] { 1, 2, 3, 4, 5 });
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => StateDictFile.Load(junk)).Message, junk);
        var truncated = dir.File("cut.safetensors");
        using (var sd = Sample()) StateDictFile.Save(truncated, sd);
        var bytes = File.ReadAllBytes(truncated);
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => StateDictFile.Load(truncated)).Message, truncated);
        Assert.ThrowsExactly<FileNotFoundException>(() => StateDictFile.Load(dir.File("missing.pth")));
        Assert.ThrowsExactly<NotSupportedException>(() => StateDictFile.Load(dir.File("x.bin")));
        using var s2 = Sample();
        Assert.ThrowsExactly<NotSupportedException>(() => StateDictFile.Save(dir.File("x.npz"), s2));
    }
}
