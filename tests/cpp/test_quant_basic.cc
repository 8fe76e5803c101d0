// Smoke test of the quantize -> dequantize round trip (the full property suite is test_quant.cc).
#include <catch.hpp>

#include "test_util.h"
#include "wasmq.h"

TEST_CASE("int8 affine round trip stays within scale/2", "[quant]") {
  const uint64_t seed = wasmq_test::test_seed(1);
  WASMQ_SEED_INFO(seed);
  const std::vector<float> x = wasmq_test::normal(1000, seed);
  wasmq::QuantizeOptions o;
  const wasmq::QuantizedTensor q = wasmq::quantize(x.data(), x.size(), o);
  std::vector<float> y(x.size());
  wasmq::dequantize(q, y.data());
  for (size_t i = 0; i < x.size(); ++i) REQUIRE(std::fabs(x[i] - y[i]) <= q.scale[0] * 0.5f * 1.0001f);
}
