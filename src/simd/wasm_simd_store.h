// Partial vector stores for kernel tails: the first n (< 16) bytes of a v128, by 8/4/2/1-byte lanes.
#pragma once

#include <cstddef>
#include <cstdint>

#include "simd/wasm_simd.h"

#if defined(WASMQ_HAVE_WASMSIMD)

namespace wasmq {

inline void wasm_store_first_bytes(void* dst, v128_t q, size_t n) {
  uint8_t* d = static_cast<uint8_t*>(dst);
  if (n & 8) {
    wasm_v128_store64_lane(d, q, 0);
    q = wasm_i64x2_shuffle(q, q, 1, 1);
    d += 8;
  }
  if (n & 4) {
    wasm_v128_store32_lane(d, q, 0);
    q = wasm_u64x2_shr(q, 32);
    d += 4;
  }
  if (n & 2) {
    wasm_v128_store16_lane(d, q, 0);
    q = wasm_u32x4_shr(q, 16);
    d += 2;
  }
  if (n & 1) wasm_v128_store8_lane(d, q, 0);
}

}  // namespace wasmq

#endif  // WASMQ_HAVE_WASMSIMD
