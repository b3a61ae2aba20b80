// nn.functional: convolutions, normalization, pooling, resampling, activations and losses.
#include "common.h"

using gs::dims;
using gs::get;
using gs::optional;
using gs::wrap;

namespace {
at::IntArrayRef pair(const int64_t* p) { return at::IntArrayRef(p, 2); }
int64_t reduction_of(int r) {
  if (r < 0 || r > 2) throw std::invalid_argument("reduction must be 0 (none), 1 (mean) or 2 (sum)");
  static const int64_t codes[] = {at::Reduction::None, at::Reduction::Mean, at::Reduction::Sum};
  return codes[r];
}
}  // namespace

extern "C" {

int gs_conv2d(gs_tensor x, gs_tensor w, gs_tensor b, const int64_t* stride, const int64_t* padding,
              const int64_t* dilation, int64_t groups, gs_tensor* out) {
  GS_API(*out = wrap(at::conv2d(get(x), get(w), optional(b), pair(stride), pair(padding), pair(dilation), groups)));
}
int gs_conv_transpose2d(gs_tensor x, gs_tensor w, gs_tensor b, const int64_t* stride, const int64_t* padding,
                        const int64_t* output_padding, int64_t groups, const int64_t* dilation, gs_tensor* out) {
  GS_API(*out = wrap(at::conv_transpose2d(get(x), get(w), optional(b), pair(stride), pair(padding), pair(output_padding),
                                          groups, pair(dilation))));
}
int gs_linear(gs_tensor x, gs_tensor w, gs_tensor b, gs_tensor* out) { GS_API(*out = wrap(at::linear(get(x), get(w), optional(b)))); }
int gs_batch_norm(gs_tensor x, gs_tensor w, gs_tensor b, gs_tensor rm, gs_tensor rv, int training, double momentum,
                  double eps, gs_tensor* out) {
  GS_API(*out = wrap(at::batch_norm(get(x), optional(w), optional(b), optional(rm), optional(rv), training != 0, momentum,
                                    eps, false)));
}
int gs_layer_norm(gs_tensor x, const int64_t* shape, int ndim, gs_tensor w, gs_tensor b, double eps, gs_tensor* out) {
  GS_API(*out = wrap(at::layer_norm(get(x), dims(shape, ndim), optional(w), optional(b), eps, false)));
}
int gs_embedding(gs_tensor weight, gs_tensor indices, gs_tensor* out) { GS_API(*out = wrap(at::embedding(get(weight), get(indices)))); }
int gs_avg_pool2d(gs_tensor x, const int64_t* kernel, const int64_t* stride, const int64_t* padding, int ceil_mode,
                  int count_include_pad, gs_tensor* out) {
  GS_API(*out = wrap(at::avg_pool2d(get(x), pair(kernel), pair(stride), pair(padding), ceil_mode != 0, count_include_pad != 0)));
}
int gs_max_pool2d(gs_tensor x, const int64_t* kernel, const int64_t* stride, const int64_t* padding, const int64_t* dilation,
                  int ceil_mode, gs_tensor* out) {
  GS_API(*out = wrap(at::max_pool2d(get(x), pair(kernel), pair(stride), pair(padding), pair(dilation), ceil_mode != 0)));
}
int gs_adaptive_avg_pool2d(gs_tensor x, const int64_t* size, gs_tensor* out) { GS_API(*out = wrap(at::adaptive_avg_pool2d(get(x), pair(size)))); }
int gs_adaptive_max_pool2d(gs_tensor x, const int64_t* size, gs_tensor* out) {
  GS_API(*out = wrap(std::get<0>(at::adaptive_max_pool2d(get(x), pair(size)))));
}
int gs_interpolate(gs_tensor x, const int64_t* size, int mode, int align_corners, double scale_h, double scale_w, gs_tensor* out) {
  GS_API({
    c10::optional<double> sh = scale_h > 0 ? c10::optional<double>(scale_h) : c10::nullopt;
    c10::optional<double> sw = scale_w > 0 ? c10::optional<double>(scale_w) : c10::nullopt;
    if (get(x).dim() != 4) throw std::invalid_argument("interpolate expects a 4-D (N,C,H,W) input");
    if (mode == 0) *out = wrap(at::upsample_nearest2d(get(x), pair(size), sh, sw));
    else if (mode == 1) *out = wrap(at::upsample_bilinear2d(get(x), pair(size), align_corners != 0, sh, sw));
    else throw std::invalid_argument("interpolate mode must be 0 (nearest) or 1 (bilinear)");
  });
}
int gs_dropout(gs_tensor x, double p, int training, gs_tensor* out) { GS_API(*out = wrap(at::dropout(get(x), p, training != 0))); }
int gs_bce_with_logits(gs_tensor x, gs_tensor target, gs_tensor weight, gs_tensor pos_weight, int reduction, gs_tensor* out) {
  GS_API(*out = wrap(at::binary_cross_entropy_with_logits(get(x), get(target), optional(weight), optional(pos_weight),
                                                          reduction_of(reduction))));
}
int gs_cross_entropy(gs_tensor x, gs_tensor target, gs_tensor weight, int reduction, int64_t ignore_index,
                     double label_smoothing, gs_tensor* out) {
  GS_API(*out = wrap(at::cross_entropy_loss(get(x), get(target), optional(weight), reduction_of(reduction), ignore_index,
                                            label_smoothing)));
}
int gs_mse_loss(gs_tensor a, gs_tensor b, int reduction, gs_tensor* out) {
  GS_API(*out = wrap(at::mse_loss(get(a), get(b), reduction_of(reduction))));
}
int gs_normalize(gs_tensor x, double p, int64_t dim, double eps, gs_tensor* out) {
  GS_API({
    const at::Tensor& t = get(x);
    auto denom = t.norm(p, dim, true).clamp_min(eps).expand_as(t);
    *out = wrap(t / denom);
  });
}

}  // extern "C"
