// Tests of the elementwise kernels: int8/uint8 add/mul with requantization and broadcasting,
// float add/sub/mul/div/max/min with fused clamp; SIMD == scalar reference, reference vs double.
#include <catch.hpp>

#include <cmath>
#include <limits>

#include "common/bits.h"
#include "common/error.h"
#include "elementwise_tester.h"
#include "kernels/requant/requant.h"

using wasmq::Broadcast;
using wasmq_test::QBinaryTester;
using wasmq_test::QOp;

namespace {

const Broadcast kAll[] = {Broadcast::kFull, Broadcast::kChannel, Broadcast::kScalar};

}  // namespace

TEST_CASE("qs8/qu8 add and mul: channels 1..48 (past 2 SIMD tiles), all broadcasts", "[kernels][elementwise]") {
  const uint64_t seed = wasmq_test::test_seed(101);
  WASMQ_SEED_INFO(seed);
  for (QOp op : {QOp::kAdd, QOp::kMul}) {
    for (bool sgn : {true, false}) {
      for (size_t c = 1; c <= 48; ++c) {
        for (Broadcast ba : kAll) {
          for (Broadcast bb : kAll) {
            QBinaryTester()
                .op(op)
                .is_signed(sgn)
                .rows(3)
                .channels(c)
                .a_bcast(ba)
                .b_bcast(bb)
                .a_zero_point(sgn ? -3 : 131)
                .b_zero_point(sgn ? 5 : 120)
                .y_zero_point(sgn ? 1 : 128)
                .a_scale(0.07f)
                .b_scale(op == QOp::kAdd ? 0.031f : 0.02f)
                .y_scale(op == QOp::kAdd ? 0.09f : 0.2f)
                .seed(seed + c)
                .test();
          }
        }
      }
    }
  }
}

TEST_CASE("qs8/qu8 add and mul: zero points, scales, clamps", "[kernels][elementwise]") {
  const uint64_t seed = wasmq_test::test_seed(102);
  WASMQ_SEED_INFO(seed);
  const int32_t u8_zps[] = {0, 1, 127, 128, 255};
  const int32_t s8_zps[] = {-128, -1, 0, 1, 127};
  const float ratios[] = {1.0f / 16, 0.3f, 1.0f, 2.5f, 16.0f};
  int k = 0;
  for (QOp op : {QOp::kAdd, QOp::kMul}) {
    for (bool sgn : {true, false}) {
      for (int i = 0; i < 5; ++i) {
        for (int j = 0; j < 5; ++j) {
          for (float r : ratios) {
            const int32_t za = sgn ? s8_zps[i] : u8_zps[i];
            const int32_t zb = sgn ? s8_zps[j] : u8_zps[j];
            const int32_t zy = sgn ? s8_zps[(i + j) % 5] : u8_zps[(i + j) % 5];
            const int32_t lo = sgn ? -128 : 0;
            ++k;
            // Every third case fuses a clamp (ReLU-like lower bound, reduced upper bound).
            const int32_t qmin = k % 3 == 0 ? zy : lo;
            const int32_t qmax = k % 3 == 1 ? std::max(zy, lo + 200) : lo + 255;
            const float sa = 0.02f, sb = 0.02f * r;
            const float sy = op == QOp::kAdd ? std::max(sa, sb) * 1.7f : sa * sb * 60.0f;
            QBinaryTester()
                .op(op).is_signed(sgn).rows(2).channels(37)
                .a_bcast(Broadcast::kFull).b_bcast(k % 2 ? Broadcast::kFull : Broadcast::kScalar)
                .a_zero_point(za).b_zero_point(zb).y_zero_point(zy)
                .a_scale(sa).b_scale(sb).y_scale(sy).qmin(qmin).qmax(qmax)
                .seed(seed + static_cast<uint64_t>(k))
                .test();
          }
        }
      }
    }
  }
}

TEST_CASE("qs8 add reference is the documented accumulator + requantize_fp32", "[kernels][elementwise]") {
  const wasmq::QAddParams p = wasmq::make_qs8_add_params(0.5f, 0, 0.25f, 0, 0.5f, 0);
  REQUIRE(p.a_multiplier == 16384);
  REQUIRE(p.b_multiplier == 8192);
  // 3*0.5 + 1*0.25 = 1.75 -> 3.5 codes -> round half to even = 4
  int8_t a = 3, b = 1, y = 0;
  wasmq::qs8_vadd_minmax__scalar(1, &a, &b, &y, p);
  REQUIRE(y == 4);
  // 5*0.5 + 0 = 2.5 -> 5 codes; and 1*0.5 + 1*0.25 = 0.75 -> 1.5 -> 2 (ties to even)
  a = 1;
  wasmq::qs8_vadd_minmax__scalar(1, &a, &b, &y, p);
  REQUIRE(y == 2);
  REQUIRE_THROWS_AS(wasmq::make_qs8_add_params(0.5f, 200, 0.25f, 0, 0.5f, 0), wasmq::Error);
  REQUIRE_THROWS_AS(wasmq::make_qu8_mul_params(0.0f, 0, 0.25f, 0, 0.5f, 0), wasmq::Error);
  REQUIRE_THROWS_AS(wasmq::make_qs8_mul_params(0.1f, 0, 0.25f, 0, 0.5f, 0, 10, 5), wasmq::Error);
}

TEST_CASE("qs8/qu8 add and mul: exhaustive pairs of codes", "[elementwise][.slow]") {
  for (QOp op : {QOp::kAdd, QOp::kMul}) {
    for (bool sgn : {true, false}) {
      // 256 rows x 256 channels with a = per-row-ish full tensor, b = channel vector: all pairs.
      QBinaryTester().op(op).is_signed(sgn).rows(256).channels(256).b_bcast(Broadcast::kChannel)
          .a_zero_point(sgn ? 7 : 135).b_zero_point(sgn ? -9 : 100).y_zero_point(sgn ? 2 : 127)
          .a_scale(0.043f).b_scale(0.017f).y_scale(op == QOp::kAdd ? 0.061f : 0.011f).test();
    }
  }
}

// ---- float ----

namespace {

float ref_op(wasmq::BinaryOp op, float a, float b) {
  switch (op) {
    case wasmq::BinaryOp::kAdd: return a + b;
    case wasmq::BinaryOp::kSub: return a - b;
    case wasmq::BinaryOp::kMul: return a * b;
    case wasmq::BinaryOp::kDiv: return a / b;
    case wasmq::BinaryOp::kMax: return a < b ? b : a;
    case wasmq::BinaryOp::kMin: return b < a ? b : a;
  }
  return 0.0f;
}

const char* op_name(wasmq::BinaryOp op) {
  static const char* names[] = {"add", "sub", "mul", "div", "max", "min"};
  return names[static_cast<int>(op)];
}

void test_f32(wasmq::BinaryOp op, size_t rows, size_t channels, Broadcast ba, Broadcast bb, float lo, float hi,
              uint64_t seed) {
  const size_t na = wasmq_test::bcast_size(ba, rows, channels), nb = wasmq_test::bcast_size(bb, rows, channels);
  std::vector<float> a = wasmq_test::normal(na, seed, 0.0f, 3.0f);
  std::vector<float> b = wasmq_test::normal(nb, seed + 1, 0.0f, 3.0f);
  // Signed zeros and ties exercise max/min semantics; keep divisors away from 0.
  if (na > 2) { a[0] = 0.0f; a[1] = -0.0f; }
  if (nb > 2) { b[0] = -0.0f; b[1] = 0.0f; }
  if (op == wasmq::BinaryOp::kDiv)
    for (auto& v : b) v = std::fabs(v) < 0.1f ? 0.1f : v;
  const size_t n = rows * channels;
  std::vector<float> y_ref(n, 1234.5f), y_simd(n, -777.0f);
  const wasmq::BinaryShape s{rows, channels, ba, bb};
  const wasmq::F32MinMaxParams p{lo, hi};
  wasmq::f32_binary(op, s, a.data(), b.data(), y_ref.data(), p, 0, rows, wasmq::elementwise_config_scalar());
  wasmq::f32_binary(op, s, a.data(), b.data(), y_simd.data(), p, 0, rows / 2);
  wasmq::f32_binary(op, s, a.data(), b.data(), y_simd.data(), p, rows / 2, rows);
  for (size_t r = 0; r < rows; ++r) {
    for (size_t c = 0; c < channels; ++c) {
      const size_t i = r * channels + c;
      const float av = a[ba == Broadcast::kFull ? i : ba == Broadcast::kChannel ? c : 0];
      const float bv = b[bb == Broadcast::kFull ? i : bb == Broadcast::kChannel ? c : 0];
      INFO(op_name(op) << " rows=" << rows << " channels=" << channels << " a=" << wasmq_test::bcast_name(ba)
                       << " b=" << wasmq_test::bcast_name(bb) << " at " << r << "," << c << " a=" << av
                       << " b=" << bv << " seed=" << seed);
      REQUIRE(wasmq::float_bits(y_simd[i]) == wasmq::float_bits(y_ref[i]));
      const float expect = std::min(std::max(ref_op(op, av, bv), lo), hi);
      REQUIRE(wasmq::float_bits(y_ref[i]) == wasmq::float_bits(expect));
    }
  }
}

}  // namespace

TEST_CASE("f32 add/sub/mul/div/max/min: shapes, broadcasts, clamps", "[kernels][elementwise]") {
  const uint64_t seed = wasmq_test::test_seed(103);
  WASMQ_SEED_INFO(seed);
  const float inf = std::numeric_limits<float>::infinity();
  for (int k = 0; k < 6; ++k) {
    const auto op = static_cast<wasmq::BinaryOp>(k);
    for (size_t c : {1, 3, 4, 5, 15, 16, 17, 31, 33, 47}) {
      for (Broadcast ba : kAll) {
        for (Broadcast bb : kAll) {
          test_f32(op, 3, c, ba, bb, -inf, inf, seed + c);
          test_f32(op, 2, c, ba, bb, -1.5f, 2.0f, seed + 100 + c);
        }
      }
    }
  }
}
