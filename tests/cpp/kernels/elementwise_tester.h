// Builder-style tester for the elementwise kernels: int8/uint8 add/mul (SIMD == scalar reference
// exactly, reference within 1 code of the double formula) and float ops (SIMD == scalar bitwise).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstring>
#include <sstream>
#include <vector>

#include "kernels/elementwise/elementwise.h"
#include "test_util.h"

namespace wasmq_test {

inline const char* bcast_name(wasmq::Broadcast b) {
  return b == wasmq::Broadcast::kFull ? "full" : b == wasmq::Broadcast::kChannel ? "channel" : "scalar";
}

inline size_t bcast_size(wasmq::Broadcast b, size_t rows, size_t channels) {
  return b == wasmq::Broadcast::kFull ? rows * channels : b == wasmq::Broadcast::kChannel ? channels : 1;
}

enum class QOp { kAdd, kMul };

class QBinaryTester {
 public:
  QBinaryTester& op(QOp v) { op_ = v; return *this; }
  QBinaryTester& is_signed(bool v) { signed_ = v; return *this; }
  QBinaryTester& rows(size_t v) { rows_ = v; return *this; }
  QBinaryTester& channels(size_t v) { channels_ = v; return *this; }
  QBinaryTester& a_bcast(wasmq::Broadcast v) { a_bcast_ = v; return *this; }
  QBinaryTester& b_bcast(wasmq::Broadcast v) { b_bcast_ = v; return *this; }
  QBinaryTester& a_zero_point(int32_t v) { za_ = v; return *this; }
  QBinaryTester& b_zero_point(int32_t v) { zb_ = v; return *this; }
  QBinaryTester& y_zero_point(int32_t v) { zy_ = v; return *this; }
  QBinaryTester& a_scale(float v) { sa_ = v; return *this; }
  QBinaryTester& b_scale(float v) { sb_ = v; return *this; }
  QBinaryTester& y_scale(float v) { sy_ = v; return *this; }
  QBinaryTester& qmin(int32_t v) { qmin_ = v; return *this; }
  QBinaryTester& qmax(int32_t v) { qmax_ = v; return *this; }
  QBinaryTester& seed(uint64_t v) { seed_ = v; return *this; }

  void test() const {
    if (signed_) run<int8_t>(); else run<uint8_t>();
  }

 private:
  std::string describe() const {
    std::ostringstream s;
    s << (op_ == QOp::kAdd ? "add" : "mul") << (signed_ ? " qs8" : " qu8") << " rows=" << rows_
      << " channels=" << channels_ << " a=" << bcast_name(a_bcast_) << " b=" << bcast_name(b_bcast_)
      << " sa=" << sa_ << " za=" << za_ << " sb=" << sb_ << " zb=" << zb_ << " sy=" << sy_ << " zy=" << zy_
      << " clamp=[" << qmin_ << "," << qmax_ << "] seed=" << seed_;
    return s.str();
  }

  template <typename T>
  void run() const {
    const int32_t lo = signed_ ? -128 : 0, hi = signed_ ? 127 : 255;
    const int32_t qmin = std::max(qmin_, lo), qmax = std::min(qmax_, hi);
    const size_t na = bcast_size(a_bcast_, rows_, channels_), nb = bcast_size(b_bcast_, rows_, channels_);
    wasmq::Rng rng(seed_);
    std::vector<T> a(na), b(nb);
    for (auto& v : a) v = static_cast<T>(lo + static_cast<int32_t>(rng.below(256)));
    for (auto& v : b) v = static_cast<T>(lo + static_cast<int32_t>(rng.below(256)));
    const size_t n = rows_ * channels_;
    std::vector<T> y_ref(n, static_cast<T>(0xA5)), y_simd(n, static_cast<T>(0x5A));
    const wasmq::BinaryShape shape{rows_, channels_, a_bcast_, b_bcast_};
    const auto& scalar = wasmq::elementwise_config_scalar();
    const auto& best = wasmq::elementwise_config();
    std::vector<double> exact(n);
    if (op_ == QOp::kAdd) {
      const wasmq::QAddParams p = signed_ ? wasmq::make_qs8_add_params(sa_, za_, sb_, zb_, sy_, zy_, qmin, qmax)
                                          : wasmq::make_qu8_add_params(sa_, za_, sb_, zb_, sy_, zy_, qmin, qmax);
      call_add(shape, a.data(), b.data(), y_ref.data(), p, scalar);
      // Split the rows in two ranges, as a thread pool would.
      const size_t mid = rows_ / 2;
      call_add(shape, a.data(), b.data(), y_simd.data(), p, best, 0, mid);
      call_add(shape, a.data(), b.data(), y_simd.data(), p, best, mid, rows_);
    } else {
      const wasmq::QMulParams p = signed_ ? wasmq::make_qs8_mul_params(sa_, za_, sb_, zb_, sy_, zy_, qmin, qmax)
                                          : wasmq::make_qu8_mul_params(sa_, za_, sb_, zb_, sy_, zy_, qmin, qmax);
      call_mul(shape, a.data(), b.data(), y_ref.data(), p, scalar);
      const size_t mid = rows_ / 3;
      call_mul(shape, a.data(), b.data(), y_simd.data(), p, best, 0, mid);
      call_mul(shape, a.data(), b.data(), y_simd.data(), p, best, mid, rows_);
    }
    for (size_t r = 0; r < rows_; ++r) {
      for (size_t c = 0; c < channels_; ++c) {
        const size_t i = r * channels_ + c;
        const int32_t av = a[idx(a_bcast_, r, c)], bv = b[idx(b_bcast_, r, c)];
        INFO(describe() << " at row " << r << " channel " << c << " a=" << av << " b=" << bv);
        REQUIRE(static_cast<int32_t>(y_simd[i]) == static_cast<int32_t>(y_ref[i]));
        const double real = op_ == QOp::kAdd
                                ? static_cast<double>(sa_) * (av - za_) + static_cast<double>(sb_) * (bv - zb_)
                                : static_cast<double>(sa_) * (av - za_) * static_cast<double>(sb_) * (bv - zb_);
        double q = std::nearbyint(real / sy_) + zy_;
        q = std::min<double>(std::max<double>(q, qmin), qmax);
        REQUIRE(std::fabs(q - static_cast<double>(y_ref[i])) <= 1.0);
      }
    }
  }

  size_t idx(wasmq::Broadcast b, size_t r, size_t c) const {
    return b == wasmq::Broadcast::kFull ? r * channels_ + c : b == wasmq::Broadcast::kChannel ? c : 0;
  }

  template <typename P>
  void call_add(const wasmq::BinaryShape& s, const int8_t* a, const int8_t* b, int8_t* y, const P& p,
                const wasmq::ElementwiseConfig& cfg, size_t r0 = 0, size_t r1 = SIZE_MAX) const {
    wasmq::qs8_add(s, a, b, y, p, r0, std::min(r1, s.rows), cfg);
  }
  template <typename P>
  void call_add(const wasmq::BinaryShape& s, const uint8_t* a, const uint8_t* b, uint8_t* y, const P& p,
                const wasmq::ElementwiseConfig& cfg, size_t r0 = 0, size_t r1 = SIZE_MAX) const {
    wasmq::qu8_add(s, a, b, y, p, r0, std::min(r1, s.rows), cfg);
  }
  template <typename P>
  void call_mul(const wasmq::BinaryShape& s, const int8_t* a, const int8_t* b, int8_t* y, const P& p,
                const wasmq::ElementwiseConfig& cfg, size_t r0 = 0, size_t r1 = SIZE_MAX) const {
    wasmq::qs8_mul(s, a, b, y, p, r0, std::min(r1, s.rows), cfg);
  }
  template <typename P>
  void call_mul(const wasmq::BinaryShape& s, const uint8_t* a, const uint8_t* b, uint8_t* y, const P& p,
                const wasmq::ElementwiseConfig& cfg, size_t r0 = 0, size_t r1 = SIZE_MAX) const {
    wasmq::qu8_mul(s, a, b, y, p, r0, std::min(r1, s.rows), cfg);
  }

  QOp op_ = QOp::kAdd;
  bool signed_ = true;
  size_t rows_ = 1, channels_ = 1;
  wasmq::Broadcast a_bcast_ = wasmq::Broadcast::kFull, b_bcast_ = wasmq::Broadcast::kFull;
  int32_t za_ = 0, zb_ = 0, zy_ = 0;
  float sa_ = 0.05f, sb_ = 0.05f, sy_ = 0.1f;
  int32_t qmin_ = -1000, qmax_ = 1000;
  uint64_t seed_ = 1;
};

}  // namespace wasmq_test
