// Quantized runtime ops against oracles: an exact integer reference (int64 accumulators +
// requantize_fp32, tolerance 0) and a float simulation (dequantize -> float op -> quantize, within
// one code), on seeded random shapes with groups, depthwise, padding, strides, zero points and
// per-channel scales; plus a QDQ (DequantizeLinear -> Conv -> QuantizeLinear) model.
#include <catch.hpp>

#include <cmath>
#include <cstring>
#include <random>
#include <string>

#include "kernels/requant/requant.h"
#include "onnx_builder.h"
#include "runtime/model.h"

using namespace wasmq_test;
using wasmq::rt::Model;
using wasmq::onnx::ElemType;

namespace {

constexpr int32_t kF32 = 1, kU8 = 2, kI8 = 3, kI32 = 6;

template <typename T>
std::vector<T> run_one(Model& m, ElemType in_t, const std::vector<int64_t>& dims, const void* x, size_t x_bytes, size_t out = 0) {
  void* p = m.stage_input(0, in_t, dims);
  std::memcpy(p, x, x_bytes);
  m.run();
  const auto& y = m.output(out);
  return std::vector<T>(y.as<const T>(), y.as<const T>() + y.numel());
}

int32_t rq(int64_t acc, float scale, int32_t zp, bool u8) {
  return wasmq::requantize_fp32(static_cast<int32_t>(acc), scale, zp, u8 ? 0 : -128, u8 ? 255 : 127);
}

int32_t qround(double v, int32_t zp, bool u8) {
  const double q = std::nearbyint(v) + zp;
  return static_cast<int32_t>(std::min<double>(u8 ? 255 : 127, std::max<double>(u8 ? 0 : -128, q)));
}

template <typename T>
std::vector<T> rand_codes(std::mt19937& rng, size_t n) {
  std::uniform_int_distribution<int> d(std::is_signed_v<T> ? -128 : 0, std::is_signed_v<T> ? 127 : 255);
  std::vector<T> v(n);
  for (auto& x : v) x = static_cast<T>(d(rng));
  return v;
}

int32_t pick_zp(std::mt19937& rng, bool u8) {
  static const int32_t u[] = {0, 1, 127, 128, 255}, s[] = {0, 1, -1, -128, 127};
  const size_t i = rng() % 5;  // drawn first: g++ 12 -fsanitize=undefined miscompiled (u8 ? u : s)[rng() % 5]
  return u8 ? u[i] : s[i];
}

}  // namespace

TEST_CASE("QuantizeLinear/DequantizeLinear: per tensor, per axis, blocked", "[runtime]") {
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> ud(-3.0f, 3.0f);
  const std::vector<int64_t> dims{2, 5, 7};
  std::vector<float> x(70);
  for (auto& v : x) v = ud(rng);
  x[3] = 0.25f;  // ties: 0.25 / 0.5 = 0.5 -> 0 (half to even)
  for (int mode = 0; mode < 4; ++mode) {  // tensor, axis 1, blocked on the last axis, blocked on axis 1
    for (bool u8 : {false, true}) {
      const int32_t qt = u8 ? kU8 : kI8;
      std::vector<int64_t> sdims;
      size_t np = 1;
      std::vector<Pb> attrs;
      if (mode == 1) { sdims = {5}; np = 5; attrs.push_back(attr_int("axis", 1)); }
      if (mode == 2) { sdims = {2, 5, 3}; np = 30; attrs.push_back(attr_int("axis", -1)); attrs.push_back(attr_int("block_size", 3)); }
      if (mode == 3) { sdims = {2, 3, 7}; np = 42; attrs.push_back(attr_int("axis", 1)); attrs.push_back(attr_int("block_size", 2)); }
      std::vector<float> sc(np);
      std::vector<uint8_t> zp(np);
      for (size_t i = 0; i < np; ++i) {
        sc[i] = 0.5f / static_cast<float>(1 + i % 3);
        zp[i] = static_cast<uint8_t>(u8 ? (i * 37) % 256 : static_cast<uint8_t>(static_cast<int8_t>((i * 37) % 256 - 128)));
      }
      const std::string q = model({node("QuantizeLinear", {"x", "s", "z"}, {"y"}, attrs)}, {value_info("x", kF32, dims)},
                                  {value_info("y", qt, dims)}, {tensor_f32("s", sdims, sc), tensor_raw("z", sdims, qt, zp)}, 21);
      auto m = load(q);
      const auto y = run_one<uint8_t>(*m, ElemType::kFloat, dims, x.data(), x.size() * 4);
      auto pidx = [&](size_t i) -> size_t {
        const size_t c = (i / 7) % 5, b = i / 35, w = i % 7;
        return mode == 0 ? 0 : mode == 1 ? c : mode == 2 ? (b * 5 + c) * 3 + w / 3 : (b * 3 + c / 2) * 7 + w;
      };
      for (size_t i = 0; i < x.size(); ++i) {
        const size_t p = pidx(i);
        const int32_t z = u8 ? zp[p] : static_cast<int8_t>(zp[p]);
        const int32_t want = qround(static_cast<double>(x[i] / sc[p]), z, u8);
        const int32_t got = u8 ? y[i] : static_cast<int8_t>(y[i]);
        INFO("mode " << mode << " u8 " << u8 << " i " << i);
        REQUIRE(got == want);
      }
      // Dequantize the codes back.
      const std::string dq = model({node("DequantizeLinear", {"q", "s", "z"}, {"r"}, attrs)}, {value_info("q", qt, dims)},
                                   {value_info("r", kF32, dims)}, {tensor_f32("s", sdims, sc), tensor_raw("z", sdims, qt, zp)}, 21);
      auto md = load(dq);
      const auto r = run_one<float>(*md, u8 ? ElemType::kUInt8 : ElemType::kInt8, dims, y.data(), y.size());
      for (size_t i = 0; i < x.size(); ++i) {
        const size_t p = pidx(i);
        const int32_t z = u8 ? zp[p] : static_cast<int8_t>(zp[p]);
        const int32_t c = u8 ? y[i] : static_cast<int8_t>(y[i]);
        REQUIRE(r[i] == static_cast<float>(c - z) * sc[p]);
      }
    }
  }
}

TEST_CASE("QLinearMatMul and MatMulInteger equal the integer oracle", "[runtime]") {
  std::mt19937 rng(1234);
  for (int iter = 0; iter < 40; ++iter) {
    const bool au8 = rng() % 2, bu8 = rng() % 2, yu8 = iter % 5 == 0 ? !au8 : au8;
    const int64_t m = 1 + rng() % 9, k = 1 + rng() % 37, n = 1 + rng() % 13;
    const int64_t batch = 1 + rng() % 3;
    const bool b_batched = iter % 3 == 1, per_col = iter % 2 == 0;
    const std::vector<int64_t> adims{batch, m, k};
    const std::vector<int64_t> bdims = b_batched ? std::vector<int64_t>{batch, k, n} : std::vector<int64_t>{k, n};
    const size_t bb = b_batched ? static_cast<size_t>(batch) : 1;
    std::vector<uint8_t> a = rand_codes<uint8_t>(rng, batch * m * k), b = rand_codes<uint8_t>(rng, bb * k * n);
    const int32_t azp = pick_zp(rng, au8), yzp = pick_zp(rng, yu8);
    const size_t nbz = per_col ? n : 1;
    std::vector<uint8_t> bzp(nbz);
    std::vector<float> bsc(nbz);
    for (size_t j = 0; j < nbz; ++j) {
      bzp[j] = static_cast<uint8_t>(pick_zp(rng, bu8));
      bsc[j] = 0.01f * static_cast<float>(1 + rng() % 7);
    }
    const float asc = 0.02f, ysc = 0.05f * static_cast<float>(1 + rng() % 4) * std::sqrt(static_cast<float>(k));
    const std::vector<int64_t> pdims = per_col ? std::vector<int64_t>{n} : std::vector<int64_t>{};
    const int32_t at = au8 ? kU8 : kI8, bt = bu8 ? kU8 : kI8, yt = yu8 ? kU8 : kI8;
    const std::vector<uint8_t> azpv{static_cast<uint8_t>(azp)}, yzpv{static_cast<uint8_t>(yzp)};
    const std::string qm = model({node("QLinearMatMul", {"a", "as", "az", "b", "bs", "bz", "ys", "yz"}, {"y"})},
                                 {value_info("a", at, adims)}, {value_info("y", yt, {batch, m, n})},
                                 {tensor_f32("as", {}, {asc}), tensor_raw("az", {}, at, azpv), tensor_raw("b", bdims, bt, b),
                                  tensor_f32("bs", pdims, bsc), tensor_raw("bz", pdims, bt, bzp), tensor_f32("ys", {}, {ysc}),
                                  tensor_raw("yz", {}, yt, yzpv)},
                                 13);
    const std::string mi = model({node("MatMulInteger", {"a", "b", "az", "bz"}, {"y"})}, {value_info("a", at, adims)},
                                 {value_info("y", kI32, {batch, m, n})},
                                 {tensor_raw("az", {}, at, azpv), tensor_raw("b", bdims, bt, b), tensor_raw("bz", pdims, bt, bzp)}, 13);
    auto mq = load(qm);
    auto mm = load(mi);
    const auto y = run_one<uint8_t>(*mq, au8 ? ElemType::kUInt8 : ElemType::kInt8, adims, a.data(), a.size());
    const auto yi = run_one<int32_t>(*mm, au8 ? ElemType::kUInt8 : ElemType::kInt8, adims, a.data(), a.size());
    auto code = [](uint8_t v, bool u) { return u ? int32_t{v} : int32_t{static_cast<int8_t>(v)}; };
    const int32_t az = code(azpv[0], au8), yz = code(yzpv[0], yu8);
    for (int64_t t = 0; t < batch; ++t)
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j) {
          const size_t pj = per_col ? j : 0;
          const int32_t bz = code(bzp[pj], bu8);
          int64_t acc = 0;
          double fs = 0;
          for (int64_t p = 0; p < k; ++p) {
            const int32_t av = code(a[(t * m + i) * k + p], au8) - az;
            const int32_t bv = code(b[((b_batched ? t : 0) * k + p) * n + j], bu8) - bz;
            acc += av * bv;
            fs += (av * static_cast<double>(asc)) * (bv * static_cast<double>(bsc[pj]));
          }
          const size_t o = (t * m + i) * n + j;
          INFO("iter " << iter << " m " << m << " k " << k << " n " << n << " acc " << acc);
          REQUIRE(yi[o] == acc);
          const int32_t got = code(y[o], yu8);
          REQUIRE(got == rq(acc, asc * bsc[pj] / ysc, yz, yu8));
          REQUIRE(std::abs(got - qround(fs / ysc, yz, yu8)) <= 1);  // float simulation
        }
  }
}

// One QLinearConv / ConvInteger case against the integer oracle (int64 accumulation, the fp32
// requantization rule, and within one step of the real-valued result).
namespace {

struct QConvCase {
  bool xu8, wu8, per_ch;
  int64_t batch, groups, cg, c, o, kh, kw, h, w, sh, sw, pt, pl, pb, pr;
};

void check_qconv(std::mt19937& rng, const QConvCase& k, int iter) {
  const bool xu8 = k.xu8, wu8 = k.wu8, per_ch = k.per_ch;
  const int64_t batch = k.batch, groups = k.groups, cg = k.cg, c = k.c, o = k.o, kh = k.kh, kw = k.kw, h = k.h, w = k.w;
  const int64_t sh = k.sh, sw = k.sw, pt = k.pt, pl = k.pl, pb = k.pb, pr = k.pr;
  const int64_t oh = (h + pt + pb - kh) / sh + 1, ow = (w + pl + pr - kw) / sw + 1;
  const std::vector<int64_t> xd{batch, c, h, w}, wd{o, cg, kh, kw}, yd{batch, o, oh, ow};
  std::vector<uint8_t> x = rand_codes<uint8_t>(rng, batch * c * h * w), wt = rand_codes<uint8_t>(rng, o * cg * kh * kw);
  const int32_t xt = xu8 ? kU8 : kI8, wtt = wu8 ? kU8 : kI8;
  const size_t nw = per_ch ? o : 1;
  std::vector<float> wsc(nw);
  std::vector<uint8_t> wzp(nw);
  for (size_t j = 0; j < nw; ++j) {
    wsc[j] = 0.005f * static_cast<float>(1 + rng() % 9);
    // int8 weights: zero point 0 (what QLinearConv producers emit); uint8: any of {0, 1, 127, 128, 255}.
    wzp[j] = static_cast<uint8_t>(wu8 ? pick_zp(rng, true) : (iter % 8 == 0 ? pick_zp(rng, false) : 0));
  }
  std::vector<int32_t> bias(o);
  for (auto& v : bias) v = static_cast<int32_t>(rng() % 2001) - 1000;
  const int32_t xzp = pick_zp(rng, xu8), yzp = pick_zp(rng, xu8);
  const float xsc = 0.03f, ysc = 0.02f * static_cast<float>(1 + rng() % 5) * std::sqrt(static_cast<float>(cg * kh * kw));
  const std::vector<uint8_t> xzpv{static_cast<uint8_t>(xzp)}, yzpv{static_cast<uint8_t>(yzp)};
  const std::vector<int64_t> pd = per_ch ? std::vector<int64_t>{o} : std::vector<int64_t>{};
  const std::vector<Pb> attrs{attr_int("group", groups), attr_ints("pads", {pt, pl, pb, pr}), attr_ints("strides", {sh, sw}),
                              attr_ints("kernel_shape", {kh, kw})};
  const std::string qc = model({node("QLinearConv", {"x", "xs", "xz", "w", "ws", "wz", "ys", "yz", "b"}, {"y"}, attrs)},
                               {value_info("x", xt, xd)}, {value_info("y", xt, yd)},
                               {tensor_f32("xs", {}, {xsc}), tensor_raw("xz", {}, xt, xzpv), tensor_raw("w", wd, wtt, wt),
                                tensor_f32("ws", pd, wsc), tensor_raw("wz", pd, wtt, wzp), tensor_f32("ys", {}, {ysc}),
                                tensor_raw("yz", {}, xt, yzpv), tensor_raw("b", {o}, kI32, bias)},
                               13);
  const std::string ci = model({node("ConvInteger", {"x", "w", "xz", "wz"}, {"y"}, attrs)}, {value_info("x", xt, xd)},
                               {value_info("y", kI32, yd)},
                               {tensor_raw("xz", {}, xt, xzpv), tensor_raw("w", wd, wtt, wt), tensor_raw("wz", pd, wtt, wzp)}, 13);
  auto mq = load(qc);
  auto mc = load(ci);
  const ElemType xe = xu8 ? ElemType::kUInt8 : ElemType::kInt8;
  const auto y = run_one<uint8_t>(*mq, xe, xd, x.data(), x.size());
  const auto y2 = run_one<uint8_t>(*mq, xe, xd, x.data(), x.size());  // second run: same plan
  const auto yi = run_one<int32_t>(*mc, xe, xd, x.data(), x.size());
  REQUIRE(y == y2);
  auto code = [](uint8_t v, bool u) { return u ? int32_t{v} : int32_t{static_cast<int8_t>(v)}; };
  const int32_t xz = code(xzpv[0], xu8), yz = code(yzpv[0], xu8);
  const int64_t og = o / groups;
  for (int64_t nb = 0; nb < batch; ++nb)
    for (int64_t oc = 0; oc < o; ++oc)
      for (int64_t oy = 0; oy < oh; ++oy)
        for (int64_t ox = 0; ox < ow; ++ox) {
          const int64_t g = oc / og;
          const size_t pj = per_ch ? oc : 0;
          const int32_t wz = code(wzp[pj], wu8);
          int64_t acc = 0;
          for (int64_t ic = 0; ic < cg; ++ic)
            for (int64_t ky = 0; ky < kh; ++ky)
              for (int64_t kx = 0; kx < kw; ++kx) {
                const int64_t iy = oy * sh - pt + ky, ix = ox * sw - pl + kx;
                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                const int32_t xv = code(x[((nb * c + g * cg + ic) * h + iy) * w + ix], xu8) - xz;
                const int32_t wv = code(wt[((oc * cg + ic) * kh + ky) * kw + kx], wu8) - wz;
                acc += xv * wv;
              }
          const size_t oi = ((nb * o + oc) * oh + oy) * ow + ox;
          INFO("iter " << iter << " groups " << groups << " c " << c << " o " << o << " k " << kh << "x" << kw << " acc " << acc);
          REQUIRE(yi[oi] == acc);
          const int32_t got = code(y[oi], xu8);
          REQUIRE(got == rq(acc + bias[oc], xsc * wsc[pj] / ysc, yz, xu8));
          const double real = (static_cast<double>(acc) * xsc * wsc[pj] + static_cast<double>(bias[oc]) * xsc * wsc[pj]) / ysc;
          REQUIRE(std::abs(got - qround(real, yz, xu8)) <= 1);
        }
}

}  // namespace

TEST_CASE("QLinearConv and ConvInteger equal the integer oracle", "[runtime]") {
  std::mt19937 rng(77);
  for (int iter = 0; iter < 48; ++iter) {
    QConvCase k{};
    k.xu8 = rng() % 2;
    k.wu8 = iter % 4 == 3;
    k.batch = 1 + rng() % 2;
    const bool dw = iter % 4 == 1;
    k.groups = dw ? 1 + rng() % 9 : (iter % 4 == 2 ? 2 + rng() % 2 : 1);
    k.cg = dw ? 1 : 1 + rng() % 5;
    k.c = k.groups * k.cg;
    k.o = dw ? k.c : k.groups * (1 + rng() % 5);
    k.kh = 1 + rng() % 3;
    k.kw = 1 + rng() % 3;
    k.h = k.kh + rng() % 6;
    k.w = k.kw + rng() % 7;
    k.sh = 1 + rng() % 2;
    k.sw = 1 + rng() % 2;
    k.pt = rng() % k.kh;
    k.pl = rng() % k.kw;
    k.pb = rng() % k.kh;
    k.pr = rng() % k.kw;
    k.per_ch = rng() % 2;
    check_qconv(rng, k, iter);
  }
}

// The layer shapes of ppocr-cls that take the column-blocked GEMM (short K, 8..200 output channels,
// a remainder of <= 8 channels run as its own 8-wide block) and the 3-channel strided stem.
TEST_CASE("QLinearConv on short-K and narrow layers (ppocr-cls shapes) equals the integer oracle", "[runtime]") {
  std::mt19937 rng(78);
  struct Shape { int64_t c, o, k, h, w, sh; };
  const Shape shapes[] = {{8, 8, 1, 3, 20, 1},   {8, 24, 1, 3, 19, 1},  {16, 88, 1, 2, 17, 1}, {16, 104, 1, 3, 9, 1},
                          {32, 200, 1, 2, 13, 1}, {24, 8, 1, 4, 11, 1},  {200, 32, 1, 2, 7, 1}, {3, 8, 3, 9, 21, 2},
                          {16, 40, 1, 3, 16, 1},  {8, 9, 1, 2, 5, 1},    {12, 17, 1, 1, 33, 1}};
  int iter = 0;
  for (const Shape& sp : shapes) {
    for (int variant = 0; variant < 2; ++variant, ++iter) {
      QConvCase k{};
      k.xu8 = variant == 1;
      k.wu8 = false;
      k.per_ch = true;
      k.batch = 1;
      k.groups = 1;
      k.cg = k.c = sp.c;
      k.o = sp.o;
      k.kh = k.kw = sp.k;
      k.h = sp.h;
      k.w = sp.w;
      k.sh = k.sw = sp.sh;
      k.pt = k.pl = k.pb = k.pr = sp.k / 2;
      check_qconv(rng, k, iter);
    }
  }
}

TEST_CASE("DynamicQuantizeLinear follows ONNX's rule", "[runtime]") {
  const std::vector<float> x{-1.5f, 0.3f, 2.25f, 7.0f, -0.01f, 0.0f};
  auto m = load(model({node("DynamicQuantizeLinear", {"x"}, {"y", "s", "z"})}, {value_info("x", kF32, {6})},
                      {value_info("y", kU8, {6}), value_info("s", kF32, {}), value_info("z", kU8, {})}));
  const auto y = run_one<uint8_t>(*m, ElemType::kFloat, {6}, x.data(), 24);
  const float s = m->output(1).as<const float>()[0];
  const uint8_t z = m->output(2).as<const uint8_t>()[0];
  REQUIRE(s == (7.0f - -1.5f) / 255.0f);
  REQUIRE(z == static_cast<uint8_t>(std::nearbyint(1.5f / s)));
  for (size_t i = 0; i < x.size(); ++i) REQUIRE(y[i] == qround(static_cast<double>(x[i] / s), z, true));
}

TEST_CASE("com.microsoft QLinearAdd/QLinearMul/QLinearSigmoid match the float simulation", "[runtime]") {
  std::mt19937 rng(5);
  const std::vector<std::vector<int64_t>> bshapes{{2, 3, 4, 5}, {5}, {1}, {3, 1, 1}, {4, 5}, {1, 3, 1, 5}};
  for (bool u8 : {false, true}) {
    for (const auto& bs : bshapes) {
      for (const char* op : {"QLinearAdd", "QLinearMul"}) {
        const std::vector<int64_t> as{2, 3, 4, 5};
        const int32_t t = u8 ? kU8 : kI8;
        size_t nb = 1;
        for (int64_t d : bs) nb *= static_cast<size_t>(d);
        std::vector<uint8_t> a = rand_codes<uint8_t>(rng, 120), b = rand_codes<uint8_t>(rng, nb);
        const int32_t za = pick_zp(rng, u8), zb = pick_zp(rng, u8), zy = pick_zp(rng, u8);
        const float sa = 0.02f, sb = 0.035f, sy = std::string(op) == "QLinearMul" ? 0.3f : 0.05f;
        const std::vector<uint8_t> zav{static_cast<uint8_t>(za)}, zbv{static_cast<uint8_t>(zb)}, zyv{static_cast<uint8_t>(zy)};
        auto m = load(model({ms_node(op, {"a", "as", "az", "b", "bs", "bz", "ys", "yz"}, {"y"})}, {value_info("a", t, as)},
                            {value_info("y", t, as)},
                            {tensor_f32("as", {}, {sa}), tensor_raw("az", {}, t, zav), tensor_raw("b", bs, t, b),
                             tensor_f32("bs", {}, {sb}), tensor_raw("bz", {}, t, zbv), tensor_f32("ys", {}, {sy}),
                             tensor_raw("yz", {}, t, zyv)}));
        const auto y = run_one<uint8_t>(*m, u8 ? ElemType::kUInt8 : ElemType::kInt8, as, a.data(), a.size());
        auto code = [&](uint8_t v) { return u8 ? int32_t{v} : int32_t{static_cast<int8_t>(v)}; };
        std::vector<int64_t> bp(4, 1);
        for (size_t i = 0; i < bs.size(); ++i) bp[4 - bs.size() + i] = bs[i];
        for (int64_t i = 0; i < 120; ++i) {
          const int64_t i0 = i / 60, i1 = i / 20 % 3, i2 = i / 5 % 4, i3 = i % 5;
          const int64_t bi = (((bp[0] == 1 ? 0 : i0) * bp[1] + (bp[1] == 1 ? 0 : i1)) * bp[2] + (bp[2] == 1 ? 0 : i2)) * bp[3] + (bp[3] == 1 ? 0 : i3);
          const double fa = (code(a[i]) - code(zav[0])) * static_cast<double>(sa), fb = (code(b[bi]) - code(zbv[0])) * static_cast<double>(sb);
          const double r = std::string(op) == "QLinearMul" ? fa * fb : fa + fb;
          INFO(op << " u8 " << u8 << " b " << bs.size() << " i " << i);
          REQUIRE(std::abs(code(y[i]) - qround(r / sy, code(zyv[0]), u8)) <= 1);
        }
      }
    }
    const int32_t t = u8 ? kU8 : kI8;
    std::vector<uint8_t> x(256);
    for (int i = 0; i < 256; ++i) x[i] = static_cast<uint8_t>(i);
    const std::vector<uint8_t> zx{static_cast<uint8_t>(u8 ? 128 : 0)}, zy{static_cast<uint8_t>(u8 ? 0 : 0x80)};
    auto m = load(model({ms_node("QLinearSigmoid", {"x", "xs", "xz", "ys", "yz"}, {"y"})}, {value_info("x", t, {256})},
                        {value_info("y", t, {256})},
                        {tensor_f32("xs", {}, {0.05f}), tensor_raw("xz", {}, t, zx), tensor_f32("ys", {}, {1.0f / 256}),
                         tensor_raw("yz", {}, t, zy)}));
    const auto y = run_one<uint8_t>(*m, u8 ? ElemType::kUInt8 : ElemType::kInt8, {256}, x.data(), 256);
    auto code = [&](uint8_t v) { return u8 ? int32_t{v} : int32_t{static_cast<int8_t>(v)}; };
    for (int i = 0; i < 256; ++i) {
      const double fx = (code(x[i]) - code(zx[0])) * 0.05;
      REQUIRE(std::abs(code(y[i]) - qround(256.0 / (1.0 + std::exp(-fx)), code(zy[0]), u8)) <= 1);
    }
  }
}

TEST_CASE("a QDQ model (DequantizeLinear -> Conv -> QuantizeLinear) is fused into QLinearConv and stays correct", "[runtime]") {
 for (bool float_bias : {false, true}) {
  INFO("float bias (not fusable) " << float_bias);
  std::mt19937 rng(9);
  const std::vector<int64_t> xd{1, 3, 6, 6}, wd{4, 3, 3, 3};
  std::vector<uint8_t> x = rand_codes<uint8_t>(rng, 108);
  std::vector<int8_t> w = rand_codes<int8_t>(rng, 108);
  const std::vector<uint8_t> xz{128};
  const std::vector<int8_t> wz{0};
  const std::vector<uint8_t> yz{120};
  auto m = load(model({node("DequantizeLinear", {"x", "xs", "xz"}, {"xf"}), node("DequantizeLinear", {"w", "ws", "wz"}, {"wf"}),
                       node("Conv", float_bias ? std::vector<std::string>{"xf", "wf", "fb"} : std::vector<std::string>{"xf", "wf"}, {"yf"}, {attr_ints("pads", {1, 1, 1, 1})}),
                       node("QuantizeLinear", {"yf", "ys", "yz"}, {"y"})},
                      {value_info("x", kU8, xd)}, {value_info("y", kU8, {1, 4, 6, 6})},
                      {tensor_f32("xs", {}, {0.02f}), tensor_raw("xz", {}, kU8, xz), tensor_raw("w", wd, kI8, w),
                       tensor_f32("ws", {}, {0.01f}), tensor_raw("wz", {}, kI8, wz), tensor_f32("ys", {}, {0.05f}),
                       tensor_raw("yz", {}, kU8, yz), tensor_f32("fb", {4}, {0, 0, 0, 0})}));
  // The NHWC layout pass (layout_nhwc.h) wraps a QLinearConv between graph input and output in
  // two Transposes; count the other nodes.
  std::vector<std::string> ops;
  for (const auto& n : m->nodes()) if (n.def->op_type != "Transpose") ops.push_back(n.def->op_type);
  if (float_bias) {
    REQUIRE(ops.size() == 4);
  } else {
    REQUIRE(ops.size() == 1);
    REQUIRE(ops[0] == "QLinearConv");
  }
  const auto y = run_one<uint8_t>(*m, ElemType::kUInt8, xd, x.data(), x.size());
  for (int oc = 0; oc < 4; ++oc)
    for (int oy = 0; oy < 6; ++oy)
      for (int ox = 0; ox < 6; ++ox) {
        double acc = 0;
        for (int ic = 0; ic < 3; ++ic)
          for (int ky = 0; ky < 3; ++ky)
            for (int kx = 0; kx < 3; ++kx) {
              const int iy = oy - 1 + ky, ix = ox - 1 + kx;
              if (iy < 0 || iy >= 6 || ix < 0 || ix >= 6) continue;
              acc += (x[(ic * 6 + iy) * 6 + ix] - 128) * 0.02 * (w[((oc * 3 + ic) * 3 + ky) * 3 + kx] * 0.01);
            }
        REQUIRE(std::abs(int32_t{y[(oc * 6 + oy) * 6 + ox]} - qround(acc / 0.05, 120, true)) <= 1);
      }
 }
}

TEST_CASE("QDQ MatMul and Add patterns are fused into QLinearMatMul and QLinearAdd", "[runtime]") {
  std::mt19937 rng(19);
  const int64_t M = 3, K = 20, N = 6;
  std::vector<uint8_t> x = rand_codes<uint8_t>(rng, M * K), c = rand_codes<uint8_t>(rng, M * N);
  std::vector<int8_t> w = rand_codes<int8_t>(rng, K * N);
  std::vector<float> ws(N);
  for (auto& v : ws) v = 0.002f + 0.001f * static_cast<float>(rng() % 5);
  const std::vector<int8_t> wz(N, 0);
  const std::vector<uint8_t> xz{128}, yz{100}, cz{90}, oz{128};
  auto m = load(model({node("DequantizeLinear", {"x", "xs", "xz"}, {"xf"}), node("DequantizeLinear", {"w", "ws", "wz"}, {"wf"}),
                       node("MatMul", {"xf", "wf"}, {"mf"}), node("QuantizeLinear", {"mf", "ys", "yz"}, {"y1"}),
                       node("DequantizeLinear", {"y1", "ys", "yz"}, {"y1f"}), node("DequantizeLinear", {"c", "cs", "cz"}, {"cf"}),
                       node("Add", {"y1f", "cf"}, {"af"}), node("QuantizeLinear", {"af", "os", "oz"}, {"y"})},
                      {value_info("x", kU8, {M, K})}, {value_info("y", kU8, {M, N}), value_info("y1", kU8, {M, N})},
                      {tensor_f32("xs", {}, {0.02f}), tensor_raw("xz", {}, kU8, xz), tensor_raw("w", {K, N}, kI8, w),
                       tensor_f32("ws", {N}, ws), tensor_raw("wz", {N}, kI8, wz), tensor_f32("ys", {}, {0.01f}),
                       tensor_raw("yz", {}, kU8, yz), tensor_raw("c", {M, N}, kU8, c), tensor_f32("cs", {}, {0.015f}),
                       tensor_raw("cz", {}, kU8, cz), tensor_f32("os", {}, {0.02f}), tensor_raw("oz", {}, kU8, oz)}));
  REQUIRE(m->nodes().size() == 2);
  REQUIRE(m->nodes()[0].def->op_type == "QLinearMatMul");
  REQUIRE(m->nodes()[1].def->op_type == "QLinearAdd");
  const auto y = run_one<uint8_t>(*m, ElemType::kUInt8, {M, K}, x.data(), x.size());
  const auto& y1t = m->output(1);
  const uint8_t* y1 = y1t.as<const uint8_t>();
  for (int64_t i = 0; i < M; ++i)
    for (int64_t j = 0; j < N; ++j) {
      int64_t acc = 0;
      for (int64_t k = 0; k < K; ++k) acc += (x[i * K + k] - 128) * w[k * N + j];
      REQUIRE(y1[i * N + j] == rq(acc, 0.02f * ws[j] / 0.01f, 100, true));
      const double sum = (y1[i * N + j] - 100) * 0.01 + (c[i * N + j] - 90) * 0.015;
      REQUIRE(std::abs(int32_t{y[i * N + j]} - qround(sum / 0.02, 128, true)) <= 1);
    }
}

TEST_CASE("com.microsoft MatMulNBits (4-bit, blocks 16-128, zero points, bias) matches a float reference", "[runtime]") {
  std::mt19937 rng(21);
  std::uniform_real_distribution<float> ud(-1.0f, 1.0f);
  for (int64_t block : {16, 32, 64, 128}) {
    for (int variant = 0; variant < 4; ++variant) {
      const int64_t k = block * (1 + rng() % 3) - (variant % 2 ? 5 : 0), n = 1 + rng() % 11, m = variant == 3 ? 1 : 1 + rng() % 5;
      const int64_t nb = (k + block - 1) / block;
      std::vector<uint8_t> blob(n * nb * block / 2);
      for (auto& v : blob) v = static_cast<uint8_t>(rng());
      std::vector<float> sc(n * nb), a(m * k), bias(n);
      for (auto& v : sc) v = 0.01f + 0.05f * (ud(rng) + 1.0f);
      for (auto& v : a) v = ud(rng);
      for (auto& v : bias) v = ud(rng);
      std::vector<uint8_t> zp(n * ((nb + 1) / 2));
      for (auto& v : zp) v = static_cast<uint8_t>(rng());
      const bool use_zp = variant >= 2, use_bias = variant % 2 == 0;
      std::vector<std::string> ins{"a", "b", "s"};
      std::vector<Pb> inits{tensor_raw("b", {n, nb, block / 2}, kU8, blob), tensor_f32("s", {n, nb}, sc)};
      if (use_zp || use_bias) { ins.push_back(use_zp ? "z" : ""); }
      if (use_zp) inits.push_back(tensor_raw("z", {n * ((nb + 1) / 2)}, kU8, zp));
      if (use_bias) { ins.push_back(""); ins.push_back("bias"); inits.push_back(tensor_f32("bias", {n}, bias)); }
      auto mdl = load(model({ms_node("MatMulNBits", ins, {"y"}, {attr_int("K", k), attr_int("N", n), attr_int("bits", 4), attr_int("block_size", block)})},
                            {value_info("a", kF32, {m, k})}, {value_info("y", kF32, {m, n})}, inits));
      const auto y = run_one<float>(*mdl, ElemType::kFloat, {m, k}, a.data(), a.size() * 4);
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j) {
          double acc = use_bias ? bias[j] : 0.0, mag = 0.0;
          for (int64_t p = 0; p < k; ++p) {
            const int64_t b = p / block, e = p % block;
            const uint8_t byte = blob[(j * nb + b) * (block / 2) + e / 2];
            const int u = e % 2 ? byte >> 4 : byte & 15;
            const uint8_t zb = zp[j * ((nb + 1) / 2) + b / 2];
            const int z = use_zp ? (b % 2 ? zb >> 4 : zb & 15) : 8;
            const double t = static_cast<double>(a[i * k + p]) * (u - z) * sc[j * nb + b];
            acc += t;
            mag += std::abs(t);
          }
          INFO("block " << block << " variant " << variant << " k " << k << " n " << n << " m " << m);
          REQUIRE(std::abs(y[i * n + j] - acc) <= 1e-5 + 1e-5 * mag);
        }
    }
  }
}

TEST_CASE("com.microsoft QLinearGlobalAveragePool (NCHW and channels_last) equals the integer oracle", "[runtime]") {
  std::mt19937 rng(33);
  for (bool u8 : {false, true}) {
    for (int64_t cl : {0, 1}) {
      const int64_t n = 2, c = 19, h = 5, w = 3;
      const std::vector<int64_t> xd = cl ? std::vector<int64_t>{n, h, w, c} : std::vector<int64_t>{n, c, h, w};
      const std::vector<int64_t> yd = cl ? std::vector<int64_t>{n, 1, 1, c} : std::vector<int64_t>{n, c, 1, 1};
      const int32_t t = u8 ? kU8 : kI8;
      std::vector<uint8_t> x = rand_codes<uint8_t>(rng, n * c * h * w);
      const int32_t xz = pick_zp(rng, u8), yz = pick_zp(rng, u8);
      const std::vector<uint8_t> xzv{static_cast<uint8_t>(xz)}, yzv{static_cast<uint8_t>(yz)};
      auto m = load(model({ms_node("QLinearGlobalAveragePool", {"x", "xs", "xz", "ys", "yz"}, {"y"}, {attr_int("channels_last", cl)})},
                          {value_info("x", t, xd)}, {value_info("y", t, yd)},
                          {tensor_f32("xs", {}, {0.03f}), tensor_raw("xz", {}, t, xzv), tensor_f32("ys", {}, {0.02f}),
                           tensor_raw("yz", {}, t, yzv)}));
      const auto y = run_one<uint8_t>(*m, u8 ? ElemType::kUInt8 : ElemType::kInt8, xd, x.data(), x.size());
      auto code = [&](uint8_t v) { return u8 ? int32_t{v} : int32_t{static_cast<int8_t>(v)}; };
      const int32_t z = code(xzv[0]), zo = code(yzv[0]);
      for (int64_t b = 0; b < n; ++b)
        for (int64_t ch = 0; ch < c; ++ch) {
          int64_t acc = 0;
          for (int64_t p = 0; p < h * w; ++p) acc += code(x[cl ? (b * h * w + p) * c + ch : (b * c + ch) * h * w + p]) - z;
          const float sc = (0.03f / 0.02f) / static_cast<float>(h * w);
          INFO("u8 " << u8 << " channels_last " << cl);
          REQUIRE(code(y[b * c + ch]) == rq(acc, sc, zo, u8));
        }
    }
  }
}

TEST_CASE("com.microsoft QLinearAveragePool equals the integer oracle", "[runtime]") {
  std::mt19937 rng(44);
  for (int iter = 0; iter < 16; ++iter) {
    const bool u8 = iter % 2, cl = iter % 4 >= 2, incl = iter % 8 >= 4;
    const int64_t n = 1 + rng() % 2, c = 1 + rng() % 20, kh = 1 + rng() % 3, kw = 1 + rng() % 3;
    const int64_t h = kh + rng() % 6, w = kw + rng() % 6, sh = 1 + rng() % 2, sw = 1 + rng() % 2;
    const int64_t pt = rng() % kh, pl = rng() % kw, pb = rng() % kh, pr = rng() % kw;
    const int64_t oh = (h + pt + pb - kh) / sh + 1, ow = (w + pl + pr - kw) / sw + 1;
    const std::vector<int64_t> xd = cl ? std::vector<int64_t>{n, h, w, c} : std::vector<int64_t>{n, c, h, w};
    const std::vector<int64_t> yd = cl ? std::vector<int64_t>{n, oh, ow, c} : std::vector<int64_t>{n, c, oh, ow};
    const int32_t t = u8 ? kU8 : kI8;
    std::vector<uint8_t> x = rand_codes<uint8_t>(rng, n * c * h * w);
    const int32_t xz = pick_zp(rng, u8), yz = pick_zp(rng, u8);
    const std::vector<uint8_t> xzv{static_cast<uint8_t>(xz)}, yzv{static_cast<uint8_t>(yz)};
    auto m = load(model({ms_node("QLinearAveragePool", {"x", "xs", "xz", "ys", "yz"}, {"y"},
                                 {attr_int("channels_last", cl), attr_int("count_include_pad", incl), attr_ints("kernel_shape", {kh, kw}),
                                  attr_ints("strides", {sh, sw}), attr_ints("pads", {pt, pl, pb, pr})})},
                        {value_info("x", t, xd)}, {value_info("y", t, yd)},
                        {tensor_f32("xs", {}, {0.03f}), tensor_raw("xz", {}, t, xzv), tensor_f32("ys", {}, {0.025f}),
                         tensor_raw("yz", {}, t, yzv)}));
    const auto y = run_one<uint8_t>(*m, u8 ? ElemType::kUInt8 : ElemType::kInt8, xd, x.data(), x.size());
    auto code = [&](uint8_t v) { return u8 ? int32_t{v} : int32_t{static_cast<int8_t>(v)}; };
    const int32_t z = code(xzv[0]), zo = code(yzv[0]);
    for (int64_t b = 0; b < n; ++b)
      for (int64_t ch = 0; ch < c; ++ch)
        for (int64_t oy = 0; oy < oh; ++oy)
          for (int64_t ox = 0; ox < ow; ++ox) {
            int64_t acc = 0, cnt = 0;
            for (int64_t ky = 0; ky < kh; ++ky)
              for (int64_t kx = 0; kx < kw; ++kx) {
                const int64_t iy = oy * sh - pt + ky, ix = ox * sw - pl + kx;
                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                acc += code(x[cl ? ((b * h + iy) * w + ix) * c + ch : ((b * c + ch) * h + iy) * w + ix]) - z;
                ++cnt;
              }
            const float sc = (0.03f / 0.025f) / static_cast<float>(incl ? kh * kw : cnt);
            const size_t oi = cl ? ((b * oh + oy) * ow + ox) * c + ch : ((b * c + ch) * oh + oy) * ow + ox;
            INFO("iter " << iter);
            REQUIRE(code(y[oi]) == rq(acc, sc, zo, u8));
          }
  }
}

TEST_CASE("com.microsoft QGemm equals the integer oracle", "[runtime]") {
  std::mt19937 rng(55);
  for (int iter = 0; iter < 24; ++iter) {
    const bool au8 = rng() % 2, bu8 = rng() % 2, ta = iter % 2, tb = iter % 4 >= 2, fout = iter % 3 == 0, per_col = iter % 5 < 2;
    const int64_t m = 1 + rng() % 7, k = 1 + rng() % 30, n = 1 + rng() % 9;
    const int cmode = iter % 6;  // 0 none, 1 scalar, 2 [N], 3 [M,1], 4 [M,N], 5 [1,N]
    std::vector<uint8_t> a = rand_codes<uint8_t>(rng, m * k), b = rand_codes<uint8_t>(rng, k * n);
    const int32_t at = au8 ? kU8 : kI8, bt = bu8 ? kU8 : kI8, yt = au8 ? kU8 : kI8;
    const size_t nz = per_col ? n : 1;
    std::vector<uint8_t> bz(nz);
    std::vector<float> bs(nz);
    for (size_t j = 0; j < nz; ++j) { bz[j] = static_cast<uint8_t>(pick_zp(rng, bu8)); bs[j] = 0.01f * (1 + rng() % 4); }
    const std::vector<uint8_t> az{static_cast<uint8_t>(pick_zp(rng, au8))}, yz{static_cast<uint8_t>(pick_zp(rng, au8))};
    std::vector<int64_t> cd;
    if (cmode == 1) cd = {};
    if (cmode == 2) cd = {n};
    if (cmode == 3) cd = {m, 1};
    if (cmode == 4) cd = {m, n};
    if (cmode == 5) cd = {1, n};
    size_t cn = 1;
    for (int64_t d : cd) cn *= static_cast<size_t>(d);
    std::vector<int32_t> cv(cn);
    for (auto& v : cv) v = static_cast<int32_t>(rng() % 4001) - 2000;
    const float alpha = iter % 4 == 1 ? 0.5f : 1.0f, asc = 0.02f, ysc = 0.04f * std::sqrt(static_cast<float>(k));
    const std::vector<int64_t> pd = per_col ? std::vector<int64_t>{n} : std::vector<int64_t>{};
    std::vector<std::string> ins{"a", "as", "az", "b", "bs", "bz", cmode ? "c" : ""};
    if (!fout) { ins.push_back("ys"); ins.push_back("yz"); }
    std::vector<Pb> inits{tensor_f32("as", {}, {asc}), tensor_raw("az", {}, at, az), tensor_raw("b", tb ? std::vector<int64_t>{n, k} : std::vector<int64_t>{k, n}, bt, b),
                          tensor_f32("bs", pd, bs), tensor_raw("bz", pd, bt, bz), tensor_f32("ys", {}, {ysc}), tensor_raw("yz", {}, yt, yz)};
    if (cmode) inits.push_back(tensor_raw("c", cd, kI32, cv));
    const std::vector<int64_t> ad = ta ? std::vector<int64_t>{k, m} : std::vector<int64_t>{m, k};
    auto mdl = load(model({ms_node("QGemm", ins, {"y"}, {attr_int("transA", ta), attr_int("transB", tb), attr_float("alpha", alpha)})},
                          {value_info("a", at, ad)}, {value_info("y", fout ? kF32 : yt, {m, n})}, inits));
    void* p = mdl->stage_input(0, au8 ? ElemType::kUInt8 : ElemType::kInt8, ad);
    std::memcpy(p, a.data(), a.size());
    mdl->run();
    const auto& y = mdl->output(0);
    auto code = [](uint8_t v, bool u) { return u ? int32_t{v} : int32_t{static_cast<int8_t>(v)}; };
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        const size_t pj = per_col ? j : 0;
        int64_t acc = 0;
        for (int64_t q = 0; q < k; ++q) {
          const int32_t av = code(a[ta ? q * m + i : i * k + q], au8) - code(az[0], au8);
          const int32_t bv = code(b[tb ? j * k + q : q * n + j], bu8) - code(bz[pj], bu8);
          acc += av * bv;
        }
        if (cmode) acc += cv[cmode == 1 ? 0 : cmode == 2 || cmode == 5 ? j : cmode == 3 ? i : i * n + j];
        const float sc = alpha * asc * bs[pj];
        INFO("iter " << iter << " m " << m << " k " << k << " n " << n << " cmode " << cmode);
        if (fout) {
          REQUIRE(y.as<const float>()[i * n + j] == static_cast<float>(acc) * sc);
        } else {
          REQUIRE(code(y.as<const uint8_t>()[i * n + j], au8) == rq(acc, sc / ysc, code(yz[0], au8), au8));
        }
      }
  }
}
