// Quantized ONNX ops on the int8 kernels: QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear,
// MatMulInteger, QLinearMatMul, and com.microsoft QLinearAdd/QLinearMul/QLinearSigmoid/QLinearLeakyRelu/
// QLinearGlobalAveragePool/QGemm.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>

#include "kernels/elementwise/elementwise.h"
#include "kernels/lut/lut.h"
#include "kernels/pool/pool.h"
#include "kernels/vcvt/vcvt.h"
#include "runtime/quant_common.h"

namespace wasmq::rt {
namespace {

using namespace quant;

template <typename T>
OpFactory factory() {
  return [](const OpContext& c) -> std::unique_ptr<Op> { return std::make_unique<T>(c); };
}

// ---- QuantizeLinear / DequantizeLinear: parameter layout ----

// x viewed as [outer][dim][inner] around `axis`; the scale is per tensor, per axis (1-D of `dim`
// values) or blocked (same rank as x, dim replaced by ceil(dim / block)).
struct QdqLayout {
  enum Mode { kTensor, kAxis, kBlock } mode = kTensor;
  size_t outer = 1, dim = 1, inner = 1, block = 0, nblocks = 0;
};

QdqLayout resolve_qdq(const Op& op, const Shape& x, const Tensor& scale, const Tensor* zp, int64_t axis, int64_t block) {
  QdqLayout L;
  const size_t sn = scale.numel();
  if (zp && zp->shape != scale.shape) op.error("zero point shape " + shape_str(zp->shape) + " differs from scale shape " + shape_str(scale.shape));
  if (block == 0 && sn == 1 && scale.shape.size() <= 1) return L;
  const int64_t r = static_cast<int64_t>(x.size());
  if (axis < -r || axis >= r) op.error("axis " + std::to_string(axis) + " is out of range for input " + shape_str(x));
  const size_t ax = static_cast<size_t>(axis < 0 ? axis + r : axis);
  for (size_t i = 0; i < ax; ++i) L.outer *= static_cast<size_t>(x[i]);
  L.dim = static_cast<size_t>(x[ax]);
  for (size_t i = ax + 1; i < x.size(); ++i) L.inner *= static_cast<size_t>(x[i]);
  if (block == 0) {
    if (scale.shape.size() != 1 || static_cast<size_t>(scale.shape[0]) != L.dim) {
      op.error("scale " + shape_str(scale.shape) + " must be a scalar or 1-D of size " + std::to_string(L.dim) + " (axis " + std::to_string(ax) + ")");
    }
    L.mode = QdqLayout::kAxis;
    return L;
  }
  if (block < 0) op.error("block_size must be positive");
  L.mode = QdqLayout::kBlock;
  L.block = static_cast<size_t>(block);
  L.nblocks = (L.dim + L.block - 1) / L.block;
  Shape want = x;
  want[ax] = static_cast<int64_t>(L.nblocks);
  if (scale.shape != want) op.error("blocked scale must have shape " + shape_str(want) + " (got " + shape_str(scale.shape) + ")");
  return L;
}

// Calls f(offset, count, param_index) over runs of elements sharing one parameter.
template <typename F>
void for_each_run(const QdqLayout& L, size_t numel, F&& f) {
  switch (L.mode) {
    case QdqLayout::kTensor: f(size_t{0}, numel, size_t{0}); break;
    case QdqLayout::kAxis:
      for (size_t o = 0; o < L.outer; ++o)
        for (size_t d = 0; d < L.dim; ++d) f((o * L.dim + d) * L.inner, L.inner, d);
      break;
    case QdqLayout::kBlock:
      for (size_t o = 0; o < L.outer; ++o) {
        if (L.inner == 1) {
          for (size_t b = 0; b < L.nblocks; ++b) {
            const size_t d0 = b * L.block;
            f(o * L.dim + d0, std::min(L.block, L.dim - d0), o * L.nblocks + b);
          }
        } else {
          for (size_t d = 0; d < L.dim; ++d)
            for (size_t i = 0; i < L.inner; ++i) f((o * L.dim + d) * L.inner + i, size_t{1}, (o * L.nblocks + d / L.block) * L.inner + i);
        }
      }
      break;
  }
}

class QuantizeLinearOp : public Op {
 public:
  explicit QuantizeLinearOp(const OpContext& c)
      : axis_(c.get_int("axis", 1)), block_(c.get_int("block_size", 0)), opset_(c.opset()) {
    c.check_inputs(2, 3);
    const int64_t od = c.get_int("output_dtype", 0);
    if (od != 0) {
      out_attr_ = static_cast<ElemType>(od);
      if (out_attr_ != ElemType::kInt8 && out_attr_ != ElemType::kUInt8 && out_attr_ != ElemType::kInt16) {
        c.error("output_dtype " + onnx::elem_onnx_name(out_attr_) + " is not supported (INT8, UINT8 and INT16 are; 4-bit, UINT16 and float8 tensors are not stored by wasmq)");
      }
    }
    if (c.get_int("saturate", 1) != 1) c.error("saturate=0 applies to float8 outputs, which are not supported");
    if (opset_ < 13 && c.has("axis")) c.error("attribute 'axis' needs opset 13");
  }
  void infer(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    if (in[0]->dtype != ElemType::kFloat) error("x must be FLOAT (got " + onnx::elem_onnx_name(in[0]->dtype) + ")");
    if (in[1]->dtype != ElemType::kFloat) error("y_scale must be FLOAT");
    const Tensor* zp = in.size() > 2 ? in[2] : nullptr;
    ElemType t = zp ? zp->dtype : (out_attr_ != ElemType::kUndefined ? out_attr_ : ElemType::kUInt8);
    if (zp && out_attr_ != ElemType::kUndefined && zp->dtype != out_attr_) error("output_dtype differs from y_zero_point's type");
    if (!is_q8(t) && t != ElemType::kInt16) error("output type " + onnx::elem_onnx_name(t) + " is not supported (INT8, UINT8 and INT16 are)");
    resolve_qdq(*this, in[0]->shape, *in[1], zp, axis_, block_);
    out[0]->dtype = t;
    out[0]->shape = in[0]->shape;
  }
  void run(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const Tensor* zp = in.size() > 2 ? in[2] : nullptr;
    const QdqLayout L = resolve_qdq(*this, in[0]->shape, *in[1], zp, axis_, block_);
    read_scales(*this, in[1], "y_scale", scale_);
    read_zero_points(*this, zp, "y_zero_point", zp_);
    const ElemType t = out[0]->dtype;
    const float* x = in[0]->as<const float>();
    const VcvtConfig& v = vcvt_config();
    for_each_run(L, in[0]->numel(), [&](size_t off, size_t n, size_t pi) {
      const QuantizeParams p{scale_[pi], static_cast<float>(zp_.size() == 1 ? zp_[0] : zp_[pi]),
                             static_cast<float>(qmin_of(t)), static_cast<float>(qmax_of(t))};
      if (t == ElemType::kInt8) v.f32_qs8(n, x + off, out[0]->as<int8_t>() + off, p);
      else if (t == ElemType::kUInt8) v.f32_qu8(n, x + off, out[0]->as<uint8_t>() + off, p);
      else f32_qs16_vcvt__scalar(n, x + off, out[0]->as<int16_t>() + off, p);
    });
  }

 private:
  int64_t axis_, block_;
  int opset_;
  ElemType out_attr_ = ElemType::kUndefined;
  std::vector<float> scale_;
  std::vector<int32_t> zp_;
};

class DequantizeLinearOp : public Op {
 public:
  explicit DequantizeLinearOp(const OpContext& c) : axis_(c.get_int("axis", 1)), block_(c.get_int("block_size", 0)) {
    c.check_inputs(2, 3);
    if (c.opset() < 13 && c.has("axis")) c.error("attribute 'axis' needs opset 13");
  }
  void infer(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const ElemType t = in[0]->dtype;
    if (!is_q8(t) && t != ElemType::kInt16 && t != ElemType::kInt32) error("x must be INT8, UINT8, INT16 or INT32 (got " + onnx::elem_onnx_name(t) + ")");
    if (in[1]->dtype != ElemType::kFloat) error("x_scale must be FLOAT (FLOAT16 scales are not supported)");
    const Tensor* zp = in.size() > 2 ? in[2] : nullptr;
    if (zp && zp->dtype != t) error("x_zero_point type differs from x's");
    resolve_qdq(*this, in[0]->shape, *in[1], zp, axis_, block_);
    out[0]->dtype = ElemType::kFloat;
    out[0]->shape = in[0]->shape;
  }
  void run(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const Tensor* zp = in.size() > 2 ? in[2] : nullptr;
    const QdqLayout L = resolve_qdq(*this, in[0]->shape, *in[1], zp, axis_, block_);
    read_scales(*this, in[1], "x_scale", scale_);
    read_zero_points(*this, zp, "x_zero_point", zp_);
    const ElemType t = in[0]->dtype;
    float* y = out[0]->as<float>();
    const VcvtConfig& v = vcvt_config();
    for_each_run(L, in[0]->numel(), [&](size_t off, size_t n, size_t pi) {
      const DequantizeParams p{scale_[pi], zp_.size() == 1 ? zp_[0] : zp_[pi]};
      if (t == ElemType::kInt8) {
        v.qs8_f32(n, in[0]->as<const int8_t>() + off, y + off, p);
      } else if (t == ElemType::kUInt8) {
        v.qu8_f32(n, in[0]->as<const uint8_t>() + off, y + off, p);
      } else if (t == ElemType::kInt16) {
        qs16_f32_vcvt__scalar(n, in[0]->as<const int16_t>() + off, y + off, p);
      } else {
        const int32_t* x = in[0]->as<const int32_t>() + off;
        for (size_t i = 0; i < n; ++i) y[off + i] = static_cast<float>(static_cast<double>(x[i]) - p.zero_point) * p.scale;
      }
    });
  }

 private:
  int64_t axis_, block_;
  std::vector<float> scale_;
  std::vector<int32_t> zp_;
};

// ONNX DynamicQuantizeLinear: uint8, rmin = min(0, min x), rmax = max(0, max x),
// scale = (rmax - rmin) / 255, zp = saturate(round(-rmin / scale)), y = saturate(round(x / scale) + zp).
// All-zero input (scale 0): scale 1, zp 0 (as the qd8 kernels; ONNX leaves it undefined).
class DynamicQuantizeLinearOp : public Op {
 public:
  explicit DynamicQuantizeLinearOp(const OpContext& c) { c.check_inputs(1, 1); }
  void infer(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    if (in[0]->dtype != ElemType::kFloat) error("x must be FLOAT");
    if (out.size() != 3) error("expects 3 outputs (y, y_scale, y_zero_point)");
    out[0]->dtype = ElemType::kUInt8;
    out[0]->shape = in[0]->shape;
    out[1]->dtype = ElemType::kFloat;
    out[1]->shape = {};
    out[2]->dtype = ElemType::kUInt8;
    out[2]->shape = {};
  }
  void run(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const float* x = in[0]->as<const float>();
    const size_t n = in[0]->numel();
    float lo = 0.0f, hi = 0.0f;
    for (size_t i = 0; i < n; ++i) {
      if (std::isnan(x[i])) error("input contains NaN at index " + std::to_string(i));
      lo = std::min(lo, x[i]);
      hi = std::max(hi, x[i]);
    }
    float scale = (hi - lo) / 255.0f;
    float zp = 0.0f;
    if (scale == 0.0f || !std::isfinite(scale)) {
      if (!std::isfinite(scale)) error("input range is not finite");
      scale = 1.0f;
    } else {
      zp = std::nearbyint(std::min(255.0f, std::max(0.0f, 0.0f - lo / scale)));
    }
    vcvt_config().f32_qu8(n, x, out[0]->as<uint8_t>(), QuantizeParams{scale, zp, 0.0f, 255.0f});
    *out[1]->as<float>() = scale;
    *out[2]->as<uint8_t>() = static_cast<uint8_t>(zp);
  }
};

// ---- MatMulInteger / QLinearMatMul ----

// numpy-style matmul shape handling shared by both ops.
struct MatMulGeometry {
  size_t m = 0, k = 0, n = 0, batch = 1, a_batches = 1, b_batches = 1;
  std::vector<size_t> a_index, b_index;  // per output batch
  Shape out;
  void resolve(const Op& op, const Shape& as, const Shape& bs) {
    if (as.empty() || bs.empty()) op.error("inputs must have rank >= 1");
    Shape a = as, b = bs;
    const bool a1 = a.size() == 1, b1 = b.size() == 1;
    if (a1) a.insert(a.begin(), 1);
    if (b1) b.push_back(1);
    m = static_cast<size_t>(a[a.size() - 2]);
    k = static_cast<size_t>(a.back());
    if (b[b.size() - 2] != a.back()) op.error("A " + shape_str(as) + " and B " + shape_str(bs) + " have different K");
    n = static_cast<size_t>(b.back());
    const Shape ab(a.begin(), a.end() - 2), bb(b.begin(), b.end() - 2);
    const Shape ob = broadcast_shapes(ab, bb, op.label);
    batch = numel_of(ob);
    a_batches = numel_of(ab);
    b_batches = numel_of(bb);
    a_index.assign(batch, 0);
    b_index.assign(batch, 0);
    // Map each output batch to the A and B batches (right-aligned broadcasting).
    const size_t r = ob.size();
    std::vector<int64_t> idx(r, 0);
    for (size_t t = 0; t < batch; ++t) {
      size_t ai = 0, bi = 0;
      for (size_t d = 0; d < r; ++d) {
        const size_t da = d + ab.size() >= r ? d + ab.size() - r : SIZE_MAX;
        const size_t db = d + bb.size() >= r ? d + bb.size() - r : SIZE_MAX;
        if (da != SIZE_MAX) ai = ai * ab[da] + (ab[da] == 1 ? 0 : idx[d]);
        if (db != SIZE_MAX) bi = bi * bb[db] + (bb[db] == 1 ? 0 : idx[d]);
      }
      a_index[t] = ai;
      b_index[t] = bi;
      for (size_t d = r; d-- > 0;) {
        if (++idx[d] < ob[d]) break;
        idx[d] = 0;
      }
    }
    out = ob;
    if (!a1) out.push_back(static_cast<int64_t>(m));
    if (!b1) out.push_back(static_cast<int64_t>(n));
  }
};

class QMatMulOp : public Op {
 public:
  // qlinear: QLinearMatMul (a, a_scale, a_zp, b, b_scale, b_zp, y_scale, y_zp); else MatMulInteger (a, b, a_zp, b_zp).
  QMatMulOp(const OpContext& c, bool qlinear) : qlinear_(qlinear) {
    if (qlinear) c.check_inputs(8, 8);
    else c.check_inputs(2, 4);
  }
  void infer(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const Tensor* a = in[0];
    const Tensor* b = in[bi()];
    if (!is_q8(a->dtype)) error("A must be INT8 or UINT8 (got " + onnx::elem_onnx_name(a->dtype) + ")");
    if (!is_q8(b->dtype)) error("B must be INT8 or UINT8 (got " + onnx::elem_onnx_name(b->dtype) + ")");
    g_.resolve(*this, a->shape, b->shape);
    const Tensor* azp = zp_in(in, true);
    const Tensor* bzp = zp_in(in, false);
    if (azp && azp->dtype != a->dtype) error("a_zero_point type differs from A's");
    if (bzp && bzp->dtype != b->dtype) error("b_zero_point type differs from B's");
    if (azp) a_zp_per_row_ = check_param_size(*this, azp->numel(), azp->shape.size(), g_.m, "a_zero_point");
    if (qlinear_ && a_zp_per_row_) error("a_zero_point must be a scalar");
    if (bzp) b_zp_per_col_ = check_param_size(*this, bzp->numel(), bzp->shape.size(), g_.n, "b_zero_point");
    if (qlinear_) {
      check_param_size(*this, in[1]->numel(), in[1]->shape.size(), 1, "a_scale");
      b_scale_per_col_ = check_param_size(*this, in[4]->numel(), in[4]->shape.size(), g_.n, "b_scale");
      check_param_size(*this, in[6]->numel(), in[6]->shape.size(), 1, "y_scale");
      if (!is_q8(in[7]->dtype)) error("y_zero_point must be INT8 or UINT8");
      out[0]->dtype = in[7]->dtype;
    } else {
      out[0]->dtype = ElemType::kInt32;
    }
    out[0]->shape = g_.out;
  }
  void prepare(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const Tensor* b = in[bi()];
    const Tensor* bzp = zp_in(in, false);
    b_const_ = b->data != nullptr && (!bzp || bzp->data != nullptr);
    packed_valid_ = false;
    if (b_const_) pack_b(in);
  }
  void run(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    if (!b_const_ || !packed_valid_) pack_b(in);
    const Tensor* a = in[0];
    const bool au = a->dtype == ElemType::kUInt8;
    read_zero_points(*this, zp_in(in, true), "a_zero_point", a_zp_);
    const size_t mk = g_.m * g_.k, mn = g_.m * g_.n;
    const auto* abase = static_cast<const uint8_t*>(a->data);
    if (!qlinear_) {
      for (size_t t = 0; t < g_.batch; ++t) {
        gemm_acc32(packed_[g_.b_index[t]], g_.m, abase + g_.a_index[t] * mk, au, g_.k, a_zp_.data(), a_zp_per_row_ ? 1 : 0,
                   out[0]->as<int32_t>() + t * mn, g_.n, pad_row_);
      }
      return;
    }
    read_scales(*this, in[1], "a_scale", a_scale_);
    read_scales(*this, in[4], "b_scale", b_scale_);
    read_scales(*this, in[6], "y_scale", y_scale_);
    read_zero_points(*this, in[7], "y_zero_point", y_zp_);
    scale_.resize(g_.n);
    for (size_t j = 0; j < g_.n; ++j) scale_[j] = a_scale_[0] * b_scale_[b_scale_per_col_ ? j : 0] / y_scale_[0];
    const ElemType yt = out[0]->dtype;
    const int32_t qmin = qmin_of(yt), qmax = qmax_of(yt);
    auto* ybase = static_cast<uint8_t*>(out[0]->data);
    for (size_t t = 0; t < g_.batch; ++t) {
      const PackedQ8Weights& w = packed_[g_.b_index[t]];
      const uint8_t* at = abase + g_.a_index[t] * mk;
      if (!w.needs_corr && yt == a->dtype) {
        gemm_minmax(w, g_.m, at, au, g_.k, a_zp_[0], scale_.data(), y_zp_[0], qmin, qmax, ybase + t * mn, g_.n, pad_row_);
        continue;
      }
      acc_.resize(mn);
      gemm_acc32(w, g_.m, at, au, g_.k, a_zp_.data(), 0, acc_.data(), g_.n, pad_row_);
      for (size_t i = 0; i < g_.m; ++i) {
        for (size_t j = 0; j < g_.n; ++j) {
          const int32_t q = requantize_fp32(acc_[i * g_.n + j], scale_[j], y_zp_[0], qmin, qmax);
          ybase[t * mn + i * g_.n + j] = static_cast<uint8_t>(q);
        }
      }
    }
  }

 private:
  size_t bi() const { return qlinear_ ? 3 : 1; }
  const Tensor* zp_in(const std::vector<const Tensor*>& in, bool a) const {
    const size_t i = qlinear_ ? (a ? 2 : 5) : (a ? 2 : 3);
    return i < in.size() ? in[i] : nullptr;
  }
  void pack_b(const std::vector<const Tensor*>& in) {
    const Tensor* b = in[bi()];
    read_zero_points(*this, zp_in(in, false), "b_zero_point", b_zp_);
    for (int32_t z : b_zp_) {
      if (z < qmin_of(b->dtype) || z > qmax_of(b->dtype)) error("b_zero_point " + std::to_string(z) + " is outside B's range");
    }
    packed_.resize(g_.b_batches);
    const size_t kn = g_.k * g_.n;
    for (size_t t = 0; t < g_.b_batches; ++t) {
      // B[k][n]: element (n, k) at n + k * N.
      packed_[t].pack(g_.n, g_.k, static_cast<const uint8_t*>(b->data) + t * kn, b->dtype == ElemType::kUInt8, 1, g_.n,
                      b_zp_.data(), b_zp_per_col_, nullptr);
    }
    packed_valid_ = true;
  }

  bool qlinear_;
  MatMulGeometry g_;
  bool a_zp_per_row_ = false, b_zp_per_col_ = false, b_scale_per_col_ = false;
  bool b_const_ = false, packed_valid_ = false;
  std::vector<PackedQ8Weights> packed_;
  std::vector<int32_t> a_zp_, b_zp_, y_zp_, acc_;
  std::vector<float> a_scale_, b_scale_, y_scale_, scale_;
  std::vector<uint8_t> pad_row_;
};

// ---- com.microsoft QLinearAdd / QLinearMul ----

// Reads a per-tensor (scalar) scale/zero point.
float scalar_scale(const Op& op, const Tensor* t, const char* what) {
  if (!t || !t->data) op.error(std::string(what) + " is missing");
  if (t->dtype != ElemType::kFloat || t->numel() != 1) op.error(std::string(what) + " must be a FLOAT scalar (per-tensor)");
  return *t->as<const float>();
}
int32_t scalar_zp(const Op& op, const Tensor* t, ElemType type, const char* what) {
  if (!t) return 0;
  if (!t->data) op.error(std::string(what) + " has no data");
  if (t->dtype != type || t->numel() != 1) op.error(std::string(what) + " must be a scalar of the data's type");
  if (type == ElemType::kInt16) return *t->as<const int16_t>();
  return type == ElemType::kInt8 ? *t->as<const int8_t>() : *t->as<const uint8_t>();
}

// Copies `src` (shape s) broadcast to shape `to` into dst, elements of `es` bytes.
void expand_elems(const uint8_t* src, size_t es, const Shape& s, const Shape& to, uint8_t* dst) {
  const size_t r = to.size();
  Shape sp(r, 1);
  for (size_t i = 0; i < s.size(); ++i) sp[r - s.size() + i] = s[i];
  const std::vector<int64_t> st = strides_of(sp);
  std::vector<int64_t> idx(r, 0);
  const size_t n = numel_of(to);
  for (size_t t = 0; t < n; ++t) {
    int64_t off = 0;
    for (size_t d = 0; d < r; ++d) off += sp[d] == 1 ? 0 : idx[d] * st[d];
    std::memcpy(dst + t * es, src + static_cast<size_t>(off) * es, es);
    for (size_t d = r; d-- > 0;) {
      if (++idx[d] < to[d]) break;
      idx[d] = 0;
    }
  }
}

int32_t code_at(const Tensor& t, size_t i) {
  switch (t.dtype) {
    case ElemType::kInt8: return t.as<const int8_t>()[i];
    case ElemType::kUInt8: return t.as<const uint8_t>()[i];
    default: return t.as<const int16_t>()[i];
  }
}

// Copies `src` (shape s) broadcast to shape `to` into dst (n bytes per element = 1).
void expand_u8(const uint8_t* src, const Shape& s, const Shape& to, uint8_t* dst) { expand_elems(src, 1, s, to, dst); }

class QBinaryOp : public Op {
 public:
  QBinaryOp(const OpContext& c, bool mul) : mul_(mul) { c.check_inputs(7, 8); }
  void infer(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const ElemType t = in[0]->dtype, tb = in[3]->dtype;
    // A16W8: an INT16 C_zero_point gives an int16 output; INT16 inputs (with INT8 ones) are computed
    // in double (wide_run), e.g. the hard-swish chain of an int16 conv output.
    wide_ = t == ElemType::kInt16 || tb == ElemType::kInt16;
    if (wide_) {
      for (ElemType e : {t, tb}) if (e != ElemType::kInt8 && e != ElemType::kInt16) error("with an INT16 input, A and B must be INT8 or INT16");
    } else {
      if (!is_q8(t)) error("A must be INT8, UINT8 or INT16");
      if (tb != t) error("A and B must have the same type");
    }
    const bool y16 = in.size() > 7 && in[7] && in[7]->dtype == ElemType::kInt16;
    if (y16 && t == ElemType::kUInt8) error("an INT16 output needs INT8 or INT16 inputs");
    out[0]->dtype = y16 ? ElemType::kInt16 : wide_ ? (in.size() > 7 && in[7] ? in[7]->dtype : ElemType::kInt8) : t;
    if (wide_ && out[0]->dtype != ElemType::kInt8 && out[0]->dtype != ElemType::kInt16) error("with an INT16 input, C must be INT8 or INT16");
    out[0]->shape = broadcast_shapes(in[0]->shape, in[3]->shape, label);
  }
  void run(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    if (wide_) {
      wide_run(in, out[0]);
      return;
    }
    const ElemType t = in[0]->dtype;
    const bool s8 = t == ElemType::kInt8;
    const float sa = scalar_scale(*this, in[1], "A_scale"), sb = scalar_scale(*this, in[4], "B_scale"),
                sy = scalar_scale(*this, in[6], "C_scale");
    const ElemType yt = out[0]->dtype;
    const int32_t za = scalar_zp(*this, in[2], t, "A_zero_point"), zb = scalar_zp(*this, in[5], t, "B_zero_point"),
                  zy = scalar_zp(*this, in.size() > 7 ? in[7] : nullptr, yt, "C_zero_point");
    const Shape& os = out[0]->shape;
    const size_t n = numel_of(os);
    // Operand views: full, last-dims suffix (channel) or scalar; anything else is expanded once.
    BinaryShape bs{1, n, Broadcast::kFull, Broadcast::kFull};
    const void* pa = in[0]->data;
    const void* pb = in[3]->data;
    const size_t na = in[0]->numel(), nb = in[3]->numel();
    auto suffix = [&](const Shape& s) {
      const size_t off = os.size() - s.size();
      size_t lead = 0;
      while (lead < s.size() && s[lead] == 1) ++lead;
      for (size_t i = lead; i < s.size(); ++i) if (s[i] != os[off + i]) return false;
      return true;
    };
    auto classify = [&](const Tensor* x, size_t nx, const void*& p, std::vector<uint8_t>& tmp) -> Broadcast {
      if (nx == n) return Broadcast::kFull;
      if (nx == 1) return Broadcast::kScalar;
      if (suffix(x->shape)) return Broadcast::kChannel;
      tmp.resize(n);
      expand_u8(static_cast<const uint8_t*>(x->data), x->shape, os, tmp.data());
      p = tmp.data();
      return Broadcast::kFull;
    };
    bs.a = classify(in[0], na, pa, ta_);
    bs.b = classify(in[3], nb, pb, tb_);
    size_t ch = n;
    if (bs.a == Broadcast::kChannel) ch = na;
    if (bs.b == Broadcast::kChannel) ch = nb;
    if (bs.a == Broadcast::kChannel && bs.b == Broadcast::kChannel && na != nb) {
      // Two different suffixes: expand the shorter one.
      if (na < nb) { ta_.resize(n); expand_u8(static_cast<const uint8_t*>(in[0]->data), in[0]->shape, os, ta_.data()); pa = ta_.data(); bs.a = Broadcast::kFull; ch = nb; }
      else { tb_.resize(n); expand_u8(static_cast<const uint8_t*>(in[3]->data), in[3]->shape, os, tb_.data()); pb = tb_.data(); bs.b = Broadcast::kFull; ch = na; }
    }
    if (bs.a == Broadcast::kScalar && bs.b == Broadcast::kScalar) ch = n;
    bs.channels = ch;
    bs.rows = ch ? n / ch : 0;
    if (n == 0) return;
    if (yt == ElemType::kInt16) {
      const auto* a8 = static_cast<const int8_t*>(pa);
      const auto* b8 = static_cast<const int8_t*>(pb);
      if (mul_) qs8_qs16_mul(bs, a8, b8, out[0]->as<int16_t>(), make_qs8_qs16_mul_params(sa, za, sb, zb, sy, zy), 0, bs.rows);
      else qs8_qs16_add(bs, a8, b8, out[0]->as<int16_t>(), make_qs8_qs16_add_params(sa, za, sb, zb, sy, zy), 0, bs.rows);
      return;
    }
    if (mul_) {
      if (s8) qs8_mul(bs, static_cast<const int8_t*>(pa), static_cast<const int8_t*>(pb), out[0]->as<int8_t>(), make_qs8_mul_params(sa, za, sb, zb, sy, zy), 0, bs.rows);
      else qu8_mul(bs, static_cast<const uint8_t*>(pa), static_cast<const uint8_t*>(pb), out[0]->as<uint8_t>(), make_qu8_mul_params(sa, za, sb, zb, sy, zy), 0, bs.rows);
    } else {
      if (s8) qs8_add(bs, static_cast<const int8_t*>(pa), static_cast<const int8_t*>(pb), out[0]->as<int8_t>(), make_qs8_add_params(sa, za, sb, zb, sy, zy), 0, bs.rows);
      else qu8_add(bs, static_cast<const uint8_t*>(pa), static_cast<const uint8_t*>(pb), out[0]->as<uint8_t>(), make_qu8_add_params(sa, za, sb, zb, sy, zy), 0, bs.rows);
    }
  }

 private:
  // y = saturate(round_half_even(v / sy) + zy) with v = sa (a - za) + sb (b - zb) or
  // sa sb (a - za) (b - zb), in double: the definition for int16 inputs (a Q14 multiplier would cost
  // an int16 input most of its precision), which the Lut pass tabulates for the hard-swish chain.
  void wide_run(const std::vector<const Tensor*>& in, Tensor* out) {
    const ElemType ta = in[0]->dtype, tb = in[3]->dtype, ty = out->dtype;
    const double sa = scalar_scale(*this, in[1], "A_scale"), sb = scalar_scale(*this, in[4], "B_scale"),
                 sy = scalar_scale(*this, in[6], "C_scale");
    const int32_t za = scalar_zp(*this, in[2], ta, "A_zero_point"), zb = scalar_zp(*this, in[5], tb, "B_zero_point"),
                  zy = scalar_zp(*this, in.size() > 7 ? in[7] : nullptr, ty, "C_zero_point");
    const Shape& os = out->shape;
    const size_t n = numel_of(os);
    const Tensor* ops[2] = {in[0], in[3]};
    std::vector<uint8_t>* tmp[2] = {&ta_, &tb_};
    const Tensor* full[2] = {nullptr, nullptr};
    Tensor views[2];
    for (int i = 0; i < 2; ++i) {
      if (ops[i]->numel() == n) {
        full[i] = ops[i];
        continue;
      }
      const size_t es = onnx::elem_size(ops[i]->dtype);
      tmp[i]->resize(n * es);
      expand_elems(static_cast<const uint8_t*>(ops[i]->data), es, ops[i]->shape, os, tmp[i]->data());
      views[i].dtype = ops[i]->dtype;
      views[i].data = tmp[i]->data();
      full[i] = &views[i];
    }
    const double lo = qmin_of(ty), hi = qmax_of(ty);
    for (size_t i = 0; i < n; ++i) {
      const double a = code_at(*full[0], i) - za, b = code_at(*full[1], i) - zb;
      const double v = mul_ ? sa * sb * a * b : sa * a + sb * b;
      const double q = std::min(hi, std::max(lo, std::nearbyint(v / sy) + zy));
      if (ty == ElemType::kInt16) out->as<int16_t>()[i] = static_cast<int16_t>(q);
      else out->as<int8_t>()[i] = static_cast<int8_t>(q);
    }
  }

  bool mul_, wide_ = false;
  std::vector<uint8_t> ta_, tb_;
};

// ---- com.microsoft QLinearSigmoid / QLinearLeakyRelu: 256-entry tables ----

class QLutOp : public Op {
 public:
  QLutOp(const OpContext& c, LutActivation act) : act_(act), alpha_(c.get_float("alpha", 0.01f)) { c.check_inputs(4, 5); }
  void infer(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    if (!is_q8(in[0]->dtype)) error("X must be INT8 or UINT8");
    out[0]->dtype = in[0]->dtype;
    out[0]->shape = in[0]->shape;
  }
  void run(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const ElemType t = in[0]->dtype;
    const bool s8 = t == ElemType::kInt8;
    const LutQuant qi{scalar_scale(*this, in[1], "X_scale"), scalar_zp(*this, in[2], t, "X_zero_point"), s8};
    const LutQuant qo{scalar_scale(*this, in[3], "Y_scale"), scalar_zp(*this, in.size() > 4 ? in[4] : nullptr, t, "Y_zero_point"), s8};
    if (!built_ || qi.scale != qi_.scale || qi.zero_point != qi_.zero_point || qo.scale != qo_.scale ||
        qo.zero_point != qo_.zero_point || s8 != qi_.is_signed) {
      build_lut(qi, qo, lut_activation(act_, alpha_), table_.data());
      qi_ = qi;
      qo_ = qo;
      built_ = true;
    }
    x8_lut_config()(in[0]->numel(), static_cast<const uint8_t*>(in[0]->data), static_cast<uint8_t*>(out[0]->data), table_.data());
  }

 private:
  LutActivation act_;
  float alpha_;
  bool built_ = false;
  LutQuant qi_{}, qo_{};
  std::array<uint8_t, 256> table_{};
};

// ---- wasmq Lut: y[i] = table[byte(x[i])], the fused form of an elementwise chain (fuse_lut.h) ----
// Inputs: x (8-bit), table (UINT8 [256], or INT16 [256] for an INT16 output: a chain ending in an
// int16 tensor of A16W8 mixed precision); attributes: from / to (x's and the output's types, ONNX
// enum; from 0 = either), min_rank (the output has at least this rank: one-element constants of that
// rank were broadcast).

class LutOp : public Op {
 public:
  explicit LutOp(const OpContext& c) : from_(c.get_int("from", 0)), to_(c.get_int("to", 0)), min_rank_(c.get_int("min_rank", 0)) {
    c.check_inputs(2, 2);
    if (to_ != static_cast<int64_t>(ElemType::kInt8) && to_ != static_cast<int64_t>(ElemType::kUInt8) && to_ != static_cast<int64_t>(ElemType::kInt16))
      c.error("to must be INT8, UINT8 or INT16");
    if (min_rank_ < 0 || min_rank_ > 8) c.error("min_rank must be in [0, 8]");
  }
  void infer(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    if (!is_q8(in[0]->dtype) && in[0]->dtype != ElemType::kInt16) error("x must be INT8, UINT8 or INT16");
    // The table was built for codes of type `from` (the fused chain's zero points say which).
    if (from_ != 0 && in[0]->dtype != static_cast<ElemType>(from_)) {
      error("x is " + onnx::elem_onnx_name(in[0]->dtype) + " but the fused chain's zero points are " +
            onnx::elem_onnx_name(static_cast<ElemType>(from_)));
    }
    const ElemType tt = to_ == static_cast<int64_t>(ElemType::kInt16) ? ElemType::kInt16 : ElemType::kUInt8;
    const size_t entries = in[0]->dtype == ElemType::kInt16 ? 65536 : 256;
    if (in[1]->dtype != tt || in[1]->numel() != entries)
      error("table must be " + onnx::elem_onnx_name(tt) + " with " + std::to_string(entries) + " entries");
    out[0]->dtype = static_cast<ElemType>(to_);
    out[0]->shape = in[0]->shape;
    while (out[0]->shape.size() < static_cast<size_t>(min_rank_)) out[0]->shape.insert(out[0]->shape.begin(), 1);
  }
  void run(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    if (!in[1]->data) error("table must be known");
    if (in[0]->dtype == ElemType::kInt16) {  // 65536 entries indexed by uint16(x)
      const auto* x = in[0]->as<const uint16_t>();
      const size_t n = in[0]->numel();
      if (out[0]->dtype == ElemType::kInt16) x16_lut16__scalar(n, x, out[0]->as<int16_t>(), in[1]->as<const int16_t>());
      else x16_lut__scalar(n, x, static_cast<uint8_t*>(out[0]->data), in[1]->as<const uint8_t>());
      return;
    }
    if (out[0]->dtype == ElemType::kInt16) {
      x8_lut16_config()(in[0]->numel(), static_cast<const uint8_t*>(in[0]->data), out[0]->as<int16_t>(), in[1]->as<const int16_t>());
      return;
    }
    x8_lut_config()(in[0]->numel(), static_cast<const uint8_t*>(in[0]->data), static_cast<uint8_t*>(out[0]->data),
                    static_cast<const uint8_t*>(in[1]->data));
  }

 private:
  int64_t from_, to_, min_rank_;
};

// ---- com.microsoft QGemm: Y = alpha * a_scale * b_scale[n] * (sum_k (A' - a_zp)(B' - b_zp) + C) ----
// C (optional) is int32 in the accumulator's scale, broadcast to [M, N] (scalar, [N], [1, N], [M, 1],
// [M, N]). With y_scale: requantize_fp32 to y's 8-bit type; without: float output.

class QGemmOp : public Op {
 public:
  explicit QGemmOp(const OpContext& c)
      : trans_a_(c.get_int("transA", 0) != 0), trans_b_(c.get_int("transB", 0) != 0), alpha_(c.get_float("alpha", 1.0f)) {
    c.check_inputs(2, 9);  // a_zero_point and b_zero_point are optional
    for (size_t i : {1, 3, 4}) if (!c.has_input(i)) c.error("required input #" + std::to_string(i) + " is missing");
  }
  void infer(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const Tensor *a = in[0], *b = in[3];
    if (!is_q8(a->dtype) || !is_q8(b->dtype)) error("A and B must be INT8 or UINT8");
    if (a->shape.size() != 2 || b->shape.size() != 2) error("A and B must be 2-D");
    m_ = static_cast<size_t>(trans_a_ ? a->shape[1] : a->shape[0]);
    k_ = static_cast<size_t>(trans_a_ ? a->shape[0] : a->shape[1]);
    const size_t kb = static_cast<size_t>(trans_b_ ? b->shape[1] : b->shape[0]);
    n_ = static_cast<size_t>(trans_b_ ? b->shape[0] : b->shape[1]);
    if (kb != k_) error("A and B have different K");
    check_param_size(*this, in[1]->numel(), in[1]->shape.size(), 1, "a_scale");
    b_per_col_ = check_param_size(*this, in[4]->numel(), in[4]->shape.size(), n_, "b_scale");
    if (in[5] && check_param_size(*this, in[5]->numel(), in[5]->shape.size(), n_, "b_zero_point") != b_per_col_ && in[5]->numel() != 1) {
      error("b_scale and b_zero_point must both be per tensor or per column");
    }
    const Tensor* c = in.size() > 6 ? in[6] : nullptr;
    if (c) {
      if (c->dtype != ElemType::kInt32) error("C must be INT32");
      const Shape& cs = c->shape;
      const bool ok = c->numel() == 1 || (cs.size() == 1 && static_cast<size_t>(cs[0]) == n_) ||
                      (cs.size() == 2 && (cs[0] == 1 || static_cast<size_t>(cs[0]) == m_) && (cs[1] == 1 || static_cast<size_t>(cs[1]) == n_));
      if (!ok) error("C " + shape_str(cs) + " does not broadcast to [" + std::to_string(m_) + ", " + std::to_string(n_) + "]");
    }
    const Tensor* ys = in.size() > 7 ? in[7] : nullptr;
    if (ys) {
      check_param_size(*this, ys->numel(), ys->shape.size(), 1, "y_scale");
      const Tensor* yz = in.size() > 8 ? in[8] : nullptr;
      out[0]->dtype = yz ? yz->dtype : ElemType::kUInt8;
      if (!is_q8(out[0]->dtype)) error("y_zero_point must be INT8 or UINT8");
    } else {
      out[0]->dtype = ElemType::kFloat;
    }
    out[0]->shape = {static_cast<int64_t>(m_), static_cast<int64_t>(n_)};
  }
  void prepare(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    b_const_ = in[3]->data && (!in[5] || in[5]->data);
    packed_ok_ = false;
    if (b_const_) pack(in);
    acc_.assign(m_ * n_, 0);
    at_.assign(trans_a_ ? m_ * k_ : 0, 0);
  }
  void run(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    if (!b_const_ || !packed_ok_) pack(in);
    const Tensor* a = in[0];
    const bool au = a->dtype == ElemType::kUInt8;
    read_zero_points(*this, in[2], "a_zero_point", a_zp_);
    read_scales(*this, in[1], "a_scale", a_scale_);
    read_scales(*this, in[4], "b_scale", b_scale_);
    const uint8_t* ap = static_cast<const uint8_t*>(a->data);
    if (trans_a_) {
      for (size_t i = 0; i < m_; ++i)
        for (size_t p = 0; p < k_; ++p) at_[i * k_ + p] = ap[p * m_ + i];
      ap = at_.data();
    }
    if (m_ == 0 || n_ == 0) return;
    gemm_acc32(w_, m_, ap, au, k_, a_zp_.data(), 0, acc_.data(), n_, pad_row_);
    const Tensor* c = in.size() > 6 ? in[6] : nullptr;
    if (c) {
      const int32_t* cv = c->as<const int32_t>();
      const bool row = c->shape.size() == 2 && c->shape[0] != 1, col = !(c->numel() == 1) && !(c->shape.size() == 2 && c->shape[1] == 1);
      for (size_t i = 0; i < m_; ++i)
        for (size_t j = 0; j < n_; ++j) {
          const size_t ci = c->numel() == 1 ? 0 : (row ? i : 0) * (col ? n_ : 1) + (col ? j : 0);
          acc_[i * n_ + j] = static_cast<int32_t>(static_cast<uint32_t>(acc_[i * n_ + j]) + static_cast<uint32_t>(cv[ci]));
        }
    }
    const Tensor* ys = in.size() > 7 ? in[7] : nullptr;
    if (!ys) {
      float* y = out[0]->as<float>();
      for (size_t i = 0; i < m_; ++i)
        for (size_t j = 0; j < n_; ++j) y[i * n_ + j] = static_cast<float>(acc_[i * n_ + j]) * (alpha_ * a_scale_[0] * b_scale_[b_per_col_ ? j : 0]);
      return;
    }
    read_scales(*this, ys, "y_scale", y_scale_);
    read_zero_points(*this, in.size() > 8 ? in[8] : nullptr, "y_zero_point", y_zp_);
    const ElemType yt = out[0]->dtype;
    uint8_t* y = static_cast<uint8_t*>(out[0]->data);
    for (size_t j = 0; j < n_; ++j) {
      const float sc = alpha_ * a_scale_[0] * b_scale_[b_per_col_ ? j : 0] / y_scale_[0];
      for (size_t i = 0; i < m_; ++i) y[i * n_ + j] = static_cast<uint8_t>(requantize_fp32(acc_[i * n_ + j], sc, y_zp_[0], qmin_of(yt), qmax_of(yt)));
    }
  }

 private:
  void pack(const std::vector<const Tensor*>& in) {
    const Tensor* b = in[3];
    read_zero_points(*this, in[5], "b_zero_point", b_zp_);
    for (int32_t z : b_zp_) {
      if (z < qmin_of(b->dtype) || z > qmax_of(b->dtype)) error("b_zero_point is outside B's range");
    }
    // B' element (n, k): B[n][k] when transB, else B[k][n].
    w_.pack(n_, k_, b->data, b->dtype == ElemType::kUInt8, trans_b_ ? k_ : 1, trans_b_ ? 1 : n_, b_zp_.data(), b_zp_.size() > 1, nullptr);
    packed_ok_ = true;
  }

  bool trans_a_, trans_b_;
  float alpha_;
  size_t m_ = 0, n_ = 0, k_ = 0;
  bool b_per_col_ = false, b_const_ = false, packed_ok_ = false;
  PackedQ8Weights w_;
  std::vector<int32_t> acc_, a_zp_, b_zp_, y_zp_;
  std::vector<float> a_scale_, b_scale_, y_scale_;
  std::vector<uint8_t> at_, pad_row_;
};

// ---- com.microsoft QLinearGlobalAveragePool: NCHW (channels_last 0) or NHWC (1) ----

class QGlobalAvgPoolOp : public Op {
 public:
  explicit QGlobalAvgPoolOp(const OpContext& c) : channels_last_(c.get_int("channels_last", 0) != 0) { c.check_inputs(4, 5); }
  void infer(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const Shape& x = in[0]->shape;
    if (!is_q8(in[0]->dtype)) error("X must be INT8 or UINT8");
    if (x.size() < 3) error("X must have rank >= 3 (got " + shape_str(x) + ")");
    out[0]->dtype = in[0]->dtype;
    out[0]->shape = x;
    for (size_t i = channels_last_ ? 1 : 2; i < x.size() - (channels_last_ ? 1 : 0); ++i) out[0]->shape[i] = 1;
  }
  void prepare(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    xh_.assign(in[0]->numel() + 16, 0);
  }
  void run(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const ElemType t = in[0]->dtype;
    const Shape& x = in[0]->shape;
    const size_t n = static_cast<size_t>(x[0]), c = static_cast<size_t>(channels_last_ ? x.back() : x[1]);
    const size_t hw = (n && c) ? in[0]->numel() / (n * c) : 0;
    if (hw == 0 || n == 0 || c == 0) return;
    const auto* src = static_cast<const uint8_t*>(in[0]->data);
    if (channels_last_) {
      std::memcpy(xh_.data(), src, n * hw * c);  // the kernel may read 15 bytes past the input: padded copy
    } else {
      for (size_t b = 0; b < n; ++b)
        for (size_t ch = 0; ch < c; ++ch)
          for (size_t p = 0; p < hw; ++p) xh_[(b * hw + p) * c + ch] = src[(b * c + ch) * hw + p];
    }
    const int32_t qmin = qmin_of(t), qmax = qmax_of(t);
    const QAvgPoolParams p = make_qavgpool_params(scalar_scale(*this, in[1], "x_scale"), scalar_zp(*this, in[2], t, "x_zero_point"),
                                                  scalar_scale(*this, in[3], "y_scale"),
                                                  scalar_zp(*this, in.size() > 4 ? in[4] : nullptr, t, "y_zero_point"), qmin, qmax, true);
    GlobalPoolShape gs;
    gs.batch = n;
    gs.pixels = hw;
    gs.channels = c;
    if (t == ElemType::kInt8) pool_config().qs8_gavg(gs, reinterpret_cast<const int8_t*>(xh_.data()), out[0]->as<int8_t>(), p, 0, n);
    else pool_config().qu8_gavg(gs, xh_.data(), out[0]->as<uint8_t>(), p, 0, n);
  }

 private:
  bool channels_last_;
  std::vector<uint8_t> xh_;
};

}  // namespace

void register_quant_ops(OpRegistry& r) {
  add_op(r, "QuantizeLinear", factory<QuantizeLinearOp>());
  add_op(r, "DequantizeLinear", factory<DequantizeLinearOp>());
  // onnxruntime's contrib Q/DQ (what an opset < 21 model uses for INT16 codes).
  add_op(r, "com.microsoft:QuantizeLinear", factory<QuantizeLinearOp>());
  add_op(r, "com.microsoft:DequantizeLinear", factory<DequantizeLinearOp>());
  add_op(r, "DynamicQuantizeLinear", factory<DynamicQuantizeLinearOp>());
  add_op(r, "MatMulInteger", [](const OpContext& c) -> std::unique_ptr<Op> { return std::make_unique<QMatMulOp>(c, false); });
  add_op(r, "QLinearMatMul", [](const OpContext& c) -> std::unique_ptr<Op> { return std::make_unique<QMatMulOp>(c, true); });
  add_op(r, "com.microsoft:QLinearAdd", [](const OpContext& c) -> std::unique_ptr<Op> { return std::make_unique<QBinaryOp>(c, false); });
  add_op(r, "com.microsoft:QLinearMul", [](const OpContext& c) -> std::unique_ptr<Op> { return std::make_unique<QBinaryOp>(c, true); });
  add_op(r, "com.microsoft:QLinearSigmoid", [](const OpContext& c) -> std::unique_ptr<Op> { return std::make_unique<QLutOp>(c, LutActivation::kSigmoid); });
  add_op(r, "com.microsoft:QLinearLeakyRelu", [](const OpContext& c) -> std::unique_ptr<Op> { return std::make_unique<QLutOp>(c, LutActivation::kLeakyRelu); });
  add_op(r, "com.microsoft:QLinearGlobalAveragePool", factory<QGlobalAvgPoolOp>());
  add_op(r, "com.microsoft:QGemm", factory<QGemmOp>());
  add_op(r, "wasmq:Lut", factory<LutOp>());
  register_quant_conv_ops(r);
  register_quant_convt_ops(r);
  register_quant_nbits_ops(r);
}

}  // namespace wasmq::rt
