// fold_affine_into_conv: per-channel Mul/Add next to a Conv folded into it keeps the float function;
// what must not fold (padding under an Add, a second consumer, a non-channel constant) stays.
#include <catch.hpp>

#include <cmath>
#include <cstring>
#include <string>

#include "../runtime/onnx_builder.h"
#include "../test_util.h"
#include "onnx/onnx_writer.h"
#include "quantize/fold_affine.h"
#include "runtime/model.h"

using namespace wasmq_test;
using wasmq::onnx::ElemType;
using wasmq::rt::Model;
namespace qz = wasmq::quantize;

namespace {

constexpr int32_t kF32 = 1;

std::vector<float> run1(Model& m, const std::vector<float>& x, const wasmq::rt::Shape& dims) {
  void* p = m.stage_input(0, ElemType::kFloat, dims);
  std::memcpy(p, x.data(), x.size() * 4);
  m.run();
  const wasmq::rt::Tensor& t = m.output(0);
  return std::vector<float>(t.as<float>(), t.as<float>() + t.numel());
}

// Runs the model before and after the pass on the same input; returns the pass statistics and
// the op types left.
struct Folded {
  qz::PassStats stats;
  std::vector<std::string> ops;
};

Folded check_fold(const std::string& bytes, uint64_t seed, const wasmq::rt::Shape& dims) {
  auto m = wasmq::onnx::decode_model(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  Folded f;
  qz::fold_affine_into_conv(m, f.stats);
  for (const auto& n : m.graph.nodes) f.ops.push_back(n.op_type);
  const std::vector<uint8_t> out = wasmq::onnx::encode_model(m);
  auto a = Model::load(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  auto b = Model::load(out.data(), out.size());
  size_t n = 1;
  for (int64_t d : dims) n *= static_cast<size_t>(d);
  const std::vector<float> x = normal(n, seed + 100);
  const auto ya = run1(*a, x, dims), yb = run1(*b, x, dims);
  REQUIRE(ya.size() == yb.size());
  for (size_t i = 0; i < ya.size(); ++i) {
    INFO("element " << i);
    REQUIRE(std::fabs(ya[i] - yb[i]) <= 1e-5f + 1e-5f * std::fabs(ya[i]));
  }
  return f;
}

size_t count(const std::vector<std::string>& ops, const std::string& op) {
  size_t c = 0;
  for (const auto& o : ops) c += o == op;
  return c;
}

}  // namespace

TEST_CASE("affine ops around Conv fold into its weights and bias, exactly", "[quantize]") {
  const uint64_t seed = test_seed(41);
  INFO("seed " << seed);
  // PP-LCNet's block: Conv(3x3, pad 1) -> Mul(scalar) -> Add(scalar) -> Relu -> Mul([1,C,1,1])
  // -> Add([C,1,1]) -> Conv 1x1 (both fold into it) -> Mul(scalar, constant first) -> output.
  const std::string bytes = model(
      {node("Conv", {"x", "w1", "b1"}, {"c1"}, {attr_ints("kernel_shape", {3, 3}), attr_ints("pads", {1, 1, 1, 1})}, "conv1"),
       node("Mul", {"c1", "s1"}, {"m1"}, {}, "lab_mul"), node("Add", {"m1", "a1"}, {"l1"}, {}, "lab_add"),
       node("Relu", {"l1"}, {"r"}, {}, "relu"), node("Mul", {"r", "s2"}, {"m2"}, {}, "post_mul"),
       node("Add", {"m2", "a2"}, {"l2"}, {}, "post_add"),
       node("Conv", {"l2", "w2"}, {"c2"}, {attr_ints("kernel_shape", {1, 1})}, "conv2"),
       node("Mul", {"s3", "c2"}, {"y"}, {}, "out_mul")},
      {value_info("x", kF32, {-1, 3, 6, 6})}, {value_info("y", kF32, {-1, 5, 6, 6})},
      {tensor_f32("w1", {4, 3, 3, 3}, normal(108, seed, 0.0f, 0.3f)), tensor_f32("b1", {4}, normal(4, seed + 1)),
       tensor_f32("s1", {}, {1.7f}), tensor_f32("a1", {1}, {-0.4f}),
       tensor_f32("s2", {1, 4, 1, 1}, {0.5f, 2.0f, -1.0f, 1.25f}), tensor_f32("a2", {4, 1, 1}, {0.1f, -0.2f, 0.3f, 0.0f}),
       tensor_f32("w2", {5, 4, 1, 1}, normal(20, seed + 2, 0.0f, 0.5f)), tensor_f32("s3", {1, 1, 1, 1}, {0.75f})});
  const Folded f = check_fold(bytes, seed, {2, 3, 6, 6});
  CHECK(f.stats.affine_folded == 5);
  CHECK(count(f.ops, "Mul") == 0);
  CHECK(count(f.ops, "Add") == 0);
  CHECK(count(f.ops, "Conv") == 2);
}

TEST_CASE("affine folding leaves what it cannot fold exactly", "[quantize]") {
  const uint64_t seed = test_seed(42);
  INFO("seed " << seed);
  // Add before a padded Conv (the border would see the shift), a Conv output used twice, a
  // constant along W (not per channel), and grouped input-channel scaling (which does fold).
  const std::string bytes = model(
      {node("Conv", {"x", "w1"}, {"c1"}, {attr_ints("kernel_shape", {1, 1})}, "conv1"),
       node("Relu", {"c1"}, {"r1"}, {}, "relu1"), node("Add", {"c1", "a1"}, {"d1"}, {}, "add_two_users"),
       node("Add", {"d1", "r1"}, {"e"}, {}, "sum"),
       node("Mul", {"e", "sw"}, {"f"}, {}, "mul_along_w"),
       node("Add", {"f", "a2"}, {"g"}, {}, "add_before_padded"),
       node("Mul", {"g", "s3"}, {"h"}, {}, "mul_before_grouped"),
       node("Conv", {"h", "w2"}, {"y"}, {attr_ints("kernel_shape", {3, 3}), attr_ints("pads", {1, 1, 1, 1}), attr_int("group", 2)},
            "conv2")},
      {value_info("x", kF32, {-1, 4, 5, 5})}, {value_info("y", kF32, {-1, 4, 5, 5})},
      {tensor_f32("w1", {4, 4, 1, 1}, normal(16, seed, 0.0f, 0.5f)), tensor_f32("a1", {1, 4, 1, 1}, {0.1f, 0.2f, 0.3f, 0.4f}),
       tensor_f32("sw", {5}, {1.0f, 2.0f, 3.0f, 4.0f, 5.0f}), tensor_f32("a2", {}, {0.5f}),
       tensor_f32("s3", {4, 1, 1}, {2.0f, -1.0f, 0.5f, 3.0f}), tensor_f32("w2", {4, 2, 3, 3}, normal(72, seed + 1, 0.0f, 0.3f))});
  const Folded f = check_fold(bytes, seed, {1, 4, 5, 5});
  CHECK(f.stats.affine_folded == 1);  // only mul_before_grouped, into conv2's input channels
  CHECK(count(f.ops, "Mul") == 1);    // mul_along_w stays
  CHECK(count(f.ops, "Add") == 3);    // add_two_users, sum, add_before_padded stay
}

TEST_CASE("Add, Mul and BatchNormalization after a ConvTranspose fold into it (det's head), grouped too", "[quantize]") {
  const uint64_t seed = test_seed(43);
  INFO("seed " << seed);
  for (int64_t group : {1, 2}) {
    INFO("group " << group);
    // ConvTranspose [C=4, M/group, 2, 2] stride 2 -> Add([1,M,1,1]) -> BatchNormalization -> Mul(scalar).
    const int64_t m_out = 6, mg = m_out / group;
    const std::string bytes = model(
        {node("ConvTranspose", {"x", "w"}, {"t"}, {attr_ints("kernel_shape", {2, 2}), attr_ints("strides", {2, 2}), attr_int("group", group)}, "convt"),
         node("Add", {"t", "b"}, {"tb"}, {}, "bias"),
         node("BatchNormalization", {"tb", "g", "be", "mu", "v"}, {"bn"}, {attr_float("epsilon", 1e-5f)}, "bn"),
         node("Mul", {"bn", "s"}, {"y"}, {}, "scale")},
        {value_info("x", kF32, {-1, 4, 3, 5})}, {value_info("y", kF32, {-1, m_out, 6, 10})},
        {tensor_f32("w", {4, mg, 2, 2}, normal(static_cast<size_t>(16 * mg), seed, 0.0f, 0.3f)),
         tensor_f32("b", {1, m_out, 1, 1}, normal(6, seed + 1)), tensor_f32("g", {m_out}, normal(6, seed + 2, 1.0f, 0.2f)),
         tensor_f32("be", {m_out}, normal(6, seed + 3)), tensor_f32("mu", {m_out}, normal(6, seed + 4)),
         tensor_f32("v", {m_out}, {0.5f, 1.0f, 2.0f, 0.7f, 1.3f, 0.9f}), tensor_f32("s", {}, {1.5f})});
    const Folded f = check_fold(bytes, seed, {2, 4, 3, 5});
    REQUIRE(f.ops == std::vector<std::string>{"ConvTranspose"});
    REQUIRE(f.stats.bn_folded == 1);
    REQUIRE(f.stats.affine_folded == 2);
  }
}
