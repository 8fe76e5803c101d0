// Fast float Conv in NCHW: dense and grouped convolutions as W[O][K] x im2col on the f32 GEMM
// (im2col written straight into the GEMM's packed-B layout, so no transposes), depthwise as a SIMD
// per-plane loop; weights packed once, scratch planned, fused bias and Relu/Clip clamp.
#include <algorithm>
#include <cstring>
#include <limits>

#include "kernels/dwconv/dwconv.h"
#include "kernels/f32-gemm/f32-gemm.h"
#include "runtime/ops_fast.h"
#include "simd/wasm_simd.h"

namespace wasmq::rt {
namespace {

struct Geo {  // 2-D geometry (1-D convolutions have in_h = out_h = kh = 1)
  size_t batch, cin, cout, groups, in_h, in_w, out_h, out_w, kh, kw, sh, sw, dh, dw;
  int64_t pt, pl;  // leading pads (trailing pads only shape the output size)
};

// ---- im2col into the packed layout of f32_packw: per 8 pixels, 8 zeros (the packed "bias"),
// then K rows of 8 values (k = (c, ky, kx), the order of W's [O][C/g][KH][KW]), then a row of
// 8 ones that meets the bias column of A = [W | bias].
void pack_im2col(const Geo& s, const float* x, size_t c0, size_t cg, size_t p0, size_t p1, float* dst) {
  const size_t K = cg * s.kh * s.kw, gs = kF32GemmNR * (K + 2), np = p1 - p0;
  const size_t ngroups = (np + kF32GemmNR - 1) / kF32GemmNR;
  for (size_t g = 0; g < ngroups; ++g) {
    float* d = dst + g * gs;
    std::fill(d, d + kF32GemmNR, 0.0f);
    std::fill(d + kF32GemmNR * (K + 1), d + gs, 1.0f);
  }
  const size_t plane = s.in_h * s.in_w;
  const bool direct = s.kh == 1 && s.kw == 1 && s.sh == 1 && s.sw == 1 && s.pt == 0 && s.pl == 0 &&
                      s.in_w == s.out_w && s.in_h == s.out_h;
  if (direct) {  // pointwise, stride 1, no padding: output pixel p reads input pixel p
    for (size_t c = 0; c < cg; ++c) {
      const float* xc = x + (c0 + c) * plane + p0;
      for (size_t g = 0; g < ngroups; ++g) {
        const size_t q = g * kF32GemmNR, cnt = std::min(kF32GemmNR, np - q);
        std::memcpy(dst + g * gs + kF32GemmNR * (1 + c), xc + q, cnt * sizeof(float));
      }
    }
    return;
  }
  for (size_t c = 0; c < cg; ++c) {
    const float* xc = x + (c0 + c) * plane;
    for (size_t ky = 0; ky < s.kh; ++ky) {
      for (size_t kx = 0; kx < s.kw; ++kx) {
        const size_t k = (c * s.kh + ky) * s.kw + kx;
        float* dk = dst + kF32GemmNR * (1 + k);
        const int64_t off = static_cast<int64_t>(kx * s.dw) - s.pl;
        const int64_t sw = static_cast<int64_t>(s.sw), in_w = static_cast<int64_t>(s.in_w);
        // Output columns [lo, hi) read inside the row: 0 <= ox * sw + off < in_w.
        const int64_t lo = std::min<int64_t>(static_cast<int64_t>(s.out_w), off >= 0 ? 0 : (-off + sw - 1) / sw);
        const int64_t hi = std::max<int64_t>(lo, std::min<int64_t>(static_cast<int64_t>(s.out_w), in_w - 1 - off < 0 ? 0 : (in_w - 1 - off) / sw + 1));
        size_t p = p0, oy = p0 / s.out_w, ox0 = p0 % s.out_w;
        while (p < p1) {
          const size_t row_end = std::min(p1, p - ox0 + s.out_w);
          const int64_t row_first = static_cast<int64_t>(ox0), row_last = row_first + static_cast<int64_t>(row_end - p);
          const int64_t iy = static_cast<int64_t>(oy * s.sh + ky * s.dh) - s.pt;
          const size_t qbase = p - p0 - ox0;  // q of column 0 of this output row
          auto put = [&](int64_t ox, float v) {
            const size_t q = qbase + static_cast<size_t>(ox);
            dk[(q / kF32GemmNR) * gs + q % kF32GemmNR] = v;
          };
          if (iy < 0 || iy >= static_cast<int64_t>(s.in_h)) {
            for (int64_t ox = row_first; ox < row_last; ++ox) put(ox, 0.0f);
          } else {
            const float* xrow = xc + iy * s.in_w + off;
            const int64_t a = std::max(row_first, lo), b = std::min(row_last, hi);
            for (int64_t ox = row_first; ox < std::min(a, row_last); ++ox) put(ox, 0.0f);
            if (sw == 1) {
              for (int64_t ox = a; ox < b; ++ox) put(ox, xrow[ox]);
            } else {
              for (int64_t ox = a; ox < b; ++ox) put(ox, xrow[ox * sw]);
            }
            for (int64_t ox = std::max(b, row_first); ox < row_last; ++ox) put(ox, 0.0f);
          }
          p = row_end;
          ++oy;
          ox0 = 0;
        }
      }
    }
  }
}

// ---- depthwise, one channel plane: y = clamp(bias + sum over valid taps w * x), taps in (ky, kx)
// order, vectorised over output columns (stride 1 and 2 with WASM SIMD).
void dw_plane(const Geo& s, const float* x, const float* w, float bias, float* y, float fmin, float fmax) {
  const int64_t in_w = static_cast<int64_t>(s.in_w);
  for (size_t oy = 0; oy < s.out_h; ++oy) {
    float* __restrict yr = y + oy * s.out_w;
    for (size_t ox = 0; ox < s.out_w; ++ox) yr[ox] = bias;
    for (size_t ky = 0; ky < s.kh; ++ky) {
      const int64_t iy = static_cast<int64_t>(oy * s.sh + ky * s.dh) - s.pt;
      if (iy < 0 || iy >= static_cast<int64_t>(s.in_h)) continue;
      const float* __restrict xr = x + iy * s.in_w;
      for (size_t kx = 0; kx < s.kw; ++kx) {
        const float wv = w[ky * s.kw + kx];
        const int64_t off = static_cast<int64_t>(kx * s.dw) - s.pl;
        const int64_t sw = static_cast<int64_t>(s.sw);
        // ox in [lo, hi) keeps 0 <= ox * sw + off < in_w
        const int64_t lo = off >= 0 ? 0 : (-off + sw - 1) / sw;
        const int64_t hi = std::min<int64_t>(static_cast<int64_t>(s.out_w), in_w - 1 - off < 0 ? 0 : (in_w - 1 - off) / sw + 1);
        int64_t ox = lo;
#if defined(WASMQ_HAVE_WASMSIMD)
        const v128_t vw = wasm_f32x4_splat(wv);
        if (sw == 1) {
          for (; ox + 4 <= hi; ox += 4) {
            const v128_t xv = wasm_v128_load(xr + ox + off);
            wasm_v128_store(yr + ox, wasm_f32x4_add(wasm_v128_load(yr + ox), wasm_f32x4_mul(vw, xv)));
          }
        } else if (sw == 2) {
          // ox + 3 -> input 2 * ox + 6 + off; the second load reads up to 2 * ox + 7 + off < in_w
          for (; ox + 4 <= hi && 2 * ox + 7 + off < in_w; ox += 4) {
            const v128_t a = wasm_v128_load(xr + 2 * ox + off), b = wasm_v128_load(xr + 2 * ox + off + 4);
            const v128_t xv = wasm_i32x4_shuffle(a, b, 0, 2, 4, 6);
            wasm_v128_store(yr + ox, wasm_f32x4_add(wasm_v128_load(yr + ox), wasm_f32x4_mul(vw, xv)));
          }
        }
#endif
        for (; ox < hi; ++ox) yr[ox] = yr[ox] + wv * xr[ox * sw + off];
      }
    }
    for (size_t ox = 0; ox < s.out_w; ++ox) {
      float v = yr[ox];
      v = v < fmin ? fmin : v;
      yr[ox] = fmax < v ? fmax : v;
    }
  }
}

class FastConvOp : public FastOp {
 public:
  explicit FastConvOp(const OpContext& c)
      : FastOp(c), group_(c.get_int("group", 1)), auto_pad_(c.get_string("auto_pad", "NOTSET")),
        strides_(c.get_ints("strides")), dilations_(c.get_ints("dilations")), pads_(c.get_ints("pads")) {
    const std::vector<float> clip = c.get_floats(kFusedClipAttr);
    if (!clip.empty()) {
      if (clip.size() != 2) c.error(std::string(kFusedClipAttr) + " must have 2 values");
      fmin_ = clip[0];
      fmax_ = clip[1];
    }
  }

 protected:
  bool infer_fast(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const Tensor *x = in[0], *w = in[1], *b = in.size() > 2 ? in[2] : nullptr;
    const size_t rank = x->shape.size();
    if (rank != 3 && rank != 4) return false;
    if (!w->data || (b && !b->data)) return false;  // weights must be known at plan time to pack
    const Shape& xs = x->shape;
    const Shape& ws = w->shape;
    const Shape& ys = out[0]->shape;
    const size_t nsp = rank - 2;
    Geo g{};
    g.batch = xs[0];
    g.cin = xs[1];
    g.cout = ws[0];
    g.groups = group_;
    g.in_h = nsp == 2 ? xs[2] : 1;
    g.in_w = xs[rank - 1];
    g.out_h = nsp == 2 ? ys[2] : 1;
    g.out_w = ys[rank - 1];
    g.kh = nsp == 2 ? ws[2] : 1;
    g.kw = ws[rank - 1];
    auto at = [&](const std::vector<int64_t>& v, size_t i, int64_t d) { return v.empty() ? d : v[i]; };
    g.sh = nsp == 2 ? at(strides_, 0, 1) : 1;
    g.sw = at(strides_, nsp - 1, 1);
    g.dh = nsp == 2 ? at(dilations_, 0, 1) : 1;
    g.dw = at(dilations_, nsp - 1, 1);
    auto lead_pad = [&](size_t i, int64_t in_d, int64_t out_d, int64_t k, int64_t st, int64_t dl) -> int64_t {
      if (auto_pad_ == "NOTSET") return at(pads_, i, 0);
      if (auto_pad_ == "VALID") return 0;
      const int64_t total = std::max<int64_t>(0, (out_d - 1) * st + (k - 1) * dl + 1 - in_d);
      return auto_pad_ == "SAME_UPPER" ? total / 2 : total - total / 2;
    };
    g.pt = nsp == 2 ? lead_pad(0, g.in_h, g.out_h, g.kh, g.sh, g.dh) : 0;
    g.pl = lead_pad(nsp - 1, g.in_w, g.out_w, g.kw, g.sw, g.dw);
    geo_ = g;
    depthwise_ = g.groups == g.cin && g.cout == g.cin;
    return true;
  }

  void prepare_fast(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const Geo& g = geo_;
    const float* w = in[1]->as<const float>();
    const float* b = in.size() > 2 && in[2] ? in[2]->as<const float>() : nullptr;
    if (depthwise_) {
      // Narrow outputs: the NHWC depthwise kernel (channels in SIMD lanes) with transposes at the
      // op boundary beats the per-plane NCHW loop, whose rows are too short to amortise their
      // per-tap bookkeeping (bench/cpp/bench_layout.cc; docs/runtime.md).
      nhwc_dw_ = false;
      if (g.out_w < kNhwcDwMaxWidth) {
        DwconvShape d;
        d.batch = g.batch;
        d.in_h = g.in_h;
        d.in_w = g.in_w;
        d.channels = g.cin;
        d.kernel_h = g.kh;
        d.kernel_w = g.kw;
        d.stride_h = g.sh;
        d.stride_w = g.sw;
        d.dilation_h = g.dh;
        d.dilation_w = g.dw;
        d.pad_top = g.pt;
        d.pad_left = g.pl;
        const int64_t need_b = static_cast<int64_t>((g.out_h - 1) * g.sh + (g.kh - 1) * g.dh + 1) - static_cast<int64_t>(g.in_h) - g.pt;
        const int64_t need_r = static_cast<int64_t>((g.out_w - 1) * g.sw + (g.kw - 1) * g.dw + 1) - static_cast<int64_t>(g.in_w) - g.pl;
        d.pad_bottom = static_cast<size_t>(std::max<int64_t>(0, need_b));
        d.pad_right = static_cast<size_t>(std::max<int64_t>(0, need_r));
        if (d.out_h() == g.out_h && d.out_w() == g.out_w) {
          if (w != packed_from_ || b != packed_bias_ || dw_packed_.empty()) {
            std::vector<float> wt(g.kh * g.kw * g.cin);  // [C][KH][KW] -> [KH][KW][C]
            for (size_t c = 0; c < g.cin; ++c)
              for (size_t t = 0; t < g.kh * g.kw; ++t) wt[t * g.cin + c] = w[c * g.kh * g.kw + t];
            dw_packed_ = f32_dwconv_pack(d, wt.data(), b);
            packed_from_ = w;
            packed_bias_ = b;
          }
          dw_shape_ = d;
          nhwc_dw_ = true;
          // NHWC copies of X and Y (+ 4 floats: the kernel may read 3 past the last channel).
          const size_t need = g.batch * g.cin * (g.in_h * g.in_w + g.out_h * g.out_w) + 8;
          if (scratch_.size() < need) scratch_.assign(need, 0.0f);
        }
      }
      return;
    }
    const size_t cg = g.cin / g.groups, K = cg * g.kh * g.kw;
    // A = [W | bias], packed once per weights (a new plan with the same weights keeps it).
    if (w != packed_from_ || b != packed_bias_ || packed_k_ != K) {
      a_.assign(g.cout * (K + 1), 0.0f);
      for (size_t o = 0; o < g.cout; ++o) {
        std::memcpy(a_.data() + o * (K + 1), w + o * K, K * sizeof(float));
        a_[o * (K + 1) + K] = b ? b[o] : 0.0f;
      }
      packed_from_ = w;
      packed_bias_ = b;
      packed_k_ = K;
    }
    // Pixel block: its packed im2col (kPixelBlockFloats) stays in cache while all output channels pass.
    const size_t pixels = g.out_h * g.out_w;
    size_t pb = kPixelBlockFloats / (K + 2) / kF32GemmNR * kF32GemmNR;
    pb = std::max(pb, kF32GemmNR);
    pb = std::min(pb, (pixels + kF32GemmNR - 1) / kF32GemmNR * kF32GemmNR);
    block_ = pb;
    const size_t need = pb / kF32GemmNR * kF32GemmNR * (K + 2);
    if (scratch_.size() < need) scratch_.assign(need, 0.0f);  // keeps capacity: runs do not allocate
  }

  void run_fast(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const Geo& g = geo_;
    const float* x = in[0]->as<const float>();
    float* y = out[0]->as<float>();
    const size_t in_plane = g.in_h * g.in_w, out_plane = g.out_h * g.out_w;
    if (depthwise_ && nhwc_dw_) {
      float* xn = scratch_.data();
      float* yn = xn + g.batch * g.cin * in_plane + 4;
      for (size_t n = 0; n < g.batch; ++n) {
        const float* xs = x + n * g.cin * in_plane;
        float* xd = xn + n * g.cin * in_plane;
        for (size_t c = 0; c < g.cin; ++c)
          for (size_t i = 0; i < in_plane; ++i) xd[i * g.cin + c] = xs[c * in_plane + i];
      }
      dwconv_config().f32(dw_shape_, xn, dw_packed_.data(), yn, F32DwconvParams{fmin_, fmax_}, 0, g.batch * g.out_h);
      for (size_t n = 0; n < g.batch; ++n) {
        const float* ys = yn + n * g.cout * out_plane;
        float* yd = y + n * g.cout * out_plane;
        for (size_t i = 0; i < out_plane; ++i)
          for (size_t c = 0; c < g.cout; ++c) yd[c * out_plane + i] = ys[i * g.cout + c];
      }
      return;
    }
    if (depthwise_) {
      const float* w = in[1]->as<const float>();
      const float* b = in.size() > 2 && in[2] ? in[2]->as<const float>() : nullptr;
      const size_t taps = g.kh * g.kw;
      for (size_t n = 0; n < g.batch; ++n) {
        for (size_t c = 0; c < g.cin; ++c) {
          dw_plane(g, x + (n * g.cin + c) * in_plane, w + c * taps, b ? b[c] : 0.0f, y + (n * g.cout + c) * out_plane,
                   fmin_, fmax_);
        }
      }
      return;
    }
    const f32_gemm_fn gemm = f32_gemm_config().gemm;
    const F32GemmParams p{fmin_, fmax_};
    const size_t cg = g.cin / g.groups, og = g.cout / g.groups, K = cg * g.kh * g.kw;
    for (size_t n = 0; n < g.batch; ++n) {
      const float* xn = x + n * g.cin * in_plane;
      for (size_t grp = 0; grp < g.groups; ++grp) {
        const float* a = a_.data() + grp * og * (K + 1);
        float* yg = y + (n * g.cout + grp * og) * out_plane;
        for (size_t p0 = 0; p0 < out_plane; p0 += block_) {
          const size_t p1 = std::min(out_plane, p0 + block_);
          pack_im2col(g, xn, grp * cg, cg, p0, p1, scratch_.data());
          gemm(0, og, 0, p1 - p0, K + 1, a, K + 1, scratch_.data(), yg + p0, out_plane, p);
        }
      }
    }
  }

  void after_reference(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    if (fmin_ == -std::numeric_limits<float>::infinity() && fmax_ == std::numeric_limits<float>::infinity()) return;
    float* y = out[0]->as<float>();
    for (size_t i = 0, n = out[0]->numel(); i < n; ++i) {
      float v = y[i] < fmin_ ? fmin_ : y[i];
      y[i] = fmax_ < v ? fmax_ : v;
    }
  }

 private:
  int64_t group_;
  std::string auto_pad_;
  std::vector<int64_t> strides_, dilations_, pads_;
  float fmin_ = -std::numeric_limits<float>::infinity(), fmax_ = std::numeric_limits<float>::infinity();
  Geo geo_{};
  bool depthwise_ = false, nhwc_dw_ = false;
  static constexpr size_t kNhwcDwMaxWidth = 32;
  // Pixel block of the packed im2col: 256 KiB (measured: 128 KiB was slower and noisier on
  // det's 3x3 96->24 layer, K = 864: 11.5 vs 12-24 ms; bench_layout).
  static constexpr size_t kPixelBlockFloats = 65536;
  DwconvShape dw_shape_;
  std::vector<uint8_t> dw_packed_;
  std::vector<float> a_, scratch_;
  const float* packed_from_ = nullptr;
  const float* packed_bias_ = nullptr;
  size_t packed_k_ = 0, block_ = kF32GemmNR;
};

// ConvTranspose, 2-D, group 1, explicit pads (no auto_pad / output_shape): col = W^T x X on the
// f32 GEMM (W^T packed once, X packed per run), then col2im adds each tap into the output.
class FastConvTransposeOp : public FastOp {
 public:
  explicit FastConvTransposeOp(const OpContext& c)
      : FastOp(c), group_(c.get_int("group", 1)), auto_pad_(c.get_string("auto_pad", "NOTSET")),
        strides_(c.get_ints("strides")), dilations_(c.get_ints("dilations")), pads_(c.get_ints("pads")),
        has_output_shape_(c.has("output_shape")) {}

 protected:
  bool infer_fast(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const Tensor *x = in[0], *w = in[1], *b = in.size() > 2 ? in[2] : nullptr;
    if (x->shape.size() != 4 || group_ != 1 || auto_pad_ != "NOTSET" || has_output_shape_) return false;
    if (!w->data || (b && !b->data)) return false;
    const Shape &xs = x->shape, &ws = w->shape, &ys = out[0]->shape;
    Geo g{};
    g.batch = xs[0];
    g.cin = xs[1];
    g.cout = ws[1];
    g.groups = 1;
    g.in_h = xs[2];
    g.in_w = xs[3];
    g.out_h = ys[2];
    g.out_w = ys[3];
    g.kh = ws[2];
    g.kw = ws[3];
    g.sh = strides_.empty() ? 1 : strides_[0];
    g.sw = strides_.empty() ? 1 : strides_[1];
    g.dh = dilations_.empty() ? 1 : dilations_[0];
    g.dw = dilations_.empty() ? 1 : dilations_[1];
    g.pt = pads_.empty() ? 0 : pads_[0];
    g.pl = pads_.empty() ? 0 : pads_[1];
    geo_ = g;
    // The col buffer holds Cout*KH*KW values per input pixel: with overlapping taps (stride < kernel)
    // that can exceed the output by a factor up to KH*KW, so bound it by the output (det's 2x2 stride-2
    // upsampling: exactly the output size); larger cases keep the reference (no extra memory).
    const size_t col = g.cout * g.kh * g.kw * g.in_h * g.in_w;
    return col <= 2 * out[0]->numel() + 65536;
  }
  void prepare_fast(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const Geo& g = geo_;
    const float* w = in[1]->as<const float>();
    const size_t m = g.cout * g.kh * g.kw, hw = g.in_h * g.in_w;
    if (w != packed_from_ || wt_.size() != m * g.cin) {
      wt_.assign(m * g.cin, 0.0f);  // W [Cin][M] -> A = W^T [M][Cin]
      for (size_t ci = 0; ci < g.cin; ++ci)
        for (size_t r = 0; r < m; ++r) wt_[r * g.cin + ci] = w[ci * m + r];
      packed_from_ = w;
    }
    const size_t need_p = f32_packw_size(hw, g.cin), need_c = m * hw;
    if (packed_x_.size() < need_p) packed_x_.assign(need_p, 0.0f);
    if (col_.size() < need_c) col_.assign(need_c, 0.0f);
  }
  void run_fast(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const Geo& g = geo_;
    const float* x = in[0]->as<const float>();
    const float* b = in.size() > 2 && in[2] ? in[2]->as<const float>() : nullptr;
    float* y = out[0]->as<float>();
    const size_t m = g.cout * g.kh * g.kw, hw = g.in_h * g.in_w, ohw = g.out_h * g.out_w;
    const F32GemmParams p{-std::numeric_limits<float>::infinity(), std::numeric_limits<float>::infinity()};
    for (size_t n = 0; n < g.batch; ++n) {
      f32_packw(hw, g.cin, x + n * g.cin * hw, 1, hw, nullptr, packed_x_.data());
      f32_gemm_config().gemm(0, m, 0, hw, g.cin, wt_.data(), g.cin, packed_x_.data(), col_.data(), hw, p);
      for (size_t co = 0; co < g.cout; ++co) {
        float* yc = y + (n * g.cout + co) * ohw;
        const float bias = b ? b[co] : 0.0f;
        for (size_t i = 0; i < ohw; ++i) yc[i] = bias;
        for (size_t ky = 0; ky < g.kh; ++ky) {
          for (size_t kx = 0; kx < g.kw; ++kx) {
            const float* cr = col_.data() + ((co * g.kh + ky) * g.kw + kx) * hw;
            for (size_t iy = 0; iy < g.in_h; ++iy) {
              const int64_t oy = static_cast<int64_t>(iy * g.sh + ky * g.dh) - g.pt;
              if (oy < 0 || oy >= static_cast<int64_t>(g.out_h)) continue;
              float* yr = yc + oy * g.out_w;
              const float* crow = cr + iy * g.in_w;
              for (size_t ix = 0; ix < g.in_w; ++ix) {
                const int64_t ox = static_cast<int64_t>(ix * g.sw + kx * g.dw) - g.pl;
                if (ox >= 0 && ox < static_cast<int64_t>(g.out_w)) yr[ox] += crow[ix];
              }
            }
          }
        }
      }
    }
  }

 private:
  int64_t group_;
  std::string auto_pad_;
  std::vector<int64_t> strides_, dilations_, pads_;
  bool has_output_shape_;
  Geo geo_{};
  std::vector<float> wt_, packed_x_, col_;
  const float* packed_from_ = nullptr;
};

}  // namespace

void register_fast_conv_ops(OpRegistry& r) {
  add_op(r, "Conv", [](const OpContext& c) -> std::unique_ptr<Op> { return std::make_unique<FastConvOp>(c); });
  add_op(r, "ConvTranspose", [](const OpContext& c) -> std::unique_ptr<Op> { return std::make_unique<FastConvTransposeOp>(c); });
}

void register_fast_ops(OpRegistry& r) {
  register_fast_conv_ops(r);
  register_fast_gemm_ops(r);
  register_fast_unary_ops(r);
  register_fast_binary_ops(r);
  register_fast_resize_ops(r);
  register_fast_pool_ops(r);
  register_fast_transpose_ops(r);
}

}  // namespace wasmq::rt
