using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Ml.GanSdp.Tests.TestSupport;

namespace Ml.GanSdp.Tests.Onnx;

/// <summary>A dense array with its shape (row-major), as read from or written to .npy files and ONNX Runtime tensors.</summary>
public sealed record NdArray<T>(T[] Data, int[] Shape) where T : unmanaged
{
    public NdArray(int[] shape) : this(new T[shape.Aggregate(1, (a, b) => a * b)], shape) { }
}

/// <summary>Minimal .npy (format 1.0/2.0, little-endian, C order) reader and writer for float32, int64, uint64 and uint32.</summary>
public static partial class Npy
{
    private static string Descr<T>() => typeof(T) == typeof(float) ? "<f4" : typeof(T) == typeof(long) ? "<i8"
        : typeof(T) == typeof(ulong) ? "<u8" : typeof(T) == typeof(uint) ? "<u4" : throw new NotSupportedException(typeof(T).Name);

    public static void Save<T>(string path, NdArray<T> a) where T : unmanaged
    {
        var shape = a.Shape.Length == 1 ? $"({a.Shape[0]},)" : $"({string.Join(", ", a.Shape)})";
        var header = $"{{'descr': '{Descr<T>()}', 'fortran_order': False, 'shape': {shape}, }}";
        int total = 10 + header.Length + 1;
        header = header.PadRight(header.Length + (64 - total % 64) % 64) + "\n";
        using var fs = File.Create(path);
        fs.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
        fs.Write(BitConverter.GetBytes((ushort)header.Length));
        fs.Write(Encoding.ASCII.GetBytes(header));
        fs.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(a.Data.AsSpan()));
    }

    public static NdArray<T> Load<T>(string path) where T : unmanaged
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 10 || bytes[0] != 0x93 || Encoding.ASCII.GetString(bytes, 1, 5) != "NUMPY") throw new InvalidDataException($"{path} is not an .npy file");
        int major = bytes[6];
        int headerLen = major == 1 ? BitConverter.ToUInt16(bytes, 8) : BitConverter.ToInt32(bytes, 8);
        int start = major == 1 ? 10 : 12;
        var header = Encoding.ASCII.GetString(bytes, start, headerLen);
        var descr = DescrRegex().Match(header).Groups[1].Value;
        if (descr != Descr<T>()) throw new InvalidDataException($"{path}: dtype {descr}, expected {Descr<T>()}");
        if (header.Contains("'fortran_order': True")) throw new InvalidDataException($"{path}: Fortran order");
        var shapeText = ShapeRegex().Match(header).Groups[1].Value;
        var shape = shapeText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse).ToArray();
        var data = new T[shape.Aggregate(1, (a, b) => a * b)];
        var payload = bytes.AsSpan(start + headerLen);
        System.Runtime.InteropServices.MemoryMarshal.Cast<byte, T>(payload).CopyTo(data);
        return new NdArray<T>(data, shape);
    }

    [GeneratedRegex(@"'descr':\s*'([^']+)'")] private static partial Regex DescrRegex();
    [GeneratedRegex(@"'shape':\s*\(([^)]*)\)")] private static partial Regex ShapeRegex();
}

/// <summary>Runs ONNX models with ONNX Runtime (one intra-op thread, so results do not depend on the machine's load).</summary>
public static class Ort
{
    public static InferenceSession Session(byte[] model)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        return new InferenceSession(model, options);
    }

    public static NamedOnnxValue Input<T>(string name, NdArray<T> a) where T : unmanaged
        => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<T>(a.Data, a.Shape));

    /// <summary>Runs <paramref name="model"/> and returns every output as float32 (float outputs only).</summary>
    public static Dictionary<string, NdArray<float>> Run(byte[] model, params NamedOnnxValue[] inputs)
    {
        using var session = Session(model);
        return Run(session, inputs);
    }

    public static Dictionary<string, NdArray<float>> Run(InferenceSession session, params NamedOnnxValue[] inputs)
    {
        using var results = session.Run(inputs);
        return results.ToDictionary(r => r.Name, r => { var t = r.AsTensor<float>(); return new NdArray<float>(t.ToArray(), t.Dimensions.ToArray()); });
    }

    public static NdArray<T> RunOne<T>(InferenceSession session, string output, params NamedOnnxValue[] inputs) where T : unmanaged
    {
        using var results = session.Run(inputs, [output]);
        var t = results.Single().AsTensor<T>();
        return new NdArray<T>(t.ToArray(), t.Dimensions.ToArray());
    }
}

/// <summary>Deterministic random inputs for the op tests.</summary>
public static class Rand
{
    public static NdArray<float> Normal(Random rng, params int[] shape)
    {
        var a = new NdArray<float>(shape);
        for (int i = 0; i < a.Data.Length; i++)
            a.Data[i] = (float)(Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()));
        return a;
    }

    public static NdArray<float> Uniform(Random rng, float lo, float hi, params int[] shape)
    {
        var a = new NdArray<float>(shape);
        for (int i = 0; i < a.Data.Length; i++) a.Data[i] = lo + (hi - lo) * (float)rng.NextDouble();
        return a;
    }
}

/// <summary>
/// A batch of oracle cases computed by one start of Oracles/onnx_oracle.py: add cases with their input arrays, call
/// <see cref="Compute"/>, then read each case's expected array (and any array the oracle made, such as random weights).
/// </summary>
public sealed class OracleBatch : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly List<object> _cases = [];

    public void Add(string name, string op, object? parameters = null, params (string Key, object Array)[] inputs)
    {
        _cases.Add(new Dictionary<string, object?> { ["name"] = name, ["op"] = op, ["params"] = parameters ?? new { } });
        foreach (var (key, array) in inputs)
        {
            var path = _dir.File($"{name}.{key}.npy");
            switch (array)
            {
                case NdArray<float> f: Npy.Save(path, f); break;
                case NdArray<long> l: Npy.Save(path, l); break;
                default: throw new NotSupportedException(array.GetType().Name);
            }
        }
    }

    public void Compute()
    {
        File.WriteAllText(_dir.File("cases.json"), JsonSerializer.Serialize(_cases));
        Python.Run("onnx_oracle.py", _dir.Path);
    }

    public NdArray<T> Get<T>(string name, string key = "expected") where T : unmanaged => Npy.Load<T>(_dir.File($"{name}.{key}.npy"));

    public void Dispose() => _dir.Dispose();
}

public static class ArrayAssert
{
    /// <summary>Asserts equal shapes and |actual - expected| &lt;= atol + rtol |expected| everywhere (NaN only where NaN); returns the largest |difference|.</summary>
    public static double Close(NdArray<float> expected, NdArray<float> actual, double atol = 1e-5, double rtol = 1e-5, string what = "")
    {
        CollectionAssert.AreEqual(expected.Shape, actual.Shape, $"{what}: shape [{string.Join(",", actual.Shape)}], expected [{string.Join(",", expected.Shape)}]");
        return Close(expected.Data, actual.Data, atol, rtol, what);
    }

    public static double Close(float[] expected, float[] actual, double atol = 1e-5, double rtol = 1e-5, string what = "")
    {
        Assert.AreEqual(expected.Length, actual.Length, $"{what}: length");
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i];
            if (double.IsNaN(e) || double.IsNaN(a))
            {
                Assert.IsTrue(double.IsNaN(e) && double.IsNaN(a), $"{what}: element {i} is {a:R}, expected {e:R}");
                continue;
            }
            double d = Math.Abs(a - e);
            worst = Math.Max(worst, d);
            if (d > atol + rtol * Math.Abs(e)) Assert.Fail($"{what}: element {i} is {a:R}, expected {e:R} (|diff| {d:E2} > atol {atol} + rtol {rtol})");
        }
        return worst;
    }

    /// <summary>Asserts bit-identical float arrays (NaN payloads included).</summary>
    public static void BitEqual(float[] expected, float[] actual, string what = "")
    {
        Assert.AreEqual(expected.Length, actual.Length, $"{what}: length");
        for (int i = 0; i < expected.Length; i++)
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                Assert.Fail($"{what}: element {i} is {actual[i]:R}, expected {expected[i]:R} (bits differ)");
    }

    /// <summary>The distance in float32 units in the last place between a and b (same sign assumed near zero too).</summary>
    public static long Ulps(float a, float b)
    {
        int ia = BitConverter.SingleToInt32Bits(a), ib = BitConverter.SingleToInt32Bits(b);
        long la = ia < 0 ? int.MinValue - (long)ia : ia, lb = ib < 0 ? int.MinValue - (long)ib : ib;
        return Math.Abs(la - lb);
    }
}
