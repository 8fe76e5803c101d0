// One-dimensional k-means (seeded k-means++ then Lloyd) for adaptive codebook quantization.
#pragma once

#include <cstddef>
#include <cstdint>

namespace wasmq {

// Fits K centroids to x[0..n), written ascending to centroids[0..K). Deterministic for a seed.
// Lloyd steps run on sorted data with prefix sums: O(n log n) once, then O(K log n) per step.
void kmeans_1d(const float* x, size_t n, int K, int iterations, uint64_t seed, float* centroids);

// Index of the nearest centroid (ties go to the lower index). centroids must be ascending.
int kmeans_assign(const float* centroids, int K, float v);

}  // namespace wasmq
