// Runtime-wide state: errors, counters, threads, seeds, devices.
#include "common.h"

#include <dlfcn.h>
#include <torch/cuda.h>
#include <ATen/Parallel.h>
#include <ATen/Context.h>
#include <torch/version.h>

namespace gs {
std::atomic<int64_t> live_tensors{0};
static thread_local std::string last_error;
void set_error(const std::string& message) { last_error = message; }
}  // namespace gs

extern "C" {

const char* gs_last_error(void) { return gs::last_error.c_str(); }
int64_t gs_live_tensors(void) { return gs::live_tensors.load(); }
const char* gs_torch_version(void) { return TORCH_VERSION; }

int gs_set_num_threads(int n) { GS_API(at::set_num_threads(n)); }
int gs_get_num_threads(void) { return at::get_num_threads(); }

int gs_set_blas_threads(int n) {
  using setter = void (*)(int);
  auto f = reinterpret_cast<setter>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  if (!f) return -1;
  f(n);
  return 0;
}

int gs_cuda_is_available(void) {
  try { return torch::cuda::is_available() ? 1 : 0; } catch (...) { return 0; }
}
int gs_cuda_device_count(void) {
  try { return static_cast<int>(torch::cuda::device_count()); } catch (...) { return 0; }
}

int gs_manual_seed(uint64_t seed) {
  GS_API(at::manual_seed(seed));
}

int gs_set_deterministic(int on) { GS_API(at::globalContext().setDeterministicAlgorithms(on != 0, false)); }

}  // extern "C"
