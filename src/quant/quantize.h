// Tensor quantization: every dtype, scheme and granularity, to and from float32.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "quant/observers.h"
#include "quant/types.h"

namespace wasmq {

struct QuantizeOptions {
  std::vector<int64_t> shape;  // empty: [n]
  DType dtype = DType::kInt8;
  Scheme scheme = Scheme::kAffine;
  Granularity granularity = Granularity::kTensor;
  int axis = 0;                // channel/block axis; negative counts from the end
  int64_t block_size = 0;      // granularity kBlock only
  Calibration calibration = Calibration::kMinMax;  // range of each group (affine/symmetric/log2)
  ObserverOptions observer;
  Rounding rounding = Rounding::kNearest;
  uint64_t seed = 0;           // stochastic rounding and k-means++ seeding
  int kmeans_iterations = 30;  // Lloyd iterations
};

struct QuantizedTensor {
  DType dtype = DType::kInt8;
  Scheme scheme = Scheme::kAffine;
  Granularity granularity = Granularity::kTensor;
  std::vector<int64_t> shape;
  int axis = 0;               // normalised to [0, rank)
  int64_t block_size = 0;
  std::vector<uint8_t> data;  // int8/uint8 bytes, packed nibbles, or 16-bit little-endian words
  std::vector<int64_t> scale_shape;  // [] tensor, [C] channel, shape with axis -> ceil(C/B) block
  std::vector<float> scale;          // one per group (empty for kmeans and float16/bfloat16)
  std::vector<int32_t> zero_point;   // one per group
  std::vector<float> codebook;       // kmeans: groups x 2^bits centroids, ascending per group

  size_t numel() const;
};

QuantizedTensor quantize(const float* x, size_t n, const QuantizeOptions& options);

// y must hold numel() floats. Validates the tensor's fields (lengths, ranges) first.
void dequantize(const QuantizedTensor& q, float* y);

// Checks a QuantizedTensor built by hand (e.g. from JS): data length, scale/zero-point counts,
// codebook size, zero points inside the dtype. Throws wasmq::Error naming the problem.
void validate(const QuantizedTensor& q);

}  // namespace wasmq
