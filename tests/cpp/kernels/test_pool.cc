// Tests of max / average / global average pooling (int8, uint8, float32).
#include <catch.hpp>

#include "common/bits.h"
#include "common/error.h"
#include "pool_tester.h"

using wasmq_test::PoolKind;
using wasmq_test::PoolTester;
using wasmq_test::PoolType;

namespace {
const PoolType kTypes[] = {PoolType::kQs8, PoolType::kQu8, PoolType::kF32};
}

TEST_CASE("pool max/avg: channels 1..40, 3x3 stride 2 with padding", "[kernels][pool]") {
  const uint64_t seed = wasmq_test::test_seed(401);
  WASMQ_SEED_INFO(seed);
  for (PoolKind k : {PoolKind::kMax, PoolKind::kAvg}) {
    for (PoolType t : kTypes) {
      for (size_t c = 1; c <= 40; ++c) {
        for (bool inc : {false, true}) {
          PoolTester().kind(k).type(t).input(5, 6).channels(c).kernel(3, 3).stride(2, 2).padding(1, 1, 1, 1)
              .count_include_pad(inc).zero_points(t == PoolType::kQu8 ? 128 : -5, t == PoolType::kQu8 ? 127 : 3)
              .scales(0.1f, 0.07f).seed(seed + c).test();
        }
      }
    }
  }
}

TEST_CASE("pool max/avg: kernels 1..5, strides 1..3, dilations, paddings", "[kernels][pool]") {
  const uint64_t seed = wasmq_test::test_seed(402);
  WASMQ_SEED_INFO(seed);
  uint64_t n = 0;
  for (size_t kh = 1; kh <= 5; ++kh) {
    for (size_t kw = 1; kw <= 5; ++kw) {
      for (size_t st = 1; st <= 3; ++st) {
        ++n;
        const size_t d = 1 + n % 2;
        for (PoolKind k : {PoolKind::kMax, PoolKind::kAvg}) {
          PoolTester t;
          t.kind(k).type(kTypes[n % 3]).batch(1 + n % 2).input(7, 8).channels(n % 2 ? 17 : 32).kernel(kh, kw)
              .stride(st, 1 + (n + 1) % 3).dilation(d, 1).padding(kh / 2, (kw - 1) / 2, kh / 2, kw / 2)
              .count_include_pad(n % 4 == 0).zero_points(n % 3 == 1 ? 200 : 10, n % 3 == 1 ? 100 : -7)
              .scales(0.05f, 0.04f).seed(seed + n);
          if (t.shape().out_h() == 0 || t.shape().out_w() == 0) continue;
          t.test();
        }
      }
    }
  }
}

TEST_CASE("pool: zero points, clamps, odd-prime pixel strides", "[kernels][pool]") {
  const uint64_t seed = wasmq_test::test_seed(403);
  WASMQ_SEED_INFO(seed);
  const int32_t u8_zps[] = {0, 1, 127, 128, 255};
  const int32_t s8_zps[] = {-128, -1, 0, 1, 127};
  for (int i = 0; i < 5; ++i) {
    for (PoolKind k : {PoolKind::kMax, PoolKind::kAvg}) {
      for (PoolType t : {PoolType::kQs8, PoolType::kQu8}) {
        const int32_t zx = t == PoolType::kQs8 ? s8_zps[i] : u8_zps[i];
        const int32_t zy = t == PoolType::kQs8 ? s8_zps[4 - i] : u8_zps[4 - i];
        PoolTester().kind(k).type(t).input(6, 5).channels(19).kernel(3, 2).stride(2, 1).padding(1, 0, 1, 1)
            .zero_points(zx, zy).scales(0.02f, 0.03f).pixel_strides(23, 29).seed(seed + i).test();
        PoolTester().kind(k).type(t).input(6, 5).channels(35).kernel(2, 3).padding(0, 1, 1, 1)
            .zero_points(zx, zy).scales(0.02f, 0.03f).qclamp(zy, zy + 40).seed(seed + 10 + i).test();
      }
    }
  }
  PoolTester().kind(PoolKind::kMax).type(PoolType::kF32).input(5, 5).channels(23).kernel(3, 3).padding(1, 1, 1, 1)
      .fclamp(-0.3f, 0.8f).pixel_strides(31, 37).seed(seed).test();
  PoolTester().kind(PoolKind::kAvg).type(PoolType::kF32).input(5, 5).channels(23).kernel(3, 3).padding(1, 1, 1, 1)
      .fclamp(-0.3f, 0.8f).pixel_strides(31, 37).seed(seed).test();
}

TEST_CASE("pool: windows that lie entirely in the padding", "[kernels][pool]") {
  // k=2, dilation 3, pad 3: the first window's taps are at -3 and 0; with stride 1 some windows have
  // taps only in padding on one axis, giving an empty window (lowest value / average 0).
  for (PoolType t : kTypes) {
    for (PoolKind k : {PoolKind::kMax, PoolKind::kAvg}) {
      PoolTester().kind(k).type(t).input(2, 2).channels(5).kernel(2, 2).dilation(3, 3).padding(3, 3, 3, 3)
          .zero_points(t == PoolType::kQu8 ? 100 : 3, t == PoolType::kQu8 ? 90 : -4).test();
    }
  }
}

// ---- global average pool ----

namespace {

template <typename T>
void test_gavg(size_t batch, size_t pixels, size_t C, size_t in_stride, int32_t zx, int32_t zy, uint64_t seed) {
  const bool sgn = std::is_same<T, int8_t>::value;
  const int32_t lo = sgn ? -128 : 0;
  wasmq::GlobalPoolShape s;
  s.batch = batch;
  s.pixels = pixels;
  s.channels = C;
  s.in_pixel_stride = in_stride;
  s.out_stride = C + 3;
  wasmq::Rng rng(seed);
  std::vector<T> x(batch * pixels * s.in_stride() + 16);
  for (auto& v : x) v = static_cast<T>(lo + static_cast<int32_t>(rng.below(256)));
  const float sx = 0.03f, sy = 0.02f;
  const wasmq::QAvgPoolParams p = wasmq::make_qavgpool_params(sx, zx, sy, zy, lo, lo + 255, false);
  std::vector<T> y_ref(batch * s.out_batch_stride(), 0x11), y_simd(y_ref);
  const auto& cfg = wasmq::pool_config();
  if constexpr (std::is_same<T, int8_t>::value) {
    wasmq::qs8_gavgpool_minmax_fp32__scalar(s, x.data(), y_ref.data(), p, 0, batch);
    cfg.qs8_gavg(s, x.data(), y_simd.data(), p, 0, 1);
    cfg.qs8_gavg(s, x.data(), y_simd.data(), p, 1, batch);
  } else {
    wasmq::qu8_gavgpool_minmax_fp32__scalar(s, x.data(), y_ref.data(), p, 0, batch);
    cfg.qu8_gavg(s, x.data(), y_simd.data(), p, 0, 1);
    cfg.qu8_gavg(s, x.data(), y_simd.data(), p, 1, batch);
  }
  for (size_t b = 0; b < batch; ++b) {
    for (size_t c = 0; c < s.out_batch_stride(); ++c) {
      const size_t i = b * s.out_batch_stride() + c;
      INFO("gavgpool " << (sgn ? "qs8" : "qu8") << " batch " << batch << " pixels " << pixels << " C " << C
                       << " stride " << s.in_stride() << " zx " << zx << " zy " << zy << " at b " << b << " c " << c
                       << " simd " << int(y_simd[i]) << " scalar " << int(y_ref[i]) << " seed " << seed);
      REQUIRE(static_cast<int32_t>(y_simd[i]) == static_cast<int32_t>(y_ref[i]));
      if (c >= C) {
        REQUIRE(y_ref[i] == static_cast<T>(0x11));
        continue;
      }
      int32_t acc = 0;
      for (size_t k = 0; k < pixels; ++k) acc += static_cast<int32_t>(x[(b * pixels + k) * s.in_stride() + c]) - zx;
      const int32_t e = wasmq::requantize_fp32(acc, (sx / sy) / static_cast<float>(pixels), zy, lo, lo + 255);
      REQUIRE(static_cast<int32_t>(y_ref[i]) == e);
      double q = std::nearbyint(static_cast<double>(sx) * acc / pixels / sy) + zy;
      q = std::min<double>(std::max<double>(q, lo), lo + 255);
      REQUIRE(std::fabs(q - e) <= 1.0);
    }
  }
}

}  // namespace

TEST_CASE("global average pool qs8/qu8/f32: pixels across the int16 flush, channels, strides", "[kernels][pool]") {
  const uint64_t seed = wasmq_test::test_seed(404);
  WASMQ_SEED_INFO(seed);
  for (size_t pixels : {1, 7, 49, 127, 128, 129, 300}) {
    for (size_t C : {1, 5, 16, 17, 33}) {
      test_gavg<int8_t>(2, pixels, C, C + (pixels % 2) * 6, -128 + static_cast<int32_t>(C % 3) * 127, 1, seed + C);
      test_gavg<uint8_t>(2, pixels, C, C, static_cast<int32_t>(C % 3) * 127 + 1, 128, seed + C);
      // float
      wasmq::GlobalPoolShape s;
      s.batch = 2;
      s.pixels = pixels;
      s.channels = C;
      s.in_pixel_stride = C + 2;
      std::vector<float> x = wasmq_test::normal(2 * pixels * s.in_stride() + 4, seed + pixels);
      std::vector<float> y_ref(2 * C, 9.0f), y_simd(2 * C, 9.0f);
      const wasmq::F32PoolParams p{-1.0f, 1.0f, false};
      wasmq::f32_gavgpool_minmax__scalar(s, x.data(), y_ref.data(), p, 0, 2);
      wasmq::pool_config().f32_gavg(s, x.data(), y_simd.data(), p, 0, 2);
      for (size_t b = 0; b < 2; ++b) {
        for (size_t c = 0; c < C; ++c) {
          INFO("f32 gavgpool pixels " << pixels << " C " << C << " b " << b << " c " << c);
          REQUIRE(wasmq::float_bits(y_simd[b * C + c]) == wasmq::float_bits(y_ref[b * C + c]));
          float acc = 0.0f;
          for (size_t k = 0; k < pixels; ++k) acc = acc + x[(b * pixels + k) * s.in_stride() + c];
          const float e = std::min(std::max(acc * (1.0f / static_cast<float>(pixels)), -1.0f), 1.0f);
          REQUIRE(wasmq::float_bits(y_ref[b * C + c]) == wasmq::float_bits(e));
        }
      }
    }
  }
}

TEST_CASE("pool: errors", "[kernels][pool]") {
  wasmq::GlobalPoolShape s;
  s.pixels = 0;
  std::vector<float> x(4), y(4);
  REQUIRE_THROWS_AS(wasmq::f32_gavgpool_minmax__scalar(s, x.data(), y.data(), {0, 1, false}, 0, 1), wasmq::Error);
  REQUIRE_THROWS_AS(wasmq::make_qavgpool_params(0.0f, 0, 1.0f, 0, -128, 127, false), wasmq::Error);
  wasmq::PoolShape ps;
  ps.in_h = ps.in_w = 2;
  ps.kernel_h = ps.kernel_w = 2;
  REQUIRE_THROWS_AS(wasmq::f32_maxpool_minmax__scalar(ps, x.data(), y.data(), {0, 1, false}, 0, 2), wasmq::Error);
  ps.pad_top = ps.pad_bottom = ps.pad_left = ps.pad_right = 1;
  std::vector<uint8_t> qx(2 * 2 + 16), qy(3 * 3);
  const wasmq::QAvgPoolParams bad_zp = wasmq::make_qavgpool_params(0.1f, 300, 0.1f, 0, 0, 255, false);
  REQUIRE_THROWS_AS(wasmq::pool_config().qu8_avg(ps, qx.data(), qy.data(), bad_zp, 0, 3), wasmq::Error);
  REQUIRE_THROWS_AS(wasmq::qu8_avgpool_minmax_fp32__scalar(ps, qx.data(), qy.data(), bad_zp, 0, 3), wasmq::Error);
  REQUIRE_THROWS_AS(wasmq::pool_config().qu8_max(ps, qx.data(), qy.data(), {-1, 255}, 0, 3), wasmq::Error);
  REQUIRE_NOTHROW(wasmq::pool_config().qu8_max(ps, qx.data(), qy.data(), {0, 255}, 0, 3));
}
