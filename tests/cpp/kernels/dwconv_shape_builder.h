// Test helper: the DwconvShape setters and the tap walk the depthwise and pooling testers share
// (builder style, CRTP so each setter returns the concrete tester).
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/dwconv/dwconv.h"

namespace wasmq_test {

template <typename Tester>
class DwconvShapeBuilder {
 public:
  Tester& batch(size_t v) { s_.batch = v; return self(); }
  Tester& input(size_t h, size_t w) { s_.in_h = h; s_.in_w = w; return self(); }
  Tester& channels(size_t v) { s_.channels = v; return self(); }
  Tester& kernel(size_t h, size_t w) { s_.kernel_h = h; s_.kernel_w = w; return self(); }
  Tester& stride(size_t h, size_t w) { s_.stride_h = h; s_.stride_w = w; return self(); }
  Tester& dilation(size_t h, size_t w) { s_.dilation_h = h; s_.dilation_w = w; return self(); }
  Tester& padding(size_t t, size_t l, size_t b, size_t r) {
    s_.pad_top = t; s_.pad_left = l; s_.pad_bottom = b; s_.pad_right = r;
    return self();
  }
  Tester& pixel_strides(size_t in, size_t out) { s_.in_pixel_stride = in; s_.out_pixel_stride = out; return self(); }

 protected:
  // Calls f(input element offset, tap index ky * kernel_w + kx) for each in-bounds tap of output
  // pixel (oy, ox), row-major: the plain-loop definition the testers' oracles use.
  template <class F>
  void visit_taps(size_t oy, size_t ox, F f) const {
    for (size_t ky = 0; ky < s_.kernel_h; ++ky) {
      const ptrdiff_t iy = static_cast<ptrdiff_t>(oy * s_.stride_h + ky * s_.dilation_h) - static_cast<ptrdiff_t>(s_.pad_top);
      if (iy < 0 || iy >= static_cast<ptrdiff_t>(s_.in_h)) continue;
      for (size_t kx = 0; kx < s_.kernel_w; ++kx) {
        const ptrdiff_t ix = static_cast<ptrdiff_t>(ox * s_.stride_w + kx * s_.dilation_w) - static_cast<ptrdiff_t>(s_.pad_left);
        if (ix < 0 || ix >= static_cast<ptrdiff_t>(s_.in_w)) continue;
        f(static_cast<size_t>(iy * static_cast<ptrdiff_t>(s_.in_w) + ix) * s_.in_stride(), ky * s_.kernel_w + kx);
      }
    }
  }

  wasmq::DwconvShape s_;

 private:
  Tester& self() { return static_cast<Tester&>(*this); }
};

}  // namespace wasmq_test
