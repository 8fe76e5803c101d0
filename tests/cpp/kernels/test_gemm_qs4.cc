// Block-int4 weight GEMM/GEMV (f32 x qb4w, qb8 x qb4w) vs naive loops on the ONNX blob with the
// documented float order (exact), the qb8 quantizer vs an independent one, and an error sanity bound.
#include <catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include "gemm_tester.h"
#include "kernels/qs4-gemm/qs4-gemm.h"

namespace {

struct Qs4Problem {
  size_t m, n, k, block, nb, as, cs;
  std::vector<int> q;  // [n][k] in [-8, 7]
  std::vector<uint8_t> blob, packed;
  std::vector<float> scales, a, bias;
};

Qs4Problem make(size_t m, size_t n, size_t k, size_t block, uint64_t seed) {
  Qs4Problem p;
  p.m = m, p.n = n, p.k = k, p.block = block, p.nb = wasmq::qs4_blocks(k, block);
  p.as = (m + k) % 2 ? wasmq_test::next_prime(k + 1) : k;
  p.cs = wasmq_test::next_prime(n + 1);
  wasmq::Rng rng(seed);
  p.q.resize(n * k);
  for (auto& v : p.q) v = static_cast<int>(rng.below(16)) - 8;
  p.blob.resize(n * p.nb * block / 2);
  for (auto& v : p.blob) v = static_cast<uint8_t>(rng.below(256));  // garbage past K must be ignored
  for (size_t col = 0; col < n; ++col) {
    for (size_t kk = 0; kk < k; ++kk) {
      uint8_t& byte = p.blob[(col * p.nb + kk / block) * (block / 2) + (kk % block) / 2];
      const uint8_t u = static_cast<uint8_t>(p.q[col * k + kk] + 8);
      byte = (kk % 2) ? static_cast<uint8_t>((byte & 0x0F) | (u << 4)) : static_cast<uint8_t>((byte & 0xF0) | u);
    }
  }
  p.scales = wasmq_test::uniform(n * p.nb, seed + 1, 0.001f, 0.1f);
  p.a = wasmq_test::normal(m * p.as + 1, seed + 2);
  p.bias = wasmq_test::normal(n, seed + 3);
  p.packed.assign(wasmq::qs4_packw_size(n, k, block), 0xCD);
  wasmq::qs4_packw_onnx(n, k, block, p.blob.data(), p.scales.data(), p.packed.data());
  return p;
}

float clampf(float y, const wasmq::Qs4Params& pr) {
  y = y < pr.fmin ? pr.fmin : y;
  return pr.fmax < y ? pr.fmax : y;
}

// The documented order, from the blob-level q values.
std::vector<float> naive_f32(const Qs4Problem& p, const wasmq::Qs4Params& pr) {
  std::vector<float> c(p.m * p.cs, wasmq_test::sentinel<float>());
  for (size_t r = 0; r < p.m; ++r) {
    for (size_t col = 0; col < p.n; ++col) {
      float y = 0.0f;
      for (size_t b = 0; b < p.nb; ++b) {
        float part[4] = {0, 0, 0, 0};
        for (size_t kk = 0; kk < p.block; ++kk) {
          const size_t kg = b * p.block + kk;
          const float av = kg < p.k ? p.a[r * p.as + kg] : 0.0f;
          const float wv = kg < p.k ? static_cast<float>(p.q[col * p.k + kg]) : 0.0f;
          part[kk % 4] = part[kk % 4] + av * wv;
        }
        y = y + ((part[0] + part[2]) + (part[1] + part[3])) * p.scales[col * p.nb + b];
      }
      if (pr.bias) y = y + pr.bias[col];
      c[r * p.cs + col] = clampf(y, pr);
    }
  }
  return c;
}

// Independent per-block symmetric int8 quantizer (d = amax / 127, round half even, clamp +-127).
void naive_qb8(const Qs4Problem& p, std::vector<int8_t>* qa, std::vector<float>* sa) {
  qa->assign(p.m * p.nb * p.block, 0);
  sa->assign(p.m * p.nb, 0.0f);
  for (size_t r = 0; r < p.m; ++r) {
    for (size_t b = 0; b < p.nb; ++b) {
      float amax = 0.0f;
      for (size_t kk = b * p.block; kk < std::min(p.k, (b + 1) * p.block); ++kk) amax = std::max(amax, std::fabs(p.a[r * p.as + kk]));
      const float d = amax / 127.0f;
      (*sa)[r * p.nb + b] = d;
      for (size_t kk = b * p.block; kk < std::min(p.k, (b + 1) * p.block) && d > 0.0f; ++kk) {
        const float v = std::min(127.0f, std::max(-127.0f, std::nearbyint(p.a[r * p.as + kk] / d)));
        (*qa)[r * p.nb * p.block + kk] = static_cast<int8_t>(v);
      }
    }
  }
}

std::vector<float> naive_qb8_gemm(const Qs4Problem& p, const std::vector<int8_t>& qa, const std::vector<float>& sa,
                                  const wasmq::Qs4Params& pr) {
  std::vector<float> c(p.m * p.cs, wasmq_test::sentinel<float>());
  for (size_t r = 0; r < p.m; ++r) {
    for (size_t col = 0; col < p.n; ++col) {
      float y = 0.0f;
      for (size_t b = 0; b < p.nb; ++b) {
        int32_t s = 0;
        for (size_t kk = b * p.block; kk < std::min(p.k, (b + 1) * p.block); ++kk) {
          s += qa[r * p.nb * p.block + kk] * p.q[col * p.k + kk];
        }
        y = y + static_cast<float>(s) * (sa[r * p.nb + b] * p.scales[col * p.nb + b]);
      }
      if (pr.bias) y = y + pr.bias[col];
      c[r * p.cs + col] = clampf(y, pr);
    }
  }
  return c;
}

struct Qs4Case {
  const char* name;
  wasmq::f32_qb4w_gemm_fn f32;
  wasmq::qb8_qb4w_gemm_fn qb8;
};

std::vector<Qs4Case> qs4_cases() {
  return {
      {"scalar", wasmq::f32_qb4w_gemm_minmax__scalar, wasmq::qb8_qb4w_gemm_minmax__scalar},
#if defined(WASMQ_HAVE_WASMSIMD)
      {"wasmsimd_1x4c32", wasmq::f32_qb4w_gemm_minmax__wasmsimd_1x4c32, wasmq::qb8_qb4w_gemm_minmax__wasmsimd_1x4c32},
      {"wasmsimd_4x4c32", wasmq::f32_qb4w_gemm_minmax__wasmsimd_4x4c32, wasmq::qb8_qb4w_gemm_minmax__wasmsimd_4x4c32},
#endif
      {"config gemv", wasmq::qs4_gemm_config().f32_gemv, wasmq::qs4_gemm_config().qb8_gemv},
      {"config gemm", wasmq::qs4_gemm_config().f32_gemm, wasmq::qs4_gemm_config().qb8_gemm},
  };
}

}  // namespace

TEST_CASE("qb4w gemm: f32 and qb8 activations, blocks 32/64/128, exact to the documented order", "[kernels][gemm]") {
  WASMQ_SEED_INFO(wasmq_test::test_seed());
  for (const Qs4Case& c : qs4_cases()) {
    for (size_t block : {32, 64, 128}) {
      for (size_t m : {1, 2, 3, 4, 5, 9}) {
        for (size_t n : {1, 3, 4, 5, 8, 11}) {
          for (size_t k : {1, 17, 31, 32, 33, 64, 65, 127, 128, 129, 300}) {
            const uint64_t seed = wasmq_test::test_seed(block * 100000 + m * 10000 + n * 1000 + k);
            const Qs4Problem p = make(m, n, k, block, seed);
            wasmq::Qs4Params pr;
            if ((m + n) % 2) pr.bias = p.bias.data();
            if (k % 3 == 0) pr.fmin = -0.5f, pr.fmax = 0.75f;
            INFO(c.name << " M=" << m << " N=" << n << " K=" << k << " block=" << block << " a_stride=" << p.as
                        << " c_stride=" << p.cs << " seed=" << seed);
            std::vector<float> got(m * p.cs, wasmq_test::sentinel<float>());
            c.f32(0, m, 0, n, k, block, p.a.data(), p.as, p.packed.data(), got.data(), p.cs, pr);
            std::string d = wasmq_test::first_difference(got, naive_f32(p, pr), m, p.cs);
            INFO("f32 x qb4w: " << d);
            REQUIRE(d.empty());

            std::vector<int8_t> qa(m * p.nb * block, 99), qa_want;
            std::vector<float> sa(m * p.nb), sa_want;
            wasmq::f32_qb8_quantize(m, k, block, p.a.data(), p.as, qa.data(), sa.data());
            naive_qb8(p, &qa_want, &sa_want);
            REQUIRE(qa == qa_want);
            REQUIRE(sa == sa_want);
            std::vector<int16_t> qa16(qa.size());
            std::vector<int32_t> sums(sa.size());
            wasmq::qb8_pack_act(m, k, block, qa.data(), qa16.data(), sums.data());
            std::fill(got.begin(), got.end(), wasmq_test::sentinel<float>());
            const wasmq::Qb8Act act{qa.data(), qa16.data(), sums.data(), sa.data()};
            c.qb8(0, m, 0, n, k, block, act, p.packed.data(), got.data(), p.cs, pr);
            d = wasmq_test::first_difference(got, naive_qb8_gemm(p, qa, sa, pr), m, p.cs);
            INFO("qb8 x qb4w: " << d);
            REQUIRE(d.empty());
          }
        }
      }
    }
  }
}

TEST_CASE("qb4w gemm: random shapes (slow sweep)", "[gemm][.slow]") {
  WASMQ_SEED_INFO(wasmq_test::test_seed());
  wasmq::Rng rng(wasmq_test::test_seed(777));
  for (int i = 0; i < 200; ++i) {
    const size_t block = size_t{32} << rng.below(3), m = 1 + rng.below(12), n = 1 + rng.below(40),
                 k = 1 + rng.below(700);
    const Qs4Problem p = make(m, n, k, block, wasmq_test::test_seed(9000 + i));
    wasmq::Qs4Params pr;
    pr.bias = p.bias.data();
    std::vector<int8_t> qa(m * p.nb * block);
    std::vector<float> sa(m * p.nb);
    std::vector<int16_t> qa16(qa.size());
    std::vector<int32_t> sums(sa.size());
    wasmq::f32_qb8_quantize(m, k, block, p.a.data(), p.as, qa.data(), sa.data());
    wasmq::qb8_pack_act(m, k, block, qa.data(), qa16.data(), sums.data());
    const wasmq::Qb8Act act{qa.data(), qa16.data(), sums.data(), sa.data()};
    const std::vector<float> want_f32 = naive_f32(p, pr), want_qb8 = naive_qb8_gemm(p, qa, sa, pr);
    for (const Qs4Case& c : qs4_cases()) {
      std::vector<float> got(m * p.cs, wasmq_test::sentinel<float>());
      c.f32(0, m, 0, n, k, block, p.a.data(), p.as, p.packed.data(), got.data(), p.cs, pr);
      std::string d = wasmq_test::first_difference(got, want_f32, m, p.cs);
      INFO(c.name << " M=" << m << " N=" << n << " K=" << k << " block=" << block << " f32: " << d);
      REQUIRE(d.empty());
      std::fill(got.begin(), got.end(), wasmq_test::sentinel<float>());
      c.qb8(0, m, 0, n, k, block, act, p.packed.data(), got.data(), p.cs, pr);
      d = wasmq_test::first_difference(got, want_qb8, m, p.cs);
      INFO("qb8: " << d);
      REQUIRE(d.empty());
    }
  }
}

TEST_CASE("qb4w gemm: extreme codes (q = -8 and 7, a = +-127) over long blocks stay exact", "[kernels][gemm]") {
  for (const Qs4Case& c : qs4_cases()) {
    for (size_t block : {32, 128, 4096}) {
      for (int qv : {-8, 7}) {
        Qs4Problem p = make(2, 5, block * 2, block, wasmq_test::test_seed(block + qv));
        for (size_t col = 0; col < p.n; ++col) {  // every weight qv
          for (size_t kk = 0; kk < p.k; ++kk) {
            p.q[col * p.k + kk] = qv;
            uint8_t& byte = p.blob[(col * p.nb + kk / block) * (block / 2) + (kk % block) / 2];
            const uint8_t u = static_cast<uint8_t>(qv + 8);
            byte = (kk % 2) ? static_cast<uint8_t>((byte & 0x0F) | (u << 4)) : static_cast<uint8_t>((byte & 0xF0) | u);
          }
        }
        wasmq::qs4_packw_onnx(p.n, p.k, block, p.blob.data(), p.scales.data(), p.packed.data());
        for (size_t i = 0; i < p.a.size(); ++i) p.a[i] = (i % 3) ? -1.0f : 1.0f;  // codes +-127
        std::vector<int8_t> qa(p.m * p.nb * block);
        std::vector<float> sa(p.m * p.nb);
        std::vector<int16_t> qa16(qa.size());
        std::vector<int32_t> sums(sa.size());
        wasmq::f32_qb8_quantize(p.m, p.k, block, p.a.data(), p.as, qa.data(), sa.data());
        wasmq::qb8_pack_act(p.m, p.k, block, qa.data(), qa16.data(), sums.data());
        const wasmq::Qb8Act act{qa.data(), qa16.data(), sums.data(), sa.data()};
        wasmq::Qs4Params pr;
        std::vector<float> got(p.m * p.cs, wasmq_test::sentinel<float>());
        c.qb8(0, p.m, 0, p.n, p.k, block, act, p.packed.data(), got.data(), p.cs, pr);
        const std::string d = wasmq_test::first_difference(got, naive_qb8_gemm(p, qa, sa, pr), p.m, p.cs);
        INFO(c.name << " block=" << block << " q=" << qv << ": " << d);
        REQUIRE(d.empty());
      }
    }
  }
}

TEST_CASE("qb4w gemm: column and row sub-ranges", "[kernels][gemm]") {
  for (const Qs4Case& c : qs4_cases()) {
    const Qs4Problem p = make(7, 13, 96, 32, wasmq_test::test_seed(9));
    wasmq::Qs4Params pr;
    std::vector<float> full(7 * p.cs), part(7 * p.cs, wasmq_test::sentinel<float>());
    c.f32(0, 7, 0, 13, 96, 32, p.a.data(), p.as, p.packed.data(), full.data(), p.cs, pr);
    c.f32(2, 6, 4, 11, 96, 32, p.a.data(), p.as, p.packed.data(), part.data(), p.cs, pr);
    for (size_t r = 0; r < 7; ++r) {
      for (size_t col = 0; col < p.cs; ++col) {
        const bool inside = r >= 2 && r < 6 && col >= 4 && col < 11;
        INFO(c.name << " C[" << r << "][" << col << "]");
        REQUIRE(part[r * p.cs + col] == (inside ? full[r * p.cs + col] : wasmq_test::sentinel<float>()));
      }
    }
  }
}

TEST_CASE("qb4w gemm: results track the float matmul of the dequantized weights", "[kernels][gemm]") {
  // f32 x qb4w differs from a double reference only by float rounding (relative 1e-5 of sum |a w|);
  // qb8 x qb4w adds the activation rounding, at most d/2 per element.
  const Qs4Problem p = make(3, 8, 256, 64, wasmq_test::test_seed(11));
  wasmq::Qs4Params pr;
  std::vector<float> y(3 * p.cs), yq(3 * p.cs);
  std::vector<int8_t> qa(3 * p.nb * 64);
  std::vector<float> sa(3 * p.nb);
  wasmq::f32_qb8_quantize(3, 256, 64, p.a.data(), p.as, qa.data(), sa.data());
  std::vector<int16_t> qa16(qa.size());
  std::vector<int32_t> sums(sa.size());
  wasmq::qb8_pack_act(3, 256, 64, qa.data(), qa16.data(), sums.data());
  const wasmq::Qb8Act act{qa.data(), qa16.data(), sums.data(), sa.data()};
  wasmq::qs4_gemm_config().f32_gemm(0, 3, 0, 8, 256, 64, p.a.data(), p.as, p.packed.data(), y.data(), p.cs, pr);
  wasmq::qs4_gemm_config().qb8_gemm(0, 3, 0, 8, 256, 64, act, p.packed.data(), yq.data(), p.cs, pr);
  for (size_t r = 0; r < 3; ++r) {
    for (size_t col = 0; col < 8; ++col) {
      double ref = 0.0, mag = 0.0, qbound = 0.0;
      for (size_t kk = 0; kk < 256; ++kk) {
        const double w = p.q[col * 256 + kk] * static_cast<double>(p.scales[col * p.nb + kk / 64]);
        ref += p.a[r * p.as + kk] * w;
        mag += std::fabs(p.a[r * p.as + kk] * w);
        qbound += 0.5 * sa[r * p.nb + kk / 64] * std::fabs(w);
      }
      REQUIRE(std::fabs(y[r * p.cs + col] - ref) <= 1e-5 * mag + 1e-6);
      REQUIRE(std::fabs(yq[r * p.cs + col] - ref) <= qbound + 1e-5 * mag + 1e-6);
    }
  }
}
