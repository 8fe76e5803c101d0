// Test helper: runs one ONNX backend node test directory (model.onnx + test_data_set_*/
// input_N.pb, output_N.pb) and compares with ONNX's default tolerances (rtol 1e-3, atol 1e-7).
#pragma once

#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "quant/fp16.h"
#include "runtime/model.h"

namespace wasmq_test {

inline bool read_file(const std::string& path, std::string& out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  std::ostringstream ss;
  ss << f.rdbuf();
  out = ss.str();
  return true;
}

inline double elem_as_double(const wasmq::onnx::TensorData& t, size_t i) {
  using wasmq::onnx::ElemType;
  const uint8_t* p = t.data.data();
  switch (t.dtype) {
    case ElemType::kFloat: { float v; std::memcpy(&v, p + 4 * i, 4); return v; }
    case ElemType::kDouble: { double v; std::memcpy(&v, p + 8 * i, 8); return v; }
    case ElemType::kFloat16: { uint16_t v; std::memcpy(&v, p + 2 * i, 2); return wasmq::fp16_to_fp32(v); }
    case ElemType::kInt64: { int64_t v; std::memcpy(&v, p + 8 * i, 8); return static_cast<double>(v); }
    case ElemType::kInt32: { int32_t v; std::memcpy(&v, p + 4 * i, 4); return v; }
    case ElemType::kInt8: return static_cast<int8_t>(p[i]);
    default: return p[i];
  }
}

// Empty string when the test passes, else the reason.
inline std::string run_node_test(const std::string& dir) {
  std::string bytes;
  if (!read_file(dir + "/model.onnx", bytes)) return "cannot read model.onnx";
  try {
    auto m = wasmq::rt::Model::load(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    for (int set = 0;; ++set) {
      const std::string sd = dir + "/test_data_set_" + std::to_string(set);
      std::string tmp;
      if (!read_file(sd + "/output_0.pb", tmp)) {
        if (set == 0) return "no test data";
        break;
      }
      for (size_t i = 0; i < m->inputs().size(); ++i) {
        std::string pb;
        if (!read_file(sd + "/input_" + std::to_string(i) + ".pb", pb)) return "missing input file " + std::to_string(i);
        auto t = wasmq::onnx::decode_tensor(reinterpret_cast<const uint8_t*>(pb.data()), pb.size(), "input");
        void* dst = m->stage_input(i, t.dtype, t.dims);
        if (!t.data.empty()) std::memcpy(dst, t.data.data(), t.data.size());
      }
      m->run();
      for (size_t o = 0; o < m->outputs().size(); ++o) {
        std::string pb;
        if (!read_file(sd + "/output_" + std::to_string(o) + ".pb", pb)) return "missing output file";
        auto ref = wasmq::onnx::decode_tensor(reinterpret_cast<const uint8_t*>(pb.data()), pb.size(), "output");
        const wasmq::rt::Tensor& y = m->output(o);
        if (y.dtype != ref.dtype) return "output " + std::to_string(o) + " dtype " + wasmq::onnx::elem_onnx_name(y.dtype) + " != " + wasmq::onnx::elem_onnx_name(ref.dtype);
        if (y.shape != ref.dims) return "output " + std::to_string(o) + " shape " + wasmq::rt::shape_str(y.shape) + " != " + wasmq::rt::shape_str(ref.dims);
        wasmq::onnx::TensorData got;
        got.dtype = y.dtype;
        got.data.assign(y.as<const uint8_t>(), y.as<const uint8_t>() + y.bytes());
        for (size_t i = 0; i < ref.numel(); ++i) {
          const double a = elem_as_double(got, i), b = elem_as_double(ref, i);
          if (std::isnan(a) && std::isnan(b)) continue;
          if (a == b) continue;
          if (!(std::fabs(a - b) <= 1e-7 + 1e-3 * std::fabs(b))) {
            return "output " + std::to_string(o) + "[" + std::to_string(i) + "] = " + std::to_string(a) + ", expected " + std::to_string(b);
          }
        }
      }
    }
  } catch (const std::exception& e) {
    return std::string("error: ") + e.what();
  }
  return "";
}

}  // namespace wasmq_test
