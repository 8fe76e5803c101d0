// ONNX protobuf writer: serializes a ModelDef (the decoder's plain structs) back to ModelProto bytes.
#pragma once

#include <cstdint>
#include <vector>

#include "onnx/onnx_model.h"

namespace wasmq::onnx {

// Writes ir_version, producer, opset imports, and the graph (nodes with their attributes,
// initializers as raw_data, inputs/outputs/value_infos with dims). decode_model(encode_model(m))
// gives back m (node labels excepted).
std::vector<uint8_t> encode_model(const ModelDef& m);

}  // namespace wasmq::onnx
