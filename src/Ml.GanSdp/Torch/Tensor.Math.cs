using Ml.GanSdp.Interop;
using static Ml.GanSdp.Interop.NativeMethods;

namespace Ml.GanSdp;

public static partial class torch
{
    public sealed partial class Tensor
    {
        internal Tensor Unary(Unary op, string name) => New(gs_unary(op, Handle, out var r), r, name);
        internal Tensor Unary_(Unary op, string name) { Check(gs_unary_(op, Handle), name); return this; }
        internal Tensor Binary(Binary op, Tensor other, string name) => New(gs_binary(op, Handle, other.Handle, out var r), r, name);
        internal Tensor Binary(Binary op, double other, string name) => New(gs_binary_scalar(op, Handle, other, out var r), r, name);
        /// <summary>With an integer scalar: integer tensors stay integer (PyTorch's promotion of a Python int).</summary>
        internal Tensor Binary(Binary op, long other, string name) => New(gs_binary_int_scalar(op, Handle, other, out var r), r, name);
        internal Tensor Binary_(Binary op, Tensor other, string name) { Check(gs_binary_(op, Handle, other.Handle), name); return this; }
        internal Tensor Binary_(Binary op, double other, string name) { Check(gs_binary_scalar_(op, Handle, other), name); return this; }
        internal Tensor Binary_(Binary op, long other, string name) { Check(gs_binary_int_scalar_(op, Handle, other), name); return this; }

        // ---- operators ----------------------------------------------------------------------------------
#pragma warning disable CS1591
        public static Tensor operator +(Tensor a, Tensor b) => a.Binary(NativeMethods.Binary.Add, b, "add");
        public static Tensor operator +(Tensor a, double b) => a.Binary(NativeMethods.Binary.Add, b, "add");
        public static Tensor operator +(double a, Tensor b) => b.Binary(NativeMethods.Binary.Add, a, "add");
        public static Tensor operator +(Tensor a, long b) => a.Binary(NativeMethods.Binary.Add, b, "add");
        public static Tensor operator +(long a, Tensor b) => b.Binary(NativeMethods.Binary.Add, a, "add");
        public static Tensor operator -(Tensor a, Tensor b) => a.Binary(NativeMethods.Binary.Sub, b, "sub");
        public static Tensor operator -(Tensor a, double b) => a.Binary(NativeMethods.Binary.Sub, b, "sub");
        public static Tensor operator -(double a, Tensor b) => b.Binary(NativeMethods.Binary.RSub, a, "sub");
        public static Tensor operator -(Tensor a, long b) => a.Binary(NativeMethods.Binary.Sub, b, "sub");
        public static Tensor operator -(long a, Tensor b) => b.Binary(NativeMethods.Binary.RSub, a, "sub");
        public static Tensor operator *(Tensor a, Tensor b) => a.Binary(NativeMethods.Binary.Mul, b, "mul");
        public static Tensor operator *(Tensor a, double b) => a.Binary(NativeMethods.Binary.Mul, b, "mul");
        public static Tensor operator *(double a, Tensor b) => b.Binary(NativeMethods.Binary.Mul, a, "mul");
        public static Tensor operator *(Tensor a, long b) => a.Binary(NativeMethods.Binary.Mul, b, "mul");
        public static Tensor operator *(long a, Tensor b) => b.Binary(NativeMethods.Binary.Mul, a, "mul");
        public static Tensor operator /(Tensor a, Tensor b) => a.Binary(NativeMethods.Binary.Div, b, "div");
        public static Tensor operator /(Tensor a, double b) => a.Binary(NativeMethods.Binary.Div, b, "div");
        public static Tensor operator /(double a, Tensor b) => b.Binary(NativeMethods.Binary.RDiv, a, "div");
        public static Tensor operator /(Tensor a, long b) => a.Binary(NativeMethods.Binary.Div, b, "div");
        public static Tensor operator /(long a, Tensor b) => b.Binary(NativeMethods.Binary.RDiv, a, "div");
        public static Tensor operator %(Tensor a, double b) => a.Binary(NativeMethods.Binary.Remainder, b, "remainder");
        public static Tensor operator %(Tensor a, long b) => a.Binary(NativeMethods.Binary.Remainder, b, "remainder");
        public static Tensor operator -(Tensor a) => a.Unary(NativeMethods.Unary.Neg, "neg");
        public static Tensor operator &(Tensor a, Tensor b) => a.Binary(NativeMethods.Binary.LogicalAnd, b, "logical_and");
        public static Tensor operator |(Tensor a, Tensor b) => a.Binary(NativeMethods.Binary.LogicalOr, b, "logical_or");
        public static Tensor operator !(Tensor a) => a.Unary(NativeMethods.Unary.LogicalNot, "logical_not");
#pragma warning restore CS1591

        /// <summary>a + alpha * other.</summary>
        public Tensor add(Tensor other, double alpha = 1) => New(gs_add_scaled(Handle, other.Handle, alpha, out var r), r, nameof(add));
        /// <summary>a + s.</summary>
        public Tensor add(double s) => Binary(NativeMethods.Binary.Add, s, nameof(add));
        /// <summary>a - other.</summary>
        public Tensor sub(Tensor other) => Binary(NativeMethods.Binary.Sub, other, nameof(sub));
        /// <summary>a - s.</summary>
        public Tensor sub(double s) => Binary(NativeMethods.Binary.Sub, s, nameof(sub));
        /// <summary>a - s (integer tensors stay integer).</summary>
        public Tensor sub(long s) => Binary(NativeMethods.Binary.Sub, s, nameof(sub));
        /// <summary>a + s (integer tensors stay integer).</summary>
        public Tensor add(long s) => Binary(NativeMethods.Binary.Add, s, nameof(add));
        /// <summary>a * s (integer tensors stay integer).</summary>
        public Tensor mul(long s) => Binary(NativeMethods.Binary.Mul, s, nameof(mul));
        /// <summary>a / s (true division: integer tensors give floats, as in PyTorch).</summary>
        public Tensor div(long s) => Binary(NativeMethods.Binary.Div, s, nameof(div));
        /// <summary>a ^ exponent (integer tensors stay integer).</summary>
        public Tensor pow(long exponent) => Binary(NativeMethods.Binary.Pow, exponent, nameof(pow));
        /// <summary>Element-wise remainder with the sign of the divisor (integer tensors stay integer).</summary>
        public Tensor remainder(long other) => Binary(NativeMethods.Binary.Remainder, other, nameof(remainder));
        /// <summary>Element-wise floor division (integer tensors stay integer).</summary>
        public Tensor floor_divide(long other) => Binary(NativeMethods.Binary.FloorDivide, other, nameof(floor_divide));
        /// <summary>a * other.</summary>
        public Tensor mul(Tensor other) => Binary(NativeMethods.Binary.Mul, other, nameof(mul));
        /// <summary>a * s.</summary>
        public Tensor mul(double s) => Binary(NativeMethods.Binary.Mul, s, nameof(mul));
        /// <summary>a / other.</summary>
        public Tensor div(Tensor other) => Binary(NativeMethods.Binary.Div, other, nameof(div));
        /// <summary>a / s.</summary>
        public Tensor div(double s) => Binary(NativeMethods.Binary.Div, s, nameof(div));
        /// <summary>a ^ exponent, element-wise.</summary>
        public Tensor pow(double exponent) => Binary(NativeMethods.Binary.Pow, exponent, nameof(pow));
        /// <summary>a ^ exponent, element-wise.</summary>
        public Tensor pow(Tensor exponent) => Binary(NativeMethods.Binary.Pow, exponent, nameof(pow));
        /// <summary>Element-wise maximum.</summary>
        public Tensor maximum(Tensor other) => Binary(NativeMethods.Binary.Maximum, other, nameof(maximum));
        /// <summary>Element-wise minimum.</summary>
        public Tensor minimum(Tensor other) => Binary(NativeMethods.Binary.Minimum, other, nameof(minimum));
        /// <summary>Element-wise equality (bool).</summary>
        public Tensor eq(Tensor other) => Binary(NativeMethods.Binary.Eq, other, nameof(eq));
        /// <summary>Element-wise equality with a scalar (bool).</summary>
        public Tensor eq(double other) => Binary(NativeMethods.Binary.Eq, other, nameof(eq));
        /// <summary>Element-wise inequality (bool).</summary>
        public Tensor ne(Tensor other) => Binary(NativeMethods.Binary.Ne, other, nameof(ne));
        /// <summary>Element-wise inequality with a scalar (bool).</summary>
        public Tensor ne(double other) => Binary(NativeMethods.Binary.Ne, other, nameof(ne));
        /// <summary>Element-wise a &lt; b.</summary>
        public Tensor lt(Tensor other) => Binary(NativeMethods.Binary.Lt, other, nameof(lt));
        /// <summary>Element-wise a &lt; s.</summary>
        public Tensor lt(double other) => Binary(NativeMethods.Binary.Lt, other, nameof(lt));
        /// <summary>Element-wise a &lt;= b.</summary>
        public Tensor le(Tensor other) => Binary(NativeMethods.Binary.Le, other, nameof(le));
        /// <summary>Element-wise a &lt;= s.</summary>
        public Tensor le(double other) => Binary(NativeMethods.Binary.Le, other, nameof(le));
        /// <summary>Element-wise a &gt; b.</summary>
        public Tensor gt(Tensor other) => Binary(NativeMethods.Binary.Gt, other, nameof(gt));
        /// <summary>Element-wise a &gt; s.</summary>
        public Tensor gt(double other) => Binary(NativeMethods.Binary.Gt, other, nameof(gt));
        /// <summary>Element-wise a &gt;= b.</summary>
        public Tensor ge(Tensor other) => Binary(NativeMethods.Binary.Ge, other, nameof(ge));
        /// <summary>Element-wise a &gt;= s.</summary>
        public Tensor ge(double other) => Binary(NativeMethods.Binary.Ge, other, nameof(ge));
        /// <summary>Element-wise floor division.</summary>
        public Tensor floor_divide(double other) => Binary(NativeMethods.Binary.FloorDivide, other, nameof(floor_divide));
        /// <summary>Element-wise remainder.</summary>
        public Tensor remainder(double other) => Binary(NativeMethods.Binary.Remainder, other, nameof(remainder));

        /// <summary>Element-wise negation.</summary>
        public Tensor neg() => Unary(NativeMethods.Unary.Neg, nameof(neg));
        /// <summary>Element-wise e^x.</summary>
        public Tensor exp() => Unary(NativeMethods.Unary.Exp, nameof(exp));
        /// <summary>Element-wise natural logarithm.</summary>
        public Tensor log() => Unary(NativeMethods.Unary.Log, nameof(log));
        /// <summary>Element-wise log(1 + x).</summary>
        public Tensor log1p() => Unary(NativeMethods.Unary.Log1p, nameof(log1p));
        /// <summary>Element-wise base-2 logarithm.</summary>
        public Tensor log2() => Unary(NativeMethods.Unary.Log2, nameof(log2));
        /// <summary>Element-wise e^x - 1.</summary>
        public Tensor expm1() => Unary(NativeMethods.Unary.Expm1, nameof(expm1));
        /// <summary>Element-wise square root.</summary>
        public Tensor sqrt() => Unary(NativeMethods.Unary.Sqrt, nameof(sqrt));
        /// <summary>Element-wise 1/sqrt(x).</summary>
        public Tensor rsqrt() => Unary(NativeMethods.Unary.Rsqrt, nameof(rsqrt));
        /// <summary>Element-wise x^2.</summary>
        public Tensor square() => Unary(NativeMethods.Unary.Square, nameof(square));
        /// <summary>Element-wise |x|.</summary>
        public Tensor abs() => Unary(NativeMethods.Unary.Abs, nameof(abs));
        /// <summary>Element-wise sign.</summary>
        public Tensor sign() => Unary(NativeMethods.Unary.Sign, nameof(sign));
        /// <summary>Element-wise floor.</summary>
        public Tensor floor() => Unary(NativeMethods.Unary.Floor, nameof(floor));
        /// <summary>Element-wise ceiling.</summary>
        public Tensor ceil() => Unary(NativeMethods.Unary.Ceil, nameof(ceil));
        /// <summary>Element-wise rounding (half to even).</summary>
        public Tensor round() => Unary(NativeMethods.Unary.Round, nameof(round));
        /// <summary>Element-wise sine.</summary>
        public Tensor sin() => Unary(NativeMethods.Unary.Sin, nameof(sin));
        /// <summary>Element-wise cosine.</summary>
        public Tensor cos() => Unary(NativeMethods.Unary.Cos, nameof(cos));
        /// <summary>Element-wise 1/x.</summary>
        public Tensor reciprocal() => Unary(NativeMethods.Unary.Reciprocal, nameof(reciprocal));
        /// <summary>Element-wise error function.</summary>
        public Tensor erf() => Unary(NativeMethods.Unary.Erf, nameof(erf));
        /// <summary>Element-wise max(x, 0).</summary>
        public Tensor relu() => Unary(NativeMethods.Unary.Relu, nameof(relu));
        /// <summary>Element-wise tanh.</summary>
        public Tensor tanh() => Unary(NativeMethods.Unary.Tanh, nameof(tanh));
        /// <summary>Element-wise logistic sigmoid.</summary>
        public Tensor sigmoid() => Unary(NativeMethods.Unary.Sigmoid, nameof(sigmoid));
        /// <summary>Element-wise NaN test.</summary>
        public Tensor isnan() => Unary(NativeMethods.Unary.IsNan, nameof(isnan));
        /// <summary>Element-wise infinity test.</summary>
        public Tensor isinf() => Unary(NativeMethods.Unary.IsInf, nameof(isinf));
        /// <summary>Element-wise finiteness test.</summary>
        public Tensor isfinite() => Unary(NativeMethods.Unary.IsFinite, nameof(isfinite));
        /// <summary>Element-wise logical not.</summary>
        public Tensor logical_not() => Unary(NativeMethods.Unary.LogicalNot, nameof(logical_not));

        /// <summary>Clamps into [min, max] (either bound may be null).</summary>
        public Tensor clamp(double? min = null, double? max = null)
            => New(gs_clamp(Handle, min.HasValue ? 1 : 0, min ?? 0, max.HasValue ? 1 : 0, max ?? 0, out var r), r, nameof(clamp));
        /// <summary>Clamps below at <paramref name="min"/>.</summary>
        public Tensor clamp_min(double min) => clamp(min, null);
        /// <summary>Clamps above at <paramref name="max"/>.</summary>
        public Tensor clamp_max(double max) => clamp(null, max);
        /// <summary>Clamps in place.</summary>
        public Tensor clamp_(double? min = null, double? max = null)
        {
            Check(gs_clamp_(Handle, min.HasValue ? 1 : 0, min ?? 0, max.HasValue ? 1 : 0, max ?? 0));
            return this;
        }

        // ---- in-place arithmetic ------------------------------------------------------------------------
        /// <summary>this += alpha * other.</summary>
        public Tensor add_(Tensor other, double alpha = 1) { Check(gs_add_scaled_(Handle, other.Handle, alpha)); return this; }
        /// <summary>this += s.</summary>
        public Tensor add_(double s) => Binary_(NativeMethods.Binary.Add, s, nameof(add_));
        /// <summary>this += s (an integer: valid on integer tensors).</summary>
        public Tensor add_(long s) => Binary_(NativeMethods.Binary.Add, s, nameof(add_));
        /// <summary>this -= s.</summary>
        public Tensor sub_(double s) => Binary_(NativeMethods.Binary.Sub, s, nameof(sub_));
        /// <summary>this -= s (an integer: valid on integer tensors).</summary>
        public Tensor sub_(long s) => Binary_(NativeMethods.Binary.Sub, s, nameof(sub_));
        /// <summary>this *= s (an integer: valid on integer tensors).</summary>
        public Tensor mul_(long s) => Binary_(NativeMethods.Binary.Mul, s, nameof(mul_));
        /// <summary>this -= other.</summary>
        public Tensor sub_(Tensor other) => Binary_(NativeMethods.Binary.Sub, other, nameof(sub_));
        /// <summary>this *= other.</summary>
        public Tensor mul_(Tensor other) => Binary_(NativeMethods.Binary.Mul, other, nameof(mul_));
        /// <summary>this *= s.</summary>
        public Tensor mul_(double s) => Binary_(NativeMethods.Binary.Mul, s, nameof(mul_));
        /// <summary>this /= other.</summary>
        public Tensor div_(Tensor other) => Binary_(NativeMethods.Binary.Div, other, nameof(div_));
        /// <summary>this /= s.</summary>
        public Tensor div_(double s) => Binary_(NativeMethods.Binary.Div, s, nameof(div_));
        /// <summary>this = this + weight * (end - this).</summary>
        public Tensor lerp_(Tensor end, double weight) { Check(gs_lerp_(Handle, end.Handle, weight)); return this; }
        /// <summary>In-place ReLU.</summary>
        public Tensor relu_() { Check(gs_relu_(Handle)); return this; }
        /// <summary>In-place tanh.</summary>
        public Tensor tanh_() => Unary_(NativeMethods.Unary.Tanh, nameof(tanh_));
        /// <summary>In-place square root.</summary>
        public Tensor sqrt_() => Unary_(NativeMethods.Unary.Sqrt, nameof(sqrt_));

        // ---- reductions ---------------------------------------------------------------------------------
        private Tensor Reduce(NativeMethods.Reduce op, long[]? dims, bool keepdim, string name, long correction = 1)
            => New(gs_reduce(op, Handle, dims, dims?.Length ?? 0, keepdim ? 1 : 0, correction, out var r), r, name);

        /// <summary>Sum of all elements.</summary>
        public Tensor sum() => Reduce(NativeMethods.Reduce.Sum, null, false, nameof(sum));
        /// <summary>Sum over <paramref name="dim"/>.</summary>
        public Tensor sum(long dim, bool keepdim = false) => Reduce(NativeMethods.Reduce.Sum, new[] { dim }, keepdim, nameof(sum));
        /// <summary>Sum over several dimensions.</summary>
        public Tensor sum(long[] dims, bool keepdim = false) => Reduce(NativeMethods.Reduce.Sum, dims, keepdim, nameof(sum));
        /// <summary>Mean of all elements.</summary>
        public Tensor mean() => Reduce(NativeMethods.Reduce.Mean, null, false, nameof(mean));
        /// <summary>Mean over <paramref name="dim"/>.</summary>
        public Tensor mean(long dim, bool keepdim = false) => Reduce(NativeMethods.Reduce.Mean, new[] { dim }, keepdim, nameof(mean));
        /// <summary>Mean over several dimensions.</summary>
        public Tensor mean(long[] dims, bool keepdim = false) => Reduce(NativeMethods.Reduce.Mean, dims, keepdim, nameof(mean));
        /// <summary>Product of all elements.</summary>
        public Tensor prod() => Reduce(NativeMethods.Reduce.Prod, null, false, nameof(prod));
        /// <summary>Variance of all elements (Bessel-corrected unless <paramref name="unbiased"/> is false).</summary>
        public Tensor var(bool unbiased = true) => Reduce(NativeMethods.Reduce.Var, null, false, nameof(var), unbiased ? 1 : 0);
        /// <summary>Variance over <paramref name="dim"/>.</summary>
        public Tensor var(long dim, bool unbiased = true, bool keepdim = false) => Reduce(NativeMethods.Reduce.Var, new[] { dim }, keepdim, nameof(var), unbiased ? 1 : 0);
        /// <summary>Standard deviation of all elements.</summary>
        public Tensor std(bool unbiased = true) => Reduce(NativeMethods.Reduce.Std, null, false, nameof(std), unbiased ? 1 : 0);
        /// <summary>Standard deviation over <paramref name="dim"/>.</summary>
        public Tensor std(long dim, bool unbiased = true, bool keepdim = false) => Reduce(NativeMethods.Reduce.Std, new[] { dim }, keepdim, nameof(std), unbiased ? 1 : 0);
        /// <summary>log(sum(exp(x))) over <paramref name="dim"/>.</summary>
        public Tensor logsumexp(long dim, bool keepdim = false) => Reduce(NativeMethods.Reduce.LogSumExp, new[] { dim }, keepdim, nameof(logsumexp));
        /// <summary>Maximum over several dimensions.</summary>
        public Tensor amax(long[] dims, bool keepdim = false) => Reduce(NativeMethods.Reduce.AMax, dims, keepdim, nameof(amax));
        /// <summary>Minimum over several dimensions.</summary>
        public Tensor amin(long[] dims, bool keepdim = false) => Reduce(NativeMethods.Reduce.AMin, dims, keepdim, nameof(amin));
        /// <summary>Maximum of all elements.</summary>
        public Tensor max() => Reduce(NativeMethods.Reduce.AMax, null, false, nameof(max));
        /// <summary>Minimum of all elements.</summary>
        public Tensor min() => Reduce(NativeMethods.Reduce.AMin, null, false, nameof(min));
        /// <summary>Whether any element is true.</summary>
        public Tensor any() => Reduce(NativeMethods.Reduce.Any, null, false, nameof(any));
        /// <summary>Whether all elements are true.</summary>
        public Tensor all() => Reduce(NativeMethods.Reduce.All, null, false, nameof(all));

        /// <summary>Maximum over <paramref name="dim"/> with the index where it occurs.</summary>
        public (Tensor values, Tensor indexes) max(long dim, bool keepdim = false)
        {
            Check(gs_max_dim(Handle, dim, keepdim ? 1 : 0, out var v, out var i));
            return (Wrap(v), Wrap(i));
        }

        /// <summary>Minimum over <paramref name="dim"/> with the index where it occurs.</summary>
        public (Tensor values, Tensor indexes) min(long dim, bool keepdim = false)
        {
            Check(gs_min_dim(Handle, dim, keepdim ? 1 : 0, out var v, out var i));
            return (Wrap(v), Wrap(i));
        }

        /// <summary>Index of the maximum of the flattened tensor.</summary>
        public Tensor argmax() => New(gs_argmax(Handle, 0, 0, 0, out var r), r, nameof(argmax));
        /// <summary>Indices of the maxima along <paramref name="dim"/>.</summary>
        public Tensor argmax(long dim, bool keepdim = false) => New(gs_argmax(Handle, 1, dim, keepdim ? 1 : 0, out var r), r, nameof(argmax));
        /// <summary>Index of the minimum of the flattened tensor.</summary>
        public Tensor argmin() => New(gs_argmin(Handle, 0, 0, 0, out var r), r, nameof(argmin));
        /// <summary>Indices of the minima along <paramref name="dim"/>.</summary>
        public Tensor argmin(long dim, bool keepdim = false) => New(gs_argmin(Handle, 1, dim, keepdim ? 1 : 0, out var r), r, nameof(argmin));

        /// <summary>The <paramref name="k"/> largest (or smallest) values along <paramref name="dim"/>, with indices.</summary>
        public (Tensor values, Tensor indexes) topk(long k, long dim = -1, bool largest = true, bool sorted = true)
        {
            Check(gs_topk(Handle, k, dim, largest ? 1 : 0, sorted ? 1 : 0, out var v, out var i));
            return (Wrap(v), Wrap(i));
        }

        /// <summary>Sorted values along <paramref name="dim"/>, with the permutation.</summary>
        public (Tensor values, Tensor indexes) sort(long dim = -1, bool descending = false, bool stable = false)
        {
            Check(gs_sort(Handle, dim, descending ? 1 : 0, stable ? 1 : 0, out var v, out var i));
            return (Wrap(v), Wrap(i));
        }

        /// <summary>Cumulative sum along <paramref name="dim"/>.</summary>
        public Tensor cumsum(long dim) => New(gs_cumsum(Handle, dim, out var r), r, nameof(cumsum));

        /// <summary>The vector p-norm over all elements, or over <paramref name="dims"/>.</summary>
        public Tensor norm(double p = 2, long[]? dims = null, bool keepdim = false)
            => New(gs_vector_norm(Handle, p, dims, dims?.Length ?? 0, keepdim ? 1 : 0, out var r), r, nameof(norm));

        /// <summary>Matrix product with broadcasting.</summary>
        public Tensor matmul(Tensor other) => New(gs_matmul(Handle, other.Handle, out var r), r, nameof(matmul));

        /// <summary>Softmax along <paramref name="dim"/>.</summary>
        public Tensor softmax(long dim) => New(gs_softmax(Handle, dim, out var r), r, nameof(softmax));

        /// <summary>Log-softmax along <paramref name="dim"/>.</summary>
        public Tensor log_softmax(long dim) => New(gs_log_softmax(Handle, dim, out var r), r, nameof(log_softmax));
    }
}
