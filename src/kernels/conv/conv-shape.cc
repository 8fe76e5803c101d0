// ConvShape validation and NHWC im2col, whole or by pixel blocks (taps outside the input get the padding value).
#include <algorithm>
#include <cstring>
#include <string>

#include "common/error.h"
#include "kernels/conv/conv.h"

namespace wasmq {

void ConvShape::validate() const {
  WASMQ_CHECK(batch > 0 && in_h > 0 && in_w > 0 && in_c > 0 && out_c > 0, "conv: all sizes must be positive");
  WASMQ_CHECK(kernel_h > 0 && kernel_w > 0 && stride_h > 0 && stride_w > 0 && dilation_h > 0 && dilation_w > 0,
              "conv: kernel, stride and dilation must be positive");
  WASMQ_CHECK(groups > 0 && in_c % groups == 0 && out_c % groups == 0,
              "conv: in_c (" + std::to_string(in_c) + ") and out_c (" + std::to_string(out_c) +
                  ") must be multiples of groups (" + std::to_string(groups) + ")");
  WASMQ_CHECK(in_h + pad_top + pad_bottom >= dilation_h * (kernel_h - 1) + 1 &&
                  in_w + pad_left + pad_right >= dilation_w * (kernel_w - 1) + 1,
              "conv: the dilated kernel is larger than the padded input");
}

template <typename T>
void im2col_nhwc(const ConvShape& s, size_t group, const T* input, T pad_value, T* rows, size_t row_stride) {
  const size_t oh = s.out_h(), ow = s.out_w(), gc = s.group_in();
  for (size_t b = 0; b < s.batch; ++b) {
    for (size_t oy = 0; oy < oh; ++oy) {
      for (size_t ox = 0; ox < ow; ++ox) {
        T* row = rows + ((b * oh + oy) * ow + ox) * row_stride;
        for (size_t ky = 0; ky < s.kernel_h; ++ky) {
          // iy = oy * stride - pad + ky * dilation, computed without going negative in size_t.
          const size_t iy_p = oy * s.stride_h + ky * s.dilation_h;
          const bool y_in = iy_p >= s.pad_top && iy_p - s.pad_top < s.in_h;
          for (size_t kx = 0; kx < s.kernel_w; ++kx, row += gc) {
            const size_t ix_p = ox * s.stride_w + kx * s.dilation_w;
            if (y_in && ix_p >= s.pad_left && ix_p - s.pad_left < s.in_w) {
              const T* src = input + ((b * s.in_h + (iy_p - s.pad_top)) * s.in_w + (ix_p - s.pad_left)) * s.in_c + group * gc;
              if (gc <= 8) {  // few channels (e.g. an RGB stem): a call to memcpy costs more than the copy
                for (size_t c = 0; c < gc; ++c) row[c] = src[c];
              } else {
                std::memcpy(row, src, gc * sizeof(T));
              }
            } else {
              for (size_t c = 0; c < gc; ++c) row[c] = pad_value;
            }
          }
        }
      }
    }
  }
}

template <typename T>
void im2col_nhwc_rows(const ConvShape& s, size_t group, const T* input, T pad_value, T* rows, size_t row_stride,
                      size_t p0, size_t pn) {
  const size_t oh = s.out_h(), ow = s.out_w(), gc = s.group_in(), K = s.k();
  const bool adjacent = gc == s.in_c && s.dilation_w == 1;
  const size_t span = s.kernel_w * gc;
  const bool block16 = adjacent && span <= 16;
  static const T kZeros[16] = {};
  // Output columns [ox_lo, ox_hi) have every horizontal tap inside the input.
  const size_t ox_lo = std::min(ow, (s.pad_left + s.stride_w - 1) / s.stride_w);
  const size_t x_ext = (s.kernel_w - 1) * s.dilation_w;
  const size_t ox_hi = s.in_w + s.pad_left < x_ext + 1 ? ox_lo
                       : std::max(ox_lo, std::min(ow, (s.in_w + s.pad_left - x_ext - 1) / s.stride_w + 1));
  const size_t y_ext = (s.kernel_h - 1) * s.dilation_h;
  const size_t k_zero = row_stride - K <= 16 ? 16 : 0;  // fixed-size zeroing of [K, row_stride)
  size_t b = p0 / (oh * ow), oy = (p0 % (oh * ow)) / ow, ox = p0 % ow;
  for (size_t p = p0; p < p0 + pn; ++p) {
    T* const row0 = rows + (p - p0) * row_stride;
    // Run of pixels whose whole window is inside the input (the bulk of a stem): KH block copies each.
    if (block16 && k_zero && ox >= ox_lo && ox < ox_hi && oy * s.stride_h >= s.pad_top &&
        oy * s.stride_h - s.pad_top + y_ext < s.in_h) {
      const size_t n = std::min(ox_hi - ox, p0 + pn - p);
      const T* src = input + ((b * s.in_h + (oy * s.stride_h - s.pad_top)) * s.in_w + (ox * s.stride_w - s.pad_left)) * s.in_c;
      const size_t src_step = s.stride_w * s.in_c, ky_step = s.dilation_h * s.in_w * s.in_c;
      T* row = row0;
      for (size_t i = 0; i < n; ++i, src += src_step, row += row_stride) {
        const T* sy = src;
        for (size_t ky = 0; ky < s.kernel_h; ++ky, sy += ky_step) std::memcpy(row + ky * span, sy, 16 * sizeof(T));
        std::memcpy(row + K, kZeros, 16 * sizeof(T));
      }
      p += n - 1;
      ox += n;
      if (ox == ow) {
        ox = 0;
        if (++oy == oh) {
          oy = 0;
          ++b;
        }
      }
      continue;
    }
    T* row = row0;
    const size_t ix0 = ox * s.stride_w;  // in padded coordinates
    const bool x_inside = ix0 >= s.pad_left && ix0 - s.pad_left + (s.kernel_w - 1) * s.dilation_w < s.in_w;
    for (size_t ky = 0; ky < s.kernel_h; ++ky) {
      const size_t iy_p = oy * s.stride_h + ky * s.dilation_h;
      const bool y_in = iy_p >= s.pad_top && iy_p - s.pad_top < s.in_h;
      if (y_in && adjacent && x_inside) {
        const T* src = input + ((b * s.in_h + (iy_p - s.pad_top)) * s.in_w + (ix0 - s.pad_left)) * s.in_c;
        if (block16) std::memcpy(row, src, 16 * sizeof(T));  // fixed size: one vector copy
        else std::memcpy(row, src, span * sizeof(T));
        row += span;
        continue;
      }
      for (size_t kx = 0; kx < s.kernel_w; ++kx, row += gc) {
        const size_t ix_p = ix0 + kx * s.dilation_w;
        if (y_in && ix_p >= s.pad_left && ix_p - s.pad_left < s.in_w) {
          const T* src = input + ((b * s.in_h + (iy_p - s.pad_top)) * s.in_w + (ix_p - s.pad_left)) * s.in_c + group * gc;
          if (gc <= 8) {
            for (size_t c = 0; c < gc; ++c) row[c] = src[c];
          } else {
            std::memcpy(row, src, gc * sizeof(T));
          }
        } else {
          for (size_t c = 0; c < gc; ++c) row[c] = pad_value;
        }
      }
    }
    // [K, row_stride) to zero; this also clears what a 16-byte copy left past K (< K + 16).
    if (row_stride - K <= 16) std::memcpy(row0 + K, kZeros, 16 * sizeof(T));
    else std::memset(row0 + K, 0, (row_stride - K) * sizeof(T));
    if (++ox == ow) {
      ox = 0;
      if (++oy == oh) {
        oy = 0;
        ++b;
      }
    }
  }
}

template void im2col_nhwc<int8_t>(const ConvShape&, size_t, const int8_t*, int8_t, int8_t*, size_t);
template void im2col_nhwc<uint8_t>(const ConvShape&, size_t, const uint8_t*, uint8_t, uint8_t*, size_t);
template void im2col_nhwc<float>(const ConvShape&, size_t, const float*, float, float*, size_t);
template void im2col_nhwc<int16_t>(const ConvShape&, size_t, const int16_t*, int16_t, int16_t*, size_t);
template void im2col_nhwc_rows<int8_t>(const ConvShape&, size_t, const int8_t*, int8_t, int8_t*, size_t, size_t, size_t);
template void im2col_nhwc_rows<uint8_t>(const ConvShape&, size_t, const uint8_t*, uint8_t, uint8_t*, size_t, size_t, size_t);

}  // namespace wasmq
