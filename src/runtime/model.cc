// Model loading (IR construction, topological sort, validation), planning (shape inference,
// folding of shape computations, liveness-based arena) and execution.
#include "runtime/model.h"
#include "runtime/fuse_qdq.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <map>

#include "runtime/fuse.h"
#include "runtime/fuse_lut.h"
#include "runtime/layout_nhwc.h"

namespace wasmq::rt {

namespace {

constexpr int kMinOpset = 1;  // ops reject the pre-7 forms they do not implement
constexpr int kMaxOpset = 21;
constexpr size_t kAlign = 64;
constexpr size_t kTailSlack = 64;  // readable bytes past every planned / folded / staged buffer

size_t align_up(size_t n) { return (n + kAlign - 1) / kAlign * kAlign; }

// A Constant node's value as a tensor (value, value_float(s), value_int(s)).
std::shared_ptr<onnx::TensorData> constant_value(const onnx::NodeDef& n) {
  if (n.attributes.size() != 1) fail(n.label + ": Constant needs exactly one value attribute");
  const onnx::Attribute& a = n.attributes[0];
  auto t = std::make_shared<onnx::TensorData>();
  auto put = [&](const void* p, size_t bytes) {
    t->data.resize(bytes);
    if (bytes) std::memcpy(t->data.data(), p, bytes);
  };
  if (a.name == "value") {
    if (!a.t) fail(n.label + ": attribute 'value' must be a TENSOR");
    if (n.outputs.size() != 1 || n.outputs[0].empty()) fail(n.label + ": Constant must have one output");
    return a.t;  // shared with the attribute: the weights are held once
  } else if (a.name == "value_float") {
    t->dtype = ElemType::kFloat;
    put(&a.f, 4);
  } else if (a.name == "value_floats") {
    t->dtype = ElemType::kFloat;
    t->dims = {static_cast<int64_t>(a.floats.size())};
    put(a.floats.data(), a.floats.size() * 4);
  } else if (a.name == "value_int") {
    t->dtype = ElemType::kInt64;
    put(&a.i, 8);
  } else if (a.name == "value_ints") {
    t->dtype = ElemType::kInt64;
    t->dims = {static_cast<int64_t>(a.ints.size())};
    put(a.ints.data(), a.ints.size() * 8);
  } else {
    fail(n.label + ": Constant attribute '" + a.name + "' is not supported (value, value_float(s), value_int(s))");
  }
  if (n.outputs.size() != 1 || n.outputs[0].empty()) fail(n.label + ": Constant must have one output");
  return t;
}

IoInfo io_info(const onnx::ValueInfoDef& v) {
  IoInfo io;
  io.name = v.name;
  io.dtype = v.dtype;
  io.has_shape = v.has_shape;
  for (const onnx::Dim& d : v.dims) {
    io.dims.push_back(d.value);
    io.dim_params.push_back(d.param);
  }
  return io;
}

}  // namespace

std::unique_ptr<Model> Model::load(const uint8_t* data, size_t size) { return load(onnx::decode_model(data, size)); }

std::unique_ptr<Model> Model::load(onnx::ModelDef def) {
  std::unique_ptr<Model> m(new Model());
  m->def_ = std::move(def);
  for (size_t i = 0; i < m->def_.graph.nodes.size(); ++i) {  // nodes made by a rewrite: labelled as decoded ones
    onnx::NodeDef& n = m->def_.graph.nodes[i];
    if (n.label.empty()) n.label = onnx::node_label(n, i);
  }
  fuse_qdq(m->def_);  // DQ -> Conv/MatMul/Add -> Q into QLinear ops (fuse_qdq.h)
  if (fast_ops_enabled()) fuse_for_inference(m->def_);  // Conv+BN, Conv+Relu/Clip (fuse.h)
  if (fast_ops_enabled() && int8_passes_enabled()) {
    fuse_lut(m->def_, [](onnx::ModelDef&& sub) {  // elementwise int8 chains -> one table (fuse_lut.h)
      std::unique_ptr<Model> e = from_graph(std::move(sub));
      // Every code of the root: 256 bytes, or 65536 int16 codes (as uint16 indices: table[uint16(x)]).
      const bool x16 = e->inputs()[0].dtype == ElemType::kInt16;
      const size_t codes = x16 ? 65536 : 256;
      void* x = e->stage_input(0, e->inputs()[0].dtype, Shape{static_cast<int64_t>(codes)});
      for (size_t b = 0; b < codes; ++b) {
        if (x16) static_cast<uint16_t*>(x)[b] = static_cast<uint16_t>(b);
        else static_cast<uint8_t*>(x)[b] = static_cast<uint8_t>(b);
      }
      e->run();
      const Tensor& y = e->output(0);
      const bool y16 = y.dtype == ElemType::kInt16;
      if ((onnx::elem_size(y.dtype) != 1 && !y16) || y.numel() != codes) fail("lut: the chain does not give one 8-bit or int16 value per code");
      const auto* p = static_cast<const uint8_t*>(y.data);
      return std::vector<uint8_t>(p, p + y.bytes());
    });
    nhwc_layout_pass(m->def_);  // int8 regions stay NHWC (layout_nhwc.h)
  }
  m->build(m->def_);
  return m;
}

std::unique_ptr<Model> Model::from_graph(onnx::ModelDef def) {
  std::unique_ptr<Model> m(new Model());
  m->def_ = std::move(def);
  m->build(m->def_);
  return m;
}

void Model::build(onnx::ModelDef& m) {
  const auto op_it = m.opsets.find("");
  if (op_it == m.opsets.end()) fail("model does not import the default ONNX opset (ai.onnx)");
  if (op_it->second < kMinOpset || op_it->second > kMaxOpset) {
    fail("model imports ONNX opset " + std::to_string(op_it->second) + "; wasmq supports opsets " +
         std::to_string(kMinOpset) + " to " + std::to_string(kMaxOpset));
  }
  opset_ = static_cast<int>(op_it->second);
  onnx::GraphDef& g = m.graph;

  std::map<std::string, int> ids;
  auto define = [&](const std::string& name, Value v) {
    if (ids.count(name)) fail("value '" + name + "' is defined more than once in the graph");
    v.name = name;
    const int id = static_cast<int>(values_.size());
    values_.push_back(std::move(v));
    ids[name] = id;
    return id;
  };

  for (onnx::TensorData& t : g.initializers) {
    if (t.name.empty()) fail("an initializer has no name");
    Value v;
    v.kind = Value::Kind::kConst;
    v.const_index = static_cast<int>(consts_.size());
    const std::string name = t.name;
    consts_.push_back(std::make_shared<onnx::TensorData>(std::move(t)));  // weights are held once
    define(name, v);
  }
  g.initializers.clear();
  for (const onnx::ValueInfoDef& in : g.inputs) {
    if (ids.count(in.name)) continue;  // IR < 4: initializers are also listed as inputs
    if (in.name.empty()) fail("a graph input has no name");
    if (in.dtype == ElemType::kUndefined) fail("graph input '" + in.name + "' has no tensor element type");
    if (!onnx::is_supported_elem(in.dtype)) {
      fail("graph input '" + in.name + "' has element type " + onnx::elem_onnx_name(in.dtype) + ", which wasmq does not support");
    }
    Value v;
    v.kind = Value::Kind::kInput;
    v.input_index = static_cast<int>(inputs_.size());
    inputs_.push_back(io_info(in));
    input_values_.push_back(define(in.name, v));
  }

  // Nodes: Constant nodes become constants; the others get their op (which validates attributes).
  std::vector<const onnx::NodeDef*> op_nodes;
  for (const onnx::NodeDef& n : g.nodes) {
    if (n.op_type == "Constant" && (n.domain.empty() || n.domain == "ai.onnx")) {
      Value v;
      v.kind = Value::Kind::kConst;
      v.const_index = static_cast<int>(consts_.size());
      consts_.push_back(constant_value(n));
      define(n.outputs[0], v);
      continue;
    }
    op_nodes.push_back(&n);
  }
  std::vector<Node> unsorted(op_nodes.size());
  for (size_t k = 0; k < op_nodes.size(); ++k) {
    const onnx::NodeDef& n = *op_nodes[k];
    if (n.outputs.empty()) fail(n.label + ": node has no outputs");
    for (size_t o = 0; o < n.outputs.size(); ++o) {
      Value v;
      v.kind = Value::Kind::kNode;
      v.producer = static_cast<int>(k);
      const std::string name = n.outputs[o].empty() ? "\x01" + std::to_string(k) + ":" + std::to_string(o) : n.outputs[o];
      unsorted[k].outputs.push_back(define(name, v));
    }
  }
  for (size_t k = 0; k < op_nodes.size(); ++k) {
    const onnx::NodeDef& n = *op_nodes[k];
    unsorted[k].def = &n;
    for (const std::string& in : n.inputs) {
      if (in.empty()) {
        unsorted[k].inputs.push_back(-1);
        continue;
      }
      const auto it = ids.find(in);
      if (it == ids.end()) {
        fail(n.label + ": input '" + in + "' is not a graph input, an initializer or the output of any node");
      }
      unsorted[k].inputs.push_back(it->second);
    }
  }

  // Topological order (Kahn), stable with respect to the file order.
  std::vector<int> pending(unsorted.size(), 0);
  std::vector<std::vector<int>> users(unsorted.size());
  for (size_t k = 0; k < unsorted.size(); ++k) {
    for (int v : unsorted[k].inputs) {
      if (v >= 0 && values_[v].kind == Value::Kind::kNode) {
        ++pending[k];
        users[values_[v].producer].push_back(static_cast<int>(k));
      }
    }
  }
  std::vector<int> order, ready;
  for (size_t k = unsorted.size(); k-- > 0;) {
    if (pending[k] == 0) ready.push_back(static_cast<int>(k));
  }
  while (!ready.empty()) {
    const int k = ready.back();
    ready.pop_back();
    order.push_back(k);
    std::vector<int> now;
    for (int u : users[k]) {
      if (--pending[u] == 0) now.push_back(u);
    }
    std::sort(now.rbegin(), now.rend());
    for (int u : now) ready.push_back(u);
  }
  if (order.size() != unsorted.size()) {
    // Walk back through unsorted producers: after as many steps as there are nodes, the walk is
    // inside a cycle (not merely downstream of one), so the node named is on the cycle.
    int k = 0;
    while (pending[k] == 0) ++k;
    for (size_t step = 0; step < unsorted.size(); ++step) {
      for (int v : unsorted[k].inputs) {
        if (v >= 0 && values_[v].kind == Value::Kind::kNode && pending[values_[v].producer] > 0) {
          k = values_[v].producer;
          break;
        }
      }
    }
    fail("the graph has a cycle through " + unsorted[k].def->label);
  }
  std::vector<int> new_index(unsorted.size());
  for (size_t i = 0; i < order.size(); ++i) new_index[order[i]] = static_cast<int>(i);
  for (Value& v : values_) {
    if (v.kind == Value::Kind::kNode) v.producer = new_index[v.producer];
  }
  for (int k : order) nodes_.push_back(std::move(unsorted[k]));

  // Ops are created in topological order, so the first unsupported node in data-flow order is reported.
  for (Node& n : nodes_) n.op = create_op(*n.def, opset_);

  for (const onnx::ValueInfoDef& out : g.outputs) {
    const auto it = ids.find(out.name);
    if (it == ids.end()) fail("graph output '" + out.name + "' is not produced by any node, input or initializer");
    outputs_.push_back(io_info(out));
    output_values_.push_back(it->second);
  }
  if (outputs_.empty()) fail("the graph has no outputs");

  // Values some op's infer() reads, and everything they are computed from (through Shape, only shapes).
  std::vector<int> work;
  for (const Node& n : nodes_) {
    for (int i : n.op->value_inputs()) {
      if (i < static_cast<int>(n.inputs.size()) && n.inputs[i] >= 0) work.push_back(n.inputs[i]);
    }
  }
  while (!work.empty()) {
    const int v = work.back();
    work.pop_back();
    if (values_[v].needs_value) continue;
    values_[v].needs_value = true;
    if (values_[v].kind == Value::Kind::kNode) {
      const Node& p = nodes_[values_[v].producer];
      if (p.op->shape_only()) continue;
      for (int in : p.inputs) {
        if (in >= 0) work.push_back(in);
      }
    }
  }

  staging_.resize(inputs_.size());
  staged_shape_.resize(inputs_.size());
  staged_.assign(inputs_.size(), false);
}

void* Model::stage_input(size_t i, ElemType dtype, const Shape& dims) {
  WASMQ_CHECK(i < inputs_.size(), "input index " + std::to_string(i) + " is out of range");
  const IoInfo& io = inputs_[i];
  if (dtype != io.dtype) {
    fail("input '" + io.name + "': expected " + onnx::elem_js_name(io.dtype) + " data, got " + onnx::elem_js_name(dtype));
  }
  if (io.has_shape) {
    if (dims.size() != io.dims.size()) {
      fail("input '" + io.name + "': expected rank " + std::to_string(io.dims.size()) + ", got dims " + shape_str(dims));
    }
    for (size_t d = 0; d < dims.size(); ++d) {
      if (io.dims[d] >= 0 && dims[d] != io.dims[d]) {
        fail("input '" + io.name + "': dims[" + std::to_string(d) + "] must be " + std::to_string(io.dims[d]) +
             ", got " + std::to_string(dims[d]));
      }
    }
  }
  uint64_t n = 1;
  for (size_t d = 0; d < dims.size(); ++d) {
    if (dims[d] < 0) fail("input '" + io.name + "': dims[" + std::to_string(d) + "] is negative");
    if (dims[d] != 0 && n > tensor_cap_ / onnx::elem_size(dtype) / static_cast<uint64_t>(dims[d])) {
      fail("input '" + io.name + "': dims " + shape_str(dims) + " exceed the allocation cap");
    }
    n *= static_cast<uint64_t>(dims[d]);
  }
  // kTailSlack readable bytes after the feed too: an int8 kernel may read an input straight from here.
  staging_[i].resize(n * onnx::elem_size(dtype) + kTailSlack);
  staged_shape_[i].assign(dims.begin(), dims.end());
  staged_[i] = true;
  return staging_[i].data();
}

bool Model::signature_changed() {
  new_key_.clear();
  for (size_t i = 0; i < inputs_.size(); ++i) {
    new_key_.push_back(static_cast<int64_t>(staged_shape_[i].size()));
    new_key_.insert(new_key_.end(), staged_shape_[i].begin(), staged_shape_[i].end());
    if (values_[input_values_[i]].needs_value) {
      const size_t bytes = numel_of(staged_shape_[i]) * onnx::elem_size(inputs_[i].dtype);
      for (size_t b = 0; b < bytes; b += 8) {
        int64_t w = 0;
        std::memcpy(&w, staging_[i].data() + b, std::min<size_t>(8, bytes - b));
        new_key_.push_back(w);
      }
    }
  }
  if (planned_ && new_key_ == key_) return false;
  key_.assign(new_key_.begin(), new_key_.end());  // no swap: both keep their capacity, runs stay allocation-free
  return true;
}

void Model::plan() {
  planned_ = false;
  steps_.clear();
  prof_ms_.clear();  // a new plan has new steps
  prof_runs_.clear();
  folded_.clear();
  tensors_.assign(values_.size(), Tensor{});
  for (size_t v = 0; v < values_.size(); ++v) {
    const Value& val = values_[v];
    Tensor& t = tensors_[v];
    if (val.kind == Value::Kind::kConst) {
      const onnx::TensorData& c = *consts_[val.const_index];
      t.dtype = c.dtype;
      t.shape = c.dims;
      // Known, even when empty: the pointer must be non-null.
      t.data = c.data.empty() ? static_cast<void*>(&consts_[val.const_index]) : const_cast<uint8_t*>(c.data.data());
    } else if (val.kind == Value::Kind::kInput) {
      t.dtype = inputs_[val.input_index].dtype;
      t.shape = staged_shape_[val.input_index];
      t.data = val.needs_value ? staging_[val.input_index].data() : nullptr;
    }
  }

  // Shape inference in topological order; nodes whose inputs are all known run now (folding).
  std::vector<int> scheduled;
  std::vector<bool> known(values_.size(), false);
  for (size_t v = 0; v < values_.size(); ++v) known[v] = tensors_[v].data != nullptr;
  for (size_t k = 0; k < nodes_.size(); ++k) {
    Node& n = nodes_[k];
    std::vector<const Tensor*> in;
    bool all_known = true;
    for (int v : n.inputs) {
      in.push_back(v >= 0 ? &tensors_[v] : nullptr);
      if (v >= 0 && !known[v]) all_known = false;
    }
    std::vector<Tensor*> out;
    for (int v : n.outputs) out.push_back(&tensors_[v]);
    for (int i : n.op->value_inputs()) {
      if (i < static_cast<int>(in.size()) && in[i] && !known[n.inputs[i]]) {
        n.op->error("input '" + values_[n.inputs[i]].name + "' (#" + std::to_string(i) +
                    ") must be computable when the model is planned (it is a shape argument), but it depends on tensor data");
      }
    }
    n.op->infer(in, out);
    for (size_t o = 0; o < out.size(); ++o) {
      Tensor* t = out[o];
      if (!onnx::is_supported_elem(t->dtype)) n.op->error("output #" + std::to_string(o) + " has an unsupported element type");
      uint64_t bytes = onnx::elem_size(t->dtype);
      for (int64_t d : t->shape) {
        if (d < 0) n.op->error("inferred a negative dimension for output #" + std::to_string(o) + ": " + shape_str(t->shape));
        if (d != 0 && bytes > tensor_cap_ / static_cast<uint64_t>(d)) {
          n.op->error("output #" + std::to_string(o) + " " + shape_str(t->shape) + " exceeds the allocation cap");
        }
        bytes *= static_cast<uint64_t>(d);
      }
    }
    n.op->prepare(in, out);
    if (all_known || n.op->shape_only()) {
      for (Tensor* t : out) {
        folded_.emplace_back(std::max<size_t>(8, t->bytes() + kTailSlack));
        t->data = folded_.back().data();
      }
      n.op->run(in, out);
      for (int v : n.outputs) known[v] = true;
    } else {
      for (Tensor* t : out) t->data = nullptr;
      scheduled.push_back(static_cast<int>(k));
    }
  }

  // Aliasing: an op that only relabels its input's bytes (Reshape, Flatten, Squeeze, Unsqueeze,
  // Identity) shares the buffer of an input that lives in the arena and runs no step. root[v] is
  // the value that owns v's buffer.
  std::vector<int> root(values_.size());
  for (size_t v = 0; v < values_.size(); ++v) root[v] = static_cast<int>(v);
  std::vector<int> steps;  // node indices that run
  for (int k : scheduled) {
    const Node& n = nodes_[k];
    const int in0 = n.inputs.empty() ? -1 : n.inputs[0];
    if (n.op->output_aliases_input() && in0 >= 0 && values_[in0].kind == Value::Kind::kNode && !known[in0] &&
        tensors_[n.outputs[0]].bytes() == tensors_[in0].bytes()) {
      root[n.outputs[0]] = root[in0];
      continue;
    }
    steps.push_back(k);
  }

  // Liveness per buffer owner: the last step reading it (through any alias); outputs live to the end.
  const int end = static_cast<int>(steps.size());
  std::vector<int> last_use(values_.size(), -1);
  std::vector<bool> live_to_end(values_.size(), false);
  for (int s = 0; s < end; ++s) {
    for (int v : nodes_[steps[s]].inputs) {
      if (v >= 0) last_use[root[v]] = s;
    }
  }
  for (size_t i = 0; i < output_values_.size(); ++i) {  // streamed outputs live like intermediates
    if (i >= streamed_.size() || !streamed_[i]) live_to_end[root[output_values_[i]]] = true;
  }
  struct Live {
    size_t off, size;
    int last;
  };
  std::vector<Live> live;
  std::vector<size_t> offset(values_.size(), 0);
  size_t arena = 0;
  for (int s = 0; s < end; ++s) {
    for (int v : nodes_[steps[s]].outputs) {
      const size_t size = align_up(tensors_[v].bytes());
      std::sort(live.begin(), live.end(), [](const Live& a, const Live& b) { return a.off < b.off; });
      size_t at = 0;  // first fit among the gaps between live buffers
      for (const Live& l : live) {
        if (at + size <= l.off) break;
        at = std::max(at, l.off + l.size);
      }
      offset[v] = at;
      arena = std::max(arena, at + size);
      const int last = live_to_end[v] ? end : std::max(last_use[v], s);
      live.push_back({at, size, last});
    }
    live.erase(std::remove_if(live.begin(), live.end(), [s](const Live& l) { return l.last <= s; }), live.end());
  }
  // kTailSlack readable bytes after the last buffer: int8 kernels read up to 15 bytes past their input
  // (docs/kernels-nn.md), and channels-last ops read their arena inputs in place.
  arena_.assign((arena + kTailSlack) / 8 + 1, 0);
  arena_bytes_ = arena;
  uint8_t* base = reinterpret_cast<uint8_t*>(arena_.data());
  for (int k : scheduled) {
    for (int v : nodes_[k].outputs) tensors_[v].data = base + offset[root[v]];
  }
  for (int s = 0; s < end; ++s) {
    const Node& n = nodes_[steps[s]];
    Step step;
    step.op = n.op.get();
    step.node = steps[s];
    for (int v : n.outputs) step.out.push_back(&tensors_[v]);
    for (int v : n.inputs) step.in.push_back(v >= 0 ? &tensors_[v] : nullptr);
    steps_.push_back(std::move(step));
  }
  // Streamed outputs: handed over after the step writing their buffer, or at the start of a run.
  taps_after_.assign(steps_.size(), {});
  taps_at_start_.clear();
  if (tap_) {
    std::vector<int> step_of(nodes_.size(), -1);
    for (int s = 0; s < end; ++s) step_of[steps[s]] = s;
    for (size_t i = 0; i < output_values_.size(); ++i) {
      if (i >= streamed_.size() || !streamed_[i]) continue;
      const int r = root[output_values_[i]];
      const int s = values_[r].kind == Value::Kind::kNode && !known[r] ? step_of[values_[r].producer] : -1;
      (s < 0 ? taps_at_start_ : taps_after_[s]).push_back(i);
    }
  }
  planned_ = true;
  ++plan_count_;
}

void Model::run() {
  for (size_t i = 0; i < inputs_.size(); ++i) {
    if (!staged_[i]) fail("input '" + inputs_[i].name + "' was not given");
  }
  if (signature_changed()) plan();
  for (size_t i = 0; i < inputs_.size(); ++i) tensors_[input_values_[i]].data = staging_[i].data();
  for (size_t o : taps_at_start_) tap_(o, tensors_[output_values_[o]]);
  if (!profiling_) {
    for (size_t i = 0; i < steps_.size(); ++i) {
      steps_[i].op->run(steps_[i].in, steps_[i].out);
      for (size_t o : taps_after_[i]) tap_(o, tensors_[output_values_[o]]);
    }
    return;
  }
  if (prof_ms_.size() != steps_.size()) {
    prof_ms_.assign(steps_.size(), 0);
    prof_runs_.assign(steps_.size(), 0);
  }
  using clock = std::chrono::steady_clock;
  for (size_t i = 0; i < steps_.size(); ++i) {
    const auto t0 = clock::now();
    steps_[i].op->run(steps_[i].in, steps_[i].out);
    prof_ms_[i] += std::chrono::duration<double, std::milli>(clock::now() - t0).count();
    ++prof_runs_[i];
    for (size_t o : taps_after_[i]) tap_(o, tensors_[output_values_[o]]);
  }
}

void Model::stream_outputs(std::vector<size_t> outputs, OutputTap tap) {
  std::vector<bool> streamed(outputs_.size(), false);
  for (size_t i : outputs) {
    WASMQ_CHECK(i < outputs_.size(), "stream_outputs: output index " + std::to_string(i) + " is out of range");
    streamed[i] = true;
  }
  WASMQ_CHECK(outputs.empty() || tap, "stream_outputs: no tap function");
  streamed_ = outputs.empty() ? std::vector<bool>{} : std::move(streamed);
  tap_ = outputs.empty() ? OutputTap{} : std::move(tap);
  planned_ = false;  // lifetimes change: plan again at the next run
}

void Model::set_profiling(bool on) {
  profiling_ = on;
  prof_ms_.clear();
  prof_runs_.clear();
}

std::vector<StepProfile> Model::profile() const {
  std::vector<StepProfile> r;
  if (prof_ms_.size() != steps_.size()) return r;
  for (size_t i = 0; i < steps_.size(); ++i) {
    const onnx::NodeDef& d = *nodes_[steps_[i].node].def;
    StepProfile p;
    p.node = d.label;
    p.op_type = d.domain.empty() || d.domain == "ai.onnx" ? d.op_type : d.domain + ":" + d.op_type;
    p.ms = prof_ms_[i];
    p.runs = prof_runs_[i];
    r.push_back(std::move(p));
  }
  return r;
}

const Tensor& Model::output(size_t i) const {
  WASMQ_CHECK(i < outputs_.size(), "output index " + std::to_string(i) + " is out of range");
  WASMQ_CHECK(planned_, "the model has not been run yet");
  WASMQ_CHECK(i >= streamed_.size() || !streamed_[i], "output " + std::to_string(i) + " is streamed (stream_outputs): it is only valid during the run");
  return tensors_[output_values_[i]];
}

}  // namespace wasmq::rt
