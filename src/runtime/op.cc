// Op registry and the attribute getters of OpContext.
#include "runtime/op.h"

#include <algorithm>
#include <map>

namespace wasmq::rt {

struct OpRegistry {
  std::map<std::string, OpFactory> factories;
};

void add_op(OpRegistry& r, const char* op_type, OpFactory f) { r.factories[op_type] = f; }

namespace {
const OpRegistry& registry() {
  static const OpRegistry r = [] {
    OpRegistry reg;
    register_elementwise_ops(reg);
    register_nn_ops(reg);
    register_tensor_ops(reg);
    register_quant_ops(reg);
    return reg;
  }();
  return r;
}
const OpRegistry& fast_registry() {
  static const OpRegistry r = [] {
    OpRegistry reg;
    register_fast_ops(reg);
    return reg;
  }();
  return r;
}
bool g_fast_ops = true;
bool g_int8_passes = true;

std::unique_ptr<Op> create_from(const OpRegistry& reg, const onnx::NodeDef& node, int opset, bool try_fast) {
  OpContext ctx(node, opset);
  // com.microsoft quantized ops, and wasmq's own ops that the load-time passes write (wasmq:Lut).
  const bool ms = node.domain == "com.microsoft" || node.domain == "wasmq";
  if (!node.domain.empty() && node.domain != "ai.onnx" && !ms) {
    ctx.error("domain '" + node.domain + "' is not supported (only ai.onnx and com.microsoft quantized ops)");
  }
  if (try_fast && !ms) {
    const auto& ff = fast_registry().factories;
    const auto fit = ff.find(node.op_type);
    if (fit != ff.end()) {
      std::unique_ptr<Op> op = fit->second(ctx);
      op->label = ctx.label();
      return op;
    }
  }
  // com.microsoft ops are keyed "com.microsoft:Op"; a ':' in an ai.onnx op type never matches them.
  const auto& f = reg.factories;
  const auto it = f.find(ms ? node.domain + ":" + node.op_type : node.op_type);
  if (it == f.end() || (!ms && node.op_type.find(':') != std::string::npos)) {
    ctx.error("op type '" + node.op_type + "' is not supported by wasmq");
  }
  std::unique_ptr<Op> op = it->second(ctx);
  op->label = ctx.label();
  return op;
}
}  // namespace

void set_fast_ops_enabled(bool on) { g_fast_ops = on; }
bool fast_ops_enabled() { return g_fast_ops; }
void set_int8_passes_enabled(bool on) { g_int8_passes = on; }
bool int8_passes_enabled() { return g_int8_passes; }

OpContext::OpContext(const onnx::NodeDef& node, int opset) : node_(node), opset_(opset) {
  // node.label is "node 'name' (Op)" or "node #i (Op)"; add the opset inside the parentheses.
  label_ = node.label.empty() ? "node (" + node.op_type + ")" : node.label;
  label_.insert(label_.size() - 1, ", opset " + std::to_string(opset));
}

const onnx::Attribute* OpContext::find(const std::string& name) const {
  for (const onnx::Attribute& a : node_.attributes) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

void OpContext::error(const std::string& message) const { fail(label_ + ": " + message); }

void OpContext::check_inputs(size_t min, size_t max) const {
  size_t present = node_.inputs.size();
  while (present > 0 && node_.inputs[present - 1].empty()) --present;
  if (present < min || node_.inputs.size() > max) {
    error("expects " + std::to_string(min) + (max != min ? " to " + std::to_string(max) : std::string()) +
          " inputs, got " + std::to_string(node_.inputs.size()));
  }
  for (size_t i = 0; i < min; ++i) {
    if (node_.inputs[i].empty()) error("required input #" + std::to_string(i) + " is missing");
  }
  if (node_.outputs.empty()) error("has no outputs");
}

int64_t OpContext::get_int(const std::string& name, int64_t dflt) const {
  const onnx::Attribute* a = find(name);
  if (!a) return dflt;
  if (a->type != onnx::AttrType::kInt) error("attribute '" + name + "' must be an INT");
  return a->i;
}

float OpContext::get_float(const std::string& name, float dflt) const {
  const onnx::Attribute* a = find(name);
  if (!a) return dflt;
  if (a->type == onnx::AttrType::kInt) return static_cast<float>(a->i);
  if (a->type != onnx::AttrType::kFloat) error("attribute '" + name + "' must be a FLOAT");
  return a->f;
}

std::string OpContext::get_string(const std::string& name, const std::string& dflt) const {
  const onnx::Attribute* a = find(name);
  if (!a) return dflt;
  if (a->type != onnx::AttrType::kString) error("attribute '" + name + "' must be a STRING");
  return a->s;
}

std::vector<int64_t> OpContext::get_ints(const std::string& name, const std::vector<int64_t>& dflt) const {
  const onnx::Attribute* a = find(name);
  if (!a) return dflt;
  if (a->type != onnx::AttrType::kInts && a->type != onnx::AttrType::kUndefined) {
    error("attribute '" + name + "' must be INTS");
  }
  return a->ints;
}

std::vector<float> OpContext::get_floats(const std::string& name) const {
  const onnx::Attribute* a = find(name);
  if (!a) return {};
  if (a->type != onnx::AttrType::kFloats && a->type != onnx::AttrType::kUndefined) {
    error("attribute '" + name + "' must be FLOATS");
  }
  return a->floats;
}

std::unique_ptr<Op> create_op(const onnx::NodeDef& node, int opset) {
  return create_from(registry(), node, opset, g_fast_ops);
}

std::unique_ptr<Op> create_reference_op(const onnx::NodeDef& node, int opset) {
  return create_from(registry(), node, opset, false);
}

bool is_supported_op(const std::string& domain, const std::string& op_type) {
  if (domain == "com.microsoft" || domain == "wasmq") return registry().factories.count(domain + ":" + op_type) > 0;
  if (!domain.empty() && domain != "ai.onnx") return false;
  return op_type == "Constant" || registry().factories.count(op_type) > 0;
}

std::vector<std::string> supported_op_types() {
  std::vector<std::string> r{"Constant"};
  for (const auto& kv : registry().factories) r.push_back(kv.first);
  std::sort(r.begin(), r.end());
  return r;
}

}  // namespace wasmq::rt
