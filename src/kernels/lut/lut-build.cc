// Lookup-table construction for int8/uint8 activations, 8-bit or int16 codes out (double math,
// round half to even, clamp).
#include <cmath>
#include <string>

#include "common/error.h"
#include "kernels/lut/lut.h"

namespace wasmq {
namespace {

void check(const LutQuant& q, const char* what) {
  const int32_t lo = q.is_signed ? -128 : 0, hi = q.is_signed ? 127 : 255;
  WASMQ_CHECK(std::isfinite(q.scale) && q.scale > 0.0f, std::string("lut: ") + what + " scale must be finite and > 0");
  WASMQ_CHECK(q.zero_point >= lo && q.zero_point <= hi,
              std::string("lut: ") + what + " zero point is outside the code range");
}

// table[byte] = clamp(round_half_even(f(x) / out.scale) + out.zero_point, qmin, qmax) for the input
// code q of each byte; the caller has checked in, out and the clamp against the output type.
template <typename Out>
void fill_table(const LutQuant& in, const LutQuant& out, int32_t qmin, int32_t qmax,
                const std::function<double(double)>& f, Out* table) {
  for (int byte = 0; byte < 256; ++byte) {
    const int32_t q = in.is_signed ? static_cast<int32_t>(static_cast<int8_t>(byte)) : byte;
    const double x = static_cast<double>(in.scale) * static_cast<double>(q - in.zero_point);
    const double y = f(x);
    WASMQ_CHECK(!std::isnan(y), "lut: the function returned NaN for x = " + std::to_string(x));
    double v = std::nearbyint(y / static_cast<double>(out.scale)) + out.zero_point;  // ties to even
    v = std::min<double>(std::max<double>(v, qmin), qmax);
    const int32_t c = static_cast<int32_t>(v);
    table[byte] = static_cast<Out>(c);
  }
}

}  // namespace

void build_lut(const LutQuant& in, const LutQuant& out, const std::function<double(double)>& f, uint8_t* table) {
  build_lut(in, out, out.is_signed ? -128 : 0, out.is_signed ? 127 : 255, f, table);
}

void build_lut(const LutQuant& in, const LutQuant& out, int32_t qmin, int32_t qmax,
               const std::function<double(double)>& f, uint8_t* table) {
  check(in, "input");
  check(out, "output");
  const int32_t lo = out.is_signed ? -128 : 0, hi = out.is_signed ? 127 : 255;
  WASMQ_CHECK(qmin >= lo && qmax <= hi && qmin <= qmax, "lut: output clamp is outside the code range");
  fill_table(in, out, qmin, qmax, f, table);  // int8 codes are stored as their byte (c & 0xFF)
}

void build_lut16(const LutQuant& in, const LutQuant& out, int32_t qmin, int32_t qmax,
                 const std::function<double(double)>& f, int16_t* table) {
  check(in, "input");
  WASMQ_CHECK(std::isfinite(out.scale) && out.scale > 0.0f, "lut16: output scale must be finite and > 0");
  WASMQ_CHECK(out.zero_point >= -32768 && out.zero_point <= 32767, "lut16: output zero point is outside the int16 range");
  WASMQ_CHECK(qmin >= -32768 && qmax <= 32767 && qmin <= qmax, "lut16: output clamp is outside the int16 range");
  fill_table(in, out, qmin, qmax, f, table);
}

std::function<double(double)> lut_activation(LutActivation a, double alpha, double beta) {
  switch (a) {
    case LutActivation::kSigmoid:
      return [](double x) { return 1.0 / (1.0 + std::exp(-x)); };
    case LutActivation::kTanh:
      return [](double x) { return std::tanh(x); };
    case LutActivation::kGeluErf:
      return [](double x) { return 0.5 * x * (1.0 + std::erf(x * 0.70710678118654752440)); };
    case LutActivation::kGeluTanh:
      return [](double x) {
        return 0.5 * x * (1.0 + std::tanh(0.79788456080286535588 * (x + 0.044715 * x * x * x)));
      };
    case LutActivation::kHardSwish:
      return [](double x) { return x * std::min(std::max(x + 3.0, 0.0), 6.0) / 6.0; };
    case LutActivation::kHardSigmoid: {
      const double al = alpha != 0.0 ? alpha : 1.0 / 6.0, be = alpha != 0.0 ? beta : 0.5;
      return [al, be](double x) { return std::max(0.0, std::min(1.0, al * x + be)); };
    }
    case LutActivation::kLeakyRelu: {
      const double al = alpha != 0.0 ? alpha : 0.01;
      return [al](double x) { return x < 0.0 ? al * x : x; };
    }
    case LutActivation::kElu: {
      const double al = alpha != 0.0 ? alpha : 1.0;
      return [al](double x) { return x < 0.0 ? al * std::expm1(x) : x; };
    }
    case LutActivation::kSilu:
      return [](double x) { return x / (1.0 + std::exp(-x)); };
    case LutActivation::kExp:
      return [](double x) { return std::exp(x); };
    case LutActivation::kRelu:
      return [](double x) { return std::max(x, 0.0); };
  }
  fail("lut_activation: unknown activation");
}

}  // namespace wasmq
