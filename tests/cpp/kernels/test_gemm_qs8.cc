// Int8 GEMM kernels (qs8/qu8 activations; int32, requantized 8-bit and float outputs) vs the naive loop.
#include <catch.hpp>

#include <vector>

#include "gemm_tester.h"
#include "kernels/qs8-gemm/qs8-gemm.h"

using wasmq_test::QGemmTester;
using wasmq_test::next_prime;

namespace {

// One kernel of each output kind for one activation type, with its scalar reference.
template <typename TA, typename TC>
struct Case {
  const char* name;
  wasmq::qgemm_fn<TA, TC> fn;
  wasmq::qgemm_fn<TA, TC> ref;
  bool w16;  // int16-packed weights
};

#if defined(WASMQ_HAVE_WASMSIMD)
#define WASMQ_QGEMM_CASES(op, TA, TC)                                                                    \
  std::vector<Case<TA, TC>> {                                                                           \
    {#op "__scalar", wasmq::op##__scalar, nullptr, false},                                              \
    {#op "__scalar_w16", wasmq::op##__scalar_w16, nullptr, true},                                       \
    {#op "__wasmsimd_dot16x2_4x4c8", wasmq::op##__wasmsimd_dot16x2_4x4c8, wasmq::op##__scalar, false},  \
    {#op "__wasmsimd_dot16x2_2x4c8", wasmq::op##__wasmsimd_dot16x2_2x4c8, wasmq::op##__scalar, false},  \
    {#op "__wasmsimd_dot16x2_1x4c8", wasmq::op##__wasmsimd_dot16x2_1x4c8, wasmq::op##__scalar, false},  \
    {#op "__wasmsimd_dot16x2_4x4c8w16", wasmq::op##__wasmsimd_dot16x2_4x4c8w16, wasmq::op##__scalar_w16, true}, \
    {#op "__wasmsimd_dot16x2_2x4c8w16", wasmq::op##__wasmsimd_dot16x2_2x4c8w16, wasmq::op##__scalar_w16, true}, \
    {#op "__wasmsimd_dot16x2_1x4c8w16", wasmq::op##__wasmsimd_dot16x2_1x4c8w16, wasmq::op##__scalar_w16, true}, \
  }
#else
#define WASMQ_QGEMM_CASES(op, TA, TC)                                  \
  std::vector<Case<TA, TC>> {                                         \
    {#op "__scalar", wasmq::op##__scalar, nullptr, false},            \
    {#op "__scalar_w16", wasmq::op##__scalar_w16, nullptr, true},     \
  }
#endif

const size_t kDepths[] = {1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 129};

// m and n from 1 past two tiles, k around the K block, default and odd-prime strides.
template <typename TA, typename TC>
void walk_shapes(const Case<TA, TC>& c, QGemmTester base) {
  INFO(c.name);
  for (size_t m = 1; m <= 9; ++m) {
    for (size_t n = 1; n <= 9; ++n) {
      for (size_t k : kDepths) {
        QGemmTester t = base;
        t.m(m).n(n).k(k).seed(wasmq_test::test_seed(m * 1000 + n * 10 + k));
        if ((m + n + k) % 2) t.a_stride(next_prime(k + 1)).c_stride(next_prime(n + 1));
        t.w16(c.w16).test(c.fn, c.ref);
      }
    }
  }
}

}  // namespace

TEST_CASE("qs8 gemm acc32: shapes, strides, activation zero points", "[kernels][gemm]") {
  WASMQ_SEED_INFO(wasmq_test::test_seed());
  for (const auto& c : WASMQ_QGEMM_CASES(qs8_gemm_acc32, int8_t, int32_t)) {
    walk_shapes(c, QGemmTester().a_zero_point(0));
    for (int32_t zp : {-128, 1, 127}) walk_shapes(c, QGemmTester().a_zero_point(zp));
  }
}

TEST_CASE("qu8 gemm acc32: shapes, strides, activation zero points", "[kernels][gemm]") {
  WASMQ_SEED_INFO(wasmq_test::test_seed());
  for (const auto& c : WASMQ_QGEMM_CASES(qu8_gemm_acc32, uint8_t, int32_t)) {
    for (int32_t zp : {0, 1, 127, 128, 255}) walk_shapes(c, QGemmTester().a_zero_point(zp));
  }
}

TEST_CASE("qs8 gemm minmax_fp32: requantization, clamps, per-channel and per-tensor", "[kernels][gemm]") {
  WASMQ_SEED_INFO(wasmq_test::test_seed());
  for (const auto& c : WASMQ_QGEMM_CASES(qs8_gemm_minmax_fp32, int8_t, int8_t)) {
    walk_shapes(c, QGemmTester().a_zero_point(-128).c_zero_point(-5).per_channel(true));
    walk_shapes(c, QGemmTester().a_zero_point(127).c_zero_point(3).per_channel(false));
    // ReLU (qmin = zero point) and ReLU6-like narrow bounds.
    walk_shapes(c, QGemmTester().a_zero_point(1).c_zero_point(-20).qmin(-20).qmax(127));
    walk_shapes(c, QGemmTester().a_zero_point(0).c_zero_point(-128).qmin(-128).qmax(-60));
  }
}

TEST_CASE("qu8 gemm minmax_fp32: requantization, clamps, zero points", "[kernels][gemm]") {
  WASMQ_SEED_INFO(wasmq_test::test_seed());
  for (const auto& c : WASMQ_QGEMM_CASES(qu8_gemm_minmax_fp32, uint8_t, uint8_t)) {
    for (int32_t zp : {0, 128, 255}) {
      walk_shapes(c, QGemmTester().a_zero_point(zp).c_zero_point(128).qmin(0).qmax(255).per_channel(zp != 128));
    }
    walk_shapes(c, QGemmTester().a_zero_point(1).c_zero_point(10).qmin(10).qmax(200));
  }
}

TEST_CASE("qs8/qu8 gemm f32 output: dequantize, float bias, clamp, per-row (dynamic) quantization", "[kernels][gemm]") {
  WASMQ_SEED_INFO(wasmq_test::test_seed());
  for (const auto& c : WASMQ_QGEMM_CASES(qs8_gemm_f32, int8_t, float)) {
    walk_shapes(c, QGemmTester().a_zero_point(-3));
    walk_shapes(c, QGemmTester().a_zero_point(127).per_row(true).fclamp(-1.0f, 2.5f));
    walk_shapes(c, QGemmTester().a_zero_point(0).float_bias(false).per_channel(false).fclamp(0.0f, 1e30f));
  }
  for (const auto& c : WASMQ_QGEMM_CASES(qu8_gemm_f32, uint8_t, float)) {
    walk_shapes(c, QGemmTester().a_zero_point(128));
    walk_shapes(c, QGemmTester().a_zero_point(255).per_row(true).fclamp(-3.0f, 3.0f));
  }
}

TEST_CASE("qgemm: row and column sub-ranges leave the rest of C untouched", "[kernels][gemm]") {
  WASMQ_SEED_INFO(wasmq_test::test_seed());
  for (const auto& c : WASMQ_QGEMM_CASES(qu8_gemm_minmax_fp32, uint8_t, uint8_t)) {
    INFO(c.name);
    for (size_t mb : {0, 1, 3}) {
      for (size_t me : {4, 6, 11}) {
        for (size_t nb : {0, 4, 8}) {
          for (size_t ne : {9, 12, 14}) {
            QGemmTester().m(11).n(14).k(37).a_zero_point(100).c_zero_point(120).qmin(0).qmax(255)
                .a_stride(41).c_stride(17).range(mb, me, nb, ne).seed(wasmq_test::test_seed(mb + me + nb + ne))
                .w16(c.w16).test(c.fn, c.ref);
          }
        }
      }
    }
  }
}

TEST_CASE("qgemm: accumulators at and past the int32 limit (wrap mod 2^32 like the reference)", "[kernels][gemm]") {
  WASMQ_SEED_INFO(wasmq_test::test_seed());
  // extreme: every product is 255 * -128 = -32640 (uint8, zp 0) or 128 * -128 (int8, zp 127 -> a = -128).
  // k = 65536 still fits int32 (documented limit); 65793 and 70001 wrap in every implementation alike.
  for (size_t k : {2, 32768, 32769, 65536, 65793, 70001}) {
    for (const auto& c : WASMQ_QGEMM_CASES(qu8_gemm_acc32, uint8_t, int32_t)) {
      INFO(c.name);
      QGemmTester().m(5).n(5).k(k).a_zero_point(0).extreme(true).w16(c.w16).test(c.fn, c.ref);
      QGemmTester().m(2).n(4).k(k).a_zero_point(255).extreme(true).w16(c.w16).test(c.fn, c.ref);
    }
    for (const auto& c : WASMQ_QGEMM_CASES(qs8_gemm_acc32, int8_t, int32_t)) {
      INFO(c.name);
      QGemmTester().m(5).n(3).k(k).a_zero_point(127).extreme(true).w16(c.w16).test(c.fn, c.ref);
    }
    for (const auto& c : WASMQ_QGEMM_CASES(qs8_gemm_minmax_fp32, int8_t, int8_t)) {
      INFO(c.name);
      QGemmTester().m(3).n(6).k(k).a_zero_point(-128).extreme(true).w16(c.w16).test(c.fn, c.ref);
    }
  }
}

TEST_CASE("qgemm: large shapes, random zero points", "[gemm][.slow]") {
  WASMQ_SEED_INFO(wasmq_test::test_seed());
  for (const auto& c : WASMQ_QGEMM_CASES(qu8_gemm_minmax_fp32, uint8_t, uint8_t)) {
    INFO(c.name);
    for (size_t m = 1; m <= 33; m += 4) {
      for (size_t n = 1; n <= 70; n += 3) {
        for (size_t k = 1; k <= 300; k += 23) {
          QGemmTester().m(m).n(n).k(k).a_zero_point(static_cast<int32_t>((m * 31 + n * 7 + k) % 256))
              .c_zero_point(128).qmin(0).qmax(255).a_stride(next_prime(k + 2)).c_stride(next_prime(n + 2))
              .seed(wasmq_test::test_seed(m * 100000 + n * 1000 + k)).w16(c.w16).test(c.fn, c.ref);
        }
      }
    }
  }
}

TEST_CASE("qgemm config picks working kernels", "[kernels][gemm]") {
  const wasmq::QGemmConfig& cfg = wasmq::qgemm_config();
  REQUIRE((cfg.w_bytes == 1 || cfg.w_bytes == 2));
  const bool w16 = cfg.w_bytes == 2;
  REQUIRE(cfg.packw == (w16 ? wasmq::qs8_packw_w16 : wasmq::qs8_packw));
  const auto ref_s8 = w16 ? wasmq::qs8_gemm_minmax_fp32__scalar_w16 : wasmq::qs8_gemm_minmax_fp32__scalar;
  const auto ref_u8 = w16 ? wasmq::qu8_gemm_minmax_fp32__scalar_w16 : wasmq::qu8_gemm_minmax_fp32__scalar;
  const auto ref_f32 = w16 ? wasmq::qu8_gemm_f32__scalar_w16 : wasmq::qu8_gemm_f32__scalar;
  QGemmTester().m(7).n(10).k(45).a_zero_point(3).w16(w16).test(cfg.qs8_minmax, ref_s8);
  QGemmTester().m(7).n(10).k(45).a_zero_point(200).c_zero_point(128).qmin(0).qmax(255).w16(w16)
      .test(cfg.qu8_minmax, ref_u8);
  QGemmTester().m(3).n(5).k(9).a_zero_point(7).w16(w16).test(cfg.qu8_f32, ref_f32);
}
