using System.Runtime.InteropServices;

namespace Ml.GanSdp.Interop;

// math.cpp: element-wise maths, reductions, sorting, products, eigendecompositions.
internal static partial class NativeMethods
{
    internal enum Unary { Neg = 0, Exp, Log, Sqrt, Abs, Relu, Tanh, Sigmoid, Sign, Floor, Ceil, Round, Square, Rsqrt, Log1p, Sin, Cos, IsNan, IsFinite, LogicalNot, Erf, Reciprocal, Expm1, Log2, IsInf, Silu, Gelu }
    internal enum Binary { Add = 0, Sub, Mul, Div, Pow, Maximum, Minimum, Eq, Ne, Lt, Le, Gt, Ge, LogicalAnd, LogicalOr, Remainder, Atan2, RSub, RDiv, RPow, FloorDivide }
    internal enum Reduce { Sum = 0, Mean, Prod, AMax, AMin, Var, Std, LogSumExp, Any, All }

    [LibraryImport(Lib)] internal static partial int gs_unary(Unary op, TensorHandle t, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_unary_(Unary op, TensorHandle t);
    [LibraryImport(Lib)] internal static partial int gs_binary(Binary op, TensorHandle a, TensorHandle b, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_binary_scalar(Binary op, TensorHandle a, double s, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_binary_int_scalar(Binary op, TensorHandle a, long s, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_binary_int_scalar_(Binary op, TensorHandle a, long s);
    [LibraryImport(Lib)] internal static partial int gs_binary_(Binary op, TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial int gs_binary_scalar_(Binary op, TensorHandle a, double s);
    [LibraryImport(Lib)] internal static partial int gs_add_scaled(TensorHandle a, TensorHandle b, double alpha, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_add_scaled_(TensorHandle a, TensorHandle b, double alpha);
    [LibraryImport(Lib)] internal static partial int gs_lerp_(TensorHandle a, TensorHandle b, double weight);
    [LibraryImport(Lib)] internal static partial int gs_clamp(TensorHandle t, int hasMin, double min, int hasMax, double max, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_clamp_(TensorHandle t, int hasMin, double min, int hasMax, double max);
    [LibraryImport(Lib)] internal static partial int gs_leaky_relu(TensorHandle t, double slope, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_leaky_relu_(TensorHandle t, double slope);
    [LibraryImport(Lib)] internal static partial int gs_relu_(TensorHandle t);
    [LibraryImport(Lib)] internal static partial int gs_softplus(TensorHandle t, double beta, double threshold, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_softmax(TensorHandle t, long dim, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_log_softmax(TensorHandle t, long dim, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_reduce(Reduce op, TensorHandle t, long[]? dims, int ndims, int keepdim, long correction, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_max_dim(TensorHandle t, long dim, int keepdim, out IntPtr values, out IntPtr indices);
    [LibraryImport(Lib)] internal static partial int gs_min_dim(TensorHandle t, long dim, int keepdim, out IntPtr values, out IntPtr indices);
    [LibraryImport(Lib)] internal static partial int gs_argmax(TensorHandle t, int hasDim, long dim, int keepdim, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_argmin(TensorHandle t, int hasDim, long dim, int keepdim, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_topk(TensorHandle t, long k, long dim, int largest, int sorted, out IntPtr values, out IntPtr indices);
    [LibraryImport(Lib)] internal static partial int gs_sort(TensorHandle t, long dim, int descending, int stable, out IntPtr values, out IntPtr indices);
    [LibraryImport(Lib)] internal static partial int gs_cumsum(TensorHandle t, long dim, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_vector_norm(TensorHandle t, double ord, long[]? dims, int ndims, int keepdim, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_matmul(TensorHandle a, TensorHandle b, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_outer(TensorHandle a, TensorHandle b, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_cdist(TensorHandle a, TensorHandle b, double p, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_linalg_eigh(TensorHandle t, int upper, out IntPtr w, out IntPtr v);
    [LibraryImport(Lib)] internal static partial int gs_linalg_eigvalsh(TensorHandle t, int upper, out IntPtr r);
    [LibraryImport(Lib)] internal static partial int gs_linalg_eigvals(TensorHandle t, out IntPtr re, out IntPtr im);
    [LibraryImport(Lib)] internal static partial int gs_allclose(TensorHandle a, TensorHandle b, double rtol, double atol, out int r);
    [LibraryImport(Lib)] internal static partial int gs_equal(TensorHandle a, TensorHandle b, out int r);
}
