// How a tensor splits into quantization groups (tensor, channel along an axis, blocks along an
// axis) and the contiguous spans of elements that share parameters.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "quant/types.h"

namespace wasmq {

struct GroupLayout {
  Granularity granularity = Granularity::kTensor;
  int64_t outer = 1;     // product of dims before the axis
  int64_t channels = 1;  // dim of the axis
  int64_t inner = 1;     // product of dims after the axis
  int64_t block = 0;     // block size (kBlock)
  int64_t blocks = 1;    // ceil(channels / block)
  int64_t groups = 1;
  std::vector<int64_t> scale_shape;

  // Calls fn(start, length, group, varying) for contiguous runs covering every element once. If
  // varying is false the whole run uses `group`; otherwise element start+k uses group + k.
  template <typename Fn>
  void for_each_span(Fn&& fn) const;

  // Flat indices of the elements of group g, in storage order.
  template <typename Fn>
  void for_each_element_of(int64_t g, Fn&& fn) const;
};

// Validates shape/axis/block size against n and builds the layout; throws wasmq::Error.
GroupLayout make_group_layout(const std::vector<int64_t>& shape, size_t n, Granularity granularity,
                              int* axis, int64_t block_size);

template <typename Fn>
void GroupLayout::for_each_span(Fn&& fn) const {
  const int64_t n = outer * channels * inner;
  switch (granularity) {
    case Granularity::kTensor:
      if (n > 0) fn(int64_t{0}, n, int64_t{0}, false);
      return;
    case Granularity::kChannel:
      for (int64_t o = 0; o < outer; ++o) {
        if (inner == 1) {
          fn(o * channels, channels, int64_t{0}, true);
        } else {
          for (int64_t c = 0; c < channels; ++c) fn((o * channels + c) * inner, inner, c, false);
        }
      }
      return;
    case Granularity::kBlock:
      for (int64_t o = 0; o < outer; ++o) {
        if (inner == 1) {
          for (int64_t b = 0; b < blocks; ++b) {
            const int64_t len = (b + 1) * block <= channels ? block : channels - b * block;
            fn(o * channels + b * block, len, o * blocks + b, false);
          }
        } else {
          for (int64_t c = 0; c < channels; ++c) fn((o * channels + c) * inner, inner, (o * blocks + c / block) * inner, true);
        }
      }
      return;
  }
}

template <typename Fn>
void GroupLayout::for_each_element_of(int64_t g, Fn&& fn) const {
  switch (granularity) {
    case Granularity::kTensor:
      for (int64_t i = 0; i < outer * channels * inner; ++i) fn(i);
      return;
    case Granularity::kChannel:
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t i = 0; i < inner; ++i) fn((o * channels + g) * inner + i);
      return;
    case Granularity::kBlock: {
      const int64_t i = g % inner;
      const int64_t ob = g / inner;
      const int64_t o = ob / blocks, b = ob % blocks;
      const int64_t end = std::min(channels, (b + 1) * block);
      for (int64_t c = b * block; c < end; ++c) fn((o * channels + c) * inner + i);
      return;
    }
  }
}

}  // namespace wasmq
