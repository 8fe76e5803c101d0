// libFuzzer target: decode, validate, plan and run arbitrary bytes as an ONNX model. Any
// wasmq::Error is an accepted outcome; a crash, a sanitizer report, or any other exception
// escaping (std::out_of_range, std::bad_alloc, ...) is a bug. Build and run: scripts/fuzz.sh.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "common/error.h"
#include "runtime/model.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::unique_ptr<wasmq::rt::Model> m;
  try {
    m = wasmq::rt::Model::load(data, size);
  } catch (const wasmq::Error&) {
    return 0;
  }
  m->set_tensor_cap(1u << 20);  // bounds work per input as well as memory
  try {
    // Feed every input: dynamic dims become 2, data is a fixed pattern (int inputs: small values).
    for (size_t i = 0; i < m->inputs().size(); ++i) {
      const wasmq::rt::IoInfo& io = m->inputs()[i];
      wasmq::rt::Shape dims;
      for (int64_t d : io.dims) dims.push_back(d < 0 ? 2 : d);
      uint8_t* p = static_cast<uint8_t*>(m->stage_input(i, io.dtype, dims));
      const size_t bytes = wasmq::rt::numel_of(dims) * wasmq::onnx::elem_size(io.dtype);
      for (size_t b = 0; b < bytes; ++b) p[b] = static_cast<uint8_t>(b % 3);
    }
    m->run();
    m->run();  // the second run reuses the plan
  } catch (const wasmq::Error&) {
  }
  return 0;
}
