// The subset of ONNX's ModelProto that wasmq decodes (graph, nodes, attributes, tensors, value
// infos with symbolic dims), as plain C++ structs filled by a bounds-checked decoder.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace wasmq::onnx {

// ONNX TensorProto.DataType codes.
enum class ElemType : int32_t {
  kUndefined = 0, kFloat = 1, kUInt8 = 2, kInt8 = 3, kUInt16 = 4, kInt16 = 5, kInt32 = 6, kInt64 = 7,
  kString = 8, kBool = 9, kFloat16 = 10, kDouble = 11, kUInt32 = 12, kUInt64 = 13, kBFloat16 = 16,
};

// Element types wasmq stores: float, float16, double, int8, uint8, int32, int64, bool.
bool is_supported_elem(ElemType t);
// Bytes per element (bool: 1); 0 for types wasmq does not store.
size_t elem_size(ElemType t);
// The 8-bit quantized element types.
inline bool is_q8(ElemType t) { return t == ElemType::kInt8 || t == ElemType::kUInt8; }
// ONNX's own spelling of the code for messages ("FLOAT", "INT64", ...); "type 42" when unknown.
std::string elem_onnx_name(ElemType t);
// The JS API spelling: float32, float16, float64, int8, uint8, int32, int64, bool.
const char* elem_js_name(ElemType t);

// Largest tensor (bytes) and rank the decoder accepts: beyond that the input is treated as malformed.
constexpr uint64_t kMaxTensorBytes = uint64_t{1} << 30;
constexpr size_t kMaxRank = 16;

// A decoded tensor: data is tightly packed, little-endian, in the element type's native layout.
struct TensorData {
  std::string name;
  ElemType dtype = ElemType::kUndefined;
  std::vector<int64_t> dims;
  std::vector<uint8_t> data;
  size_t numel() const;
};

enum class AttrType : int32_t {
  kUndefined = 0, kFloat = 1, kInt = 2, kString = 3, kTensor = 4, kGraph = 5, kFloats = 6, kInts = 7,
  kStrings = 8, kTensors = 9, kGraphs = 10, kSparseTensor = 11, kSparseTensors = 12, kTypeProto = 13, kTypeProtos = 14,
};

struct Attribute {
  std::string name;
  AttrType type = AttrType::kUndefined;
  float f = 0;
  int64_t i = 0;
  std::string s;
  std::shared_ptr<TensorData> t;
  std::vector<float> floats;
  std::vector<int64_t> ints;
  std::vector<std::string> strings;
};

struct NodeDef {
  std::string name;
  std::string op_type;
  std::string domain;
  std::vector<std::string> inputs;   // "" marks an omitted optional input
  std::vector<std::string> outputs;
  std::vector<Attribute> attributes;
  // A short description for error messages: "node 'conv1' (Conv)" or "node #3 (Conv)".
  std::string label;
};

// NodeDef::label for the node at `index` of its graph.
inline std::string node_label(const NodeDef& n, size_t index) {
  return (n.name.empty() ? "node #" + std::to_string(index) : "node '" + n.name + "'") + " (" +
         (n.op_type.empty() ? std::string("no op_type") : n.op_type) + ")";
}

// The default ONNX domain: "" or "ai.onnx".
inline bool is_default_domain(const NodeDef& n) { return n.domain.empty() || n.domain == "ai.onnx"; }

// The node's attribute called `name`, or null.
inline const Attribute* find_attribute(const NodeDef& n, const std::string& name) {
  for (const Attribute& a : n.attributes) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

struct Dim {
  int64_t value = -1;   // -1: unknown (dim_param or no value)
  std::string param;    // symbolic name, e.g. "batch"
};

struct ValueInfoDef {
  std::string name;
  ElemType dtype = ElemType::kUndefined;
  bool has_shape = false;
  std::vector<Dim> dims;
};

struct GraphDef {
  std::string name;
  std::vector<NodeDef> nodes;
  std::vector<TensorData> initializers;
  std::vector<ValueInfoDef> inputs;
  std::vector<ValueInfoDef> outputs;
  std::vector<ValueInfoDef> value_infos;
};

struct ModelDef {
  int64_t ir_version = 0;
  std::string producer_name;
  std::map<std::string, int64_t> opsets;  // domain ("" for ai.onnx) -> version
  GraphDef graph;
};

// Decoders: throw wasmq::Error naming the problem and the tensor/node where known.
ModelDef decode_model(const uint8_t* data, size_t size);
TensorData decode_tensor(const uint8_t* data, size_t size, const std::string& where = "tensor");

}  // namespace wasmq::onnx
