using System.Text;
using Ml.GanSdp.Features;
using Ml.GanSdp.Tests.TestSupport;

namespace Ml.GanSdp.Tests.Features;

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
