// Inputs the fuzzer (fuzz/onnx_loader_fuzz.cc) once crashed or hung on, replayed the same way:
// load, feed every input with the fuzzer's byte pattern (dynamic dims = 2), run. Each must end in
// success or a wasmq::Error, quickly. Stored as base64 text, not as binary files.
#include <catch.hpp>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "runtime/model.h"

namespace {

std::string base64_decode(const std::string& in) {
  std::string out;
  uint32_t val = 0;  // unsigned and masked: no signed overflow (UBSan) on long inputs
  int bits = -8;
  for (char c : in) {
    const char* table = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char* p = std::strchr(table, c);
    if (c == '=' || !p) break;
    val = ((val << 6) | static_cast<uint32_t>(p - table)) & 0xFFFFFFu;
    bits += 6;
    if (bits >= 0) {
      out.push_back(static_cast<char>((val >> bits) & 0xFF));
      bits -= 8;
    }
  }
  return out;
}

// Returns "" on success, the wasmq::Error message otherwise; other exceptions propagate.
std::string replay(const std::string& bytes) {
  try {
    auto m = wasmq::rt::Model::load(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    m->set_tensor_cap(1u << 20);
    for (size_t i = 0; i < m->inputs().size(); ++i) {
      const wasmq::rt::IoInfo& io = m->inputs()[i];
      wasmq::rt::Shape dims;
      for (int64_t d : io.dims) dims.push_back(d < 0 ? 2 : d);
      uint8_t* p = static_cast<uint8_t*>(m->stage_input(i, io.dtype, dims));
      const size_t n = wasmq::rt::numel_of(dims) * wasmq::onnx::elem_size(io.dtype);
      for (size_t b = 0; b < n; ++b) p[b] = static_cast<uint8_t>(b % 3);
    }
    m->run();
    m->run();
  } catch (const wasmq::Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("fuzzer regressions end cleanly", "[runtime]") {
  const struct {
    const char* what;
    const char* b64;
  } cases[] = {
      {"Cast from bool bytes other than 0/1 (UB reading bool)",
       "CAgSDGJhY2tlbmQtdGVzdDqTAQoiCgVpbnB1dBIGb3V0cHV0IgRDYXN0KgkKAnRvGAugAQI6ABImdGVzdF9jYXN0bGlrZV9GTE9BVF90b19ET1VCTEVfZXhwYW5kZWRa"
       "FwoFaW5wdXQSDgoMCAkSCAoCCDcKAggqWhIKBGxpa2USCgoICAsSBAoCCAFiGAoGb3V0cHV0Eg4KDAgLEggKAggDCgIIBEIECgAQDw=="},
      {"int64 Pow overflowing to inf (UB float->int)",
       "CAgSDGJhY2tlbmQtdGVzdDpfCg4KAXgKAXkSAXoiA1BvdxIadGVzdF9wb3dfdHlwZXNfaW50NjRfaW50NjRaDwoBeBIKCggIBxIECgIIA1oPCgF5EgoKCAgHEgQKAggD"
       "Yg8KAXoSCgoICAcSBAoCCANCBAoAEA8="},
      {"Reshape with a huge shape input (signed overflow)",
       "CAcSDGJhY2tlbmQtdGVzdDqKAQogCgRkYXRhCgVzaGFwZRIIcmVzaGFwZWQiB1Jlc2hhcGUSGXRlc3RfcmVzaGFwZV9yZWR1Y2VkX2RpbXNaGgoEZGF0YRISChAIARIM"
       "CgIIAgoCCAMKAggEWhMKBXNoYXBlEgoKCAgHEgQKAggCYhoKCHJlc2hhcGVkEg4KDAgBEggKAggCCgIIDEIECgAQDg=="},
      {"Resize to huge sizes (tap tables built before the cap check: hang)",
       "CAcSDGJhY2tlbmQtdGVzdDqeAQorCgFYCgAKAAoFc2l6ZXMSAVkiBlJlc2l6ZSoQCgRtb2RlIgVjdWJpY6ABAxIgdGVzdF9yZXNpemVfdXBzYW1wbGVfc2l6ZXNfY3Vi"
       "aWNaGwoBWBIWChQIARIQCgIIAQoCCAEKAggECgIIBFoTCgVzaXplcxIKCggIBxIECgIIBGIbCgFZEhYKFAgBEhAKAggBCgIIAQoCCAkKAggKQgQKABAN"},
      {"Relu with no input (the int8 passes indexed its missing data input)",
       "CAgSCndhc21xLXRlc3Q6OwoUegF4EgF5GgZSZWx1X3kiBFJlbHUSAWdaDwoBeBIKCggIEBIECgIIAmIPCgF5EgoKCAgBEgQKAggCQgQKABAN"},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    const auto t0 = std::chrono::steady_clock::now();
    const std::string r = replay(base64_decode(c.b64));
    INFO("result: " << (r.empty() ? "ok" : r));
    CHECK(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() < 2.0);
  }
}
