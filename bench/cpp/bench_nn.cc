// Benchmarks of the nn kernels, SIMD vs scalar reference in the same run: suite "conv" (MobileNet
// depthwise 3x3 layers int8/f32, pooling) and suite "elementwise" (int8 add/mul, f32 binary, LUT,
// float activations, softmax, layer norm). Rates: GOPS (2 ops per MAC) or Gelem/s.
#include <cstring>
#include <string>
#include <vector>

#include "bench.h"
#include "kernels/activations/activations.h"
#include "kernels/dwconv/dwconv.h"
#include "kernels/elementwise/elementwise.h"
#include "kernels/layernorm/layernorm.h"
#include "kernels/lut/lut.h"
#include "kernels/pool/pool.h"
#include "kernels/softmax/softmax.h"

namespace {

using namespace wasmq_bench;

std::vector<int8_t> bytes(size_t n, uint32_t salt) {
  std::vector<int8_t> v(n + 16);
  uint32_t h = 2166136261u ^ salt;
  for (auto& b : v) {
    h = (h ^ 0x9E37u) * 16777619u;
    b = static_cast<int8_t>(h >> 24);
  }
  return v;
}

std::vector<float> floats(size_t n, uint32_t salt, float scale = 1.0f) {
  const std::vector<int8_t> b = bytes(n, salt);
  std::vector<float> v(n + 4);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(b[i % b.size()]) * (scale / 64.0f);
  return v;
}

// Runs the scalar then the SIMD variant of one case and reports both with the speed-up.
void pair(const char* suite, const std::string& kernel, const std::string& shape, double work, const char* unit,
          const std::function<void()>& scalar, const std::function<void()>& simd, const Options& o) {
  const double ts = median_seconds(scalar, o.min_seconds);
  report(suite, json_str("kernel", kernel + "__scalar") + "," + json_str("shape", shape) + "," +
                    json_num(unit, work / ts * 1e-9) + "," + json_num("ms", ts * 1e3));
  if (!simd) return;
  const double tv = median_seconds(simd, o.min_seconds);
  report(suite, json_str("kernel", kernel + "__wasmsimd") + "," + json_str("shape", shape) + "," +
                    json_num(unit, work / tv * 1e-9) + "," + json_num("ms", tv * 1e3) + "," +
                    json_num("speedup_vs_scalar", ts / tv));
}

#if defined(WASMQ_HAVE_WASMSIMD)
#define SIMD_OR_NULL(x) x
#else
#define SIMD_OR_NULL(x) nullptr
#endif

struct DwLayer {
  size_t h, w, c, stride;
};

// The int8 depthwise kernels, scalar and SIMD, on one shape (input padded by 16 bytes, as the
// kernels' contract asks).
void bench_qs8_dwconv(const wasmq::DwconvShape& s, const std::string& shape, double ops, const Options& o) {
  const size_t c = s.channels, rows = s.out_h();
  const std::vector<int8_t> x = bytes(s.in_h * s.in_w * c + 16, 1), w = bytes(s.kernel_h * s.kernel_w * c, 2);
  std::vector<int32_t> bias(c, 100);
  std::vector<float> ws(c, 0.01f);
  const std::vector<float> rs = wasmq::dwconv_requant_scales(0.05f, ws.data(), c, 0.1f);
  const std::vector<uint8_t> packed = wasmq::qs8_dwconv_pack(s, w.data(), bias.data(), rs.data());
  std::vector<int8_t> y(s.out_h() * s.out_w() * c);
  const wasmq::QDwconvParams qp{-3, 2, -128, 127};
  pair("conv", "qs8-dwconv", shape, ops, "gops",
       [&] { wasmq::qs8_dwconv_minmax_fp32__scalar(s, x.data(), packed.data(), y.data(), qp, 0, rows); },
       SIMD_OR_NULL([&] { wasmq::qs8_dwconv_minmax_fp32__wasmsimd_c16(s, x.data(), packed.data(), y.data(), qp, 0, rows); }),
       o);
}

WASMQ_BENCH("conv", "dwconv", [](const Options& o) {
  std::vector<DwLayer> layers = {{112, 112, 32, 1}, {112, 112, 64, 2}, {56, 56, 128, 1}, {14, 14, 512, 1}};
  if (o.quick) layers = {{28, 28, 32, 1}};
  for (const DwLayer& l : layers) {
    wasmq::DwconvShape s;
    s.in_h = l.h;
    s.in_w = l.w;
    s.channels = l.c;
    s.kernel_h = s.kernel_w = 3;
    s.stride_h = s.stride_w = l.stride;
    s.pad_top = s.pad_left = s.pad_bottom = s.pad_right = 1;
    const size_t oh = s.out_h(), ow = s.out_w(), rows = oh;
    const double ops = 2.0 * oh * ow * l.c * 9;
    const std::string shape = std::to_string(l.h) + "x" + std::to_string(l.w) + "x" + std::to_string(l.c) + " k3 s" +
                              std::to_string(l.stride);
    bench_qs8_dwconv(s, shape, ops, o);
    // float
    const std::vector<float> xf = floats(l.h * l.w * l.c, 3), wf = floats(9 * l.c, 4), bf = floats(l.c, 5);
    const std::vector<uint8_t> packedf = wasmq::f32_dwconv_pack(s, wf.data(), bf.data());
    std::vector<float> yf(oh * ow * l.c);
    const wasmq::F32DwconvParams fp{0.0f, 6.0f};
    pair("conv", "f32-dwconv", shape, ops, "gflops",
         [&] { wasmq::f32_dwconv_minmax__scalar(s, xf.data(), packedf.data(), yf.data(), fp, 0, rows); },
         SIMD_OR_NULL([&] { wasmq::f32_dwconv_minmax__wasmsimd_c16(s, xf.data(), packedf.data(), yf.data(), fp, 0, rows); }),
         o);
  }
});

// ppocr-cls's depthwise layers (input 1x3x48x192): 2-3 rows high with 5x5 kernels, so every output
// pixel is a border pixel; ops count the in-image taps only.
WASMQ_BENCH("conv", "dwconv-ppocr", [](const Options& o) {
  struct L { size_t h, w, c, k, sh; };
  std::vector<L> layers = {{24, 96, 8, 3, 2}, {12, 96, 24, 3, 2}, {12, 96, 32, 3, 1}, {6, 96, 32, 5, 2},
                           {3, 96, 88, 5, 1}, {3, 96, 40, 5, 1},  {3, 96, 104, 5, 2}, {2, 96, 200, 5, 1}};
  if (o.quick) layers.resize(2);
  for (const L& l : layers) {
    wasmq::DwconvShape s;
    s.in_h = l.h;
    s.in_w = l.w;
    s.channels = l.c;
    s.kernel_h = s.kernel_w = l.k;
    s.stride_h = l.sh;
    s.pad_top = s.pad_left = s.pad_bottom = s.pad_right = l.k / 2;
    const size_t oh = s.out_h(), ow = s.out_w(), rows = oh;
    size_t taps = 0;
    for (size_t oy = 0; oy < oh; ++oy)
      for (size_t ox = 0; ox < ow; ++ox)
        for (size_t ky = 0; ky < l.k; ++ky)
          for (size_t kx = 0; kx < l.k; ++kx) {
            const size_t iy = oy * s.stride_h + ky, ix = ox + kx;
            taps += iy >= s.pad_top && iy - s.pad_top < l.h && ix >= s.pad_left && ix - s.pad_left < l.w;
          }
    const double ops = 2.0 * static_cast<double>(taps) * l.c;
    const std::string shape = std::to_string(l.h) + "x" + std::to_string(l.w) + "x" + std::to_string(l.c) + " k" +
                              std::to_string(l.k) + " s" + std::to_string(l.sh) + "x1";
    bench_qs8_dwconv(s, shape, ops, o);
  }
});

WASMQ_BENCH("conv", "pool", [](const Options& o) {
  // Max pool 3x3 s2 on 112x112x64 (ResNet stem) and global average pool 7x7x1024 (MobileNet head).
  wasmq::PoolShape s;
  s.in_h = s.in_w = o.quick ? 28 : 112;
  s.channels = 64;
  s.kernel_h = s.kernel_w = 3;
  s.stride_h = s.stride_w = 2;
  s.pad_top = s.pad_left = s.pad_bottom = s.pad_right = 1;
  const size_t rows = s.out_h(), outn = s.out_h() * s.out_w() * s.channels;
  const std::vector<int8_t> x = bytes(s.in_h * s.in_w * s.channels, 7);
  std::vector<int8_t> y(outn);
  const std::string shape = std::to_string(s.in_h) + "x" + std::to_string(s.in_w) + "x64 k3 s2";
  const wasmq::QMaxPoolParams mp{-128, 127};
  pair("conv", "qs8-maxpool", shape, static_cast<double>(outn), "gelems",
       [&] { wasmq::qs8_maxpool_minmax__scalar(s, x.data(), y.data(), mp, 0, rows); },
       SIMD_OR_NULL([&] { wasmq::qs8_maxpool_minmax__wasmsimd_c16(s, x.data(), y.data(), mp, 0, rows); }), o);
  const wasmq::QAvgPoolParams ap = wasmq::make_qavgpool_params(0.1f, 1, 0.1f, 1, -128, 127, false);
  pair("conv", "qs8-avgpool", shape, static_cast<double>(outn), "gelems",
       [&] { wasmq::qs8_avgpool_minmax_fp32__scalar(s, x.data(), y.data(), ap, 0, rows); },
       SIMD_OR_NULL([&] { wasmq::qs8_avgpool_minmax_fp32__wasmsimd_c16(s, x.data(), y.data(), ap, 0, rows); }), o);
  wasmq::GlobalPoolShape g;
  g.pixels = 49;
  g.channels = 1024;
  const std::vector<int8_t> gx = bytes(49 * 1024, 8);
  std::vector<int8_t> gy(1024);
  const std::vector<float> gxf = floats(49 * 1024, 9);
  std::vector<float> gyf(1024);
  pair("conv", "qs8-gavgpool", "7x7x1024", 49.0 * 1024, "gelems_in",
       [&] { wasmq::qs8_gavgpool_minmax_fp32__scalar(g, gx.data(), gy.data(), ap, 0, 1); },
       SIMD_OR_NULL([&] { wasmq::qs8_gavgpool_minmax_fp32__wasmsimd_c16(g, gx.data(), gy.data(), ap, 0, 1); }), o);
  const wasmq::F32PoolParams fp{-1e30f, 1e30f, false};
  pair("conv", "f32-gavgpool", "7x7x1024", 49.0 * 1024, "gelems_in",
       [&] { wasmq::f32_gavgpool_minmax__scalar(g, gxf.data(), gyf.data(), fp, 0, 1); },
       SIMD_OR_NULL([&] { wasmq::f32_gavgpool_minmax__wasmsimd_c16(g, gxf.data(), gyf.data(), fp, 0, 1); }), o);
});

WASMQ_BENCH("elementwise", "elementwise", [](const Options& o) {
  const size_t n = o.quick ? (1 << 14) : (1 << 18);
  const std::string shape = std::to_string(n);
  const double work = static_cast<double>(n);
  const std::vector<int8_t> a = bytes(n, 11), b = bytes(n, 12);
  std::vector<int8_t> y(n);
  const wasmq::QAddParams ap = wasmq::make_qs8_add_params(0.05f, -2, 0.03f, 5, 0.07f, 1);
  const wasmq::QMulParams mp = wasmq::make_qs8_mul_params(0.05f, -2, 0.03f, 5, 0.02f, 1);
  pair("elementwise", "qs8-vadd", shape, work, "gelems",
       [&] { wasmq::qs8_vadd_minmax__scalar(n, a.data(), b.data(), y.data(), ap); },
       SIMD_OR_NULL([&] { wasmq::qs8_vadd_minmax__wasmsimd_x16(n, a.data(), b.data(), y.data(), ap); }), o);
  pair("elementwise", "qs8-vaddc", shape, work, "gelems",
       [&] { wasmq::qs8_vaddc_minmax__scalar(n, a.data(), b.data(), y.data(), ap); },
       SIMD_OR_NULL([&] { wasmq::qs8_vaddc_minmax__wasmsimd_x16(n, a.data(), b.data(), y.data(), ap); }), o);
  pair("elementwise", "qs8-vmul", shape, work, "gelems",
       [&] { wasmq::qs8_vmul_minmax_fp32__scalar(n, a.data(), b.data(), y.data(), mp); },
       SIMD_OR_NULL([&] { wasmq::qs8_vmul_minmax_fp32__wasmsimd_x16(n, a.data(), b.data(), y.data(), mp); }), o);
  const std::vector<float> fa = floats(n, 13), fb = floats(n, 14, 2.0f);
  std::vector<float> fy(n);
  const wasmq::F32MinMaxParams fp{-1e30f, 1e30f};
  pair("elementwise", "f32-vadd", shape, work, "gelems",
       [&] { wasmq::f32_vadd_minmax__scalar(n, fa.data(), fb.data(), fy.data(), fp); },
       SIMD_OR_NULL([&] { wasmq::f32_vadd_minmax__wasmsimd_x16(n, fa.data(), fb.data(), fy.data(), fp); }), o);
  pair("elementwise", "f32-vmul", shape, work, "gelems",
       [&] { wasmq::f32_vmul_minmax__scalar(n, fa.data(), fb.data(), fy.data(), fp); },
       SIMD_OR_NULL([&] { wasmq::f32_vmul_minmax__wasmsimd_x16(n, fa.data(), fb.data(), fy.data(), fp); }), o);
  // LUT: scalar vs both SIMD widths.
  uint8_t table[256];
  wasmq::build_lut({0.05f, 0, true}, {1.0f / 256, -128, true}, wasmq::lut_activation(wasmq::LutActivation::kSigmoid),
                   table);
  const uint8_t* ux = reinterpret_cast<const uint8_t*>(a.data());
  uint8_t* uy = reinterpret_cast<uint8_t*>(y.data());
  pair("elementwise", "x8-lut-x16", shape, work, "gelems", [&] { wasmq::x8_lut__scalar(n, ux, uy, table); },
       SIMD_OR_NULL([&] { wasmq::x8_lut__wasmsimd_x16(n, ux, uy, table); }), o);
  pair("elementwise", "x8-lut-x32", shape, work, "gelems", [&] { wasmq::x8_lut__scalar(n, ux, uy, table); },
       SIMD_OR_NULL([&] { wasmq::x8_lut__wasmsimd_x32(n, ux, uy, table); }), o);
  // Float activations.
  const std::vector<float> ax = floats(n, 15, 4.0f);
  wasmq::F32UnaryParams up;
  for (wasmq::UnaryOp op : {wasmq::UnaryOp::kRelu, wasmq::UnaryOp::kSigmoid, wasmq::UnaryOp::kTanh,
                            wasmq::UnaryOp::kGeluErf, wasmq::UnaryOp::kGeluTanh, wasmq::UnaryOp::kHardSwish,
                            wasmq::UnaryOp::kExp}) {
    const int k = static_cast<int>(op);
    const auto sc = wasmq::activation_config_scalar().fn[k];
    const auto best = wasmq::activation_config().fn[k];
    pair("elementwise", std::string("f32-") + wasmq::unary_op_name(op), shape, work, "gelems",
         [&] { sc(n, ax.data(), fy.data(), up); },
#if defined(WASMQ_HAVE_WASMSIMD)
         [&] { best(n, ax.data(), fy.data(), up); },
#else
         nullptr,
#endif
         o);
  }
  // Softmax and layer norm: rows of 1000 (classifier) and 768 (transformer hidden size).
  wasmq::SoftmaxShape ss;
  ss.n = 1000;
  ss.rows = n / 1000;
  pair("elementwise", "f32-softmax", std::to_string(ss.rows) + "x1000", static_cast<double>(ss.rows * 1000), "gelems",
       [&] { wasmq::f32_softmax__scalar(ss, ax.data(), fy.data(), 0, ss.rows); },
       SIMD_OR_NULL([&] { wasmq::f32_softmax__wasmsimd_x16(ss, ax.data(), fy.data(), 0, ss.rows); }), o);
  wasmq::LayerNormShape ls;
  ls.n = 768;
  ls.rows = n / 768;
  const std::vector<float> gamma = floats(768, 16), beta = floats(768, 17);
  pair("elementwise", "f32-layernorm", std::to_string(ls.rows) + "x768", static_cast<double>(ls.rows * 768), "gelems",
       [&] { wasmq::f32_layernorm__scalar(ls, ax.data(), gamma.data(), beta.data(), fy.data(), 0, ls.rows); },
       SIMD_OR_NULL([&] { wasmq::f32_layernorm__wasmsimd_x16(ls, ax.data(), gamma.data(), beta.data(), fy.data(), 0, ls.rows); }),
       o);
});

}  // namespace
