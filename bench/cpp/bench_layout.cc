// Layout choice for the float runtime's Conv (docs/runtime.md): the fast Conv op as routed (NCHW
// im2col written into the GEMM's packed layout; depthwise narrower than 32 columns via the NHWC
// kernel plus transposes) against the NHWC kernels with transposes at the op boundary, and against
// the NHWC kernels alone (what a layout pass keeping NHWC between convs would pay).
#include <cstring>
#include <memory>
#include <vector>

#include "../../tests/cpp/runtime/onnx_builder.h"
#include "bench.h"
#include "common/rng.h"
#include "kernels/conv/conv.h"
#include "kernels/dwconv/dwconv.h"
#include "runtime/model.h"

using namespace wasmq_bench;

namespace {

struct Layer {
  const char* name;
  size_t c, h, w, o, k, stride, group;
};

void nchw_to_nhwc(const float* x, float* y, size_t c, size_t hw) {
  for (size_t ch = 0; ch < c; ++ch)
    for (size_t p = 0; p < hw; ++p) y[p * c + ch] = x[ch * hw + p];
}
void nhwc_to_nchw(const float* x, float* y, size_t c, size_t hw) {
  for (size_t p = 0; p < hw; ++p)
    for (size_t ch = 0; ch < c; ++ch) y[ch * hw + p] = x[p * c + ch];
}

WASMQ_BENCH("layout", "conv", [](const Options& o) {
  const std::vector<Layer> layers = {
      {"det 1x1 192->192 20x20", 192, 20, 20, 192, 1, 1, 1},
      {"det 1x1 16->32 160x160", 16, 160, 160, 32, 1, 1, 1},
      {"det 3x3 96->24 80x80", 96, 80, 80, 24, 3, 1, 1},
      {"det stem 3x3/2 3->16 320x320", 3, 320, 320, 16, 3, 2, 1},
      {"det dw 5x5 192 20x20", 192, 20, 20, 192, 5, 1, 192},
      {"cls dw 3x3 24 24x96", 24, 24, 96, 24, 3, 1, 24},
  };
  wasmq::Rng rng(5);
  for (const Layer& l : layers) {
    const size_t cg = l.c / l.group, pad = l.k / 2;
    std::vector<float> w(l.o * cg * l.k * l.k), b(l.o), x(l.c * l.h * l.w);
    for (auto& v : w) v = static_cast<float>(rng.uniform()) - 0.5f;
    for (auto& v : b) v = static_cast<float>(rng.uniform()) - 0.5f;
    for (auto& v : x) v = static_cast<float>(rng.uniform()) - 0.5f;
    const int64_t K = static_cast<int64_t>(l.k), P = static_cast<int64_t>(pad), S = static_cast<int64_t>(l.stride);
    using namespace wasmq_test;
    const std::string bytes =
        model({node("Conv", {"x", "W", "B"}, {"y"},
                    {attr_ints("kernel_shape", {K, K}), attr_ints("pads", {P, P, P, P}), attr_ints("strides", {S, S}),
                     attr_int("group", static_cast<int64_t>(l.group))})},
              {value_info("x", 1, {1, static_cast<int64_t>(l.c), static_cast<int64_t>(l.h), static_cast<int64_t>(l.w)})},
              {value_info("y", 1, {})},
              {tensor_f32("W", {static_cast<int64_t>(l.o), static_cast<int64_t>(cg), K, K}, w), tensor_f32("B", {static_cast<int64_t>(l.o)}, b)});
    auto m = wasmq::rt::Model::load(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    const std::vector<int64_t> dims{1, static_cast<int64_t>(l.c), static_cast<int64_t>(l.h), static_cast<int64_t>(l.w)};
    auto run_model = [&] {
      std::memcpy(m->stage_input(0, wasmq::onnx::ElemType::kFloat, dims), x.data(), x.size() * 4);
      m->run();
    };
    const double t_nchw = median_seconds(run_model, o.min_seconds);

    // NHWC kernels: weights [O][KH][KW][C/g] (transposed once here, as a load-time pack would).
    wasmq::ConvShape s;
    s.in_h = l.h; s.in_w = l.w; s.in_c = l.c; s.out_c = l.o; s.kernel_h = s.kernel_w = l.k;
    s.stride_h = s.stride_w = l.stride; s.pad_top = s.pad_left = s.pad_bottom = s.pad_right = pad; s.groups = l.group;
    const size_t oh = s.out_h(), ow = s.out_w(), hw = l.h * l.w;
    std::vector<float> xn(x.size() + 4), yn(oh * ow * l.o + 4), y(oh * ow * l.o);
    std::function<void()> kernel;
    std::unique_ptr<wasmq::F32Conv2d> conv;
    std::vector<uint8_t> scratch, dpacked;
    wasmq::DwconvShape ds;
    if (l.group == l.c && l.o == l.c) {
      ds.in_h = l.h; ds.in_w = l.w; ds.channels = l.c; ds.kernel_h = ds.kernel_w = l.k; ds.stride_h = ds.stride_w = l.stride;
      ds.pad_top = ds.pad_left = ds.pad_bottom = ds.pad_right = pad;
      std::vector<float> wd(l.k * l.k * l.c);  // [KH][KW][C]
      for (size_t c = 0; c < l.c; ++c)
        for (size_t t = 0; t < l.k * l.k; ++t) wd[t * l.c + c] = w[c * l.k * l.k + t];
      dpacked = wasmq::f32_dwconv_pack(ds, wd.data(), b.data());
      const wasmq::F32DwconvParams p{-1e30f, 1e30f};
      kernel = [&, p] { wasmq::dwconv_config().f32(ds, xn.data(), dpacked.data(), yn.data(), p, 0, ds.out_h()); };
    } else {
      std::vector<float> wn(w.size());
      for (size_t oc = 0; oc < l.o; ++oc)
        for (size_t c = 0; c < cg; ++c)
          for (size_t t = 0; t < l.k * l.k; ++t) wn[(oc * l.k * l.k + t) * cg + c] = w[(oc * cg + c) * l.k * l.k + t];
      conv = std::make_unique<wasmq::F32Conv2d>(s, wn.data(), b.data(), -1e30f, 1e30f);
      scratch.resize(conv->scratch_size() + 16);
      kernel = [&] { conv->run(xn.data(), yn.data(), scratch.data()); };
    }
    const double t_nhwc = median_seconds(kernel, o.min_seconds);
    const double t_nhwc_tr = median_seconds([&] {
      nchw_to_nhwc(x.data(), xn.data(), l.c, hw);
      kernel();
      nhwc_to_nchw(yn.data(), y.data(), l.o, oh * ow);
    }, o.min_seconds);
    report("layout", json_str("layer", l.name) + "," + json_num("fast_op_ms", t_nchw * 1e3) + "," +
                         json_num("nhwc_kernel_plus_transposes_ms", t_nhwc_tr * 1e3) + "," + json_num("nhwc_kernel_only_ms", t_nhwc * 1e3));
  }
});

}  // namespace
