// Fast Transpose for the layout pass's boundary perms on 4-D tensors: (0,2,3,1) NCHW -> NHWC and
// (0,3,1,2) NHWC -> NCHW, in 8x8 byte tiles for 8-bit data and a plain loop for 4-byte data.
#include "runtime/ops_fast.h"
#include "runtime/quant_common.h"

namespace wasmq::rt {
namespace {

class FastTransposeOp : public FastOp {
 public:
  explicit FastTransposeOp(const OpContext& c) : FastOp(c), perm_(c.get_ints("perm")) {}

 protected:
  bool infer_fast(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const size_t es = onnx::elem_size(in[0]->dtype);
    if (in[0]->shape.size() != 4 || (es != 1 && es != 4)) return false;
    to_nhwc_ = perm_ == std::vector<int64_t>{0, 2, 3, 1};
    return to_nhwc_ || perm_ == std::vector<int64_t>{0, 3, 1, 2};
  }
  void run_fast(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const Shape& s = in[0]->shape;
    const size_t n = static_cast<size_t>(s[0]);
    // to NHWC: x is [n][c][hw]; to NCHW: x is [n][hw][c].
    const size_t c = static_cast<size_t>(to_nhwc_ ? s[1] : s[3]);
    const size_t hw = static_cast<size_t>(to_nhwc_ ? s[2] * s[3] : s[1] * s[2]);
    if (in[0]->numel() == 0) return;
    if (onnx::elem_size(in[0]->dtype) == 1) {
      const auto* x = in[0]->as<const uint8_t>();
      auto* y = out[0]->as<uint8_t>();
      if (to_nhwc_) quant::nchw_to_nhwc(x, n, c, hw, y);
      else quant::nhwc_to_nchw(x, n, c, hw, y);
    } else {
      const auto* x = in[0]->as<const uint32_t>();
      auto* y = out[0]->as<uint32_t>();
      if (to_nhwc_) quant::nchw_to_nhwc<uint32_t>(x, n, c, hw, y);
      else quant::nhwc_to_nchw<uint32_t>(x, n, c, hw, y);
    }
  }

 private:
  std::vector<int64_t> perm_;
  bool to_nhwc_ = false;
};

}  // namespace

void register_fast_transpose_ops(OpRegistry& r) {
  add_op(r, "Transpose", [](const OpContext& c) -> std::unique_ptr<Op> { return std::make_unique<FastTransposeOp>(c); });
}

}  // namespace wasmq::rt
