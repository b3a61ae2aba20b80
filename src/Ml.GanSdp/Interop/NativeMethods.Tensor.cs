using System.Runtime.InteropServices;

namespace Ml.GanSdp.Interop;

// tensor.cpp: lifetime, creation, random numbers, readout, shape and indexing.
internal static partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial int gs_generator_new(ulong seed, out IntPtr g);
    [LibraryImport(Lib)] internal static partial void gs_generator_free(IntPtr g);
    [LibraryImport(Lib)] internal static partial int gs_generator_manual_seed(GeneratorHandle g, ulong seed);
    [LibraryImport(Lib)] internal static partial int gs_generator_get_state(GeneratorHandle g, out IntPtr state);
    [LibraryImport(Lib)] internal static partial int gs_generator_set_state(GeneratorHandle g, TensorHandle state);

    [LibraryImport(Lib)] internal static partial void gs_tensor_free(IntPtr t);
    [LibraryImport(Lib)] internal static partial int gs_empty(long[] shape, int ndim, int dtype, int dt, int di, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_zeros(long[] shape, int ndim, int dtype, int dt, int di, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_ones(long[] shape, int ndim, int dtype, int dt, int di, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_full(long[] shape, int ndim, double value, int dtype, int dt, int di, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_arange(double start, double end, double step, int dtype, int dt, int di, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_linspace(double start, double end, long steps, int dtype, int dt, int di, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_eye(long n, int dtype, int dt, int di, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_randn(long[] shape, int ndim, int dtype, int dt, int di, GeneratorHandle g, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_rand(long[] shape, int ndim, int dtype, int dt, int di, GeneratorHandle g, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_randint(long low, long high, long[] shape, int ndim, int dtype, int dt, int di, GeneratorHandle g, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_randperm(long n, int dtype, int dt, int di, GeneratorHandle g, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_bernoulli(TensorHandle p, GeneratorHandle g, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_normal_(TensorHandle t, double mean, double std, GeneratorHandle g);
    [LibraryImport(Lib)] internal static partial int gs_uniform_(TensorHandle t, double from, double to, GeneratorHandle g);
    [LibraryImport(Lib)] internal static unsafe partial int gs_from_blob_copy(void* data, long[] shape, int ndim, int dtype, out IntPtr r);

    [LibraryImport(Lib)] internal static partial int gs_tensor_ndim(TensorHandle t, out long r);
    [LibraryImport(Lib)] internal static partial int gs_tensor_shape(TensorHandle t, long[] r, int capacity);
    [LibraryImport(Lib)] internal static partial int gs_tensor_strides(TensorHandle t, long[] r, int capacity);
    [LibraryImport(Lib)] internal static partial int gs_tensor_dtype(TensorHandle t, out int r);
    [LibraryImport(Lib)] internal static partial int gs_tensor_device(TensorHandle t, out int type, out int index);
    [LibraryImport(Lib)] internal static partial int gs_tensor_numel(TensorHandle t, out long r);
    [LibraryImport(Lib)] internal static partial int gs_tensor_element_size(TensorHandle t, out long r);
    [LibraryImport(Lib)] internal static unsafe partial int gs_tensor_copy_to(TensorHandle t, void* dst, long nbytes);
    [LibraryImport(Lib)] internal static partial int gs_tensor_item(TensorHandle t, out double r);
    [LibraryImport(Lib)] internal static partial int gs_tensor_item_int64(TensorHandle t, out long r);
    [LibraryImport(Lib)] internal static partial int gs_tensor_to(TensorHandle t, int dtype, int dt, int di, int copy, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_tensor_clone(TensorHandle t, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_tensor_detach(TensorHandle t, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_tensor_contiguous(TensorHandle t, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_tensor_alias(TensorHandle t, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_tensor_is_contiguous(TensorHandle t, out int r);
    [LibraryImport(Lib)] internal static partial int gs_tensor_same(TensorHandle a, TensorHandle b, out int r);

    [LibraryImport(Lib)] internal static partial int gs_view(TensorHandle t, long[] shape, int ndim, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_reshape(TensorHandle t, long[] shape, int ndim, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_permute(TensorHandle t, long[] dims, int ndim, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_transpose(TensorHandle t, long d0, long d1, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_flatten(TensorHandle t, long start, long end, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_unsqueeze(TensorHandle t, long dim, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_squeeze(TensorHandle t, long dim, int all, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_expand(TensorHandle t, long[] shape, int ndim, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_repeat(TensorHandle t, long[] repeats, int ndim, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_cat(IntPtr[] ts, int n, long dim, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_stack(IntPtr[] ts, int n, long dim, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_narrow(TensorHandle t, long dim, long start, long length, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_slice(TensorHandle t, long dim, long start, long end, long step, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_select(TensorHandle t, long dim, long index, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_index_select(TensorHandle t, long dim, TensorHandle index, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_gather(TensorHandle t, long dim, TensorHandle index, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_masked_select(TensorHandle t, TensorHandle mask, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_masked_fill(TensorHandle t, TensorHandle mask, double value, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_where(TensorHandle cond, TensorHandle a, TensorHandle b, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_flip(TensorHandle t, long[] dims, int ndim, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_roll(TensorHandle t, long[] shifts, long[] dims, int n, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_pad(TensorHandle t, long[] pads, int npads, int mode, double value, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_nonzero(TensorHandle t, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_one_hot(TensorHandle t, long numClasses, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_diag(TensorHandle t, long diagonal, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_diagonal(TensorHandle t, long offset, long d0, long d1, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_tril(TensorHandle t, long diagonal, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_triu(TensorHandle t, long diagonal, out IntPtr r);

    [LibraryImport(Lib)] internal static partial int gs_copy_(TensorHandle dst, TensorHandle src);
    [LibraryImport(Lib)] internal static partial int gs_fill_(TensorHandle t, double value);
    [LibraryImport(Lib)] internal static partial int gs_zero_(TensorHandle t);
    [LibraryImport(Lib)] internal static partial int gs_index_copy_(TensorHandle t, long dim, TensorHandle index, TensorHandle src);
    [LibraryImport(Lib)] internal static partial int gs_set_data(TensorHandle t, TensorHandle data);
}
