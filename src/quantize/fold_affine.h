// Float pass: per-channel affine ops next to a Conv folded into its weights and bias (exact).
#pragma once

#include "onnx/onnx_model.h"
#include "quantize/graph_passes.h"

namespace wasmq::quantize {

// Conv -> Mul(c) / Add(c) with c a scalar or per-output-channel constant: into the Conv's weights
// and bias; the same after a ConvTranspose (weights [C, M/group, k...]), and there also an
// inference BatchNormalization (counted in PassStats::bn_folded). Mul(c) -> Conv: into the weights'
// input channels (any padding). Add(c) -> Conv without padding: into the bias (sum over the window
// of W * c). Counted in PassStats::affine_folded.
void fold_affine_into_conv(onnx::ModelDef& m, PassStats& s);

}  // namespace wasmq::quantize
