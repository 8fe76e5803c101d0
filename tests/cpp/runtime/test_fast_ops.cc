// Fast ops (ops_fast_*.cc, fuse.cc) against the reference ops on random models: Conv (groups,
// depthwise, dilation, strides, padding, auto_pad, 1-D, 1x1, fused BatchNormalization and
// Relu/Clip), Gemm, MatMul, activations, Softmax and LayerNormalization.
#include <catch.hpp>

#include <cmath>
#include <cstring>
#include <string>

#include "../test_util.h"
#include "onnx_builder.h"
#include "runtime/model.h"
#include "runtime/ops_fast.h"

using namespace wasmq_test;
using wasmq::rt::Model;
using wasmq::onnx::ElemType;

namespace {

constexpr int32_t kF32 = 1;

struct FastOff {  // loads the reference version of a model, then restores the switch
  FastOff() { wasmq::rt::set_fast_ops_enabled(false); }
  ~FastOff() { wasmq::rt::set_fast_ops_enabled(true); }
};

std::vector<float> run(Model& m, const std::vector<std::vector<int64_t>>& dims, const std::vector<std::vector<float>>& xs) {
  for (size_t i = 0; i < xs.size(); ++i) {
    void* p = m.stage_input(i, ElemType::kFloat, dims[i]);
    std::memcpy(p, xs[i].data(), xs[i].size() * 4);
  }
  m.run();
  const auto& y = m.output(0);
  return std::vector<float>(y.as<const float>(), y.as<const float>() + y.numel());
}

size_t numel(const std::vector<int64_t>& d) {
  size_t n = 1;
  for (int64_t v : d) n *= static_cast<size_t>(v);
  return n;
}

// Runs the model with fast ops and with reference ops (twice each: the second run reuses the plan
// and the packed weights) and compares: |fast - ref| <= 1e-4 * max(1, |ref|).
void compare(const std::string& bytes, const std::vector<std::vector<int64_t>>& dims, uint64_t seed, size_t* fast_nodes = nullptr,
             size_t* ref_nodes = nullptr) {
  std::vector<std::vector<float>> xs;
  for (size_t i = 0; i < dims.size(); ++i) xs.push_back(normal(numel(dims[i]), seed + i));
  auto fast = load(bytes);
  std::unique_ptr<Model> ref;
  {
    FastOff off;
    ref = load(bytes);
  }
  const std::vector<float> r = run(*ref, dims, xs);
  std::vector<float> f = run(*fast, dims, xs);
  std::vector<float> f2 = run(*fast, dims, xs);
  REQUIRE(f.size() == r.size());
  CHECK(f == f2);
  size_t bad = 0;
  for (size_t i = 0; i < r.size(); ++i) {
    if (!(std::fabs(f[i] - r[i]) <= 1e-4f * std::max(1.0f, std::fabs(r[i])))) {
      if (bad++ < 3) FAIL_CHECK("element " << i << ": fast " << f[i] << " vs reference " << r[i]);
    }
  }
  CHECK(bad == 0);
  if (fast_nodes) *fast_nodes = fast->nodes().size();
  if (ref_nodes) *ref_nodes = ref->nodes().size();
}

bool all_fast(const Model& m, const std::string& op_type) {
  bool any = false;
  for (const auto& n : m.nodes()) {
    if (n.def->op_type != op_type) continue;
    const auto* f = dynamic_cast<const wasmq::rt::FastOp*>(n.op.get());
    if (!f || !f->uses_fast_path()) return false;
    any = true;
  }
  return any;
}

struct ConvCase {
  int64_t n, c, h, w, o, kh, kw, group, sh, sw, dh, dw, pt, pl, pb, pr;
  std::string auto_pad = "NOTSET";
  bool bias = true;
  int post = 0;  // 0 none, 1 BN, 2 Relu, 3 BN + Clip(0, 6) (attributes, opset 9), 4 Clip inputs (opset 13)
};

std::string conv_model(const ConvCase& k, uint64_t seed, int64_t opset) {
  const int64_t cg = k.c / k.group;
  std::vector<Pb> inits{tensor_f32("W", {k.o, cg, k.kh, k.kw}, normal(k.o * cg * k.kh * k.kw, seed, 0.0f, 0.5f))};
  std::vector<std::string> ins{"x", "W"};
  if (k.bias) {
    inits.push_back(tensor_f32("B", {k.o}, normal(k.o, seed + 1)));
    ins.push_back("B");
  }
  std::vector<Pb> attrs{attr_ints("kernel_shape", {k.kh, k.kw}), attr_ints("strides", {k.sh, k.sw}),
                        attr_ints("dilations", {k.dh, k.dw}), attr_int("group", k.group)};
  if (k.auto_pad == "NOTSET") {
    attrs.push_back(attr_ints("pads", {k.pt, k.pl, k.pb, k.pr}));
  } else {
    attrs.push_back(attr_string("auto_pad", k.auto_pad));
  }
  std::vector<Pb> nodes{node("Conv", ins, {"c"}, attrs)};
  std::string last = "c";
  if (k.post == 1 || k.post == 3) {
    inits.push_back(tensor_f32("s", {k.o}, uniform(k.o, seed + 2, 0.5f, 1.5f)));
    inits.push_back(tensor_f32("bb", {k.o}, normal(k.o, seed + 3)));
    inits.push_back(tensor_f32("mu", {k.o}, normal(k.o, seed + 4)));
    inits.push_back(tensor_f32("var", {k.o}, uniform(k.o, seed + 5, 0.2f, 2.0f)));
    nodes.push_back(node("BatchNormalization", {last, "s", "bb", "mu", "var"}, {"bn"}, {attr_float("epsilon", 1e-3f)}));
    last = "bn";
  }
  if (k.post == 2) {
    nodes.push_back(node("Relu", {last}, {"act"}));
    last = "act";
  } else if (k.post == 3) {
    nodes.push_back(node("Clip", {last}, {"act"}, {attr_float("min", 0.0f), attr_float("max", 6.0f)}));
    last = "act";
  } else if (k.post == 4) {
    inits.push_back(tensor_f32("lo", {}, {-0.5f}));
    inits.push_back(tensor_f32("hi", {}, {0.75f}));
    nodes.push_back(node("Clip", {last, "lo", "hi"}, {"act"}));
    last = "act";
  }
  nodes.push_back(node("Identity", {last}, {"y"}));
  return model(nodes, {value_info("x", kF32, {k.n, k.c, k.h, k.w})}, {value_info("y", kF32, {})}, inits, opset);
}

}  // namespace

TEST_CASE("fast Conv equals the reference Conv", "[runtime]") {
  const uint64_t seed = test_seed(71);
  WASMQ_SEED_INFO(seed);
  std::vector<ConvCase> cases = {
      // n  c  h   w   o  kh kw g  sh sw dh dw pt pl pb pr
      {1, 3, 9, 11, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1},          // dense 3x3, odd sizes
      {1, 3, 16, 16, 16, 3, 3, 1, 2, 2, 1, 1, 1, 1, 1, 1},        // stem, stride 2
      {2, 7, 5, 13, 9, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0},          // 1x1 direct, batch 2
      {1, 8, 6, 7, 12, 1, 1, 1, 2, 1, 1, 1, 0, 0, 0, 0},          // 1x1 strided
      {1, 4, 5, 5, 6, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1},           // 1x1 padded
      {1, 6, 10, 9, 9, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},          // groups 3
      {1, 4, 9, 9, 8, 3, 2, 2, 2, 1, 2, 1, 2, 0, 1, 3},           // groups, dilation, asymmetric pads
      {1, 16, 12, 17, 16, 3, 3, 16, 1, 1, 1, 1, 1, 1, 1, 1},      // depthwise 3x3 s1
      {2, 10, 13, 21, 10, 3, 3, 10, 2, 2, 1, 1, 1, 1, 1, 1},      // depthwise s2, odd widths
      {1, 9, 11, 30, 9, 5, 5, 9, 2, 1, 1, 1, 2, 2, 2, 2},         // depthwise 5x5 s2x1
      {1, 5, 8, 19, 5, 3, 3, 5, 1, 2, 2, 2, 2, 2, 2, 2},          // depthwise dilated s1x2
      {1, 4, 7, 7, 4, 3, 3, 4, 3, 3, 1, 1, 0, 0, 0, 0},           // depthwise stride 3, no pad
      {1, 4, 7, 9, 8, 3, 3, 4, 1, 1, 1, 1, 1, 1, 1, 1},           // channel multiplier 2 (grouped GEMM)
      // depthwise with outputs >= 32 wide: the NCHW per-plane SIMD loop (narrower: NHWC kernel)
      {1, 6, 5, 41, 6, 3, 3, 6, 1, 1, 1, 1, 1, 1, 1, 1},          // s1
      {2, 3, 6, 77, 3, 3, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1},          // s2, odd width
      {1, 5, 9, 70, 5, 5, 5, 5, 1, 2, 2, 1, 2, 4, 1, 3},          // 5x5, s1x2, dilation, asymmetric pads
      {1, 4, 4, 99, 4, 1, 3, 4, 1, 3, 1, 2, 0, 1, 0, 0},          // 1x3, stride 3 (scalar path)
      {1, 3, 6, 160, 4, 1, 3, 1, 1, 1, 1, 1, 0, 1, 0, 1},         // 1x3 kernel (rec)
      {1, 40, 20, 20, 48, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0},       // larger 1x1 (several pixel blocks)
      {1, 96, 24, 24, 24, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1},       // K = 864: small pixel blocks
  };
  ConvCase same{1, 3, 10, 7, 4, 3, 2, 1, 2, 3, 1, 1, 0, 0, 0, 0};
  same.auto_pad = "SAME_UPPER";
  cases.push_back(same);
  same.auto_pad = "SAME_LOWER";
  cases.push_back(same);
  same.auto_pad = "VALID";
  cases.push_back(same);
  ConvCase nobias{1, 5, 8, 8, 5, 3, 3, 5, 1, 1, 1, 1, 1, 1, 1, 1};
  nobias.bias = false;
  cases.push_back(nobias);
  for (size_t i = 0; i < cases.size(); ++i) {
    for (int post = 0; post <= 4; ++post) {
      ConvCase k = cases[i];
      k.post = post;
      INFO("case " << i << " post " << post << " c " << k.c << " o " << k.o << " group " << k.group << " k " << k.kh << "x" << k.kw);
      const int64_t opset = post == 3 ? 9 : 13;
      const std::string bytes = conv_model(k, seed + i * 10, opset);
      size_t nf = 0, nr = 0;
      compare(bytes, {{k.n, k.c, k.h, k.w}}, seed + i, &nf, &nr);
      const size_t fused = (post == 1 || post == 2 || post == 4) ? 1 : post == 3 ? 2 : 0;
      CHECK(nr - nf == fused);  // BN and Relu/Clip folded into the Conv
      auto m = load(bytes);
      std::vector<float> x = normal(numel({k.n, k.c, k.h, k.w}), seed);
      run(*m, {{k.n, k.c, k.h, k.w}}, {x});
      CHECK(all_fast(*m, "Conv"));
    }
  }
}

TEST_CASE("fast Conv: 1-D convolution and a Relu that is also a graph output are handled", "[runtime]") {
  const uint64_t seed = test_seed(72);
  WASMQ_SEED_INFO(seed);
  std::vector<Pb> inits{tensor_f32("W", {6, 2, 3}, normal(36, seed)), tensor_f32("B", {6}, normal(6, seed + 1))};
  const std::string conv1d = model(
      {node("Conv", {"x", "W", "B"}, {"c"}, {attr_ints("pads", {1, 2}), attr_ints("strides", {2}), attr_int("group", 2)}),
       node("Relu", {"c"}, {"y"})},
      {value_info("x", kF32, {2, 4, 23})}, {value_info("y", kF32, {})}, inits, 13);
  compare(conv1d, {{2, 4, 23}}, seed);
  // The Conv output is read by the Relu and is a graph output: no fusion, both outputs right.
  const std::string two_out = model({node("Conv", {"x", "W", "B"}, {"c"}, {attr_ints("pads", {1, 1})}), node("Relu", {"c"}, {"y"})},
                                    {value_info("x", kF32, {1, 2, 9})}, {value_info("y", kF32, {}), value_info("c", kF32, {})}, inits, 13);
  size_t nf = 0, nr = 0;
  compare(two_out, {{1, 2, 9}}, seed, &nf, &nr);
  CHECK(nf == nr);
}

TEST_CASE("fast Gemm and MatMul equal the reference", "[runtime]") {
  const uint64_t seed = test_seed(73);
  WASMQ_SEED_INFO(seed);
  for (int64_t m : {1, 3, 17}) {
    for (int64_t k : {1, 7, 33}) {
      for (int64_t n : {1, 5, 9, 40}) {
        for (int variant = 0; variant < 6; ++variant) {
          INFO("m " << m << " k " << k << " n " << n << " variant " << variant);
          const bool ta = variant == 3, tb = variant % 2 == 1;
          std::vector<Pb> attrs{attr_int("transA", ta), attr_int("transB", tb), attr_float("alpha", variant == 2 ? 0.5f : 1.0f),
                                attr_float("beta", variant == 4 ? 2.0f : 1.0f)};
          std::vector<int64_t> bd = tb ? std::vector<int64_t>{n, k} : std::vector<int64_t>{k, n};
          std::vector<int64_t> cd = variant == 4 ? std::vector<int64_t>{m, n} : variant == 5 ? std::vector<int64_t>{m, 1} : std::vector<int64_t>{n};
          std::vector<Pb> inits{tensor_f32("B", bd, normal(n * k, seed + 1)), tensor_f32("C", cd, normal(numel(cd), seed + 2))};
          std::vector<int64_t> ad = ta ? std::vector<int64_t>{k, m} : std::vector<int64_t>{m, k};
          const std::string gemm = model({node("Gemm", {"a", "B", "C"}, {"y"}, attrs)}, {value_info("a", kF32, ad)},
                                         {value_info("y", kF32, {})}, inits, 13);
          compare(gemm, {ad}, seed + m * 100 + k * 10 + n);
          // B as an input: packed per run.
          const std::string gemm_b = model({node("Gemm", {"a", "b"}, {"y"}, attrs)}, {value_info("a", kF32, ad), value_info("b", kF32, bd)},
                                           {value_info("y", kF32, {})}, {}, 13);
          compare(gemm_b, {ad, bd}, seed + 7);
        }
        // MatMul: constant 2-D B with batched A; batched B as an input with broadcasting.
        const std::string mm = model({node("MatMul", {"a", "B"}, {"y"})}, {value_info("a", kF32, {2, 3, m, k})}, {value_info("y", kF32, {})},
                                     {tensor_f32("B", {k, n}, normal(k * n, seed + 3))}, 13);
        compare(mm, {{2, 3, m, k}}, seed + 4);
        auto fm = load(mm);
        run(*fm, {{2, 3, m, k}}, {normal(6 * m * k, seed)});
        CHECK(all_fast(*fm, "MatMul"));
        const std::string mm2 = model({node("MatMul", {"a", "b"}, {"y"})}, {value_info("a", kF32, {2, 1, m, k}), value_info("b", kF32, {3, k, n})},
                                      {value_info("y", kF32, {})}, {}, 13);
        compare(mm2, {{2, 1, m, k}, {3, k, n}}, seed + 5);
      }
    }
  }
  const std::string vec = model({node("MatMul", {"a", "b"}, {"y"})}, {value_info("a", kF32, {7}), value_info("b", kF32, {7, 3})},
                                {value_info("y", kF32, {})}, {}, 13);
  compare(vec, {{7}, {7, 3}}, seed);
}

TEST_CASE("fast activations, Softmax and LayerNormalization equal the reference", "[runtime]") {
  const uint64_t seed = test_seed(74);
  WASMQ_SEED_INFO(seed);
  const std::vector<std::pair<std::string, std::vector<Pb>>> unary = {
      {"Relu", {}}, {"Sigmoid", {}}, {"Tanh", {}}, {"HardSigmoid", {attr_float("alpha", 1.0f / 6), attr_float("beta", 0.5f)}},
      {"HardSwish", {}}, {"LeakyRelu", {attr_float("alpha", 0.1f)}}, {"Exp", {}}, {"Gelu", {}},
      {"Gelu", {attr_string("approximate", "tanh")}}, {"Softmax", {}}, {"Softmax", {attr_int("axis", 1)}},
      {"LayerNormalization", {attr_float("epsilon", 1e-3f)}}, {"GlobalAveragePool", {}}};
  for (const auto& [op, attrs] : unary) {
    for (std::vector<int64_t> d : {std::vector<int64_t>{1, 37}, std::vector<int64_t>{3, 5, 19}, std::vector<int64_t>{2, 4, 4, 9}}) {
      INFO(op << " dims " << d.size());
      std::vector<Pb> inits;
      std::vector<std::string> ins{"x"};
      if (op == "LayerNormalization") {
        inits = {tensor_f32("g", {d.back()}, normal(d.back(), seed + 1)), tensor_f32("b", {d.back()}, normal(d.back(), seed + 2))};
        ins = {"x", "g", "b"};
      }
      const int64_t opset = op == "Gelu" ? 20 : op == "HardSwish" || op == "LayerNormalization" ? 17 : 13;
      compare(model({node(op, ins, {"y"}, attrs)}, {value_info("x", kF32, d)}, {value_info("y", kF32, {})}, inits, opset), {d}, seed);
    }
  }
  std::vector<Pb> inits{tensor_f32("lo", {}, {-0.25f}), tensor_f32("hi", {}, {0.5f})};
  compare(model({node("Clip", {"x", "lo", "hi"}, {"y"})}, {value_info("x", kF32, {4, 33})}, {value_info("y", kF32, {})}, inits, 13), {{4, 33}}, seed);
  compare(model({node("Clip", {"x"}, {"y"}, {attr_float("min", 0.0f), attr_float("max", 6.0f)})}, {value_info("x", kF32, {4, 33})},
                {value_info("y", kF32, {})}, {}, 9),
          {{4, 33}}, seed);
}

TEST_CASE("fast Add/Sub/Mul/Div equal the reference under broadcasting", "[runtime]") {
  const uint64_t seed = test_seed(75);
  WASMQ_SEED_INFO(seed);
  const std::vector<std::pair<std::vector<int64_t>, std::vector<int64_t>>> shapes = {
      {{2, 8, 5, 7}, {2, 8, 5, 7}},  // same shape
      {{2, 8, 5, 7}, {2, 8, 1, 1}},  // squeeze-excite scale (per channel)
      {{1, 1, 1, 1}, {3, 8, 4, 9}},  // scalar on the left
      {{3, 8, 4, 9}, {}},            // scalar on the right
      {{4, 5, 33}, {33}},            // last-axis vector (bias)
      {{4, 1, 33}, {1, 6, 33}},      // both broadcast
      {{5, 1}, {1, 40}},             // outer product shape
      {{2, 3, 1, 12}, {3, 7, 1}},    // mixed
      {{6, 9}, {6, 1}},              // per row, short inner block (reference)
  };
  for (const char* op : {"Add", "Sub", "Mul", "Div"}) {
    for (const auto& [da, db] : shapes) {
      INFO(op << " " << da.size() << "-D x " << db.size() << "-D");
      compare(model({node(op, {"a", "b"}, {"y"})}, {value_info("a", kF32, da), value_info("b", kF32, db)}, {value_info("y", kF32, {})}, {}, 13),
              {da, db}, seed);
    }
  }
}

TEST_CASE("fast ConvTranspose equals the reference", "[runtime]") {
  const uint64_t seed = test_seed(76);
  WASMQ_SEED_INFO(seed);
  struct Case { int64_t n, c, h, w, o, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, op; };
  const std::vector<Case> cases = {
      {1, 8, 5, 7, 4, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0, 0},   // det's upsampling 2x2 stride 2
      {2, 3, 6, 5, 5, 3, 3, 2, 1, 1, 1, 1, 0, 1, 2, 1},   // overlapping taps, pads, output_padding
      {1, 4, 4, 9, 3, 3, 2, 1, 3, 2, 1, 2, 1, 0, 1, 0},   // dilation
      {1, 1, 1, 1, 2, 4, 4, 1, 1, 1, 1, 0, 0, 0, 0, 0},   // single pixel
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    const Case& k = cases[i];
    INFO("case " << i);
    std::vector<Pb> inits{tensor_f32("W", {k.c, k.o, k.kh, k.kw}, normal(k.c * k.o * k.kh * k.kw, seed + i)),
                          tensor_f32("B", {k.o}, normal(k.o, seed + 9))};
    std::vector<Pb> attrs{attr_ints("strides", {k.sh, k.sw}), attr_ints("dilations", {k.dh, k.dw}),
                          attr_ints("pads", {k.pt, k.pl, k.pb, k.pr})};
    if (k.op) attrs.push_back(attr_ints("output_padding", {k.op, 0}));
    const std::string bytes = model({node("ConvTranspose", {"x", "W", "B"}, {"y"}, attrs)}, {value_info("x", kF32, {k.n, k.c, k.h, k.w})},
                                    {value_info("y", kF32, {})}, inits, 13);
    compare(bytes, {{k.n, k.c, k.h, k.w}}, seed + i);
    auto m = load(bytes);
    run(*m, {{k.n, k.c, k.h, k.w}}, {normal(numel({k.n, k.c, k.h, k.w}), seed)});
    CHECK(all_fast(*m, "ConvTranspose"));
  }
}

TEST_CASE("fast nearest Resize equals the reference", "[runtime]") {
  const uint64_t seed = test_seed(77);
  WASMQ_SEED_INFO(seed);
  for (const char* coord : {"asymmetric", "half_pixel", "align_corners", "pytorch_half_pixel", "tf_half_pixel_for_nn"}) {
    for (const char* nm : {"floor", "round_prefer_floor", "round_prefer_ceil", "ceil"}) {
      for (const std::vector<float>& sc : {std::vector<float>{1, 1, 2, 2}, std::vector<float>{1, 1, 0.6f, 1.7f}, std::vector<float>{1, 2, 3, 0.5f}}) {
        INFO(coord << " " << nm << " scales " << sc[1] << " " << sc[2] << " " << sc[3]);
        const std::string bytes = model({node("Resize", {"x", "", "scales"}, {"y"},
                                              {attr_string("mode", "nearest"), attr_string("coordinate_transformation_mode", coord),
                                               attr_string("nearest_mode", nm)})},
                                        {value_info("x", kF32, {2, 3, 7, 10})}, {value_info("y", kF32, {})}, {tensor_f32("scales", {4}, sc)}, 13);
        compare(bytes, {{2, 3, 7, 10}}, seed);
        auto m = load(bytes);
        run(*m, {{2, 3, 7, 10}}, {normal(420, seed)});
        CHECK(all_fast(*m, "Resize"));
      }
    }
  }
}

TEST_CASE("hard-swish written as Add/Clip/Div/Mul becomes one HardSwish", "[runtime]") {
  const uint64_t seed = test_seed(78);
  WASMQ_SEED_INFO(seed);
  for (int64_t opset : {9, 13}) {
    for (bool swap : {false, true}) {
      INFO("opset " << opset << " swap " << swap);
      std::vector<Pb> inits{tensor_f32("three", {}, {3.0f}), tensor_f32("six", {}, {6.0f}), tensor_f32("zero", {}, {0.0f})};
      std::vector<Pb> nodes{node("Add", {swap ? "three" : "x", swap ? "x" : "three"}, {"a"})};
      if (opset < 11) {
        nodes.push_back(node("Clip", {"a"}, {"c"}, {attr_float("min", 0.0f), attr_float("max", 6.0f)}));
      } else {
        nodes.push_back(node("Clip", {"a", "zero", "six"}, {"c"}));
      }
      if (swap) {  // PaddleOCR's order: Mul(x, clip) then Div by 6
        nodes.push_back(node("Mul", {"x", "c"}, {"d"}));
        nodes.push_back(node("Div", {"d", "six"}, {"y"}));
      } else {
        nodes.push_back(node("Div", {"c", "six"}, {"d"}));
        nodes.push_back(node("Mul", {"d", "x"}, {"y"}));
      }
      const std::string bytes = model(nodes, {value_info("x", kF32, {2, 3, 5, 7})}, {value_info("y", kF32, {})}, inits, opset);
      size_t nf = 0, nr = 0;
      compare(bytes, {{2, 3, 5, 7}}, seed, &nf, &nr);
      CHECK(nr - nf == 3);
    }
  }
  // Not a hard-swish (divides by 5): left alone.
  std::vector<Pb> inits{tensor_f32("three", {}, {3.0f}), tensor_f32("five", {}, {5.0f})};
  const std::string other = model({node("Add", {"x", "three"}, {"a"}), node("Clip", {"a"}, {"c"}, {attr_float("min", 0.0f), attr_float("max", 6.0f)}),
                                   node("Div", {"c", "five"}, {"d"}), node("Mul", {"x", "d"}, {"y"})},
                                  {value_info("x", kF32, {4, 9})}, {value_info("y", kF32, {})}, inits, 9);
  size_t nf = 0, nr = 0;
  compare(other, {{4, 9}}, seed, &nf, &nr);
  CHECK(nf == nr);
}
