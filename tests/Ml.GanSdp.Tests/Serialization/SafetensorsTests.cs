using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Ml.GanSdp.Serialization;
using Ml.GanSdp.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp.Tests.Serialization;

[TestClass]
public class SafetensorsTests
{
    /// <summary>One tensor of every supported dtype, with awkward values, a 0-d and two empty tensors.</summary>
    internal static Dictionary<string, Tensor> Sample()
    {
        var f32 = new[] { 1.5f, -0f, float.NaN, float.PositiveInfinity, float.Epsilon, -3.25e38f };
        return new Dictionary<string, Tensor>
        {
            ["f32"] = tensor(f32, new long[] { 2, 3 }),
            ["f64"] = tensor(new[] { Math.PI, -0.0, double.NegativeInfinity, 1e-310 }, new long[] { 4 }),
            ["i64"] = tensor(new[] { long.MinValue, -1L, 0L, long.MaxValue }, new long[] { 2, 2 }),
            ["i32"] = tensor(new[] { int.MinValue, 7, int.MaxValue }),
            ["u8"] = tensor(new byte[] { 0, 1, 127, 128, 255 }),
            ["bool"] = tensor(new[] { true, false, true }),
            ["f16"] = tensor<Half>(new[] { (Half)1.5, Half.NegativeZero, Half.MaxValue, Half.Epsilon }, new long[] { 1, 4 }),
            ["i8"] = tensor<sbyte>(new sbyte[] { -128, 0, 127 }),
            ["i16"] = tensor<short>(new short[] { -32768, 1, 32767 }),
            ["scalar"] = tensor(2.75, ScalarType.Float64),
            ["empty"] = zeros(new long[] { 0 }, ScalarType.Float32),
            ["empty3d"] = zeros(new long[] { 2, 0, 3 }, ScalarType.Int64),
            ["a.b/c d"] = ones(new long[] { 1, 1, 1 }, ScalarType.Float32),
        };
    }

    internal static void AssertSame(IReadOnlyDictionary<string, Tensor> expected, IReadOnlyDictionary<string, Tensor> actual, string what)
    {
        CollectionAssert.AreEquivalent(expected.Keys.ToArray(), actual.Keys.ToArray(), $"{what}: names");
        foreach (var (k, e) in expected)
        {
            var a = actual[k];
            Assert.AreEqual(e.dtype, a.dtype, $"{what}: dtype of '{k}'");
            CollectionAssert.AreEqual(e.shape, a.shape, $"{what}: shape of '{k}'");
            CollectionAssert.AreEqual(e.ToBytes(), a.ToBytes(), $"{what}: bytes of '{k}'");
        }
    }

    internal static void DisposeAll(IReadOnlyDictionary<string, Tensor> d)
    {
        foreach (var t in d.Values) t.Dispose();
    }

    /// <summary>Asserts that Python's <c>describe()</c> output (name -> dtype, shape, hex) matches the tensors.</summary>
    internal static void AssertDescribed(string json, IReadOnlyDictionary<string, Tensor> tensors, string what)
    {
        using var doc = JsonDocument.Parse(json);
        var names = doc.RootElement.EnumerateObject().Select(p => p.Name).ToArray();
        CollectionAssert.AreEquivalent(tensors.Keys.ToArray(), names, $"{what}: names");
        foreach (var p in doc.RootElement.EnumerateObject())
        {
            var t = tensors[p.Name];
            var shape = p.Value.GetProperty("shape").EnumerateArray().Select(x => x.GetInt64()).ToArray();
            CollectionAssert.AreEqual(shape, t.shape, $"{what}: shape of '{p.Name}'");
            Assert.AreEqual(p.Value.GetProperty("hex").GetString(), Convert.ToHexStringLower(t.ToBytes()), $"{what}: bytes of '{p.Name}'");
            Assert.AreEqual(p.Value.GetProperty("dtype").GetString(), DTypeCode(t.dtype), $"{what}: dtype of '{p.Name}'");
        }
    }

    private static string DTypeCode(ScalarType t) => t switch
    {
        ScalarType.Bool => "BOOL", ScalarType.Byte => "U8", ScalarType.Int8 => "I8", ScalarType.Int16 => "I16",
        ScalarType.Float16 => "F16", ScalarType.Int32 => "I32", ScalarType.Float32 => "F32", ScalarType.Float64 => "F64",
        ScalarType.Int64 => "I64", _ => t.ToString(),
    };

    [TestMethod]
    public void RoundTripOfEveryDtypeIsBitExact()
    {
        using var dir = new TempDir();
        var tensors = Sample();
        var meta = new Dictionary<string, string> { ["format"] = "pt", ["note"] = "ünïcode \"quoted\" \\ <>" };
        try
        {
            var path = dir.File("all.safetensors");
            Safetensors.Save(path, tensors, meta);
            var back = Safetensors.Load(path);
            try { AssertSame(tensors, back, "round trip"); }
            finally { DisposeAll(back); }
            CollectionAssert.AreEquivalent(meta, Safetensors.ReadMetadata(path));
            Assert.AreEqual(0, Directory.GetFiles(dir.Path, "*.tmp").Length, "no temporary file is left behind");
        }
        finally { DisposeAll(tensors); }
    }

    [TestMethod]
    public void EmptyDictionaryRoundTrips()
    {
        using var dir = new TempDir();
        var path = dir.File("empty.safetensors");
        Safetensors.Save(path, new Dictionary<string, Tensor>());
        CollectionAssert.AreEqual("\u0008\0\0\0\0\0\0\0{}      "u8.ToArray(), File.ReadAllBytes(path));
        Assert.AreEqual(0, Safetensors.Load(path).Count);
        Assert.AreEqual(0, Safetensors.ReadMetadata(path).Count);
    }

    [TestMethod]
    public void LayoutFollowsTheReferenceWriter()
    {
        using var dir = new TempDir();
        var tensors = Sample();
        try
        {
            var path = dir.File("layout.safetensors");
            Safetensors.Save(path, tensors);
            var bytes = File.ReadAllBytes(path);
            long n = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
            Assert.AreEqual(0, n % 8, "header length is a multiple of 8");
            var text = Encoding.UTF8.GetString(bytes, 8, (int)n);
            Assert.AreEqual(text.TrimEnd(' ').Length, text.Trim().Length, "padding is trailing spaces");
            using var doc = JsonDocument.Parse(text);
            Assert.IsFalse(doc.RootElement.TryGetProperty("__metadata__", out _), "no metadata object when none is given");
            // Widest dtype first (I64 > F64 > F32 > I32 > F16 > I16 > I8 > U8 > BOOL), then by name.
            var expected = new[] { "empty3d", "i64", "f64", "scalar", "a.b/c d", "empty", "f32", "i32", "f16", "i16", "i8", "u8", "bool" };
            var names = doc.RootElement.EnumerateObject().Select(p => p.Name).ToArray();
            long end = 0;
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                var offsets = p.Value.GetProperty("data_offsets");
                Assert.AreEqual(end, offsets[0].GetInt64(), $"'{p.Name}' starts where the previous tensor ends");
                end = offsets[1].GetInt64();
            }
            Assert.AreEqual(bytes.Length - 8 - n, end, "the data ends with the last tensor");
            CollectionAssert.AreEqual(expected, names, "header entries are written in data order");
        }
        finally { DisposeAll(tensors); }
    }

    [TestMethod]
    public void FileWrittenByPythonIsReadBackExactly()
    {
        using var dir = new TempDir();
        var path = dir.File("py.safetensors");
        var described = Python.Exec("""
import json, torch, safetensors_io as st
g = torch.Generator().manual_seed(3)
d = {"w": torch.randn(3, 4, generator=g), "w64": torch.randn(5, generator=g, dtype=torch.float64),
     "idx": torch.randint(-2**40, 2**40, (2, 3), generator=g), "i32": torch.randint(-9, 9, (4,), generator=g, dtype=torch.int32),
     "img": torch.randint(0, 256, (2, 2, 3), generator=g, dtype=torch.uint8), "mask": torch.rand(7, generator=g) > 0.5,
     "half": torch.randn(6, generator=g).half(), "s": torch.tensor(1.25), "none": torch.zeros(0, 4)}
st.write(sys.argv[1], d, {"producer": "python", "step": "12"})
print(json.dumps(st.describe(d)))
""", path);
        var loaded = Safetensors.Load(path);
        try
        {
            AssertDescribed(described, loaded, "python -> C#");
            var meta = Safetensors.ReadMetadata(path);
            Assert.AreEqual("python", meta["producer"]);
            Assert.AreEqual("12", meta["step"]);
        }
        finally { DisposeAll(loaded); }
    }

    [TestMethod]
    public void OurFileIsReadBackExactlyByAHandWrittenPythonReader()
    {
        using var dir = new TempDir();
        var path = dir.File("ours.safetensors");
        var tensors = Sample();
        try
        {
            Safetensors.Save(path, tensors, new Dictionary<string, string> { ["epoch"] = "3" });
            var output = Python.Exec("""
import json, safetensors_io as st
t, meta, n, order = st.read(sys.argv[1])
st.write(sys.argv[2], t, meta)
print(json.dumps({"tensors": st.describe(t), "meta": meta}))
""", path, dir.File("python.safetensors"));
            CollectionAssert.AreEqual(File.ReadAllBytes(dir.File("python.safetensors")), File.ReadAllBytes(path),
                "the reference layout written by Python is byte-identical to ours");
            using var doc = JsonDocument.Parse(output);
            AssertDescribed(doc.RootElement.GetProperty("tensors").GetRawText(), tensors, "C# -> python");
            Assert.AreEqual("3", doc.RootElement.GetProperty("meta").GetProperty("epoch").GetString());
        }
        finally { DisposeAll(tensors); }
    }

    [TestMethod]
    public void StreamVariantsRoundTripThroughANonSeekableZipEntry()
    {
        using var dir = new TempDir();
        var tensors = Sample();
        try
        {
            var zipPath = dir.File("bundle.zip");
            using (var fs = File.Create(zipPath))
            using (var zip = new System.IO.Compression.ZipArchive(fs, System.IO.Compression.ZipArchiveMode.Create))
            {
                using var es = zip.CreateEntry("model.safetensors").Open();
                Safetensors.Write(es, tensors, new Dictionary<string, string> { ["k"] = "v" });
            }
            using var read = System.IO.Compression.ZipFile.OpenRead(zipPath);
            using (var s = read.GetEntry("model.safetensors")!.Open())
                Assert.AreEqual("v", Safetensors.ReadMetadata(s, "bundle.zip:model.safetensors")["k"]);
            using var s2 = read.GetEntry("model.safetensors")!.Open();
            Assert.IsFalse(s2.CanSeek);
            var back = Safetensors.Read(s2, "bundle.zip:model.safetensors");
            try { AssertSame(tensors, back, "zip entry"); }
            finally { DisposeAll(back); }
        }
        finally { DisposeAll(tensors); }
    }

    [TestMethod]
    public void SavingRejectsReservedNamesAndUnsupportedDtypes()
    {
        using var dir = new TempDir();
        using var t = ones(2);
        var e = Assert.ThrowsExactly<ArgumentException>(() => Safetensors.Save(dir.File("x.safetensors"), new Dictionary<string, Tensor> { ["__metadata__"] = t }));
        StringAssert.Contains(e.Message, "__metadata__");
        Assert.ThrowsExactly<ArgumentException>(() => Safetensors.Save(dir.File("x.safetensors"), new Dictionary<string, Tensor> { [""] = t }));
        Assert.IsFalse(File.Exists(dir.File("x.safetensors")));
    }

    // ---- corrupt files ---------------------------------------------------------------------------------

    /// <summary>Writes a safetensors file by hand: an optional length override, a header text and data bytes.</summary>
    private static string Raw(TempDir dir, string header, int dataBytes, ulong? length = null, string name = "bad.safetensors", int cut = 0)
    {
        var h = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + h.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, length ?? (ulong)h.Length);
        h.CopyTo(bytes, 8);
        var path = dir.File(name);
        File.WriteAllBytes(path, bytes.AsSpan(0, bytes.Length - cut).ToArray());
        return path;
    }

    private static InvalidDataException Bad(string path, params string[] fragments)
    {
        var e = Assert.ThrowsExactly<InvalidDataException>(() => Safetensors.Load(path));
        StringAssert.Contains(e.Message, path);
        foreach (var f in fragments) StringAssert.Contains(e.Message, f);
        return e;
    }

    [TestMethod]
    public void MissingFileIsFileNotFound()
    {
        using var dir = new TempDir();
        var e = Assert.ThrowsExactly<FileNotFoundException>(() => Safetensors.Load(dir.File("nope.safetensors")));
        StringAssert.Contains(e.Message, "nope.safetensors");
        Assert.ThrowsExactly<FileNotFoundException>(() => Safetensors.ReadMetadata(dir.File("nope.safetensors")));
    }

    [TestMethod]
    public void TruncatedFilesAreInvalidData()
    {
        using var dir = new TempDir();
        using var t = arange(0, 10, 1, ScalarType.Float32);
        var good = dir.File("good.safetensors");
        Safetensors.Save(good, new Dictionary<string, Tensor> { ["weight"] = t });
        var bytes = File.ReadAllBytes(good);
        var cut = dir.File("cut.safetensors");
        File.WriteAllBytes(cut, bytes[..^4]);
        Bad(cut, "'weight'", "truncated");
        File.WriteAllBytes(cut, bytes[..5]);
        Bad(cut, "header length", "truncated");
        File.WriteAllBytes(cut, Array.Empty<byte>());
        Bad(cut, "truncated");
        File.WriteAllBytes(cut, bytes[..20]);
        Bad(cut, "header length");
    }

    [TestMethod]
    public void HeaderLengthLargerThanTheFileIsInvalidData()
    {
        using var dir = new TempDir();
        Bad(Raw(dir, "{}      ", 0, length: 4096), "header length 4096", "larger than");
        Bad(Raw(dir, "{}      ", 0, length: ulong.MaxValue), "exceeds the limit");
    }

    [TestMethod]
    public void InvalidJsonIsInvalidData()
    {
        using var dir = new TempDir();
        Bad(Raw(dir, "{\"a\": {\"dtype\": \"F32\",", 0), "not valid JSON");
        Bad(Raw(dir, "[1, 2, 3]", 0), "not an object");
        Bad(Raw(dir, "{\"w\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}, \"w\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 8]}}", 8), "'w' twice");
        Bad(Raw(dir, "{\"__metadata__\": {\"a\": 1}}", 0), "metadata 'a'", "not a string");
        Bad(Raw(dir, "{\"w\": {\"dtype\": \"F32\", \"shape\": [-1], \"data_offsets\": [0, 4]}}", 4), "'w'", "non-negative");
        Bad(Raw(dir, "{\"w\": {\"dtype\": \"F32\", \"data_offsets\": [0, 4]}}", 4), "'w'", "'shape'");
    }

    [TestMethod]
    public void UnknownDtypeNamesTheTensor()
    {
        using var dir = new TempDir();
        Bad(Raw(dir, "{\"conv.weight\": {\"dtype\": \"Q7\", \"shape\": [2], \"data_offsets\": [0, 2]}}", 2), "'conv.weight'", "'Q7'");
        Bad(Raw(dir, "{\"b\": {\"dtype\": \"BF16\", \"shape\": [2], \"data_offsets\": [0, 4]}}", 4), "'b'", "'BF16'", "unsupported");
    }

    [TestMethod]
    public void BadOffsetsNameTheTensor()
    {
        using var dir = new TempDir();
        // out of range
        Bad(Raw(dir, "{\"w\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [0, 16]}}", 8), "'w'", "beyond");
        // overlapping
        Bad(Raw(dir, "{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}, \"b\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [4, 12]}}", 12), "'b'", "overlaps", "'a'");
        // not matching shape x element size
        Bad(Raw(dir, "{\"w\": {\"dtype\": \"F64\", \"shape\": [3], \"data_offsets\": [0, 12]}}", 12), "'w'", "needs 24 bytes");
        // end before begin
        Bad(Raw(dir, "{\"w\": {\"dtype\": \"U8\", \"shape\": [0], \"data_offsets\": [4, 0]}}", 4), "'w'", "end before");
        // a gap
        Bad(Raw(dir, "{\"w\": {\"dtype\": \"U8\", \"shape\": [4], \"data_offsets\": [4, 8]}}", 8), "'w'", "gap");
        // bytes nobody owns at the end
        Bad(Raw(dir, "{\"w\": {\"dtype\": \"U8\", \"shape\": [4], \"data_offsets\": [0, 4]}}", 6), "trailing");
        // three offsets
        Bad(Raw(dir, "{\"w\": {\"dtype\": \"U8\", \"shape\": [4], \"data_offsets\": [0, 4, 8]}}", 4), "'w'", "expected 2");
    }

    [TestMethod]
    public void BoolBytesOtherThanZeroOrOneAreInvalidData()
    {
        using var dir = new TempDir();
        var path = Raw(dir, "{\"m\": {\"dtype\": \"BOOL\", \"shape\": [2], \"data_offsets\": [0, 2]}}", 2);
        var bytes = File.ReadAllBytes(path);
        bytes[^1] = 7;
        File.WriteAllBytes(path, bytes);
        Bad(path, "'m'", "byte 7");
    }
}
