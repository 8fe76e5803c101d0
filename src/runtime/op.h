// The operator interface: an Op is created once per node at load (attributes parsed and checked
// there), infers output types/shapes when a plan is made, and runs on planned buffers. Swapping a
// reference op for a SIMD kernel means registering another factory for the same op type.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "onnx/onnx_model.h"
#include "runtime/tensor.h"

namespace wasmq::rt {

// What a factory sees: the node, the model's ai.onnx opset, and typed attribute getters whose
// errors name the node.
class OpContext {
 public:
  OpContext(const onnx::NodeDef& node, int opset);

  const onnx::NodeDef& node() const { return node_; }
  int opset() const { return opset_; }
  // "node 'conv1' (Conv, opset 13)"
  const std::string& label() const { return label_; }
  size_t num_inputs() const { return node_.inputs.size(); }
  size_t num_outputs() const { return node_.outputs.size(); }
  bool has_input(size_t i) const { return i < node_.inputs.size() && !node_.inputs[i].empty(); }

  const onnx::Attribute* find(const std::string& name) const;
  bool has(const std::string& name) const { return find(name) != nullptr; }
  int64_t get_int(const std::string& name, int64_t dflt) const;
  float get_float(const std::string& name, float dflt) const;
  std::string get_string(const std::string& name, const std::string& dflt) const;
  std::vector<int64_t> get_ints(const std::string& name, const std::vector<int64_t>& dflt = {}) const;
  std::vector<float> get_floats(const std::string& name) const;

  // Throws "node 'x' (Op, opset N): <message>".
  [[noreturn]] void error(const std::string& message) const;
  void check_inputs(size_t min, size_t max) const;

 private:
  const onnx::NodeDef& node_;
  int opset_;
  std::string label_;
};

class Op {
 public:
  virtual ~Op() = default;
  // Sets each output's dtype and shape. in[i] is null for an omitted optional input; for inputs
  // listed in value_inputs() data is non-null.
  virtual void infer(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) = 0;
  // Per-plan precomputation that depends on the inferred shapes (tap tables, ...); called after
  // the planner has checked the output sizes against its cap, so it may do O(output) work.
  virtual void prepare(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) {}
  // Computes the outputs; every out[i]->data points at planned storage of out[i]->bytes().
  virtual void run(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) = 0;
  // Inputs whose values infer() reads (shape arguments: Reshape's shape, Slice's starts, ...).
  virtual std::vector<int> value_inputs() const { return {}; }
  // true when run() reads only input shapes (Shape): such nodes are folded at plan time.
  virtual bool shape_only() const { return false; }
  // true when output 0 holds exactly input 0's bytes (Reshape, Flatten, Squeeze, Unsqueeze,
  // Identity): the planner may give it input 0's buffer and skip run(), which must still be correct
  // (a copy) for the cases it does not alias.
  virtual bool output_aliases_input() const { return false; }

  std::string label;  // set by create_op, for run-time errors
  [[noreturn]] void error(const std::string& message) const { fail(label + ": " + message); }
};

using OpFactory = std::unique_ptr<Op> (*)(const OpContext&);

// Creates the op for a node; an unknown op type or an unsupported attribute value throws an error
// naming the node, the op type and the opset.
std::unique_ptr<Op> create_op(const onnx::NodeDef& node, int opset);
// The reference (plain-loop, NCHW) implementation of a node, whatever the fast-op switch says: the
// oracle of the tests and the fallback of the fast ops for the cases they do not cover.
std::unique_ptr<Op> create_reference_op(const onnx::NodeDef& node, int opset);
// Fast ops (ops_fast_*.cc: SIMD kernels, load-time fusions) are on by default; off, create_op and
// Model::load give the reference ops and leave the graph unfused (tests compare both).
void set_fast_ops_enabled(bool on);
bool fast_ops_enabled();
// The int8 graph passes of Model::load (fused lookup tables, layout_nhwc.h), on by default and only
// run with the fast ops: off, quantized graphs run as written (the tests' bit-exactness oracle).
void set_int8_passes_enabled(bool on);
bool int8_passes_enabled();
bool is_supported_op(const std::string& domain, const std::string& op_type);
std::vector<std::string> supported_op_types();

// Registration, one call per op family (ops_*.cc).
struct OpRegistry;
void add_op(OpRegistry& r, const char* op_type, OpFactory f);
void register_elementwise_ops(OpRegistry& r);
void register_nn_ops(OpRegistry& r);
void register_tensor_ops(OpRegistry& r);
// Quantized ops (ops_quant.cc, ops_quant_conv.cc); com.microsoft ops are keyed "com.microsoft:Op".
void register_quant_ops(OpRegistry& r);
void register_quant_conv_ops(OpRegistry& r);
void register_quant_convt_ops(OpRegistry& r);  // ops_quant_convt.cc
void register_quant_nbits_ops(OpRegistry& r);
void register_fast_ops(OpRegistry& r);  // the fast factories (ops_fast_*.cc), a separate registry

}  // namespace wasmq::rt
