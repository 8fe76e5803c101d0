// Shape helpers: element counts, strides, numpy broadcasting, reading integer tensors.
#include "runtime/tensor.h"

#include <algorithm>

namespace wasmq::rt {

size_t numel_of(const Shape& s) {
  size_t n = 1;
  for (int64_t d : s) n *= static_cast<size_t>(d);
  return n;
}

size_t Tensor::numel() const { return numel_of(shape); }

std::string shape_str(const Shape& s) {
  std::string r = "[";
  for (size_t i = 0; i < s.size(); ++i) r += (i ? ", " : "") + std::to_string(s[i]);
  return r + "]";
}

std::vector<int64_t> to_int64s(const Tensor& t, const std::string& what) {
  WASMQ_CHECK(t.data != nullptr, what + " must be known when the model is planned (a constant or computed from shapes)");
  const size_t n = t.numel();
  std::vector<int64_t> r(n);
  if (t.dtype == ElemType::kInt64) {
    for (size_t i = 0; i < n; ++i) r[i] = t.as<const int64_t>()[i];
  } else if (t.dtype == ElemType::kInt32) {
    for (size_t i = 0; i < n; ++i) r[i] = t.as<const int32_t>()[i];
  } else {
    fail(what + " must be an INT64 or INT32 tensor (got " + onnx::elem_onnx_name(t.dtype) + ")");
  }
  return r;
}

std::vector<int64_t> strides_of(const Shape& s) {
  std::vector<int64_t> st(s.size());
  int64_t acc = 1;
  for (size_t i = s.size(); i-- > 0;) {
    st[i] = acc;
    acc *= s[i];
  }
  return st;
}

Shape broadcast_shapes(const Shape& a, const Shape& b, const std::string& who) {
  const size_t r = std::max(a.size(), b.size());
  Shape out(r);
  for (size_t i = 0; i < r; ++i) {
    const int64_t da = i < r - a.size() ? 1 : a[i - (r - a.size())];
    const int64_t db = i < r - b.size() ? 1 : b[i - (r - b.size())];
    if (da != db && da != 1 && db != 1) {
      fail(who + ": shapes " + shape_str(a) + " and " + shape_str(b) + " cannot be broadcast");
    }
    out[i] = da == 1 ? db : da;
  }
  return out;
}

}  // namespace wasmq::rt
