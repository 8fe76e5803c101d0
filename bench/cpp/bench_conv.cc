// Convolution benchmarks (NHWC, int8 qu8 and float32) on MobileNet/ResNet-class layers; GOPS = 2 ops/MAC.
#include <string>
#include <vector>

#include "bench.h"
#include "common/rng.h"
#include "kernels/conv/conv.h"

namespace {

using namespace wasmq_bench;

struct Layer {
  const char* name;
  wasmq::ConvShape s;
};

wasmq::ConvShape make(size_t hw, size_t c, size_t o, size_t k, size_t stride, size_t pad_lo, size_t pad_hi,
                      size_t groups = 1) {
  wasmq::ConvShape s;
  s.in_h = s.in_w = hw, s.in_c = c, s.out_c = o, s.kernel_h = s.kernel_w = k, s.stride_h = s.stride_w = stride;
  s.pad_top = s.pad_left = pad_lo, s.pad_bottom = s.pad_right = pad_hi, s.groups = groups;
  return s;
}

std::vector<Layer> layers(const Options& o) {
  if (o.quick) return {{"resnet-3x3-14x14x64", make(14, 64, 64, 3, 1, 1, 1)}, {"pw-1x1-14x14x128", make(14, 128, 128, 1, 1, 0, 0)}};
  return {
      {"mobilenet-v1-conv0-3x3s2-224", make(224, 3, 32, 3, 2, 0, 1)},
      {"mobilenet-v1-pw-1x1-56x56x128", make(56, 128, 128, 1, 1, 0, 0)},
      {"mobilenet-v1-pw-1x1-14x14x512", make(14, 512, 512, 1, 1, 0, 0)},
      {"resnet-3x3-56x56x64", make(56, 64, 64, 3, 1, 1, 1)},
      {"resnet-3x3s2-28x28x128-256", make(28, 128, 256, 3, 2, 1, 1)},
      {"grouped-3x3-28x28x128-g4", make(28, 128, 128, 3, 1, 1, 1, 4)},
  };
}

void emit(const char* kernel, const Layer& l, double seconds) {
  const double macs = static_cast<double>(l.s.pixels()) * l.s.out_c * l.s.k();
  report("conv", json_str("kernel", kernel) + "," + json_str("layer", l.name) + "," +
                     json_num("pixels", static_cast<double>(l.s.pixels())) + "," +
                     json_num("out_c", static_cast<double>(l.s.out_c)) + "," + json_num("k", static_cast<double>(l.s.k())) +
                     "," + json_str("path", l.s.direct_1x1() ? "direct-1x1" : "im2col") + "," +
                     json_num("gops", 2.0 * macs / seconds * 1e-9));
}

WASMQ_BENCH("conv", "qs8", [](const Options& o) {
  for (const Layer& l : layers(o)) {
    wasmq::Rng rng(1);
    std::vector<uint8_t> in(l.s.batch * l.s.in_h * l.s.in_w * l.s.in_c + wasmq::kQs8GemmKR);
    for (auto& x : in) x = static_cast<uint8_t>(rng.below(256));
    std::vector<int8_t> w(l.s.out_c * l.s.k());
    for (auto& x : w) x = static_cast<int8_t>(static_cast<int>(rng.below(255)) - 127);
    std::vector<int32_t> bias(l.s.out_c, 10);
    const float ws = 0.01f;
    const wasmq::Qu8Conv2d conv(l.s, w.data(), bias.data(), {0.02f, 128, &ws, false, 0.1f, 128, 0, 255});
    std::vector<uint8_t> scratch(conv.scratch_size()), out(l.s.pixels() * l.s.out_c);
    emit("qs8", l, median_seconds([&] { conv.run(in.data(), out.data(), scratch.data()); }, o.min_seconds));
  }
});

WASMQ_BENCH("conv", "f32", [](const Options& o) {
  for (const Layer& l : layers(o)) {
    wasmq::Rng rng(2);
    std::vector<float> in(l.s.batch * l.s.in_h * l.s.in_w * l.s.in_c), w(l.s.out_c * l.s.k()), bias(l.s.out_c, 0.1f);
    for (auto& x : in) x = static_cast<float>(rng.uniform()) - 0.5f;
    for (auto& x : w) x = static_cast<float>(rng.uniform()) - 0.5f;
    const wasmq::F32Conv2d conv(l.s, w.data(), bias.data(), 0.0f, 6.0f);
    std::vector<uint8_t> scratch(conv.scratch_size());
    std::vector<float> out(l.s.pixels() * l.s.out_c);
    emit("f32", l, median_seconds([&] { conv.run(in.data(), out.data(), static_cast<void*>(scratch.data())); }, o.min_seconds));
  }
});

}  // namespace
