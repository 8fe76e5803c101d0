// com.microsoft QLinearConvTranspose (ops_quant_convt.cc) against an integer oracle (int64 sums +
// requantize_fp32, tolerance 0), as written and as fused from DequantizeLinear -> ConvTranspose ->
// QuantizeLinear (fuse_qdq.cc), on the GEMM path (kernel == stride) and the col2im reference path,
// and inside an NHWC region of the layout pass (layout_nhwc.cc) against the graph as written.
#include <catch.hpp>

#include <cmath>
#include <cstring>
#include <random>
#include <sstream>
#include <string>

#include "kernels/requant/requant.h"
#include "onnx_builder.h"
#include "runtime/model.h"
#include "runtime/op.h"

using namespace wasmq_test;
using wasmq::onnx::ElemType;
using wasmq::rt::Model;

namespace {

constexpr int32_t kF32 = 1, kU8 = 2, kI8 = 3, kI32 = 6;

std::vector<uint8_t> run_bytes(Model& m, ElemType t, const std::vector<int64_t>& dims, const std::vector<uint8_t>& x) {
  void* p = m.stage_input(0, t, dims);
  std::memcpy(p, x.data(), x.size());
  m.run();
  const auto& y = m.output(0);
  return std::vector<uint8_t>(y.as<const uint8_t>(), y.as<const uint8_t>() + y.numel());
}

std::vector<std::string> op_types(const Model& m) {
  std::vector<std::string> v;
  for (const auto& n : m.nodes()) v.push_back(n.def->op_type);
  return v;
}

int32_t code(uint8_t v, bool u) { return u ? int32_t{v} : int32_t{static_cast<int8_t>(v)}; }

struct ConvTCase {
  bool xu8 = false, wu8 = false, yu8 = false, per_ch = true, bias = true;
  int64_t batch = 1, group = 1, c = 1, o = 1, kh = 2, kw = 2, h = 3, w = 3;
  int64_t sh = 2, sw = 2, dh = 1, dw = 1, pt = 0, pl = 0, pb = 0, pr = 0, oph = 0, opw = 0;
  int32_t xzp = 0, yzp = 0;
  std::vector<int32_t> wzp;  // per channel or one value
  std::string label() const {
    std::ostringstream s;
    s << "batch " << batch << " group " << group << " c " << c << " o " << o << " k " << kh << "x" << kw << " s " << sh << "x" << sw
      << " d " << dh << "x" << dw << " pads " << pt << "," << pl << "," << pb << "," << pr << " op " << oph << "," << opw << " in " << h
      << "x" << w << " x " << (xu8 ? "u8" : "s8") << " zp " << xzp << " w " << (wu8 ? "u8" : "s8") << " y " << (yu8 ? "u8" : "s8")
      << " zp " << yzp << (per_ch ? " per-channel" : " per-tensor") << (bias ? " bias" : "");
    return s.str();
  }
};

// Runs one case as the QOperator node and as the QDQ pattern (when `qdq`), checks both against the
// oracle exactly, and returns the number of values checked.
size_t check_convt(std::mt19937& rng, const ConvTCase& k, bool qdq) {
  INFO(k.label());
  const int64_t og = k.o / k.group, cg = k.c / k.group;
  const int64_t oh = k.sh * (k.h - 1) + k.oph + (k.kh - 1) * k.dh + 1 - k.pt - k.pb;
  const int64_t ow = k.sw * (k.w - 1) + k.opw + (k.kw - 1) * k.dw + 1 - k.pl - k.pr;
  const std::vector<int64_t> xd{k.batch, k.c, k.h, k.w}, wd{k.c, og, k.kh, k.kw}, yd{k.batch, k.o, oh, ow};
  std::uniform_int_distribution<int> byte(0, 255);
  std::vector<uint8_t> x(static_cast<size_t>(k.batch * k.c * k.h * k.w)), wt(static_cast<size_t>(k.c * og * k.kh * k.kw));
  for (auto& v : x) v = static_cast<uint8_t>(byte(rng));
  for (auto& v : wt) v = static_cast<uint8_t>(byte(rng));
  const size_t nw = k.per_ch ? static_cast<size_t>(k.o) : 1;
  std::vector<float> wsc(nw);
  std::vector<uint8_t> wzp(nw);
  for (size_t j = 0; j < nw; ++j) {
    wsc[j] = 0.004f * static_cast<float>(1 + rng() % 9);
    wzp[j] = static_cast<uint8_t>(k.wzp.empty() ? 0 : k.wzp[j % k.wzp.size()]);
  }
  std::vector<int32_t> bias(static_cast<size_t>(k.o));
  for (auto& v : bias) v = static_cast<int32_t>(rng() % 40001) - 20000;
  const float xsc = 0.03f, ysc = 0.02f * static_cast<float>(1 + rng() % 5) * std::sqrt(static_cast<float>(cg * k.kh * k.kw));
  const int32_t xt = k.xu8 ? kU8 : kI8, wtt = k.wu8 ? kU8 : kI8, yt = k.yu8 ? kU8 : kI8;
  const std::vector<uint8_t> xzpv{static_cast<uint8_t>(k.xzp)}, yzpv{static_cast<uint8_t>(k.yzp)};
  const std::vector<int64_t> pd = k.per_ch ? std::vector<int64_t>{k.o} : std::vector<int64_t>{};
  const std::vector<Pb> attrs{attr_int("group", k.group), attr_ints("pads", {k.pt, k.pl, k.pb, k.pr}), attr_ints("strides", {k.sh, k.sw}),
                              attr_ints("dilations", {k.dh, k.dw}), attr_ints("kernel_shape", {k.kh, k.kw}),
                              attr_ints("output_padding", {k.oph, k.opw})};
  std::vector<std::string> qin{"x", "xs", "xz", "w", "ws", "wz", "ys", "yz"};
  if (k.bias) qin.push_back("b");
  std::vector<Pb> inits{tensor_f32("xs", {}, {xsc}), tensor_raw("xz", {}, xt, xzpv), tensor_raw("w", wd, wtt, wt),
                        tensor_f32("ws", pd, wsc), tensor_raw("wz", pd, wtt, wzp), tensor_f32("ys", {}, {ysc}),
                        tensor_raw("yz", {}, yt, yzpv), tensor_raw("b", {k.o}, kI32, bias)};
  auto mq = load(model({ms_node("QLinearConvTranspose", qin, {"y"}, attrs)}, {value_info("x", xt, xd)}, {value_info("y", yt, yd)}, inits));
  const ElemType xe = k.xu8 ? ElemType::kUInt8 : ElemType::kInt8;
  const auto y = run_bytes(*mq, xe, xd, x);
  REQUIRE(run_bytes(*mq, xe, xd, x) == y);  // second run: same plan, packed weights reused

  // Oracle: the sum over the taps that land on each output pixel.
  size_t checked = 0;
  const int32_t xz = code(xzpv[0], k.xu8), yz = code(yzpv[0], k.yu8);
  for (int64_t nb = 0; nb < k.batch; ++nb)
    for (int64_t oc = 0; oc < k.o; ++oc)
      for (int64_t oy = 0; oy < oh; ++oy)
        for (int64_t ox = 0; ox < ow; ++ox) {
          const int64_t g = oc / og, j = oc % og;
          const size_t pj = k.per_ch ? static_cast<size_t>(oc) : 0;
          const int32_t wz = code(wzp[pj], k.wu8);
          int64_t acc = k.bias ? bias[static_cast<size_t>(oc)] : 0;
          for (int64_t ic = g * cg; ic < (g + 1) * cg; ++ic)
            for (int64_t ky = 0; ky < k.kh; ++ky)
              for (int64_t kx = 0; kx < k.kw; ++kx) {
                const int64_t ty = oy + k.pt - ky * k.dh, tx = ox + k.pl - kx * k.dw;
                if (ty < 0 || tx < 0 || ty % k.sh || tx % k.sw) continue;
                const int64_t iy = ty / k.sh, ix = tx / k.sw;
                if (iy >= k.h || ix >= k.w) continue;
                const int32_t xv = code(x[static_cast<size_t>(((nb * k.c + ic) * k.h + iy) * k.w + ix)], k.xu8) - xz;
                const int32_t wv = code(wt[static_cast<size_t>(((ic * og + j) * k.kh + ky) * k.kw + kx)], k.wu8) - wz;
                acc += static_cast<int64_t>(xv) * wv;
              }
          const size_t oi = static_cast<size_t>(((nb * k.o + oc) * oh + oy) * ow + ox);
          const int32_t want = wasmq::requantize_fp32(static_cast<int32_t>(acc), xsc * wsc[pj] / ysc, yz, k.yu8 ? 0 : -128, k.yu8 ? 255 : 127);
          INFO("n " << nb << " oc " << oc << " oy " << oy << " ox " << ox << " acc " << acc);
          REQUIRE(code(y[oi], k.yu8) == want);
          ++checked;
        }

  if (qdq) {
    // DQ(x), DQ(w, axis 1), DQ(int32 bias) -> ConvTranspose -> Q: fused into the same op, bit-identical.
    std::vector<float> bsc(nw);
    for (size_t j = 0; j < nw; ++j) bsc[j] = xsc * wsc[j];
    std::vector<Pb> nodes{node("DequantizeLinear", {"x", "xs", "xz"}, {"xf"}),
                          node("DequantizeLinear", {"w", "ws", "wz"}, {"wf"}, {attr_int("axis", 1)})};
    std::vector<std::string> cin{"xf", "wf"};
    if (k.bias) {
      nodes.push_back(node("DequantizeLinear", {"b", "bs", "bz"}, {"bf"}, {attr_int("axis", 0)}));
      cin.push_back("bf");
    }
    nodes.push_back(node("ConvTranspose", cin, {"yf"}, attrs));
    nodes.push_back(node("QuantizeLinear", {"yf", "ys", "yz"}, {"y"}));
    std::vector<Pb> qinits = inits;
    qinits.push_back(tensor_f32("bs", pd, bsc));
    qinits.push_back(tensor_raw("bz", pd, kI32, std::vector<int32_t>(nw, 0)));
    auto mf = load(model(nodes, {value_info("x", xt, xd)}, {value_info("y", yt, yd)}, qinits));
    std::vector<std::string> ops;
    for (const std::string& t : op_types(*mf)) if (t != "Transpose") ops.push_back(t);
    REQUIRE(ops == std::vector<std::string>{"QLinearConvTranspose"});
    REQUIRE(run_bytes(*mf, xe, xd, x) == y);
  }
  return checked;
}

// Zero points at the type limits and in between (int8 weights usually 0, as producers write them).
// (Index first: g++ 12 with -fsanitize=undefined evaluated `(u8 ? u : s)[rng() % 5]` as element 0.)
int32_t pick(std::mt19937& rng, bool u8) {
  static const int32_t u[] = {0, 1, 127, 128, 255}, s[] = {-128, -1, 0, 1, 127};
  const size_t i = static_cast<size_t>(rng() % 5);
  return u8 ? u[i] : s[i];
}

}  // namespace

TEST_CASE("QLinearConvTranspose with kernel == stride (GEMM path) equals the integer oracle, QOperator and fused QDQ", "[runtime]") {
  std::mt19937 rng(2025);
  const int64_t chans[] = {1, 2, 3, 7, 8, 9, 16, 17, 24, 33, 40};
  size_t checked = 0;
  for (int iter = 0; iter < 60; ++iter) {
    ConvTCase k;
    k.xu8 = rng() % 2;
    k.yu8 = iter % 5 == 4 ? !k.xu8 : k.xu8;  // output type other than the input's: the int32 path
    k.wu8 = iter % 6 == 5;
    k.per_ch = iter % 3 != 2;
    k.bias = iter % 4 != 3;
    k.batch = 1 + rng() % 2;
    k.c = chans[rng() % 11];
    k.o = chans[rng() % 11];
    k.kh = k.kw = 1 + iter % 3;
    if (iter % 7 == 6) k.kw = 1 + (k.kh % 3);  // non-square kernels
    k.sh = k.kh;
    k.sw = k.kw;
    k.h = 1 + 2 * (rng() % 4);  // odd sizes
    k.w = 1 + 2 * (rng() % 5);
    k.xzp = pick(rng, k.xu8);
    k.yzp = pick(rng, k.yu8);
    if (k.wu8) k.wzp = {0, 128, 255, 1};
    else if (iter % 8 == 0) k.wzp = {-128, 127, -1, 0};
    checked += check_convt(rng, k, true);
  }
  INFO("values checked " << checked);
  REQUIRE(checked > 10000);
}

TEST_CASE("QLinearConvTranspose on overlapping taps, pads, dilation, output_padding, groups (col2im) equals the oracle", "[runtime]") {
  std::mt19937 rng(2026);
  for (int iter = 0; iter < 24; ++iter) {
    ConvTCase k;
    k.xu8 = rng() % 2;
    k.yu8 = k.xu8;
    k.per_ch = iter % 2 == 0;
    k.bias = iter % 3 != 0;
    k.batch = 1 + rng() % 2;
    k.group = iter % 4 == 3 ? 2 : 1;
    k.c = k.group * (1 + rng() % 6);
    k.o = k.group * (1 + rng() % 6);
    k.kh = 1 + rng() % 3;
    k.kw = 1 + rng() % 3;
    k.sh = 1 + rng() % 2;
    k.sw = 1 + rng() % 3;
    k.dh = 1 + (iter % 5 == 1);
    k.dw = 1;
    k.pt = rng() % k.kh;
    k.pb = rng() % k.kh;
    k.pl = rng() % k.kw;
    k.pr = rng() % k.kw;
    k.oph = iter % 3 == 1 ? std::max(k.sh, k.dh) - 1 : 0;
    k.h = 1 + rng() % 5;
    k.w = 2 + rng() % 5;
    k.xzp = pick(rng, k.xu8);
    k.yzp = pick(rng, k.yu8);
    if (iter % 4 == 2) k.wzp = {-1, 3};
    // Per-channel weights of a grouped ConvTranspose are not one DQ axis: no QDQ form then.
    check_convt(rng, k, k.group == 1 || !k.per_ch);
  }
}

TEST_CASE("QLinearConvTranspose inside an NHWC region equals the graph as written", "[runtime]") {
  // QLinearConv 1x1 -> QLinearConvTranspose 2x2/2 -> QLinearConvTranspose 2x2/2 (det's head) and a
  // 3x3/2 padded one (reference path): with the layout pass every one is channels-last.
  std::mt19937 rng(11);
  for (int variant = 0; variant < 2; ++variant) {
    INFO("variant " << variant);
    const int64_t c = 12, m = 8, h = 5, w = 7;
    auto bytes = [&](size_t n) {
      std::vector<uint8_t> v(n);
      for (auto& b : v) b = static_cast<uint8_t>(rng());
      return v;
    };
    std::vector<int32_t> b1(m), b2(1);
    for (auto& v : b1) v = static_cast<int32_t>(rng() % 2001) - 1000;
    b2[0] = 321;
    const std::vector<uint8_t> zq{0};
    std::vector<float> ws1(m, 0.01f), ws2(1, 0.02f);
    const std::vector<Pb> k2{attr_ints("kernel_shape", {2, 2}), attr_ints("strides", {2, 2})};
    const std::vector<Pb> k3{attr_ints("kernel_shape", {3, 3}), attr_ints("strides", {2, 2}), attr_ints("pads", {1, 1, 1, 1}),
                             attr_ints("output_padding", {1, 1})};
    const std::vector<Pb>& second = variant == 0 ? k2 : k3;
    const int64_t oh = variant == 0 ? h * 4 : h * 4, ow = variant == 0 ? w * 4 : w * 4;
    const std::string mb = model(
        {node("QLinearConv", {"x", "s", "z", "w0", "s0", "z0", "s1", "z"}, {"a"}),
         ms_node("QLinearConvTranspose", {"a", "s1", "z", "w1", "s2v", "z2v", "s3", "z", "b1"}, {"t"}, k2),
         ms_node("QLinearConvTranspose", {"t", "s3", "z", "w2", "s4v", "z4v", "s5", "z", "b2"}, {"y"}, second)},
        {value_info("x", kI8, {1, c, h, w})}, {value_info("y", kI8, {1, 1, oh, ow})},
        {tensor_f32("s", {}, {0.05f}), tensor_raw("z", {}, kI8, std::vector<int8_t>{3}), tensor_raw("w0", {m, c, 1, 1}, kI8, bytes(m * c)),
         tensor_f32("s0", {}, {0.01f}), tensor_raw("z0", {}, kI8, zq), tensor_f32("s1", {}, {0.04f}),
         tensor_raw("w1", {m, m, 2, 2}, kI8, bytes(m * m * 4)), tensor_f32("s2v", {m}, ws1), tensor_raw("z2v", {m}, kI8, std::vector<int8_t>(m, 0)),
         tensor_f32("s3", {}, {0.06f}), tensor_raw("b1", {m}, kI32, b1),
         tensor_raw("w2", {m, 1, variant == 0 ? 2 : 3, variant == 0 ? 2 : 3}, kI8, bytes(m * (variant == 0 ? 4 : 9))),
         tensor_f32("s4v", {1}, ws2), tensor_raw("z4v", {1}, kI8, std::vector<int8_t>{0}), tensor_f32("s5", {}, {0.03f}),
         tensor_raw("b2", {1}, kI32, b2)});
    const std::vector<uint8_t> x = bytes(c * h * w);
    auto on = load(mb);
    wasmq::rt::set_int8_passes_enabled(false);
    auto off = load(mb);
    wasmq::rt::set_int8_passes_enabled(true);
    size_t cl = 0;
    for (const auto& n : on->nodes())
      for (const auto& a : n.def->attributes) cl += a.name == "wasmq_channels_last" && a.i == 1;
    REQUIRE(cl == 3);  // all three ops read and write NHWC
    const std::vector<int64_t> xd{1, c, h, w};
    const auto y_on = run_bytes(*on, ElemType::kInt8, xd, x);
    REQUIRE(y_on == run_bytes(*off, ElemType::kInt8, xd, x));
    REQUIRE(y_on.size() == static_cast<size_t>(oh * ow));
  }
}

TEST_CASE("QLinearConvTranspose rejects what it does not run, naming the node", "[runtime]") {
  const std::vector<int64_t> xd{1, 2, 3, 3};
  auto build = [&](const std::vector<Pb>& attrs, const std::vector<int64_t>& wd) {
    return model({ms_node("QLinearConvTranspose", {"x", "s", "z", "w", "s", "z", "s", "z"}, {"y"}, attrs)},
                 {value_info("x", kI8, xd)}, {value_info("y", kI8, {-1, -1, -1, -1})},
                 {tensor_f32("s", {}, {0.1f}), tensor_raw("z", {}, kI8, std::vector<int8_t>{0}),
                  tensor_raw("w", wd, kI8, std::vector<int8_t>(static_cast<size_t>(wd[0] * wd[1] * wd[2] * (wd.size() > 3 ? wd[3] : 1)), 1))});
  };
  REQUIRE_THROWS_WITH(load(build({attr_string("auto_pad", "SAME_UPPER")}, {2, 2, 2, 2})),
                      Catch::Contains("QLinearConvTranspose") && Catch::Contains("auto_pad 'SAME_UPPER' is not supported"));
  REQUIRE_THROWS_WITH(load(build({attr_ints("output_shape", {6, 6})}, {2, 2, 2, 2})), Catch::Contains("output_shape is not supported"));
  auto m = load(build({}, {2, 2, 2}));
  REQUIRE_THROWS_WITH(run_bytes(*m, ElemType::kInt8, xd, std::vector<uint8_t>(18, 0)), Catch::Contains("only 2-D ConvTranspose"));
}
