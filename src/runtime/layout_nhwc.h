// Load-time layout pass for the int8 path: activations stay NHWC between consecutive quantized ops,
// with explicit Transpose nodes only where an NHWC region meets NCHW-only ops or graph outputs.
#pragma once

#include "onnx/onnx_model.h"

namespace wasmq::rt {

struct LayoutStats {
  int nhwc_nodes = 0;   // nodes that now read and write channels-last tensors
  int to_nhwc = 0;      // Transpose NCHW -> NHWC inserted (region entries)
  int to_nchw = 0;      // Transpose NHWC -> NCHW inserted (region exits, graph outputs)
};

// Rewrites m.graph in place. Anchors are 2-D QLinearConv and com.microsoft QLinearConvTranspose
// (4-D initializer weights, attribute wasmq_channels_last = 1) and com.microsoft QLinearAveragePool
// (2-D kernel, channels_last = 1);
// com.microsoft QLinearGlobalAveragePool (channels_last = 1), 2-D MaxPool (explicit pads smaller
// than the kernel, no dilation, floor mode, one output: becomes wasmq MaxPool), nearest Resize
// with constant 4-entry scales/sizes (permuted into a new constant), Concat (axis remapped) and
// layout-agnostic elementwise ops
// (QLinearAdd/Mul/Sigmoid/LeakyRelu, wasmq Lut, per-tensor Quantize/DequantizeLinear, float
// unary activations, float Add/Sub/Mul/Div) join a region when every data input is already NHWC
// (or a constant with one element). NHWC values are renamed "<name>__nhwc"; the original name is
// produced by a Transpose(perm 0,3,1,2) when an NCHW reader or a graph output needs it. The
// computation is unchanged element for element: results are bit-identical to the NCHW graph.
LayoutStats nhwc_layout_pass(onnx::ModelDef& m);

}  // namespace wasmq::rt
