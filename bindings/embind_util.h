// Shared helpers of the Embind files: C++ exceptions become { error } values (no exception, and
// no leaked wasm stack, crosses into JS; the ESM wrapper throws the Error), and dtype names.
#pragma once

#include <emscripten/val.h>

#include <exception>
#include <new>
#include <string>

#include "common/error.h"
#include "onnx/onnx_model.h"

namespace wasmq::bind {

inline emscripten::val error_value(const std::string& message) {
  emscripten::val r = emscripten::val::object();
  r.set("error", message);
  return r;
}

// Runs fn() and turns wasmq::Error, std::bad_alloc and other exceptions into { error }.
template <typename Fn>
emscripten::val guarded(Fn&& fn) {
  try {
    return fn();
  } catch (const wasmq::Error& e) {
    return error_value(e.what());
  } catch (const std::bad_alloc&) {
    return error_value("out of memory: the data does not fit in wasm memory (2 GB at most)");
  } catch (const std::exception& e) {
    return error_value(std::string("internal error: ") + e.what());
  }
}

// JS dtype name -> ONNX element type; throws wasmq::Error for an unknown name.
inline onnx::ElemType parse_elem_type(const std::string& s) {
  using onnx::ElemType;
  if (s == "float32") return ElemType::kFloat;
  if (s == "float16") return ElemType::kFloat16;
  if (s == "float64") return ElemType::kDouble;
  if (s == "int8") return ElemType::kInt8;
  if (s == "uint8") return ElemType::kUInt8;
  if (s == "int16") return ElemType::kInt16;
  if (s == "int32") return ElemType::kInt32;
  if (s == "int64") return ElemType::kInt64;
  if (s == "bool") return ElemType::kBool;
  fail("unknown dtype '" + s + "'");
}

}  // namespace wasmq::bind
