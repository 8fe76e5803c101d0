// Name tables and integer ranges for the quantization enumerations.
#include "quant/types.h"

#include "common/error.h"

namespace wasmq {
namespace {

template <typename E, size_t N>
E parse(const std::string& name, const char* what, const char* const (&names)[N]) {
  for (size_t i = 0; i < N; ++i) {
    if (name == names[i]) return static_cast<E>(i);
  }
  std::string list;
  for (size_t i = 0; i < N; ++i) list += (i ? ", " : "") + std::string(names[i]);
  fail(std::string("unknown ") + what + " '" + name + "' (expected one of: " + list + ")");
}

const char* const kDTypeNames[] = {"int8", "uint8", "int16", "int4", "uint4", "float16", "bfloat16"};
const char* const kSchemeNames[] = {"affine", "symmetric", "log2", "kmeans"};
const char* const kGranularityNames[] = {"tensor", "channel", "block"};
const char* const kCalibrationNames[] = {"minmax", "moving-average", "percentile", "mse", "entropy"};
const char* const kRoundingNames[] = {"nearest", "stochastic"};

}  // namespace

DType parse_dtype(const std::string& name) {
  if (name == "fp16") return DType::kFloat16;
  if (name == "bf16") return DType::kBFloat16;
  return parse<DType>(name, "dtype", kDTypeNames);
}
Scheme parse_scheme(const std::string& name) { return parse<Scheme>(name, "scheme", kSchemeNames); }
Granularity parse_granularity(const std::string& name) {
  return parse<Granularity>(name, "granularity", kGranularityNames);
}
Calibration parse_calibration(const std::string& name) {
  return parse<Calibration>(name, "calibration", kCalibrationNames);
}
Rounding parse_rounding(const std::string& name) { return parse<Rounding>(name, "rounding", kRoundingNames); }

const char* name_of(DType v) { return kDTypeNames[static_cast<int>(v)]; }
const char* name_of(Scheme v) { return kSchemeNames[static_cast<int>(v)]; }
const char* name_of(Granularity v) { return kGranularityNames[static_cast<int>(v)]; }
const char* name_of(Calibration v) { return kCalibrationNames[static_cast<int>(v)]; }
const char* name_of(Rounding v) { return kRoundingNames[static_cast<int>(v)]; }

DTypeInfo dtype_info(DType dtype) {
  switch (dtype) {
    case DType::kInt8: return {8, true, false, -128, 127};
    case DType::kUInt8: return {8, false, false, 0, 255};
    case DType::kInt16: return {16, true, false, -32768, 32767};
    case DType::kInt4: return {4, true, false, -8, 7};
    case DType::kUInt4: return {4, false, false, 0, 15};
    case DType::kFloat16: return {16, true, true, 0, 0};
    case DType::kBFloat16: return {16, true, true, 0, 0};
  }
  fail("invalid dtype");
}

size_t storage_bytes(DType dtype, size_t n) {
  const int bits = dtype_info(dtype).bits;
  return bits == 4 ? (n + 1) / 2 : n * static_cast<size_t>(bits / 8);
}

QRange scheme_range(DType dtype, Scheme scheme) {
  const DTypeInfo info = dtype_info(dtype);
  if (scheme != Scheme::kSymmetric) return {info.qmin, info.qmax};
  const int32_t half = (1 << (info.bits - 1)) - 1;  // 127, 7, 32767
  if (info.is_signed) return {-half, half};
  return {1, 2 * half + 1};  // uint8 [1, 255] around zero point 128
}

}  // namespace wasmq
