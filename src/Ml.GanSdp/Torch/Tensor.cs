using System.Runtime.CompilerServices;
using System.Text;
using Ml.GanSdp.Interop;
using static Ml.GanSdp.Interop.NativeMethods;

namespace Ml.GanSdp;

public static partial class torch
{
    /// <summary>
    /// A tensor: an owning handle to a native libtorch tensor. Dispose it (or let a <see cref="DisposeScope"/>
    /// do it); the finalizer of its SafeHandle is only a safety net.
    /// </summary>
    public sealed partial class Tensor : IDisposable
    {
        private readonly TensorHandle _handle;

        internal Tensor(TensorHandle handle)
        {
            _handle = handle;
            DisposeScope.Current?.Add(this);
        }

        internal DisposeScope? OwningScope { get; set; }

        /// <summary>The native handle, checked for use after dispose.</summary>
        internal TensorHandle Handle
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get
            {
                if (_handle.IsClosed) ThrowDisposed();
                return _handle;
            }
        }

        internal IntPtr RawHandle => Handle.DangerousGetHandle();

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void ThrowDisposed() => throw new ObjectDisposedException(nameof(Tensor), "The tensor was used after it was disposed (directly, or by the DisposeScope that owned it).");

        /// <summary>Whether the tensor has been disposed.</summary>
        public bool IsInvalid => _handle.IsClosed;

        /// <summary>Frees the native tensor now.</summary>
        public void Dispose()
        {
            OwningScope?.Remove(this);
            _handle.Dispose();
        }

        /// <summary>Moves the tensor to the scope enclosing its current one (or out of all scopes).</summary>
        public Tensor MoveToOuterDisposeScope()
        {
            var scope = OwningScope;
            if (scope is null) return this;
            scope.Remove(this);
            scope.Outer?.Add(this);
            return this;
        }

        /// <summary>Takes the tensor out of any dispose scope: the caller owns it.</summary>
        public Tensor DetachFromDisposeScope()
        {
            OwningScope?.Remove(this);
            return this;
        }

        // ---- properties ---------------------------------------------------------------------------

        /// <summary>The sizes of each dimension.</summary>
        public long[] shape
        {
            get
            {
                var s = new long[dim()];
                Check(gs_tensor_shape(Handle, s, s.Length));
                return s;
            }
        }

        /// <summary>Strides of each dimension, in elements.</summary>
        public long[] stride()
        {
            var s = new long[dim()];
            Check(gs_tensor_strides(Handle, s, s.Length));
            return s;
        }

        /// <summary>The sizes of each dimension (same as <see cref="shape"/>).</summary>
        public long[] size() => shape;

        /// <summary>The size of dimension <paramref name="d"/> (negative counts from the end).</summary>
        public long size(int d)
        {
            var s = shape;
            int i = d < 0 ? d + s.Length : d;
            if (i < 0 || i >= s.Length) throw new ArgumentOutOfRangeException(nameof(d), d, $"Dimension out of range for a tensor of shape [{string.Join(", ", s)}].");
            return s[i];
        }

        /// <summary>Number of dimensions.</summary>
        public int dim()
        {
            Check(gs_tensor_ndim(Handle, out var n));
            return (int)n;
        }

        /// <summary>Number of dimensions.</summary>
        public int Dimensions => dim();

        /// <summary>Number of elements.</summary>
        public long numel()
        {
            Check(gs_tensor_numel(Handle, out var n));
            return n;
        }

        /// <summary>The element type.</summary>
        public ScalarType dtype
        {
            get
            {
                Check(gs_tensor_dtype(Handle, out var d));
                return (ScalarType)d;
            }
        }

        /// <summary>The device holding the data.</summary>
        public Device device
        {
            get
            {
                Check(gs_tensor_device(Handle, out var t, out var i));
                return t == 0 ? CPU : new Device((DeviceType)t, i);
            }
        }

        /// <summary>Whether operations on this tensor are recorded for autograd.</summary>
        public bool requires_grad
        {
            get
            {
                Check(gs_requires_grad(Handle, out var r));
                return r != 0;
            }
            set => Check(gs_set_requires_grad(Handle, value ? 1 : 0));
        }

        /// <summary>Sets <see cref="requires_grad"/> and returns this tensor.</summary>
        public Tensor requires_grad_(bool on = true)
        {
            if (on || requires_grad) requires_grad = on;
            return this;
        }

        /// <summary>Whether this is a leaf of the autograd graph.</summary>
        public bool is_leaf
        {
            get
            {
                Check(gs_is_leaf(Handle, out var r));
                return r != 0;
            }
        }

        /// <summary>The accumulated gradient (a new handle each call), or null; set null to clear it.</summary>
        public Tensor? grad
        {
            get
            {
                Check(gs_grad(Handle, out var r));
                return r == IntPtr.Zero ? null : Wrap(r);
            }
            set => Check(gs_set_grad(Handle, value?.Handle ?? TensorHandle.Null));
        }

        /// <summary>Name of the autograd node that produced this tensor ("" for leaves).</summary>
        public unsafe string grad_fn_name()
        {
            var buf = stackalloc byte[256];
            Check(gs_grad_fn_name(Handle, buf, 256));
            return new string((sbyte*)buf);
        }

        /// <summary>Whether the data is contiguous in memory.</summary>
        public bool is_contiguous()
        {
            Check(gs_tensor_is_contiguous(Handle, out var r));
            return r != 0;
        }

        // ---- readout --------------------------------------------------------------------------------

        /// <summary>Copies the elements (row-major) into a new array; <typeparamref name="T"/> must match <see cref="dtype"/>.</summary>
        public unsafe T[] ToArray<T>() where T : unmanaged
        {
            var want = DTypeOf<T>();
            var have = dtype;
            if (want != have)
                throw new InvalidCastException($"ToArray<{typeof(T).Name}> needs a {want} tensor but this tensor is {have}; convert it first with .to({want}).");
            var result = new T[numel()];
            fixed (T* p = result)
            {
                Check(gs_tensor_copy_to(Handle, p, (long)result.Length * sizeof(T)));
            }
            return result;
        }

        /// <summary>Copies the raw bytes (row-major, native little-endian).</summary>
        public unsafe byte[] ToBytes()
        {
            Check(gs_tensor_element_size(Handle, out var es));
            var result = new byte[numel() * es];
            fixed (byte* p = result)
            {
                Check(gs_tensor_copy_to(Handle, p, result.Length));
            }
            return result;
        }

        /// <summary>The value of a one-element tensor.</summary>
        public T item<T>() where T : unmanaged
        {
            if (numel() != 1) throw new InvalidOperationException($"item() needs a tensor with one element, this one has shape [{string.Join(", ", shape)}].");
            if (typeof(T) == typeof(long))
            {
                Check(gs_tensor_item_int64(Handle, out var l));
                return (T)(object)l;
            }
            Check(gs_tensor_item(Handle, out var d));
            if (typeof(T) == typeof(double)) return (T)(object)d;
            if (typeof(T) == typeof(float)) return (T)(object)(float)d;
            if (typeof(T) == typeof(int)) return (T)(object)(int)d;
            if (typeof(T) == typeof(bool)) return (T)(object)(d != 0);
            if (typeof(T) == typeof(byte)) return (T)(object)(byte)d;
            throw new NotSupportedException($"item<{typeof(T).Name}> is not supported.");
        }

        /// <summary>A short description: shape, dtype, device; with values for small tensors.</summary>
        public override string ToString()
        {
            if (IsInvalid) return "tensor(disposed)";
            var sb = new StringBuilder($"tensor([{string.Join(", ", shape)}], {dtype}, {device})");
            if (numel() <= 16)
            {
                using var d = to(ScalarType.Float64);
                sb.Append(" [").Append(string.Join(", ", d.ToArray<double>().Select(v => v.ToString("G6")))).Append(']');
            }
            return sb.ToString();
        }

        // ---- conversion and copies ------------------------------------------------------------------

        private Tensor New(int status, IntPtr r, string op)
        {
            Check(status, op);
            return Wrap(r);
        }

        /// <summary>Converts to another dtype (a new tensor, or this data when already of that type).</summary>
        public Tensor to(ScalarType type, bool copy = false)
        {
            var d = device;
            return New(gs_tensor_to(Handle, (int)type, (int)d.type, d.index, copy ? 1 : 0, out var r), r, nameof(to));
        }

        /// <summary>Moves to another device.</summary>
        public Tensor to(Device target, bool copy = false)
            => New(gs_tensor_to(Handle, (int)dtype, (int)target.type, target.index, copy ? 1 : 0, out var r), r, nameof(to));

        /// <summary>Converts to a dtype on a device.</summary>
        public Tensor to(ScalarType type, Device target, bool copy = false)
            => New(gs_tensor_to(Handle, (int)type, (int)target.type, target.index, copy ? 1 : 0, out var r), r, nameof(to));

        /// <summary>Copies to the CPU.</summary>
        public Tensor cpu() => to(CPU);

        /// <summary>Converts to float32.</summary>
        public Tensor @float() => to(ScalarType.Float32);

        /// <summary>Converts to float64.</summary>
        public Tensor @double() => to(ScalarType.Float64);

        /// <summary>Converts to int64.</summary>
        public Tensor @long() => to(ScalarType.Int64);

        /// <summary>A copy with its own storage (differentiable).</summary>
        public Tensor clone() => New(gs_tensor_clone(Handle, out var r), r, nameof(clone));

        /// <summary>The same data, out of the autograd graph.</summary>
        public Tensor detach() => New(gs_tensor_detach(Handle, out var r), r, nameof(detach));

        /// <summary>Contiguous data (this data when already contiguous).</summary>
        public Tensor contiguous() => New(gs_tensor_contiguous(Handle, out var r), r, nameof(contiguous));

        /// <summary>A second handle to the same tensor, owned separately.</summary>
        public Tensor alias() => New(gs_tensor_alias(Handle, out var r), r, nameof(alias));

        /// <summary>Whether both handles refer to the same native tensor.</summary>
        public bool is_same(Tensor other)
        {
            Check(gs_tensor_same(Handle, other.Handle, out var r));
            return r != 0;
        }

        // ---- shape ------------------------------------------------------------------------------------

        /// <summary>A view with another shape (one dimension may be -1).</summary>
        public Tensor view(params long[] shape) => New(gs_view(Handle, shape, shape.Length, out var r), r, nameof(view));

        /// <summary>Another shape, copying when a view is impossible.</summary>
        public Tensor reshape(params long[] shape) => New(gs_reshape(Handle, shape, shape.Length, out var r), r, nameof(reshape));

        /// <summary>Reorders the dimensions.</summary>
        public Tensor permute(params long[] dims) => New(gs_permute(Handle, dims, dims.Length, out var r), r, nameof(permute));

        /// <summary>Swaps two dimensions.</summary>
        public Tensor transpose(long dim0, long dim1) => New(gs_transpose(Handle, dim0, dim1, out var r), r, nameof(transpose));

        /// <summary>The transpose of a 2-D tensor.</summary>
        public Tensor T => transpose(0, 1);

        /// <summary>Flattens dimensions start..end into one.</summary>
        public Tensor flatten(long start_dim = 0, long end_dim = -1) => New(gs_flatten(Handle, start_dim, end_dim, out var r), r, nameof(flatten));

        /// <summary>Inserts a dimension of size one.</summary>
        public Tensor unsqueeze(long dim) => New(gs_unsqueeze(Handle, dim, out var r), r, nameof(unsqueeze));

        /// <summary>Removes all dimensions of size one.</summary>
        public Tensor squeeze() => New(gs_squeeze(Handle, 0, 1, out var r), r, nameof(squeeze));

        /// <summary>Removes dimension <paramref name="dim"/> if its size is one.</summary>
        public Tensor squeeze(long dim) => New(gs_squeeze(Handle, dim, 0, out var r), r, nameof(squeeze));

        /// <summary>Broadcasts to a larger shape (-1 keeps a size).</summary>
        public Tensor expand(params long[] shape) => New(gs_expand(Handle, shape, shape.Length, out var r), r, nameof(expand));

        /// <summary>Broadcasts to the shape of <paramref name="other"/>.</summary>
        public Tensor expand_as(Tensor other) => expand(other.shape);

        /// <summary>Tiles the tensor.</summary>
        public Tensor repeat(params long[] repeats) => New(gs_repeat(Handle, repeats, repeats.Length, out var r), r, nameof(repeat));

        /// <summary>A view of <paramref name="length"/> entries of <paramref name="dim"/> from <paramref name="start"/>.</summary>
        public Tensor narrow(long dim, long start, long length) => New(gs_narrow(Handle, dim, start, length, out var r), r, nameof(narrow));

        /// <summary>A strided view of [start, end) along <paramref name="dim"/>.</summary>
        public Tensor slice(long dim, long start, long end, long step = 1) => New(gs_slice(Handle, dim, start, end, step, out var r), r, nameof(slice));

        /// <summary>The slice at <paramref name="index"/> of <paramref name="dim"/>, removing that dimension.</summary>
        public Tensor select(long dim, long index) => New(gs_select(Handle, dim, index, out var r), r, nameof(select));

        /// <summary>Indexes the leading dimensions (each index removes one dimension).</summary>
        public Tensor this[params long[] indices]
        {
            get
            {
                if (indices.Length == 0) return alias();
                var t = select(0, indices[0]);
                for (int i = 1; i < indices.Length; i++)
                {
                    var next = t.select(0, indices[i]);
                    t.Dispose();
                    t = next;
                }
                return t;
            }
        }

        /// <summary>The entries of <paramref name="dim"/> listed in <paramref name="index"/> (int64).</summary>
        public Tensor index_select(long dim, Tensor index) => New(gs_index_select(Handle, dim, index.Handle, out var r), r, nameof(index_select));

        /// <summary>Gathers values along <paramref name="dim"/> at <paramref name="index"/>.</summary>
        public Tensor gather(long dim, Tensor index) => New(gs_gather(Handle, dim, index.Handle, out var r), r, nameof(gather));

        /// <summary>The elements where <paramref name="mask"/> is true, as a 1-D tensor.</summary>
        public Tensor masked_select(Tensor mask) => New(gs_masked_select(Handle, mask.Handle, out var r), r, nameof(masked_select));

        /// <summary>A copy with <paramref name="value"/> where <paramref name="mask"/> is true.</summary>
        public Tensor masked_fill(Tensor mask, double value) => New(gs_masked_fill(Handle, mask.Handle, value, out var r), r, nameof(masked_fill));

        /// <summary>Reverses the order along the given dimensions.</summary>
        public Tensor flip(params long[] dims) => New(gs_flip(Handle, dims, dims.Length, out var r), r, nameof(flip));

        /// <summary>Rolls elements along dimensions (wrapping around).</summary>
        public Tensor roll(long[] shifts, long[] dims)
        {
            if (shifts.Length != dims.Length) throw new ArgumentException($"roll got {shifts.Length} shifts for {dims.Length} dims.");
            return New(gs_roll(Handle, shifts, dims, dims.Length, out var r), r, nameof(roll));
        }

        /// <summary>Rolls elements along one dimension.</summary>
        public Tensor roll(long shift, long dim) => roll(new[] { shift }, new[] { dim });

        /// <summary>Indices of non-zero elements (n x ndim).</summary>
        public Tensor nonzero() => New(gs_nonzero(Handle, out var r), r, nameof(nonzero));

        /// <summary>The diagonal of a matrix, or a diagonal matrix from a vector.</summary>
        public Tensor diag(long diagonal = 0) => New(gs_diag(Handle, diagonal, out var r), r, nameof(diag));

        /// <summary>A view of a diagonal.</summary>
        public Tensor diagonal(long offset = 0, long dim1 = 0, long dim2 = 1) => New(gs_diagonal(Handle, offset, dim1, dim2, out var r), r, nameof(diagonal));

        /// <summary>The lower triangle.</summary>
        public Tensor tril(long diagonal = 0) => New(gs_tril(Handle, diagonal, out var r), r, nameof(tril));

        /// <summary>The upper triangle.</summary>
        public Tensor triu(long diagonal = 0) => New(gs_triu(Handle, diagonal, out var r), r, nameof(triu));

        /// <summary>The sum of the main diagonal.</summary>
        public Tensor trace()
        {
            using var d = diagonal();
            return d.sum();
        }

        // ---- in place -------------------------------------------------------------------------------

        /// <summary>Copies <paramref name="src"/> (broadcast) into this tensor.</summary>
        public Tensor copy_(Tensor src) { Check(gs_copy_(Handle, src.Handle)); return this; }

        /// <summary>Fills with <paramref name="value"/>.</summary>
        public Tensor fill_(double value) { Check(gs_fill_(Handle, value)); return this; }

        /// <summary>Fills with zeros.</summary>
        public Tensor zero_() { Check(gs_zero_(Handle)); return this; }

        /// <summary>Fills with normal samples.</summary>
        public Tensor normal_(double mean = 0, double std = 1, Generator? generator = null) { Check(gs_normal_(Handle, mean, std, generator?.Handle ?? GeneratorHandle.Null)); return this; }

        /// <summary>Fills with uniform samples in [from, to).</summary>
        public Tensor uniform_(double from = 0, double to = 1, Generator? generator = null) { Check(gs_uniform_(Handle, from, to, generator?.Handle ?? GeneratorHandle.Null)); return this; }

        /// <summary>Copies rows of <paramref name="source"/> into the entries <paramref name="index"/> of <paramref name="dim"/>.</summary>
        public Tensor index_copy_(long dim, Tensor index, Tensor source) { Check(gs_index_copy_(Handle, dim, index.Handle, source.Handle)); return this; }

        /// <summary>Replaces the data (not the autograd identity) of this tensor.</summary>
        public void set_data(Tensor data) => Check(gs_set_data(Handle, data.Handle));

        // ---- autograd -------------------------------------------------------------------------------

        /// <summary>Back-propagates from this tensor, accumulating into the leaves' <see cref="grad"/>.</summary>
        public void backward(Tensor? grad_output = null, bool retain_graph = false, bool create_graph = false)
            => Check(gs_backward(Handle, grad_output?.Handle ?? TensorHandle.Null, retain_graph ? 1 : 0, create_graph ? 1 : 0));
    }
}
