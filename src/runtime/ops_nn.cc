// Neural-network reference ops in NCHW float32: Conv, ConvTranspose, pools, BatchNormalization,
// Gemm, MatMul, Softmax/LogSoftmax, LayerNormalization, Reduce*, Resize. Plain loops, the oracle
// for the NHWC SIMD kernels that will replace Conv/MatMul/Gemm/pools (see docs/runtime.md).
#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>

#include "runtime/op.h"

namespace wasmq::rt {
namespace {

constexpr size_t kMaxLoopRank = onnx::kMaxRank;

void require_float(const Op& op, const Tensor* t, const char* what) {
  if (t && t->dtype != ElemType::kFloat) {
    op.error(std::string(what) + " must be FLOAT (got " + onnx::elem_onnx_name(t->dtype) + "); only float32 is implemented");
  }
}

template <typename T>
OpFactory factory() {
  return [](const OpContext& c) -> std::unique_ptr<Op> { return std::make_unique<T>(c); };
}

// ---- window geometry shared by Conv and pools (spatial rank 1..3, padded to 3) ----

struct Window {
  size_t nsp = 0;  // spatial rank
  std::array<int64_t, 3> in{1, 1, 1}, out{1, 1, 1}, k{1, 1, 1}, s{1, 1, 1}, d{1, 1, 1}, pb{0, 0, 0}, pe{0, 0, 0};
};

struct WindowAttrs {
  std::string auto_pad;
  std::vector<int64_t> kernel, strides, dilations, pads;
  bool ceil_mode = false;

  void parse(const OpContext& c, bool pool) {
    auto_pad = c.get_string("auto_pad", "NOTSET");
    if (auto_pad != "NOTSET" && auto_pad != "SAME_UPPER" && auto_pad != "SAME_LOWER" && auto_pad != "VALID") {
      c.error("auto_pad '" + auto_pad + "' is not supported");
    }
    kernel = c.get_ints("kernel_shape");
    strides = c.get_ints("strides");
    dilations = c.get_ints("dilations");
    pads = c.get_ints("pads");
    ceil_mode = c.get_int("ceil_mode", 0) != 0;
    if (pool && kernel.empty()) c.error("attribute 'kernel_shape' is required");
    // Bounds keep the size arithmetic far from int64 overflow; real models are many orders below.
    constexpr int64_t kMax = int64_t{1} << 30;
    for (const auto* v : {&kernel, &strides, &dilations, &pads}) {
      for (int64_t x : *v) {
        if (x < -kMax || x > kMax) c.error("kernel_shape/strides/dilations/pads value " + std::to_string(x) + " is out of range");
      }
    }
  }

  // in_shape: N, C, spatial...; kernel from the weights when not given.
  Window resolve(const Op& op, const Shape& x, const std::vector<int64_t>& kernel_dims) const {
    Window w;
    if (x.size() < 3 || x.size() > 5) op.error("input must be 3-D to 5-D (N, C, spatial...), got " + shape_str(x));
    w.nsp = x.size() - 2;
    const std::vector<int64_t>& k = kernel.empty() ? kernel_dims : kernel;
    if (k.size() != w.nsp) op.error("kernel_shape has " + std::to_string(k.size()) + " entries for " + std::to_string(w.nsp) + " spatial dims");
    auto check_len = [&](const std::vector<int64_t>& v, size_t n, const char* name) {
      if (!v.empty() && v.size() != n) op.error(std::string(name) + " has " + std::to_string(v.size()) + " entries, expected " + std::to_string(n));
    };
    check_len(strides, w.nsp, "strides");
    check_len(dilations, w.nsp, "dilations");
    check_len(pads, 2 * w.nsp, "pads");
    for (size_t i = 0; i < w.nsp; ++i) {
      w.in[i] = x[i + 2];
      w.k[i] = k[i];
      w.s[i] = strides.empty() ? 1 : strides[i];
      w.d[i] = dilations.empty() ? 1 : dilations[i];
      if (w.k[i] < 1 || w.s[i] < 1 || w.d[i] < 1) op.error("kernel, strides and dilations must be positive");
      const int64_t eff = (w.k[i] - 1) * w.d[i] + 1;
      if (auto_pad == "NOTSET") {
        w.pb[i] = pads.empty() ? 0 : pads[i];
        w.pe[i] = pads.empty() ? 0 : pads[i + w.nsp];
        if (w.pb[i] < 0 || w.pe[i] < 0) op.error("pads cannot be negative");
        const int64_t span = w.in[i] + w.pb[i] + w.pe[i] - eff;
        if (span < 0) op.error("the kernel is larger than the padded input " + shape_str(x));
        if (ceil_mode) {
          w.out[i] = (span + w.s[i] - 1) / w.s[i] + 1;
          if ((w.out[i] - 1) * w.s[i] >= w.in[i] + w.pb[i]) --w.out[i];  // last window must start inside
        } else {
          w.out[i] = span / w.s[i] + 1;
        }
      } else if (auto_pad == "VALID") {
        const int64_t span = w.in[i] - eff;
        if (span < 0) op.error("the kernel is larger than the input " + shape_str(x));
        w.out[i] = ceil_mode ? (span + w.s[i] - 1) / w.s[i] + 1 : span / w.s[i] + 1;
      } else {
        w.out[i] = (w.in[i] + w.s[i] - 1) / w.s[i];
        const int64_t total = std::max<int64_t>(0, (w.out[i] - 1) * w.s[i] + eff - w.in[i]);
        w.pb[i] = auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
        w.pe[i] = total - w.pb[i];
      }
    }
    return w;
  }
};

Shape window_out_shape(const Shape& x, int64_t channels, const Window& w) {
  Shape s{x[0], channels};
  for (size_t i = 0; i < w.nsp; ++i) s.push_back(w.out[i]);
  return s;
}

// ---- Conv ----

class ConvOp : public Op {
 public:
  explicit ConvOp(const OpContext& c) : group_(c.get_int("group", 1)) {
    c.check_inputs(2, 3);
    attrs_.parse(c, false);
    if (group_ < 1) c.error("group must be >= 1");
  }
  void infer(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const Tensor *x = in[0], *wt = in[1], *b = in.size() > 2 ? in[2] : nullptr;
    require_float(*this, x, "X");
    require_float(*this, wt, "W");
    require_float(*this, b, "B");
    if (wt->shape.size() != x->shape.size()) error("W rank " + std::to_string(wt->shape.size()) + " does not match X rank");
    w_ = attrs_.resolve(*this, x->shape, Shape(wt->shape.begin() + 2, wt->shape.end()));
    for (size_t i = 0; i < w_.nsp; ++i) {
      if (wt->shape[i + 2] != w_.k[i]) error("kernel_shape does not match W " + shape_str(wt->shape));
    }
    if (x->shape[1] != wt->shape[1] * group_) {
      error("X has " + std::to_string(x->shape[1]) + " channels but W " + shape_str(wt->shape) + " with group " + std::to_string(group_) + " expects " + std::to_string(wt->shape[1] * group_));
    }
    if (wt->shape[0] % group_ != 0) error("output channels are not divisible by group");
    if (b && (b->shape.size() != 1 || b->shape[0] != wt->shape[0])) error("B must have shape [" + std::to_string(wt->shape[0]) + "]");
    out[0]->dtype = ElemType::kFloat;
    out[0]->shape = window_out_shape(x->shape, wt->shape[0], w_);
  }
  void run(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    conv_nchw_ref(in[0]->as<const float>(), in[0]->shape, in[1]->as<const float>(), in[1]->shape,
                  in.size() > 2 && in[2] ? in[2]->as<const float>() : nullptr, out[0]->as<float>());
  }

 private:
  // Kernel taps [lo, hi) of one axis whose input position o*s - pb + k*d lies inside [0, in).
  static void tap_range(int64_t o, int64_t s, int64_t pb, int64_t d, int64_t k, int64_t in, int64_t& lo, int64_t& hi) {
    const int64_t base = o * s - pb;
    lo = base >= 0 ? 0 : (-base + d - 1) / d;
    hi = in - base <= 0 ? 0 : std::min(k, (in - base + d - 1) / d);
    if (hi < lo) hi = lo;
  }

  void conv_nchw_ref(const float* x, const Shape& xs, const float* wt, const Shape& ws, const float* bias, float* y) const {
    const int64_t n_batch = xs[0], cin = xs[1], cout = ws[0], cin_g = cin / group_, cout_g = cout / group_;
    const Window& w = w_;
    const int64_t in_sp = w.in[0] * w.in[1] * w.in[2], out_sp = w.out[0] * w.out[1] * w.out[2], k_sp = w.k[0] * w.k[1] * w.k[2];
    for (int64_t n = 0; n < n_batch; ++n) {
      for (int64_t oc = 0; oc < cout; ++oc) {
        const int64_t g = oc / cout_g;
        float* yo = y + (n * cout + oc) * out_sp;
        for (int64_t o0 = 0; o0 < w.out[0]; ++o0) {
          int64_t a0, b0;
          tap_range(o0, w.s[0], w.pb[0], w.d[0], w.k[0], w.in[0], a0, b0);
          for (int64_t o1 = 0; o1 < w.out[1]; ++o1) {
            int64_t a1, b1;
            tap_range(o1, w.s[1], w.pb[1], w.d[1], w.k[1], w.in[1], a1, b1);
            for (int64_t o2 = 0; o2 < w.out[2]; ++o2) {
              int64_t a2, b2;
              tap_range(o2, w.s[2], w.pb[2], w.d[2], w.k[2], w.in[2], a2, b2);
              double acc = bias ? bias[oc] : 0.0;
              for (int64_t ic = 0; ic < cin_g; ++ic) {
                const float* xi = x + (n * cin + g * cin_g + ic) * in_sp;
                const float* wk = wt + (oc * cin_g + ic) * k_sp;
                for (int64_t k0 = a0; k0 < b0; ++k0) {
                  const int64_t i0 = o0 * w.s[0] - w.pb[0] + k0 * w.d[0];
                  for (int64_t k1 = a1; k1 < b1; ++k1) {
                    const int64_t i1 = o1 * w.s[1] - w.pb[1] + k1 * w.d[1];
                    const int64_t row = (i0 * w.in[1] + i1) * w.in[2] + o2 * w.s[2] - w.pb[2];  // + k2 * d2 >= 0
                    const float* wrow = wk + (k0 * w.k[1] + k1) * w.k[2];
                    for (int64_t k2 = a2; k2 < b2; ++k2) acc += static_cast<double>(xi[row + k2 * w.d[2]]) * wrow[k2];
                  }
                }
              }
              yo[(o0 * w.out[1] + o1) * w.out[2] + o2] = static_cast<float>(acc);
            }
          }
        }
      }
    }
  }

  int64_t group_;
  WindowAttrs attrs_;
  Window w_;
};

// ---- ConvTranspose ----

class ConvTransposeOp : public Op {
 public:
  explicit ConvTransposeOp(const OpContext& c) : group_(c.get_int("group", 1)) {
    c.check_inputs(2, 3);
    attrs_.parse(c, false);
    output_padding_ = c.get_ints("output_padding");
    output_shape_ = c.get_ints("output_shape");
    for (const auto* v : {&output_padding_, &output_shape_}) {
      for (int64_t x : *v) {
        if (x < 0 || x > (int64_t{1} << 30)) c.error("output_padding/output_shape value " + std::to_string(x) + " is out of range");
      }
    }
    if (group_ < 1) c.error("group must be >= 1");
  }
  void infer(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const Tensor *x = in[0], *wt = in[1], *b = in.size() > 2 ? in[2] : nullptr;
    require_float(*this, x, "X");
    require_float(*this, wt, "W");
    require_float(*this, b, "B");
    const Shape& xs = x->shape;
    if (xs.size() < 3 || xs.size() > 5 || wt->shape.size() != xs.size()) error("X and W must have the same rank, 3 to 5");
    if (wt->shape[0] != xs[1]) error("W's first dimension must equal X's channels");
    Window& w = w_;
    w = Window{};
    w.nsp = xs.size() - 2;
    const std::vector<int64_t> kdims(wt->shape.begin() + 2, wt->shape.end());
    const std::vector<int64_t>& k = attrs_.kernel.empty() ? kdims : attrs_.kernel;
    if (k.size() != w.nsp || k != kdims) error("kernel_shape does not match W");
    auto check_len = [&](const std::vector<int64_t>& v, size_t n, size_t alt, const char* name) {
      if (!v.empty() && v.size() != n && v.size() != alt) error(std::string(name) + " has " + std::to_string(v.size()) + " entries");
    };
    check_len(attrs_.strides, w.nsp, w.nsp, "strides");
    check_len(attrs_.dilations, w.nsp, w.nsp, "dilations");
    check_len(attrs_.pads, 2 * w.nsp, 2 * w.nsp, "pads");
    check_len(output_padding_, w.nsp, w.nsp, "output_padding");
    check_len(output_shape_, w.nsp, w.nsp + 2, "output_shape");
    if (wt->shape[1] * group_ > (int64_t{1} << 30) || xs[1] % group_ != 0) error("channels are not divisible by group");
    for (size_t i = 0; i < w.nsp; ++i) {
      w.in[i] = xs[i + 2];
      w.k[i] = k[i];
      w.s[i] = attrs_.strides.empty() ? 1 : attrs_.strides.at(i);
      w.d[i] = attrs_.dilations.empty() ? 1 : attrs_.dilations.at(i);
      const int64_t op = output_padding_.empty() ? 0 : output_padding_.at(i);
      if (w.k[i] < 1 || w.s[i] < 1 || w.d[i] < 1) error("kernel, strides and dilations must be positive");
      const int64_t eff = (w.k[i] - 1) * w.d[i] + 1;
      const int64_t full = w.s[i] * (w.in[i] - 1) + op + eff;
      int64_t target = -1;
      if (!output_shape_.empty()) {
        target = output_shape_.size() == w.nsp ? output_shape_[i] : output_shape_.at(i + 2);
      } else if (attrs_.auto_pad == "SAME_UPPER" || attrs_.auto_pad == "SAME_LOWER") {
        target = w.in[i] * w.s[i];
      }
      if (target >= 0) {
        const int64_t total = full - target;
        // Floor division, as ONNX's reference: a negative total pads the end with bias-only outputs.
        const int64_t half = total >= 0 ? total / 2 : -((-total + 1) / 2);
        if (attrs_.auto_pad == "SAME_UPPER") {
          w.pb[i] = half;
          w.pe[i] = total - half;
        } else {
          w.pb[i] = total - half;
          w.pe[i] = half;
        }
        w.out[i] = target;
      } else {
        if (attrs_.auto_pad != "VALID" && !attrs_.pads.empty()) {
          w.pb[i] = attrs_.pads.at(i);
          w.pe[i] = attrs_.pads.at(i + w.nsp);
        }
        w.out[i] = full - w.pb[i] - w.pe[i];
      }
      if (w.out[i] < 0) error("output size is negative");
    }
    const int64_t cout = wt->shape[1] * group_;
    if (b && (b->shape.size() != 1 || b->shape[0] != cout)) error("B must have shape [" + std::to_string(cout) + "]");
    out[0]->dtype = ElemType::kFloat;
    out[0]->shape = window_out_shape(xs, cout, w);
  }
  void run(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const float* x = in[0]->as<const float>();
    const float* wt = in[1]->as<const float>();
    const float* bias = in.size() > 2 && in[2] ? in[2]->as<const float>() : nullptr;
    float* y = out[0]->as<float>();
    const Shape& xs = in[0]->shape;
    const Window& w = w_;
    const int64_t n_batch = xs[0], cin = xs[1], cout = out[0]->shape[1], cin_g = cin / group_, cout_g = cout / group_;
    const int64_t in_sp = w.in[0] * w.in[1] * w.in[2], out_sp = w.out[0] * w.out[1] * w.out[2], k_sp = w.k[0] * w.k[1] * w.k[2];
    for (int64_t n = 0; n < n_batch; ++n)
      for (int64_t oc = 0; oc < cout; ++oc) {
        float* yo = y + (n * cout + oc) * out_sp;
        for (int64_t i = 0; i < out_sp; ++i) yo[i] = bias ? bias[oc] : 0.0f;
      }
    for (int64_t n = 0; n < n_batch; ++n)
      for (int64_t ic = 0; ic < cin; ++ic) {
        const int64_t g = ic / cin_g;
        const float* xi = x + (n * cin + ic) * in_sp;
        for (int64_t ocg = 0; ocg < cout_g; ++ocg) {
          const int64_t oc = g * cout_g + ocg;
          const float* wk = wt + (ic * cout_g + ocg) * k_sp;
          float* yo = y + (n * cout + oc) * out_sp;
          for (int64_t i0 = 0; i0 < w.in[0]; ++i0)
            for (int64_t i1 = 0; i1 < w.in[1]; ++i1)
              for (int64_t i2 = 0; i2 < w.in[2]; ++i2) {
                const float v = xi[(i0 * w.in[1] + i1) * w.in[2] + i2];
                for (int64_t k0 = 0; k0 < w.k[0]; ++k0) {
                  const int64_t o0 = i0 * w.s[0] + k0 * w.d[0] - w.pb[0];
                  if (o0 < 0 || o0 >= w.out[0]) continue;
                  for (int64_t k1 = 0; k1 < w.k[1]; ++k1) {
                    const int64_t o1 = i1 * w.s[1] + k1 * w.d[1] - w.pb[1];
                    if (o1 < 0 || o1 >= w.out[1]) continue;
                    for (int64_t k2 = 0; k2 < w.k[2]; ++k2) {
                      const int64_t o2 = i2 * w.s[2] + k2 * w.d[2] - w.pb[2];
                      if (o2 < 0 || o2 >= w.out[2]) continue;
                      yo[(o0 * w.out[1] + o1) * w.out[2] + o2] += v * wk[(k0 * w.k[1] + k1) * w.k[2] + k2];
                    }
                  }
                }
              }
        }
      }
  }

 private:
  int64_t group_;
  WindowAttrs attrs_;
  std::vector<int64_t> output_padding_, output_shape_;
  Window w_;
};

// ---- MaxPool / AveragePool ----

class PoolOp : public Op {
 public:
  PoolOp(const OpContext& c, bool max) : max_(max) {
    c.check_inputs(1, 1);
    attrs_.parse(c, true);
    count_include_pad_ = c.get_int("count_include_pad", 0) != 0;
    storage_order_ = c.get_int("storage_order", 0);
    if (storage_order_ != 0 && storage_order_ != 1) c.error("storage_order must be 0 or 1");
    if (!max && !attrs_.dilations.empty() && c.opset() < 19) {
      for (int64_t d : attrs_.dilations) if (d != 1) c.error("dilations are not allowed before opset 19");
    }
  }
  void infer(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const ElemType t = in[0]->dtype;
    if (!max_ || t == ElemType::kBool || t == ElemType::kFloat16) require_float(*this, in[0], "X");
    w_ = attrs_.resolve(*this, in[0]->shape, {});
    if (storage_order_ == 1 && w_.nsp != 2) error("storage_order=1 is only supported for 2-D pooling");
    out[0]->dtype = t;
    out[0]->shape = window_out_shape(in[0]->shape, in[0]->shape[1], w_);
    if (out.size() > 1) {
      if (!max_) error("AveragePool has one output");
      out[1]->dtype = ElemType::kInt64;
      out[1]->shape = out[0]->shape;
    }
  }
  void run(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    dispatch_numeric(in[0]->dtype, label, [&](auto tag) { run_t<decltype(tag)>(in, out); });
  }

 private:
  template <typename T>
  void run_t(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) {
    const T* x = in[0]->as<const T>();
    T* y = out[0]->as<T>();
    int64_t* ind = out.size() > 1 ? out[1]->as<int64_t>() : nullptr;
    const Window& w = w_;
    const int64_t planes = in[0]->shape[0] * in[0]->shape[1];
    const int64_t in_sp = w.in[0] * w.in[1] * w.in[2], out_sp = w.out[0] * w.out[1] * w.out[2];
    for (int64_t p = 0; p < planes; ++p) {
      const T* xp = x + p * in_sp;
      for (int64_t o0 = 0; o0 < w.out[0]; ++o0)
        for (int64_t o1 = 0; o1 < w.out[1]; ++o1)
          for (int64_t o2 = 0; o2 < w.out[2]; ++o2) {
            const int64_t oi = p * out_sp + (o0 * w.out[1] + o1) * w.out[2] + o2;
            T best = std::numeric_limits<T>::lowest();
            int64_t best_at = -1;
            double sum = 0;
            int64_t count = 0, padded_count = 0;
            for (int64_t k0 = 0; k0 < w.k[0]; ++k0) {
              const int64_t i0 = o0 * w.s[0] - w.pb[0] + k0 * w.d[0];
              for (int64_t k1 = 0; k1 < w.k[1]; ++k1) {
                const int64_t i1 = o1 * w.s[1] - w.pb[1] + k1 * w.d[1];
                for (int64_t k2 = 0; k2 < w.k[2]; ++k2) {
                  const int64_t i2 = o2 * w.s[2] - w.pb[2] + k2 * w.d[2];
                  // Positions inside the explicit padding count for count_include_pad.
                  if (i0 >= -w.pb[0] && i0 < w.in[0] + w.pe[0] && i1 >= -w.pb[1] && i1 < w.in[1] + w.pe[1] &&
                      i2 >= -w.pb[2] && i2 < w.in[2] + w.pe[2]) {
                    ++padded_count;
                  }
                  if (i0 < 0 || i0 >= w.in[0] || i1 < 0 || i1 >= w.in[1] || i2 < 0 || i2 >= w.in[2]) continue;
                  const int64_t at = (i0 * w.in[1] + i1) * w.in[2] + i2;
                  const T v = xp[at];
                  if (v > best || best_at < 0) {
                    best = v;
                    best_at = at;
                  }
                  sum += v;
                  ++count;
                }
              }
            }
            if (max_) {
              y[oi] = best;
              if (ind) {
                int64_t at = best_at;
                if (storage_order_ == 1 && best_at >= 0) {  // column-major within the plane (2-D only)
                  const int64_t h = best_at / w.in[1], ww = best_at % w.in[1];
                  at = h + ww * w.in[0];
                }
                ind[oi] = p * in_sp + at;
              }
            } else {
              const int64_t div = count_include_pad_ ? padded_count : count;
              y[oi] = div > 0 ? static_cast<T>(sum / div) : T(0);
            }
          }
    }
  }

  bool max_;
  WindowAttrs attrs_;
  bool count_include_pad_ = false;
  int64_t storage_order_ = 0;
  Window w_;
};

class GlobalPoolOp : public Op {
 public:
  GlobalPoolOp(const OpContext& c, bool max) : max_(max) { c.check_inputs(1, 1); }
  void infer(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    require_float(*this, in[0], "X");
    if (in[0]->shape.size() < 2) error("input must have rank >= 2");
    out[0]->dtype = ElemType::kFloat;
    out[0]->shape = in[0]->shape;
    for (size_t i = 2; i < out[0]->shape.size(); ++i) out[0]->shape[i] = 1;
  }
  void run(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const Shape& s = in[0]->shape;
    const int64_t planes = s[0] * s[1];
    const int64_t sp = static_cast<int64_t>(in[0]->numel()) / std::max<int64_t>(1, planes);
    const float* x = in[0]->as<const float>();
    float* y = out[0]->as<float>();
    for (int64_t p = 0; p < planes; ++p) {
      double acc = max_ ? -std::numeric_limits<double>::infinity() : 0.0;
      for (int64_t i = 0; i < sp; ++i) acc = max_ ? std::max<double>(acc, x[p * sp + i]) : acc + x[p * sp + i];
      y[p] = static_cast<float>(max_ ? acc : acc / sp);
    }
  }

 private:
  bool max_;
};

// ---- BatchNormalization (inference; training_mode=1 uses batch statistics, as ONNX's reference) ----

class BatchNormOp : public Op {
 public:
  explicit BatchNormOp(const OpContext& c)
      : eps_(c.get_float("epsilon", 1e-5f)), momentum_(c.get_float("momentum", 0.9f)), training_(c.get_int("training_mode", 0) != 0) {
    c.check_inputs(5, 5);
    if (c.opset() < 9 && c.get_int("spatial", 1) != 1) c.error("spatial=0 is not supported");
    size_t outs = 0;
    for (const std::string& o : c.node().outputs) outs += !o.empty();
    if (outs > 1 && !training_) c.error("extra outputs (running mean/var) are only defined with training_mode=1");
  }
  void infer(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    for (size_t i = 0; i < 5; ++i) require_float(*this, in[i], "inputs");
    const Shape& s = in[0]->shape;
    if (s.size() < 2) error("X must have rank >= 2");
    for (size_t i = 1; i < 5; ++i) {
      if (in[i]->numel() != static_cast<size_t>(s[1])) error("scale, B, mean and var must have C = " + std::to_string(s[1]) + " elements");
    }
    for (size_t o = 0; o < out.size(); ++o) {
      out[o]->dtype = ElemType::kFloat;
      out[o]->shape = o == 0 ? s : Shape{s[1]};
    }
  }
  void run(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const Shape& s = in[0]->shape;
    const int64_t n = s[0], c = s[1];
    const int64_t sp = n * c != 0 ? static_cast<int64_t>(in[0]->numel()) / (n * c) : 0;
    const float *x = in[0]->as<const float>(), *scale = in[1]->as<const float>(), *b = in[2]->as<const float>(),
                *mean_in = in[3]->as<const float>(), *var_in = in[4]->as<const float>();
    float* y = out[0]->as<float>();
    for (int64_t ch = 0; ch < c; ++ch) {
      double mean = mean_in[ch], var = var_in[ch];
      if (training_) {
        double sum = 0, sq = 0;
        for (int64_t i = 0; i < n; ++i)
          for (int64_t j = 0; j < sp; ++j) sum += x[(i * c + ch) * sp + j];
        const double count = static_cast<double>(n * sp);
        const double m = count > 0 ? sum / count : 0;
        for (int64_t i = 0; i < n; ++i)
          for (int64_t j = 0; j < sp; ++j) sq += (x[(i * c + ch) * sp + j] - m) * (x[(i * c + ch) * sp + j] - m);
        const double v = count > 0 ? sq / count : 0;
        if (out.size() > 1) out[1]->as<float>()[ch] = static_cast<float>(mean_in[ch] * momentum_ + m * (1 - momentum_));
        if (out.size() > 2) out[2]->as<float>()[ch] = static_cast<float>(var_in[ch] * momentum_ + v * (1 - momentum_));
        mean = m;
        var = v;
      }
      const float a = static_cast<float>(scale[ch] / std::sqrt(var + eps_));
      const float off = static_cast<float>(b[ch] - mean * a);
      for (int64_t i = 0; i < n; ++i) {
        const float* xp = x + (i * c + ch) * sp;
        float* yp = y + (i * c + ch) * sp;
        for (int64_t j = 0; j < sp; ++j) yp[j] = xp[j] * a + off;
      }
    }
  }

 private:
  float eps_, momentum_;
  bool training_;
};

// ---- Gemm / MatMul ----

class GemmOp : public Op {
 public:
  explicit GemmOp(const OpContext& c)
      : trans_a_(c.get_int("transA", 0) != 0), trans_b_(c.get_int("transB", 0) != 0), alpha_(c.get_float("alpha", 1.0f)),
        beta_(c.get_float("beta", 1.0f)) {
    c.check_inputs(2, 3);
  }
  void infer(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const Tensor *a = in[0], *b = in[1], *cc = in.size() > 2 ? in[2] : nullptr;
    require_float(*this, a, "A");
    require_float(*this, b, "B");
    require_float(*this, cc, "C");
    if (a->shape.size() != 2 || b->shape.size() != 2) error("A and B must be 2-D, got " + shape_str(a->shape) + " and " + shape_str(b->shape));
    m_ = trans_a_ ? a->shape[1] : a->shape[0];
    k_ = trans_a_ ? a->shape[0] : a->shape[1];
    n_ = trans_b_ ? b->shape[0] : b->shape[1];
    const int64_t kb = trans_b_ ? b->shape[1] : b->shape[0];
    if (k_ != kb) error("inner dimensions differ: A " + shape_str(a->shape) + ", B " + shape_str(b->shape));
    if (cc) {
      const Shape bc = broadcast_shapes(cc->shape, {m_, n_}, label);
      if (bc != Shape{m_, n_}) error("C " + shape_str(cc->shape) + " does not broadcast to [" + std::to_string(m_) + ", " + std::to_string(n_) + "]");
    }
    out[0]->dtype = ElemType::kFloat;
    out[0]->shape = {m_, n_};
  }
  void run(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const float *a = in[0]->as<const float>(), *b = in[1]->as<const float>();
    const Tensor* cc = in.size() > 2 ? in[2] : nullptr;
    float* y = out[0]->as<float>();
    int64_t cm = 0, cn = 0;  // broadcast strides of C
    if (cc) {
      const Shape& s = cc->shape;
      const int64_t rows = s.size() == 2 ? s[0] : 1, cols = s.empty() ? 1 : s.back();
      cm = rows == 1 ? 0 : cols;
      cn = cols == 1 ? 0 : 1;
    }
    for (int64_t i = 0; i < m_; ++i)
      for (int64_t j = 0; j < n_; ++j) {
        double acc = 0;
        for (int64_t p = 0; p < k_; ++p) {
          const float av = trans_a_ ? a[p * m_ + i] : a[i * k_ + p];
          const float bv = trans_b_ ? b[j * k_ + p] : b[p * n_ + j];
          acc += static_cast<double>(av) * bv;
        }
        float v = static_cast<float>(alpha_ * acc);
        if (cc) v += beta_ * cc->as<const float>()[i * cm + j * cn];
        y[i * n_ + j] = v;
      }
  }

 private:
  bool trans_a_, trans_b_;
  float alpha_, beta_;
  int64_t m_ = 0, k_ = 0, n_ = 0;
};

class MatMulOp : public Op {
 public:
  explicit MatMulOp(const OpContext& c) { c.check_inputs(2, 2); }
  void infer(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const ElemType t = in[0]->dtype;
    if (t != in[1]->dtype) error("A and B have different element types");
    if (t != ElemType::kFloat && t != ElemType::kDouble && t != ElemType::kInt32 && t != ElemType::kInt64) {
      error("element type " + onnx::elem_onnx_name(t) + " is not supported");
    }
    Shape a = in[0]->shape, b = in[1]->shape;
    if (a.empty() || b.empty()) error("inputs must have rank >= 1");
    const bool a1 = a.size() == 1, b1 = b.size() == 1;
    if (a1) a.insert(a.begin(), 1);
    if (b1) b.push_back(1);
    m_ = a[a.size() - 2];
    k_ = a.back();
    n_ = b.back();
    if (b[b.size() - 2] != k_) error("inner dimensions differ: " + shape_str(in[0]->shape) + " x " + shape_str(in[1]->shape));
    batch_ = broadcast_shapes(Shape(a.begin(), a.end() - 2), Shape(b.begin(), b.end() - 2), label);
    a_batch_ = Shape(a.begin(), a.end() - 2);
    b_batch_ = Shape(b.begin(), b.end() - 2);
    Shape s = batch_;
    if (!a1) s.push_back(m_);
    if (!b1) s.push_back(n_);
    out[0]->dtype = t;
    out[0]->shape = s;
  }
  void run(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    dispatch_numeric(in[0]->dtype, label, [&](auto tag) {
      using T = decltype(tag);
      using Acc = std::conditional_t<std::is_floating_point_v<T>, double, int64_t>;
      const T* a = in[0]->as<const T>();
      const T* b = in[1]->as<const T>();
      T* y = out[0]->as<T>();
      const size_t r = batch_.size(), nb = numel_of(batch_);
      std::array<int64_t, kMaxLoopRank> idx{};
      for (size_t bi = 0; bi < nb; ++bi) {
        int64_t ao = 0, bo = 0, am = 1, bm = 1;  // batch offsets with broadcasting
        for (size_t d = r; d-- > 0;) {
          const size_t da = d + a_batch_.size() - r, db = d + b_batch_.size() - r;
          if (d >= r - a_batch_.size()) {
            if (a_batch_[da] != 1) ao += idx[d] * am;
            am *= a_batch_[da];
          }
          if (d >= r - b_batch_.size()) {
            if (b_batch_[db] != 1) bo += idx[d] * bm;
            bm *= b_batch_[db];
          }
        }
        const T* ap = a + ao * m_ * k_;
        const T* bp = b + bo * k_ * n_;
        T* yp = y + bi * m_ * n_;
        // i-p-j order (rows of B read contiguously) into a row of Acc accumulators.
        Acc* acc = reinterpret_cast<Acc*>(row_.data());
        for (int64_t i = 0; i < m_; ++i) {
          std::fill(acc, acc + n_, Acc(0));
          for (int64_t p = 0; p < k_; ++p) {
            const Acc av = static_cast<Acc>(ap[i * k_ + p]);
            const T* brow = bp + p * n_;
            for (int64_t j = 0; j < n_; ++j) acc[j] = wrap_add(acc[j], wrap_mul(av, static_cast<Acc>(brow[j])));
          }
          for (int64_t j = 0; j < n_; ++j) yp[i * n_ + j] = static_cast<T>(acc[j]);
        }
        for (size_t d = r; d-- > 0;) {
          if (++idx[d] < batch_[d]) break;
          idx[d] = 0;
        }
      }
    });
  }

  void prepare(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    row_.assign(static_cast<size_t>(std::max<int64_t>(n_, 1)), 0);  // 8-byte accumulators (double or int64)
  }

 private:
  int64_t m_ = 0, k_ = 0, n_ = 0;
  Shape batch_, a_batch_, b_batch_;
  std::vector<uint64_t> row_;
};

// ---- Softmax / LogSoftmax ----

class SoftmaxOp : public Op {
 public:
  SoftmaxOp(const OpContext& c, bool log) : log_(log), coerce_2d_(c.opset() < 13), axis_(c.get_int("axis", c.opset() < 13 ? 1 : -1)) {
    c.check_inputs(1, 1);
  }
  void infer(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    require_float(*this, in[0], "input");
    const Shape& s = in[0]->shape;
    const int64_t r = static_cast<int64_t>(s.size());
    if (axis_ < -r || axis_ >= std::max<int64_t>(r, 1)) error("axis " + std::to_string(axis_) + " is out of range for rank " + std::to_string(r));
    const int64_t a = axis_ < 0 ? axis_ + r : axis_;
    outer_ = 1, dim_ = 1, inner_ = 1;
    for (int64_t i = 0; i < r; ++i) {
      if (coerce_2d_) (i < a ? outer_ : dim_) *= s[i];
      else (i < a ? outer_ : i == a ? dim_ : inner_) *= s[i];
    }
    out[0]->dtype = ElemType::kFloat;
    out[0]->shape = s;
  }
  void run(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const float* x = in[0]->as<const float>();
    float* y = out[0]->as<float>();
    for (int64_t o = 0; o < outer_; ++o)
      for (int64_t i = 0; i < inner_; ++i) {
        const float* xp = x + o * dim_ * inner_ + i;
        float* yp = y + o * dim_ * inner_ + i;
        float mx = -std::numeric_limits<float>::infinity();
        for (int64_t d = 0; d < dim_; ++d) mx = std::max(mx, xp[d * inner_]);
        double sum = 0;
        for (int64_t d = 0; d < dim_; ++d) sum += std::exp(static_cast<double>(xp[d * inner_]) - mx);
        for (int64_t d = 0; d < dim_; ++d) {
          const double z = static_cast<double>(xp[d * inner_]) - mx;
          yp[d * inner_] = static_cast<float>(log_ ? z - std::log(sum) : std::exp(z) / sum);
        }
      }
  }

 private:
  bool log_, coerce_2d_;
  int64_t axis_, outer_ = 1, dim_ = 1, inner_ = 1;
};

// ---- LayerNormalization ----

class LayerNormOp : public Op {
 public:
  explicit LayerNormOp(const OpContext& c) : axis_(c.get_int("axis", -1)), eps_(c.get_float("epsilon", 1e-5f)) {
    c.check_inputs(2, 3);
    if (c.get_int("stash_type", 1) != 1) c.error("stash_type other than 1 (float) is not supported");
  }
  void infer(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    require_float(*this, in[0], "X");
    require_float(*this, in[1], "Scale");
    require_float(*this, in.size() > 2 ? in[2] : nullptr, "B");
    const Shape& s = in[0]->shape;
    const int64_t r = static_cast<int64_t>(s.size());
    if (axis_ < -r || axis_ >= r) error("axis out of range");
    a_ = axis_ < 0 ? axis_ + r : axis_;
    outer_ = 1;
    norm_ = 1;
    for (int64_t i = 0; i < r; ++i) (i < a_ ? outer_ : norm_) *= s[i];
    const Shape tail(s.begin() + a_, s.end());
    for (size_t i = 1; i < in.size(); ++i) {
      if (in[i] && broadcast_shapes(in[i]->shape, tail, label) != tail) error("Scale/B must broadcast to " + shape_str(tail));
    }
    out[0]->dtype = ElemType::kFloat;
    out[0]->shape = s;
    for (size_t o = 1; o < out.size(); ++o) {
      out[o]->dtype = ElemType::kFloat;
      out[o]->shape = s;
      for (int64_t i = a_; i < r; ++i) out[o]->shape[i] = 1;
    }
  }
  void run(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const float* x = in[0]->as<const float>();
    const Tensor* sc = in[1];
    const Tensor* b = in.size() > 2 ? in[2] : nullptr;
    float* y = out[0]->as<float>();
    // Scale/B broadcast over the normalised block: index modulo their element count.
    const size_t ns = sc->numel(), nbias = b ? b->numel() : 1;
    for (int64_t o = 0; o < outer_; ++o) {
      const float* xp = x + o * norm_;
      double mean = 0;
      for (int64_t i = 0; i < norm_; ++i) mean += xp[i];
      mean /= norm_;
      double var = 0;
      for (int64_t i = 0; i < norm_; ++i) var += (xp[i] - mean) * (xp[i] - mean);
      var /= norm_;
      const double inv = 1.0 / std::sqrt(var + eps_);
      for (int64_t i = 0; i < norm_; ++i) {
        double v = (xp[i] - mean) * inv * sc->as<const float>()[static_cast<size_t>(i) % ns];
        if (b) v += b->as<const float>()[static_cast<size_t>(i) % nbias];
        y[o * norm_ + i] = static_cast<float>(v);
      }
      if (out.size() > 1) out[1]->as<float>()[o] = static_cast<float>(mean);
      if (out.size() > 2) out[2]->as<float>()[o] = static_cast<float>(inv);
    }
  }

 private:
  int64_t axis_;
  float eps_;
  int64_t a_ = 0, outer_ = 1, norm_ = 1;
};

// ---- ReduceMean / ReduceSum / ReduceMax / ReduceMin ----

enum class Reduce { kMean, kSum, kMax, kMin };

class ReduceOp : public Op {
 public:
  ReduceOp(const OpContext& c, Reduce k, int axes_input_since) : k_(k), from_input_(c.opset() >= axes_input_since) {
    c.check_inputs(1, from_input_ ? 2 : 1);
    keepdims_ = c.get_int("keepdims", 1) != 0;
    noop_ = c.get_int("noop_with_empty_axes", 0) != 0;
    if (!from_input_) axes_ = c.get_ints("axes");
  }
  std::vector<int> value_inputs() const override { return from_input_ ? std::vector<int>{1} : std::vector<int>{}; }
  void infer(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    std::vector<int64_t> axes = axes_;
    if (from_input_ && in.size() > 1 && in[1]) axes = to_int64s(*in[1], label + ": axes");
    const Shape& s = in[0]->shape;
    const size_t r = s.size();
    reduced_.assign(r, false);
    identity_ = axes.empty() && noop_;
    if (axes.empty() && !noop_) reduced_.assign(r, true);
    for (int64_t a : axes) {
      if (a < -static_cast<int64_t>(r) || a >= static_cast<int64_t>(r)) error("axis " + std::to_string(a) + " is out of range");
      reduced_[a < 0 ? a + r : a] = true;
    }
    Shape os;
    for (size_t i = 0; i < r; ++i) {
      if (!reduced_[i]) os.push_back(s[i]);
      else if (keepdims_) os.push_back(1);
    }
    if (identity_) os = s;
    if (in[0]->dtype == ElemType::kBool || in[0]->dtype == ElemType::kFloat16) error("element type not supported");
    out[0]->dtype = in[0]->dtype;
    out[0]->shape = os;
  }
  void run(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    dispatch_numeric(in[0]->dtype, label, [&](auto tag) {
      using T = decltype(tag);
      using Acc = std::conditional_t<std::is_floating_point_v<T>, double, int64_t>;
      const T* x = in[0]->as<const T>();
      T* y = out[0]->as<T>();
      const size_t n = in[0]->numel(), no = out[0]->numel();
      if (identity_) {
        std::memcpy(y, x, n * sizeof(T));
        return;
      }
      const Shape& s = in[0]->shape;
      const size_t r = s.size();
      // Output strides in input index space (0 on reduced axes).
      std::array<int64_t, kMaxLoopRank> ost{}, idx{};
      int64_t acc_stride = 1;
      for (size_t d = r; d-- > 0;) {
        if (!reduced_[d]) {
          ost[d] = acc_stride;
          acc_stride *= s[d];
        }
      }
      const bool is_max = k_ == Reduce::kMax, is_min = k_ == Reduce::kMin;
      // Accumulators live in the output buffer's worth of Acc values; kept on the op (sized at plan).
      acc_.resize(no * sizeof(Acc));
      Acc* acc = reinterpret_cast<Acc*>(acc_.data());
      const Acc init = is_max ? static_cast<Acc>(std::numeric_limits<T>::lowest()) : is_min ? static_cast<Acc>(std::numeric_limits<T>::max()) : Acc(0);
      for (size_t i = 0; i < no; ++i) acc[i] = init;
      if constexpr (std::is_floating_point_v<T>) {
        if (is_max || is_min) {
          for (size_t i = 0; i < no; ++i) acc[i] = is_max ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
        }
      }
      int64_t off = 0;
      for (size_t i = 0; i < n; ++i) {
        const Acc v = static_cast<Acc>(x[i]);
        Acc& a = acc[off];
        a = is_max ? std::max(a, v) : is_min ? std::min(a, v) : wrap_add(a, v);
        for (size_t d = r; d-- > 0;) {
          if (++idx[d] < s[d]) {
            off += ost[d];
            break;
          }
          off -= ost[d] * (s[d] - 1);
          idx[d] = 0;
        }
      }
      const size_t count = no ? n / no : 0;
      for (size_t i = 0; i < no; ++i) {
        if (k_ == Reduce::kMean) {
          if constexpr (std::is_floating_point_v<T>) {
            y[i] = count ? static_cast<T>(acc[i] / static_cast<Acc>(count)) : std::numeric_limits<T>::quiet_NaN();
          } else {
            y[i] = count ? static_cast<T>(acc[i] / static_cast<Acc>(count)) : T(0);
          }
        } else {
          y[i] = static_cast<T>(acc[i]);
        }
      }
    });
  }

 private:
  Reduce k_;
  bool from_input_, keepdims_ = true, noop_ = false, identity_ = false;
  std::vector<int64_t> axes_;
  std::vector<bool> reduced_;
  std::vector<uint8_t> acc_;
};

// ---- Resize (nearest, linear, cubic) ----
// Separable: per axis and output position a few taps (source index, weight), as in ONNX's reference
// (edge-clamped neighbours; exclude_outside drops taps outside the input and renormalises).

class ResizeOp : public Op {
 public:
  explicit ResizeOp(const OpContext& c) : v10_(c.opset() < 11) {
    c.check_inputs(v10_ ? 2 : 1, v10_ ? 2 : 4);
    mode_ = c.get_string("mode", "nearest");
    if (mode_ != "nearest" && mode_ != "linear" && mode_ != "cubic") c.error("mode '" + mode_ + "' is not supported (nearest, linear, cubic)");
    coord_ = c.get_string("coordinate_transformation_mode", v10_ ? "asymmetric" : "half_pixel");
    if (coord_ != "half_pixel" && coord_ != "pytorch_half_pixel" && coord_ != "align_corners" && coord_ != "asymmetric" &&
        coord_ != "tf_half_pixel_for_nn" && coord_ != "tf_crop_and_resize" && coord_ != "half_pixel_symmetric") {
      c.error("coordinate_transformation_mode '" + coord_ + "' is not supported");
    }
    nearest_ = c.get_string("nearest_mode", v10_ ? "floor" : "round_prefer_floor");
    if (nearest_ != "round_prefer_floor" && nearest_ != "round_prefer_ceil" && nearest_ != "floor" && nearest_ != "ceil") {
      c.error("nearest_mode '" + nearest_ + "' is not supported");
    }
    if (c.get_int("antialias", 0) != 0) c.error("antialias=1 is not supported");
    exclude_outside_ = c.get_int("exclude_outside", 0) != 0;
    cubic_a_ = c.get_float("cubic_coeff_a", -0.75f);
    policy_ = c.get_string("keep_aspect_ratio_policy", "stretch");
    if (policy_ != "stretch" && policy_ != "not_larger" && policy_ != "not_smaller") c.error("keep_aspect_ratio_policy '" + policy_ + "' is not supported");
    extrapolation_ = c.get_float("extrapolation_value", 0.0f);
    axes_ = c.get_ints("axes");
    taps_ = mode_ == "nearest" ? 1 : mode_ == "linear" ? 2 : 4;
  }
  std::vector<int> value_inputs() const override { return v10_ ? std::vector<int>{1} : std::vector<int>{1, 2, 3}; }
  void infer(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    // 8-bit data: nearest only (a copy of input elements; the int8 layout/DQ passes move Resize there).
    const bool q8 = in[0]->dtype == ElemType::kInt8 || in[0]->dtype == ElemType::kUInt8;
    if (q8 && (mode_ != "nearest" || coord_ == "tf_crop_and_resize")) {
      error("INT8/UINT8 X needs mode 'nearest' without tf_crop_and_resize");
    }
    if (!q8) require_float(*this, in[0], "X");
    const Shape& s = in[0]->shape;
    const size_t r = s.size();
    std::vector<int64_t> axes = axes_;
    if (axes.empty()) for (size_t i = 0; i < r; ++i) axes.push_back(static_cast<int64_t>(i));
    for (int64_t& a : axes) {
      if (a < -static_cast<int64_t>(r) || a >= static_cast<int64_t>(r)) error("axes entry out of range");
      if (a < 0) a += r;
    }
    const Tensor* roi = !v10_ && in.size() > 1 ? in[1] : nullptr;
    const Tensor* scales = v10_ ? in[1] : in.size() > 2 ? in[2] : nullptr;
    const Tensor* sizes = !v10_ && in.size() > 3 ? in[3] : nullptr;
    if (scales && scales->numel() == 0) scales = nullptr;
    if (sizes && sizes->numel() == 0) sizes = nullptr;
    if (!scales == !sizes) error("exactly one of scales and sizes must be given");
    scale_.assign(r, 1.0);
    Shape os = s;
    roi_start_.assign(r, 0.0);
    roi_end_.assign(r, 1.0);
    if (roi && roi->numel() > 0 && coord_ == "tf_crop_and_resize") {
      if (roi->dtype != ElemType::kFloat) error("roi must be FLOAT");
      if (roi->numel() != 2 * axes.size()) error("roi must have 2 entries per axis");
      for (size_t i = 0; i < axes.size(); ++i) {
        roi_start_[axes[i]] = roi->as<const float>()[i];
        roi_end_[axes[i]] = roi->as<const float>()[i + axes.size()];
      }
    }
    if (scales) {
      if (scales->dtype != ElemType::kFloat) error("scales must be FLOAT");
      if (scales->numel() != axes.size()) error("scales has " + std::to_string(scales->numel()) + " entries for " + std::to_string(axes.size()) + " axes");
      for (size_t i = 0; i < axes.size(); ++i) {
        const double sc = scales->as<const float>()[i];
        if (!(sc > 0)) error("scales must be positive");
        scale_[axes[i]] = sc;
        const double roi_len = coord_ == "tf_crop_and_resize" ? roi_end_[axes[i]] - roi_start_[axes[i]] : 1.0;
        const double len = std::floor(s[axes[i]] * roi_len * static_cast<float>(sc));
        if (!(len >= 0 && len <= 1e12)) error("scales give an invalid output size");
        os[axes[i]] = static_cast<int64_t>(len);
      }
    } else {
      const std::vector<int64_t> sz = to_int64s(*sizes, label + ": sizes");
      if (sz.size() != axes.size()) error("sizes has " + std::to_string(sz.size()) + " entries for " + std::to_string(axes.size()) + " axes");
      if (policy_ == "stretch") {
        for (size_t i = 0; i < axes.size(); ++i) {
          if (sz[i] < 0) error("sizes cannot be negative");
          os[axes[i]] = sz[i];
          scale_[axes[i]] = static_cast<float>(static_cast<double>(sz[i]) / s[axes[i]]);
        }
      } else {
        double sc = policy_ == "not_larger" ? std::numeric_limits<double>::infinity() : 0.0;
        for (size_t i = 0; i < axes.size(); ++i) {
          const double v = static_cast<double>(sz[i]) / s[axes[i]];
          sc = policy_ == "not_larger" ? std::min(sc, v) : std::max(sc, v);
        }
        for (int64_t a : axes) {
          scale_[a] = sc;
          const double len = std::nearbyint(s[a] * sc);
          if (!(len >= 0 && len <= 1e12)) error("sizes give an invalid output size");
          os[a] = static_cast<int64_t>(len);
        }
      }
    }
    out[0]->dtype = in[0]->dtype;
    out[0]->shape = os;
  }
  void prepare(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const Shape& s = in[0]->shape;
    const Shape& os = out[0]->shape;
    const size_t r = s.size();
    idx_.assign(r, {});
    wt_.assign(r, {});
    begin_.assign(r, {});
    outside_.assign(r, {});
    for (size_t d = 0; d < r; ++d) {
      const int64_t in_len = s[d], out_len = os[d];
      if (in_len == 0 && out_len > 0) error("cannot resize an empty axis");
      for (int64_t o = 0; o < out_len; ++o) {
        const double x = source_coord(o, d, in_len, out_len);
        outside_[d].push_back(coord_ == "tf_crop_and_resize" && (x < 0 || x > in_len - 1));
        begin_[d].push_back(static_cast<int64_t>(idx_[d].size()));
        add_taps(d, x, in_len);
      }
      begin_[d].push_back(static_cast<int64_t>(idx_[d].size()));
    }
  }
  void run(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    if (in[0]->dtype == ElemType::kInt8) run_t<int8_t>(in, out);
    else if (in[0]->dtype == ElemType::kUInt8) run_t<uint8_t>(in, out);
    else run_t<float>(in, out);
  }

 private:
  template <typename T>
  void run_t(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) const {
    const Shape& s = in[0]->shape;
    const Shape& os = out[0]->shape;
    const size_t r = s.size(), n = out[0]->numel();
    const auto ist = strides_of(s);
    const T* x = in[0]->as<const T>();
    T* y = out[0]->as<T>();
    std::array<int64_t, kMaxLoopRank> idx{}, tap{}, first{}, count{};
    for (size_t o = 0; o < n; ++o) {
      bool outside = false, empty = false;
      for (size_t d = 0; d < r; ++d) {
        outside = outside || outside_[d][idx[d]];
        first[d] = begin_[d][idx[d]];
        count[d] = begin_[d][idx[d] + 1] - first[d];
        empty = empty || count[d] == 0;
        tap[d] = 0;
      }
      if (outside) {
        y[o] = static_cast<T>(extrapolation_);
      } else if (empty) {
        y[o] = T(0);
      } else {
        // Odometer over the non-zero taps of every axis (identity axes have exactly one).
        double acc = 0;
        for (;;) {
          double w = 1;
          int64_t off = 0;
          for (size_t d = 0; d < r; ++d) {
            const size_t k = static_cast<size_t>(first[d] + tap[d]);
            w *= wt_[d][k];
            off += idx_[d][k] * ist[d];
          }
          acc += w * x[off];
          size_t d = r;
          while (d-- > 0) {
            if (++tap[d] < count[d]) break;
            tap[d] = 0;
          }
          if (d == static_cast<size_t>(-1)) break;
        }
        y[o] = static_cast<T>(acc);  // 8-bit: nearest, one tap of weight 1, exact
      }
      for (size_t d = r; d-- > 0;) {
        if (++idx[d] < os[d]) break;
        idx[d] = 0;
      }
    }
  }

 private:
  double source_coord(int64_t o, size_t d, int64_t in_len, int64_t out_len) const {
    const double sc = scale_[d];
    const double out_w = sc * in_len;  // ONNX's reference uses the fractional output length
    if (coord_ == "half_pixel") return (o + 0.5) / sc - 0.5;
    if (coord_ == "half_pixel_symmetric") {
      const double adjustment = out_len / out_w;
      const double offset = in_len / 2.0 * (1 - adjustment);
      return offset + (o + 0.5) / sc - 0.5;
    }
    if (coord_ == "pytorch_half_pixel") return out_w > 1 ? (o + 0.5) / sc - 0.5 : -0.5;
    if (coord_ == "align_corners") return out_w == 1 ? 0.0 : o * static_cast<double>(in_len - 1) / (out_w - 1);
    if (coord_ == "asymmetric") return o / sc;
    if (coord_ == "tf_half_pixel_for_nn") return (o + 0.5) / sc;
    const double a = roi_start_[d], b = roi_end_[d];  // tf_crop_and_resize
    const double x = out_len > 1 ? o * (b - a) * (in_len - 1) / (out_len - 1) : (b - a) * (in_len - 1) / 2;
    return x + a * (in_len - 1);
  }
  void add_taps(size_t d, double x, int64_t in_len) {
    // Beyond these bounds every tap clamps to the same edge: clamping keeps results and casts defined.
    x = std::isnan(x) ? 0.0 : std::clamp(x, -4.0, static_cast<double>(in_len) + 3.0);
    auto clamp_idx = [&](int64_t i) { return std::clamp<int64_t>(i, 0, in_len - 1); };
    if (mode_ == "nearest") {
      int64_t i;
      if (nearest_ == "floor") i = static_cast<int64_t>(std::floor(x));
      else if (nearest_ == "ceil") i = static_cast<int64_t>(std::ceil(x));
      else {
        const double f = std::floor(x);
        if (x - f == 0.5) i = static_cast<int64_t>(nearest_ == "round_prefer_ceil" ? f + 1 : f);
        else i = static_cast<int64_t>(std::round(x));
      }
      idx_[d].push_back(clamp_idx(i));
      wt_[d].push_back(1.0);
      return;  // nearest: one tap
    }
    const double f = std::floor(x), t = x - f;
    const int64_t base = static_cast<int64_t>(f);
    double c[4];
    int64_t at[4];
    if (mode_ == "linear") {
      c[0] = 1 - t;
      c[1] = t;
      at[0] = base;
      at[1] = base + 1;
    } else {
      const double A = cubic_a_;
      const double t1 = t + 1, t2 = 1 - t, t3 = 2 - t;
      c[0] = ((A * t1 - 5 * A) * t1 + 8 * A) * t1 - 4 * A;
      c[1] = ((A + 2) * t - (A + 3)) * t * t + 1;
      c[2] = ((A + 2) * t2 - (A + 3)) * t2 * t2 + 1;
      c[3] = ((A * t3 - 5 * A) * t3 + 8 * A) * t3 - 4 * A;
      for (int k = 0; k < 4; ++k) at[k] = base - 1 + k;
    }
    if (exclude_outside_) {
      double sum = 0;
      for (int k = 0; k < taps_; ++k) {
        if (at[k] < 0 || at[k] >= in_len) c[k] = 0;
        sum += c[k];
      }
      for (int k = 0; k < taps_; ++k) c[k] = sum != 0 ? c[k] / sum : 0;
    }
    for (int k = 0; k < taps_; ++k) {
      if (c[k] == 0) continue;  // only non-zero taps are stored
      idx_[d].push_back(clamp_idx(at[k]));
      wt_[d].push_back(c[k]);
    }
  }

  bool v10_;
  std::string mode_, coord_, nearest_, policy_;
  bool exclude_outside_ = false;
  double cubic_a_ = -0.75;
  float extrapolation_ = 0;
  int taps_ = 1;
  std::vector<int64_t> axes_;
  std::vector<double> scale_, roi_start_, roi_end_;
  std::vector<std::vector<int64_t>> idx_;
  std::vector<std::vector<double>> wt_;
  std::vector<std::vector<int64_t>> begin_;  // per axis: first tap of each output position (+ end)
  std::vector<std::vector<bool>> outside_;
};

}  // namespace

void register_nn_ops(OpRegistry& r) {
  add_op(r, "Conv", factory<ConvOp>());
  add_op(r, "ConvTranspose", factory<ConvTransposeOp>());
  add_op(r, "MaxPool", [](const OpContext& c) -> std::unique_ptr<Op> { return std::make_unique<PoolOp>(c, true); });
  add_op(r, "AveragePool", [](const OpContext& c) -> std::unique_ptr<Op> { return std::make_unique<PoolOp>(c, false); });
  add_op(r, "GlobalAveragePool", [](const OpContext& c) -> std::unique_ptr<Op> { return std::make_unique<GlobalPoolOp>(c, false); });
  add_op(r, "GlobalMaxPool", [](const OpContext& c) -> std::unique_ptr<Op> { return std::make_unique<GlobalPoolOp>(c, true); });
  add_op(r, "BatchNormalization", factory<BatchNormOp>());
  add_op(r, "Gemm", factory<GemmOp>());
  add_op(r, "MatMul", factory<MatMulOp>());
  add_op(r, "Softmax", [](const OpContext& c) -> std::unique_ptr<Op> { return std::make_unique<SoftmaxOp>(c, false); });
  add_op(r, "LogSoftmax", [](const OpContext& c) -> std::unique_ptr<Op> { return std::make_unique<SoftmaxOp>(c, true); });
  add_op(r, "LayerNormalization", factory<LayerNormOp>());
  add_op(r, "ReduceMean", [](const OpContext& c) -> std::unique_ptr<Op> { return std::make_unique<ReduceOp>(c, Reduce::kMean, 18); });
  add_op(r, "ReduceSum", [](const OpContext& c) -> std::unique_ptr<Op> { return std::make_unique<ReduceOp>(c, Reduce::kSum, 13); });
  add_op(r, "ReduceMax", [](const OpContext& c) -> std::unique_ptr<Op> { return std::make_unique<ReduceOp>(c, Reduce::kMax, 18); });
  add_op(r, "ReduceMin", [](const OpContext& c) -> std::unique_ptr<Op> { return std::make_unique<ReduceOp>(c, Reduce::kMin, 18); });
  add_op(r, "Resize", factory<ResizeOp>());
}

}  // namespace wasmq::rt
