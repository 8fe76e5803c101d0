// Independent, deliberately naive re-statement of docs/quantization.md used as the test oracle:
// per-group min/max, scale/zero point, element codes, written without the library's helpers.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "quant/quantize.h"

namespace wasmq_test {

struct RefGroups {
  std::vector<std::vector<size_t>> members;  // flat element indices of each group
};

// Groups by brute force over multi-indices: tensor, channel(axis), block(axis, B).
inline RefGroups reference_groups(const std::vector<int64_t>& shape, wasmq::Granularity g, int axis, int64_t block) {
  size_t n = 1;
  for (int64_t d : shape) n *= static_cast<size_t>(d);
  RefGroups r;
  if (g == wasmq::Granularity::kTensor) {
    r.members.resize(1);
    for (size_t i = 0; i < n; ++i) r.members[0].push_back(i);
    return r;
  }
  const int rank = static_cast<int>(shape.size());
  if (axis < 0) axis += rank;
  std::vector<int64_t> sshape = shape;
  if (g == wasmq::Granularity::kChannel) {
    sshape.assign(1, shape[static_cast<size_t>(axis)]);
  } else {
    sshape[static_cast<size_t>(axis)] = (shape[static_cast<size_t>(axis)] + block - 1) / block;
  }
  size_t groups = 1;
  for (int64_t d : sshape) groups *= static_cast<size_t>(d);
  r.members.resize(groups);
  std::vector<int64_t> idx(static_cast<size_t>(rank), 0);
  for (size_t flat = 0; flat < n; ++flat) {
    // multi-index of flat
    size_t rem = flat;
    for (int d = rank - 1; d >= 0; --d) {
      idx[static_cast<size_t>(d)] = static_cast<int64_t>(rem % static_cast<size_t>(shape[static_cast<size_t>(d)]));
      rem /= static_cast<size_t>(shape[static_cast<size_t>(d)]);
    }
    size_t gi = 0;
    if (g == wasmq::Granularity::kChannel) {
      gi = static_cast<size_t>(idx[static_cast<size_t>(axis)]);
    } else {
      for (int d = 0; d < rank; ++d) {
        int64_t v = idx[static_cast<size_t>(d)];
        if (d == axis) v /= block;
        gi = gi * static_cast<size_t>(sshape[static_cast<size_t>(d)]) + static_cast<size_t>(v);
      }
    }
    r.members[gi].push_back(flat);
  }
  return r;
}

// Reads element i's integer code from a QuantizedTensor's storage.
inline int32_t code_at(const wasmq::QuantizedTensor& q, size_t i) {
  switch (q.dtype) {
    case wasmq::DType::kInt8: return reinterpret_cast<const int8_t*>(q.data.data())[i];
    case wasmq::DType::kUInt8: return q.data[i];
    case wasmq::DType::kInt16: return reinterpret_cast<const int16_t*>(q.data.data())[i];
    case wasmq::DType::kInt4: {
      const int nib = (q.data[i / 2] >> ((i & 1) * 4)) & 0xF;
      return nib >= 8 ? nib - 16 : nib;
    }
    case wasmq::DType::kUInt4: return (q.data[i / 2] >> ((i & 1) * 4)) & 0xF;
    default: return 0;
  }
}

}  // namespace wasmq_test
