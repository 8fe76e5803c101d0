// k-means++ seeding on an evenly spaced sample of the sorted data, then exact Lloyd iterations.
#include "quant/kmeans.h"

#include <algorithm>
#include <limits>
#include <vector>

#include "common/rng.h"

namespace wasmq {

void kmeans_1d(const float* x, size_t n, int K, int iterations, uint64_t seed, float* centroids) {
  if (n == 0) {
    std::fill(centroids, centroids + K, 0.0f);
    return;
  }
  std::vector<float> s(x, x + n);
  std::sort(s.begin(), s.end());
  std::vector<double> prefix(n + 1, 0.0);
  for (size_t i = 0; i < n; ++i) prefix[i + 1] = prefix[i] + s[i];

  // k-means++ on at most 4096 quantile samples: D^2 sampling costs O(sample * K).
  const size_t m = std::min<size_t>(n, 4096);
  std::vector<float> sample(m);
  for (size_t i = 0; i < m; ++i) sample[i] = s[i * n / m];
  Rng rng(seed);
  std::vector<double> c;
  c.push_back(sample[rng.below(m)]);
  std::vector<double> d2(m, std::numeric_limits<double>::infinity());
  while (static_cast<int>(c.size()) < K) {
    double total = 0.0;
    for (size_t i = 0; i < m; ++i) {
      const double d = sample[i] - c.back();
      d2[i] = std::min(d2[i], d * d);
      total += d2[i];
    }
    if (total <= 0.0) {  // fewer distinct values than K: repeat the last centroid
      c.push_back(c.back());
      continue;
    }
    double r = rng.uniform() * total;
    size_t pick = m - 1;
    for (size_t i = 0; i < m; ++i) {
      r -= d2[i];
      if (r < 0.0) {
        pick = i;
        break;
      }
    }
    c.push_back(sample[pick]);
  }
  std::sort(c.begin(), c.end());

  // Lloyd: each centroid owns the sorted run between the midpoints to its neighbours.
  std::vector<size_t> cut(static_cast<size_t>(K) + 1);
  for (int it = 0; it < iterations; ++it) {
    cut[0] = 0;
    cut[static_cast<size_t>(K)] = n;
    for (int j = 1; j < K; ++j) {
      const float mid = static_cast<float>(0.5 * (c[static_cast<size_t>(j) - 1] + c[static_cast<size_t>(j)]));
      cut[static_cast<size_t>(j)] = static_cast<size_t>(std::upper_bound(s.begin(), s.end(), mid) - s.begin());
    }
    bool changed = false;
    for (int j = 0; j < K; ++j) {
      const size_t a = cut[static_cast<size_t>(j)], b = std::max(a, cut[static_cast<size_t>(j) + 1]);
      if (b > a) {
        const double mean = (prefix[b] - prefix[a]) / static_cast<double>(b - a);
        changed |= mean != c[static_cast<size_t>(j)];
        c[static_cast<size_t>(j)] = mean;
      }
    }
    std::sort(c.begin(), c.end());
    if (!changed) break;
  }
  for (int j = 0; j < K; ++j) centroids[j] = static_cast<float>(c[static_cast<size_t>(j)]);
  std::sort(centroids, centroids + K);
}

int kmeans_assign(const float* centroids, int K, float v) {
  // Binary search for the first centroid >= v, then compare with its lower neighbour.
  const float* it = std::lower_bound(centroids, centroids + K, v);
  if (it == centroids) return 0;
  if (it == centroids + K) return K - 1;
  const int hi = static_cast<int>(it - centroids);
  // Distances in double: exact for float inputs, so the tie rule is platform-independent.
  const double dl = static_cast<double>(v) - centroids[hi - 1];
  const double dh = static_cast<double>(centroids[hi]) - v;
  int best = dh < dl ? hi : hi - 1;
  // Duplicate centroids: use the lowest index holding the value.
  while (best > 0 && centroids[best - 1] == centroids[best]) --best;
  return best;
}

}  // namespace wasmq
