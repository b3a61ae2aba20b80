using Ml.GanSdp.Serialization;
using Ml.GanSdp.Tests.TestSupport;
using static Ml.GanSdp.torch;

namespace Ml.GanSdp.Tests.Serialization;

[TestClass]
public class PthFileTests
{
    private static InvalidDataException Bad(string path, params string[] fragments)
    {
        var e = Assert.ThrowsExactly<InvalidDataException>(() => PthFile.Load(path));
        StringAssert.Contains(e.Message, path);
        foreach (var f in fragments) StringAssert.Contains(e.Message, f);
        return e;
    }

    [TestMethod]
    public void DictWrittenByTorchSaveIsReadBackExactly()
    {
        using var dir = new TempDir();
        var path = dir.File("ckpt.pth");
        var described = Python.Exec("""
import json, torch, safetensors_io as st
g = torch.Generator().manual_seed(5)
base = torch.randn(3, 5, generator=g)
d = {"f32": torch.randn(2, 3, generator=g), "f64": torch.randn(4, generator=g, dtype=torch.float64),
     "i64": torch.randint(-2**50, 2**50, (3, 2), generator=g), "u8": torch.randint(0, 256, (2, 2, 3), generator=g, dtype=torch.uint8),
     "bool": torch.rand(6, generator=g) > 0.5, "i32": torch.arange(-3, 3, dtype=torch.int32), "f16": torch.randn(5, generator=g).half(),
     "transposed": base.t(), "base": base, "scalar": torch.tensor(-2.5), "empty": torch.zeros(0, 3),
     "narrowed": torch.arange(20.).view(4, 5)[1:3, ::2]}
assert not d["transposed"].is_contiguous() and not d["narrowed"].is_contiguous()
torch.save(d, sys.argv[1])
print(json.dumps(st.describe(d)))
""", path);
        long live = LiveTensorCount;
        var loaded = PthFile.Load(path);
        try
        {
            SafetensorsTests.AssertDescribed(described, loaded, "torch.save -> C#");
            Assert.IsFalse(loaded["transposed"].is_contiguous(), "views keep their strides");
            CollectionAssert.AreEqual(new long[] { 1, 5 }, loaded["transposed"].stride());
        }
        finally { SafetensorsTests.DisposeAll(loaded); }
        Assert.AreEqual(live, LiveTensorCount, "every loaded tensor is owned and disposed");
    }

    [TestMethod]
    public void OrderedDictStateDictIsRejectedWithTheConversion()
    {
        using var dir = new TempDir();
        var p2 = dir.File("sd2.pth");
        var p4 = dir.File("sd4.pth");
        Python.Exec("""
import torch
sd = torch.nn.Linear(3, 2).state_dict()
torch.save(sd, sys.argv[1])
torch.save(sd, sys.argv[2], pickle_protocol=4)
""", p2, p4);
        foreach (var p in new[] { p2, p4 })
        {
            var e = Bad(p, "OrderedDict", "state_dict()", "dict(");
            StringAssert.Contains(e.Message, PthFile.OrderedDictConversion);
        }
    }

    [TestMethod]
    public void PlainDictSavedAsDictOfAStateDictLoads()
    {
        using var dir = new TempDir();
        var path = dir.File("plain.pth");
        Python.Exec("""
import torch
torch.manual_seed(0)
m = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2))
torch.save(dict(m.state_dict()), sys.argv[1])
""", path);
        var loaded = PthFile.Load(path);
        try
        {
            CollectionAssert.AreEquivalent(new[] { "0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked" }, loaded.Keys.ToArray());
            Assert.AreEqual(ScalarType.Int64, loaded["1.num_batches_tracked"].dtype);
            Assert.AreEqual(0, loaded["1.num_batches_tracked"].dim());
        }
        finally { SafetensorsTests.DisposeAll(loaded); }
    }

    [TestMethod]
    public void SingleEntryDictIsRewrittenForLibtorchAndReadExactly()
    {
        using var dir = new TempDir();
        var path = dir.File("one.pth");
        var described = Python.Exec("""
import json, torch, safetensors_io as st
d = {"only": torch.arange(6, dtype=torch.float64).view(2, 3).t()}
torch.save(d, sys.argv[1])
print(json.dumps(st.describe(d)))
""", path);
        var loaded = PthFile.Load(path);
        try { SafetensorsTests.AssertDescribed(described, loaded, "single entry"); }
        finally { SafetensorsTests.DisposeAll(loaded); }
    }

    [TestMethod]
    public void OtherPickleProtocolsAreRejectedWithTheConversion()
    {
        using var dir = new TempDir();
        var path = dir.File("p4.pth");
        Python.Exec("import torch\ntorch.save({'a': torch.ones(1), 'b': torch.zeros(1)}, sys.argv[1], pickle_protocol=4)", path);
        var e = Bad(path, "protocol 4", "torch.save(torch.load(");
    }

    [TestMethod]
    public void LegacyFormatIsRejectedWithTheConversion()
    {
        using var dir = new TempDir();
        var path = dir.File("legacy.pth");
        Python.Exec("import torch\ntorch.save({'w': torch.ones(2)}, sys.argv[1], _use_new_zipfile_serialization=False)", path);
        var e = Bad(path, "legacy", "pre-1.6");
        StringAssert.Contains(e.Message, "torch.save(torch.load(");
    }

    [TestMethod]
    public void NonTensorValuesNonStringKeysAndNonDictsAreNamed()
    {
        using var dir = new TempDir();
        string value = dir.File("value.pth"), key = dir.File("key.pth"), bare = dir.File("bare.pt"), nested = dir.File("nested.pth");
        string oneKey = dir.File("onekey.pth"), oneValue = dir.File("onevalue.pth");
        Python.Exec("""
import torch
torch.save({'w': torch.ones(2), 'step': 3}, sys.argv[1])
torch.save({0: torch.ones(2), 1: torch.ones(2)}, sys.argv[2])
torch.save(torch.ones(2), sys.argv[3])
torch.save({'model': {'w': torch.ones(2)}}, sys.argv[4])
torch.save({7: torch.ones(2)}, sys.argv[5])
torch.save({'lr': [0.1]}, sys.argv[6])
""", value, key, bare, nested, oneKey, oneValue);
        Bad(value, "'step'", "not a tensor");
        Bad(key, "key", "not a string");
        Bad(bare, "not a dict");
        Bad(nested, "'model'", "not a tensor");
        Bad(oneKey, "key", "not a string");
        Bad(oneValue, "'lr'", "not a tensor");
    }

    [TestMethod]
    public void MissingFileIsFileNotFound()
    {
        using var dir = new TempDir();
        var e = Assert.ThrowsExactly<FileNotFoundException>(() => PthFile.Load(dir.File("gone.pth")));
        StringAssert.Contains(e.Message, "gone.pth");
    }

    [TestMethod]
    public void CorruptFilesAreInvalidData()
    {
        using var dir = new TempDir();
        var good = dir.File("good.pth");
        Python.Exec("import torch\ntorch.save({'w': torch.arange(64.), 'b': torch.ones(3)}, sys.argv[1])", good);
        var bytes = File.ReadAllBytes(good);
        var bad = dir.File("bad.pth");

        File.WriteAllBytes(bad, bytes[..(bytes.Length / 2)]);
        Bad(bad, "corrupt");
        File.WriteAllBytes(bad, Array.Empty<byte>());
        Bad(bad, "empty");
        File.WriteAllBytes(bad, "hello, world"u8.ToArray());
        Bad(bad, "not a zip");

        // One flipped byte inside the tensor data: the zip stays readable, the CRC does not match.
        int at = IndexOf(bytes, BitConverter.GetBytes(10f));
        Assert.IsTrue(at > 0);
        var flipped = (byte[])bytes.Clone();
        flipped[at] ^= 0x5a;
        File.WriteAllBytes(bad, flipped);
        Bad(bad, "CRC");

        // A zip that is not a checkpoint (an .npz under a .pth name).
        using (var t = ones(2)) Npy.SaveNpz(dir.File("arrays.npz"), new Dictionary<string, Tensor> { ["a"] = t });
        File.Copy(dir.File("arrays.npz"), bad, overwrite: true);
        Bad(bad, "data.pkl");
    }

    [TestMethod]
    public void MalformedPicklesWithValidCrcsAreRejectedBeforeLibtorch()
    {
        using var dir = new TempDir();
        var pickles = new Dictionary<string, string>
        {
            ["underflow.pth"] = @"b'\x80\x02t.'",                          // TUPLE without MARK
            ["setitem.pth"] = @"b'\x80\x02}X\x01\x00\x00\x00as.'",        // SETITEM with two items
            ["memo.pth"] = @"b'\x80\x02}h\x07s.'",                        // BINGET of an unwritten slot
            ["nostop.pth"] = @"b'\x80\x02}'",                             // no STOP
            ["cut.pth"] = @"b'\x80\x02}X\xff\x00\x00\x00ab.'",            // string length past the end
            ["opcode.pth"] = @"b'\x80\x02}\xff.'",                        // unknown opcode
            ["two.pth"] = @"b'\x80\x02}}.'",                              // two objects at STOP
        };
        Python.Exec("""
import zipfile, ast, sys
for arg in sys.argv[1:]:
    path, pkl = arg.split('|', 1)
    with zipfile.ZipFile(path, 'w', zipfile.ZIP_STORED) as z:
        z.writestr('archive/data.pkl', ast.literal_eval(pkl))
        z.writestr('archive/version', '3\n')
""", pickles.Select(kv => dir.File(kv.Key) + "|" + kv.Value).ToArray());
        foreach (var name in pickles.Keys) Bad(dir.File(name), "data.pkl", "not a well-formed pickle");
    }

    [TestMethod]
    public void RandomByteFlipsNeverCrashTheProcess()
    {
        using var dir = new TempDir();
        var good = dir.File("good.pth");
        Python.Exec("import torch\ntorch.save({'w': torch.randn(4, 4), 'idx': torch.arange(5), 'm': torch.ones(3) > 0}, sys.argv[1])", good);
        var bytes = File.ReadAllBytes(good);
        var rng = new Random(1234);
        var bad = dir.File("flip.pth");
        int loaded = 0, rejected = 0;
        for (int i = 0; i < 400; i++)
        {
            var b = (byte[])bytes.Clone();
            int n = 1 + rng.Next(3);
            for (int k = 0; k < n; k++) b[rng.Next(b.Length)] ^= (byte)(1 + rng.Next(255));
            File.WriteAllBytes(bad, b);
            try
            {
                var d = PthFile.Load(bad);
                SafetensorsTests.DisposeAll(d);
                loaded++;
            }
            catch (InvalidDataException) { rejected++; }
        }
        Assert.AreEqual(400, loaded + rejected);
        Assert.IsTrue(rejected > 0);
    }

    [TestMethod]
    public void MutatedPicklesWithValidCrcsNeverCrashTheProcess()
    {
        using var dir = new TempDir();
        int count = 300;
        Python.Exec("""
import io, random, torch, zipfile
buf = io.BytesIO()
torch.save({'w': torch.randn(2, 3), 'b': torch.arange(4), 'm': torch.ones(2) > 0}, buf)
src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
names = src.namelist()
pkl = [n for n in names if n.endswith('data.pkl')][0]
data = src.read(pkl)
rng = random.Random(99)
for i in range(int(sys.argv[2])):
    b = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        k = rng.randrange(len(b))
        if rng.random() < 0.3: del b[k]
        else: b[k] = rng.randrange(256)
    with zipfile.ZipFile(f'{sys.argv[1]}/m{i}.pth', 'w', zipfile.ZIP_STORED) as z:
        for n in names:
            z.writestr(n, bytes(b) if n == pkl else src.read(n))
""", dir.Path, count.ToString());
        int loaded = 0, rejected = 0;
        for (int i = 0; i < count; i++)
        {
            try
            {
                SafetensorsTests.DisposeAll(PthFile.Load(dir.File($"m{i}.pth")));
                loaded++;
            }
            catch (InvalidDataException) { rejected++; }
        }
        Assert.AreEqual(count, loaded + rejected);
    }

    private static int IndexOf(byte[] haystack, byte[] needle)
    {
        for (int i = 0; i + needle.Length <= haystack.Length; i++)
            if (haystack.AsSpan(i, needle.Length).SequenceEqual(needle)) return i;
        return -1;
    }
}
