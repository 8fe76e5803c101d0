// Packs ONNX MatMulNBits int4 blobs for the qb4w kernels, and quantizes activations per block (qb8).
#include <algorithm>
#include <cmath>
#include <cstring>

#include "common/error.h"
#include "kernels/qs4-gemm/qs4-gemm.h"
#include "kernels/vcvt/vcvt.h"

namespace wasmq {

void qs4_packw_onnx(size_t n, size_t k, size_t block, const uint8_t* blob, const float* scales, void* packed) {
  WASMQ_CHECK(block >= 32 && block % 32 == 0, "int4 block size must be a multiple of 32 (32, 64, 128)");
  const size_t nb = qs4_blocks(k, block);
  uint8_t* out = static_cast<uint8_t*>(packed);
  for (size_t n0 = 0; n0 < n; n0 += kQs4NR) {
    for (size_t b = 0; b < nb; ++b) {
      float s[kQs4NR] = {};
      for (size_t j = 0; j < kQs4NR && n0 + j < n; ++j) s[j] = scales[(n0 + j) * nb + b];
      std::memcpy(out, s, sizeof s);
      out += sizeof s;
      for (size_t sb = 0; sb < block / 32; ++sb) {
        for (size_t j = 0; j < kQs4NR; ++j, out += 16) {
          std::memset(out, 0x88, 16);  // u = 8: q = 0
          if (n0 + j >= n) continue;
          const uint8_t* src = blob + ((n0 + j) * nb + b) * (block / 2);
          for (size_t r = 0; r < 32; ++r) {
            const size_t kk = sb * 32 + r;  // index inside the block
            if (b * block + kk >= k) continue;
            const uint8_t u = static_cast<uint8_t>((src[kk / 2] >> ((kk % 2) * 4)) & 15);
            const size_t t = r / 8, i = r % 8;
            uint8_t& byte = out[2 * i + (t >= 2 ? 1 : 0)];
            byte = (t % 2) ? static_cast<uint8_t>((byte & 0x0F) | (u << 4)) : static_cast<uint8_t>((byte & 0xF0) | u);
          }
        }
      }
    }
  }
}

void f32_qb8_quantize(size_t m, size_t k, size_t block, const float* a, size_t a_stride, int8_t* codes,
                      float* scales) {
  const size_t nb = qs4_blocks(k, block);
  const VcvtConfig& vcvt = vcvt_config();
  for (size_t r = 0; r < m; ++r) {
    const float* x = a + r * a_stride;
    int8_t* q = codes + r * nb * block;
    for (size_t b = 0; b < nb; ++b) {
      const size_t k0 = b * block, len = std::min(block, k - k0);
      float amax = 0.0f;
      for (size_t i = 0; i < len; ++i) amax = std::max(amax, std::fabs(x[k0 + i]));
      WASMQ_CHECK(std::isfinite(amax), "f32_qb8_quantize: activations must be finite");
      const float d = amax / 127.0f;
      scales[r * nb + b] = d;
      if (d > 0.0f) {
        vcvt.f32_qs8(len, x + k0, q + k0, QuantizeParams{d, 0.0f, -127.0f, 127.0f});
      } else {
        std::memset(q + k0, 0, len);
      }
      std::memset(q + k0 + len, 0, block - len);
    }
  }
}

void qb8_pack_act(size_t m, size_t k, size_t block, const int8_t* codes, int16_t* packed, int32_t* sums) {
  static const int16_t kMul[4] = {256, 16, 1, 256};
  const size_t nb = qs4_blocks(k, block);
  for (size_t r = 0; r < m; ++r) {
    for (size_t b = 0; b < nb; ++b) {
      const int8_t* q = codes + r * nb * block + b * block;
      int16_t* out = packed + r * nb * block + b * block;
      int32_t s = 0;
      for (size_t kk = 0; kk < block; ++kk) {
        out[kk] = static_cast<int16_t>(q[kk] * kMul[(kk % 32) / 8]);
        s += q[kk];
      }
      sums[r * nb + b] = s;
    }
  }
}

}  // namespace wasmq
