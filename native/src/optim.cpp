// Optimizers: libtorch's Adam, AdamW and SGD, with per-parameter state export for exact resume.
#include "common.h"

#include <torch/optim/adam.h>
#include <torch/optim/adamw.h>
#include <torch/optim/sgd.h>
#include <c10/util/string_utils.h>

using gs::get;
using gs::wrap;

namespace {

struct Optim {
  int kind;
  std::unique_ptr<torch::optim::Optimizer> impl;
  std::vector<at::Tensor> params;
};

Optim& optim(gs_optimizer o) {
  if (!o) throw std::invalid_argument("optimizer handle is null");
  return *static_cast<Optim*>(o);
}

std::string key_of(const at::Tensor& p) { return c10::guts::to_string(p.unsafeGetTensorImpl()); }

const at::Tensor& param_at(Optim& o, int i) {
  if (i < 0 || i >= static_cast<int>(o.params.size()))
    throw std::out_of_range("parameter index " + std::to_string(i) + " out of range (0.." + std::to_string(o.params.size()) + ")");
  return o.params[static_cast<size_t>(i)];
}

at::Tensor clone_or_empty(const at::Tensor& t) { return t.defined() ? t.detach().clone() : at::Tensor(); }

template <typename State>
void get_adam_state(Optim& o, const at::Tensor& p, gs_tensor* out, int* count) {
  auto& st = o.impl->state();
  auto it = st.find(key_of(p));
  if (it == st.end()) { *count = 0; return; }
  auto& s = static_cast<State&>(*it->second);
  out[0] = wrap(torch::scalar_tensor(s.step(), at::kLong));
  out[1] = wrap(clone_or_empty(s.exp_avg()));
  out[2] = wrap(clone_or_empty(s.exp_avg_sq()));
  out[3] = wrap(clone_or_empty(s.max_exp_avg_sq()));
  *count = 4;
}

template <typename State>
void set_adam_state(Optim& o, const at::Tensor& p, const gs_tensor* in, int count) {
  if (count != 4) throw std::invalid_argument("Adam state needs 4 slots (step, exp_avg, exp_avg_sq, max_exp_avg_sq)");
  auto s = std::make_unique<State>();
  s->step(get(in[0]).item().toLong());
  for (int i = 1; i <= 2; ++i) {
    if (!get(in[i]).sizes().equals(p.sizes()))
      throw std::invalid_argument("optimizer state shape does not match its parameter");
  }
  s->exp_avg(get(in[1]).detach().clone());
  s->exp_avg_sq(get(in[2]).detach().clone());
  if (in[3]) s->max_exp_avg_sq(get(in[3]).detach().clone());
  o.impl->state()[key_of(p)] = std::move(s);
}

}  // namespace

extern "C" {

int gs_optim_new(int kind, const gs_tensor* params, int n, double lr, double a, double b, double eps, double wd, int flag,
                 gs_optimizer* out) {
  GS_API({
    auto o = std::make_unique<Optim>();
    o->kind = kind;
    o->params = gs::list(params, n);
    switch (kind) {
      case 0:
        o->impl = std::make_unique<torch::optim::Adam>(
            o->params, torch::optim::AdamOptions(lr).betas({a, b}).eps(eps).weight_decay(wd).amsgrad(flag != 0));
        break;
      case 1:
        o->impl = std::make_unique<torch::optim::AdamW>(
            o->params, torch::optim::AdamWOptions(lr).betas({a, b}).eps(eps).weight_decay(wd).amsgrad(flag != 0));
        break;
      case 2:
        o->impl = std::make_unique<torch::optim::SGD>(
            o->params, torch::optim::SGDOptions(lr).momentum(a).dampening(b).weight_decay(wd).nesterov(flag != 0));
        break;
      default: throw std::invalid_argument("optimizer kind must be 0 (Adam), 1 (AdamW) or 2 (SGD)");
    }
    *out = o.release();
  });
}
void gs_optim_free(gs_optimizer o) { delete static_cast<Optim*>(o); }
int gs_optim_step(gs_optimizer o) {
  GS_API(c10::AutoGradMode no_grad(false); optim(o).impl->step());
}
int gs_optim_zero_grad(gs_optimizer o, int set_to_none) {
  GS_API({
    for (auto& p : optim(o).params) {
      auto& g = p.mutable_grad();
      if (!g.defined()) continue;
      if (set_to_none) g = at::Tensor();
      else { g = g.detach(); g.zero_(); }
    }
  });
}
int gs_optim_set_lr(gs_optimizer o, double lr) {
  GS_API({
    for (auto& group : optim(o).impl->param_groups()) group.options().set_lr(lr);
  });
}
int gs_optim_get_lr(gs_optimizer o, double* out) { GS_API(*out = optim(o).impl->param_groups().at(0).options().get_lr()); }

int gs_optim_get_state(gs_optimizer o, int i, gs_tensor* out, int* count) {
  GS_API({
    auto& op = optim(o);
    const auto& p = param_at(op, i);
    if (op.kind == 0) get_adam_state<torch::optim::AdamParamState>(op, p, out, count);
    else if (op.kind == 1) get_adam_state<torch::optim::AdamWParamState>(op, p, out, count);
    else {
      auto& st = op.impl->state();
      auto it = st.find(key_of(p));
      if (it == st.end()) { *count = 0; return; }
      out[0] = wrap(clone_or_empty(static_cast<torch::optim::SGDParamState&>(*it->second).momentum_buffer()));
      *count = 1;
    }
  });
}
int gs_optim_set_state(gs_optimizer o, int i, const gs_tensor* state, int count) {
  GS_API({
    auto& op = optim(o);
    const auto& p = param_at(op, i);
    if (count == 0) { op.impl->state().erase(key_of(p)); return; }
    if (op.kind == 0) set_adam_state<torch::optim::AdamParamState>(op, p, state, count);
    else if (op.kind == 1) set_adam_state<torch::optim::AdamWParamState>(op, p, state, count);
    else {
      if (count != 1) throw std::invalid_argument("SGD state needs 1 slot (momentum_buffer)");
      auto s = std::make_unique<torch::optim::SGDParamState>();
      if (state[0]) s->momentum_buffer(get(state[0]).detach().clone());
      op.impl->state()[key_of(p)] = std::move(s);
    }
  });
}

}  // extern "C"
