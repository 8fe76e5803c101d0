// Load-time fusion of elementwise int8 chains into one 256-entry table lookup (wasmq:Lut): any set
// of elementwise nodes whose result is a function of one 8-bit tensor alone (hard-swish written as
// QLinearAdd/QLinearMul/QLinearMul, DequantizeLinear -> HardSigmoid/HardSwish/... -> QuantizeLinear).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "onnx/onnx_model.h"

namespace wasmq::rt {

// Runs a model (already rewritten: no load-time passes) on the 256 codes of its one 8-bit input
// [256] (an int16 input: [65536], the codes in uint16 order) and returns the output's bytes, one
// 8-bit or int16 code per input code; throws when it cannot (the chain is then left alone).
using LutEvaluator = std::function<std::vector<uint8_t>(onnx::ModelDef&&)>;

// First, DQ -> nearest Resize becomes Resize -> DQ and Concat -> Q becomes Concat of Q'd inputs
// (data movement commutes with elementwise maps), so DQ/Q pairs around them meet; a chain whose
// table is the identity (same parameters) is removed and its readers read x.
// Rewrites m.graph in place; returns the number of chains replaced. The table is computed by
// running the chain's own nodes (the same ops the unfused graph would run) on every code, so the
// fused graph is bit-identical to the unfused one. Conditions: every node of the chain is
// elementwise (com.microsoft QLinearAdd/QLinearMul/QLinearSigmoid/QLinearLeakyRelu, per-tensor
// Quantize/DequantizeLinear, float unary activations, float Add/Sub/Mul/Div), all other inputs are
// one-element constants, intermediate results are read only inside the chain (and are not graph
// outputs), and the result is 8-bit, or int16 (a QLinearAdd/QLinearMul with an INT16 C_zero_point:
// the Lut then has an INT16 table).
size_t fuse_lut(onnx::ModelDef& m, const LutEvaluator& eval);

}  // namespace wasmq::rt
