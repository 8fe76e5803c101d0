// Runtime tensor view (dtype, shape, non-owning data pointer) and shape helpers shared by ops.
#pragma once

#include <cstddef>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "common/error.h"
#include "onnx/onnx_model.h"

namespace wasmq::rt {

using onnx::ElemType;
using Shape = std::vector<int64_t>;

// A tensor as ops see it. During planning `data` is null unless the value is known (a weight, a
// folded shape computation); during a run it always points at the tensor's storage.
struct Tensor {
  ElemType dtype = ElemType::kUndefined;
  Shape shape;
  void* data = nullptr;

  size_t numel() const;
  size_t bytes() const { return numel() * onnx::elem_size(dtype); }
  template <typename T>
  T* as() const { return static_cast<T*>(data); }
};

size_t numel_of(const Shape& s);
std::string shape_str(const Shape& s);
// Reads a known integer tensor (int32 or int64) as int64 values.
std::vector<int64_t> to_int64s(const Tensor& t, const std::string& what);
// Element strides (row-major) of a shape.
std::vector<int64_t> strides_of(const Shape& s);
// Numpy broadcasting of two shapes; throws naming `who` when incompatible.
Shape broadcast_shapes(const Shape& a, const Shape& b, const std::string& who);

// double -> T without undefined behaviour: NaN gives 0, out-of-range values saturate.
template <typename T>
T saturate_cast(double v) {
  if constexpr (std::is_floating_point_v<T>) {
    return static_cast<T>(v);
  } else {
    if (std::isnan(v)) return T(0);
    if (v <= static_cast<double>(std::numeric_limits<T>::lowest())) return std::numeric_limits<T>::lowest();
    if (v >= static_cast<double>(std::numeric_limits<T>::max())) return std::numeric_limits<T>::max();
    return static_cast<T>(v);
  }
}

// Integer arithmetic that wraps (two's complement) instead of overflowing, as ONNX runtimes do.
template <typename T>
T wrap_add(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(static_cast<U>(a) + static_cast<U>(b)));
  } else {
    return a + b;
  }
}
template <typename T>
T wrap_sub(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(static_cast<U>(a) - static_cast<U>(b)));
  } else {
    return a - b;
  }
}
template <typename T>
T wrap_mul(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    using U = std::conditional_t<(sizeof(T) < sizeof(unsigned)), unsigned, std::make_unsigned_t<T>>;
    return static_cast<T>(static_cast<U>(static_cast<U>(a) * static_cast<U>(b)));
  } else {
    return a * b;
  }
}

// Calls f(T{}) with the C++ type of a numeric element type (float, double, int8, uint8, int32, int64, bool).
template <typename F>
void dispatch_numeric(ElemType t, const std::string& who, F&& f) {
  switch (t) {
    case ElemType::kFloat: f(float{}); break;
    case ElemType::kDouble: f(double{}); break;
    case ElemType::kInt8: f(int8_t{}); break;
    case ElemType::kUInt8: f(uint8_t{}); break;
    case ElemType::kInt32: f(int32_t{}); break;
    case ElemType::kInt64: f(int64_t{}); break;
    default: fail(who + ": element type " + onnx::elem_onnx_name(t) + " is not supported by this op");
  }
}

}  // namespace wasmq::rt
