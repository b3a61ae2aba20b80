// Shared helpers of the shim: handle wrapping, the live-tensor counter, the thread-local error and
// the one catch-all macro every export goes through.
#pragma once
#include "gansdp.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/variable.h>
#include <torch/csrc/autograd/generated/variable_factories.h>
#include <torch/csrc/autograd/grad_mode.h>

#include <atomic>
#include <string>
#include <vector>

namespace gs {

extern std::atomic<int64_t> live_tensors;
void set_error(const std::string& message);

// Owning handle for a tensor result; undefined tensors become NULL handles.
inline gs_tensor wrap(at::Tensor t) {
  if (!t.defined()) return nullptr;
  live_tensors.fetch_add(1, std::memory_order_relaxed);
  return new at::Tensor(std::move(t));
}

inline at::Tensor& get(gs_tensor h) {
  if (h == nullptr) throw std::invalid_argument("a required tensor argument is null");
  return *static_cast<at::Tensor*>(h);
}

inline at::Tensor opt(gs_tensor h) { return h ? *static_cast<at::Tensor*>(h) : at::Tensor(); }

inline c10::optional<at::Tensor> optional(gs_tensor h) {
  if (!h) return c10::nullopt;
  return *static_cast<at::Tensor*>(h);
}

inline at::IntArrayRef dims(const int64_t* p, int n) { return at::IntArrayRef(p, static_cast<size_t>(n)); }

inline at::TensorOptions options(int dtype, int device_type, int device_index) {
  return at::TensorOptions()
      .dtype(static_cast<at::ScalarType>(dtype))
      .device(at::Device(static_cast<c10::DeviceType>(device_type), static_cast<c10::DeviceIndex>(device_index)));
}

inline std::vector<at::Tensor> list(const gs_tensor* ts, int n) {
  std::vector<at::Tensor> v;
  v.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) v.push_back(get(ts[i]));
  return v;
}

// Runs body; converts every exception into a status code and the thread-local message.
template <typename F>
inline int guarded(F&& body) noexcept {
  try {
    body();
    return 0;
  } catch (const c10::Error& e) {
    set_error(e.what_without_backtrace());
  } catch (const std::exception& e) {
    set_error(e.what());
  } catch (...) {
    set_error("unknown native error");
  }
  return -1;
}

}  // namespace gs

// The one catch-all: every export that can fail is `{ GS_API(...statements...); }`.
#define GS_API(...) return ::gs::guarded([&]() { __VA_ARGS__; })
