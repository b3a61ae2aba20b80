// Element-wise maths, reductions, sorting, matrix products and symmetric eigendecompositions.
#include "common.h"

using gs::dims;
using gs::get;
using gs::wrap;

namespace {

at::Tensor unary(int op, const at::Tensor& t) {
  switch (op) {
    case GS_NEG: return t.neg();
    case GS_EXP: return t.exp();
    case GS_LOG: return t.log();
    case GS_SQRT: return t.sqrt();
    case GS_ABS: return t.abs();
    case GS_RELU: return t.relu();
    case GS_TANH: return t.tanh();
    case GS_SIGMOID: return t.sigmoid();
    case GS_SIGN: return t.sign();
    case GS_FLOOR: return t.floor();
    case GS_CEIL: return t.ceil();
    case GS_ROUND: return t.round();
    case GS_SQUARE: return t.square();
    case GS_RSQRT: return t.rsqrt();
    case GS_LOG1P: return t.log1p();
    case GS_SIN: return t.sin();
    case GS_COS: return t.cos();
    case GS_ISNAN: return t.isnan();
    case GS_ISFINITE: return t.isfinite();
    case GS_LOGICAL_NOT: return t.logical_not();
    case GS_ERF: return t.erf();
    case GS_RECIPROCAL: return t.reciprocal();
    case GS_EXPM1: return t.expm1();
    case GS_LOG2: return t.log2();
    case GS_ISINF: return t.isinf();
    case GS_SILU: return at::silu(t);
    case GS_GELU: return at::gelu(t);
  }
  throw std::invalid_argument("unknown unary op code " + std::to_string(op));
}

void unary_(int op, at::Tensor& t) {
  switch (op) {
    case GS_NEG: t.neg_(); return;
    case GS_EXP: t.exp_(); return;
    case GS_LOG: t.log_(); return;
    case GS_SQRT: t.sqrt_(); return;
    case GS_ABS: t.abs_(); return;
    case GS_RELU: t.relu_(); return;
    case GS_TANH: t.tanh_(); return;
    case GS_SIGMOID: t.sigmoid_(); return;
    case GS_SQUARE: t.square_(); return;
    case GS_RECIPROCAL: t.reciprocal_(); return;
  }
  throw std::invalid_argument("unary op code " + std::to_string(op) + " has no in-place form");
}

at::Tensor binary(int op, const at::Tensor& a, const at::Tensor& b) {
  switch (op) {
    case GS_ADD: return a.add(b);
    case GS_SUB: return a.sub(b);
    case GS_MUL: return a.mul(b);
    case GS_DIV: return a.div(b);
    case GS_POW: return a.pow(b);
    case GS_MAXIMUM: return at::maximum(a, b);
    case GS_MINIMUM: return at::minimum(a, b);
    case GS_EQ: return a.eq(b);
    case GS_NE: return a.ne(b);
    case GS_LT: return a.lt(b);
    case GS_LE: return a.le(b);
    case GS_GT: return a.gt(b);
    case GS_GE: return a.ge(b);
    case GS_LOGICAL_AND: return a.logical_and(b);
    case GS_LOGICAL_OR: return a.logical_or(b);
    case GS_REMAINDER: return a.remainder(b);
    case GS_ATAN2: return a.atan2(b);
    case GS_RSUB: return b.sub(a);
    case GS_RDIV: return b.div(a);
    case GS_RPOW: return b.pow(a);
    case GS_FLOOR_DIVIDE: return a.div(b, "floor");
  }
  throw std::invalid_argument("unknown binary op code " + std::to_string(op));
}

at::Tensor binary_scalar(int op, const at::Tensor& a, double s) {
  const at::Scalar v(s);
  switch (op) {
    case GS_ADD: return a.add(v);
    case GS_SUB: return a.sub(v);
    case GS_MUL: return a.mul(v);
    case GS_DIV: return a.div(v);
    case GS_POW: return a.pow(v);
    case GS_MAXIMUM: return a.clamp_min(v);
    case GS_MINIMUM: return a.clamp_max(v);
    case GS_EQ: return a.eq(v);
    case GS_NE: return a.ne(v);
    case GS_LT: return a.lt(v);
    case GS_LE: return a.le(v);
    case GS_GT: return a.gt(v);
    case GS_GE: return a.ge(v);
    case GS_REMAINDER: return a.remainder(v);
    case GS_RSUB: return at::rsub(a, v);
    case GS_RDIV: return a.reciprocal().mul(v);
    case GS_RPOW: return at::pow(v, a);
    case GS_FLOOR_DIVIDE: return a.div(v, "floor");
  }
  throw std::invalid_argument("binary op code " + std::to_string(op) + " has no scalar form");
}

void binary_(int op, at::Tensor& a, const at::Tensor& b) {
  switch (op) {
    case GS_ADD: a.add_(b); return;
    case GS_SUB: a.sub_(b); return;
    case GS_MUL: a.mul_(b); return;
    case GS_DIV: a.div_(b); return;
    case GS_POW: a.pow_(b); return;
  }
  throw std::invalid_argument("binary op code " + std::to_string(op) + " has no in-place form");
}

void binary_scalar_(int op, at::Tensor& a, double s) {
  // An integral tensor updated in place by an integral value (num_batches_tracked += 1) takes an int64
  // scalar, as PyTorch's `t.add_(1)` does; a double scalar would promote to Float and fail the cast back.
  const bool integral = at::isIntegralType(a.scalar_type(), /*includeBool=*/false) && s == static_cast<double>(static_cast<int64_t>(s));
  const at::Scalar v = integral ? at::Scalar(static_cast<int64_t>(s)) : at::Scalar(s);
  switch (op) {
    case GS_ADD: a.add_(v); return;
    case GS_SUB: a.sub_(v); return;
    case GS_MUL: a.mul_(v); return;
    case GS_DIV: a.div_(v); return;
    case GS_POW: a.pow_(v); return;
    case GS_MAXIMUM: a.clamp_min_(v); return;
    case GS_MINIMUM: a.clamp_max_(v); return;
  }
  throw std::invalid_argument("binary op code " + std::to_string(op) + " has no in-place scalar form");
}

c10::optional<at::Scalar> scalar_if(int has, double v) { return has ? c10::optional<at::Scalar>(v) : c10::nullopt; }

}  // namespace

extern "C" {

int gs_unary(int op, gs_tensor t, gs_tensor* out) { GS_API(*out = wrap(unary(op, get(t)))); }
int gs_unary_(int op, gs_tensor t) { GS_API(unary_(op, get(t))); }
int gs_binary(int op, gs_tensor a, gs_tensor b, gs_tensor* out) { GS_API(*out = wrap(binary(op, get(a), get(b)))); }
int gs_binary_scalar(int op, gs_tensor a, double s, gs_tensor* out) { GS_API(*out = wrap(binary_scalar(op, get(a), s))); }
int gs_binary_(int op, gs_tensor a, gs_tensor b) { GS_API(binary_(op, get(a), get(b))); }
int gs_binary_scalar_(int op, gs_tensor a, double s) { GS_API(binary_scalar_(op, get(a), s)); }
int gs_add_scaled(gs_tensor a, gs_tensor b, double alpha, gs_tensor* out) { GS_API(*out = wrap(get(a).add(get(b), alpha))); }
int gs_add_scaled_(gs_tensor a, gs_tensor b, double alpha) { GS_API(get(a).add_(get(b), alpha)); }
int gs_lerp_(gs_tensor a, gs_tensor b, double weight) { GS_API(get(a).lerp_(get(b), weight)); }
int gs_clamp(gs_tensor t, int has_min, double mn, int has_max, double mx, gs_tensor* out) {
  GS_API(*out = wrap(get(t).clamp(scalar_if(has_min, mn), scalar_if(has_max, mx))));
}
int gs_clamp_(gs_tensor t, int has_min, double mn, int has_max, double mx) {
  GS_API(get(t).clamp_(scalar_if(has_min, mn), scalar_if(has_max, mx)));
}
int gs_leaky_relu(gs_tensor t, double slope, gs_tensor* out) { GS_API(*out = wrap(at::leaky_relu(get(t), slope))); }
int gs_leaky_relu_(gs_tensor t, double slope) { GS_API(at::leaky_relu_(get(t), slope)); }
int gs_relu_(gs_tensor t) { GS_API(get(t).relu_()); }
int gs_softplus(gs_tensor t, double beta, double threshold, gs_tensor* out) {
  GS_API(*out = wrap(at::softplus(get(t), beta, threshold)));
}
int gs_softmax(gs_tensor t, int64_t dim, gs_tensor* out) { GS_API(*out = wrap(get(t).softmax(dim))); }
int gs_log_softmax(gs_tensor t, int64_t dim, gs_tensor* out) { GS_API(*out = wrap(get(t).log_softmax(dim))); }

int gs_reduce(int op, gs_tensor t, const int64_t* d, int nd, int keepdim, int64_t correction, gs_tensor* out) {
  GS_API({
    const at::Tensor& x = get(t);
    const bool all = nd == 0;
    const bool keep = keepdim != 0;
    at::OptionalIntArrayRef od = all ? c10::nullopt : at::OptionalIntArrayRef(dims(d, nd));
    at::Tensor r;
    switch (op) {
      case GS_SUM: r = all ? x.sum() : x.sum(dims(d, nd), keep); break;
      case GS_MEAN: r = all ? x.mean() : x.mean(dims(d, nd), keep); break;
      case GS_PROD:
        if (all) r = x.prod();
        else if (nd == 1) r = x.prod(d[0], keep);
        else throw std::invalid_argument("prod reduces over one dimension or all");
        break;
      case GS_AMAX: r = x.amax(all ? at::IntArrayRef() : dims(d, nd), keep); break;
      case GS_AMIN: r = x.amin(all ? at::IntArrayRef() : dims(d, nd), keep); break;
      case GS_VAR: r = at::var(x, od, correction, keep); break;
      case GS_STD: r = at::std(x, od, correction, keep); break;
      case GS_LOGSUMEXP:
        if (all) r = x.flatten().logsumexp(0, false);
        else r = x.logsumexp(dims(d, nd), keep);
        break;
      case GS_ANY:
        if (all) r = x.any();
        else if (nd == 1) r = x.any(d[0], keep);
        else throw std::invalid_argument("any reduces over one dimension or all");
        break;
      case GS_ALL:
        if (all) r = x.all();
        else if (nd == 1) r = x.all(d[0], keep);
        else throw std::invalid_argument("all reduces over one dimension or all");
        break;
      default: throw std::invalid_argument("unknown reduction op code " + std::to_string(op));
    }
    *out = wrap(std::move(r));
  });
}

int gs_max_dim(gs_tensor t, int64_t dim, int keepdim, gs_tensor* values, gs_tensor* indices) {
  GS_API(auto r = get(t).max(dim, keepdim != 0); *values = wrap(std::get<0>(r)); *indices = wrap(std::get<1>(r)));
}
int gs_min_dim(gs_tensor t, int64_t dim, int keepdim, gs_tensor* values, gs_tensor* indices) {
  GS_API(auto r = get(t).min(dim, keepdim != 0); *values = wrap(std::get<0>(r)); *indices = wrap(std::get<1>(r)));
}
int gs_argmax(gs_tensor t, int has_dim, int64_t dim, int keepdim, gs_tensor* out) {
  GS_API(*out = wrap(get(t).argmax(has_dim ? c10::optional<int64_t>(dim) : c10::nullopt, keepdim != 0)));
}
int gs_argmin(gs_tensor t, int has_dim, int64_t dim, int keepdim, gs_tensor* out) {
  GS_API(*out = wrap(get(t).argmin(has_dim ? c10::optional<int64_t>(dim) : c10::nullopt, keepdim != 0)));
}
int gs_topk(gs_tensor t, int64_t k, int64_t dim, int largest, int sorted, gs_tensor* values, gs_tensor* indices) {
  GS_API(auto r = get(t).topk(k, dim, largest != 0, sorted != 0); *values = wrap(std::get<0>(r)); *indices = wrap(std::get<1>(r)));
}
int gs_sort(gs_tensor t, int64_t dim, int descending, int stable, gs_tensor* values, gs_tensor* indices) {
  GS_API(auto r = get(t).sort(stable != 0, dim, descending != 0); *values = wrap(std::get<0>(r)); *indices = wrap(std::get<1>(r)));
}
int gs_cumsum(gs_tensor t, int64_t dim, gs_tensor* out) { GS_API(*out = wrap(get(t).cumsum(dim))); }
int gs_vector_norm(gs_tensor t, double ord, const int64_t* d, int nd, int keepdim, gs_tensor* out) {
  GS_API({
    at::OptionalIntArrayRef od = nd == 0 ? c10::nullopt : at::OptionalIntArrayRef(dims(d, nd));
    *out = wrap(at::linalg_vector_norm(get(t), ord, od, keepdim != 0, c10::nullopt));
  });
}
int gs_matmul(gs_tensor a, gs_tensor b, gs_tensor* out) { GS_API(*out = wrap(get(a).matmul(get(b)))); }
int gs_outer(gs_tensor a, gs_tensor b, gs_tensor* out) { GS_API(*out = wrap(at::outer(get(a), get(b)))); }
int gs_cdist(gs_tensor a, gs_tensor b, double p, gs_tensor* out) { GS_API(*out = wrap(at::cdist(get(a), get(b), p))); }
int gs_linalg_eigh(gs_tensor t, int upper, gs_tensor* w, gs_tensor* v) {
  GS_API(auto r = at::linalg_eigh(get(t), upper ? "U" : "L"); *w = wrap(std::get<0>(r)); *v = wrap(std::get<1>(r)));
}
int gs_linalg_eigvalsh(gs_tensor t, int upper, gs_tensor* out) { GS_API(*out = wrap(at::linalg_eigvalsh(get(t), upper ? "U" : "L"))); }
int gs_linalg_eigvals(gs_tensor t, gs_tensor* re, gs_tensor* im) {
  GS_API(auto e = at::linalg_eigvals(get(t)); *re = wrap(at::real(e).clone()); *im = wrap(at::imag(e).clone()));
}
int gs_allclose(gs_tensor a, gs_tensor b, double rtol, double atol, int* out) {
  GS_API(*out = get(a).allclose(get(b), rtol, atol) ? 1 : 0);
}
int gs_equal(gs_tensor a, gs_tensor b, int* out) { GS_API(*out = get(a).equal(get(b)) ? 1 : 0); }

}  // extern "C"
