// Model quantization tests: the ONNX writer round trip, BN folding exact to float tolerance,
// fusion and static/dynamic/weight-only conversion on models built in code.
#include <catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <tuple>

#include "../runtime/onnx_builder.h"
#include "../test_util.h"
#include "onnx/onnx_writer.h"
#include "quantize/quantizer.h"
#include "runtime/model.h"

using namespace wasmq_test;
using wasmq::onnx::ElemType;
using wasmq::rt::Model;
namespace qz = wasmq::quantize;

namespace {

constexpr int32_t kF32 = 1;

// Conv(3->8, 3x3, pad 1) -> BatchNormalization -> Relu -> MaxPool 2x2 -> Flatten -> Gemm(8*4*4 -> 5).
std::string conv_bn_model(uint64_t seed) {
  const std::vector<float> w = normal(8 * 3 * 9, seed, 0.0f, 0.3f), b = normal(8, seed + 1, 0.0f, 0.1f);
  std::vector<float> gamma = normal(8, seed + 2, 1.0f, 0.2f), beta = normal(8, seed + 3, 0.0f, 0.2f);
  std::vector<float> mean = normal(8, seed + 4, 0.0f, 0.2f), var = normal(8, seed + 5, 1.0f, 0.1f);
  for (float& v : var) v = std::fabs(v) + 0.1f;
  const std::vector<float> gw = normal(5 * 128, seed + 6, 0.0f, 0.1f), gb = normal(5, seed + 7, 0.0f, 0.1f);
  return model(
      {node("Conv", {"x", "w", "b"}, {"c"}, {attr_ints("kernel_shape", {3, 3}), attr_ints("pads", {1, 1, 1, 1})}, "conv"),
       node("BatchNormalization", {"c", "gamma", "beta", "mean", "var"}, {"bn"}, {attr_float("epsilon", 1e-5f)}, "bn"),
       node("Relu", {"bn"}, {"r"}, {}, "relu"),
       node("MaxPool", {"r"}, {"p"}, {attr_ints("kernel_shape", {2, 2}), attr_ints("strides", {2, 2})}, "pool"),
       node("Flatten", {"p"}, {"f"}, {}, "flatten"),
       node("Gemm", {"f", "gw", "gb"}, {"y"}, {attr_int("transB", 1)}, "fc")},
      {value_info("x", kF32, {-1, 3, 8, 8})}, {value_info("y", kF32, {-1, 5})},
      {tensor_f32("w", {8, 3, 3, 3}, w), tensor_f32("b", {8}, b), tensor_f32("gamma", {8}, gamma), tensor_f32("beta", {8}, beta),
       tensor_f32("mean", {8}, mean), tensor_f32("var", {8}, var), tensor_f32("gw", {5, 128}, gw), tensor_f32("gb", {5}, gb)});
}

void stage1(Model& m, const std::vector<float>& x, const wasmq::rt::Shape& dims) {
  void* p = m.stage_input(0, ElemType::kFloat, dims);
  std::memcpy(p, x.data(), x.size() * 4);
}

std::vector<float> run1(Model& m, const std::vector<float>& x, const wasmq::rt::Shape& dims, size_t out = 0) {
  stage1(m, x, dims);
  m.run();
  const wasmq::rt::Tensor& t = m.output(out);
  return std::vector<float>(t.as<float>(), t.as<float>() + t.numel());
}

std::vector<std::string> op_types(const std::vector<uint8_t>& bytes) {
  const wasmq::onnx::ModelDef m = wasmq::onnx::decode_model(bytes.data(), bytes.size());
  std::vector<std::string> ops;
  for (const auto& n : m.graph.nodes) ops.push_back(n.op_type);
  return ops;
}

bool has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

}  // namespace

TEST_CASE("the ONNX writer round-trips a decoded model", "[quantize]") {
  const std::string bytes = conv_bn_model(test_seed(1));
  const auto m = wasmq::onnx::decode_model(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  const std::vector<uint8_t> out = wasmq::onnx::encode_model(m);
  const auto m2 = wasmq::onnx::decode_model(out.data(), out.size());
  REQUIRE(m2.graph.nodes.size() == m.graph.nodes.size());
  for (size_t i = 0; i < m.graph.nodes.size(); ++i) {
    CHECK(m2.graph.nodes[i].op_type == m.graph.nodes[i].op_type);
    CHECK(m2.graph.nodes[i].inputs == m.graph.nodes[i].inputs);
    CHECK(m2.graph.nodes[i].attributes.size() == m.graph.nodes[i].attributes.size());
  }
  REQUIRE(m2.graph.initializers.size() == m.graph.initializers.size());
  for (size_t i = 0; i < m.graph.initializers.size(); ++i) CHECK(m2.graph.initializers[i].data == m.graph.initializers[i].data);
  CHECK(m2.graph.inputs[0].dims[0].param == "N");
  CHECK(m2.opsets == m.opsets);
}

TEST_CASE("BN folding and Gemm splitting keep the float function", "[quantize]") {
  const uint64_t seed = test_seed(2);
  INFO("seed " << seed);
  const std::string bytes = conv_bn_model(seed);
  auto m = wasmq::onnx::decode_model(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  const qz::PassStats s = qz::prepare_float_graph(m);
  CHECK(s.bn_folded == 1);
  CHECK(s.gemm_split == 1);
  for (const auto& n : m.graph.nodes) CHECK(n.op_type != "BatchNormalization");
  const std::vector<uint8_t> folded = wasmq::onnx::encode_model(m);
  auto a = Model::load(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  auto b = Model::load(folded.data(), folded.size());
  const std::vector<float> x = normal(2 * 3 * 8 * 8, seed + 9);
  const auto ya = run1(*a, x, {2, 3, 8, 8}), yb = run1(*b, x, {2, 3, 8, 8});
  REQUIRE(ya.size() == yb.size());
  for (size_t i = 0; i < ya.size(); ++i) CHECK(std::fabs(ya[i] - yb[i]) <= 1e-5f + 1e-5f * std::fabs(ya[i]));
}

TEST_CASE("static quantization fuses Relu and emits QOperator and QDQ graphs", "[quantize]") {
  const uint64_t seed = test_seed(3);
  const std::string bytes = conv_bn_model(seed);
  qz::Options opt;
  qz::ModelQuantizer q(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), opt);
  CHECK_THROWS_WITH(q.convert(), Catch::Matchers::Contains("needs calibration data"));
  for (int i = 0; i < 4; ++i) {
    const std::vector<float> x = normal(3 * 8 * 8, seed + 20 + i);
    stage1(q.float_model(), x, {1, 3, 8, 8});
    q.observe_run();
  }
  q.convert();
  const auto& rows = q.report();
  REQUIRE(rows.size() == 3);  // conv+relu, pool, fc (the split Gemm's MatMul + bias Add as one QGemm)
  CHECK(rows[0].op == "Conv+Relu");
  CHECK(rows[0].zero_point == -128);  // the fused Relu's range starts at 0
  CHECK(rows[0].weight_sqnr_db > 35.0);
  CHECK(rows[1].op == "MaxPool");
  CHECK(rows[2].op == "MatMul+Add");
  CHECK(rows[2].qop == "QGemm");
  const auto qops = op_types(q.qoperator_bytes());
  CHECK(has(qops, "QLinearConv"));
  CHECK(has(qops, "QGemm"));
  CHECK(!has(qops, "QLinearMatMul"));
  CHECK(!has(qops, "QLinearAdd"));
  CHECK(!has(qops, "Reshape"));  // 2-D input: QGemm directly
  CHECK(!has(qops, "Relu"));
  CHECK(!has(qops, "Conv"));
  const auto qdq = op_types(q.export_bytes());
  CHECK(has(qdq, "QuantizeLinear"));
  CHECK(has(qdq, "DequantizeLinear"));
  CHECK(has(qdq, "Conv"));
  CHECK(!has(qdq, "QLinearConv"));
  // The 2-D fc layer is exported as Gemm (onnxruntime fuses DQ -> Gemm -> Q into QGemm), and
  // wasmq's loader fuses it the same way.
  CHECK(has(qdq, "Gemm"));
  CHECK(!has(qdq, "MatMul"));
  const auto back = Model::load(q.export_bytes().data(), q.export_bytes().size());
  bool qgemm = false, float_gemm = false;
  for (const auto& node : back->nodes()) {
    qgemm = qgemm || node.def->op_type == "QGemm";
    float_gemm = float_gemm || node.def->op_type == "Gemm";
  }
  CHECK(qgemm);
  CHECK(!float_gemm);
  // The QDQ export runs in the float runtime (Q/DQ are ops of its own when merged; else skip).
  if (q.report_model() != nullptr) {
    for (int i = 0; i < 4; ++i) {
      const std::vector<float> x = normal(3 * 8 * 8, seed + 20 + i);
      stage1(q.float_model(), x, {1, 3, 8, 8});
      stage1(*q.report_model(), x, {1, 3, 8, 8});
      q.compare_runs();
    }
    for (const auto& r : q.report()) CHECK(r.output_sqnr_db > 25.0);
  } else {
    WARN("runtime lacks the quantized ops: " << q.load_error());
  }
}

// Output SQNR (dB) of model b against model a over `count` seeded inputs of shape dims.
static double output_sqnr(Model& a, Model& b, const wasmq::rt::Shape& dims, uint64_t seed, int count) {
  size_t n = 1;
  for (int64_t d : dims) n *= static_cast<size_t>(d);
  double ref = 0, err = 0;
  for (int i = 0; i < count; ++i) {
    const std::vector<float> x = normal(n, seed + static_cast<uint64_t>(i));
    const auto ya = run1(a, x, dims), yb = run1(b, x, dims);
    REQUIRE(ya.size() == yb.size());
    for (size_t j = 0; j < ya.size(); ++j) {
      ref += static_cast<double>(ya[j]) * ya[j];
      err += (static_cast<double>(ya[j]) - yb[j]) * (static_cast<double>(ya[j]) - yb[j]);
    }
  }
  return qz::sqnr_db(ref, err);
}

TEST_CASE("dynamic and weight-only modes rewrite MatMul; dynamic rewrites Conv to ConvInteger", "[quantize]") {
  const uint64_t seed = test_seed(4);
  INFO("seed " << seed);
  const std::string bytes = conv_bn_model(seed);
  qz::Options dyn;
  dyn.mode = qz::Mode::kDynamic;
  qz::ModelQuantizer d(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), dyn);
  d.convert();
  REQUIRE(d.report().size() == 2);  // conv (BN folded), fc matmul
  CHECK(d.report()[0].qop == "ConvInteger");
  CHECK(d.report()[0].weight_sqnr_db > 35.0);
  CHECK(d.report()[1].qop == "MatMulInteger");
  const auto dops = op_types(d.qoperator_bytes());
  CHECK(has(dops, "DynamicQuantizeLinear"));
  CHECK(has(dops, "MatMulInteger"));
  CHECK(has(dops, "ConvInteger"));
  CHECK(!has(dops, "Conv"));
  REQUIRE(d.quantized_model() != nullptr);
  auto f = Model::load(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  const double s = output_sqnr(*f, *d.quantized_model(), {2, 3, 8, 8}, seed + 40, 8);
  INFO("dynamic conv net output SQNR " << s << " dB");
  CHECK(s > 30.0);
  qz::Options wo;
  wo.mode = qz::Mode::kWeightOnly;
  qz::ModelQuantizer w(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), wo);
  w.convert();
  REQUIRE(w.report().size() == 1);
  CHECK(w.report()[0].weight_sqnr_db > 15.0);
  CHECK(w.report()[0].weight_sqnr_db < 30.0);  // 4 bits
  CHECK(has(op_types(w.qoperator_bytes()), "MatMulNBits"));
}

TEST_CASE("dynamic ConvInteger handles groups, strides, no bias and 1-D convolutions", "[quantize]") {
  const uint64_t seed = test_seed(6);
  INFO("seed " << seed);
  const std::vector<float> dw = normal(4 * 1 * 9, seed, 0.0f, 0.5f), db = normal(4, seed + 1, 0.0f, 0.3f);
  const std::vector<float> pw = normal(6 * 4, seed + 2, 0.0f, 0.5f);
  const std::string two_d = model(
      {node("Conv", {"x", "dw", "db"}, {"a"}, {attr_int("group", 4), attr_ints("kernel_shape", {3, 3}), attr_ints("pads", {1, 1, 1, 1}),
                                                attr_ints("strides", {2, 2})}, "dw"),
       node("Conv", {"a", "pw"}, {"y"}, {attr_ints("kernel_shape", {1, 1})}, "pw")},
      {value_info("x", kF32, {-1, 4, 9, 9})}, {value_info("y", kF32, {-1, 6, 5, 5})},
      {tensor_f32("dw", {4, 1, 3, 3}, dw), tensor_f32("db", {4}, db), tensor_f32("pw", {6, 4, 1, 1}, pw)});
  const std::vector<float> w1 = normal(5 * 3 * 3, seed + 3, 0.0f, 0.4f), b1 = normal(5, seed + 4, 0.0f, 0.2f);
  const std::string one_d = model(
      {node("Conv", {"x", "w", "b"}, {"y"}, {attr_ints("kernel_shape", {3}), attr_ints("pads", {1, 1})}, "c1")},
      {value_info("x", kF32, {-1, 3, 16})}, {value_info("y", kF32, {-1, 5, 16})},
      {tensor_f32("w", {5, 3, 3}, w1), tensor_f32("b", {5}, b1)});
  qz::Options dyn;
  dyn.mode = qz::Mode::kDynamic;
  for (const auto& [bytes, dims, rows] : {std::make_tuple(two_d, wasmq::rt::Shape{2, 4, 9, 9}, size_t{2}),
                                          std::make_tuple(one_d, wasmq::rt::Shape{2, 3, 16}, size_t{1})}) {
    qz::ModelQuantizer d(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), dyn);
    d.convert();
    REQUIRE(d.report().size() == rows);
    for (const auto& r : d.report()) CHECK(r.qop == "ConvInteger");
    CHECK(!has(op_types(d.qoperator_bytes()), "Conv"));
    REQUIRE(d.quantized_model() != nullptr);
    auto f = Model::load(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    const double s = output_sqnr(*f, *d.quantized_model(), dims, seed + 50, 6);
    INFO("rank " << dims.size() << ": output SQNR " << s << " dB");
    CHECK(s > 30.0);
  }
}

// MatMul [.., K] x [K, N] + Add(bias [N]) (+ Relu) -> QGemm with an int32 bias; a 1-D or 3-D input
// goes through Reshape to 2-D and back. The int32 bias must be round(b / (x_scale * w_scale[n])): a bias
// far larger than the products (here 20x) survives exactly, where an int8 bias tensor would not.
TEST_CASE("static MatMul + bias Add becomes QGemm with an int32 bias, for 1-D, 2-D and 3-D inputs", "[quantize]") {
  const uint64_t seed = test_seed(7);
  INFO("seed " << seed);
  const int64_t K = 24, N = 10;
  const std::vector<float> w = normal(static_cast<size_t>(K * N), seed, 0.0f, 0.2f);
  std::vector<float> b = normal(static_cast<size_t>(N), seed + 1, 0.0f, 0.1f);
  b[3] = 20.0f;  // one large bias, as after BN-like folding
  b[7] = -0.001f;  // and one tiny one
  for (const int rank : {1, 2, 3}) {
    INFO(rank << "-D input");
    const std::vector<int64_t> xd = rank == 3 ? std::vector<int64_t>{-1, 5, K} : rank == 2 ? std::vector<int64_t>{-1, K} : std::vector<int64_t>{K};
    const std::vector<int64_t> yd = rank == 3 ? std::vector<int64_t>{-1, 5, N} : rank == 2 ? std::vector<int64_t>{-1, N} : std::vector<int64_t>{N};
    const std::string bytes = model({node("MatMul", {"x", "w"}, {"m"}, {}, "mm"), node("Add", {"m", "b"}, {"a"}, {}, "bias"),
                                     node("Relu", {"a"}, {"y"}, {}, "relu")},
                                    {value_info("x", kF32, xd)}, {value_info("y", kF32, yd)},
                                    {tensor_f32("w", {K, N}, w), tensor_f32("b", {N}, b)});
    const wasmq::rt::Shape dims = rank == 3 ? wasmq::rt::Shape{3, 5, K} : rank == 2 ? wasmq::rt::Shape{4, K} : wasmq::rt::Shape{K};
    size_t numel = 1;
    for (int64_t d : dims) numel *= static_cast<size_t>(d);
    qz::ModelQuantizer q(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), qz::Options{});
    for (int i = 0; i < 8; ++i) {
      stage1(q.float_model(), normal(numel, seed + 10 + static_cast<uint64_t>(i)), dims);
      q.observe_run();
    }
    q.convert();
    REQUIRE(q.report().size() == 1);
    CHECK(q.report()[0].op == "MatMul+Add+Relu");
    CHECK(q.report()[0].qop == "QGemm");
    const auto qops = op_types(q.qoperator_bytes());
    CHECK(has(qops, "QGemm"));
    CHECK(has(qops, "Reshape") == (rank != 2));
    CHECK(!has(qops, "QLinearAdd"));
    const auto ex = wasmq::onnx::decode_model(q.export_bytes().data(), q.export_bytes().size());
    const wasmq::onnx::TensorData* bq = nullptr;
    for (const auto& t : ex.graph.initializers)
      if (t.name == "mm__b_q") bq = &t;
    REQUIRE(bq != nullptr);
    REQUIRE(bq->dtype == ElemType::kInt32);
    std::vector<int32_t> codes(static_cast<size_t>(N));
    std::memcpy(codes.data(), bq->data.data(), codes.size() * 4);
    CHECK(std::abs(codes[3]) > 10000);  // 20 / (x_scale * w_scale) needs far more than 8 bits
    CHECK(codes[7] != 0);
    REQUIRE(q.quantized_model() != nullptr);
    auto f = Model::load(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    const double s = output_sqnr(*f, *q.quantized_model(), dims, seed + 60, 6);
    INFO("output SQNR " << s << " dB");
    CHECK(s > 30.0);
  }
}

TEST_CASE("exclusions and models without quantizable nodes give clear errors", "[quantize]") {
  const std::string bytes = conv_bn_model(test_seed(5));
  qz::Options opt;
  opt.exclude = {"nope"};
  CHECK_THROWS_WITH(qz::ModelQuantizer(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), opt),
                    Catch::Matchers::Contains("'nope'"));
  opt.exclude = {"conv"};
  qz::ModelQuantizer q(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), opt);
  for (const auto& r : q.report()) CHECK(r.node != "conv");
  const std::string relu_only = model({node("Relu", {"x"}, {"y"})}, {value_info("x", kF32, {4})}, {value_info("y", kF32, {4})});
  CHECK_THROWS_WITH(qz::ModelQuantizer(reinterpret_cast<const uint8_t*>(relu_only.data()), relu_only.size(), qz::Options{}),
                    Catch::Matchers::Contains("nothing to quantize"));
}

TEST_CASE("entropy calibration of one-signed data far from zero gives a valid range", "[quantize]") {
  // Post-Relu activations of a quantized node can sit entirely above the KL threshold; the affine
  // range used to come out empty (rmin > rmax) and conversion threw.
  std::vector<float> x(4096);
  for (size_t i = 0; i < x.size(); ++i) x[i] = 5.0f + static_cast<float>(i % 97) / 97.0f;
  auto obs = wasmq::make_observer(wasmq::Calibration::kEntropy);
  obs->observe(x.data(), x.size());
  const wasmq::QParams p = obs->qparams(wasmq::DType::kInt8, wasmq::Scheme::kAffine);
  CHECK(p.scale > 0.0f);
  CHECK(p.scale * 255.0f >= 4.0f);  // a real clipping range, not the empty-range fallback (scale 1) or a throw
  CHECK(p.scale < 1.0f);
}

TEST_CASE("MultiObserver gives each observer's own range from one pass", "[quantize][observers]") {
  const uint64_t seed = test_seed(41);
  using wasmq::Calibration;
  // Every kind (the histogram ones read one shared histogram): each range equals its own observer's.
  const std::vector<Calibration> all = {Calibration::kMinMax, Calibration::kPercentile, Calibration::kMse,
                                        Calibration::kEntropy, Calibration::kMovingAverage};
  wasmq::MultiObserver every(all);
  std::vector<std::unique_ptr<wasmq::Observer>> own;
  for (Calibration k : all) own.push_back(wasmq::make_observer(k));
  for (int b = 0; b < 3; ++b) {
    std::vector<float> x = normal(3000, seed + 10 + static_cast<uint64_t>(b));
    for (size_t i = 0; i < x.size(); i += 89) x[i] *= 9.0f;
    every.observe(x.data(), x.size());
    for (auto& o : own) o->observe(x.data(), x.size());
  }
  for (size_t i = 0; i < all.size(); ++i) {
    every.select(all[i]);
    for (auto scheme : {wasmq::Scheme::kAffine, wasmq::Scheme::kSymmetric}) {
      const wasmq::Range a = every.range(wasmq::DType::kInt8, scheme), b = own[i]->range(wasmq::DType::kInt8, scheme);
      CHECK(a.min == b.min);
      CHECK(a.max == b.max);
    }
  }
  std::vector<float> bad = {1.0f, NAN};
  CHECK_THROWS_WITH(every.observe(bad.data(), bad.size()), Catch::Matchers::Contains("NaN"));

  const std::vector<Calibration> kinds = {Calibration::kMinMax, Calibration::kPercentile, Calibration::kMse};
  wasmq::MultiObserver multi(kinds);
  std::vector<std::unique_ptr<wasmq::Observer>> single;
  for (Calibration k : kinds) single.push_back(wasmq::make_observer(k));
  for (int b = 0; b < 3; ++b) {  // heavy-tailed batches: the three ranges differ
    std::vector<float> x = normal(2000, seed + static_cast<uint64_t>(b));
    for (size_t i = 0; i < x.size(); i += 97) x[i] *= 12.0f;
    multi.observe(x.data(), x.size());
    for (auto& o : single) o->observe(x.data(), x.size());
  }
  CHECK(multi.count() == 6000);
  for (size_t i = 0; i < kinds.size(); ++i) {
    multi.select(kinds[i]);
    CHECK(multi.selected() == kinds[i]);
    const wasmq::Range a = multi.range(wasmq::DType::kInt8, wasmq::Scheme::kAffine);
    const wasmq::Range b = single[i]->range(wasmq::DType::kInt8, wasmq::Scheme::kAffine);
    CHECK(a.min == b.min);
    CHECK(a.max == b.max);
  }
  multi.select(Calibration::kMinMax);
  const float mm = multi.range(wasmq::DType::kInt8, wasmq::Scheme::kAffine).max;
  multi.select(Calibration::kMse);
  CHECK(multi.range(wasmq::DType::kInt8, wasmq::Scheme::kAffine).max < mm);  // mse clips the tail
  CHECK_THROWS_WITH(multi.select(Calibration::kEntropy), Catch::Matchers::Contains("'entropy' was not observed"));
}

TEST_CASE("select_calibration rebuilds the quantized model from another observed calibration", "[quantize]") {
  const uint64_t seed = test_seed(43);
  const std::string bytes = conv_bn_model(seed);
  qz::Options opt;
  opt.candidates = {wasmq::Calibration::kMinMax, wasmq::Calibration::kMse};
  qz::ModelQuantizer q(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), opt);
  for (int i = 0; i < 4; ++i) {  // heavy-tailed inputs: mse clips the conv's output range
    std::vector<float> x = normal(3 * 8 * 8, seed + 20 + i);
    for (size_t j = 0; j < x.size(); j += 31) x[j] *= 10.0f;
    stage1(q.float_model(), x, {1, 3, 8, 8});
    q.observe_run();
  }
  q.convert();
  CHECK(q.calibration() == wasmq::Calibration::kMinMax);
  const float scale_minmax = q.report()[0].scale;
  const std::vector<uint8_t> qop_minmax = q.qoperator_bytes();
  // A trial builds the quantized model only; a full build brings back the report model and export.
  q.select_calibration(wasmq::Calibration::kMse, true);
  CHECK(q.calibration() == wasmq::Calibration::kMse);
  CHECK(q.report_model() == nullptr);
  CHECK(q.export_bytes().empty());
  CHECK(q.report()[0].scale < scale_minmax);
  CHECK(q.qoperator_bytes() != qop_minmax);
  q.select_calibration(wasmq::Calibration::kMinMax);
  CHECK(q.report()[0].scale == scale_minmax);
  CHECK(q.qoperator_bytes() == qop_minmax);  // the same model as the first conversion
  CHECK(!q.export_bytes().empty());
  if (q.report_model() != nullptr) {
    CHECK(std::isnan(q.output_sqnr_db()));  // nothing compared since the rebuild
    for (int i = 0; i < 2; ++i) {
      const std::vector<float> x = normal(3 * 8 * 8, seed + 20 + i);
      stage1(q.float_model(), x, {1, 3, 8, 8});
      stage1(*q.report_model(), x, {1, 3, 8, 8});
      q.compare_runs();
    }
    CHECK(q.output_sqnr_db() > 25.0);
  }
  CHECK_THROWS_WITH(q.select_calibration(wasmq::Calibration::kPercentile), Catch::Matchers::Contains("'percentile' was not observed"));
  qz::Options plain;
  qz::ModelQuantizer p(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), plain);
  CHECK_THROWS_WITH(p.select_calibration(wasmq::Calibration::kMse), Catch::Matchers::Contains("no calibration candidates"));
}

TEST_CASE("release_calibration frees the calibration state; the quantized model, report and bytes stay", "[quantize]") {
  const uint64_t seed = test_seed(51);
  const std::string bytes = conv_bn_model(seed);
  qz::ModelQuantizer q(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), qz::Options{});
  for (int i = 0; i < 2; ++i) {
    stage1(q.float_model(), normal(3 * 8 * 8, seed + 20 + i), {1, 3, 8, 8});
    q.observe_run();
  }
  q.convert();
  REQUIRE(q.report_model() != nullptr);
  const std::vector<float> x = normal(3 * 8 * 8, seed + 30);
  stage1(q.float_model(), x, {1, 3, 8, 8});
  stage1(*q.report_model(), x, {1, 3, 8, 8});
  q.compare_runs();
  const double sqnr = q.report()[0].output_sqnr_db;
  const std::vector<float> before = run1(*q.quantized_model(), x, {1, 3, 8, 8});
  const std::vector<uint8_t> qdq = q.export_bytes();
  q.release_calibration();
  CHECK(q.released());
  CHECK(q.report_model() == nullptr);
  CHECK(q.report()[0].output_sqnr_db == sqnr);
  CHECK(q.export_bytes() == qdq);
  CHECK(run1(*q.quantized_model(), x, {1, 3, 8, 8}) == before);
  CHECK_THROWS_WITH(q.float_model(), Catch::Matchers::Contains("released"));
  CHECK_THROWS_WITH(q.compare_runs(), Catch::Matchers::Contains("released"));
  CHECK_THROWS_WITH(q.observe_run(), Catch::Matchers::Contains("calibration after conversion"));
}

// A [N, 3, 8, 8]-input model quantized static (min-max) with int16 conv inputs on or off, calibrated
// on 4 seeded inputs (seeds from `seed`).
static std::unique_ptr<qz::ModelQuantizer> quantize_3x8x8(const std::string& bytes, bool int16, uint64_t seed) {
  qz::Options opt;
  opt.int16 = int16 ? qz::Int16Activations::kConvInputs : qz::Int16Activations::kNone;
  auto q = std::make_unique<qz::ModelQuantizer>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), opt);
  for (int i = 0; i < 4; ++i) {
    stage1(q->float_model(), normal(3 * 64, seed + static_cast<uint64_t>(i)), {1, 3, 8, 8});
    q->observe_run();
  }
  q->convert();
  REQUIRE(q->load_error().empty());
  return q;
}

// Names of a model's INT16 initializers (the int16 activations' zero points).
static std::set<std::string> int16_initializers(const wasmq::onnx::ModelDef& m) {
  std::set<std::string> s;
  for (const auto& t : m.graph.initializers)
    if (t.dtype == ElemType::kInt16) s.insert(t.name);
  return s;
}

// Conv(3->16, 3x3) -> Relu -> depthwise Conv(16, 3x3) -> Relu -> Conv(16->8, 1x1) -> Add(x2 branch)
// -> Conv(8->4, 1x1): the Relu outputs and the Add output feed only convolutions.
static std::string conv_chain_model(uint64_t seed) {
  return model(
      {node("Conv", {"x", "w1", "b1"}, {"c1"}, {attr_ints("kernel_shape", {3, 3}), attr_ints("pads", {1, 1, 1, 1})}, "conv1"),
       node("Relu", {"c1"}, {"r1"}, {}, "relu1"),
       node("Conv", {"r1", "w2", "b2"}, {"c2"}, {attr_ints("kernel_shape", {3, 3}), attr_ints("pads", {1, 1, 1, 1}), attr_int("group", 16)}, "dw"),
       node("Relu", {"c2"}, {"r2"}, {}, "relu2"),
       node("Conv", {"r2", "w3", "b3"}, {"c3"}, {attr_ints("kernel_shape", {1, 1})}, "pw"),
       node("Conv", {"x", "w5", "b5"}, {"c5"}, {attr_ints("kernel_shape", {1, 1})}, "side"),
       node("Add", {"c3", "c5"}, {"a"}, {}, "add"),
       node("Conv", {"a", "w4", "b4"}, {"y"}, {attr_ints("kernel_shape", {1, 1})}, "head")},
      {value_info("x", kF32, {-1, 3, 8, 8})}, {value_info("y", kF32, {-1, 4, 8, 8})},
      {tensor_f32("w1", {16, 3, 3, 3}, normal(16 * 27, seed, 0.0f, 0.3f)), tensor_f32("b1", {16}, normal(16, seed + 1, 0.1f, 0.1f)),
       tensor_f32("w2", {16, 1, 3, 3}, normal(16 * 9, seed + 2, 0.0f, 0.3f)), tensor_f32("b2", {16}, normal(16, seed + 3, 0.1f, 0.1f)),
       tensor_f32("w3", {8, 16, 1, 1}, normal(8 * 16, seed + 4, 0.0f, 0.3f)), tensor_f32("b3", {8}, normal(8, seed + 5, 0.0f, 0.1f)),
       tensor_f32("w5", {8, 3, 1, 1}, normal(8 * 3, seed + 8, 0.0f, 0.3f)), tensor_f32("b5", {8}, normal(8, seed + 9, 0.0f, 0.1f)),
       tensor_f32("w4", {4, 8, 1, 1}, normal(4 * 8, seed + 6, 0.0f, 0.3f)), tensor_f32("b4", {4}, normal(4, seed + 7, 0.0f, 0.1f))});
}

TEST_CASE("int16 convolution inputs (A16W8): int16 codes where every consumer is a Conv, closer to float, exported with com.microsoft Q/DQ", "[quantize][int16]") {
  const uint64_t seed = test_seed(16);
  const std::string bytes = conv_chain_model(seed);
  double sqnr[2] = {0, 0};
  std::map<std::string, double> row_sqnr[2];  // the report's per-node output SQNR
  for (int mode = 0; mode < 2; ++mode) {
    INFO("int16 " << (mode ? "conv-inputs" : "none"));
    auto qp = quantize_3x8x8(bytes, mode != 0, seed + 20);
    qz::ModelQuantizer& q = *qp;
    const wasmq::onnx::ModelDef qop = wasmq::onnx::decode_model(q.qoperator_bytes().data(), q.qoperator_bytes().size());
    const std::set<std::string> i16 = int16_initializers(qop);
    if (mode == 0) {
      CHECK(i16.empty());
    } else {
      // relu1 and relu2 (Conv+Relu outputs) and the Add output feed only convolutions; c5 feeds
      // the Add, the input x a Quantize: they stay int8.
      CHECK(i16 == std::set<std::string>{"r1__zp", "r2__zp", "a__zp"});
      bool clamp = false;
      for (const auto& n : qop.graph.nodes)
        for (const auto& a : n.attributes) clamp = clamp || (a.name == "wasmq_qmin" && a.i == 0);
      CHECK(clamp);  // the fused Relus on symmetric int16 outputs
      const wasmq::onnx::ModelDef ex = wasmq::onnx::decode_model(q.export_bytes().data(), q.export_bytes().size());
      size_t ms_qdq = 0, relu = 0;
      for (const auto& n : ex.graph.nodes) {
        ms_qdq += n.domain == "com.microsoft" && (n.op_type == "QuantizeLinear" || n.op_type == "DequantizeLinear");
        relu += n.op_type == "Relu";
      }
      CHECK(ms_qdq == 6);
      CHECK(relu == 2);
      CHECK(ex.opsets.count("com.microsoft") == 1);
    }
    // The quantized model against float on the calibration inputs (rounding, not clipping, is
    // what int16 removes), and the QDQ export (wasmq's float ops between the int16 Q/DQ) against
    // the quantized model.
    auto& f = q.float_model();
    auto qm = Model::load(q.qoperator_bytes().data(), q.qoperator_bytes().size());
    sqnr[mode] = output_sqnr(f, *qm, {1, 3, 8, 8}, seed + 20, 4);
    auto exm = Model::load(q.export_bytes().data(), q.export_bytes().size());
    CHECK(output_sqnr(*qm, *exm, {1, 3, 8, 8}, seed + 20, 4) > 38.0);
    for (int i = 0; i < 4; ++i) {
      const std::vector<float> x = normal(3 * 64, seed + 20 + i);
      stage1(q.float_model(), x, {1, 3, 8, 8});
      stage1(*q.report_model(), x, {1, 3, 8, 8});
      q.compare_runs();
    }
    for (const auto& r : q.report()) {
      row_sqnr[mode][r.node] = r.output_sqnr_db;
      CHECK(std::string(r.dtype) == (mode && i16.count(r.output + "__zp") ? "int16" : "int8"));
    }
  }
  // Measured: end to end 34.1 -> 34.8 dB (the int8 input x, the side branch and the int8 output
  // y stay); the int16 tensors themselves conv1 40.3 -> 41.4, dw 38.6 -> 40.9, add 35.3 -> 37.4 dB.
  INFO("output SQNR int8 " << sqnr[0] << " dB, int16 conv inputs " << sqnr[1] << " dB");
  CHECK(sqnr[0] > 30.0);
  CHECK(sqnr[1] > sqnr[0] + 0.4);
  for (const char* n : {"conv1", "dw", "add"}) {
    INFO(n << ": int8 " << row_sqnr[0][n] << " dB, int16 " << row_sqnr[1][n] << " dB");
    CHECK(row_sqnr[1][n] > row_sqnr[0][n] + 0.8);
  }
  CHECK(row_sqnr[1]["side"] == row_sqnr[0]["side"]);  // int8 in both: the same codes
}

TEST_CASE("a channel with all but zero weights keeps its bias: the weight scale is widened until the int32 bias fits", "[quantize]") {
  // Conv(4 -> 3, 1x1) + Relu; channel 1's weights are ~1e-9 with bias 2.0 (a dead channel of a
  // trained net): at w_scale = 1e-9 / 127 its bias would be ~2.5e13 codes, far past int32.
  std::vector<float> w = normal(12, test_seed(31), 0.0f, 0.5f);
  for (int i = 4; i < 8; ++i) w[static_cast<size_t>(i)] = 1e-9f * static_cast<float>(i - 5);
  const std::vector<float> b{0.1f, 2.0f, -0.3f};
  const std::string bytes = model({node("Conv", {"x", "w", "b"}, {"c"}, {attr_ints("kernel_shape", {1, 1})}, "conv"),
                                   node("Relu", {"c"}, {"y"}, {}, "relu")},
                                  {value_info("x", kF32, {1, 4, 4, 4})}, {value_info("y", kF32, {1, 3, 4, 4})},
                                  {tensor_f32("w", {3, 4, 1, 1}, w), tensor_f32("b", {3}, b)});
  qz::ModelQuantizer q(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), qz::Options{});
  for (int i = 0; i < 4; ++i) {
    stage1(q.float_model(), normal(64, test_seed(32) + i), {1, 4, 4, 4});
    q.observe_run();
  }
  q.convert();
  const wasmq::onnx::ModelDef qop = wasmq::onnx::decode_model(q.qoperator_bytes().data(), q.qoperator_bytes().size());
  for (const auto& t : qop.graph.initializers) {
    if (t.name != "conv__b_q") continue;
    std::vector<int32_t> bq(3);
    std::memcpy(bq.data(), t.data.data(), 12);
    for (int32_t v : bq) CHECK(std::abs(static_cast<int64_t>(v)) <= (int64_t{1} << 30));
  }
  auto qm = Model::load(q.qoperator_bytes().data(), q.qoperator_bytes().size());
  const std::vector<float> x = normal(64, test_seed(32));
  const auto yf = run1(q.float_model(), x, {1, 4, 4, 4}), yq = run1(*qm, x, {1, 4, 4, 4});
  for (size_t i = 16; i < 32; ++i) CHECK(std::fabs(yq[i] - 2.0f) < 0.05f);  // channel 1: relu(2 + ~0)
  CHECK(output_sqnr(q.float_model(), *qm, {1, 4, 4, 4}, test_seed(32), 4) > 30.0);
  (void)yf;
}

TEST_CASE("int16 conv inputs: a conv output read only by a hard-swish chain gets int16 codes too; the runtime makes the chain one 65536-entry table", "[quantize][int16]") {
  const uint64_t seed = test_seed(61);
  // Conv(3->8, 3x3) -> x * clip(x + 3, 0, 6) / 6 (as exporters write hard-swish) -> Conv(8->4, 1x1)
  const std::string bytes = model(
      {node("Conv", {"x", "w1", "b1"}, {"c"}, {attr_ints("kernel_shape", {3, 3}), attr_ints("pads", {1, 1, 1, 1})}, "conv1"),
       node("Add", {"c", "three"}, {"a"}, {}, "add3"), node("Clip", {"a", "zero", "six"}, {"k"}, {}, "clip"),
       node("Mul", {"c", "k"}, {"m"}, {}, "mul"), node("Div", {"m", "six"}, {"h"}, {}, "div"),
       node("Conv", {"h", "w2", "b2"}, {"y"}, {attr_ints("kernel_shape", {1, 1})}, "conv2")},
      {value_info("x", kF32, {-1, 3, 8, 8})}, {value_info("y", kF32, {-1, 4, 8, 8})},
      {tensor_f32("w1", {8, 3, 3, 3}, normal(8 * 27, seed, 0.0f, 0.4f)), tensor_f32("b1", {8}, normal(8, seed + 1, 0.0f, 0.3f)),
       tensor_f32("w2", {4, 8, 1, 1}, normal(32, seed + 2, 0.0f, 0.3f)), tensor_f32("b2", {4}, normal(4, seed + 3, 0.0f, 0.1f)),
       tensor_f32("three", {}, {3.0f}), tensor_f32("zero", {}, {0.0f}), tensor_f32("six", {}, {6.0f})});
  double sqnr[2] = {0, 0};
  for (int mode = 0; mode < 2; ++mode) {
    auto qp = quantize_3x8x8(bytes, mode != 0, seed + 20);
    qz::ModelQuantizer& q = *qp;
    const wasmq::onnx::ModelDef qop = wasmq::onnx::decode_model(q.qoperator_bytes().data(), q.qoperator_bytes().size());
    const std::set<std::string> i16 = int16_initializers(qop);
    // mode 1: the conv output c (read by the chain) and the chain's output (read by conv2).
    CHECK(i16.size() == (mode ? 2u : 0u));
    if (mode) CHECK(i16.count("c__zp") == 1);
    auto qm = Model::load(q.qoperator_bytes().data(), q.qoperator_bytes().size());
    size_t luts = 0;
    for (const auto& n : qm->nodes()) luts += n.def->op_type == "Lut";
    CHECK(luts == 1);  // the chain, as one table (65536 entries on int16 codes)
    sqnr[mode] = output_sqnr(q.float_model(), *qm, {1, 3, 8, 8}, seed + 20, 4);
  }
  INFO("output SQNR int8 " << sqnr[0] << " dB, int16 " << sqnr[1] << " dB");
  CHECK(sqnr[1] > sqnr[0] + 1.0);
}
