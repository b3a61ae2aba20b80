// Native helpers of the distribution metrics (FID): a Cholesky factorization that reports failure instead of
// throwing, so the Frechet distance can take the fast path for positive-definite covariances and fall back
// to a symmetric eigendecomposition otherwise.
#include "common.h"

using gs::get;
using gs::wrap;

extern "C" {

int gs_linalg_cholesky_ex(gs_tensor t, int upper, gs_tensor* factor, int* info) {
  GS_API(auto r = at::linalg_cholesky_ex(get(t), upper != 0, /*check_errors=*/false);
         *info = static_cast<int>(std::get<1>(r).item<int64_t>());
         *factor = wrap(std::get<0>(r)));
}

}  // extern "C"
