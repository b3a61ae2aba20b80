using System.Text.Json;
using Ml.GanSdp.Serialization;
using Ml.GanSdp.Tests.TestSupport;
using static Ml.GanSdp.torch;

namespace Ml.GanSdp.Tests.Serialization;

[TestClass]
public class PthFileTests
{
    private const int Mutations = 300;
    private static TempDir _dir = null!;
    private static JsonDocument _described = null!;

    /// <summary>
    /// Writes every fixture with one Python run (importing torch is the slow part): checkpoints by torch.save, the
    /// byte-exact description of the good ones, hand-made zips with malformed pickles, and mutated pickles.
    /// </summary>
    [ClassInitialize]
    public static void WriteFixtures(TestContext _)
    {
        _dir = new TempDir();
        var output = Python.Exec("""
import io, json, random, torch, zipfile, safetensors_io as st
d = sys.argv[1] + '/'
g = torch.Generator().manual_seed(5)
base = torch.randn(3, 5, generator=g)
full = {"f32": torch.randn(2, 3, generator=g), "f64": torch.randn(4, generator=g, dtype=torch.float64),
        "i64": torch.randint(-2**50, 2**50, (3, 2), generator=g), "u8": torch.randint(0, 256, (2, 2, 3), generator=g, dtype=torch.uint8),
        "bool": torch.rand(6, generator=g) > 0.5, "i32": torch.arange(-3, 3, dtype=torch.int32), "f16": torch.randn(5, generator=g).half(),
        "transposed": base.t(), "base": base, "scalar": torch.tensor(-2.5), "empty": torch.zeros(0, 3),
        "narrowed": torch.arange(20.).view(4, 5)[1:3, ::2]}
assert not full["transposed"].is_contiguous() and not full["narrowed"].is_contiguous()
torch.save(full, d + 'full.pth')
one = {"only": torch.arange(6, dtype=torch.float64).view(2, 3).t()}
torch.save(one, d + 'one.pth')
torch.manual_seed(0)
m = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2))
torch.save(dict(m.state_dict()), d + 'plain.pth')
torch.save(m.state_dict(), d + 'sd2.pth')
torch.save(m.state_dict(), d + 'sd4.pth', pickle_protocol=4)
torch.save({'a': torch.ones(1), 'b': torch.zeros(1)}, d + 'p4.pth', pickle_protocol=4)
torch.save({'w': torch.ones(2)}, d + 'legacy.pth', _use_new_zipfile_serialization=False)
torch.save({'w': torch.ones(2), 'step': 3}, d + 'value.pth')
torch.save({0: torch.ones(2), 1: torch.ones(2)}, d + 'key.pth')
torch.save(torch.ones(2), d + 'bare.pt')
torch.save({'model': {'w': torch.ones(2)}}, d + 'nested.pth')
torch.save({7: torch.ones(2)}, d + 'onekey.pth')
torch.save({'lr': [0.1]}, d + 'onevalue.pth')
torch.save({'w': torch.arange(64.), 'b': torch.ones(3)}, d + 'good.pth')
torch.save({'w': torch.nn.Parameter(torch.ones(2)), 'b': torch.ones(1)}, d + 'param.pth')
torch.save({'w': torch.ones(2), 'bf': torch.ones(2, dtype=torch.bfloat16)}, d + 'bf16.pth')
torch.save({'w': torch.randn(4, 4), 'idx': torch.arange(5), 'm': torch.ones(3) > 0}, d + 'flip.pth')

def write_zip(path, records):
    with zipfile.ZipFile(path, 'w', zipfile.ZIP_STORED) as z:
        for n, b in records:
            z.writestr(n, b)

malformed = {
    "underflow": b'\x80\x02t.',                        # TUPLE without MARK
    "setitem": b'\x80\x02}X\x01\x00\x00\x00as.',       # SETITEM with two items
    "memo": b'\x80\x02}h\x07s.',                       # BINGET of an unwritten slot
    "nostop": b'\x80\x02}',                            # no STOP
    "cut": b'\x80\x02}X\xff\x00\x00\x00ab.',           # string length past the end
    "opcode": b'\x80\x02}\xff.',                       # unknown opcode
    "two": b'\x80\x02}}.',                             # two objects at STOP
}
for k, b in malformed.items():
    write_zip(d + f'bad_{k}.pth', [('archive/data.pkl', b), ('archive/version', b'3\n')])

two = io.BytesIO()
torch.save({'a': torch.ones(3), 'b': torch.ones(3)}, two)
z2 = zipfile.ZipFile(io.BytesIO(two.getvalue()))
p2 = [n for n in z2.namelist() if n.endswith('data.pkl')][0]
assert z2.read(p2).count(b'K\x00K\x03\x85') == 2          # storage offset 0, size (3,)
for tag, rep in [('size', b'K\x00Kd\x85'), ('offset', b'K\x05K\x03\x85')]:
    write_zip(d + f'oob_{tag}.pth', [(n, z2.read(n).replace(b'K\x00K\x03\x85', rep) if n == p2 else z2.read(n)) for n in z2.namelist()])

src = zipfile.ZipFile(d + 'flip.pth')
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
    write_zip(d + f'm{i}.pth', [(n, bytes(b) if n == pkl else src.read(n)) for n in names])
print(json.dumps({"full": st.describe(full), "one": st.describe(one), "malformed": list(malformed)}))
""", _dir.Path, Mutations.ToString());
        _described = JsonDocument.Parse(output);
    }

    [ClassCleanup]
    public static void Cleanup()
    {
        _described?.Dispose();
        _dir?.Dispose();
    }

    private static string Fixture(string name) => _dir.File(name);

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
        long live = LiveTensorCount;
        var loaded = PthFile.Load(Fixture("full.pth"));
        try
        {
            SafetensorsTests.AssertDescribed(_described.RootElement.GetProperty("full").GetRawText(), loaded, "torch.save -> C#");
            Assert.IsFalse(loaded["transposed"].is_contiguous(), "views keep their strides");
            CollectionAssert.AreEqual(new long[] { 1, 5 }, loaded["transposed"].stride());
        }
        finally { SafetensorsTests.DisposeAll(loaded); }
        Assert.AreEqual(live, LiveTensorCount, "every loaded tensor is owned and disposed");
    }

    [TestMethod]
    public void SingleEntryDictIsRewrittenForLibtorchAndReadExactly()
    {
        var loaded = PthFile.Load(Fixture("one.pth"));
        try { SafetensorsTests.AssertDescribed(_described.RootElement.GetProperty("one").GetRawText(), loaded, "single entry"); }
        finally { SafetensorsTests.DisposeAll(loaded); }
    }

    [TestMethod]
    public void PlainDictOfAStateDictLoads()
    {
        var loaded = PthFile.Load(Fixture("plain.pth"));
        try
        {
            CollectionAssert.AreEquivalent(new[] { "0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked" }, loaded.Keys.ToArray());
            Assert.AreEqual(ScalarType.Int64, loaded["1.num_batches_tracked"].dtype);
            Assert.AreEqual(0, loaded["1.num_batches_tracked"].dim());
            CollectionAssert.AreEqual(new long[] { 2, 3 }, loaded["0.weight"].shape);
        }
        finally { SafetensorsTests.DisposeAll(loaded); }
    }

    [TestMethod]
    public void OrderedDictStateDictIsRejectedWithTheConversion()
    {
        foreach (var p in new[] { Fixture("sd2.pth"), Fixture("sd4.pth") })
        {
            var e = Bad(p, "OrderedDict", "state_dict()");
            StringAssert.Contains(e.Message, PthFile.OrderedDictConversion);
        }
    }

    [TestMethod]
    public void OtherPickleProtocolsAreRejectedWithTheConversion()
        => Bad(Fixture("p4.pth"), "protocol 4", "torch.save(torch.load(");

    [TestMethod]
    public void LegacyFormatIsRejectedWithTheConversion()
    {
        var e = Bad(Fixture("legacy.pth"), "legacy", "pre-1.6");
        StringAssert.Contains(e.Message, PthFile.LegacyConversion);
    }

    [TestMethod]
    public void NonTensorValuesNonStringKeysAndNonDictsAreNamed()
    {
        Bad(Fixture("value.pth"), "'step'", "not a tensor");
        Bad(Fixture("key.pth"), "key", "not a string");
        Bad(Fixture("bare.pt"), "not a dict");
        Bad(Fixture("nested.pth"), "'model'", "not a tensor");
        Bad(Fixture("onekey.pth"), "key", "not a string");
        Bad(Fixture("onevalue.pth"), "'lr'", "not a tensor");
    }

    [TestMethod]
    public void ParametersAndUnsupportedDtypesAreNamed()
    {
        Bad(Fixture("param.pth"), "torch.nn.Parameter", ".detach()");
        Bad(Fixture("bf16.pth"), "'bf'", "dtype");
    }

    [TestMethod]
    public void MissingFileIsFileNotFound()
    {
        var e = Assert.ThrowsExactly<FileNotFoundException>(() => PthFile.Load(Fixture("gone.pth")));
        StringAssert.Contains(e.Message, "gone.pth");
    }

    [TestMethod]
    public void CorruptFilesAreInvalidData()
    {
        using var dir = new TempDir();
        var bytes = File.ReadAllBytes(Fixture("good.pth"));
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
        var names = _described.RootElement.GetProperty("malformed").EnumerateArray().Select(x => x.GetString()!).ToArray();
        Assert.AreEqual(7, names.Length);
        foreach (var name in names) Bad(Fixture($"bad_{name}.pth"), "data.pkl", "not a well-formed pickle");
    }

    [TestMethod]
    public void ViewsReachingOutsideTheirStorageAreRejected()
    {
        Bad(Fixture("oob_size.pth"), "'a'", "sizes [100]", "outside its storage of 12 bytes");
        Bad(Fixture("oob_offset.pth"), "'a'", "offset 5", "outside its storage");
    }

    [TestMethod]
    public void RandomByteFlipsNeverCrashTheProcess()
    {
        using var dir = new TempDir();
        var bytes = File.ReadAllBytes(Fixture("flip.pth"));
        var rng = new Random(1234);
        var bad = dir.File("flip.pth");
        int loaded = 0, rejected = 0;
        for (int i = 0; i < 400; i++)
        {
            var b = (byte[])bytes.Clone();
            int n = 1 + rng.Next(3);
            for (int k = 0; k < n; k++) b[rng.Next(b.Length)] ^= (byte)(1 + rng.Next(255));
            File.WriteAllBytes(bad, b);
            if (TryLoad(bad)) loaded++; else rejected++;
        }
        Assert.AreEqual(400, loaded + rejected);
        Assert.IsTrue(rejected > 0);
    }

    [TestMethod]
    public void MutatedPicklesWithValidCrcsNeverCrashTheProcess()
    {
        int loaded = 0, rejected = 0;
        for (int i = 0; i < Mutations; i++)
            if (TryLoad(Fixture($"m{i}.pth"))) loaded++; else rejected++;
        Assert.AreEqual(Mutations, loaded + rejected);
        Assert.IsTrue(rejected > 0);
    }

    /// <summary>Loads and disposes; false when the file is rejected with <see cref="InvalidDataException"/> (anything else fails the test).</summary>
    private static bool TryLoad(string path)
    {
        try
        {
            var d = PthFile.Load(path);
            foreach (var t in d.Values) _ = t.ToBytes();   // reading must stay inside the data
            SafetensorsTests.DisposeAll(d);
            return true;
        }
        catch (InvalidDataException) { return false; }
    }

    private static int IndexOf(byte[] haystack, byte[] needle)
    {
        for (int i = 0; i + needle.Length <= haystack.Length; i++)
            if (haystack.AsSpan(i, needle.Length).SequenceEqual(needle)) return i;
        return -1;
    }
}
