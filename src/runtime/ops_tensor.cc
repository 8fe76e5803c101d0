// Data-movement reference ops (dtype-agnostic, element size only): Reshape, Flatten, Squeeze,
// Unsqueeze, Transpose, Concat, Split, Slice, Gather, Expand, Pad, Shape.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>

#include "quant/fp16.h"
#include "runtime/op.h"

namespace wasmq::rt {
namespace {

constexpr size_t kMaxLoopRank = onnx::kMaxRank;

inline void copy_elem(uint8_t* dst, const uint8_t* src, size_t es) {
  switch (es) {
    case 1: *dst = *src; break;
    case 2: std::memcpy(dst, src, 2); break;
    case 4: std::memcpy(dst, src, 4); break;
    default: std::memcpy(dst, src, 8); break;
  }
}

// Dense y (shape os, n elements of es bytes) gathered from x: element 0 at x[off], each step along
// output dimension d moves st[d] input elements. Transpose, Slice and Expand are this walk.
void gather_strided(uint8_t* y, const uint8_t* x, size_t es, const Shape& os, const int64_t* st, size_t n,
                    int64_t off) {
  const size_t r = os.size();
  std::array<int64_t, kMaxLoopRank> idx{};
  for (size_t o = 0; o < n; ++o) {
    copy_elem(y + o * es, x + off * es, es);
    for (size_t d = r; d-- > 0;) {
      if (++idx[d] < os[d]) {
        off += st[d];
        break;
      }
      off -= st[d] * (os[d] - 1);
      idx[d] = 0;
    }
  }
}

int64_t norm_axis(const Op& op, int64_t axis, size_t rank, const char* what = "axis") {
  const int64_t r = static_cast<int64_t>(rank);
  if (axis < -r || axis >= r) op.error(std::string(what) + " " + std::to_string(axis) + " is out of range for rank " + std::to_string(r));
  return axis < 0 ? axis + r : axis;
}

void copy_all(const Tensor& in, Tensor& out) {
  if (in.bytes()) std::memcpy(out.data, in.data, in.bytes());
}

// ---- Reshape / Flatten / Squeeze / Unsqueeze: same bytes, new shape ----

class ReshapeOp : public Op {
 public:
  explicit ReshapeOp(const OpContext& c) : allowzero_(c.get_int("allowzero", 0) != 0), attr_form_(c.opset() < 5) {
    c.check_inputs(attr_form_ ? 1 : 2, attr_form_ ? 1 : 2);
    if (attr_form_) {  // opsets 1-4: the shape is an attribute
      if (!c.has("shape")) c.error("attribute 'shape' is required");
      shape_attr_ = c.get_ints("shape");
    }
  }
  std::vector<int> value_inputs() const override { return attr_form_ ? std::vector<int>{} : std::vector<int>{1}; }
  void infer(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const std::vector<int64_t> spec = attr_form_ ? shape_attr_ : to_int64s(*in[1], label + ": shape");
    Shape s(spec.size());
    int infer_at = -1;
    int64_t known = 1;
    for (size_t i = 0; i < spec.size(); ++i) {
      if (spec[i] == -1) {
        if (infer_at >= 0) error("shape has more than one -1");
        infer_at = static_cast<int>(i);
        continue;
      }
      if (spec[i] < -1) error("shape has invalid entry " + std::to_string(spec[i]));
      if (spec[i] == 0 && !allowzero_) {
        if (i >= in[0]->shape.size()) error("shape[" + std::to_string(i) + "] = 0 copies a dimension the input does not have");
        s[i] = in[0]->shape[i];
      } else {
        s[i] = spec[i];
      }
      if (__builtin_mul_overflow(known, s[i], &known)) error("shape " + shape_str(spec) + " overflows int64");
    }
    const int64_t total = static_cast<int64_t>(in[0]->numel());
    if (infer_at >= 0) {
      if (known == 0 || total % known != 0) {
        error("cannot reshape " + shape_str(in[0]->shape) + " into " + shape_str(spec));
      }
      s[infer_at] = total / known;
    } else if (known != total) {
      error("cannot reshape " + shape_str(in[0]->shape) + " (" + std::to_string(total) + " elements) into " + shape_str(s));
    }
    out[0]->dtype = in[0]->dtype;
    out[0]->shape = s;
  }
  void run(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override { copy_all(*in[0], *out[0]); }
  bool output_aliases_input() const override { return true; }

 private:
  bool allowzero_, attr_form_;
  std::vector<int64_t> shape_attr_;
};

class FlattenOp : public Op {
 public:
  explicit FlattenOp(const OpContext& c) : axis_(c.get_int("axis", 1)) { c.check_inputs(1, 1); }
  void infer(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const int64_t r = static_cast<int64_t>(in[0]->shape.size());
    if (axis_ < -r || axis_ > r) error("axis " + std::to_string(axis_) + " is out of range for rank " + std::to_string(r));
    const int64_t a = axis_ < 0 ? axis_ + r : axis_;
    int64_t outer = 1, inner = 1;
    for (int64_t i = 0; i < r; ++i) (i < a ? outer : inner) *= in[0]->shape[i];
    out[0]->dtype = in[0]->dtype;
    out[0]->shape = {outer, inner};
  }
  void run(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override { copy_all(*in[0], *out[0]); }
  bool output_aliases_input() const override { return true; }

 private:
  int64_t axis_;
};

class SqueezeOp : public Op {
 public:
  SqueezeOp(const OpContext& c, bool unsqueeze) : unsqueeze_(unsqueeze), from_input_(c.opset() >= 13) {
    c.check_inputs(1, from_input_ ? 2 : 1);
    if (!from_input_) {
      axes_ = c.get_ints("axes");
      has_axes_ = c.has("axes");
    }
    if (unsqueeze && !from_input_ && !has_axes_) c.error("attribute 'axes' is required");
    if (unsqueeze && from_input_ && !c.has_input(1)) c.error("input 'axes' is required");
  }
  std::vector<int> value_inputs() const override { return from_input_ ? std::vector<int>{1} : std::vector<int>{}; }
  void infer(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    std::vector<int64_t> axes = axes_;
    bool has = has_axes_;
    if (from_input_ && in.size() > 1 && in[1]) {
      axes = to_int64s(*in[1], label + ": axes");
      has = true;
    }
    const Shape& s = in[0]->shape;
    Shape r;
    if (unsqueeze_) {
      const size_t rank = s.size() + axes.size();
      std::vector<bool> inserted(rank, false);
      for (int64_t a : axes) {
        const int64_t n = norm_axis(*this, a, rank);
        if (inserted[n]) error("axes has a duplicate entry " + std::to_string(a));
        inserted[n] = true;
      }
      size_t k = 0;
      for (size_t i = 0; i < rank; ++i) r.push_back(inserted[i] ? 1 : s[k++]);
    } else {
      std::vector<bool> drop(s.size(), false);
      if (has) {
        for (int64_t a : axes) {
          const int64_t n = norm_axis(*this, a, s.size());
          if (s[n] != 1) error("cannot squeeze axis " + std::to_string(a) + " of size " + std::to_string(s[n]));
          drop[n] = true;
        }
      } else {
        for (size_t i = 0; i < s.size(); ++i) drop[i] = s[i] == 1;
      }
      for (size_t i = 0; i < s.size(); ++i) {
        if (!drop[i]) r.push_back(s[i]);
      }
    }
    out[0]->dtype = in[0]->dtype;
    out[0]->shape = r;
  }
  void run(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override { copy_all(*in[0], *out[0]); }
  bool output_aliases_input() const override { return true; }

 private:
  bool unsqueeze_, from_input_;
  bool has_axes_ = false;
  std::vector<int64_t> axes_;
};

// ---- Transpose ----

class TransposeOp : public Op {
 public:
  explicit TransposeOp(const OpContext& c) : perm_(c.get_ints("perm")), has_perm_(c.has("perm")) { c.check_inputs(1, 1); }
  void infer(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const size_t r = in[0]->shape.size();
    perm_now_ = perm_;
    if (!has_perm_) {
      perm_now_.resize(r);
      for (size_t i = 0; i < r; ++i) perm_now_[i] = static_cast<int64_t>(r - 1 - i);
    }
    if (perm_now_.size() != r) error("perm has " + std::to_string(perm_now_.size()) + " entries for rank " + std::to_string(r));
    std::vector<bool> seen(r, false);
    Shape s(r);
    for (size_t i = 0; i < r; ++i) {
      const int64_t p = norm_axis(*this, perm_now_[i], r, "perm entry");
      if (seen[p]) error("perm is not a permutation");
      seen[p] = true;
      perm_now_[i] = p;
      s[i] = in[0]->shape[p];
    }
    out[0]->dtype = in[0]->dtype;
    out[0]->shape = s;
  }
  void run(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const size_t r = in[0]->shape.size(), n = in[0]->numel(), es = onnx::elem_size(in[0]->dtype);
    if (n == 0) return;
    const auto ist = strides_of(in[0]->shape);
    std::array<int64_t, kMaxLoopRank> st{};
    for (size_t i = 0; i < r; ++i) st[i] = ist[perm_now_[i]];
    gather_strided(out[0]->as<uint8_t>(), in[0]->as<const uint8_t>(), es, out[0]->shape, st.data(), n, 0);
  }

 private:
  std::vector<int64_t> perm_, perm_now_;
  bool has_perm_;
};

// ---- Concat / Split ----

class ConcatOp : public Op {
 public:
  explicit ConcatOp(const OpContext& c) {
    if (!c.has("axis") && c.opset() >= 4) c.error("attribute 'axis' is required");
    axis_ = c.get_int("axis", 1);  // opsets 1-3: optional, default 1
    c.check_inputs(1, 1 << 20);
  }
  void infer(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const Shape& s0 = in[0]->shape;
    axis_now_ = norm_axis(*this, axis_, s0.size());
    Shape s = s0;
    s[axis_now_] = 0;
    for (const Tensor* t : in) {
      if (!t) error("inputs cannot be omitted");
      if (t->dtype != in[0]->dtype) error("inputs have different element types");
      if (t->shape.size() != s0.size()) error("inputs have different ranks");
      for (size_t d = 0; d < s0.size(); ++d) {
        if (static_cast<int64_t>(d) != axis_now_ && t->shape[d] != s0[d]) {
          error("input shapes " + shape_str(s0) + " and " + shape_str(t->shape) + " differ outside axis " + std::to_string(axis_now_));
        }
      }
      s[axis_now_] += t->shape[axis_now_];
    }
    out[0]->dtype = in[0]->dtype;
    out[0]->shape = s;
  }
  void run(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const Shape& s = out[0]->shape;
    const size_t es = onnx::elem_size(out[0]->dtype);
    size_t outer = 1, inner = es;
    for (int64_t d = 0; d < axis_now_; ++d) outer *= s[d];
    for (size_t d = axis_now_ + 1; d < s.size(); ++d) inner *= s[d];
    uint8_t* y = out[0]->as<uint8_t>();
    const size_t row = s[axis_now_] * inner;
    size_t at = 0;
    for (const Tensor* t : in) {
      const size_t chunk = t->shape[axis_now_] * inner;
      for (size_t o = 0; o < outer && chunk; ++o) std::memcpy(y + o * row + at, t->as<const uint8_t>() + o * chunk, chunk);
      at += chunk;
    }
  }

 private:
  int64_t axis_, axis_now_ = 0;
};

class SplitOp : public Op {
 public:
  explicit SplitOp(const OpContext& c) : axis_(c.get_int("axis", 0)), from_input_(c.opset() >= 13) {
    c.check_inputs(1, from_input_ ? 2 : 1);
    split_ = c.get_ints("split");
    num_outputs_ = c.get_int("num_outputs", 0);
    if (c.has("num_outputs") && static_cast<size_t>(num_outputs_) != c.num_outputs()) {
      c.error("num_outputs does not match the node's outputs");
    }
  }
  std::vector<int> value_inputs() const override { return from_input_ ? std::vector<int>{1} : std::vector<int>{}; }
  void infer(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    std::vector<int64_t> split = split_;
    if (from_input_ && in.size() > 1 && in[1]) split = to_int64s(*in[1], label + ": split");
    const Shape& s = in[0]->shape;
    axis_now_ = norm_axis(*this, axis_, s.size());
    const int64_t dim = s[axis_now_];
    const int64_t n = static_cast<int64_t>(out.size());
    if (split.empty()) {
      if (num_outputs_ > 0) {  // opset 18: ceil-sized chunks, the last one smaller
        const int64_t chunk = (dim + n - 1) / n;
        for (int64_t i = 0; i < n; ++i) split.push_back(std::max<int64_t>(0, std::min(chunk, dim - i * chunk)));
      } else {
        if (dim % n != 0) error("dimension " + std::to_string(dim) + " does not split evenly into " + std::to_string(n) + " outputs");
        split.assign(n, dim / n);
      }
    }
    if (static_cast<int64_t>(split.size()) != n) error("split has " + std::to_string(split.size()) + " entries for " + std::to_string(n) + " outputs");
    int64_t total = 0;
    for (int64_t v : split) {
      if (v < 0 || v > dim) error("split entry " + std::to_string(v) + " is outside [0, " + std::to_string(dim) + "]");
      total += v;
    }
    if (total != dim) error("split sums to " + std::to_string(total) + ", not the axis size " + std::to_string(dim));
    for (int64_t i = 0; i < n; ++i) {
      out[i]->dtype = in[0]->dtype;
      out[i]->shape = s;
      out[i]->shape[axis_now_] = split[i];
    }
  }
  void run(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const Shape& s = in[0]->shape;
    const size_t es = onnx::elem_size(in[0]->dtype);
    size_t outer = 1, inner = es;
    for (int64_t d = 0; d < axis_now_; ++d) outer *= s[d];
    for (size_t d = axis_now_ + 1; d < s.size(); ++d) inner *= s[d];
    const size_t row = s[axis_now_] * inner;
    const uint8_t* x = in[0]->as<const uint8_t>();
    size_t at = 0;
    for (Tensor* t : out) {
      const size_t chunk = t->shape[axis_now_] * inner;
      for (size_t o = 0; o < outer && chunk; ++o) std::memcpy(t->as<uint8_t>() + o * chunk, x + o * row + at, chunk);
      at += chunk;
    }
  }

 private:
  int64_t axis_, axis_now_ = 0;
  bool from_input_;
  std::vector<int64_t> split_;
  int64_t num_outputs_;
};

// ---- Slice ----

class SliceOp : public Op {
 public:
  explicit SliceOp(const OpContext& c) : attrs_(c.opset() < 10) {
    if (attrs_) {
      c.check_inputs(1, 1);
      if (!c.has("starts") || !c.has("ends")) c.error("attributes 'starts' and 'ends' are required");
      starts_ = c.get_ints("starts");
      ends_ = c.get_ints("ends");
      axes_ = c.get_ints("axes");
    } else {
      c.check_inputs(3, 5);
    }
  }
  std::vector<int> value_inputs() const override { return attrs_ ? std::vector<int>{} : std::vector<int>{1, 2, 3, 4}; }
  void infer(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    std::vector<int64_t> starts = starts_, ends = ends_, axes = axes_, steps;
    if (!attrs_) {
      starts = to_int64s(*in[1], label + ": starts");
      ends = to_int64s(*in[2], label + ": ends");
      axes = in.size() > 3 && in[3] ? to_int64s(*in[3], label + ": axes") : std::vector<int64_t>{};
      steps = in.size() > 4 && in[4] ? to_int64s(*in[4], label + ": steps") : std::vector<int64_t>{};
    }
    const Shape& s = in[0]->shape;
    const size_t r = s.size();
    if (starts.size() != ends.size()) error("starts and ends have different lengths");
    if (axes.empty()) {
      for (size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<int64_t>(i));
    }
    if (steps.empty()) steps.assign(starts.size(), 1);
    if (axes.size() != starts.size() || steps.size() != starts.size()) error("starts, ends, axes and steps must have the same length");
    start_.assign(r, 0);
    step_.assign(r, 1);
    Shape os = s;
    std::vector<bool> seen(r, false);
    for (size_t i = 0; i < axes.size(); ++i) {
      const int64_t a = norm_axis(*this, axes[i], r);
      if (seen[a]) error("axes has a duplicate entry");
      seen[a] = true;
      const int64_t dim = s[a];
      if (steps[i] == 0) error("steps cannot be 0");
      // Steps beyond +-dim select the same elements as +-dim; clamping keeps the arithmetic in range.
      const int64_t step = std::clamp<int64_t>(steps[i], -std::max<int64_t>(dim, 1), std::max<int64_t>(dim, 1));
      int64_t b = starts[i], e = ends[i];
      if (b < 0) b += dim;
      if (e < 0) e += dim;
      if (step > 0) {
        b = std::clamp<int64_t>(b, 0, dim);
        e = std::clamp<int64_t>(e, 0, dim);
        os[a] = e > b ? (e - b - 1) / step + 1 : 0;
      } else {
        b = std::clamp<int64_t>(b, 0, dim - 1);
        e = std::clamp<int64_t>(e, -1, dim - 1);
        os[a] = b > e ? (b - e - 1) / (-step) + 1 : 0;
      }
      start_[a] = b;
      step_[a] = step;
    }
    out[0]->dtype = in[0]->dtype;
    out[0]->shape = os;
  }
  void run(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const size_t n = out[0]->numel(), r = in[0]->shape.size(), es = onnx::elem_size(in[0]->dtype);
    if (n == 0) return;
    const auto ist = strides_of(in[0]->shape);
    std::array<int64_t, kMaxLoopRank> st{};
    int64_t off = 0;
    for (size_t d = 0; d < r; ++d) {
      off += start_[d] * ist[d];
      st[d] = step_[d] * ist[d];
    }
    gather_strided(out[0]->as<uint8_t>(), in[0]->as<const uint8_t>(), es, out[0]->shape, st.data(), n, off);
  }

 private:
  bool attrs_;
  std::vector<int64_t> starts_, ends_, axes_, start_, step_;
};

// ---- Gather ----

class GatherOp : public Op {
 public:
  explicit GatherOp(const OpContext& c) : axis_(c.get_int("axis", 0)) { c.check_inputs(2, 2); }
  void infer(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const Shape& s = in[0]->shape;
    if (in[1]->dtype != ElemType::kInt64 && in[1]->dtype != ElemType::kInt32) error("indices must be INT32 or INT64");
    axis_now_ = norm_axis(*this, axis_, s.size());
    Shape os(s.begin(), s.begin() + axis_now_);
    os.insert(os.end(), in[1]->shape.begin(), in[1]->shape.end());
    os.insert(os.end(), s.begin() + axis_now_ + 1, s.end());
    out[0]->dtype = in[0]->dtype;
    out[0]->shape = os;
  }
  void run(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const Shape& s = in[0]->shape;
    const size_t es = onnx::elem_size(in[0]->dtype);
    size_t outer = 1, inner = es;
    for (int64_t d = 0; d < axis_now_; ++d) outer *= s[d];
    for (size_t d = axis_now_ + 1; d < s.size(); ++d) inner *= s[d];
    const int64_t dim = s[axis_now_];
    const size_t ni = in[1]->numel();
    const uint8_t* x = in[0]->as<const uint8_t>();
    uint8_t* y = out[0]->as<uint8_t>();
    for (size_t j = 0; j < ni; ++j) {
      int64_t k = in[1]->dtype == ElemType::kInt64 ? in[1]->as<const int64_t>()[j] : in[1]->as<const int32_t>()[j];
      if (k < -dim || k >= dim) error("index " + std::to_string(k) + " is out of range for axis size " + std::to_string(dim));
      if (k < 0) k += dim;
      for (size_t o = 0; o < outer; ++o) std::memcpy(y + (o * ni + j) * inner, x + (o * dim + k) * inner, inner);
    }
  }

 private:
  int64_t axis_, axis_now_ = 0;
};

// ---- Expand ----

class ExpandOp : public Op {
 public:
  explicit ExpandOp(const OpContext& c) { c.check_inputs(2, 2); }
  std::vector<int> value_inputs() const override { return {1}; }
  void infer(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    out[0]->dtype = in[0]->dtype;
    out[0]->shape = broadcast_shapes(in[0]->shape, to_int64s(*in[1], label + ": shape"), label);
  }
  void run(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const Shape& os = out[0]->shape;
    const Shape& is = in[0]->shape;
    const size_t r = os.size(), n = out[0]->numel(), es = onnx::elem_size(in[0]->dtype);
    if (n == 0) return;
    std::array<int64_t, kMaxLoopRank> st{};
    int64_t acc = 1;
    for (size_t i = is.size(); i-- > 0;) {
      st[i + r - is.size()] = is[i] == 1 ? 0 : acc;
      acc *= is[i];
    }
    gather_strided(out[0]->as<uint8_t>(), in[0]->as<const uint8_t>(), es, os, st.data(), n, 0);
  }
};

// ---- Pad ----

class PadOp : public Op {
 public:
  explicit PadOp(const OpContext& c) : attrs_(c.opset() < 11) {
    mode_ = c.get_string("mode", "constant");
    if (mode_ != "constant" && mode_ != "reflect" && mode_ != "edge") c.error("mode '" + mode_ + "' is not supported (constant, reflect, edge)");
    if (attrs_) {
      c.check_inputs(1, 1);
      pads_ = c.get_ints(c.has("paddings") ? "paddings" : "pads");
      value_ = c.get_float("value", 0.0f);
    } else {
      c.check_inputs(2, 4);
    }
  }
  std::vector<int> value_inputs() const override { return attrs_ ? std::vector<int>{} : std::vector<int>{1, 2, 3}; }
  void infer(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const Shape& s = in[0]->shape;
    const size_t r = s.size();
    std::vector<int64_t> pads = pads_;
    fill_.assign(8, 0);
    const ElemType dt = in[0]->dtype;
    double v = value_;
    if (!attrs_) {
      pads = to_int64s(*in[1], label + ": pads");
      if (in.size() > 2 && in[2]) {
        if (in[2]->dtype != dt || in[2]->numel() != 1) error("constant_value must be a scalar of the input type");
        std::memcpy(fill_.data(), in[2]->data, onnx::elem_size(dt));
        v = std::numeric_limits<double>::quiet_NaN();  // fill_ already set
      }
      if (in.size() > 3 && in[3]) {  // opset 18 axes: pads given only for these axes
        const std::vector<int64_t> axes = to_int64s(*in[3], label + ": axes");
        if (pads.size() != 2 * axes.size()) error("pads must have 2 entries per axis");
        std::vector<int64_t> full(2 * r, 0);
        for (size_t i = 0; i < axes.size(); ++i) {
          const int64_t a = norm_axis(*this, axes[i], r);
          full[a] = pads[i];
          full[a + r] = pads[i + axes.size()];
        }
        pads = full;
      }
    }
    if (!std::isnan(v)) {
      switch (dt) {
        case ElemType::kFloat: { const float f = static_cast<float>(v); std::memcpy(fill_.data(), &f, 4); break; }
        case ElemType::kDouble: std::memcpy(fill_.data(), &v, 8); break;
        case ElemType::kFloat16: { const uint16_t h = fp32_to_fp16(static_cast<float>(v)); std::memcpy(fill_.data(), &h, 2); break; }
        case ElemType::kInt64: { const int64_t i = saturate_cast<int64_t>(v); std::memcpy(fill_.data(), &i, 8); break; }
        case ElemType::kInt32: { const int32_t i = saturate_cast<int32_t>(v); std::memcpy(fill_.data(), &i, 4); break; }
        case ElemType::kInt8: fill_[0] = static_cast<uint8_t>(saturate_cast<int8_t>(v)); break;
        default: fill_[0] = saturate_cast<uint8_t>(v); break;
      }
    }
    if (pads.size() != 2 * r) error("pads has " + std::to_string(pads.size()) + " entries, expected " + std::to_string(2 * r));
    for (int64_t p : pads) {
      if (p < -(int64_t{1} << 40) || p > (int64_t{1} << 40)) error("pads entry " + std::to_string(p) + " is out of range");
    }
    begin_.assign(pads.begin(), pads.begin() + r);
    Shape os(r);
    for (size_t d = 0; d < r; ++d) {
      os[d] = s[d] + pads[d] + pads[d + r];
      if (os[d] < 0) error("pads make dimension " + std::to_string(d) + " negative");
      if (mode_ != "constant" && s[d] == 0 && os[d] > 0) error("cannot " + mode_ + "-pad an empty dimension");
      if (mode_ == "reflect" && (pads[d] >= s[d] || pads[d + r] >= s[d]) && (pads[d] > 0 || pads[d + r] > 0) && s[d] < 2) {
        error("reflect padding needs at least 2 elements along axis " + std::to_string(d));
      }
    }
    out[0]->dtype = dt;
    out[0]->shape = os;
  }
  void run(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const Shape& s = in[0]->shape;
    const Shape& os = out[0]->shape;
    const size_t r = s.size(), n = out[0]->numel(), es = onnx::elem_size(in[0]->dtype);
    const auto ist = strides_of(s);
    const uint8_t* x = in[0]->as<const uint8_t>();
    uint8_t* y = out[0]->as<uint8_t>();
    std::array<int64_t, kMaxLoopRank> idx{};
    const bool reflect = mode_ == "reflect", edge = mode_ == "edge";
    for (size_t o = 0; o < n; ++o) {
      int64_t off = 0;
      bool inside = true;
      for (size_t d = 0; d < r; ++d) {
        int64_t i = idx[d] - begin_[d];
        const int64_t dim = s[d];
        if (i < 0 || i >= dim) {
          if (reflect) {
            const int64_t period = 2 * (dim - 1);
            i = ((i % period) + period) % period;
            if (i >= dim) i = period - i;
          } else if (edge) {
            i = i < 0 ? 0 : dim - 1;
          } else {
            inside = false;
            break;
          }
        }
        off += i * ist[d];
      }
      copy_elem(y + o * es, inside ? x + off * es : fill_.data(), es);
      for (size_t d = r; d-- > 0;) {
        if (++idx[d] < os[d]) break;
        idx[d] = 0;
      }
    }
  }

 private:
  bool attrs_;
  std::string mode_;
  std::vector<int64_t> pads_, begin_;
  float value_ = 0;
  std::vector<uint8_t> fill_;
};

// ---- Shape (folded at plan time: reads only the input's shape) ----

class ShapeOp : public Op {
 public:
  explicit ShapeOp(const OpContext& c) : start_(c.get_int("start", 0)), end_(c.get_int("end", std::numeric_limits<int64_t>::max())) {
    c.check_inputs(1, 1);
  }
  bool shape_only() const override { return true; }
  void infer(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const int64_t r = static_cast<int64_t>(in[0]->shape.size());
    b_ = start_ < 0 ? std::max<int64_t>(0, start_ + r) : std::min(start_, r);
    e_ = end_ < 0 ? std::max<int64_t>(0, end_ + r) : std::min(end_, r);
    out[0]->dtype = ElemType::kInt64;
    out[0]->shape = {std::max<int64_t>(0, e_ - b_)};
  }
  void run(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    for (int64_t i = b_; i < e_; ++i) out[0]->as<int64_t>()[i - b_] = in[0]->shape[i];
  }

 private:
  int64_t start_, end_, b_ = 0, e_ = 0;
};

template <typename T, typename... A>
OpFactory factory() {
  return [](const OpContext& c) -> std::unique_ptr<Op> { return std::make_unique<T>(c); };
}

}  // namespace

void register_tensor_ops(OpRegistry& r) {
  add_op(r, "Reshape", factory<ReshapeOp>());
  add_op(r, "Flatten", factory<FlattenOp>());
  add_op(r, "Squeeze", [](const OpContext& c) -> std::unique_ptr<Op> { return std::make_unique<SqueezeOp>(c, false); });
  add_op(r, "Unsqueeze", [](const OpContext& c) -> std::unique_ptr<Op> { return std::make_unique<SqueezeOp>(c, true); });
  add_op(r, "Transpose", factory<TransposeOp>());
  add_op(r, "Concat", factory<ConcatOp>());
  add_op(r, "Split", factory<SplitOp>());
  add_op(r, "Slice", factory<SliceOp>());
  add_op(r, "Gather", factory<GatherOp>());
  add_op(r, "Expand", factory<ExpandOp>());
  add_op(r, "Pad", factory<PadOp>());
  add_op(r, "Shape", factory<ShapeOp>());
}

}  // namespace wasmq::rt
