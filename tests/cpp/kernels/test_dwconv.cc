// Tests of depthwise convolution (int8/uint8 and float32): channels, kernel sizes, strides,
// paddings, dilations, zero points, per-channel scales, clamps, pixel strides, row ranges.
#include <catch.hpp>

#include "common/error.h"
#include "dwconv_tester.h"

using wasmq_test::DwconvTester;

TEST_CASE("dwconv qs8/qu8: channels 1..40 (past 2 tiles of 16), 3x3 with padding", "[kernels][dwconv]") {
  const uint64_t seed = wasmq_test::test_seed(301);
  WASMQ_SEED_INFO(seed);
  for (bool sgn : {true, false}) {
    for (size_t c = 1; c <= 40; ++c) {
      DwconvTester().is_signed(sgn).input(5, 6).channels(c).kernel(3, 3).padding(1, 1, 1, 1)
          .input_zero_point(sgn ? -3 : 130).output_zero_point(sgn ? 4 : 120).seed(seed + c).test_q();
    }
  }
}

TEST_CASE("dwconv qs8/qu8: kernel 1..5, stride 1..3, dilation 1..2, paddings", "[kernels][dwconv]") {
  const uint64_t seed = wasmq_test::test_seed(302);
  WASMQ_SEED_INFO(seed);
  uint64_t k = 0;
  for (size_t kh = 1; kh <= 5; ++kh) {
    for (size_t kw = 1; kw <= 5; ++kw) {
      for (size_t st = 1; st <= 3; ++st) {
        for (size_t d = 1; d <= 2; ++d) {
          ++k;
          const size_t pt = (k % 3 == 0) ? 0 : (kh - 1) * d / 2, pl = (k % 2) ? (kw - 1) * d / 2 : 0;
          const size_t pb = (kh - 1) * d - pt + (k % 5 == 0), pr = (kw - 1) * d / 2;
          const bool sgn = k % 2 == 0;
          DwconvTester t;
          t.is_signed(sgn).batch(k % 4 == 0 ? 2 : 1).input(7, 6).channels(k % 3 == 0 ? 19 : 24).kernel(kh, kw)
              .stride(st, k % 2 ? st : 1).dilation(d, 1 + (k % 2)).padding(pt, pl, pb, pr)
              .input_zero_point(sgn ? -128 + static_cast<int32_t>(k % 3) * 127 : static_cast<int32_t>(k % 4) * 85)
              .output_zero_point(sgn ? static_cast<int32_t>(k % 5) - 2 : 128).seed(seed + k);
          if (t.shape().out_h() == 0 || t.shape().out_w() == 0) continue;
          t.test_q();
        }
      }
    }
  }
}

TEST_CASE("dwconv qs8/qu8: zero points, clamps, odd-prime pixel strides", "[kernels][dwconv]") {
  const uint64_t seed = wasmq_test::test_seed(303);
  WASMQ_SEED_INFO(seed);
  const int32_t u8_zps[] = {0, 1, 127, 128, 255};
  const int32_t s8_zps[] = {-128, -1, 0, 1, 127};
  for (int i = 0; i < 5; ++i) {
    for (int j = 0; j < 5; ++j) {
      for (bool sgn : {true, false}) {
        const int32_t zx = sgn ? s8_zps[i] : u8_zps[i], zy = sgn ? s8_zps[j] : u8_zps[j];
        const int32_t lo = sgn ? -128 : 0;
        DwconvTester t;
        t.is_signed(sgn).input(4, 5).channels(21).kernel(3, 3).stride(2, 2).padding(1, 1, 1, 1)
            .input_zero_point(zx).output_zero_point(zy).seed(seed + static_cast<uint64_t>(i * 5 + j));
        t.test_q();
        // Fused ReLU-like clamp and ReLU6-like upper bound; pixel strides 23 and 29 (odd primes).
        t.qmin(zy).qmax(std::min(lo + 255, zy + 60)).pixel_strides(23, 29).test_q();
      }
    }
  }
}

TEST_CASE("dwconv f32: channels, kernels, strides, dilations, clamps", "[kernels][dwconv]") {
  const uint64_t seed = wasmq_test::test_seed(304);
  WASMQ_SEED_INFO(seed);
  for (size_t c = 1; c <= 40; ++c) {
    DwconvTester().input(5, 4).channels(c).kernel(3, 3).padding(1, 1, 1, 1).seed(seed + c).test_f32();
  }
  uint64_t k = 0;
  for (size_t kh = 1; kh <= 5; ++kh) {
    for (size_t st = 1; st <= 3; ++st) {
      for (size_t d = 1; d <= 2; ++d) {
        ++k;
        DwconvTester t;
        t.batch(1 + k % 2).input(7, 8).channels(k % 2 ? 17 : 35).kernel(kh, 6 - kh).stride(st, 1 + k % 3)
            .dilation(d, 1).padding(kh / 2, 1, (kh - 1) * d - kh / 2, 2).seed(seed + 100 + k);
        if (k % 3 == 0) t.f32_clamp(-0.5f, 0.75f);
        if (k % 4 == 0) t.pixel_strides(37, 41);
        if (t.shape().out_h() == 0 || t.shape().out_w() == 0) continue;
        t.test_f32();
      }
    }
  }
}

TEST_CASE("dwconv: shape errors", "[kernels][dwconv]") {
  wasmq::DwconvShape s;
  s.in_h = 2; s.in_w = 2; s.channels = 3; s.kernel_h = 3; s.kernel_w = 3;
  REQUIRE_THROWS_AS(s.validate(), wasmq::Error);  // kernel larger than the input
  s.pad_top = s.pad_bottom = s.pad_left = s.pad_right = 1;
  REQUIRE_NOTHROW(s.validate());
  REQUIRE(s.out_h() == 2);
  s.in_pixel_stride = 2;
  REQUIRE_THROWS_AS(s.validate(), wasmq::Error);
  s.in_pixel_stride = 0;
  s.stride_h = 0;
  REQUIRE_THROWS_AS(s.validate(), wasmq::Error);
  // Zero points and clamps outside the code range are refused (the SIMD path centres in int16).
  s.stride_h = 1;
  std::vector<int8_t> w(9 * 3, 1), x(2 * 2 * 3 + 16, 0), y(2 * 2 * 3);
  std::vector<int32_t> bias(3, 0);
  std::vector<float> rs(3, 0.1f);
  const std::vector<uint8_t> packed = wasmq::qs8_dwconv_pack(s, w.data(), bias.data(), rs.data());
  for (const auto& cfg : {wasmq::QDwconvParams{200, 0, -128, 127}, wasmq::QDwconvParams{0, 0, -129, 127},
                          wasmq::QDwconvParams{0, 0, 10, 5}}) {
    REQUIRE_THROWS_AS(wasmq::qs8_dwconv_minmax_fp32__scalar(s, x.data(), packed.data(), y.data(), cfg, 0, 2),
                      wasmq::Error);
    REQUIRE_THROWS_AS(wasmq::dwconv_config().qs8(s, x.data(), packed.data(), y.data(), cfg, 0, 2), wasmq::Error);
  }
  const wasmq::QDwconvParams ok{0, 0, -128, 127};
  REQUIRE_NOTHROW(wasmq::dwconv_config().qs8(s, x.data(), packed.data(), y.data(), ok, 0, 2));
}

TEST_CASE("dwconv qs8/qu8: short inputs where every pixel is a border (ppocr-cls-like), row plans", "[kernels][dwconv]") {
  // H of 1-3 with a 3x3/5x5 kernel and pads of kernel/2: every output row sees a different subset of
  // the kernel rows (the SIMD kernel's per-row tap plan), and only the end columns are x-borders.
  const uint64_t seed = wasmq_test::test_seed(305);
  WASMQ_SEED_INFO(seed);
  const size_t chans[] = {1, 3, 8, 15, 16, 17, 24, 31, 32, 33, 40, 88, 200};
  const int32_t u8_zps[] = {0, 1, 127, 128, 255};
  const int32_t s8_zps[] = {-128, -1, 0, 1, 127};
  uint64_t k = 0;
  for (size_t c : chans) {
    for (size_t kk : {3, 5}) {
      for (size_t h = 1; h <= 3; ++h) {
        for (size_t sh = 1; sh <= 2; ++sh) {
          for (size_t sw = 1; sw <= 2; ++sw) {
            ++k;
            const bool sgn = k % 2 == 0;
            const int32_t zx = sgn ? s8_zps[k % 5] : u8_zps[k % 5], zy = sgn ? s8_zps[(k / 5) % 5] : u8_zps[(k / 5) % 5];
            DwconvTester t;
            t.is_signed(sgn).batch(k % 7 == 0 ? 2 : 1).input(h, 9 + k % 4).channels(c).kernel(kk, kk).stride(sh, sw)
                .padding(kk / 2, kk / 2, kk / 2, kk / 2).input_zero_point(zx).output_zero_point(zy).seed(seed + k);
            if (t.shape().out_h() == 0 || t.shape().out_w() == 0) continue;
            t.test_q();
            if (k % 3 == 0) t.qmin(zy).qmax(zy + 40).test_q();
          }
        }
      }
    }
  }
  // No padding (interior only), asymmetric pads, a kernel row range that is empty (pads > kernel),
  // dilation, and a pixel stride: the row plan's odd/even tap counts and offsets.
  for (bool sgn : {true, false}) {
    const int32_t zx = sgn ? -128 : 255, zy = sgn ? 127 : 0;
    DwconvTester().is_signed(sgn).input(6, 11).channels(24).kernel(5, 5).input_zero_point(zx).output_zero_point(zy).seed(seed + 900).test_q();
    DwconvTester().is_signed(sgn).input(3, 10).channels(19).kernel(5, 3).padding(2, 0, 1, 2).input_zero_point(zx).seed(seed + 901).test_q();
    DwconvTester().is_signed(sgn).input(2, 7).channels(9).kernel(1, 3).padding(3, 1, 3, 1).input_zero_point(zx).seed(seed + 902).test_q();
    DwconvTester().is_signed(sgn).input(3, 12).channels(33).kernel(3, 3).dilation(2, 2).padding(2, 2, 2, 2).input_zero_point(zx).seed(seed + 903).test_q();
    DwconvTester().is_signed(sgn).input(3, 9).channels(20).kernel(5, 5).padding(2, 2, 2, 2).pixel_strides(23, 29).input_zero_point(zx).seed(seed + 904).test_q();
  }
}
