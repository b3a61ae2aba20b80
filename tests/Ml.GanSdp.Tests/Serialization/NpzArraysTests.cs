using System.Text;
using Ml.GanSdp.Serialization;
using Ml.GanSdp.Tests.TestSupport;

namespace Ml.GanSdp.Tests.Serialization;

/// <summary>.npy/.npz against numpy: what we write numpy reads exactly; what numpy writes (each dtype, compressed) we read; bad files are refused before allocating.</summary>
[TestClass]
public class NpzArraysTests
{
    [TestMethod]
    public void NumpyReadsWhatWeWriteAndWeReadWhatNumpyWrites()
    {
        using var dir = new TempDir();
        var arrays = new Dictionary<string, NumpyArray>
        {
            ["scalar"] = new(Array.Empty<long>(), new[] { 42.0 }),
            ["vector"] = new(new long[] { 3 }, new[] { 1.0 / 3, -0.0, double.MaxValue }),
            ["cube"] = new(new long[] { 2, 3, 4 }, Enumerable.Range(0, 24).Select(i => i * 0.1 - 1).ToArray()),
        };
        var ours = dir.File("ours.npz");
        NpzArrays.SaveNpz(ours, arrays);

        // numpy reads ours and writes them back in every dtype we read, compressed, plus the checks it made.
        var printed = Python.Exec("""
import numpy as np
d = sys.argv[1]
f = np.load(d + '/ours.npz')
assert f['scalar'].shape == () and f['scalar'] == 42.0
assert f['vector'].tolist() == [1.0 / 3, -0.0, np.finfo(np.float64).max]
assert f['cube'].shape == (2, 3, 4) and f['cube'].dtype == np.float64
assert (f['cube'].ravel() == np.arange(24) * 0.1 - 1).all()
np.savez_compressed(d + '/numpy.npz', f8=f['cube'], f4=f['cube'].astype(np.float32), i8=np.arange(-3, 3, dtype=np.int64).reshape(2, 3), i4=np.arange(4, dtype=np.int32))
print(repr(float(np.float32(f['cube'].ravel()[1]))))
""", dir.Path).Trim();

        var back = NpzArrays.LoadNpz(dir.File("numpy.npz"));
        CollectionAssert.AreEqual(arrays["cube"].Values, back["f8"].Values);
        CollectionAssert.AreEqual(new long[] { 2, 3, 4 }, back["f4"].Shape);
        CollectionAssert.AreEqual(arrays["cube"].Values.Select(v => (double)(float)v).ToArray(), back["f4"].Values);
        Assert.AreEqual(double.Parse(printed, System.Globalization.CultureInfo.InvariantCulture), back["f4"].Values[1]);
        CollectionAssert.AreEqual(new double[] { -3, -2, -1, 0, 1, 2 }, back["i8"].Values);
        CollectionAssert.AreEqual(new long[] { 2, 3 }, back["i8"].Shape);
        CollectionAssert.AreEqual(new double[] { 0, 1, 2, 3 }, back["i4"].Values);
    }

    [TestMethod]
    public void EveryElementTypeAndStringsKeepTheirTypeAndBytesBothWays()
    {
        using var dir = new TempDir();
        // numpy writes one array of each type we read (compressed); we read them raw, write them back, numpy compares.
        Python.Exec("""
import numpy as np
d = sys.argv[1]
np.savez_compressed(d + '/numpy.npz', f8=np.array([1.5, -2.25]), f4=np.array([[0.1, 2.0]], dtype=np.float32),
    i8=np.array([-2**40, 7]), i4=np.array([-5, 2**30], dtype=np.int32), u8=np.array([2**64 - 1], dtype=np.uint64),
    u4=np.array([2**32 - 1, 3], dtype=np.uint32), u1=np.arange(250, 256, dtype=np.uint8), b1=np.array([True, False, True]),
    name=np.array('ResNet18 é😀'))
""", dir.Path);
        var raw = NpzArrays.LoadNpzRaw(dir.File("numpy.npz"));
        var expected = new Dictionary<string, (NpyType, long[])>
        {
            ["f8"] = (NpyType.Float64, new long[] { 2 }), ["f4"] = (NpyType.Float32, new long[] { 1, 2 }), ["i8"] = (NpyType.Int64, new long[] { 2 }),
            ["i4"] = (NpyType.Int32, new long[] { 2 }), ["u8"] = (NpyType.UInt64, new long[] { 1 }), ["u4"] = (NpyType.UInt32, new long[] { 2 }),
            ["u1"] = (NpyType.UInt8, new long[] { 6 }), ["b1"] = (NpyType.Bool, new long[] { 3 }), ["name"] = (NpyType.Unicode, Array.Empty<long>()),
        };
        foreach (var (name, (type, shape)) in expected)
        {
            Assert.AreEqual(type, raw[name].Type, name);
            CollectionAssert.AreEqual(shape, raw[name].Shape, name);
        }
        Assert.AreEqual("ResNet18 \u00e9\U0001F600", raw["name"].AsString("name"));
        Assert.AreEqual(ulong.MaxValue, BitConverter.ToUInt64(raw["u8"].Data));
        var widened = NpzArrays.LoadNpz(dir.File("numpy.npz")); // numbers widened to float64, strings left out
        Assert.IsFalse(widened.ContainsKey("name"));
        CollectionAssert.AreEqual(new double[] { 4294967295, 3 }, widened["u4"].Values);
        CollectionAssert.AreEqual(new double[] { 1, 0, 1 }, widened["b1"].Values);

        NpzArrays.SaveNpzRaw(dir.File("ours.npz"), raw.Select(kv => (kv.Key, kv.Value)));
        Assert.AreEqual("same", Python.Exec("""
import numpy as np
a, b = np.load(sys.argv[1] + '/numpy.npz'), np.load(sys.argv[1] + '/ours.npz')
assert sorted(a.files) == sorted(b.files)
for k in a.files:
    assert a[k].dtype == b[k].dtype and a[k].shape == b[k].shape and np.array_equal(a[k], b[k]), k
print('same')
""", dir.Path).Trim());

        // The tensor adapter keeps float32/int64/uint8/bool as they are and refuses types tensors lack here.
        NpzArrays.SaveNpzRaw(dir.File("tensors.npz"), raw.Where(kv => kv.Key is "f8" or "f4" or "i8" or "i4" or "u1" or "b1").Select(kv => (kv.Key, kv.Value)));
        var tensors = Npy.LoadNpz(dir.File("tensors.npz"));
        try
        {
            Assert.AreEqual(TorchSharp.torch.ScalarType.Float32, tensors["f4"].dtype);
            Assert.AreEqual(TorchSharp.torch.ScalarType.Int64, tensors["i8"].dtype);
            Assert.AreEqual(TorchSharp.torch.ScalarType.Byte, tensors["u1"].dtype);
            Assert.AreEqual(TorchSharp.torch.ScalarType.Bool, tensors["b1"].dtype);
            CollectionAssert.AreEqual(new long[] { 1, 2 }, tensors["f4"].shape);
            Assert.AreEqual(-(1L << 40), tensors["i8"][0].item<long>());
            // Written back through the adapter: byte for byte what numpy wrote.
            foreach (var (name, t) in tensors)
            {
                using var ms = new MemoryStream();
                Npy.Write(ms, t);
                ms.Position = 0;
                CollectionAssert.AreEqual(raw[name].Data, NpzArrays.ReadRaw(ms, name).Data, name);
            }
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => Npy.LoadNpz(dir.File("numpy.npz"))).Message, "has no tensor type");
    }

    [TestMethod]
    public void BadHeadersAreRefusedBeforeAllocating()
    {
        StringAssert.Contains(Read(Header("<f8", "(1073741824, 1073741824)")).Message, "exceeds the limit");
        StringAssert.Contains(Read(Header("<f8", "(3,)", fortran: true)).Message, "Fortran-order");
        StringAssert.Contains(Read(Header(">f8", "(3,)")).Message, "unsupported dtype '>f8'");
        StringAssert.Contains(Read(Header("<f8", "(-3,)")).Message, "bad dimension '-3'");
        StringAssert.Contains(Read(Header("<f8", "(3,)").Concat(new byte[16]).ToArray()).Message, "truncated");
        StringAssert.Contains(Read(Encoding.ASCII.GetBytes("not numpy at all")).Message, "bad magic");
        Assert.ThrowsExactly<ArgumentException>(() => NpzArrays.WriteNpy(Stream.Null, new NumpyArray(new long[] { 2, 2 }, new double[3])));

        using var dir = new TempDir();
        File.WriteAllText(dir.File("text.npz"), "not a zip");
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => NpzArrays.LoadNpz(dir.File("text.npz"))).Message, "is not a .npz");
        Assert.ThrowsExactly<FileNotFoundException>(() => NpzArrays.LoadNpz(dir.File("none.npz")));
    }

    private static InvalidDataException Read(byte[] bytes) =>
        Assert.ThrowsExactly<InvalidDataException>(() => NpzArrays.ReadNpy(new MemoryStream(bytes), "test.npy"));

    /// <summary>A version 1.0 .npy header with no data after it.</summary>
    private static byte[] Header(string descr, string shape, bool fortran = false)
    {
        var text = $"{{'descr': '{descr}', 'fortran_order': {(fortran ? "True" : "False")}, 'shape': {shape}, }}\n";
        var bytes = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, (byte)(text.Length & 0xff), (byte)(text.Length >> 8) };
        bytes.AddRange(Encoding.ASCII.GetBytes(text));
        return bytes.ToArray();
    }
}
