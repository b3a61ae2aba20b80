// Autograd: requires_grad, .grad, backward(), torch.autograd.grad() and the grad mode.
#include "common.h"

#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/function.h>
#include <cstring>

using gs::get;
using gs::wrap;

extern "C" {

int gs_requires_grad(gs_tensor t, int* out) { GS_API(*out = get(t).requires_grad() ? 1 : 0); }
int gs_set_requires_grad(gs_tensor t, int on) { GS_API(get(t).set_requires_grad(on != 0)); }
int gs_is_leaf(gs_tensor t, int* out) { GS_API(*out = get(t).is_leaf() ? 1 : 0); }
int gs_grad(gs_tensor t, gs_tensor* out) { GS_API(*out = wrap(get(t).grad())); }
int gs_set_grad(gs_tensor t, gs_tensor grad) {
  GS_API({
    at::Tensor& self = get(t);
    if (!grad) { self.mutable_grad() = at::Tensor(); return; }
    const at::Tensor& g = get(grad);
    // the checks PyTorch's Python setter makes: a mismatched gradient would only fail later, inside an optimizer
    if (!g.sizes().equals(self.sizes()))
      throw std::invalid_argument("assigned grad has data of a different size: " + c10::str(g.sizes()) + " for a tensor of size " +
                                  c10::str(self.sizes()));
    if (g.scalar_type() != self.scalar_type())
      throw std::invalid_argument(std::string("assigned grad has data of a different type: ") + c10::toString(g.scalar_type()) +
                                  " for a tensor of type " + c10::toString(self.scalar_type()));
    if (g.device() != self.device()) throw std::invalid_argument("assigned grad is on a different device than the tensor");
    self.mutable_grad() = g;
  });
}
int gs_backward(gs_tensor t, gs_tensor grad_output, int retain_graph, int create_graph) {
  GS_API({
    c10::optional<bool> retain = retain_graph ? c10::optional<bool>(true) : c10::nullopt;
    get(t).backward(gs::opt(grad_output), retain, create_graph != 0);
  });
}
int gs_autograd_grad(const gs_tensor* outputs, int n_outputs, const gs_tensor* inputs, int n_inputs,
                     const gs_tensor* grad_outputs, int retain_graph, int create_graph, int allow_unused, gs_tensor* out) {
  GS_API({
    torch::autograd::variable_list outs = gs::list(outputs, n_outputs);
    torch::autograd::variable_list ins = gs::list(inputs, n_inputs);
    torch::autograd::variable_list gouts;
    if (grad_outputs) {
      for (int i = 0; i < n_outputs; ++i) gouts.push_back(gs::opt(grad_outputs[i]));
    }
    c10::optional<bool> retain = retain_graph ? c10::optional<bool>(true) : c10::nullopt;
    auto grads = torch::autograd::grad(outs, ins, gouts, retain, create_graph != 0, allow_unused != 0);
    for (int i = 0; i < n_inputs; ++i) out[i] = wrap(grads[static_cast<size_t>(i)]);
  });
}
int gs_is_grad_enabled(void) { return c10::GradMode::is_enabled() ? 1 : 0; }
int gs_set_grad_enabled(int on) {
  int previous = c10::GradMode::is_enabled() ? 1 : 0;
  c10::GradMode::set_enabled(on != 0);
  return previous;
}
int gs_grad_fn_name(gs_tensor t, char* buffer, int capacity) {
  GS_API({
    auto fn = get(t).grad_fn();
    std::string name = fn ? fn->name() : std::string();
    if (capacity <= 0) throw std::invalid_argument("buffer capacity must be positive");
    std::strncpy(buffer, name.c_str(), static_cast<size_t>(capacity - 1));
    buffer[capacity - 1] = '\0';
  });
}

}  // extern "C"
