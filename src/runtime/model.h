// A loaded ONNX model: graph IR (values, nodes in topological order), per-input-shape plans
// (static shapes, folded shape computations, a liveness-based arena) and the executor.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "onnx/onnx_model.h"
#include "runtime/op.h"
#include "runtime/tensor.h"

namespace wasmq::rt {

// One graph input or output as the API reports it: dims entries are -1 when dynamic.
struct IoInfo {
  std::string name;
  ElemType dtype = ElemType::kUndefined;
  bool has_shape = false;
  std::vector<int64_t> dims;
  std::vector<std::string> dim_params;
};

struct Value {
  std::string name;
  enum class Kind { kInput, kConst, kNode } kind = Kind::kNode;
  int producer = -1;       // node index for kNode
  int const_index = -1;    // into Model::consts_ for kConst
  int input_index = -1;    // into inputs() for kInput
  bool needs_value = false;  // some op's infer() reads its contents
};

// Accumulated run time of one step (node) while profiling is on (Model::set_profiling).
struct StepProfile {
  std::string node;     // the node's label
  std::string op_type;  // "<domain>:<op>" outside ai.onnx
  double ms = 0;        // total over the profiled runs
  size_t runs = 0;
};

struct Node {
  const onnx::NodeDef* def = nullptr;
  std::unique_ptr<Op> op;
  std::vector<int> inputs;   // value ids, -1 for an omitted optional input
  std::vector<int> outputs;  // value ids (omitted outputs get anonymous values)
};

class Model {
 public:
  // Decodes and validates a model: unsupported ops, missing inputs, cycles and malformed
  // protobuf all throw wasmq::Error.
  static std::unique_ptr<Model> load(const uint8_t* data, size_t size);
  // The same from an already decoded graph (the load-time passes run on it): no encode/decode
  // round trip and no second copy of the weights (the quantizer's calibration model).
  static std::unique_ptr<Model> load(onnx::ModelDef def);
  // A model from an already decoded and rewritten graph: no load-time passes run (fuse_lut.cc uses
  // it to evaluate a chain of the model being loaded with the same ops).
  static std::unique_ptr<Model> from_graph(onnx::ModelDef def);

  const std::vector<IoInfo>& inputs() const { return inputs_; }
  const std::vector<IoInfo>& outputs() const { return outputs_; }

  // Checks dtype/rank/fixed dims of a feed for input i and returns where to write its bytes.
  void* stage_input(size_t i, ElemType dtype, const Shape& dims);
  // Runs with the staged inputs; plans again only when input dims (or shape-argument inputs) change.
  void run();
  // Output i of the last run (data valid until the next run or stage_input). Not for a streamed output.
  const Tensor& output(size_t i) const;

  // Streamed outputs are read during the run instead of after it: `tap(i, tensor)` is called for each
  // listed output i as soon as the step producing its bytes has run (for an output computed at plan
  // time, a graph input or a constant: at the start of every run), and its buffer is then reused
  // like any intermediate value's. Memory stays that of the plain model however many tensors are
  // streamed (the quantizer observes every activation this way). The tensor is valid only during
  // the call. An empty list turns streaming off; changing the list plans again at the next run.
  using OutputTap = std::function<void(size_t output_index, const Tensor& t)>;
  void stream_outputs(std::vector<size_t> outputs, OutputTap tap);

  // Largest activation (bytes) a plan may create; default onnx::kMaxTensorBytes. A tighter cap
  // bounds memory for untrusted models (the fuzzer uses 1 MiB).
  void set_tensor_cap(uint64_t bytes) { tensor_cap_ = bytes; }

  // Opt-in per-step timing (steady clock around each op->run); turning it on clears the totals.
  // Off by default: the executor then reads no clock.
  void set_profiling(bool on);
  // Totals per executed step of the current plan, in execution order (empty before a profiled run).
  std::vector<StepProfile> profile() const;

  // Introspection for tests and docs.
  size_t arena_bytes() const { return arena_bytes_; }
  size_t plan_count() const { return plan_count_; }
  size_t num_steps() const { return steps_.size(); }
  const std::vector<Node>& nodes() const { return nodes_; }  // topological order

 private:
  Model() = default;
  void build(onnx::ModelDef& m);  // moves the initializers out of m
  void plan();
  bool signature_changed();

  onnx::ModelDef def_;
  int opset_ = 0;
  uint64_t tensor_cap_ = onnx::kMaxTensorBytes;
  std::vector<Value> values_;
  std::vector<Node> nodes_;
  std::vector<std::shared_ptr<onnx::TensorData>> consts_;
  std::vector<IoInfo> inputs_, outputs_;
  std::vector<int> input_values_, output_values_;

  // Staged feeds.
  std::vector<std::vector<uint8_t>> staging_;
  std::vector<Shape> staged_shape_;
  std::vector<bool> staged_;

  // The current plan.
  struct Step {
    Op* op;
    int node = -1;
    std::vector<const Tensor*> in;
    std::vector<Tensor*> out;
  };
  std::vector<Tensor> tensors_;                 // per value
  std::vector<std::vector<uint8_t>> folded_;    // storage of values computed at plan time
  std::vector<uint64_t> arena_;                 // 8-byte aligned backing store of planned values
  size_t arena_bytes_ = 0;
  std::vector<Step> steps_;
  // Streaming (stream_outputs): per output, whether it is streamed; the outputs to hand over
  // after each step and at the start of a run.
  std::vector<bool> streamed_;
  OutputTap tap_;
  std::vector<std::vector<size_t>> taps_after_;
  std::vector<size_t> taps_at_start_;
  std::vector<int64_t> key_, new_key_;
  bool planned_ = false;
  size_t plan_count_ = 0;
  bool profiling_ = false;
  std::vector<double> prof_ms_;  // per step
  std::vector<size_t> prof_runs_;
};

}  // namespace wasmq::rt
