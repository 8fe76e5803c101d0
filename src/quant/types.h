// Enumerations of the quantization vocabulary (dtype, scheme, granularity, calibration, rounding)
// with their names as the JS API spells them, and the integer range each dtype/scheme allows.
#pragma once

#include <cstdint>
#include <string>

namespace wasmq {

enum class DType { kInt8, kUInt8, kInt16, kInt4, kUInt4, kFloat16, kBFloat16 };
enum class Scheme { kAffine, kSymmetric, kLog2, kKMeans };
enum class Granularity { kTensor, kChannel, kBlock };
enum class Calibration { kMinMax, kMovingAverage, kPercentile, kMse, kEntropy };
enum class Rounding { kNearest, kStochastic };

// Parsing throws wasmq::Error naming the argument and the accepted values.
DType parse_dtype(const std::string& name);
Scheme parse_scheme(const std::string& name);
Granularity parse_granularity(const std::string& name);
Calibration parse_calibration(const std::string& name);
Rounding parse_rounding(const std::string& name);

const char* name_of(DType);
const char* name_of(Scheme);
const char* name_of(Granularity);
const char* name_of(Calibration);
const char* name_of(Rounding);

struct DTypeInfo {
  int bits;         // 4, 8 or 16
  bool is_signed;   // for integers
  bool is_float;    // fp16, bf16
  int32_t qmin;     // full integer range
  int32_t qmax;
};

DTypeInfo dtype_info(DType dtype);

// Bytes needed to store n elements (int4/uint4 pack two per byte, first element in the low nibble).
size_t storage_bytes(DType dtype, size_t n);

// The code range a scheme uses: affine uses the full range; symmetric drops the most negative code
// (int8 [-127, 127], int4 [-7, 7]; unsigned types centre on 2^(bits-1): uint8 [1, 255]).
struct QRange {
  int32_t qmin;
  int32_t qmax;
};
QRange scheme_range(DType dtype, Scheme scheme);

}  // namespace wasmq
