/*
 * gansdp.h -- the C ABI of libgansdp_native, the libtorch shim behind Ml.GanSdp.
 *
 * OWNERSHIP RULE
 *   - A gs_tensor is an owning handle to one at::Tensor (a reference to shared storage).
 *   - Every gs_tensor written through an out-parameter (gs_tensor* out) is NEW and OWNED BY THE
 *     CALLER, who frees it exactly once with gs_tensor_free(). A NULL written there means "undefined
 *     tensor" (for example no gradient yet).
 *   - Every gs_tensor passed as an input argument is BORROWED: the callee never frees it and never
 *     keeps it beyond the call (libtorch may keep the underlying storage alive, as PyTorch does).
 *   - Optional tensor inputs may be NULL.
 *   - Generators, optimizers and dictionaries follow the same rule with their own *_free function.
 *
 * ERRORS
 *   - Every function that can fail returns int: 0 on success, -1 on failure. On failure nothing is
 *     written to out-parameters and gs_last_error() returns a thread-local message that stays valid
 *     until the next failing call on the same thread. No C++ exception ever crosses this boundary.
 */
#ifndef GANSDP_H
#define GANSDP_H
#include <stdint.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define GS_EXPORT __attribute__((visibility("default")))

typedef void* gs_tensor;
typedef void* gs_generator;
typedef void* gs_optimizer;
typedef void* gs_dict;

/* ---- runtime ---------------------------------------------------------------------------- */
GS_EXPORT const char* gs_last_error(void);
GS_EXPORT int64_t gs_live_tensors(void);
GS_EXPORT const char* gs_torch_version(void);
GS_EXPORT int gs_set_num_threads(int n);
GS_EXPORT int gs_get_num_threads(void);
GS_EXPORT int gs_set_blas_threads(int n);       /* returns -1 when OpenBLAS is not the BLAS */
GS_EXPORT int gs_cuda_is_available(void);
GS_EXPORT int gs_cuda_device_count(void);
GS_EXPORT int gs_manual_seed(uint64_t seed);
GS_EXPORT int gs_set_deterministic(int on);

/* ---- generators (tensor.cpp) -------------------------------------------------------------- */
GS_EXPORT int gs_generator_new(uint64_t seed, gs_generator* out);
GS_EXPORT void gs_generator_free(gs_generator g);
GS_EXPORT int gs_generator_manual_seed(gs_generator g, uint64_t seed); /* g NULL: default */
GS_EXPORT int gs_generator_get_state(gs_generator g, gs_tensor* out);  /* g NULL: default */
GS_EXPORT int gs_generator_set_state(gs_generator g, gs_tensor state); /* g NULL: default */

/* ---- tensors: lifetime, creation, readout, shape (tensor.cpp) ---------------------------- */
GS_EXPORT void gs_tensor_free(gs_tensor t);
GS_EXPORT int gs_empty(const int64_t* shape, int ndim, int dtype, int device_type, int device_index, gs_tensor* out);
GS_EXPORT int gs_zeros(const int64_t* shape, int ndim, int dtype, int device_type, int device_index, gs_tensor* out);
GS_EXPORT int gs_ones(const int64_t* shape, int ndim, int dtype, int device_type, int device_index, gs_tensor* out);
GS_EXPORT int gs_full(const int64_t* shape, int ndim, double value, int dtype, int device_type, int device_index, gs_tensor* out);
GS_EXPORT int gs_arange(double start, double end, double step, int dtype, int device_type, int device_index, gs_tensor* out);
GS_EXPORT int gs_linspace(double start, double end, int64_t steps, int dtype, int device_type, int device_index, gs_tensor* out);
GS_EXPORT int gs_eye(int64_t n, int dtype, int device_type, int device_index, gs_tensor* out);
GS_EXPORT int gs_randn(const int64_t* shape, int ndim, int dtype, int device_type, int device_index, gs_generator g, gs_tensor* out);
GS_EXPORT int gs_rand(const int64_t* shape, int ndim, int dtype, int device_type, int device_index, gs_generator g, gs_tensor* out);
GS_EXPORT int gs_randint(int64_t low, int64_t high, const int64_t* shape, int ndim, int dtype, int device_type, int device_index, gs_generator g, gs_tensor* out);
GS_EXPORT int gs_randperm(int64_t n, int dtype, int device_type, int device_index, gs_generator g, gs_tensor* out);
GS_EXPORT int gs_bernoulli(gs_tensor probabilities, gs_generator g, gs_tensor* out);
GS_EXPORT int gs_normal_(gs_tensor t, double mean, double std, gs_generator g);
GS_EXPORT int gs_uniform_(gs_tensor t, double from, double to, gs_generator g);
GS_EXPORT int gs_from_blob_copy(const void* data, const int64_t* shape, int ndim, int dtype, gs_tensor* out);

GS_EXPORT int gs_tensor_ndim(gs_tensor t, int64_t* out);
GS_EXPORT int gs_tensor_shape(gs_tensor t, int64_t* out, int capacity);
GS_EXPORT int gs_tensor_strides(gs_tensor t, int64_t* out, int capacity);
GS_EXPORT int gs_tensor_dtype(gs_tensor t, int* out);
GS_EXPORT int gs_tensor_device(gs_tensor t, int* type, int* index);
GS_EXPORT int gs_tensor_numel(gs_tensor t, int64_t* out);
GS_EXPORT int gs_tensor_element_size(gs_tensor t, int64_t* out);
GS_EXPORT int gs_tensor_copy_to(gs_tensor t, void* dst, int64_t nbytes); /* any layout/device */
GS_EXPORT int gs_tensor_item(gs_tensor t, double* out);
GS_EXPORT int gs_tensor_item_int64(gs_tensor t, int64_t* out);
GS_EXPORT int gs_tensor_to(gs_tensor t, int dtype, int device_type, int device_index, int copy, gs_tensor* out);
GS_EXPORT int gs_tensor_clone(gs_tensor t, gs_tensor* out);
GS_EXPORT int gs_tensor_detach(gs_tensor t, gs_tensor* out);
GS_EXPORT int gs_tensor_contiguous(gs_tensor t, gs_tensor* out);
GS_EXPORT int gs_tensor_alias(gs_tensor t, gs_tensor* out);  /* a new handle to the same tensor */
GS_EXPORT int gs_tensor_is_contiguous(gs_tensor t, int* out);
GS_EXPORT int gs_tensor_same(gs_tensor a, gs_tensor b, int* out); /* same TensorImpl */

GS_EXPORT int gs_view(gs_tensor t, const int64_t* shape, int ndim, gs_tensor* out);
GS_EXPORT int gs_reshape(gs_tensor t, const int64_t* shape, int ndim, gs_tensor* out);
GS_EXPORT int gs_permute(gs_tensor t, const int64_t* dims, int ndim, gs_tensor* out);
GS_EXPORT int gs_transpose(gs_tensor t, int64_t d0, int64_t d1, gs_tensor* out);
GS_EXPORT int gs_flatten(gs_tensor t, int64_t start, int64_t end, gs_tensor* out);
GS_EXPORT int gs_unsqueeze(gs_tensor t, int64_t dim, gs_tensor* out);
GS_EXPORT int gs_squeeze(gs_tensor t, int64_t dim, int all, gs_tensor* out);
GS_EXPORT int gs_expand(gs_tensor t, const int64_t* shape, int ndim, gs_tensor* out);
GS_EXPORT int gs_repeat(gs_tensor t, const int64_t* repeats, int ndim, gs_tensor* out);
GS_EXPORT int gs_cat(const gs_tensor* ts, int n, int64_t dim, gs_tensor* out);
GS_EXPORT int gs_stack(const gs_tensor* ts, int n, int64_t dim, gs_tensor* out);
GS_EXPORT int gs_narrow(gs_tensor t, int64_t dim, int64_t start, int64_t length, gs_tensor* out);
GS_EXPORT int gs_slice(gs_tensor t, int64_t dim, int64_t start, int64_t end, int64_t step, gs_tensor* out);
GS_EXPORT int gs_select(gs_tensor t, int64_t dim, int64_t index, gs_tensor* out);
GS_EXPORT int gs_index_select(gs_tensor t, int64_t dim, gs_tensor index, gs_tensor* out);
GS_EXPORT int gs_gather(gs_tensor t, int64_t dim, gs_tensor index, gs_tensor* out);
GS_EXPORT int gs_masked_select(gs_tensor t, gs_tensor mask, gs_tensor* out);
GS_EXPORT int gs_masked_fill(gs_tensor t, gs_tensor mask, double value, gs_tensor* out);
GS_EXPORT int gs_where(gs_tensor cond, gs_tensor a, gs_tensor b, gs_tensor* out);
GS_EXPORT int gs_flip(gs_tensor t, const int64_t* dims, int ndim, gs_tensor* out);
GS_EXPORT int gs_roll(gs_tensor t, const int64_t* shifts, const int64_t* dims, int n, gs_tensor* out);
/* mode: 0 constant, 1 reflect, 2 replicate, 3 circular */
GS_EXPORT int gs_pad(gs_tensor t, const int64_t* pads, int npads, int mode, double value, gs_tensor* out);
GS_EXPORT int gs_nonzero(gs_tensor t, gs_tensor* out);
GS_EXPORT int gs_one_hot(gs_tensor t, int64_t num_classes, gs_tensor* out);
GS_EXPORT int gs_diag(gs_tensor t, int64_t diagonal, gs_tensor* out);
GS_EXPORT int gs_diagonal(gs_tensor t, int64_t offset, int64_t d0, int64_t d1, gs_tensor* out);
GS_EXPORT int gs_tril(gs_tensor t, int64_t diagonal, gs_tensor* out);
GS_EXPORT int gs_triu(gs_tensor t, int64_t diagonal, gs_tensor* out);

/* in-place (tensor.cpp) */
GS_EXPORT int gs_copy_(gs_tensor dst, gs_tensor src);
GS_EXPORT int gs_fill_(gs_tensor t, double value);
GS_EXPORT int gs_zero_(gs_tensor t);
GS_EXPORT int gs_index_copy_(gs_tensor t, int64_t dim, gs_tensor index, gs_tensor src);
GS_EXPORT int gs_set_data(gs_tensor t, gs_tensor data);

/* ---- math (math.cpp) ---------------------------------------------------------------------- */
/* unary op codes */
enum {
  GS_NEG = 0, GS_EXP, GS_LOG, GS_SQRT, GS_ABS, GS_RELU, GS_TANH, GS_SIGMOID, GS_SIGN, GS_FLOOR,
  GS_CEIL, GS_ROUND, GS_SQUARE, GS_RSQRT, GS_LOG1P, GS_SIN, GS_COS, GS_ISNAN, GS_ISFINITE,
  GS_LOGICAL_NOT, GS_ERF, GS_RECIPROCAL, GS_EXPM1, GS_LOG2, GS_ISINF, GS_SILU, GS_GELU
};
/* binary op codes (tensor-tensor and tensor-scalar) */
enum {
  GS_ADD = 0, GS_SUB, GS_MUL, GS_DIV, GS_POW, GS_MAXIMUM, GS_MINIMUM, GS_EQ, GS_NE, GS_LT, GS_LE,
  GS_GT, GS_GE, GS_LOGICAL_AND, GS_LOGICAL_OR, GS_REMAINDER, GS_ATAN2, GS_RSUB, GS_RDIV, GS_RPOW,
  GS_FLOOR_DIVIDE
};
/* reduction op codes */
enum { GS_SUM = 0, GS_MEAN, GS_PROD, GS_AMAX, GS_AMIN, GS_VAR, GS_STD, GS_LOGSUMEXP, GS_ANY, GS_ALL };

GS_EXPORT int gs_unary(int op, gs_tensor t, gs_tensor* out);
GS_EXPORT int gs_unary_(int op, gs_tensor t);
GS_EXPORT int gs_binary(int op, gs_tensor a, gs_tensor b, gs_tensor* out);
GS_EXPORT int gs_binary_scalar(int op, gs_tensor a, double s, gs_tensor* out);
/* Integer scalar: keeps integer tensors integer (int64 tensor + 1 is int64, as in PyTorch). */
GS_EXPORT int gs_binary_int_scalar(int op, gs_tensor a, int64_t s, gs_tensor* out);
GS_EXPORT int gs_binary_(int op, gs_tensor a, gs_tensor b);            /* a op= b */
GS_EXPORT int gs_binary_scalar_(int op, gs_tensor a, double s);        /* a op= s */
GS_EXPORT int gs_binary_int_scalar_(int op, gs_tensor a, int64_t s);   /* a op= s, s an integer */
GS_EXPORT int gs_add_scaled(gs_tensor a, gs_tensor b, double alpha, gs_tensor* out);  /* a + alpha*b */
GS_EXPORT int gs_add_scaled_(gs_tensor a, gs_tensor b, double alpha);
GS_EXPORT int gs_lerp_(gs_tensor a, gs_tensor b, double weight);
GS_EXPORT int gs_clamp(gs_tensor t, int has_min, double min, int has_max, double max, gs_tensor* out);
GS_EXPORT int gs_clamp_(gs_tensor t, int has_min, double min, int has_max, double max);
GS_EXPORT int gs_leaky_relu(gs_tensor t, double slope, gs_tensor* out);
GS_EXPORT int gs_leaky_relu_(gs_tensor t, double slope);
GS_EXPORT int gs_relu_(gs_tensor t);
GS_EXPORT int gs_softplus(gs_tensor t, double beta, double threshold, gs_tensor* out);
GS_EXPORT int gs_softmax(gs_tensor t, int64_t dim, gs_tensor* out);
GS_EXPORT int gs_log_softmax(gs_tensor t, int64_t dim, gs_tensor* out);
/* dims NULL/ndims 0: reduce over all elements. correction used by VAR/STD. */
GS_EXPORT int gs_reduce(int op, gs_tensor t, const int64_t* dims, int ndims, int keepdim, int64_t correction, gs_tensor* out);
GS_EXPORT int gs_max_dim(gs_tensor t, int64_t dim, int keepdim, gs_tensor* values, gs_tensor* indices);
GS_EXPORT int gs_min_dim(gs_tensor t, int64_t dim, int keepdim, gs_tensor* values, gs_tensor* indices);
GS_EXPORT int gs_argmax(gs_tensor t, int has_dim, int64_t dim, int keepdim, gs_tensor* out);
GS_EXPORT int gs_argmin(gs_tensor t, int has_dim, int64_t dim, int keepdim, gs_tensor* out);
GS_EXPORT int gs_topk(gs_tensor t, int64_t k, int64_t dim, int largest, int sorted, gs_tensor* values, gs_tensor* indices);
GS_EXPORT int gs_sort(gs_tensor t, int64_t dim, int descending, int stable, gs_tensor* values, gs_tensor* indices);
GS_EXPORT int gs_cumsum(gs_tensor t, int64_t dim, gs_tensor* out);
GS_EXPORT int gs_vector_norm(gs_tensor t, double ord, const int64_t* dims, int ndims, int keepdim, gs_tensor* out);
GS_EXPORT int gs_matmul(gs_tensor a, gs_tensor b, gs_tensor* out);
GS_EXPORT int gs_outer(gs_tensor a, gs_tensor b, gs_tensor* out);
GS_EXPORT int gs_cdist(gs_tensor a, gs_tensor b, double p, gs_tensor* out);
GS_EXPORT int gs_linalg_eigh(gs_tensor t, int upper, gs_tensor* eigenvalues, gs_tensor* eigenvectors);
GS_EXPORT int gs_linalg_eigvalsh(gs_tensor t, int upper, gs_tensor* out);
GS_EXPORT int gs_linalg_eigvals(gs_tensor t, gs_tensor* real, gs_tensor* imag);
GS_EXPORT int gs_allclose(gs_tensor a, gs_tensor b, double rtol, double atol, int* out);
GS_EXPORT int gs_equal(gs_tensor a, gs_tensor b, int* out);

/* ---- nn.functional (nn.cpp) ----------------------------------------------------------------- */
GS_EXPORT int gs_conv2d(gs_tensor x, gs_tensor w, gs_tensor b, const int64_t* stride, const int64_t* padding,
                        const int64_t* dilation, int64_t groups, gs_tensor* out);
GS_EXPORT int gs_conv_transpose2d(gs_tensor x, gs_tensor w, gs_tensor b, const int64_t* stride, const int64_t* padding,
                                  const int64_t* output_padding, int64_t groups, const int64_t* dilation, gs_tensor* out);
GS_EXPORT int gs_linear(gs_tensor x, gs_tensor w, gs_tensor b, gs_tensor* out);
GS_EXPORT int gs_batch_norm(gs_tensor x, gs_tensor w, gs_tensor b, gs_tensor running_mean, gs_tensor running_var,
                            int training, double momentum, double eps, gs_tensor* out);
GS_EXPORT int gs_layer_norm(gs_tensor x, const int64_t* normalized_shape, int ndim, gs_tensor w, gs_tensor b, double eps, gs_tensor* out);
GS_EXPORT int gs_embedding(gs_tensor weight, gs_tensor indices, gs_tensor* out);
GS_EXPORT int gs_avg_pool2d(gs_tensor x, const int64_t* kernel, const int64_t* stride, const int64_t* padding,
                            int ceil_mode, int count_include_pad, gs_tensor* out);
GS_EXPORT int gs_max_pool2d(gs_tensor x, const int64_t* kernel, const int64_t* stride, const int64_t* padding,
                            const int64_t* dilation, int ceil_mode, gs_tensor* out);
GS_EXPORT int gs_adaptive_avg_pool2d(gs_tensor x, const int64_t* size, gs_tensor* out);
GS_EXPORT int gs_adaptive_max_pool2d(gs_tensor x, const int64_t* size, gs_tensor* out);
/* mode: 0 nearest, 1 bilinear. align_corners only for bilinear. scale_h/scale_w <= 0 means none. */
GS_EXPORT int gs_interpolate(gs_tensor x, const int64_t* size, int mode, int align_corners, double scale_h, double scale_w, gs_tensor* out);
GS_EXPORT int gs_dropout(gs_tensor x, double p, int training, gs_tensor* out);
/* reduction: 0 none, 1 mean, 2 sum */
GS_EXPORT int gs_bce_with_logits(gs_tensor x, gs_tensor target, gs_tensor weight, gs_tensor pos_weight, int reduction, gs_tensor* out);
GS_EXPORT int gs_cross_entropy(gs_tensor x, gs_tensor target, gs_tensor weight, int reduction, int64_t ignore_index, double label_smoothing, gs_tensor* out);
GS_EXPORT int gs_mse_loss(gs_tensor a, gs_tensor b, int reduction, gs_tensor* out);
GS_EXPORT int gs_normalize(gs_tensor x, double p, int64_t dim, double eps, gs_tensor* out);

/* ---- autograd (autograd.cpp) ---------------------------------------------------------------- */
GS_EXPORT int gs_requires_grad(gs_tensor t, int* out);
GS_EXPORT int gs_set_requires_grad(gs_tensor t, int on);
GS_EXPORT int gs_is_leaf(gs_tensor t, int* out);
GS_EXPORT int gs_grad(gs_tensor t, gs_tensor* out);           /* NULL when no gradient */
GS_EXPORT int gs_set_grad(gs_tensor t, gs_tensor grad);       /* grad NULL clears it */
GS_EXPORT int gs_backward(gs_tensor t, gs_tensor grad_output, int retain_graph, int create_graph);
GS_EXPORT int gs_autograd_grad(const gs_tensor* outputs, int n_outputs, const gs_tensor* inputs, int n_inputs,
                               const gs_tensor* grad_outputs /* NULL or n_outputs entries, each may be NULL */,
                               int retain_graph, int create_graph, int allow_unused, gs_tensor* out /* n_inputs */);
GS_EXPORT int gs_is_grad_enabled(void);
GS_EXPORT int gs_set_grad_enabled(int on);   /* returns previous state */
GS_EXPORT int gs_grad_fn_name(gs_tensor t, char* buffer, int capacity);

/* ---- optimizers (optim.cpp) ----------------------------------------------------------------- */
/* kind: 0 Adam, 1 AdamW, 2 SGD */
GS_EXPORT int gs_optim_new(int kind, const gs_tensor* params, int n, double lr, double beta1_or_momentum, double beta2_or_dampening,
                           double eps, double weight_decay, int amsgrad_or_nesterov, gs_optimizer* out);
GS_EXPORT void gs_optim_free(gs_optimizer o);
GS_EXPORT int gs_optim_step(gs_optimizer o);
GS_EXPORT int gs_optim_zero_grad(gs_optimizer o, int set_to_none);
GS_EXPORT int gs_optim_set_lr(gs_optimizer o, double lr);
GS_EXPORT int gs_optim_get_lr(gs_optimizer o, double* out);
/* Per-parameter state: Adam/AdamW write step (int64 scalar tensor), exp_avg, exp_avg_sq, max_exp_avg_sq
 * (NULL unless amsgrad); SGD writes momentum_buffer. *count receives how many slots were written
 * (0 when the parameter has no state yet). out must hold 4 entries. */
GS_EXPORT int gs_optim_get_state(gs_optimizer o, int param_index, gs_tensor* out, int* count);
GS_EXPORT int gs_optim_set_state(gs_optimizer o, int param_index, const gs_tensor* state, int count);

/* ---- io (io.cpp) ------------------------------------------------------------------------------ */
/* Load a PyTorch zip-format file (torch.save) holding a dict of str -> tensor. Entries whose offset, sizes and
 * strides reach outside their storage are rejected (libtorch 1.13 does not check). The managed PthFile validates
 * the zip and the pickle before calling this, and rewrites SETITEM/APPEND, which libtorch 1.13 cannot read. */
GS_EXPORT int gs_pickle_load_dict(const void* data, int64_t size, gs_dict* out);
GS_EXPORT void gs_dict_free(gs_dict d);
GS_EXPORT int gs_dict_size(gs_dict d, int64_t* out);
GS_EXPORT int gs_dict_key(gs_dict d, int64_t i, char* buffer, int capacity, int* length);
GS_EXPORT int gs_dict_value(gs_dict d, int64_t i, gs_tensor* out);

/* ---- images (image.cpp, OpenCV) ----------------------------------------------------------- */
/* Decode PNG/JPEG/BMP/WebP bytes into a uint8 HxWxC tensor (C = 1 when grayscale, else 3, RGB order). */
GS_EXPORT int gs_image_decode(const void* data, int64_t size, int grayscale, gs_tensor* out);
/* Encode a uint8 HxWxC (C 1 or 3, RGB) tensor; ext ".png", ".jpg", ".bmp", ".webp". The caller frees
 * the returned buffer with gs_buffer_free. */
GS_EXPORT int gs_image_encode(gs_tensor hwc, const char* ext, int quality, void** buffer, int64_t* size);
GS_EXPORT void gs_buffer_free(void* buffer);

/* ---- metrics (metrics.cpp) --------------------------------------------------------------------- */
/* Cholesky factor of a symmetric positive-definite matrix (lower unless upper); info is 0 on success, else the
 * order of the leading minor that is not positive definite (the factor is then partial). Never throws for that. */
GS_EXPORT int gs_linalg_cholesky_ex(gs_tensor t, int upper, gs_tensor* factor, int* info);

#ifdef __cplusplus
}
#endif
#endif
