// Scalar reference int8/uint8 add and mul, 8-bit or int16 (qs8_qs16) output (the definition SIMD
// kernels must equal), and the parameter builders.
#include <cmath>
#include <string>

#include "common/error.h"
#include "kernels/elementwise/elementwise.h"

namespace wasmq {
namespace {

void check_quant(float scale, int32_t zp, int32_t lo, int32_t hi, const char* what) {
  WASMQ_CHECK(std::isfinite(scale) && scale > 0.0f, std::string(what) + " scale must be finite and > 0");
  WASMQ_CHECK(zp >= lo && zp <= hi, std::string(what) + " zero point " + std::to_string(zp) + " is outside [" +
                                        std::to_string(lo) + ", " + std::to_string(hi) + "]");
}

RequantParams make_requant(float scale, int32_t y_zp, int32_t qmin, int32_t qmax, int32_t lo, int32_t hi) {
  WASMQ_CHECK(std::isfinite(scale) && scale > 0.0f, "requantization scale must be finite and > 0");
  WASMQ_CHECK(qmin >= lo && qmax <= hi && qmin <= qmax,
              "output clamp [" + std::to_string(qmin) + ", " + std::to_string(qmax) + "] is not inside [" +
                  std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return RequantParams{scale, y_zp, qmin, qmax};
}

// Code ranges: inputs [lo, hi], output [ylo, yhi].
QAddParams make_add(float sa, int32_t za, float sb, int32_t zb, float sy, int32_t zy, int32_t qmin, int32_t qmax,
                    int32_t lo, int32_t hi, int32_t ylo, int32_t yhi) {
  check_quant(sa, za, lo, hi, "add input a");
  check_quant(sb, zb, lo, hi, "add input b");
  check_quant(sy, zy, ylo, yhi, "add output");
  const double smax = std::max<double>(sa, sb);
  QAddParams p;
  p.a_zero_point = za;
  p.b_zero_point = zb;
  p.a_multiplier = static_cast<int32_t>(std::nearbyint(std::ldexp(static_cast<double>(sa) / smax, kQAddShift)));
  p.b_multiplier = static_cast<int32_t>(std::nearbyint(std::ldexp(static_cast<double>(sb) / smax, kQAddShift)));
  p.requant = make_requant(static_cast<float>(std::ldexp(smax / sy, -kQAddShift)), zy, qmin, qmax, ylo, yhi);
  return p;
}

QMulParams make_mul(float sa, int32_t za, float sb, int32_t zb, float sy, int32_t zy, int32_t qmin, int32_t qmax,
                    int32_t lo, int32_t hi, int32_t ylo, int32_t yhi) {
  check_quant(sa, za, lo, hi, "mul input a");
  check_quant(sb, zb, lo, hi, "mul input b");
  check_quant(sy, zy, ylo, yhi, "mul output");
  QMulParams p;
  p.a_zero_point = za;
  p.b_zero_point = zb;
  p.requant = make_requant(sa * sb / sy, zy, qmin, qmax, ylo, yhi);
  return p;
}

template <typename T, typename O>
void vadd(size_t n, const T* a, const T* b, O* y, const QAddParams& p) {
  for (size_t i = 0; i < n; ++i) {
    const int32_t acc = (static_cast<int32_t>(a[i]) - p.a_zero_point) * p.a_multiplier +
                        (static_cast<int32_t>(b[i]) - p.b_zero_point) * p.b_multiplier;
    y[i] = static_cast<O>(requantize_fp32(acc, p.requant));
  }
}

template <typename T, typename O>
void vaddc(size_t n, const T* a, const T* b, O* y, const QAddParams& p) {
  const int32_t bterm = (static_cast<int32_t>(b[0]) - p.b_zero_point) * p.b_multiplier;
  for (size_t i = 0; i < n; ++i) {
    const int32_t acc = (static_cast<int32_t>(a[i]) - p.a_zero_point) * p.a_multiplier + bterm;
    y[i] = static_cast<O>(requantize_fp32(acc, p.requant));
  }
}

template <typename T, typename O>
void vmul(size_t n, const T* a, const T* b, O* y, const QMulParams& p) {
  for (size_t i = 0; i < n; ++i) {
    const int32_t acc = (static_cast<int32_t>(a[i]) - p.a_zero_point) * (static_cast<int32_t>(b[i]) - p.b_zero_point);
    y[i] = static_cast<O>(requantize_fp32(acc, p.requant));
  }
}

template <typename T, typename O>
void vmulc(size_t n, const T* a, const T* b, O* y, const QMulParams& p) {
  const int32_t bv = static_cast<int32_t>(b[0]) - p.b_zero_point;
  for (size_t i = 0; i < n; ++i) {
    const int32_t acc = (static_cast<int32_t>(a[i]) - p.a_zero_point) * bv;
    y[i] = static_cast<O>(requantize_fp32(acc, p.requant));
  }
}

}  // namespace

QAddParams make_qs8_add_params(float sa, int32_t za, float sb, int32_t zb, float sy, int32_t zy, int32_t qmin,
                               int32_t qmax) {
  return make_add(sa, za, sb, zb, sy, zy, qmin, qmax, -128, 127, -128, 127);
}
QAddParams make_qu8_add_params(float sa, int32_t za, float sb, int32_t zb, float sy, int32_t zy, int32_t qmin,
                               int32_t qmax) {
  return make_add(sa, za, sb, zb, sy, zy, qmin, qmax, 0, 255, 0, 255);
}
QMulParams make_qs8_mul_params(float sa, int32_t za, float sb, int32_t zb, float sy, int32_t zy, int32_t qmin,
                               int32_t qmax) {
  return make_mul(sa, za, sb, zb, sy, zy, qmin, qmax, -128, 127, -128, 127);
}
QMulParams make_qu8_mul_params(float sa, int32_t za, float sb, int32_t zb, float sy, int32_t zy, int32_t qmin,
                               int32_t qmax) {
  return make_mul(sa, za, sb, zb, sy, zy, qmin, qmax, 0, 255, 0, 255);
}
QAddParams make_qs8_qs16_add_params(float sa, int32_t za, float sb, int32_t zb, float sy, int32_t zy, int32_t qmin,
                                    int32_t qmax) {
  return make_add(sa, za, sb, zb, sy, zy, qmin, qmax, -128, 127, -32768, 32767);
}
QMulParams make_qs8_qs16_mul_params(float sa, int32_t za, float sb, int32_t zb, float sy, int32_t zy, int32_t qmin,
                                    int32_t qmax) {
  return make_mul(sa, za, sb, zb, sy, zy, qmin, qmax, -128, 127, -32768, 32767);
}

QAddParams swap_operands(const QAddParams& p) {
  QAddParams s = p;
  s.a_zero_point = p.b_zero_point;
  s.b_zero_point = p.a_zero_point;
  s.a_multiplier = p.b_multiplier;
  s.b_multiplier = p.a_multiplier;
  return s;
}

QMulParams swap_operands(const QMulParams& p) {
  QMulParams s = p;
  s.a_zero_point = p.b_zero_point;
  s.b_zero_point = p.a_zero_point;
  return s;
}

void qs8_vadd_minmax__scalar(size_t n, const int8_t* a, const int8_t* b, int8_t* y, const QAddParams& p) { vadd(n, a, b, y, p); }
void qs8_vaddc_minmax__scalar(size_t n, const int8_t* a, const int8_t* b, int8_t* y, const QAddParams& p) { vaddc(n, a, b, y, p); }
void qu8_vadd_minmax__scalar(size_t n, const uint8_t* a, const uint8_t* b, uint8_t* y, const QAddParams& p) { vadd(n, a, b, y, p); }
void qu8_vaddc_minmax__scalar(size_t n, const uint8_t* a, const uint8_t* b, uint8_t* y, const QAddParams& p) { vaddc(n, a, b, y, p); }
void qs8_vmul_minmax_fp32__scalar(size_t n, const int8_t* a, const int8_t* b, int8_t* y, const QMulParams& p) { vmul(n, a, b, y, p); }
void qs8_vmulc_minmax_fp32__scalar(size_t n, const int8_t* a, const int8_t* b, int8_t* y, const QMulParams& p) { vmulc(n, a, b, y, p); }
void qu8_vmul_minmax_fp32__scalar(size_t n, const uint8_t* a, const uint8_t* b, uint8_t* y, const QMulParams& p) { vmul(n, a, b, y, p); }
void qu8_vmulc_minmax_fp32__scalar(size_t n, const uint8_t* a, const uint8_t* b, uint8_t* y, const QMulParams& p) { vmulc(n, a, b, y, p); }
void qs8_qs16_vadd_minmax__scalar(size_t n, const int8_t* a, const int8_t* b, int16_t* y, const QAddParams& p) { vadd(n, a, b, y, p); }
void qs8_qs16_vaddc_minmax__scalar(size_t n, const int8_t* a, const int8_t* b, int16_t* y, const QAddParams& p) { vaddc(n, a, b, y, p); }
void qs8_qs16_vmul_minmax_fp32__scalar(size_t n, const int8_t* a, const int8_t* b, int16_t* y, const QMulParams& p) { vmul(n, a, b, y, p); }
void qs8_qs16_vmulc_minmax_fp32__scalar(size_t n, const int8_t* a, const int8_t* b, int16_t* y, const QMulParams& p) { vmulc(n, a, b, y, p); }

}  // namespace wasmq
