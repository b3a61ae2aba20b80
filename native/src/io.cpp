// I/O: PyTorch zip-format (torch.save) files holding a dict of str -> tensor.
#include "common.h"

#include <torch/csrc/jit/serialization/pickle.h>
#include <cstring>

using gs::wrap;

namespace {
struct Dict {
  std::vector<std::pair<std::string, at::Tensor>> items;
};
Dict& dict(gs_dict d) {
  if (!d) throw std::invalid_argument("dict handle is null");
  return *static_cast<Dict*>(d);
}

// libtorch 1.13 rebuilds a tensor from whatever offset, sizes and strides the pickle names, without checking
// them against its storage: a corrupt file could yield a view past the end of its data. Reject such entries.
void check_within_storage(const std::string& name, const at::Tensor& t) {
  if (t.numel() == 0) return;
  int64_t last = t.storage_offset();
  bool ok = last >= 0;
  for (int64_t d = 0; ok && d < t.dim(); ++d) {
    ok = t.stride(d) >= 0;
    last += (t.size(d) - 1) * t.stride(d);
  }
  const auto nbytes = static_cast<int64_t>(t.storage().nbytes());
  if (!ok || (last + 1) * static_cast<int64_t>(t.element_size()) > nbytes)
    throw std::invalid_argument("entry '" + name + "' (sizes " + c10::str(t.sizes()) + ", strides " + c10::str(t.strides()) +
                                ", offset " + std::to_string(t.storage_offset()) + ") reaches outside its storage of " +
                                std::to_string(nbytes) + " bytes; the file is corrupt");
}
}  // namespace

extern "C" {

int gs_pickle_load_dict(const void* data, int64_t size, gs_dict* out) {
  GS_API({
    if (!data || size <= 0) throw std::invalid_argument("empty input");
    std::vector<char> bytes(static_cast<const char*>(data), static_cast<const char*>(data) + size);
    c10::IValue v = torch::jit::pickle_load(bytes);
    if (!v.isGenericDict()) throw std::invalid_argument("the file holds a " + v.tagKind() + ", not a dict of tensors");
    auto d = std::make_unique<Dict>();
    for (const auto& entry : v.toGenericDict()) {
      if (!entry.key().isString()) throw std::invalid_argument("a dict key is a " + entry.key().tagKind() + ", not a string");
      const std::string name = entry.key().toStringRef();
      if (!entry.value().isTensor())
        throw std::invalid_argument("entry '" + name + "' is a " + entry.value().tagKind() + ", not a tensor");
      check_within_storage(name, entry.value().toTensor());
      d->items.emplace_back(name, entry.value().toTensor());
    }
    *out = d.release();
  });
}
void gs_dict_free(gs_dict d) { delete static_cast<Dict*>(d); }
int gs_dict_size(gs_dict d, int64_t* out) { GS_API(*out = static_cast<int64_t>(dict(d).items.size())); }
int gs_dict_key(gs_dict d, int64_t i, char* buffer, int capacity, int* length) {
  GS_API({
    const auto& key = dict(d).items.at(static_cast<size_t>(i)).first;
    *length = static_cast<int>(key.size());
    if (buffer && capacity > 0) {
      size_t n = std::min(key.size(), static_cast<size_t>(capacity));
      std::memcpy(buffer, key.data(), n);
    }
  });
}
int gs_dict_value(gs_dict d, int64_t i, gs_tensor* out) { GS_API(*out = wrap(dict(d).items.at(static_cast<size_t>(i)).second)); }

}  // extern "C"
