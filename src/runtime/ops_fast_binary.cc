// Fast float Add/Sub/Mul/Div on the f32 binary kernels: broadcasting split into an outer loop and
// an inner contiguous block where each operand is either full or one repeated value (covers
// same-shape, scalar, per-channel [N,C,1,1] and last-axis broadcasts); other cases and dtypes use
// the reference loop.
#include <limits>

#include "kernels/elementwise/elementwise.h"
#include "runtime/ops_fast.h"

namespace wasmq::rt {
namespace {

constexpr size_t kMinBlock = 8;  // shorter inner blocks: the reference loop is as fast

class FastBinaryOp : public FastOp {
 public:
  FastBinaryOp(const OpContext& c, BinaryOp k) : FastOp(c), k_(k), legacy_(c.opset() < 7) {}

 protected:
  bool infer_fast(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    if (legacy_ || in[0]->dtype != ElemType::kFloat || in[1]->dtype != ElemType::kFloat) return false;
    const Shape& ys = out[0]->shape;
    const size_t r = ys.size();
    // Operand dims right-aligned to the output's rank.
    Shape a(r, 1), b(r, 1);
    for (size_t i = 0; i < in[0]->shape.size(); ++i) a[r - in[0]->shape.size() + i] = in[0]->shape[i];
    for (size_t i = 0; i < in[1]->shape.size(); ++i) b[r - in[1]->shape.size() + i] = in[1]->shape[i];
    // Inner block: the longest suffix of dims where each operand is full (== out) or all ones.
    auto kind = [&](const Shape& s, size_t d) { return ys[d] == 1 ? 0 : s[d] == ys[d] ? 1 : 2; };  // 0 any, 1 full, 2 broadcast
    int ka = 0, kb = 0;
    size_t split = r;
    inner_ = 1;
    while (split > 0) {
      const size_t d = split - 1;
      const int na = kind(a, d), nb = kind(b, d);
      if ((na && ka && na != ka) || (nb && kb && nb != kb)) break;
      if (na) ka = na;
      if (nb) kb = nb;
      inner_ *= static_cast<size_t>(ys[d]);
      --split;
    }
    a_full_ = ka != 2;
    b_full_ = kb != 2;
    outer_shape_.assign(ys.begin(), ys.begin() + split);
    a_strides_.assign(split, 0);
    b_strides_.assign(split, 0);
    int64_t sa = a_full_ ? static_cast<int64_t>(inner_) : 1, sb = b_full_ ? static_cast<int64_t>(inner_) : 1;
    for (size_t d = split; d-- > 0;) {
      a_strides_[d] = a[d] == 1 ? 0 : sa;
      b_strides_[d] = b[d] == 1 ? 0 : sb;
      sa *= a[d];
      sb *= b[d];
    }
    return inner_ >= kMinBlock || out[0]->numel() == 0;
  }
  void run_fast(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const F32BinaryKernels& kern = elementwise_config().f32[static_cast<int>(k_)];
    const F32MinMaxParams p{-std::numeric_limits<float>::infinity(), std::numeric_limits<float>::infinity()};
    const float* a = in[0]->as<const float>();
    const float* b = in[1]->as<const float>();
    float* y = out[0]->as<float>();
    const size_t nouter = numel_of(outer_shape_), r = outer_shape_.size();
    int64_t idx[onnx::kMaxRank] = {};
    int64_t ao = 0, bo = 0;
    for (size_t o = 0; o < nouter; ++o) {
      float* yo = y + o * inner_;
      if (a_full_ && b_full_) {
        kern.op(inner_, a + ao, b + bo, yo, p);
      } else if (a_full_) {
        kern.opc(inner_, a + ao, b + bo, yo, p);
      } else if (b_full_) {
        kern.ropc(inner_, b + bo, a + ao, yo, p);
      } else {
        kern.op(1, a + ao, b + bo, yo, p);
        for (size_t i = 1; i < inner_; ++i) yo[i] = yo[0];
      }
      for (size_t d = r; d-- > 0;) {  // next outer index, offsets updated incrementally
        ao += a_strides_[d];
        bo += b_strides_[d];
        if (++idx[d] < outer_shape_[d]) break;
        ao -= a_strides_[d] * idx[d];
        bo -= b_strides_[d] * idx[d];
        idx[d] = 0;
      }
    }
  }

 private:
  BinaryOp k_;
  bool legacy_;
  size_t inner_ = 1;
  bool a_full_ = true, b_full_ = true;
  Shape outer_shape_;
  std::vector<int64_t> a_strides_, b_strides_;
};

template <BinaryOp K>
std::unique_ptr<Op> make_binary(const OpContext& c) {
  return std::make_unique<FastBinaryOp>(c, K);
}

}  // namespace

void register_fast_binary_ops(OpRegistry& r) {
  add_op(r, "Add", make_binary<BinaryOp::kAdd>);
  add_op(r, "Sub", make_binary<BinaryOp::kSub>);
  add_op(r, "Mul", make_binary<BinaryOp::kMul>);
  add_op(r, "Div", make_binary<BinaryOp::kDiv>);
}

}  // namespace wasmq::rt
