using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Ml.GanSdp;

/// <summary>Copies between tensors and managed memory (any device; the copies are C-order, little-endian).</summary>
internal static class TensorData
{
    /// <summary>The elements of <paramref name="t"/> in C order, as a managed array (copied through the CPU).</summary>
    public static T[] ToArray<T>(this Tensor t) where T : unmanaged
    {
        using var d = t.detach();
        using var cpu = d.cpu();
        using var typed = cpu.to(DTypeOf<T>());
        using var c = typed.contiguous();
        return c.data<T>().ToArray();
    }

    /// <summary>Whether two tensors have the same shape and equal values (any dtypes, any devices).</summary>
    public static bool ValuesEqual(Tensor a, Tensor b)
    {
        if (!a.shape.SequenceEqual(b.shape)) return false;
        using var bd = b.to(a.device);
        using var eq = a.eq(bd);
        using var all = eq.all();
        return all.item<bool>();
    }

    private static ScalarType DTypeOf<T>() where T : unmanaged
    {
        if (typeof(T) == typeof(float)) return ScalarType.Float32;
        if (typeof(T) == typeof(double)) return ScalarType.Float64;
        if (typeof(T) == typeof(long)) return ScalarType.Int64;
        if (typeof(T) == typeof(int)) return ScalarType.Int32;
        if (typeof(T) == typeof(byte)) return ScalarType.Byte;
        if (typeof(T) == typeof(bool)) return ScalarType.Bool;
        throw new NotSupportedException($"No tensor dtype for {typeof(T).Name}.");
    }

    /// <summary>The raw bytes of <paramref name="t"/> in C order (copied through the CPU).</summary>
    public static byte[] ToBytes(this Tensor t)
    {
        using var d = t.detach();
        using var cpu = d.cpu();
        using var c = cpu.contiguous();
        return c.bytes.ToArray();
    }

    /// <summary>A new CPU tensor of <paramref name="dtype"/> and <paramref name="shape"/> holding a copy of <paramref name="bytes"/>.</summary>
    public static Tensor FromBytes(ReadOnlySpan<byte> bytes, ScalarType dtype, long[] shape)
    {
        long n = 1;
        foreach (var d in shape)
        {
            if (d < 0) throw new ArgumentException($"Shape [{string.Join(", ", shape)}] has a negative dimension.", nameof(shape));
            n = checked(n * d);
        }
        long need = checked(n * ElementSize(dtype));
        if (need != bytes.Length)
            throw new ArgumentException($"Shape [{string.Join(", ", shape)}] of {dtype} needs {need} bytes but {bytes.Length} were given.");
        var t = empty(shape, dtype);
        if (bytes.Length > 0) bytes.CopyTo(t.bytes);
        return t;
    }

    /// <summary>Bytes per element of <paramref name="dtype"/>.</summary>
    public static int ElementSize(ScalarType dtype) => dtype switch
    {
        ScalarType.Byte or ScalarType.Int8 or ScalarType.Bool => 1,
        ScalarType.Int16 or ScalarType.Float16 or ScalarType.BFloat16 => 2,
        ScalarType.Int32 or ScalarType.Float32 => 4,
        ScalarType.Int64 or ScalarType.Float64 => 8,
        _ => throw new NotSupportedException($"dtype {dtype} has no fixed element size here."),
    };

    /// <summary>The value of a one-element tensor as a double (any device, any numeric dtype).</summary>
    public static double ToDouble(this Tensor t)
    {
        using var d = t.detach();
        using var cpu = d.cpu();
        using var c = cpu.to(ScalarType.Float64);
        return c.item<double>();
    }
}
