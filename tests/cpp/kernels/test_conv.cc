// 2-D NHWC convolution (int8 qs8/qu8 and float32; strides, padding, dilation, groups, 1x1 direct
// path) vs a naive direct convolution loop: int8 exact, float exact (same tap order); block im2col
// (im2col_nhwc_rows) vs the whole-image im2col.
#include <catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <type_traits>
#include <vector>

#include "gemm_tester.h"
#include "kernels/conv/conv.h"
#include "kernels/requant/requant.h"

namespace {

std::string describe(const wasmq::ConvShape& s) {
  std::ostringstream o;
  o << "N=" << s.batch << " H=" << s.in_h << " W=" << s.in_w << " C=" << s.in_c << " O=" << s.out_c << " K="
    << s.kernel_h << "x" << s.kernel_w << " stride=" << s.stride_h << "x" << s.stride_w << " dil=" << s.dilation_h
    << "x" << s.dilation_w << " pad(t,l,b,r)=" << s.pad_top << "," << s.pad_left << "," << s.pad_bottom << ","
    << s.pad_right << " groups=" << s.groups << " -> " << s.out_h() << "x" << s.out_w();
  return o.str();
}

// Input value at (b, y, x, c) with y, x in padded coordinates, or `pad` outside the input.
template <typename T>
T at(const wasmq::ConvShape& s, const std::vector<T>& in, size_t b, size_t yp, size_t xp, size_t c, T pad) {
  if (yp < s.pad_top || xp < s.pad_left) return pad;
  const size_t y = yp - s.pad_top, x = xp - s.pad_left;
  if (y >= s.in_h || x >= s.in_w) return pad;
  return in[((b * s.in_h + y) * s.in_w + x) * s.in_c + c];
}

// Visits every output element with its taps in (ky, kx, ci) order: fn(out_index, o, tap_value, weight).
template <typename T, typename TW, typename Init, typename Tap, typename Done>
void naive_conv(const wasmq::ConvShape& s, const std::vector<T>& in, const std::vector<TW>& w, T pad, Init init,
                Tap tap, Done done) {
  const size_t oh = s.out_h(), ow = s.out_w(), gi = s.group_in(), go = s.group_out();
  for (size_t b = 0; b < s.batch; ++b)
    for (size_t oy = 0; oy < oh; ++oy)
      for (size_t ox = 0; ox < ow; ++ox)
        for (size_t o = 0; o < s.out_c; ++o) {
          const size_t g = o / go;
          init(o);
          for (size_t ky = 0; ky < s.kernel_h; ++ky)
            for (size_t kx = 0; kx < s.kernel_w; ++kx)
              for (size_t ci = 0; ci < gi; ++ci) {
                const T v = at(s, in, b, oy * s.stride_h + ky * s.dilation_h, ox * s.stride_w + kx * s.dilation_w,
                               g * gi + ci, pad);
                tap(v, w[((o * s.kernel_h + ky) * s.kernel_w + kx) * gi + ci]);
              }
          done(((b * oh + oy) * ow + ox) * s.out_c + o, o);
        }
}

// A deterministic list of shapes covering strides, asymmetric padding, dilation, groups and 1x1.
std::vector<wasmq::ConvShape> shapes() {
  std::vector<wasmq::ConvShape> v;
  wasmq::Rng rng(wasmq_test::test_seed(314));
  for (int i = 0; i < 120; ++i) {
    wasmq::ConvShape s;
    s.batch = 1 + rng.below(2);
    s.groups = 1 + rng.below(3);
    s.in_c = s.groups * (1 + rng.below(5));
    s.out_c = s.groups * (1 + rng.below(6));
    s.kernel_h = 1 + rng.below(3);
    s.kernel_w = 1 + rng.below(3);
    s.stride_h = 1 + rng.below(2);
    s.stride_w = 1 + rng.below(3);
    s.dilation_h = 1 + rng.below(2);
    s.dilation_w = 1 + rng.below(2);
    if (i % 4 != 0) {
      s.pad_top = rng.below(2);
      s.pad_left = rng.below(3);
      s.pad_bottom = rng.below(2);
      s.pad_right = rng.below(2);
    }
    if (i % 5 == 0) s.kernel_h = s.kernel_w = 1;  // 1x1, often direct
    s.in_h = s.dilation_h * (s.kernel_h - 1) + 1 + rng.below(6);
    s.in_w = s.dilation_w * (s.kernel_w - 1) + 1 + rng.below(7);
    v.push_back(s);
  }
  wasmq::ConvShape big;  // a MobileNet-like 3x3 stride-2 layer with K past several GEMM blocks
  big.in_h = big.in_w = 9, big.in_c = 24, big.out_c = 13, big.kernel_h = big.kernel_w = 3;
  big.stride_h = big.stride_w = 2, big.pad_top = big.pad_left = big.pad_bottom = big.pad_right = 1;
  v.push_back(big);
  return v;
}

template <typename TA>
void check_qconv(const wasmq::ConvShape& s, uint64_t seed, int32_t in_zp, int32_t out_zp, int32_t qmin, int32_t qmax,
                 bool per_channel) {
  const int lo = std::numeric_limits<TA>::min(), hi = std::numeric_limits<TA>::max();
  wasmq::Rng rng(seed);
  std::vector<TA> in(s.batch * s.in_h * s.in_w * s.in_c + wasmq::kQs8GemmKR);  // documented 8 spare bytes
  for (auto& x : in) x = static_cast<TA>(lo + static_cast<int>(rng.below(hi - lo + 1)));
  const std::vector<int8_t> w = wasmq_test::random_int8(s.out_c * s.k(), seed + 1);
  std::vector<int32_t> bias(s.out_c);
  for (auto& b : bias) b = static_cast<int32_t>(rng.below(4001)) - 2000;
  const std::vector<float> ws = wasmq_test::uniform(s.out_c, seed + 2, 0.002f, 0.01f);
  typename wasmq::QConv2d<TA>::Quant q{0.05f, in_zp, ws.data(), per_channel, 0.02f * std::sqrt(float(s.k())), out_zp, qmin, qmax};
  const wasmq::QConv2d<TA> conv(s, w.data(), bias.data(), q);
  std::vector<uint8_t> scratch(conv.scratch_size());
  std::vector<TA> got(s.pixels() * s.out_c + 3, wasmq_test::sentinel<TA>()), want = got;
  conv.run(in.data(), got.data(), scratch.data());
  int64_t acc = 0;
  naive_conv<TA, int8_t>(
      s, in, w, static_cast<TA>(in_zp), [&](size_t o) { acc = bias[o]; },
      [&](TA v, int8_t wv) { acc += (static_cast<int64_t>(v) - in_zp) * wv; },
      [&](size_t idx, size_t o) {
        const float scale = q.in_scale * ws[per_channel ? o : 0] / q.out_scale;
        want[idx] = static_cast<TA>(wasmq::requantize_fp32(static_cast<int32_t>(acc), scale, out_zp, qmin, qmax));
      });
  const std::string d = wasmq_test::first_difference(got, want, 1, s.out_c);
  INFO(describe(s) << " in_zp=" << in_zp << " out_zp=" << out_zp << " q=[" << qmin << "," << qmax << "] "
                   << (per_channel ? "per-channel" : "per-tensor") << " seed=" << seed << " (index as [pixel][o]): " << d);
  REQUIRE(d.empty());
}

}  // namespace

TEST_CASE("qs8/qu8 conv2d NHWC equals the naive direct convolution", "[kernels][conv]") {
  WASMQ_SEED_INFO(wasmq_test::test_seed());
  size_t i = 0;
  for (const wasmq::ConvShape& s : shapes()) {
    const uint64_t seed = wasmq_test::test_seed(1000 + i++);
    check_qconv<int8_t>(s, seed, i % 2 ? -128 : 127, 5, -128, 127, i % 3 != 0);
    check_qconv<int8_t>(s, seed, 3, -10, -10, 127, true);  // fused ReLU
    check_qconv<uint8_t>(s, seed, static_cast<int32_t>((i * 37) % 256), 128, 0, 255, i % 2 == 0);
    check_qconv<uint8_t>(s, seed, 0, 0, 0, 255, true);
    check_qconv<uint8_t>(s, seed, 255, 20, 20, 120, false);  // ReLU6-like band
  }
}

TEST_CASE("f32 conv2d NHWC equals the naive direct convolution (same tap order)", "[kernels][conv]") {
  WASMQ_SEED_INFO(wasmq_test::test_seed());
  size_t i = 0;
  for (const wasmq::ConvShape& s : shapes()) {
    const uint64_t seed = wasmq_test::test_seed(2000 + i++);
    const std::vector<float> in = wasmq_test::normal(s.batch * s.in_h * s.in_w * s.in_c, seed);
    const std::vector<float> w = wasmq_test::normal(s.out_c * s.k(), seed + 1);
    const std::vector<float> bias = wasmq_test::normal(s.out_c, seed + 2);
    const float fmin = i % 2 ? 0.0f : -1e30f, fmax = i % 3 ? 6.0f : 1e30f;
    const wasmq::F32Conv2d conv(s, w.data(), bias.data(), fmin, fmax);
    std::vector<uint8_t> scratch(conv.scratch_size());
    std::vector<float> got(s.pixels() * s.out_c + 3, wasmq_test::sentinel<float>()), want = got;
    conv.run(in.data(), got.data(), scratch.data());
    float acc = 0.0f;
    naive_conv<float, float>(
        s, in, w, 0.0f, [&](size_t o) { acc = bias[o]; }, [&](float v, float wv) { acc = acc + v * wv; },
        [&](size_t idx, size_t) {
          acc = acc < fmin ? fmin : acc;
          want[idx] = fmax < acc ? fmax : acc;
        });
    const std::string d = wasmq_test::first_difference(got, want, 1, s.out_c);
    INFO(describe(s) << " clamp=[" << fmin << "," << fmax << "] seed=" << seed << ": " << d);
    REQUIRE(d.empty());
  }
}

TEST_CASE("conv2d: larger random shapes (slow sweep)", "[conv][.slow]") {
  WASMQ_SEED_INFO(wasmq_test::test_seed());
  wasmq::Rng rng(wasmq_test::test_seed(4242));
  for (int i = 0; i < 300; ++i) {
    wasmq::ConvShape s;
    s.batch = 1 + rng.below(2);
    s.groups = 1 + rng.below(4);
    s.in_c = s.groups * (1 + rng.below(12));
    s.out_c = s.groups * (1 + rng.below(12));
    s.kernel_h = 1 + rng.below(5);
    s.kernel_w = 1 + rng.below(5);
    s.stride_h = 1 + rng.below(3);
    s.stride_w = 1 + rng.below(3);
    s.dilation_h = 1 + rng.below(3);
    s.dilation_w = 1 + rng.below(3);
    s.pad_top = rng.below(3), s.pad_left = rng.below(3), s.pad_bottom = rng.below(3), s.pad_right = rng.below(3);
    s.in_h = s.dilation_h * (s.kernel_h - 1) + 1 + rng.below(9);
    s.in_w = s.dilation_w * (s.kernel_w - 1) + 1 + rng.below(9);
    const uint64_t seed = wasmq_test::test_seed(5000 + i);
    check_qconv<uint8_t>(s, seed, static_cast<int32_t>(rng.below(256)), 128, 0, 255, i % 2 == 0);
    check_qconv<int8_t>(s, seed, static_cast<int32_t>(rng.below(256)) - 128, 0, -128, 127, i % 2 == 1);
  }
}

namespace {

// im2col_nhwc_rows over pixel blocks of `block` == im2col_nhwc, zeros in [k, row_stride), nothing
// written more than 16 bytes past the last row.
template <typename T>
void check_im2col_rows(const wasmq::ConvShape& s, size_t group, size_t row_stride, size_t block, uint64_t seed) {
  wasmq::Rng rng(seed);
  std::vector<T> in(s.batch * s.in_h * s.in_w * s.in_c + 16);  // + 16: the documented over-read
  for (auto& v : in) v = static_cast<T>(rng.below(256));
  const T pad = static_cast<T>(rng.below(256));
  const size_t pixels = s.pixels(), k = s.k();
  std::vector<T> want(pixels * row_stride, T(0));
  wasmq::im2col_nhwc<T>(s, group, in.data(), pad, want.data(), row_stride);
  const T sentinel = static_cast<T>(0x5A);
  std::vector<T> got(block * row_stride + 16 + 8, sentinel);
  for (size_t p0 = 0; p0 < pixels; p0 += block) {
    const size_t pn = std::min(block, pixels - p0);
    std::fill(got.begin(), got.end(), sentinel);
    wasmq::im2col_nhwc_rows<T>(s, group, in.data(), pad, got.data(), row_stride, p0, pn);
    for (size_t i = 0; i < pn * row_stride; ++i) {
      INFO(describe(s) << " group " << group << " row_stride " << row_stride << " block " << block << " p0 " << p0
                       << ": pixel " << p0 + i / row_stride << " k " << i % row_stride << " (k = " << k << ")");
      REQUIRE(static_cast<int>(got[i]) == static_cast<int>(want[(p0 + i / row_stride) * row_stride + i % row_stride]));
    }
    for (size_t i = pn * row_stride + 16; i < got.size(); ++i) REQUIRE(got[i] == sentinel);
  }
}

}  // namespace

TEST_CASE("im2col_nhwc_rows: pixel blocks equal im2col_nhwc (stem-like spans <= 16 bytes, groups, dilation)", "[kernels][conv]") {
  WASMQ_SEED_INFO(wasmq_test::test_seed());
  // An RGB stem (3x3 s2, pad 1: 9-byte spans), then a sweep of the shapes the 16-byte copy sees.
  wasmq::ConvShape stem;
  stem.in_h = 12, stem.in_w = 20, stem.in_c = 3, stem.out_c = 8, stem.kernel_h = stem.kernel_w = 3;
  stem.stride_h = stem.stride_w = 2, stem.pad_top = stem.pad_left = stem.pad_bottom = stem.pad_right = 1;
  for (size_t block : {1, 4, 7, 1000}) {
    check_im2col_rows<int8_t>(stem, 0, 32, block, wasmq_test::test_seed(6000 + block));
    check_im2col_rows<uint8_t>(stem, 0, 27, block, wasmq_test::test_seed(6100 + block));
    check_im2col_rows<uint8_t>(stem, 0, 60, block, wasmq_test::test_seed(6200 + block));
  }
  size_t i = 0;
  for (const wasmq::ConvShape& s : shapes()) {
    for (size_t g = 0; g < s.groups; ++g) {
      const size_t kc = wasmq::qs8_gemm_kc(s.k());
      check_im2col_rows<int8_t>(s, g, kc, 1 + i % 5, wasmq_test::test_seed(6300 + i));
      check_im2col_rows<uint8_t>(s, g, kc, 64, wasmq_test::test_seed(6400 + i));
      ++i;
    }
  }
  wasmq::Rng rng(wasmq_test::test_seed(6500));
  for (int r = 0; r < 200; ++r) {
    wasmq::ConvShape s;
    s.batch = 1 + rng.below(2);
    s.groups = 1 + (r % 4 == 0 ? rng.below(3) : 0);
    s.in_c = s.groups * (1 + rng.below(6));
    s.out_c = s.groups;
    s.kernel_h = 1 + rng.below(5);
    s.kernel_w = 1 + rng.below(5);
    s.stride_h = 1 + rng.below(3);
    s.stride_w = 1 + rng.below(3);
    s.dilation_h = 1 + (r % 5 == 0 ? rng.below(2) : 0);
    s.dilation_w = 1 + (r % 7 == 0 ? rng.below(2) : 0);
    s.pad_top = rng.below(3), s.pad_left = rng.below(3), s.pad_bottom = rng.below(3), s.pad_right = rng.below(3);
    s.in_h = s.dilation_h * (s.kernel_h - 1) + 1 + rng.below(6);
    s.in_w = s.dilation_w * (s.kernel_w - 1) + 1 + rng.below(6);
    const size_t kc = wasmq::qs8_gemm_kc(s.k());
    for (size_t g = 0; g < s.groups; ++g) {
      check_im2col_rows<int8_t>(s, g, r % 3 == 0 ? s.k() : kc, 1 + rng.below(9), wasmq_test::test_seed(7000 + r));
    }
  }
}

namespace {

// The column-blocked GEMM (qs8_packw_nb + the 2x16c2 / 2x8c2 kernels, the 1x1-convolution path)
// against the scalar reference GEMM on the standard packing, bit for bit, and both against an int64 loop.
template <typename T>
void check_gemm_col(size_t nbw, size_t m, size_t n, size_t k, size_t a_stride, size_t c_stride, int32_t a_zp, int32_t c_zp,
                    int32_t qmin, int32_t qmax, size_t mb, size_t me, size_t nb, size_t ne, bool extreme, uint64_t seed) {
  const wasmq::QGemmColConfig& cfg = wasmq::qgemm_col_config();
  const auto fn = [&] {
    if constexpr (std::is_same<T, int8_t>::value) return nbw == 16 ? cfg.qs8_n16 : cfg.qs8_n8;
    else return nbw == 16 ? cfg.qu8_n16 : cfg.qu8_n8;
  }();
  const auto ref = [] {
    if constexpr (std::is_same<T, int8_t>::value) return wasmq::qs8_gemm_minmax_fp32__scalar;
    else return wasmq::qu8_gemm_minmax_fp32__scalar;
  }();
  if (!fn) return;  // no column-blocked kernel in this build
  wasmq::Rng rng(seed);
  const int32_t lo = std::numeric_limits<T>::min(), hi = std::numeric_limits<T>::max();
  std::vector<T> a((m - 1) * a_stride + k + wasmq::kQs8GemmKR);  // + the 7-byte over-read
  for (auto& v : a) v = static_cast<T>(lo + static_cast<int32_t>(rng.below(256)));
  std::vector<int8_t> w(n * k);
  for (auto& v : w) v = static_cast<int8_t>(static_cast<int32_t>(rng.below(256)) - 128);
  if (extreme) {
    for (size_t r = 0; r < m; ++r)
      for (size_t i = 0; i < k; ++i) a[r * a_stride + i] = static_cast<T>(a_zp - lo > hi - a_zp ? lo : hi);
    for (auto& v : w) v = -128;
  }
  std::vector<int32_t> bias(n);
  for (auto& v : bias) v = static_cast<int32_t>(rng.below(200001)) - 100000;
  std::vector<float> scale(n);
  const float base = 64.0f / (3000.0f * std::sqrt(static_cast<float>(k) + 1.0f) + 100000.0f);
  for (auto& v : scale) v = base * (0.5f + static_cast<float>(rng.uniform()));
  std::vector<uint8_t> packed(wasmq::qs8_packw_size(n, k)), packed16(wasmq::qs8_packw_nb_size(nbw, n, k), 0xEE);
  wasmq::qs8_packw(n, k, w.data(), k, 1, bias.data(), packed.data());
  wasmq::qs8_packw_nb(nbw, n, k, w.data(), k, 1, bias.data(), packed16.data());
  wasmq::QGemmParams p;
  p.a_zero_point = &a_zp;
  p.scale = scale.data();
  p.c_zero_point = c_zp;
  p.qmin = qmin;
  p.qmax = qmax;
  std::vector<T> want(m * c_stride, wasmq_test::sentinel<T>()), got = want, naive = want;
  ref(mb, me, nb, ne, k, a.data(), a_stride, packed.data(), want.data(), c_stride, p);
  fn(mb, me, nb, ne, k, a.data(), a_stride, packed16.data(), got.data(), c_stride, p);
  for (size_t r = mb; r < me; ++r)
    for (size_t col = nb; col < ne; ++col) {
      int64_t acc = bias[col];
      for (size_t i = 0; i < k; ++i) acc += (static_cast<int64_t>(a[r * a_stride + i]) - a_zp) * w[col * k + i];
      naive[r * c_stride + col] = static_cast<T>(wasmq::requantize_fp32(
          static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(acc))), scale[col], c_zp, qmin, qmax));
    }
  INFO("block " << nbw << " M=" << m << " N=" << n << " K=" << k << " a_stride=" << a_stride << " c_stride=" << c_stride << " a_zp=" << a_zp
            << " c_zp=" << c_zp << " q=[" << qmin << "," << qmax << "] range m[" << mb << "," << me << ") n[" << nb << ","
            << ne << ")" << (extreme ? " extreme" : "") << " seed=" << seed);
  const std::string d0 = wasmq_test::first_difference(want, naive, m, c_stride);
  INFO("scalar reference vs int64 loop: " << d0);
  REQUIRE(d0.empty());
  const std::string d = wasmq_test::first_difference(got, want, m, c_stride);
  INFO("2x" << nbw << "c2 vs scalar reference: " << d);
  REQUIRE(d.empty());
}

}  // namespace

TEST_CASE("qs8/qu8 GEMM 2x16c2 / 2x8c2 (column-blocked, 1x1 convolutions) equal the scalar reference", "[kernels][conv][gemm]") {
  WASMQ_SEED_INFO(wasmq_test::test_seed());
  uint64_t i = 0;
  const int32_t u8_zps[] = {0, 1, 127, 128, 255};
  const int32_t s8_zps[] = {-128, -1, 0, 1, 127};
  for (size_t nbw : {16, 8}) {
    for (size_t n : {1, 3, 8, 15, 16, 17, 24, 31, 32, 33, 40, 88, 104, 200}) {
      for (size_t k : {1, 2, 7, 8, 9, 15, 16, 17, 24, 27, 32, 33, 50, 88, 200}) {
        for (size_t m : {1, 2, 3, 6}) {
          ++i;
          const uint64_t seed = wasmq_test::test_seed(8000 + i);
          const int32_t zs = s8_zps[i % 5], zu = u8_zps[i % 5], ys = s8_zps[(i / 5) % 5], yu = u8_zps[(i / 5) % 5];
          const size_t as = k + (i % 3 == 0 ? 5 : 0), cs = n + (i % 4 == 0 ? 3 : 0);
          check_gemm_col<int8_t>(nbw, m, n, k, as, cs, zs, ys, -128, 127, 0, m, 0, n, false, seed);
          check_gemm_col<uint8_t>(nbw, m, n, k, as, cs, zu, yu, 0, 255, 0, m, 0, n, false, seed + 1);
          if (i % 7 == 0) {
            check_gemm_col<int8_t>(nbw, m, n, k, as, cs, zs, ys, ys, std::min(127, ys + 50), 0, m, 0, n, false, seed + 2);
            check_gemm_col<uint8_t>(nbw, m, n, k, as, cs, zu, yu, yu, std::min(255, yu + 50), 0, m, 0, n, true, seed + 3);
            check_gemm_col<int8_t>(nbw, m, n, k, as, cs, -128, 0, -128, 127, 0, m, 0, n, true, seed + 4);
          }
        }
      }
    }
  }
  // Sub-ranges: rows [1, m-1), columns from the second block.
  for (size_t nbw : {16, 8}) check_gemm_col<int8_t>(nbw, 7, 40, 20, 21, 45, 3, -2, -128, 127, 1, 6, 16, 37, false, wasmq_test::test_seed(8900));
  for (size_t nbw : {16, 8}) check_gemm_col<uint8_t>(nbw, 5, 200, 32, 32, 200, 128, 120, 0, 255, 2, 5, 32, 200, false, wasmq_test::test_seed(8901));
}

TEST_CASE("conv2d rejects inconsistent shapes with a message", "[kernels][conv]") {
  wasmq::ConvShape s;
  s.in_c = 6, s.out_c = 4, s.groups = 4;
  std::vector<float> w(16);
  REQUIRE_THROWS_WITH(wasmq::F32Conv2d(s, w.data(), nullptr, -1.0f, 1.0f), Catch::Contains("multiples of groups"));
  s.groups = 1, s.kernel_h = 3;
  REQUIRE_THROWS_WITH(wasmq::F32Conv2d(s, w.data(), nullptr, -1.0f, 1.0f), Catch::Contains("larger than the padded input"));
  s.kernel_h = 1;
  const std::vector<int8_t> w8(24);
  const float ws = 0.1f;
  REQUIRE_THROWS_WITH(wasmq::Qu8Conv2d(s, w8.data(), nullptr, {0.1f, 300, &ws, false, 0.1f, 0, 0, 255}),
                      Catch::Contains("input zero point must be in [0, 255]"));
  REQUIRE_THROWS_WITH(wasmq::Qs8Conv2d(s, w8.data(), nullptr, {0.1f, 0, &ws, false, 0.1f, 0, -128, 200}),
                      Catch::Contains("qmin <= qmax"));
}
