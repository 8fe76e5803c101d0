// Builder-style tester for the int8 GEMM kernels: packs random weights, runs a kernel on a padded,
// strided, sentinel-filled problem and compares with a naive triple loop (tolerance 0).
#pragma once

#include <catch.hpp>

#include <cstdint>
#include <cstring>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "common/rng.h"
#include "kernels/qs8-gemm/qs8-gemm.h"
#include "kernels/requant/requant.h"
#include "test_util.h"

namespace wasmq_test {

// Sentinel written to C before a run: a kernel must not touch elements outside its range.
template <typename T> inline T sentinel() { return static_cast<T>(0x5A); }
template <> inline int32_t sentinel<int32_t>() { return 0x5A5A5A5A; }
template <> inline int16_t sentinel<int16_t>() { return 0x5A5A; }
template <> inline float sentinel<float>() { return -7777.25f; }

template <typename T> inline std::string show(T v) {
  std::ostringstream s;
  s << +v;
  return s.str();
}

// Returns "" when got == want everywhere, else the first differing element described.
template <typename T>
std::string first_difference(const std::vector<T>& got, const std::vector<T>& want, size_t rows, size_t stride) {
  for (size_t i = 0; i < got.size(); ++i) {
    if (!(got[i] == want[i])) {
      std::ostringstream s;
      s << "first difference at C[" << i / stride << "][" << i % stride << "] (row stride " << stride
        << "): got " << show(got[i]) << ", expected " << show(want[i]);
      return s.str();
    }
  }
  return "";
}

class QGemmTester {
 public:
  QGemmTester& m(size_t v) { m_ = v; return *this; }
  QGemmTester& n(size_t v) { n_ = v; return *this; }
  QGemmTester& k(size_t v) { k_ = v; return *this; }
  QGemmTester& a_stride(size_t v) { a_stride_ = v; return *this; }
  QGemmTester& c_stride(size_t v) { c_stride_ = v; return *this; }
  QGemmTester& a_zero_point(int32_t v) { a_zp_ = v; return *this; }
  QGemmTester& per_row(bool v) { per_row_ = v; return *this; }          // per-row a zp / scale
  QGemmTester& per_channel(bool v) { per_channel_ = v; return *this; }  // per-column scale
  QGemmTester& c_zero_point(int32_t v) { c_zp_ = v; return *this; }
  QGemmTester& qmin(int32_t v) { qmin_ = v; return *this; }
  QGemmTester& qmax(int32_t v) { qmax_ = v; return *this; }
  QGemmTester& fclamp(float lo, float hi) { fmin_ = lo; fmax_ = hi; return *this; }
  QGemmTester& float_bias(bool v) { fbias_ = v; return *this; }
  QGemmTester& extreme(bool v) { extreme_ = v; return *this; }  // |a - zp| and |w| at their maxima
  QGemmTester& range(size_t mb, size_t me, size_t nb, size_t ne) {
    mb_ = mb; me_ = me; nb_ = nb; ne_ = ne; ranged_ = true; return *this;
  }
  QGemmTester& seed(uint64_t v) { seed_ = v; return *this; }
  QGemmTester& w16(bool v) { w16_ = v; return *this; }  // int16-packed weights (qs8_packw_w16)

  std::string shape() const {
    std::ostringstream s;
    s << "M=" << m_ << " N=" << n_ << " K=" << k_ << " a_stride=" << as() << " c_stride=" << cs()
      << " a_zp=" << a_zp_ << (per_row_ ? " (per row)" : "") << (per_channel_ ? " per-channel" : " per-tensor")
      << " c_zp=" << c_zp_ << " q=[" << qmin_ << "," << qmax_ << "]" << (extreme_ ? " extreme" : "")
      << (w16_ ? " w16" : "") << " range m[" << mb() << "," << me() << ") n[" << nb() << "," << ne() << ") seed=" << seed_;
    return s.str();
  }

  // Runs `fn` and the scalar reference `ref`; both must equal the naive loop exactly.
  template <typename TA, typename TC>
  void test(wasmq::qgemm_fn<TA, TC> fn, wasmq::qgemm_fn<TA, TC> ref) const {
    Problem<TA> pb = make<TA>();
    std::vector<TC> want = naive<TA, TC>(pb);
    INFO(shape());
    if (ref) {
      std::vector<TC> got = run<TA, TC>(ref, pb);
      const std::string d = first_difference(got, want, m_, cs());
      INFO("scalar reference vs naive loop: " << d);
      REQUIRE(d.empty());
    }
    std::vector<TC> got = run<TA, TC>(fn, pb);
    const std::string d = first_difference(got, want, m_, cs());
    INFO("kernel vs naive loop: " << d);
    REQUIRE(d.empty());
  }

 private:
  template <typename TA>
  struct Problem {
    std::vector<TA> a;
    std::vector<int8_t> w;  // [N][K]
    std::vector<int32_t> bias, a_zp;
    std::vector<float> a_scale, scale, fbias;
    std::vector<uint8_t> packed;
  };

  size_t as() const { return a_stride_ ? a_stride_ : k_; }
  size_t cs() const { return c_stride_ ? c_stride_ : n_; }
  size_t mb() const { return ranged_ ? mb_ : 0; }
  size_t me() const { return ranged_ ? me_ : m_; }
  size_t nb() const { return ranged_ ? nb_ : 0; }
  size_t ne() const { return ranged_ ? ne_ : n_; }

  template <typename TA>
  Problem<TA> make() const {
    wasmq::Rng rng(seed_);
    Problem<TA> pb;
    const int lo = std::numeric_limits<TA>::min(), hi = std::numeric_limits<TA>::max();
    // A keeps KR bytes of readable padding past the last row (the kernels' read contract).
    pb.a.resize((m_ ? (m_ - 1) * as() + k_ : 0) + wasmq::kQs8GemmKR);
    for (auto& v : pb.a) v = static_cast<TA>(lo + static_cast<int>(rng.below(hi - lo + 1)));
    pb.a_zp.resize(per_row_ ? m_ : 1);
    pb.a_scale.resize(per_row_ ? m_ : 1);
    for (size_t i = 0; i < pb.a_zp.size(); ++i) {
      pb.a_zp[i] = per_row_ && i > 0 ? lo + static_cast<int32_t>(rng.below(hi - lo + 1)) : a_zp_;
      pb.a_scale[i] = 0.001f + 0.05f * static_cast<float>(rng.uniform());
    }
    pb.w.resize(n_ * k_);
    for (auto& v : pb.w) v = static_cast<int8_t>(-128 + static_cast<int>(rng.below(256)));
    if (extreme_) {  // the largest |(a - zp) * w| every time: a at the end of its range far from zp
      for (size_t r = 0; r < m_; ++r) {
        const int32_t zp = pb.a_zp[per_row_ ? r : 0];
        for (size_t kk = 0; kk < k_; ++kk) pb.a[r * as() + kk] = static_cast<TA>(zp - lo > hi - zp ? lo : hi);
      }
      for (auto& v : pb.w) v = -128;
    }
    pb.bias.resize(n_);
    for (auto& v : pb.bias) v = static_cast<int32_t>(rng.below(200001)) - 100000;
    pb.scale.resize(n_);
    pb.fbias.resize(n_);
    // Requant scale: output spread over roughly +-64 codes (so clamps and rounding both happen).
    const float base = 64.0f / (3000.0f * std::sqrt(static_cast<float>(k_) + 1.0f) + 100000.0f);
    const float s0 = base * (0.5f + static_cast<float>(rng.uniform()));
    for (size_t i = 0; i < n_; ++i) {
      pb.scale[i] = per_channel_ ? base * (0.5f + static_cast<float>(rng.uniform())) : s0;
      pb.fbias[i] = static_cast<float>(rng.uniform()) * 4.0f - 2.0f;
    }
    pb.packed.resize(wasmq::qs8_packw_size(n_, k_, w16_ ? 2 : 1));
    std::memset(pb.packed.data(), 0xEE, pb.packed.size());
    (w16_ ? wasmq::qs8_packw_w16 : wasmq::qs8_packw)(n_, k_, pb.w.data(), k_, 1, pb.bias.data(), pb.packed.data());
    return pb;
  }

  template <typename TA>
  wasmq::QGemmParams params(const Problem<TA>& pb) const {
    wasmq::QGemmParams p;
    p.a_zero_point = pb.a_zp.data();
    p.a_scale = pb.a_scale.data();
    p.a_quant_stride = per_row_ ? 1 : 0;
    p.scale = pb.scale.data();
    p.fbias = fbias_ ? pb.fbias.data() : nullptr;
    p.c_zero_point = c_zp_;
    p.qmin = qmin_;
    p.qmax = qmax_;
    p.fmin = fmin_;
    p.fmax = fmax_;
    return p;
  }

  static int32_t out_of(int32_t acc, size_t, size_t n, const wasmq::QGemmParams&, int32_t*) { return acc; }
  static int8_t out_of(int32_t acc, size_t, size_t n, const wasmq::QGemmParams& p, int8_t*) {
    return static_cast<int8_t>(wasmq::requantize_fp32(acc, p.scale[n], p.c_zero_point, p.qmin, p.qmax));
  }
  static uint8_t out_of(int32_t acc, size_t, size_t n, const wasmq::QGemmParams& p, uint8_t*) {
    return static_cast<uint8_t>(wasmq::requantize_fp32(acc, p.scale[n], p.c_zero_point, p.qmin, p.qmax));
  }
  static float out_of(int32_t acc, size_t m, size_t n, const wasmq::QGemmParams& p, float*) {
    float y = static_cast<float>(acc) * (p.a_scale[m * p.a_quant_stride] * p.scale[n]);
    if (p.fbias) y = y + p.fbias[n];
    y = y < p.fmin ? p.fmin : y;
    return p.fmax < y ? p.fmax : y;
  }

  // The oracle: int64 sum of (a - zp) * w + bias over unpacked W, reduced mod 2^32.
  template <typename TA, typename TC>
  std::vector<TC> naive(const Problem<TA>& pb) const {
    std::vector<TC> c(m_ * cs(), sentinel<TC>());
    const wasmq::QGemmParams p = params(pb);
    for (size_t r = mb(); r < me(); ++r) {
      const int64_t zp = pb.a_zp[per_row_ ? r : 0];
      for (size_t col = nb(); col < ne(); ++col) {
        int64_t acc = pb.bias[col];
        for (size_t kk = 0; kk < k_; ++kk) acc += (static_cast<int64_t>(pb.a[r * as() + kk]) - zp) * pb.w[col * k_ + kk];
        c[r * cs() + col] = out_of(static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(acc))), r, col, p,
                                   static_cast<TC*>(nullptr));
      }
    }
    return c;
  }

  template <typename TA, typename TC>
  std::vector<TC> run(wasmq::qgemm_fn<TA, TC> fn, const Problem<TA>& pb) const {
    std::vector<TC> c(m_ * cs(), sentinel<TC>());
    fn(mb(), me(), nb(), ne(), k_, pb.a.data(), as(), pb.packed.data(), c.data(), cs(), params(pb));
    return c;
  }

  size_t m_ = 1, n_ = 1, k_ = 1, a_stride_ = 0, c_stride_ = 0;
  size_t mb_ = 0, me_ = 0, nb_ = 0, ne_ = 0;
  bool ranged_ = false, w16_ = false, per_row_ = false, per_channel_ = true, fbias_ = true, extreme_ = false;
  int32_t a_zp_ = 0, c_zp_ = 0, qmin_ = -128, qmax_ = 127;
  float fmin_ = -std::numeric_limits<float>::infinity(), fmax_ = std::numeric_limits<float>::infinity();
  uint64_t seed_ = 1;
};

// The next prime >= v: row strides in the tests are odd primes larger than the row width.
inline size_t next_prime(size_t v) {
  for (;; ++v) {
    bool prime = v >= 2;
    for (size_t d = 2; d * d <= v && prime; ++d) prime = v % d != 0;
    if (prime && v % 2 == 1) return v;
  }
}

}  // namespace wasmq_test
