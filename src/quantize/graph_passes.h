// Float-graph rewrites before quantization: Constant nodes to initializers, topological sort,
// opset upgrade to 13, BatchNormalization folded into Conv, Gemm split into MatMul + Add, Div by a
// constant turned into Mul. Each pass keeps the float model's function (to float rounding).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "onnx/onnx_model.h"

namespace wasmq::quantize {

// Names of the graph: initializer index, producing node, consumer nodes, graph outputs.
struct GraphIndex {
  explicit GraphIndex(const onnx::ModelDef& m);
  std::map<std::string, int> init;                  // initializer name -> index
  std::map<std::string, int> producer;              // tensor -> node index
  std::map<std::string, std::vector<int>> users;    // tensor -> consumer node indices
  std::map<std::string, bool> is_output;
  bool is_const(const std::string& name) const { return init.count(name) != 0; }
  int use_count(const std::string& name) const;
};

struct PassStats {
  int constants = 0;     // Constant nodes moved to initializers
  int upgraded = 0;      // nodes rewritten for the opset upgrade
  int bn_folded = 0;     // BatchNormalization folded into a Conv (or a ConvTranspose, fold_affine.h)
  int gemm_split = 0;    // Gemm -> MatMul (+ Add)
  int div_to_mul = 0;    // Div by a constant -> Mul by its reciprocal
  int affine_folded = 0; // Mul/Add by a per-channel constant folded into a Conv (fold_affine.h)
};

// Runs every pass in order; target_opset >= 13 (per-axis Q/DQ needs 13).
PassStats prepare_float_graph(onnx::ModelDef& m, int target_opset = 13);

void constants_to_initializers(onnx::ModelDef& m, PassStats& s);
void topo_sort(onnx::ModelDef& m);
void upgrade_opset(onnx::ModelDef& m, int target_opset, PassStats& s);
void fold_batchnorm(onnx::ModelDef& m, PassStats& s);
void split_gemm(onnx::ModelDef& m, PassStats& s);
void div_to_mul(onnx::ModelDef& m, PassStats& s);
// Drops initializers no node reads and no graph input/output names (left behind by folding and
// by quantization replacing float weights with int8 ones).
void drop_unused_initializers(onnx::ModelDef& m);

// Helpers shared with the quantizer.
const onnx::Attribute* find_attr(const onnx::NodeDef& n, const std::string& name);
int64_t attr_int(const onnx::NodeDef& n, const std::string& name, int64_t def);
float attr_float(const onnx::NodeDef& n, const std::string& name, float def);
onnx::Attribute make_int_attr(const std::string& name, int64_t v);
onnx::Attribute make_ints_attr(const std::string& name, const std::vector<int64_t>& v);
onnx::Attribute make_float_attr(const std::string& name, float v);
onnx::TensorData float_tensor(const std::string& name, const std::vector<int64_t>& dims, const std::vector<float>& v);
onnx::TensorData int64_tensor(const std::string& name, const std::vector<int64_t>& dims, const std::vector<int64_t>& v);
std::vector<float> as_floats(const onnx::TensorData& t);  // float/double/float16 are not all needed: float and double
int domain_opset(const onnx::ModelDef& m, const std::string& domain);

}  // namespace wasmq::quantize
