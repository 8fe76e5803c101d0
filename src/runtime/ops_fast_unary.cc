// Fast float activations (Relu, Clip, Sigmoid, Tanh, HardSigmoid, HardSwish, LeakyRelu, Exp, Gelu)
// on the vmath activation kernels, and Softmax / LayerNormalization over the last axis on theirs;
// other dtypes and layouts use the reference ops.
#include <limits>

#include "kernels/activations/activations.h"
#include "kernels/layernorm/layernorm.h"
#include "kernels/softmax/softmax.h"
#include "runtime/ops_fast.h"

namespace wasmq::rt {
namespace {

class FastUnaryOp : public FastOp {
 public:
  FastUnaryOp(const OpContext& c, UnaryOp k) : FastOp(c), k_(k) {
    const std::string& t = c.node().op_type;
    if (t == "LeakyRelu") p_.alpha = c.get_float("alpha", 0.01f);
    if (t == "HardSigmoid") {
      p_.alpha = c.get_float("alpha", 0.2f);
      p_.beta = c.get_float("beta", 0.5f);
    }
    if (t == "Gelu" && c.get_string("approximate", "none") == "tanh") k_ = UnaryOp::kGeluTanh;
    if (t == "Clip" && c.opset() < 11) {
      p_.min = c.get_float("min", -std::numeric_limits<float>::infinity());
      p_.max = c.get_float("max", std::numeric_limits<float>::infinity());
      clip_attrs_ = true;
    }
  }

 protected:
  bool infer_fast(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    return in[0]->dtype == ElemType::kFloat;
  }
  void run_fast(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    F32UnaryParams p = p_;
    if (k_ == UnaryOp::kClip && !clip_attrs_) {
      if (in.size() > 1 && in[1]) p.min = in[1]->as<const float>()[0];
      if (in.size() > 2 && in[2]) p.max = in[2]->as<const float>()[0];
    }
    activation_config().fn[static_cast<int>(k_)](in[0]->numel(), in[0]->as<const float>(), out[0]->as<float>(), p);
  }

 private:
  UnaryOp k_;
  F32UnaryParams p_;
  bool clip_attrs_ = false;
};

// Softmax (opset >= 13, or any opset when the axis is the last one: then the 2-D coercion of
// opset < 13 is the same computation) and LayerNormalization over the last axis.
class FastSoftmaxOp : public FastOp {
 public:
  explicit FastSoftmaxOp(const OpContext& c) : FastOp(c), axis_(c.get_int("axis", c.opset() < 13 ? 1 : -1)) {}

 protected:
  bool infer_fast(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const Shape& s = in[0]->shape;
    const int64_t r = static_cast<int64_t>(s.size());
    if (in[0]->dtype != ElemType::kFloat || r == 0) return false;
    const int64_t ax = axis_ < 0 ? axis_ + r : axis_;
    if (ax != r - 1) return false;
    shape_.n = s.back();
    shape_.rows = shape_.n ? in[0]->numel() / shape_.n : 0;
    return true;
  }
  void run_fast(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    if (shape_.n == 0) return;
    f32_softmax_config()(shape_, in[0]->as<const float>(), out[0]->as<float>(), 0, shape_.rows);
  }

 private:
  int64_t axis_;
  SoftmaxShape shape_;
};

class FastLayerNormOp : public FastOp {
 public:
  explicit FastLayerNormOp(const OpContext& c) : FastOp(c), axis_(c.get_int("axis", -1)), eps_(c.get_float("epsilon", 1e-5f)) {
    outputs_ = 0;
    for (const std::string& o : c.node().outputs) outputs_ += !o.empty();
  }

 protected:
  bool infer_fast(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const Shape& s = in[0]->shape;
    const int64_t r = static_cast<int64_t>(s.size());
    if (in[0]->dtype != ElemType::kFloat || r == 0 || outputs_ != 1) return false;
    const int64_t ax = axis_ < 0 ? axis_ + r : axis_;
    if (ax != r - 1) return false;
    const size_t n = s.back();
    if (in[1]->numel() != n || (in.size() > 2 && in[2] && in[2]->numel() != n)) return false;  // only [n] scale/bias
    shape_.n = n;
    shape_.rows = n ? in[0]->numel() / n : 0;
    shape_.epsilon = eps_;
    return true;
  }
  void run_fast(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    if (shape_.n == 0) return;
    const float* beta = in.size() > 2 && in[2] ? in[2]->as<const float>() : nullptr;
    f32_layernorm_config()(shape_, in[0]->as<const float>(), in[1]->as<const float>(), beta, out[0]->as<float>(), 0,
                           shape_.rows);
  }

 private:
  int64_t axis_;
  float eps_;
  size_t outputs_;
  LayerNormShape shape_;
};

template <UnaryOp K>
std::unique_ptr<Op> make_unary(const OpContext& c) {
  return std::make_unique<FastUnaryOp>(c, K);
}

}  // namespace

void register_fast_unary_ops(OpRegistry& r) {
  add_op(r, "Relu", make_unary<UnaryOp::kRelu>);
  add_op(r, "Clip", make_unary<UnaryOp::kClip>);
  add_op(r, "Sigmoid", make_unary<UnaryOp::kSigmoid>);
  add_op(r, "Tanh", make_unary<UnaryOp::kTanh>);
  add_op(r, "HardSigmoid", make_unary<UnaryOp::kHardSigmoid>);
  add_op(r, "HardSwish", make_unary<UnaryOp::kHardSwish>);
  add_op(r, "LeakyRelu", make_unary<UnaryOp::kLeakyRelu>);
  add_op(r, "Exp", make_unary<UnaryOp::kExp>);
  add_op(r, "Gelu", make_unary<UnaryOp::kGeluErf>);
  add_op(r, "Softmax", [](const OpContext& c) -> std::unique_ptr<Op> { return std::make_unique<FastSoftmaxOp>(c); });
  add_op(r, "LayerNormalization", [](const OpContext& c) -> std::unique_ptr<Op> { return std::make_unique<FastLayerNormOp>(c); });
}

}  // namespace wasmq::rt
