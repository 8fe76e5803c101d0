// Shared helpers of the quantized runtime ops: parameter reading and the exact zero-point-corrected
// int8 GEMM (see quant_common.h).
#include "runtime/quant_common.h"

#include <algorithm>

namespace wasmq::rt::quant {

void read_scales(const Op& op, const Tensor* t, const char* what, std::vector<float>& out) {
  if (!t || !t->data) op.error(std::string(what) + " is missing");
  if (t->dtype != ElemType::kFloat) op.error(std::string(what) + " must be FLOAT (got " + onnx::elem_onnx_name(t->dtype) + ")");
  const size_t n = t->numel();
  out.resize(n);
  std::memcpy(out.data(), t->data, n * sizeof(float));
  for (float s : out) {
    if (!(s > 0.0f) || !std::isfinite(s)) op.error(std::string(what) + " must be positive and finite (got " + std::to_string(s) + ")");
  }
}

void read_zero_points(const Op& op, const Tensor* t, const char* what, std::vector<int32_t>& out) {
  if (!t) {
    out.assign(1, 0);
    return;
  }
  if (!t->data) op.error(std::string(what) + " has no data");
  const size_t n = t->numel();
  out.resize(n);
  switch (t->dtype) {
    case ElemType::kInt8: for (size_t i = 0; i < n; ++i) out[i] = t->as<const int8_t>()[i]; break;
    case ElemType::kUInt8: for (size_t i = 0; i < n; ++i) out[i] = t->as<const uint8_t>()[i]; break;
    case ElemType::kInt16: for (size_t i = 0; i < n; ++i) out[i] = t->as<const int16_t>()[i]; break;
    case ElemType::kInt32: for (size_t i = 0; i < n; ++i) out[i] = t->as<const int32_t>()[i]; break;
    default: op.error(std::string(what) + " must be INT8, UINT8, INT16 or INT32 (got " + onnx::elem_onnx_name(t->dtype) + ")");
  }
}

bool check_param_size(const Op& op, size_t numel, size_t rank, size_t n, const char* what) {
  if (numel == 1 && rank <= 1) return false;
  if (rank == 1 && numel == n) return true;
  op.error(std::string(what) + " must be a scalar or a 1-D tensor of " + std::to_string(n) + " values (got " +
           std::to_string(numel) + " values, rank " + std::to_string(rank) + ")");
}

void PackedQ8Weights::pack(size_t n_, size_t k_, const void* w, bool w_unsigned, size_t n_stride, size_t k_stride,
                           const int32_t* w_zp, bool w_zp_per_col, const int32_t* bias) {
  n = n_;
  k = k_;
  const int32_t off = w_unsigned ? 128 : 0;
  std::vector<int8_t>& wt = staging;
  wt.resize(n * k);
  for (size_t j = 0; j < n; ++j) {
    for (size_t i = 0; i < k; ++i) {
      const size_t idx = j * n_stride + i * k_stride;
      const int32_t v = w_unsigned ? static_cast<const uint8_t*>(w)[idx] : static_cast<const int8_t*>(w)[idx];
      wt[j * k + i] = static_cast<int8_t>(v - off);
    }
  }
  corr.resize(n);
  needs_corr = false;
  for (size_t j = 0; j < n; ++j) {
    corr[j] = off - w_zp[w_zp_per_col ? j : 0];
    if (corr[j] != 0) needs_corr = true;
  }
  const QGemmConfig& cfg = qgemm_config();
  packed.assign(qs8_packw_size(n, k, cfg.w_bytes), 0);
  cfg.packw(n, k, wt.data(), k, 1, bias, packed.data());
}

namespace {

// The kernels read up to 15 bytes past a row's k. Rows [m - t, m) are copied (stride a_stride) to
// `pad` with 16 bytes after them, t the fewest rows spanning 16 bytes, so every read of the rows
// before them stays inside A; returns t (>= 1) and the copy in *tail.
size_t padded_tail(const void* a, size_t m, size_t k, size_t a_stride, std::vector<uint8_t>& pad, const void** tail) {
  const size_t t = std::min(m, std::max<size_t>(1, (16 + a_stride - 1) / std::max<size_t>(a_stride, 1)));
  const size_t bytes = (t - 1) * a_stride + k;
  if (pad.size() < bytes + 16) pad.resize(bytes + 16);
  std::memcpy(pad.data(), static_cast<const uint8_t*>(a) + (m - t) * a_stride, bytes);
  *tail = pad.data();
  return t;
}

}  // namespace

void gemm_acc32(const PackedQ8Weights& w, size_t m, const void* a, bool a_unsigned, size_t a_stride,
                const int32_t* a_zp, size_t a_zp_stride, int32_t* c, size_t c_stride, std::vector<uint8_t>& pad_row) {
  if (m == 0 || w.n == 0) return;
  const QGemmConfig& cfg = qgemm_config();
  QGemmParams p;
  p.a_zero_point = a_zp;
  p.a_quant_stride = a_zp_stride;
  const size_t k = w.k;
  const void* tail = nullptr;
  const size_t t = padded_tail(a, m, k, a_stride, pad_row, &tail), h = m - t;
  QGemmParams pl = p;
  pl.a_zero_point = a_zp + h * a_zp_stride;
  if (a_unsigned) {
    if (h > 0) cfg.qu8_acc32(0, h, 0, w.n, k, static_cast<const uint8_t*>(a), a_stride, w.packed.data(), c, c_stride, p);
    cfg.qu8_acc32(0, t, 0, w.n, k, static_cast<const uint8_t*>(tail), a_stride, w.packed.data(), c + h * c_stride, c_stride, pl);
  } else {
    if (h > 0) cfg.qs8_acc32(0, h, 0, w.n, k, static_cast<const int8_t*>(a), a_stride, w.packed.data(), c, c_stride, p);
    cfg.qs8_acc32(0, t, 0, w.n, k, static_cast<const int8_t*>(tail), a_stride, w.packed.data(), c + h * c_stride, c_stride, pl);
  }
  if (!w.needs_corr) return;
  for (size_t r = 0; r < m; ++r) {
    int64_t sum = 0;
    if (a_unsigned) {
      const uint8_t* row = static_cast<const uint8_t*>(a) + r * a_stride;
      for (size_t i = 0; i < k; ++i) sum += row[i];
    } else {
      const int8_t* row = static_cast<const int8_t*>(a) + r * a_stride;
      for (size_t i = 0; i < k; ++i) sum += row[i];
    }
    sum -= static_cast<int64_t>(k) * a_zp[r * a_zp_stride];
    int32_t* cr = c + r * c_stride;
    for (size_t j = 0; j < w.n; ++j) {
      // int32 arithmetic wraps, as in the kernels.
      const uint32_t add = static_cast<uint32_t>(static_cast<int64_t>(w.corr[j]) * sum);
      cr[j] = static_cast<int32_t>(static_cast<uint32_t>(cr[j]) + add);
    }
  }
}

void gemm_minmax(const PackedQ8Weights& w, size_t m, const void* a, bool a_unsigned, size_t a_stride, int32_t a_zp,
                 const float* scale, int32_t y_zp, int32_t qmin, int32_t qmax, void* c, size_t c_stride,
                 std::vector<uint8_t>& pad_row) {
  if (m == 0 || w.n == 0) return;
  const QGemmConfig& cfg = qgemm_config();
  QGemmParams p;
  p.a_zero_point = &a_zp;
  p.a_quant_stride = 0;
  p.scale = scale;
  p.c_zero_point = y_zp;
  p.qmin = qmin;
  p.qmax = qmax;
  const size_t k = w.k;
  const void* tail = nullptr;
  const size_t t = padded_tail(a, m, k, a_stride, pad_row, &tail), h = m - t;
  if (a_unsigned) {
    auto* cu = static_cast<uint8_t*>(c);
    if (h > 0) cfg.qu8_minmax(0, h, 0, w.n, k, static_cast<const uint8_t*>(a), a_stride, w.packed.data(), cu, c_stride, p);
    cfg.qu8_minmax(0, t, 0, w.n, k, static_cast<const uint8_t*>(tail), a_stride, w.packed.data(), cu + h * c_stride, c_stride, p);
  } else {
    auto* cs = static_cast<int8_t*>(c);
    if (h > 0) cfg.qs8_minmax(0, h, 0, w.n, k, static_cast<const int8_t*>(a), a_stride, w.packed.data(), cs, c_stride, p);
    cfg.qs8_minmax(0, t, 0, w.n, k, static_cast<const int8_t*>(tail), a_stride, w.packed.data(), cs + h * c_stride, c_stride, p);
  }
}

DwconvShape depthwise_shape(const ConvShape& s) {
  DwconvShape d;
  d.batch = s.batch;
  d.in_h = s.in_h;
  d.in_w = s.in_w;
  d.channels = s.in_c;
  d.kernel_h = s.kernel_h;
  d.kernel_w = s.kernel_w;
  d.stride_h = s.stride_h;
  d.stride_w = s.stride_w;
  d.dilation_h = s.dilation_h;
  d.dilation_w = s.dilation_w;
  d.pad_top = s.pad_top;
  d.pad_left = s.pad_left;
  d.pad_bottom = s.pad_bottom;
  d.pad_right = s.pad_right;
  d.validate();
  return d;
}

void conv_weights_tap_order(const ConvShape& s, const uint8_t* w, uint8_t* out) {
  const size_t gin = s.group_in(), kk = s.kernel_h * s.kernel_w, k = s.k();
  for (size_t o = 0; o < s.out_c; ++o)
    for (size_t c = 0; c < gin; ++c)
      for (size_t t = 0; t < kk; ++t) out[o * k + t * gin + c] = w[(o * gin + c) * kk + t];
}

std::vector<int8_t> depthwise_weights(const ConvShape& s, const uint8_t* w, bool w_unsigned) {
  const size_t c = s.in_c, kk = s.kernel_h * s.kernel_w;
  const int32_t off = w_unsigned ? 128 : 0;
  std::vector<int8_t> wd(kk * c);
  for (size_t ch = 0; ch < c; ++ch)
    for (size_t t = 0; t < kk; ++t) {
      const int32_t v = off ? w[ch * kk + t] : static_cast<int8_t>(w[ch * kk + t]);
      wd[t * c + ch] = static_cast<int8_t>(v - off);
    }
  return wd;
}

size_t qconv_col_block(size_t gout, size_t k, size_t* col_main) {
  // Op-count estimate per output row:
  //   2x4c8:  ceil(N/4) tiles  x (11 per 8-deep K block + 24 for the reduction and requantization)
  //   2x16c2: ceil(N/16) blocks x (52 per K block + 28 for requantizing 16 outputs)
  //   2x8c2:  ceil(N/8) blocks  x (29 per K block + 16)
  // The column-blocked K blocks weighted from ppocr-cls timings: they win on short K (1x1 convs with
  // K = 8..32: 16-50% faster) and lose slightly at N=32, K=200 (0.038 -> 0.044 ms).
  const size_t kb = qs8_gemm_kc(k) / 8;
  const size_t c8 = (gout + 3) / 4 * (kb * 11 + 24), n16 = (gout + 15) / 16 * (kb * 52 + 28),
               n8 = (gout + 7) / 8 * (kb * 29 + 16);
  const size_t nb = std::min(n16, n8) < c8 ? (n16 <= n8 ? 16 : 8) : 0;
  // With 16-column blocks, a remainder of <= 8 columns (N = 200, 88, 104) goes to one 8-column
  // block instead of a half-empty 16-column one.
  *col_main = nb == 16 && gout % 16 != 0 && gout % 16 <= 8 ? gout / 16 * 16 : gout;
  return nb;
}

// Byte matrix transpose: src rows x cols (row stride rs) -> dst cols x rows (row stride ds), in
// 8x8 tiles: 8 row loads of 8 bytes, three rounds of 64-bit lane swaps, 8 stores. Measured in
// wasm (Node 20): 64 x 3136 bytes 0.068 ms against 0.254 ms for the byte-by-byte loop.
void transpose_u8(const uint8_t* src, size_t rows, size_t cols, size_t rs, uint8_t* dst, size_t ds) {
  size_t r = 0;
  for (; r + 8 <= rows; r += 8) {
    size_t c = 0;
    for (; c + 8 <= cols; c += 8) {
      uint64_t w[8];
      for (int i = 0; i < 8; ++i) std::memcpy(&w[i], src + (r + i) * rs + c, 8);
      for (int s = 4; s >= 1; s >>= 1) {
        const uint64_t mask = s == 4 ? 0x00000000FFFFFFFFull : s == 2 ? 0x0000FFFF0000FFFFull : 0x00FF00FF00FF00FFull;
        for (int i = 0; i < 8; ++i) {
          if (i & s) continue;
          const uint64_t a = w[i], b = w[i + s];
          w[i] = (a & mask) | ((b & mask) << (8 * s));
          w[i + s] = ((a >> (8 * s)) & mask) | (b & ~mask);
        }
      }
      for (int i = 0; i < 8; ++i) std::memcpy(dst + (c + i) * ds + r, &w[i], 8);
    }
    for (; c < cols; ++c)
      for (size_t i = 0; i < 8; ++i) dst[c * ds + r + i] = src[(r + i) * rs + c];
  }
  for (; r < rows; ++r)
    for (size_t c = 0; c < cols; ++c) dst[c * ds + r] = src[r * rs + c];
}

// NCHW [n][c][hw] -> NHWC [n][hw][c], 8-bit.
void nchw_to_nhwc(const uint8_t* x, size_t n, size_t c, size_t hw, uint8_t* y) {
  for (size_t b = 0; b < n; ++b) transpose_u8(x + b * c * hw, c, hw, hw, y + b * c * hw, c);
}

void nhwc_to_nchw(const uint8_t* x, size_t n, size_t c, size_t hw, uint8_t* y) {
  for (size_t b = 0; b < n; ++b) transpose_u8(x + b * c * hw, hw, c, c, y + b * c * hw, hw);
}

}  // namespace wasmq::rt::quant
