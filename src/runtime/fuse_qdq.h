// Load-time QDQ fusion: DequantizeLinear -> Conv/MatMul/Add -> QuantizeLinear into QLinear ops.
#pragma once

#include <cstddef>

#include "onnx/onnx_model.h"

namespace wasmq::rt {

// Rewrites m.graph in place; returns the number of fused patterns. Only patterns whose scales and
// zero points are initializers (activations per tensor; weights per tensor or per output channel,
// bias an int32 DequantizeLinear with scale x_scale * w_scale) and whose float result feeds exactly
// one QuantizeLinear are fused; everything else is left to the float ops.
size_t fuse_qdq(onnx::ModelDef& m);

}  // namespace wasmq::rt
