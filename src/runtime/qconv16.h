// QLinearConv with an int16 input or output (A16W8 mixed precision): the int16-activation GEMM and
// depthwise kernels behind QConvOp (ops_quant_conv.cc), which hands a node here when x or y is INT16.
//
// What it accepts (anything else is an Error naming the node): int8 weights with zero point 0 and
// per-tensor or per-output-channel scales, a constant int32 bias, constant scales and zero points;
// an int16 x has zero point 0 (symmetric), an int8 x any zero point; y is int8 or int16 with its
// zero point, and the optional wasmq_qmin / wasmq_qmax attributes narrow the output codes (a fused
// ReLU on a symmetric int16 output is wasmq_qmin = 0). With an int16 x every output channel's sum
// must provably fit int32 (32768 * sum |w| + |bias| < 2^31, checked when the weights are packed),
// so the result is never silently wrong.
#pragma once

#include <memory>
#include <vector>

#include "kernels/conv/conv.h"
#include "runtime/op.h"

namespace wasmq::rt {

class QConv16 {
 public:
  virtual ~QConv16() = default;
  // Called from QConvOp::prepare / run with QLinearConv's inputs (x, x_scale, x_zp, w, w_scale,
  // w_zp, y_scale, y_zp[, B]) and its output.
  virtual void prepare(const std::vector<const Tensor*>& in) = 0;
  virtual void run(const std::vector<const Tensor*>& in, Tensor* out) = 0;
};

// s: the convolution's shape (QConvOp::infer); channels_last: x and y are NHWC in the graph.
std::unique_ptr<QConv16> make_qconv16(const Op& op, const ConvShape& s, bool channels_last, ElemType x_type,
                                      ElemType y_type, int32_t out_qmin, int32_t out_qmax);

}  // namespace wasmq::rt
