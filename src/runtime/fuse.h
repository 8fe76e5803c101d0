// Load-time graph rewrites for inference with the fast ops: BatchNormalization folded into the
// preceding Conv's weights and bias, and a Relu/Clip that is a Conv's only consumer absorbed into
// the Conv's output clamp (attribute wasmq_fused_clip, read by the fast Conv); hard-swish written
// as Add/Clip/Div/Mul becomes one HardSwish node.
#pragma once

#include "onnx/onnx_model.h"

namespace wasmq::rt {

struct FuseStats {
  int batchnorm = 0;  // BatchNormalization nodes folded into a Conv
  int clip = 0;       // Relu/Clip nodes absorbed into a Conv
  int hardswish = 0;  // x * Clip(x + 3, 0, 6) / 6 chains (Add, Clip, Div, Mul) replaced by HardSwish
};

// Rewrites m.graph in place (new initializers for the folded weights; the original tensors are
// left untouched for other readers). Only float Convs of rank 3/4 with constant weights qualify.
FuseStats fuse_for_inference(onnx::ModelDef& m);

}  // namespace wasmq::rt
