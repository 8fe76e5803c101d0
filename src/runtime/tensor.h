// Runtime tensor view (dtype, shape, non-owning data pointer) and shape helpers shared by ops.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
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
