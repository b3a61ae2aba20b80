using System.Text;
using System.Text.Json;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Ml.GanSdp.Serialization;
using Ml.GanSdp.Tests.TestSupport;

namespace Ml.GanSdp.Tests.Onnx;

/// <summary>A dense array with its shape (row-major), as read from or written to .npy files and ONNX Runtime tensors.</summary>
public sealed record NdArray<T>(T[] Data, int[] Shape) where T : unmanaged
{
    public NdArray(int[] shape) : this(new T[shape.Aggregate(1, (a, b) => a * b)], shape) { }
}

/// <summary>.npy files of <see cref="NdArray{T}"/>s (float32, int64, uint64, uint32) through the library's one .npy implementation, <see cref="NpzArrays"/>.</summary>
public static class Npy
{
    private static NpyType TypeOf<T>() => typeof(T) == typeof(float) ? NpyType.Float32 : typeof(T) == typeof(long) ? NpyType.Int64
        : typeof(T) == typeof(ulong) ? NpyType.UInt64 : typeof(T) == typeof(uint) ? NpyType.UInt32 : throw new NotSupportedException(typeof(T).Name);

    public static void Save<T>(string path, NdArray<T> a) where T : unmanaged
    {
        var array = new NpyArray(TypeOf<T>(), Unsafe.SizeOf<T>(), a.Shape.Select(d => (long)d).ToArray(), MemoryMarshal.AsBytes(a.Data.AsSpan()).ToArray());
        using var fs = File.Create(path);
        NpzArrays.WriteRaw(fs, array);
    }

    public static NdArray<T> Load<T>(string path) where T : unmanaged
    {
        using var fs = File.OpenRead(path);
        var array = NpzArrays.ReadRaw(fs, path);
        if (array.Type != TypeOf<T>()) throw new InvalidDataException($"{path}: dtype {array.Descr}, expected {typeof(T).Name}");
        return new NdArray<T>(MemoryMarshal.Cast<byte, T>(array.Data).ToArray(), array.Shape.Select(d => checked((int)d)).ToArray());
    }
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
