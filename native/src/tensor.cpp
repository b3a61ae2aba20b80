// Tensors: lifetime, creation, random numbers, readout, shape and indexing ops.
#include "common.h"

#include <ATen/CPUGeneratorImpl.h>
#include <cstring>

using gs::dims;
using gs::get;
using gs::options;
using gs::wrap;

namespace {
at::Generator* gen(gs_generator g) { return static_cast<at::Generator*>(g); }
c10::optional<at::Generator> opt_gen(gs_generator g) {
  if (!g) return c10::nullopt;
  return *gen(g);
}
at::Generator resolve(gs_generator g) { return g ? *gen(g) : at::detail::getDefaultCPUGenerator(); }
}  // namespace

extern "C" {

// ---- generators --------------------------------------------------------------------------
int gs_generator_new(uint64_t seed, gs_generator* out) {
  GS_API(auto* g = new at::Generator(at::detail::createCPUGenerator(seed)); *out = g);
}
void gs_generator_free(gs_generator g) { delete gen(g); }
int gs_generator_manual_seed(gs_generator g, uint64_t seed) {
  GS_API(auto x = resolve(g); std::lock_guard<std::mutex> lock(x.mutex()); x.set_current_seed(seed));
}
int gs_generator_get_state(gs_generator g, gs_tensor* out) {
  GS_API(auto x = resolve(g); std::lock_guard<std::mutex> lock(x.mutex()); *out = wrap(x.get_state()));
}
int gs_generator_set_state(gs_generator g, gs_tensor state) {
  GS_API(auto x = resolve(g); std::lock_guard<std::mutex> lock(x.mutex()); x.set_state(get(state)));
}

// ---- lifetime and creation -----------------------------------------------------------------
void gs_tensor_free(gs_tensor t) {
  if (!t) return;
  delete static_cast<at::Tensor*>(t);
  gs::live_tensors.fetch_sub(1, std::memory_order_relaxed);
}

int gs_empty(const int64_t* shape, int ndim, int dtype, int dt, int di, gs_tensor* out) {
  GS_API(*out = wrap(torch::empty(dims(shape, ndim), options(dtype, dt, di))));
}
int gs_zeros(const int64_t* shape, int ndim, int dtype, int dt, int di, gs_tensor* out) {
  GS_API(*out = wrap(torch::zeros(dims(shape, ndim), options(dtype, dt, di))));
}
int gs_ones(const int64_t* shape, int ndim, int dtype, int dt, int di, gs_tensor* out) {
  GS_API(*out = wrap(torch::ones(dims(shape, ndim), options(dtype, dt, di))));
}
int gs_full(const int64_t* shape, int ndim, double value, int dtype, int dt, int di, gs_tensor* out) {
  GS_API(*out = wrap(torch::full(dims(shape, ndim), value, options(dtype, dt, di))));
}
int gs_arange(double start, double end, double step, int dtype, int dt, int di, gs_tensor* out) {
  GS_API(*out = wrap(torch::arange(start, end, step, options(dtype, dt, di))));
}
int gs_linspace(double start, double end, int64_t steps, int dtype, int dt, int di, gs_tensor* out) {
  GS_API(*out = wrap(torch::linspace(start, end, steps, options(dtype, dt, di))));
}
int gs_eye(int64_t n, int dtype, int dt, int di, gs_tensor* out) {
  GS_API(*out = wrap(torch::eye(n, options(dtype, dt, di))));
}
int gs_randn(const int64_t* shape, int ndim, int dtype, int dt, int di, gs_generator g, gs_tensor* out) {
  GS_API(*out = wrap(torch::randn(dims(shape, ndim), opt_gen(g), options(dtype, dt, di))));
}
int gs_rand(const int64_t* shape, int ndim, int dtype, int dt, int di, gs_generator g, gs_tensor* out) {
  GS_API(*out = wrap(torch::rand(dims(shape, ndim), opt_gen(g), options(dtype, dt, di))));
}
int gs_randint(int64_t low, int64_t high, const int64_t* shape, int ndim, int dtype, int dt, int di, gs_generator g, gs_tensor* out) {
  GS_API(*out = wrap(torch::randint(low, high, dims(shape, ndim), opt_gen(g), options(dtype, dt, di))));
}
int gs_randperm(int64_t n, int dtype, int dt, int di, gs_generator g, gs_tensor* out) {
  GS_API(*out = wrap(torch::randperm(n, opt_gen(g), options(dtype, dt, di))));
}
int gs_bernoulli(gs_tensor p, gs_generator g, gs_tensor* out) {
  GS_API(*out = wrap(at::bernoulli(get(p), opt_gen(g))));
}
int gs_normal_(gs_tensor t, double mean, double std, gs_generator g) {
  GS_API(get(t).normal_(mean, std, opt_gen(g)));
}
int gs_uniform_(gs_tensor t, double from, double to, gs_generator g) {
  GS_API(get(t).uniform_(from, to, opt_gen(g)));
}
int gs_from_blob_copy(const void* data, const int64_t* shape, int ndim, int dtype, gs_tensor* out) {
  GS_API({
    auto t = torch::empty(dims(shape, ndim), at::TensorOptions().dtype(static_cast<at::ScalarType>(dtype)));
    if (t.numel() > 0) {
      if (!data) throw std::invalid_argument("data pointer is null");
      std::memcpy(t.data_ptr(), data, t.numel() * t.element_size());
    }
    *out = wrap(std::move(t));
  });
}

// ---- properties and readout -----------------------------------------------------------------
int gs_tensor_ndim(gs_tensor t, int64_t* out) { GS_API(*out = get(t).dim()); }
int gs_tensor_shape(gs_tensor t, int64_t* out, int capacity) {
  GS_API({
    auto s = get(t).sizes();
    if (static_cast<int>(s.size()) > capacity) throw std::invalid_argument("shape buffer too small");
    for (size_t i = 0; i < s.size(); ++i) out[i] = s[i];
  });
}
int gs_tensor_strides(gs_tensor t, int64_t* out, int capacity) {
  GS_API({
    auto s = get(t).strides();
    if (static_cast<int>(s.size()) > capacity) throw std::invalid_argument("stride buffer too small");
    for (size_t i = 0; i < s.size(); ++i) out[i] = s[i];
  });
}
int gs_tensor_dtype(gs_tensor t, int* out) { GS_API(*out = static_cast<int>(get(t).scalar_type())); }
int gs_tensor_device(gs_tensor t, int* type, int* index) {
  GS_API(auto d = get(t).device(); *type = static_cast<int>(d.type()); *index = d.index());
}
int gs_tensor_numel(gs_tensor t, int64_t* out) { GS_API(*out = get(t).numel()); }
int gs_tensor_element_size(gs_tensor t, int64_t* out) { GS_API(*out = get(t).element_size()); }
int gs_tensor_copy_to(gs_tensor t, void* dst, int64_t nbytes) {
  GS_API({
    auto c = get(t).detach().to(at::kCPU).contiguous();
    int64_t need = c.numel() * static_cast<int64_t>(c.element_size());
    if (need != nbytes)
      throw std::invalid_argument("destination holds " + std::to_string(nbytes) + " bytes but the tensor has " +
                                  std::to_string(need));
    if (need > 0) std::memcpy(dst, c.data_ptr(), static_cast<size_t>(need));
  });
}
int gs_tensor_item(gs_tensor t, double* out) { GS_API(*out = get(t).item().toDouble()); }
int gs_tensor_item_int64(gs_tensor t, int64_t* out) { GS_API(*out = get(t).item().toLong()); }
int gs_tensor_to(gs_tensor t, int dtype, int dt, int di, int copy, gs_tensor* out) {
  GS_API({
    auto d = at::Device(static_cast<c10::DeviceType>(dt), static_cast<c10::DeviceIndex>(di));
    *out = wrap(get(t).to(d, static_cast<at::ScalarType>(dtype), false, copy != 0));
  });
}
int gs_tensor_clone(gs_tensor t, gs_tensor* out) { GS_API(*out = wrap(get(t).clone())); }
int gs_tensor_detach(gs_tensor t, gs_tensor* out) { GS_API(*out = wrap(get(t).detach())); }
int gs_tensor_contiguous(gs_tensor t, gs_tensor* out) { GS_API(*out = wrap(get(t).contiguous())); }
int gs_tensor_alias(gs_tensor t, gs_tensor* out) { GS_API(*out = wrap(get(t))); }
int gs_tensor_is_contiguous(gs_tensor t, int* out) { GS_API(*out = get(t).is_contiguous() ? 1 : 0); }
int gs_tensor_same(gs_tensor a, gs_tensor b, int* out) { GS_API(*out = get(a).is_same(get(b)) ? 1 : 0); }

// ---- shape and indexing -----------------------------------------------------------------------
int gs_view(gs_tensor t, const int64_t* shape, int ndim, gs_tensor* out) { GS_API(*out = wrap(get(t).view(dims(shape, ndim)))); }
int gs_reshape(gs_tensor t, const int64_t* shape, int ndim, gs_tensor* out) { GS_API(*out = wrap(get(t).reshape(dims(shape, ndim)))); }
int gs_permute(gs_tensor t, const int64_t* d, int ndim, gs_tensor* out) { GS_API(*out = wrap(get(t).permute(dims(d, ndim)))); }
int gs_transpose(gs_tensor t, int64_t d0, int64_t d1, gs_tensor* out) { GS_API(*out = wrap(get(t).transpose(d0, d1))); }
int gs_flatten(gs_tensor t, int64_t start, int64_t end, gs_tensor* out) { GS_API(*out = wrap(get(t).flatten(start, end))); }
int gs_unsqueeze(gs_tensor t, int64_t dim, gs_tensor* out) { GS_API(*out = wrap(get(t).unsqueeze(dim))); }
int gs_squeeze(gs_tensor t, int64_t dim, int all, gs_tensor* out) {
  GS_API(*out = wrap(all ? get(t).squeeze() : get(t).squeeze(dim)));
}
int gs_expand(gs_tensor t, const int64_t* shape, int ndim, gs_tensor* out) { GS_API(*out = wrap(get(t).expand(dims(shape, ndim)))); }
int gs_repeat(gs_tensor t, const int64_t* r, int ndim, gs_tensor* out) { GS_API(*out = wrap(get(t).repeat(dims(r, ndim)))); }
int gs_cat(const gs_tensor* ts, int n, int64_t dim, gs_tensor* out) { GS_API(*out = wrap(at::cat(gs::list(ts, n), dim))); }
int gs_stack(const gs_tensor* ts, int n, int64_t dim, gs_tensor* out) { GS_API(*out = wrap(at::stack(gs::list(ts, n), dim))); }
int gs_narrow(gs_tensor t, int64_t dim, int64_t start, int64_t length, gs_tensor* out) {
  GS_API(*out = wrap(get(t).narrow(dim, start, length)));
}
int gs_slice(gs_tensor t, int64_t dim, int64_t start, int64_t end, int64_t step, gs_tensor* out) {
  GS_API(*out = wrap(get(t).slice(dim, start, end, step)));
}
int gs_select(gs_tensor t, int64_t dim, int64_t index, gs_tensor* out) { GS_API(*out = wrap(get(t).select(dim, index))); }
int gs_index_select(gs_tensor t, int64_t dim, gs_tensor index, gs_tensor* out) {
  GS_API(*out = wrap(get(t).index_select(dim, get(index))));
}
int gs_gather(gs_tensor t, int64_t dim, gs_tensor index, gs_tensor* out) { GS_API(*out = wrap(get(t).gather(dim, get(index)))); }
int gs_masked_select(gs_tensor t, gs_tensor mask, gs_tensor* out) { GS_API(*out = wrap(get(t).masked_select(get(mask)))); }
int gs_masked_fill(gs_tensor t, gs_tensor mask, double value, gs_tensor* out) {
  GS_API(*out = wrap(get(t).masked_fill(get(mask), value)));
}
int gs_where(gs_tensor cond, gs_tensor a, gs_tensor b, gs_tensor* out) { GS_API(*out = wrap(at::where(get(cond), get(a), get(b)))); }
int gs_flip(gs_tensor t, const int64_t* d, int ndim, gs_tensor* out) { GS_API(*out = wrap(get(t).flip(dims(d, ndim)))); }
int gs_roll(gs_tensor t, const int64_t* shifts, const int64_t* d, int n, gs_tensor* out) {
  GS_API(*out = wrap(get(t).roll(dims(shifts, n), dims(d, n))));
}
int gs_pad(gs_tensor t, const int64_t* pads, int npads, int mode, double value, gs_tensor* out) {
  GS_API({
    static const char* modes[] = {"constant", "reflect", "replicate", "circular"};
    if (mode < 0 || mode > 3) throw std::invalid_argument("unknown pad mode");
    c10::optional<double> v = mode == 0 ? c10::optional<double>(value) : c10::nullopt;
    *out = wrap(at::pad(get(t), dims(pads, npads), modes[mode], v));
  });
}
int gs_nonzero(gs_tensor t, gs_tensor* out) { GS_API(*out = wrap(get(t).nonzero())); }
int gs_one_hot(gs_tensor t, int64_t num_classes, gs_tensor* out) { GS_API(*out = wrap(at::one_hot(get(t), num_classes))); }
int gs_diag(gs_tensor t, int64_t diagonal, gs_tensor* out) { GS_API(*out = wrap(at::diag(get(t), diagonal))); }
int gs_diagonal(gs_tensor t, int64_t offset, int64_t d0, int64_t d1, gs_tensor* out) {
  GS_API(*out = wrap(get(t).diagonal(offset, d0, d1)));
}
int gs_tril(gs_tensor t, int64_t diagonal, gs_tensor* out) { GS_API(*out = wrap(get(t).tril(diagonal))); }
int gs_triu(gs_tensor t, int64_t diagonal, gs_tensor* out) { GS_API(*out = wrap(get(t).triu(diagonal))); }

// ---- in place ---------------------------------------------------------------------------------
int gs_copy_(gs_tensor dst, gs_tensor src) { GS_API(get(dst).copy_(get(src))); }
int gs_fill_(gs_tensor t, double value) { GS_API(get(t).fill_(value)); }
int gs_zero_(gs_tensor t) { GS_API(get(t).zero_()); }
int gs_index_copy_(gs_tensor t, int64_t dim, gs_tensor index, gs_tensor src) {
  GS_API(get(t).index_copy_(dim, get(index), get(src)));
}
int gs_set_data(gs_tensor t, gs_tensor data) { GS_API(get(t).set_data(get(data))); }

}  // extern "C"
