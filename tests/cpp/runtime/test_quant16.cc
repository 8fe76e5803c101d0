// int16 activations in the runtime (A16W8): QLinearConv with an INT16 x and/or y against an integer
// oracle (int64 sums + requantize_fp32, tolerance 0) in NCHW and inside the NHWC region, QLinearAdd /
// QLinearMul with an INT16 output, the int16 Lut of a fused chain, int16 Quantize/DequantizeLinear,
// and the errors for what the int16 paths do not run.
#include <catch.hpp>

#include <cmath>
#include <cstring>
#include <random>
#include <sstream>
#include <string>

#include "kernels/elementwise/elementwise.h"
#include "kernels/requant/requant.h"
#include "onnx_builder.h"
#include "runtime/model.h"
#include "runtime/op.h"

using namespace wasmq_test;
using wasmq::onnx::ElemType;
using wasmq::rt::Model;

namespace {

constexpr int32_t kF32 = 1, kI8 = 3, kI16 = 5, kI32 = 6;

template <typename TY, typename TX>
std::vector<TY> run_typed(Model& m, ElemType t, const std::vector<int64_t>& dims, const std::vector<TX>& x) {
  void* p = m.stage_input(0, t, dims);
  std::memcpy(p, x.data(), x.size() * sizeof(TX));
  m.run();
  const auto& y = m.output(0);
  return std::vector<TY>(y.as<const TY>(), y.as<const TY>() + y.numel());
}

std::vector<std::string> op_types(const Model& m) {
  std::vector<std::string> v;
  for (const auto& n : m.nodes()) v.push_back(n.def->op_type);
  return v;
}

struct Conv16Case {
  bool x16 = true, y16 = true, relu = false, bias = true, per_ch = true;
  int64_t batch = 1, group = 1, c = 8, o = 8, kh = 1, kw = 1, h = 5, w = 6, sh = 1, sw = 1, pt = 0, pl = 0, pb = 0, pr = 0;
  int32_t xzp = 0;  // int8 x only
  std::string label() const {
    std::ostringstream s;
    s << "x " << (x16 ? "s16" : "s8") << " y " << (y16 ? "s16" : "s8") << (relu ? " relu" : "") << " batch " << batch << " group "
      << group << " c " << c << " o " << o << " k " << kh << "x" << kw << " s " << sh << "x" << sw << " pads " << pt << "," << pl
      << "," << pb << "," << pr << " in " << h << "x" << w << " xzp " << xzp << (per_ch ? " per-channel" : " per-tensor")
      << (bias ? " bias" : "");
    return s.str();
  }
};

// One QLinearConv node with the case's types, run with the int8 passes on (NHWC region) and off
// (NCHW as written); both must equal the oracle exactly. Returns the values checked.
template <typename TX, typename TY>
size_t check_conv16(std::mt19937& rng, const Conv16Case& k) {
  INFO(k.label());
  const int64_t cg = k.c / k.group, K = cg * k.kh * k.kw;
  const int64_t oh = (k.h + k.pt + k.pb - k.kh) / k.sh + 1, ow = (k.w + k.pl + k.pr - k.kw) / k.sw + 1;
  const std::vector<int64_t> xd{k.batch, k.c, k.h, k.w}, wd{k.o, cg, k.kh, k.kw}, yd{k.batch, k.o, oh, ow};
  const int32_t xlo = k.x16 ? -32768 : -128, xhi = k.x16 ? 32767 : 127;
  std::uniform_int_distribution<int32_t> xv(xlo, xhi), wv(-127, 127);
  std::vector<TX> x(static_cast<size_t>(k.batch * k.c * k.h * k.w));
  for (auto& v : x) v = static_cast<TX>(xv(rng));
  std::vector<int8_t> wt(static_cast<size_t>(k.o * K));
  for (auto& v : wt) v = static_cast<int8_t>(wv(rng));
  const size_t nw = k.per_ch ? static_cast<size_t>(k.o) : 1;
  std::vector<float> wsc(nw);
  for (auto& v : wsc) v = 0.004f * static_cast<float>(1 + rng() % 9);
  std::vector<int32_t> bias(static_cast<size_t>(k.o));
  for (auto& v : bias) v = static_cast<int32_t>(rng() % 2000001) - 1000000;
  // y's scale puts the outputs mostly inside the range, some saturating.
  const float xsc = k.x16 ? 1e-4f : 0.03f;
  const double acc_sd = std::sqrt(static_cast<double>(K)) * (k.x16 ? 18918.0 : 74.0) * 73.0;
  const float ysc = static_cast<float>(acc_sd * xsc * 0.02 / (k.y16 ? 9000.0 : 45.0));
  const int32_t yzp = k.y16 ? 0 : static_cast<int32_t>(rng() % 41) - 20;
  const int32_t xt = k.x16 ? kI16 : kI8, yt = k.y16 ? kI16 : kI8;
  const std::vector<int64_t> pd = k.per_ch ? std::vector<int64_t>{k.o} : std::vector<int64_t>{};
  std::vector<Pb> attrs{attr_int("group", k.group), attr_ints("pads", {k.pt, k.pl, k.pb, k.pr}), attr_ints("strides", {k.sh, k.sw}),
                        attr_ints("kernel_shape", {k.kh, k.kw})};
  if (k.relu) attrs.push_back(attr_int("wasmq_qmin", yzp));
  std::vector<std::string> qin{"x", "xs", "xz", "w", "ws", "wz", "ys", "yz"};
  if (k.bias) qin.push_back("b");
  std::vector<Pb> inits{tensor_f32("xs", {}, {xsc}), tensor_f32("ws", pd, wsc), tensor_raw("w", wd, kI8, wt),
                        tensor_raw("wz", pd, kI8, std::vector<int8_t>(nw, 0)), tensor_f32("ys", {}, {ysc}),
                        tensor_raw("b", {k.o}, kI32, bias)};
  if (k.x16) inits.push_back(tensor_raw("xz", {}, kI16, std::vector<int16_t>{0}));
  else inits.push_back(tensor_raw("xz", {}, kI8, std::vector<int8_t>{static_cast<int8_t>(k.xzp)}));
  if (k.y16) inits.push_back(tensor_raw("yz", {}, kI16, std::vector<int16_t>{static_cast<int16_t>(yzp)}));
  else inits.push_back(tensor_raw("yz", {}, kI8, std::vector<int8_t>{static_cast<int8_t>(yzp)}));
  const std::string mb = model({node("QLinearConv", qin, {"y"}, attrs)}, {value_info("x", xt, xd)}, {value_info("y", yt, yd)}, inits);
  const ElemType xe = k.x16 ? ElemType::kInt16 : ElemType::kInt8;
  auto on = load(mb);
  const std::vector<TY> y = run_typed<TY>(*on, xe, xd, x);
  REQUIRE(run_typed<TY>(*on, xe, xd, x) == y);  // second run: same plan, packed weights reused
  wasmq::rt::set_int8_passes_enabled(false);
  auto off = load(mb);
  wasmq::rt::set_int8_passes_enabled(true);
  REQUIRE(run_typed<TY>(*off, xe, xd, x) == y);

  const int32_t qmin = k.relu ? yzp : (k.y16 ? -32768 : -128), qmax = k.y16 ? 32767 : 127;
  const int32_t xz = k.x16 ? 0 : k.xzp;
  size_t checked = 0;
  for (int64_t nb = 0; nb < k.batch; ++nb)
    for (int64_t oc = 0; oc < k.o; ++oc)
      for (int64_t oy = 0; oy < oh; ++oy)
        for (int64_t ox = 0; ox < ow; ++ox) {
          const int64_t g = oc / (k.o / k.group);
          int64_t acc = k.bias ? bias[static_cast<size_t>(oc)] : 0;
          for (int64_t ci = 0; ci < cg; ++ci)
            for (int64_t ky = 0; ky < k.kh; ++ky)
              for (int64_t kx = 0; kx < k.kw; ++kx) {
                const int64_t iy = oy * k.sh - k.pt + ky, ix = ox * k.sw - k.pl + kx;
                if (iy < 0 || iy >= k.h || ix < 0 || ix >= k.w) continue;
                const int64_t xi = ((nb * k.c + g * cg + ci) * k.h + iy) * k.w + ix;
                acc += (static_cast<int64_t>(x[static_cast<size_t>(xi)]) - xz) *
                       wt[static_cast<size_t>(((oc * cg + ci) * k.kh + ky) * k.kw + kx)];
              }
          REQUIRE(acc == static_cast<int32_t>(acc));
          const float s = xsc * wsc[k.per_ch ? static_cast<size_t>(oc) : 0] / ysc;
          const int32_t want = wasmq::requantize_fp32(static_cast<int32_t>(acc), s, yzp, qmin, qmax);
          const size_t yi = static_cast<size_t>(((nb * k.o + oc) * oh + oy) * ow + ox);
          if (static_cast<int32_t>(y[yi]) != want) {
            FAIL("y[" << nb << "][" << oc << "][" << oy << "][" << ox << "] = " << +y[yi] << ", oracle " << want << " (acc " << acc << ")");
          }
          ++checked;
        }
  return checked;
}

size_t check_case(std::mt19937& rng, const Conv16Case& k) {
  if (k.x16 && k.y16) return check_conv16<int16_t, int16_t>(rng, k);
  if (k.x16) return check_conv16<int16_t, int8_t>(rng, k);
  return check_conv16<int8_t, int16_t>(rng, k);
}

}  // namespace

TEST_CASE("QLinearConv with INT16 x and/or y equals the integer oracle (1x1, im2col, depthwise, groups)", "[runtime][int16]") {
  std::mt19937 rng(1616);
  size_t checked = 0;
  const bool xy[3][2] = {{true, true}, {true, false}, {false, true}};
  for (const auto& t : xy) {
    for (int64_t c : {1, 3, 8, 16, 24, 40}) {
      for (int64_t o : {1, 4, 8, 13, 16, 24, 40, 72}) {
        Conv16Case k;  // 1x1 direct (the column-blocked and MRx4 GEMMs by K and N)
        k.x16 = t[0];
        k.y16 = t[1];
        k.c = c;
        k.o = o;
        k.relu = (c + o) % 3 == 0 && k.y16;
        k.xzp = k.x16 ? 0 : static_cast<int32_t>(c % 7) - 3;
        k.per_ch = o % 2 == 0;
        checked += check_case(rng, k);
      }
      Conv16Case k3;  // 3x3 stride 2 with padding (im2col)
      k3.x16 = t[0];
      k3.y16 = t[1];
      k3.c = c;
      k3.o = 16;
      k3.kh = k3.kw = 3;
      k3.sh = k3.sw = 2;
      k3.pt = k3.pl = 1;
      k3.pb = c % 2;
      k3.pr = 1;
      k3.h = 7;
      k3.w = 9;
      k3.batch = 2;
      checked += check_case(rng, k3);
      Conv16Case dw = k3;  // depthwise 3x3 and 5x5
      dw.group = dw.o = c;
      dw.kh = dw.kw = c % 2 ? 5 : 3;
      dw.pt = dw.pl = dw.pb = dw.pr = dw.kh / 2;
      dw.sh = c % 3 == 0 ? 2 : 1;
      dw.relu = dw.y16 && c % 2 == 0;
      checked += check_case(rng, dw);
      if (c % 8 == 0) {
        Conv16Case gr = k3;  // grouped, not depthwise
        gr.group = 2;
        gr.o = 8;
        checked += check_case(rng, gr);
      }
    }
  }
  INFO("values checked: " << checked);
  CHECK(checked > 10000);
}

TEST_CASE("QLinearConv INT16 paths reject what they do not run, naming the node", "[runtime][int16]") {
  auto build = [](int16_t xzp, int8_t w, int64_t k, const std::vector<Pb>& extra, bool y16) {
    const std::vector<int64_t> xd{1, k, 2, 2};
    std::vector<Pb> attrs{attr_ints("kernel_shape", {1, 1})};
    for (const Pb& a : extra) attrs.push_back(a);
    std::vector<Pb> inits{tensor_f32("xs", {}, {0.01f}), tensor_raw("xz", {}, kI16, std::vector<int16_t>{xzp}),
                          tensor_raw("w", {2, k, 1, 1}, kI8, std::vector<int8_t>(static_cast<size_t>(2 * k), w)),
                          tensor_f32("ws", {}, {0.01f}), tensor_raw("wz", {}, kI8, std::vector<int8_t>{0}),
                          tensor_f32("ys", {}, {0.5f})};
    if (y16) inits.push_back(tensor_raw("yz", {}, kI16, std::vector<int16_t>{0}));
    else inits.push_back(tensor_raw("yz", {}, kI8, std::vector<int8_t>{0}));
    return model({node("QLinearConv", {"x", "xs", "xz", "w", "ws", "wz", "ys", "yz"}, {"y"}, attrs, "conv16")},
                 {value_info("x", kI16, xd)}, {value_info("y", y16 ? kI16 : kI8, {1, 2, 2, 2})}, inits);
  };
  // The weights are packed when the model is planned: load and run once.
  auto load_run = [](const std::string& mb, int64_t k) {
    auto m = load(mb);
    std::vector<int16_t> x(static_cast<size_t>(4 * k), 1);
    void* p = m->stage_input(0, ElemType::kInt16, {1, k, 2, 2});
    std::memcpy(p, x.data(), x.size() * 2);
    m->run();
  };
  REQUIRE_NOTHROW(load_run(build(0, 127, 16, {}, true), 16));
  REQUIRE_THROWS_WITH(load_run(build(5, 127, 16, {}, true), 16), Catch::Contains("conv16") && Catch::Contains("x_zero_point 0"));
  // 32768 * 127 * 600 >= 2^31: the int32 sums could overflow.
  REQUIRE_THROWS_WITH(load_run(build(0, 127, 600, {}, true), 600), Catch::Contains("could overflow"));
  REQUIRE_THROWS_WITH(load_run(build(0, 1, 16, {attr_int("wasmq_qmin", 10), attr_int("wasmq_qmax", 5)}, true), 16),
                      Catch::Contains("no output code"));
  // The clamp attributes need an int16 tensor.
  const std::vector<Pb> inits8{tensor_f32("s", {}, {0.01f}), tensor_raw("z", {}, kI8, std::vector<int8_t>{0}),
                               tensor_raw("w", {2, 2, 1, 1}, kI8, std::vector<int8_t>(4, 1))};
  auto m8 = load(model({node("QLinearConv", {"x", "s", "z", "w", "s", "z", "s", "z"}, {"y"}, {attr_int("wasmq_qmin", 0)}, "c8")},
                       {value_info("x", kI8, {1, 2, 2, 2})}, {value_info("y", kI8, {1, 2, 2, 2})}, inits8));
  m8->stage_input(0, ElemType::kInt8, {1, 2, 2, 2});
  REQUIRE_THROWS_WITH(m8->run(), Catch::Contains("c8") && Catch::Contains("need an INT16 x or y"));
}

TEST_CASE("QLinearAdd / QLinearMul with an INT16 output equal the formula; a fused int16 chain equals the unfused one", "[runtime][int16]") {
  std::mt19937 rng(77);
  const std::vector<int64_t> ad{1, 6, 3, 5}, bd{1, 6, 1, 1};
  std::vector<int8_t> a(90), b(6);
  for (auto& v : a) v = static_cast<int8_t>(static_cast<int>(rng() % 256) - 128);
  for (auto& v : b) v = static_cast<int8_t>(static_cast<int>(rng() % 256) - 128);
  const float sa = 0.05f, sb = 0.01f, sy = 4e-5f;
  const int8_t za = -7, zb = 3;
  for (bool mul : {false, true}) {
    INFO((mul ? "QLinearMul" : "QLinearAdd"));
    const std::vector<Pb> inits{tensor_f32("sa", {}, {sa}), tensor_raw("za", {}, kI8, std::vector<int8_t>{za}),
                                tensor_raw("b", bd, kI8, b),   tensor_f32("sb", {}, {sb}),
                                tensor_raw("zb", {}, kI8, std::vector<int8_t>{zb}), tensor_f32("sy", {}, {sy}),
                                tensor_raw("zy", {}, kI16, std::vector<int16_t>{0})};
    auto m = load(model({ms_node(mul ? "QLinearMul" : "QLinearAdd", {"a", "sa", "za", "b", "sb", "zb", "sy", "zy"}, {"y"})},
                        {value_info("a", kI8, ad)}, {value_info("y", kI16, ad)}, inits));
    const auto y = run_typed<int16_t>(*m, ElemType::kInt8, ad, a);
    const wasmq::QAddParams pa = wasmq::make_qs8_qs16_add_params(sa, za, sb, zb, sy, 0);
    const wasmq::QMulParams pm = wasmq::make_qs8_qs16_mul_params(sa, za, sb, zb, sy, 0);
    for (size_t i = 0; i < a.size(); ++i) {
      const int32_t av = a[i], bv = b[i / 15];
      const int32_t want = mul ? wasmq::requantize_fp32((av - za) * (bv - zb), pm.requant)
                               : wasmq::requantize_fp32((av - za) * pa.a_multiplier + (bv - zb) * pa.b_multiplier, pa.requant);
      REQUIRE(y[i] == want);
    }
  }
  // Hard-swish written as QLinearAdd(x, 3) clipped to [0, 6] -> QLinearMul(x, .) with an INT16
  // output: the int8 passes fuse it into one Lut with an INT16 table, bit-identical to the chain.
  const std::vector<int64_t> xd{2, 4, 8, 8};
  std::vector<int8_t> x(512);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<int8_t>(static_cast<int>(i % 256) - 128);
  const std::vector<Pb> inits{tensor_f32("sx", {}, {0.04f}),  tensor_raw("zx", {}, kI8, std::vector<int8_t>{-10}),
                              tensor_raw("c3", {}, kI8, std::vector<int8_t>{127}), tensor_f32("s3", {}, {3.0f / 127}),
                              tensor_raw("z0", {}, kI8, std::vector<int8_t>{0}),   tensor_f32("sc", {}, {6.0f / 255}),
                              tensor_raw("zc", {}, kI8, std::vector<int8_t>{-128}), tensor_f32("sy", {}, {6e-4f}),
                              tensor_raw("zy", {}, kI16, std::vector<int16_t>{0})};
  const std::string mb = model({ms_node("QLinearAdd", {"x", "sx", "zx", "c3", "s3", "z0", "sc", "zc"}, {"c"}),
                                ms_node("QLinearMul", {"x", "sx", "zx", "c", "sc", "zc", "sy", "zy"}, {"y"})},
                               {value_info("x", kI8, xd)}, {value_info("y", kI16, xd)}, inits);
  auto fused = load(mb);
  const auto ops = op_types(*fused);
  REQUIRE(ops == std::vector<std::string>{"Lut"});
  wasmq::rt::set_int8_passes_enabled(false);
  auto plain = load(mb);
  wasmq::rt::set_int8_passes_enabled(true);
  REQUIRE(run_typed<int16_t>(*fused, ElemType::kInt8, xd, x) == run_typed<int16_t>(*plain, ElemType::kInt8, xd, x));
}

TEST_CASE("Quantize/DequantizeLinear with INT16 codes (default and com.microsoft domains)", "[runtime][int16]") {
  const std::vector<float> x{-4.0f, -1.00005f, -0.5f, 0.0f, 0.25f, 1e-4f, 1.5e-4f, 2.5e-4f, 3.3f, 100.0f};
  const std::vector<int64_t> d{static_cast<int64_t>(x.size())};
  for (bool ms : {false, true}) {
    INFO((ms ? "com.microsoft" : "ai.onnx"));
    const std::vector<Pb> inits{tensor_f32("s", {}, {1e-4f}), tensor_raw("z", {}, kI16, std::vector<int16_t>{-3})};
    Pb q = ms ? ms_node("QuantizeLinear", {"x", "s", "z"}, {"q"}) : node("QuantizeLinear", {"x", "s", "z"}, {"q"});
    Pb dq = ms ? ms_node("DequantizeLinear", {"q", "s", "z"}, {"y"}) : node("DequantizeLinear", {"q", "s", "z"}, {"y"});
    // INT16 Q/DQ are opset 21 in the default domain; onnxruntime's contrib ones exist below it.
    auto m = load(model({q, dq}, {value_info("x", kF32, d)}, {value_info("y", kF32, d)}, inits, ms ? 13 : 21));
    const auto y = run_typed<float>(*m, ElemType::kFloat, d, x);
    for (size_t i = 0; i < x.size(); ++i) {
      const float c = std::min(32767.0f, std::max(-32768.0f, std::nearbyint(x[i] / 1e-4f) - 3.0f));
      REQUIRE(y[i] == (c + 3.0f) * 1e-4f);
    }
  }
}

TEST_CASE("a hard-swish chain on INT16 codes (QLinearAdd/Mul with an INT16 input) equals its double definition; fused into a 65536-entry Lut it is bit-identical", "[runtime][int16]") {
  const std::vector<int64_t> xd{1, 3, 16, 16};
  std::vector<int16_t> x(768);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<int16_t>(static_cast<int32_t>(i * 7919 % 65536) - 32768);
  x[0] = -32768;
  x[1] = 32767;
  const float sx = 4e-4f, sc = 6.0f / 255, s3 = 3.0f / 127;
  for (bool y16 : {false, true}) {
    INFO((y16 ? "int16 output" : "int8 output"));
    const float sy = y16 ? 4e-4f : 0.05f;
    const int32_t zy = y16 ? 0 : -3;
    std::vector<Pb> inits{tensor_f32("sx", {}, {sx}), tensor_raw("zx", {}, kI16, std::vector<int16_t>{0}),
                          tensor_raw("c3", {}, kI8, std::vector<int8_t>{127}), tensor_f32("s3", {}, {s3}),
                          tensor_raw("z0", {}, kI8, std::vector<int8_t>{0}), tensor_f32("sc", {}, {sc}),
                          tensor_raw("zc", {}, kI8, std::vector<int8_t>{-128}), tensor_f32("sy", {}, {sy})};
    if (y16) inits.push_back(tensor_raw("zy", {}, kI16, std::vector<int16_t>{static_cast<int16_t>(zy)}));
    else inits.push_back(tensor_raw("zy", {}, kI8, std::vector<int8_t>{static_cast<int8_t>(zy)}));
    const std::string mb = model({ms_node("QLinearAdd", {"x", "sx", "zx", "c3", "s3", "z0", "sc", "zc"}, {"c"}),
                                  ms_node("QLinearMul", {"x", "sx", "zx", "c", "sc", "zc", "sy", "zy"}, {"y"})},
                                 {value_info("x", kI16, xd)}, {value_info("y", y16 ? kI16 : kI8, xd)}, inits);
    wasmq::rt::set_int8_passes_enabled(false);
    auto plain = load(mb);
    wasmq::rt::set_int8_passes_enabled(true);
    auto fused = load(mb);
    REQUIRE(op_types(*fused) == std::vector<std::string>{"Lut"});
    std::vector<int32_t> got;
    if (y16) {
      const auto a = run_typed<int16_t>(*plain, ElemType::kInt16, xd, x), b = run_typed<int16_t>(*fused, ElemType::kInt16, xd, x);
      REQUIRE(a == b);
      got.assign(a.begin(), a.end());
    } else {
      const auto a = run_typed<int8_t>(*plain, ElemType::kInt16, xd, x), b = run_typed<int8_t>(*fused, ElemType::kInt16, xd, x);
      REQUIRE(a == b);
      got.assign(a.begin(), a.end());
    }
    const double qmin = y16 ? -32768 : -128, qmax = y16 ? 32767 : 127;
    for (size_t i = 0; i < x.size(); ++i) {
      // The chain as written: c = Q8(sx x + 3) on [0, 6]; y = Q(sx x * sc (c + 128)).
      const double c = std::min(127.0, std::max(-128.0, std::nearbyint((static_cast<double>(sx) * x[i] + static_cast<double>(s3) * 127) / sc) - 128));
      const double v = static_cast<double>(sx) * sc * x[i] * (c + 128);
      const double want = std::min(qmax, std::max(qmin, std::nearbyint(v / sy) + zy));
      REQUIRE(got[i] == static_cast<int32_t>(want));
    }
  }
}
