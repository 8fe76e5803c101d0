// Int16-activation / int16-output GEMM kernels (A16W8: qs8_qs16, qs16_qs8, qs16) vs an int64 triple loop, tolerance 0.
#include <catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "common/rng.h"
#include "gemm_tester.h"
#include "kernels/qs8-gemm/qs8-gemm.h"
#include "kernels/requant/requant.h"
#include "test_util.h"

using wasmq_test::first_difference;
using wasmq_test::next_prime;
using wasmq_test::sentinel;

namespace {

// The packing a kernel reads: qs8_packw (W8), qs8_packw_w16 (W16), qs8_packw_nb(16 / 8).
enum class Pack { W8, W16, NB16, NB8 };
const char* pack_name(Pack p) {
  return p == Pack::W8 ? "packw" : p == Pack::W16 ? "packw_w16" : p == Pack::NB16 ? "packw_nb16" : "packw_nb8";
}
// Column alignment of n_begin for that packing.
size_t pack_nr(Pack p) { return p == Pack::NB16 ? 16 : p == Pack::NB8 ? 8 : 4; }

template <typename TA, typename TC>
struct Kernel {
  const char* name;
  wasmq::qgemm_fn<TA, TC> fn;
  Pack pack;
};

// Builds one random problem (or an extreme one), packs W, runs a kernel on strided, sentinel-filled C and A rows
// padded only as far as the read contract allows (kc elements readable per row), and compares with the oracle: an
// int64 triple loop over the unpacked W (independent of any packing), reduced mod 2^32, then requantize_fp32.
class Q16Tester {
 public:
  Q16Tester& m(size_t v) { m_ = v; return *this; }
  Q16Tester& n(size_t v) { n_ = v; return *this; }
  Q16Tester& k(size_t v) { k_ = v; return *this; }
  Q16Tester& a_stride(size_t v) { a_stride_ = v; return *this; }
  Q16Tester& c_stride(size_t v) { c_stride_ = v; return *this; }
  Q16Tester& a_zero_point(int32_t v) { a_zp_ = v; return *this; }
  Q16Tester& c_zero_point(int32_t v) { c_zp_ = v; return *this; }
  Q16Tester& qmin(int32_t v) { qmin_ = v; return *this; }
  Q16Tester& qmax(int32_t v) { qmax_ = v; return *this; }
  Q16Tester& scales(float lo, float hi) { scale_lo_ = lo; scale_hi_ = hi; return *this; }  // log-uniform per channel
  Q16Tester& extreme(bool v) { extreme_ = v; return *this; }  // |a - zp| and |w| at their maxima everywhere
  Q16Tester& w_kn(bool v) { w_kn_ = v; return *this; }        // W given as [K][N] (strides 1, n)
  Q16Tester& pack(Pack v) { pack_ = v; return *this; }
  Q16Tester& range(size_t mb, size_t me, size_t nb, size_t ne) {
    mb_ = mb; me_ = me; nb_ = nb; ne_ = ne; ranged_ = true; return *this;
  }
  Q16Tester& seed(uint64_t v) { seed_ = v; return *this; }

  std::string shape() const {
    std::ostringstream s;
    s << "M=" << m_ << " N=" << n_ << " K=" << k_ << " a_stride=" << as() << " c_stride=" << cs() << " a_zp=" << a_zp_
      << " c_zp=" << c_zp_ << " q=[" << qmin_ << "," << qmax_ << "] scales=[" << scale_lo_ << "," << scale_hi_ << "]"
      << (extreme_ ? " extreme" : "") << (w_kn_ ? " W[K][N]" : "") << " " << pack_name(pack_) << " range m[" << mb()
      << "," << me() << ") n[" << nb() << "," << ne() << ") seed=" << seed_;
    return s.str();
  }

  // "" when the kernel equals the oracle everywhere (inside the range: values; outside: untouched sentinels).
  template <typename TA, typename TC>
  std::string check(wasmq::qgemm_fn<TA, TC> fn) const {
    Problem<TA> pb = make<TA>();
    const std::vector<TC> want = naive<TA, TC>(pb);
    std::vector<TC> got(m_ * cs(), sentinel<TC>());
    fn(mb(), me(), nb(), ne(), k_, pb.a.data(), as(), pb.packed.data(), got.data(), cs(), params(pb));
    return first_difference(got, want, m_, cs());
  }

  template <typename TA, typename TC>
  void test(wasmq::qgemm_fn<TA, TC> fn) const {
    INFO(shape());
    const std::string d = check(fn);
    INFO("kernel vs int64 loop: " << d);
    REQUIRE(d.empty());
  }

 private:
  template <typename TA>
  struct Problem {
    std::vector<TA> a;
    std::vector<int8_t> w;  // [N][K] (or [K][N] when w_kn_)
    std::vector<int32_t> bias;
    std::vector<float> scale;
    std::vector<uint8_t> packed;
    int32_t a_zp;
  };

  size_t as() const { return a_stride_ ? a_stride_ : k_; }
  size_t cs() const { return c_stride_ ? c_stride_ : n_; }
  size_t mb() const { return ranged_ ? mb_ : 0; }
  size_t me() const { return ranged_ ? me_ : m_; }
  size_t nb() const { return ranged_ ? nb_ : 0; }
  size_t ne() const { return ranged_ ? ne_ : n_; }
  int8_t wat(const std::vector<int8_t>& w, size_t col, size_t kk) const { return w_kn_ ? w[kk * n_ + col] : w[col * k_ + kk]; }

  template <typename TA>
  Problem<TA> make() const {
    wasmq::Rng rng(seed_);
    Problem<TA> pb;
    pb.a_zp = a_zp_;
    const int lo = std::numeric_limits<TA>::min(), hi = std::numeric_limits<TA>::max();
    // Readable A: rows up to kc = round_up(k, 8) elements (the kernels read at most 7 past row end), nothing more.
    pb.a.resize((m_ - 1) * as() + wasmq::qs8_gemm_kc(k_));
    for (auto& v : pb.a) {
      const uint64_t r = rng.below(16);  // 1/8 of the values at the ends of the range
      v = static_cast<TA>(r == 0 ? lo : r == 1 ? hi : lo + static_cast<int>(rng.below(static_cast<uint64_t>(hi - lo + 1))));
    }
    pb.w.resize(n_ * k_);
    for (auto& v : pb.w) v = static_cast<int8_t>(rng.below(16) == 0 ? -128 : -127 + static_cast<int>(rng.below(255)));
    if (extreme_) {  // every product (a - zp) * w at its largest magnitude, all of one sign
      const TA far = static_cast<TA>(a_zp_ - lo > hi - a_zp_ ? lo : hi);
      for (size_t r = 0; r < m_; ++r) {
        for (size_t kk = 0; kk < k_; ++kk) pb.a[r * as() + kk] = far;
      }
      for (auto& v : pb.w) v = -128;
    }
    pb.bias.resize(n_);
    // Mostly of the order of the sums (max |a| * 64 * sqrt(k)); every 7th column any int32 (the wrapping init
    // bias - a_zp * colsum).
    const int64_t bmax = static_cast<int64_t>((hi - lo + 1) / 2 * 64 * (std::sqrt(static_cast<double>(k_)) + 1.0));
    for (size_t i = 0; i < n_; ++i) {
      pb.bias[i] = i % 7 == 3 ? static_cast<int32_t>(static_cast<uint32_t>(rng.next()))
                              : static_cast<int32_t>(static_cast<int64_t>(rng.below(2 * bmax + 1)) - bmax);
    }
    pb.scale.resize(n_);
    for (auto& s : pb.scale) s = scale_lo_ * std::pow(scale_hi_ / scale_lo_, static_cast<float>(rng.uniform()));
    const size_t ws = w_kn_ ? 1 : k_, wk = w_kn_ ? n_ : 1;
    switch (pack_) {
      case Pack::W8:
      case Pack::W16:
        // Sized for the int16 packing whichever is used: the broken-kernel test runs a kernel on the
        // other packing, which must read wrong values, not past the buffer (ASan).
        pb.packed.assign(wasmq::qs8_packw_size(n_, k_, 2), 0xEE);
        (pack_ == Pack::W16 ? wasmq::qs8_packw_w16 : wasmq::qs8_packw)(n_, k_, pb.w.data(), ws, wk, pb.bias.data(),
                                                                        pb.packed.data());
        break;
      case Pack::NB16:
      case Pack::NB8:
        pb.packed.assign(wasmq::qs8_packw_nb_size(pack_nr(pack_), n_, k_), 0xEE);
        wasmq::qs8_packw_nb(pack_nr(pack_), n_, k_, pb.w.data(), ws, wk, pb.bias.data(), pb.packed.data());
        break;
    }
    return pb;
  }

  template <typename TA>
  wasmq::QGemmParams params(const Problem<TA>& pb) const {
    wasmq::QGemmParams p;
    p.a_zero_point = &pb.a_zp;
    p.a_quant_stride = 0;
    p.scale = pb.scale.data();
    p.c_zero_point = c_zp_;
    p.qmin = qmin_;
    p.qmax = qmax_;
    return p;
  }

  template <typename TA, typename TC>
  std::vector<TC> naive(const Problem<TA>& pb) const {
    std::vector<TC> c(m_ * cs(), sentinel<TC>());
    for (size_t r = mb(); r < me(); ++r) {
      for (size_t col = nb(); col < ne(); ++col) {
        int64_t acc = pb.bias[col];
        for (size_t kk = 0; kk < k_; ++kk) {
          acc += (static_cast<int64_t>(pb.a[r * as() + kk]) - pb.a_zp) * wat(pb.w, col, kk);
        }
        const int32_t acc32 = static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(acc)));
        c[r * cs() + col] = static_cast<TC>(wasmq::requantize_fp32(acc32, pb.scale[col], c_zp_, qmin_, qmax_));
      }
    }
    return c;
  }

  size_t m_ = 1, n_ = 1, k_ = 1, a_stride_ = 0, c_stride_ = 0;
  size_t mb_ = 0, me_ = 0, nb_ = 0, ne_ = 0;
  bool ranged_ = false, extreme_ = false, w_kn_ = false;
  Pack pack_ = Pack::W8;
  int32_t a_zp_ = 0, c_zp_ = 0, qmin_ = -32768, qmax_ = 32767;
  float scale_lo_ = 1e-6f, scale_hi_ = 1e-2f;
  uint64_t seed_ = 1;
};

#if defined(WASMQ_HAVE_WASMSIMD)
#define WASMQ_QGEMM16_KERNELS(op, TA, TC)                                                                       \
  std::vector<Kernel<TA, TC>> {                                                                                \
    {#op "__scalar", wasmq::op##__scalar, Pack::W8},                                                           \
    {#op "__scalar_w16", wasmq::op##__scalar_w16, Pack::W16},                                                  \
    {#op "__wasmsimd_dot16x2_4x4c8", wasmq::op##__wasmsimd_dot16x2_4x4c8, Pack::W8},                           \
    {#op "__wasmsimd_dot16x2_2x4c8", wasmq::op##__wasmsimd_dot16x2_2x4c8, Pack::W8},                           \
    {#op "__wasmsimd_dot16x2_1x4c8", wasmq::op##__wasmsimd_dot16x2_1x4c8, Pack::W8},                           \
    {#op "__wasmsimd_dot16x2_4x4c8w16", wasmq::op##__wasmsimd_dot16x2_4x4c8w16, Pack::W16},                    \
    {#op "__wasmsimd_dot16x2_2x4c8w16", wasmq::op##__wasmsimd_dot16x2_2x4c8w16, Pack::W16},                    \
    {#op "__wasmsimd_dot16x2_1x4c8w16", wasmq::op##__wasmsimd_dot16x2_1x4c8w16, Pack::W16},                    \
    {#op "_2x16c2__wasmsimd_dot16x2", wasmq::op##_2x16c2__wasmsimd_dot16x2, Pack::NB16},                       \
    {#op "_2x8c2__wasmsimd_dot16x2", wasmq::op##_2x8c2__wasmsimd_dot16x2, Pack::NB8},                          \
  }
#else
#define WASMQ_QGEMM16_KERNELS(op, TA, TC)                                  \
  std::vector<Kernel<TA, TC>> {                                           \
    {#op "__scalar", wasmq::op##__scalar, Pack::W8},                      \
    {#op "__scalar_w16", wasmq::op##__scalar_w16, Pack::W16},             \
  }
#endif

const size_t kDepths[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 31, 32, 33, 64, 100, 200};
constexpr size_t kNumDepths = sizeof(kDepths) / sizeof(kDepths[0]);

// Every M in 1..9 and N in 1..40, two depths each (rotating, so every K meets many M and N), odd-prime strides on
// half the runs and [K][N] weights on some.
template <typename TA, typename TC>
void sweep(const Kernel<TA, TC>& kr, Q16Tester base, uint64_t salt) {
  INFO(kr.name);
  for (size_t m = 1; m <= 9; ++m) {
    for (size_t n = 1; n <= 40; ++n) {
      for (size_t rep = 0; rep < 2; ++rep) {
        const size_t k = kDepths[(m * 5 + n * 3 + rep * 11) % kNumDepths];
        Q16Tester t = base;
        t.m(m).n(n).k(k).pack(kr.pack).seed(wasmq_test::test_seed(salt + m * 100000 + n * 1000 + k * 2 + rep));
        if ((m + n + k + rep) % 2) t.a_stride(next_prime(k + 1)).c_stride(next_prime(n + 1));
        if (rep == 1 && n % 3 == 0) t.w_kn(true);
        t.test(kr.fn);
      }
    }
  }
}

// Row and column sub-ranges (n_begin a multiple of the packing's column group), the rest of C untouched.
template <typename TA, typename TC>
void sub_ranges(const Kernel<TA, TC>& kr, Q16Tester base) {
  INFO(kr.name);
  const size_t nr = pack_nr(kr.pack), n = 3 * nr + 5;
  for (size_t mb : {0, 1, 3}) {
    for (size_t me : {4, 6, 11}) {
      for (size_t nb : {size_t{0}, nr, 2 * nr}) {
        for (size_t ne : {2 * nr + 1, 2 * nr + nr / 2 + 1, n}) {
          Q16Tester t = base;
          t.m(11).n(n).k(37).a_stride(41).c_stride(n + 2).range(mb, me, nb, ne).pack(kr.pack)
              .seed(wasmq_test::test_seed(mb * 1000 + me * 100 + nb * 10 + ne)).test(kr.fn);
        }
      }
    }
  }
}

}  // namespace

TEST_CASE("qs16 gemm (int16 A -> int16 C): shapes, strides, full int16 range, saturation, ReLU", "[kernels][gemm16]") {
  WASMQ_SEED_INFO(wasmq_test::test_seed());
  for (const auto& kr : WASMQ_QGEMM16_KERNELS(qs16_gemm_minmax_fp32, int16_t, int16_t)) {
    sweep(kr, Q16Tester(), 1);
    sweep(kr, Q16Tester().c_zero_point(-300).qmin(-300).qmax(32767), 2);  // fused ReLU
    sweep(kr, Q16Tester().a_zero_point(-7).c_zero_point(11).scales(1e-5f, 1e-3f), 3);
    sub_ranges(kr, Q16Tester());
  }
}

TEST_CASE("qs16_qs8 gemm (int16 A -> int8 C): shapes, strides, saturation, ReLU", "[kernels][gemm16]") {
  WASMQ_SEED_INFO(wasmq_test::test_seed());
  for (const auto& kr : WASMQ_QGEMM16_KERNELS(qs16_qs8_gemm_minmax_fp32, int16_t, int8_t)) {
    sweep(kr, Q16Tester().c_zero_point(-5).qmin(-128).qmax(127), 4);
    sweep(kr, Q16Tester().c_zero_point(-20).qmin(-20).qmax(127).scales(1e-8f, 1e-5f), 5);
    sub_ranges(kr, Q16Tester().c_zero_point(3).qmin(-128).qmax(127));
  }
}

TEST_CASE("qs8_qs16 gemm (int8 A -> int16 C): shapes, strides, zero points, saturation, ReLU", "[kernels][gemm16]") {
  WASMQ_SEED_INFO(wasmq_test::test_seed());
  for (const auto& kr : WASMQ_QGEMM16_KERNELS(qs8_qs16_gemm_minmax_fp32, int8_t, int16_t)) {
    sweep(kr, Q16Tester().scales(1e-4f, 1e1f), 6);
    sweep(kr, Q16Tester().a_zero_point(-128).c_zero_point(5).scales(1e-3f, 1e1f), 7);
    sweep(kr, Q16Tester().a_zero_point(127).c_zero_point(-1000).qmin(-1000).qmax(32767).scales(1e-2f, 3e1f), 8);
    sweep(kr, Q16Tester().a_zero_point(3).scales(1e-6f, 1e-2f), 9);
    sub_ranges(kr, Q16Tester().a_zero_point(-9).scales(1e-2f, 1e1f));
  }
}

TEST_CASE("A16W8 gemm: extreme products at and past the int32 limit wrap like the reference", "[kernels][gemm16]") {
  WASMQ_SEED_INFO(wasmq_test::test_seed());
  // (-32768) * (-128) = 2^22 per product: k = 511 fits int32, k = 512 is exactly 2^31 (wraps to -2^31), 600 wraps.
  for (size_t k : {1, 8, 200, 511, 512, 513, 600}) {
    for (const auto& kr : WASMQ_QGEMM16_KERNELS(qs16_gemm_minmax_fp32, int16_t, int16_t)) {
      INFO(kr.name);
      Q16Tester().m(5).n(19).k(k).extreme(true).scales(1e-9f, 1e-3f).pack(kr.pack).test(kr.fn);
      Q16Tester().m(3).n(9).k(k).extreme(true).a_zero_point(5).scales(1e-9f, 1e-3f).pack(kr.pack).test(kr.fn);
    }
    for (const auto& kr : WASMQ_QGEMM16_KERNELS(qs16_qs8_gemm_minmax_fp32, int16_t, int8_t)) {
      INFO(kr.name);
      Q16Tester().m(4).n(17).k(k).extreme(true).qmin(-128).qmax(127).scales(1e-11f, 1e-6f).pack(kr.pack).test(kr.fn);
    }
    for (const auto& kr : WASMQ_QGEMM16_KERNELS(qs8_qs16_gemm_minmax_fp32, int8_t, int16_t)) {
      INFO(kr.name);
      Q16Tester().m(4).n(17).k(k).extreme(true).a_zero_point(-128).scales(1e-3f, 1e0f).pack(kr.pack).test(kr.fn);
    }
  }
}

namespace {

// Deliberately wrong kernels: the tester must catch each one.
// Ignores the activation zero point.
void broken_no_zp(size_t mb, size_t me, size_t nb, size_t ne, size_t k, const int8_t* a, size_t as, const void* w,
                  int16_t* c, size_t cs, const wasmq::QGemmParams& p) {
  wasmq::QGemmParams q = p;
  q.a_zero_point = nullptr;
  wasmq::qs8_qs16_gemm_minmax_fp32__scalar(mb, me, nb, ne, k, a, as, w, c, cs, q);
}
// Sees only the low byte of each int16 activation (what a leftover load8x8 would do).
void broken_low_byte(size_t mb, size_t me, size_t nb, size_t ne, size_t k, const int16_t* a, size_t as, const void* w,
                     int16_t* c, size_t cs, const wasmq::QGemmParams& p) {
  std::vector<int16_t> a8((me - 1) * as + wasmq::qs8_gemm_kc(k));
  for (size_t i = 0; i < a8.size(); ++i) a8[i] = static_cast<int8_t>(a[i] & 0xFF);
  wasmq::qs16_gemm_minmax_fp32__scalar(mb, me, nb, ne, k, a8.data(), as, w, c, cs, p);
}
// Right values, plus one write just past n_end in row m_begin.
void broken_writes_past(size_t mb, size_t me, size_t nb, size_t ne, size_t k, const int16_t* a, size_t as,
                        const void* w, int16_t* c, size_t cs, const wasmq::QGemmParams& p) {
  wasmq::qs16_gemm_minmax_fp32__scalar_w16(mb, me, nb, ne, k, a, as, w, c, cs, p);
  c[mb * cs + ne] = 0;
}
// Right except for one output (first in range) off by one code.
void broken_one_code(size_t mb, size_t me, size_t nb, size_t ne, size_t k, const int16_t* a, size_t as, const void* w,
                     int8_t* c, size_t cs, const wasmq::QGemmParams& p) {
  wasmq::qs16_qs8_gemm_minmax_fp32__scalar(mb, me, nb, ne, k, a, as, w, c, cs, p);
  int8_t& v = c[mb * cs + nb];
  v = static_cast<int8_t>(v == p.qmax ? v - 1 : v + 1);
}

}  // namespace

TEST_CASE("A16W8 gemm tester catches broken kernels", "[kernels][gemm16]") {
  WASMQ_SEED_INFO(wasmq_test::test_seed());
  // Sanity: the correct references pass on the same problems.
  CHECK(Q16Tester().m(3).n(5).k(9).a_zero_point(7).scales(1e-2f, 1e-1f).check(wasmq::qs8_qs16_gemm_minmax_fp32__scalar).empty());
  CHECK(Q16Tester().m(3).n(5).k(9).check(wasmq::qs16_gemm_minmax_fp32__scalar).empty());
  // Zero point ignored (int8 A, a_zp != 0).
  CHECK_FALSE(Q16Tester().m(3).n(5).k(9).a_zero_point(7).scales(1e-2f, 1e-1f).check(broken_no_zp).empty());
  // int16 activations truncated to their low byte.
  CHECK_FALSE(Q16Tester().m(3).n(5).k(9).check(broken_low_byte).empty());
  // A write outside the range (column n_end, inside the row stride).
  CHECK_FALSE(Q16Tester().m(3).n(5).k(9).c_stride(7).pack(Pack::W16).range(0, 3, 0, 4).check(broken_writes_past).empty());
  // One output one code off.
  CHECK_FALSE(Q16Tester().m(2).n(6).k(17).qmin(-128).qmax(127).check(broken_one_code).empty());
  // The oracle does not depend on the packing: a kernel run on the wrong packing fails.
  CHECK_FALSE(Q16Tester().m(2).n(6).k(17).pack(Pack::W16).check(wasmq::qs16_gemm_minmax_fp32__scalar).empty());
  CHECK_FALSE(Q16Tester().m(2).n(6).k(17).pack(Pack::W8).check(wasmq::qs16_gemm_minmax_fp32__scalar_w16).empty());
}

TEST_CASE("qgemm_sums_fit_int32: int32 overflow guard for int16 activations", "[kernels][gemm16]") {
  const int64_t a16 = 32768;
  // Realistic weights (a 3x3x32 convolution): fits.
  {
    const size_t n = 64, k = 288;
    const std::vector<int8_t> w = wasmq_test::random_int8(n * k, wasmq_test::test_seed(1), -127, 127);
    std::vector<int32_t> bias(n);
    for (size_t i = 0; i < n; ++i) bias[i] = static_cast<int32_t>(i * 1000) - 30000;
    CHECK(wasmq::qgemm_sums_fit_int32(n, k, w.data(), k, 1, bias.data(), a16));
    CHECK(wasmq::qgemm_sums_fit_int32(n, k, w.data(), k, 1, nullptr, a16));
    CHECK(wasmq::qgemm_sums_fit_int32(n, k, w.data(), k, 1, nullptr, 255));  // int8 A with a zero point
  }
  // K = 600, all 127: 600 * 127 * 32768 = 2.5e9 >= 2^31.
  {
    const std::vector<int8_t> w(600, 127);
    CHECK_FALSE(wasmq::qgemm_sums_fit_int32(1, 600, w.data(), 600, 1, nullptr, a16));
    CHECK(wasmq::qgemm_sums_fit_int32(1, 600, w.data(), 600, 1, nullptr, 255));
  }
  // Exactly at the boundary: k = 512 all -128 gives 65536 * 32768 = 2^31 (does not fit); one -127 instead gives
  // 2^31 - 32768, so |bias| = 32767 fits (2^31 - 1) and |bias| = 32768 (either sign) does not.
  {
    const size_t k = 512;
    std::vector<int8_t> w(k, -128);
    CHECK_FALSE(wasmq::qgemm_sums_fit_int32(1, k, w.data(), k, 1, nullptr, a16));
    CHECK(wasmq::qgemm_sums_fit_int32(1, k, w.data(), k, 1, nullptr, a16 - 1));
    w[100] = -127;
    CHECK(wasmq::qgemm_sums_fit_int32(1, k, w.data(), k, 1, nullptr, a16));
    const int32_t b_ok = 32767, b_neg_ok = -32767, b_bad = 32768, b_neg_bad = -32768;
    CHECK(wasmq::qgemm_sums_fit_int32(1, k, w.data(), k, 1, &b_ok, a16));
    CHECK(wasmq::qgemm_sums_fit_int32(1, k, w.data(), k, 1, &b_neg_ok, a16));
    CHECK_FALSE(wasmq::qgemm_sums_fit_int32(1, k, w.data(), k, 1, &b_bad, a16));
    CHECK_FALSE(wasmq::qgemm_sums_fit_int32(1, k, w.data(), k, 1, &b_neg_bad, a16));
  }
  // Bias alone, and one bad column among good ones, in [K][N] layout (strides 1, n).
  {
    const int32_t big[2] = {0, std::numeric_limits<int32_t>::min()};
    const int8_t w0[2] = {0, 0};
    CHECK(wasmq::qgemm_sums_fit_int32(1, 1, w0, 1, 1, big, a16));
    CHECK_FALSE(wasmq::qgemm_sums_fit_int32(2, 1, w0, 1, 2, big, a16));
    const size_t n = 5, k = 600;
    std::vector<int8_t> w(k * n, 1);
    CHECK(wasmq::qgemm_sums_fit_int32(n, k, w.data(), 1, n, nullptr, a16));
    for (size_t kk = 0; kk < k; ++kk) w[kk * n + 3] = -127;  // column 3 only
    CHECK_FALSE(wasmq::qgemm_sums_fit_int32(n, k, w.data(), 1, n, nullptr, a16));
    CHECK(wasmq::qgemm_sums_fit_int32(3, k, w.data(), 1, n, nullptr, a16));  // columns 0..2
    CHECK(wasmq::qgemm_sums_fit_int32(0, k, w.data(), 1, n, nullptr, a16));
  }
}

TEST_CASE("qgemm16 / qgemm_col16 configs pick working kernels", "[kernels][gemm16]") {
  WASMQ_SEED_INFO(wasmq_test::test_seed());
  const wasmq::QGemmConfig& base = wasmq::qgemm_config();
  const wasmq::QGemm16Config& cfg = wasmq::qgemm16_config();
  REQUIRE(cfg.qs8_qs16 != nullptr);
  REQUIRE(cfg.qs16_qs8 != nullptr);
  REQUIRE(cfg.qs16 != nullptr);
  const Pack pk = base.w_bytes == 2 ? Pack::W16 : Pack::W8;  // the packing of qgemm_config()
  for (size_t m : {1, 2, 5}) {
    for (size_t n : {3, 16, 21}) {
      for (size_t k : {1, 9, 64}) {
        Q16Tester().m(m).n(n).k(k).pack(pk).a_zero_point(-3).scales(1e-3f, 1e1f).test(cfg.qs8_qs16);
        Q16Tester().m(m).n(n).k(k).pack(pk).qmin(-128).qmax(127).c_zero_point(2).test(cfg.qs16_qs8);
        Q16Tester().m(m).n(n).k(k).pack(pk).c_stride(n + 3).test(cfg.qs16);
      }
    }
  }
  const wasmq::QGemmCol16Config& col = wasmq::qgemm_col16_config();
  const bool have_col = wasmq::qgemm_col_config().qs8_n16 != nullptr;
  CHECK((col.qs8_qs16_n16 != nullptr) == have_col);
  CHECK((col.qs8_qs16_n8 != nullptr) == have_col);
  CHECK((col.qs16_qs8_n16 != nullptr) == have_col);
  CHECK((col.qs16_qs8_n8 != nullptr) == have_col);
  CHECK((col.qs16_n16 != nullptr) == have_col);
  CHECK((col.qs16_n8 != nullptr) == have_col);
  if (!have_col) return;
  for (const Pack pk2 : {Pack::NB16, Pack::NB8}) {
    const bool b16 = pk2 == Pack::NB16;
    for (size_t n : {5, 16, 37}) {
      Q16Tester().m(5).n(n).k(24).pack(pk2).a_zero_point(4).scales(1e-3f, 1e1f).test(b16 ? col.qs8_qs16_n16 : col.qs8_qs16_n8);
      Q16Tester().m(5).n(n).k(24).pack(pk2).qmin(-128).qmax(127).test(b16 ? col.qs16_qs8_n16 : col.qs16_qs8_n8);
      Q16Tester().m(5).n(n).k(24).pack(pk2).test(b16 ? col.qs16_n16 : col.qs16_n8);
    }
  }
}
