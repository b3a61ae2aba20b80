using System.Runtime.InteropServices;
using Ml.GanSdp.Interop;

namespace Ml.GanSdp;

/// <summary>Element types, with libtorch's <c>c10::ScalarType</c> codes.</summary>
public enum ScalarType : sbyte
{
    Byte = 0, Int8 = 1, Int16 = 2, Int32 = 3, Int64 = 4, Float16 = 5, Float32 = 6, Float64 = 7, Bool = 11,
}

/// <summary>Device kinds, with libtorch's <c>c10::DeviceType</c> codes.</summary>
public enum DeviceType { CPU = 0, CUDA = 1 }

/// <summary>
/// The tensor library: a binding of libtorch through <c>libgansdp_native</c>, named after TorchSharp's
/// <c>torch</c> class so that code ports to TorchSharp once it can be restored
/// (<c>using static Ml.GanSdp.torch;</c>).
/// </summary>
public static partial class torch
{
    /// <summary>A device: CPU, or a CUDA device with its index.</summary>
    public sealed record Device(DeviceType type, int index = -1)
    {
        /// <inheritdoc/>
        public override string ToString() => type == DeviceType.CPU ? "cpu" : index < 0 ? "cuda" : $"cuda:{index}";
    }

    /// <summary>The CPU device.</summary>
    public static readonly Device CPU = new(DeviceType.CPU);

    /// <summary>The current CUDA device (only usable when <see cref="cuda.is_available"/>).</summary>
    public static readonly Device CUDA = new(DeviceType.CUDA, 0);

#pragma warning disable IDE1006 // TorchSharp-style lower-case aliases
    public const ScalarType uint8 = ScalarType.Byte;
    public const ScalarType int8 = ScalarType.Int8;
    public const ScalarType int32 = ScalarType.Int32;
    public const ScalarType int64 = ScalarType.Int64;
    public const ScalarType float16 = ScalarType.Float16;
    public const ScalarType float32 = ScalarType.Float32;
    public const ScalarType float64 = ScalarType.Float64;
    public const ScalarType @bool = ScalarType.Bool;
#pragma warning restore IDE1006

    static torch() { NativeMethods.EnsureLoaded(); Threading.ApplyDefaultThreading(); }

    /// <summary>The libtorch version the shim was built against.</summary>
    public static string __version__ => Marshal.PtrToStringUTF8(NativeMethods.gs_torch_version()) ?? "?";

    /// <summary>Live native tensor handles (all threads). Flat over a training loop means no leak.</summary>
    public static long LiveTensorCount => NativeMethods.gs_live_tensors();

    /// <summary>Opens a dispose scope on this thread: tensors created until it is disposed are freed with it.</summary>
    public static DisposeScope NewDisposeScope() => new();

    /// <summary>Seeds libtorch's default CPU generator.</summary>
    public static void manual_seed(long seed) => NativeMethods.Check(NativeMethods.gs_manual_seed(unchecked((ulong)seed)));

    /// <summary>Sets libtorch's intra-op (OpenMP) thread count.</summary>
    public static void set_num_threads(int n)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "The thread count must be at least 1.");
        NativeMethods.Check(NativeMethods.gs_set_num_threads(n));
    }

    /// <summary>libtorch's intra-op thread count.</summary>
    public static int get_num_threads() => NativeMethods.gs_get_num_threads();

    /// <summary>Sets OpenBLAS's own thread count; false when the loaded BLAS is not OpenBLAS.</summary>
    public static bool set_blas_threads(int n) => NativeMethods.gs_set_blas_threads(n) == 0;

    /// <summary>Asks libtorch for deterministic algorithms (it raises when an op has none).</summary>
    public static void use_deterministic_algorithms(bool on) => NativeMethods.Check(NativeMethods.gs_set_deterministic(on ? 1 : 0));

    /// <summary>CUDA queries.</summary>
    public static class cuda
    {
        /// <summary>Whether the loaded libtorch was built with CUDA and a device is present.</summary>
        public static bool is_available() => NativeMethods.gs_cuda_is_available() != 0;

        /// <summary>Number of CUDA devices (0 without CUDA).</summary>
        public static int device_count() => NativeMethods.gs_cuda_device_count();
    }

    // ---- creation --------------------------------------------------------------------------------

    private static (int type, int index) Dev(Device? d) => d is null ? (0, -1) : ((int)d.type, d.index);

    internal static Tensor Wrap(IntPtr handle) => new(new TensorHandle(handle));

    internal static Tensor Create(int status, IntPtr handle, string op)
    {
        NativeMethods.Check(status, op);
        return Wrap(handle);
    }

    /// <summary>An uninitialized tensor.</summary>
    public static Tensor empty(long[] size, ScalarType dtype = ScalarType.Float32, Device? device = null, bool requires_grad = false)
    {
        var (dt, di) = Dev(device);
        return Create(NativeMethods.gs_empty(size, size.Length, (int)dtype, dt, di, out var r), r, nameof(empty)).requires_grad_(requires_grad);
    }

    /// <summary>A tensor of zeros.</summary>
    public static Tensor zeros(long[] size, ScalarType dtype = ScalarType.Float32, Device? device = null, bool requires_grad = false)
    {
        var (dt, di) = Dev(device);
        return Create(NativeMethods.gs_zeros(size, size.Length, (int)dtype, dt, di, out var r), r, nameof(zeros)).requires_grad_(requires_grad);
    }

    /// <inheritdoc cref="zeros(long[], ScalarType, Device?, bool)"/>
    public static Tensor zeros(params long[] size) => zeros(size, ScalarType.Float32);

    /// <summary>A tensor of ones.</summary>
    public static Tensor ones(long[] size, ScalarType dtype = ScalarType.Float32, Device? device = null, bool requires_grad = false)
    {
        var (dt, di) = Dev(device);
        return Create(NativeMethods.gs_ones(size, size.Length, (int)dtype, dt, di, out var r), r, nameof(ones)).requires_grad_(requires_grad);
    }

    /// <inheritdoc cref="ones(long[], ScalarType, Device?, bool)"/>
    public static Tensor ones(params long[] size) => ones(size, ScalarType.Float32);

    /// <summary>A tensor filled with <paramref name="value"/>.</summary>
    public static Tensor full(long[] size, double value, ScalarType dtype = ScalarType.Float32, Device? device = null, bool requires_grad = false)
    {
        var (dt, di) = Dev(device);
        return Create(NativeMethods.gs_full(size, size.Length, value, (int)dtype, dt, di, out var r), r, nameof(full)).requires_grad_(requires_grad);
    }

    /// <summary>
    /// Values from <paramref name="start"/> to <paramref name="end"/> (exclusive) by <paramref name="step"/>. Without a
    /// dtype, as in PyTorch: int64 when start, end and step are all whole numbers, else float32.
    /// </summary>
    public static Tensor arange(double start, double end, double step = 1, ScalarType? dtype = null, Device? device = null)
    {
        if (step == 0 || double.IsNaN(step)) throw new ArgumentOutOfRangeException(nameof(step), step, "arange needs a non-zero step.");
        var type = dtype ?? (IsWhole(start) && IsWhole(end) && IsWhole(step) ? ScalarType.Int64 : ScalarType.Float32);
        var (dt, di) = Dev(device);
        return Create(NativeMethods.gs_arange(start, end, step, (int)type, dt, di, out var r), r, nameof(arange));
    }

    private static bool IsWhole(double v) => Math.Floor(v) == v && !double.IsInfinity(v);

    /// <summary>0 .. end-1 as int64.</summary>
    public static Tensor arange(long end) => arange(0, end, 1, ScalarType.Int64);

    /// <summary><paramref name="steps"/> evenly spaced values from start to end inclusive.</summary>
    public static Tensor linspace(double start, double end, long steps, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        var (dt, di) = Dev(device);
        return Create(NativeMethods.gs_linspace(start, end, steps, (int)dtype, dt, di, out var r), r, nameof(linspace));
    }

    /// <summary>The n x n identity.</summary>
    public static Tensor eye(long n, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        var (dt, di) = Dev(device);
        return Create(NativeMethods.gs_eye(n, (int)dtype, dt, di, out var r), r, nameof(eye));
    }

    private static GeneratorHandle Gen(Generator? g) => g?.Handle ?? GeneratorHandle.Null;

    /// <summary>Standard normal samples.</summary>
    public static Tensor randn(long[] size, ScalarType dtype = ScalarType.Float32, Device? device = null, Generator? generator = null, bool requires_grad = false)
    {
        var (dt, di) = Dev(device);
        return Create(NativeMethods.gs_randn(size, size.Length, (int)dtype, dt, di, Gen(generator), out var r), r, nameof(randn)).requires_grad_(requires_grad);
    }

    /// <inheritdoc cref="randn(long[], ScalarType, Device?, Generator?, bool)"/>
    public static Tensor randn(params long[] size) => randn(size, ScalarType.Float32);

    /// <summary>Uniform samples in [0, 1).</summary>
    public static Tensor rand(long[] size, ScalarType dtype = ScalarType.Float32, Device? device = null, Generator? generator = null, bool requires_grad = false)
    {
        var (dt, di) = Dev(device);
        return Create(NativeMethods.gs_rand(size, size.Length, (int)dtype, dt, di, Gen(generator), out var r), r, nameof(rand)).requires_grad_(requires_grad);
    }

    /// <inheritdoc cref="rand(long[], ScalarType, Device?, Generator?, bool)"/>
    public static Tensor rand(params long[] size) => rand(size, ScalarType.Float32);

    /// <summary>Integers uniform in [low, high).</summary>
    public static Tensor randint(long low, long high, long[] size, ScalarType dtype = ScalarType.Int64, Device? device = null, Generator? generator = null)
    {
        var (dt, di) = Dev(device);
        return Create(NativeMethods.gs_randint(low, high, size, size.Length, (int)dtype, dt, di, Gen(generator), out var r), r, nameof(randint));
    }

    /// <summary>Integers uniform in [0, high).</summary>
    public static Tensor randint(long high, long[] size, Generator? generator = null) => randint(0, high, size, ScalarType.Int64, null, generator);

    /// <summary>A random permutation of 0..n-1.</summary>
    public static Tensor randperm(long n, Generator? generator = null, ScalarType dtype = ScalarType.Int64, Device? device = null)
    {
        var (dt, di) = Dev(device);
        return Create(NativeMethods.gs_randperm(n, (int)dtype, dt, di, Gen(generator), out var r), r, nameof(randperm));
    }

    /// <summary>Bernoulli samples with the given probabilities.</summary>
    public static Tensor bernoulli(Tensor probabilities, Generator? generator = null)
        => Create(NativeMethods.gs_bernoulli(probabilities.Handle, Gen(generator), out var r), r, nameof(bernoulli));

    /// <summary>Zeros with the shape of <paramref name="other"/> and its dtype (or <paramref name="dtype"/>).</summary>
    public static Tensor zeros_like(Tensor other, ScalarType? dtype = null, bool requires_grad = false)
        => zeros(other.shape, dtype ?? other.dtype, other.device, requires_grad);

    /// <summary>Ones with the shape of <paramref name="other"/> and its dtype (or <paramref name="dtype"/>).</summary>
    public static Tensor ones_like(Tensor other, ScalarType? dtype = null, bool requires_grad = false)
        => ones(other.shape, dtype ?? other.dtype, other.device, requires_grad);

    /// <summary><paramref name="value"/> everywhere, with the shape of <paramref name="other"/> and its dtype (or <paramref name="dtype"/>).</summary>
    public static Tensor full_like(Tensor other, double value, ScalarType? dtype = null, bool requires_grad = false)
        => full(other.shape, value, dtype ?? other.dtype, other.device, requires_grad);

    /// <summary>An uninitialized tensor with the shape of <paramref name="other"/> and its dtype (or <paramref name="dtype"/>).</summary>
    public static Tensor empty_like(Tensor other, ScalarType? dtype = null, bool requires_grad = false)
        => empty(other.shape, dtype ?? other.dtype, other.device, requires_grad);

    /// <summary>Standard normal samples with the shape of <paramref name="other"/> and its (floating) dtype.</summary>
    public static Tensor randn_like(Tensor other, ScalarType? dtype = null, Generator? generator = null, bool requires_grad = false)
        => randn(other.shape, dtype ?? other.dtype, other.device, generator, requires_grad);

    /// <summary>Uniform [0, 1) samples with the shape of <paramref name="other"/> and its (floating) dtype.</summary>
    public static Tensor rand_like(Tensor other, ScalarType? dtype = null, Generator? generator = null, bool requires_grad = false)
        => rand(other.shape, dtype ?? other.dtype, other.device, generator, requires_grad);

    // ---- function forms of tensor methods (torch.exp(x) as well as x.exp()) ------------------------------

    /// <summary>Element-wise e^x.</summary>
    public static Tensor exp(Tensor input) => input.exp();
    /// <summary>Element-wise natural logarithm.</summary>
    public static Tensor log(Tensor input) => input.log();
    /// <summary>Element-wise square root.</summary>
    public static Tensor sqrt(Tensor input) => input.sqrt();
    /// <summary>Element-wise |x|.</summary>
    public static Tensor abs(Tensor input) => input.abs();
    /// <summary>Element-wise power.</summary>
    public static Tensor pow(Tensor input, double exponent) => input.pow(exponent);
    /// <summary>Element-wise power (integer tensors stay integer).</summary>
    public static Tensor pow(Tensor input, long exponent) => input.pow(exponent);
    /// <summary>Element-wise power with a tensor exponent.</summary>
    public static Tensor pow(Tensor input, Tensor exponent) => input.pow(exponent);
    /// <summary>Clamps into [min, max] (either bound may be null).</summary>
    public static Tensor clamp(Tensor input, double? min = null, double? max = null) => input.clamp(min, max);
    /// <summary>Sum of all elements.</summary>
    public static Tensor sum(Tensor input) => input.sum();
    /// <summary>Sum over <paramref name="dim"/>.</summary>
    public static Tensor sum(Tensor input, long dim, bool keepdim = false) => input.sum(dim, keepdim);
    /// <summary>Mean of all elements.</summary>
    public static Tensor mean(Tensor input) => input.mean();
    /// <summary>Mean over <paramref name="dim"/>.</summary>
    public static Tensor mean(Tensor input, long dim, bool keepdim = false) => input.mean(dim, keepdim);
    /// <summary>Flattens dimensions start..end into one.</summary>
    public static Tensor flatten(Tensor input, long start_dim = 0, long end_dim = -1) => input.flatten(start_dim, end_dim);
    /// <summary>Swaps two dimensions.</summary>
    public static Tensor transpose(Tensor input, long dim0, long dim1) => input.transpose(dim0, dim1);
    /// <summary>Another shape, copying when a view is impossible.</summary>
    public static Tensor reshape(Tensor input, params long[] shape) => input.reshape(shape);
    /// <summary>The <paramref name="k"/> largest (or smallest) values along <paramref name="dim"/>, with indices.</summary>
    public static (Tensor values, Tensor indexes) topk(Tensor input, long k, long dim = -1, bool largest = true, bool sorted = true) => input.topk(k, dim, largest, sorted);
    /// <summary>Sorted values along <paramref name="dim"/>, with the permutation.</summary>
    public static (Tensor values, Tensor indexes) sort(Tensor input, long dim = -1, bool descending = false, bool stable = false) => input.sort(dim, descending, stable);
    /// <summary>Indices of the maxima along <paramref name="dim"/>.</summary>
    public static Tensor argmax(Tensor input, long dim, bool keepdim = false) => input.argmax(dim, keepdim);
    /// <summary>Indices of the minima along <paramref name="dim"/>.</summary>
    public static Tensor argmin(Tensor input, long dim, bool keepdim = false) => input.argmin(dim, keepdim);
    /// <summary>Values of <paramref name="input"/> along <paramref name="dim"/> at <paramref name="index"/>.</summary>
    public static Tensor gather(Tensor input, long dim, Tensor index) => input.gather(dim, index);
    /// <summary>Entries of <paramref name="dim"/> listed in <paramref name="index"/>.</summary>
    public static Tensor index_select(Tensor input, long dim, Tensor index) => input.index_select(dim, index);
    /// <summary>Reverses the order along the given dimensions.</summary>
    public static Tensor flip(Tensor input, params long[] dims) => input.flip(dims);
    /// <summary>Rolls elements along one dimension.</summary>
    public static Tensor roll(Tensor input, long shift, long dim) => input.roll(shift, dim);
    /// <summary>Inserts a dimension of size one.</summary>
    public static Tensor unsqueeze(Tensor input, long dim) => input.unsqueeze(dim);
    /// <summary>Removes all dimensions of size one.</summary>
    public static Tensor squeeze(Tensor input) => input.squeeze();
    /// <summary>A view of <paramref name="length"/> entries of <paramref name="dim"/> from <paramref name="start"/>.</summary>
    public static Tensor narrow(Tensor input, long dim, long start, long length) => input.narrow(dim, start, length);
    /// <summary>A copy with its own storage.</summary>
    public static Tensor clone(Tensor input) => input.clone();

    internal static ScalarType DTypeOf<T>() where T : unmanaged
    {
        if (typeof(T) == typeof(float)) return ScalarType.Float32;
        if (typeof(T) == typeof(double)) return ScalarType.Float64;
        if (typeof(T) == typeof(long)) return ScalarType.Int64;
        if (typeof(T) == typeof(int)) return ScalarType.Int32;
        if (typeof(T) == typeof(byte)) return ScalarType.Byte;
        if (typeof(T) == typeof(sbyte)) return ScalarType.Int8;
        if (typeof(T) == typeof(short)) return ScalarType.Int16;
        if (typeof(T) == typeof(bool)) return ScalarType.Bool;
        if (typeof(T) == typeof(Half)) return ScalarType.Float16;
        throw new NotSupportedException($"Element type {typeof(T).Name} has no tensor dtype.");
    }

    /// <summary>
    /// A tensor holding a copy of <paramref name="data"/> with the given shape; an empty shape means 1-D
    /// (use <see cref="tensor(double, ScalarType)"/> or the array overloads with an empty shape for a 0-d tensor).
    /// </summary>
    public static Tensor tensor<T>(ReadOnlySpan<T> data, ReadOnlySpan<long> shape = default, bool requires_grad = false) where T : unmanaged
        => FromData(data, shape.IsEmpty ? null : shape.ToArray(), requires_grad);

    /// <summary>A tensor holding a copy of <paramref name="data"/>; null <paramref name="shape"/> means 1-D, an empty one 0-d.</summary>
    private static unsafe Tensor FromData<T>(ReadOnlySpan<T> data, long[]? shape, bool requires_grad) where T : unmanaged
    {
        long[] s = shape ?? new long[] { data.Length };
        long n = 1;
        foreach (var d in s)
        {
            if (d < 0) throw new ArgumentException($"Shape [{string.Join(", ", s)}] has a negative dimension.", nameof(shape));
            n *= d;
        }
        if (n != data.Length)
            throw new ArgumentException($"Shape [{string.Join(", ", s)}] holds {n} elements but {data.Length} values were given.", nameof(shape));
        fixed (T* p = data)
        {
            return Create(NativeMethods.gs_from_blob_copy(p, s, s.Length, (int)DTypeOf<T>(), out var r), r, nameof(tensor)).requires_grad_(requires_grad);
        }
    }

    /// <inheritdoc cref="tensor{T}(ReadOnlySpan{T}, ReadOnlySpan{long}, bool)"/>
    public static Tensor tensor(float[] data, long[]? shape = null, bool requires_grad = false) => FromData<float>(data, shape, requires_grad);
    /// <inheritdoc cref="tensor{T}(ReadOnlySpan{T}, ReadOnlySpan{long}, bool)"/>
    public static Tensor tensor(double[] data, long[]? shape = null, bool requires_grad = false) => FromData<double>(data, shape, requires_grad);
    /// <inheritdoc cref="tensor{T}(ReadOnlySpan{T}, ReadOnlySpan{long}, bool)"/>
    public static Tensor tensor(long[] data, long[]? shape = null) => FromData<long>(data, shape, false);
    /// <inheritdoc cref="tensor{T}(ReadOnlySpan{T}, ReadOnlySpan{long}, bool)"/>
    public static Tensor tensor(int[] data, long[]? shape = null) => FromData<int>(data, shape, false);
    /// <inheritdoc cref="tensor{T}(ReadOnlySpan{T}, ReadOnlySpan{long}, bool)"/>
    public static Tensor tensor(byte[] data, long[]? shape = null) => FromData<byte>(data, shape, false);
    /// <inheritdoc cref="tensor{T}(ReadOnlySpan{T}, ReadOnlySpan{long}, bool)"/>
    public static Tensor tensor(bool[] data, long[]? shape = null) => FromData<bool>(data, shape, false);

    /// <summary>A 0-d tensor holding <paramref name="value"/>.</summary>
    public static Tensor tensor(double value, ScalarType dtype = ScalarType.Float32) => full(Array.Empty<long>(), value, dtype);

    /// <summary>A tensor created from raw little-endian bytes of the given dtype and shape.</summary>
    public static unsafe Tensor from_bytes(ReadOnlySpan<byte> bytes, ScalarType dtype, long[] shape)
    {
        long n = 1;
        foreach (var d in shape) n *= d;
        long need = n * ElementSize(dtype);
        if (need != bytes.Length)
            throw new ArgumentException($"Shape [{string.Join(", ", shape)}] of {dtype} needs {need} bytes but {bytes.Length} were given.");
        fixed (byte* p = bytes)
        {
            return Create(NativeMethods.gs_from_blob_copy(p, shape, shape.Length, (int)dtype, out var r), r, nameof(from_bytes));
        }
    }

    /// <summary>Bytes per element of <paramref name="dtype"/>.</summary>
    public static int ElementSize(ScalarType dtype) => dtype switch
    {
        ScalarType.Byte or ScalarType.Int8 or ScalarType.Bool => 1,
        ScalarType.Int16 or ScalarType.Float16 => 2,
        ScalarType.Int32 or ScalarType.Float32 => 4,
        ScalarType.Int64 or ScalarType.Float64 => 8,
        _ => throw new NotSupportedException($"dtype {dtype}"),
    };

    // ---- functions over several tensors -------------------------------------------------------------

    private static IntPtr[] Handles(IReadOnlyList<Tensor> ts)
    {
        var h = new IntPtr[ts.Count];
        for (int i = 0; i < h.Length; i++) h[i] = ts[i].RawHandle;
        return h;
    }

    /// <summary>Concatenates along <paramref name="dim"/>.</summary>
    public static Tensor cat(IReadOnlyList<Tensor> tensors, long dim = 0)
    {
        if (tensors.Count == 0) throw new ArgumentException("cat needs at least one tensor.", nameof(tensors));
        var r = Create(NativeMethods.gs_cat(Handles(tensors), tensors.Count, dim, out var h), h, nameof(cat));
        GC.KeepAlive(tensors);
        return r;
    }

    /// <summary>Stacks along a new dimension <paramref name="dim"/>.</summary>
    public static Tensor stack(IReadOnlyList<Tensor> tensors, long dim = 0)
    {
        if (tensors.Count == 0) throw new ArgumentException("stack needs at least one tensor.", nameof(tensors));
        var r = Create(NativeMethods.gs_stack(Handles(tensors), tensors.Count, dim, out var h), h, nameof(stack));
        GC.KeepAlive(tensors);
        return r;
    }

    /// <summary>Element-wise choice: <paramref name="x"/> where <paramref name="condition"/>, else <paramref name="y"/>.</summary>
    public static Tensor where(Tensor condition, Tensor x, Tensor y)
        => Create(NativeMethods.gs_where(condition.Handle, x.Handle, y.Handle, out var r), r, nameof(where));

    /// <summary>Pairwise p-norm distances between the rows of two batches of row vectors.</summary>
    public static Tensor cdist(Tensor x1, Tensor x2, double p = 2.0)
        => Create(NativeMethods.gs_cdist(x1.Handle, x2.Handle, p, out var r), r, nameof(cdist));

    /// <summary>Matrix product with broadcasting.</summary>
    public static Tensor matmul(Tensor a, Tensor b) => a.matmul(b);

    /// <summary>Outer product of two vectors.</summary>
    public static Tensor outer(Tensor a, Tensor b) => Create(NativeMethods.gs_outer(a.Handle, b.Handle, out var r), r, nameof(outer));

    /// <summary>Element-wise maximum of two tensors.</summary>
    public static Tensor maximum(Tensor a, Tensor b) => a.Binary(NativeMethods.Binary.Maximum, b, nameof(maximum));

    /// <summary>Element-wise minimum of two tensors.</summary>
    public static Tensor minimum(Tensor a, Tensor b) => a.Binary(NativeMethods.Binary.Minimum, b, nameof(minimum));

    /// <summary>Whether all elements are close: |a - b| &lt;= atol + rtol |b|.</summary>
    public static bool allclose(Tensor a, Tensor b, double rtol = 1e-5, double atol = 1e-8)
    {
        NativeMethods.Check(NativeMethods.gs_allclose(a.Handle, b.Handle, rtol, atol, out var r));
        return r != 0;
    }

    /// <summary>Whether both tensors have the same shape and elements.</summary>
    public static bool equal(Tensor a, Tensor b)
    {
        NativeMethods.Check(NativeMethods.gs_equal(a.Handle, b.Handle, out var r));
        return r != 0;
    }

    /// <summary>Turns gradient recording off until the returned scope is disposed.</summary>
    public static IDisposable no_grad() => new GradModeScope(false);

    /// <summary>Turns gradient recording on until the returned scope is disposed.</summary>
    public static IDisposable enable_grad() => new GradModeScope(true);

    /// <summary>Whether gradient recording is on for this thread.</summary>
    public static bool is_grad_enabled() => NativeMethods.gs_is_grad_enabled() != 0;

    private sealed class GradModeScope : IDisposable
    {
        private readonly int _previous;
        private bool _disposed;
        public GradModeScope(bool on) => _previous = NativeMethods.gs_set_grad_enabled(on ? 1 : 0);
        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            NativeMethods.gs_set_grad_enabled(_previous);
        }
    }
}
