// Shared index of a decoded graph for the runtime's load-time passes: constants (initializers and
// Constant nodes), producers, readers, graph outputs and every value name in use.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "onnx/onnx_model.h"

namespace wasmq::rt {

struct GraphScan {
  onnx::ModelDef& m;
  onnx::GraphDef& g;
  std::map<std::string, const onnx::TensorData*> consts;
  std::map<std::string, size_t> producer;
  std::map<std::string, std::vector<size_t>> readers;  // node indices, once per input slot
  std::set<std::string> graph_outputs, names;

  explicit GraphScan(onnx::ModelDef& model) : m(model), g(model.graph) {
    for (const onnx::TensorData& t : g.initializers) consts[t.name] = &t;
    for (size_t i = 0; i < g.nodes.size(); ++i) {
      const onnx::NodeDef& n = g.nodes[i];
      if (n.op_type == "Constant" && onnx::is_default_domain(n) && n.attributes.size() == 1 && n.attributes[0].name == "value" &&
          n.attributes[0].t && n.outputs.size() == 1) {
        consts[n.outputs[0]] = n.attributes[0].t.get();
      }
      for (const std::string& o : n.outputs) producer[o] = i;
      for (const std::string& s : n.inputs) {
        if (!s.empty()) readers[s].push_back(i);
        names.insert(s);
      }
      for (const std::string& s : n.outputs) names.insert(s);
    }
    for (const auto& o : g.outputs) graph_outputs.insert(o.name);
    for (const auto& i : g.inputs) names.insert(i.name);
    for (const auto& t : g.initializers) names.insert(t.name);
  }

  const onnx::TensorData* constant(const std::string& name) const {
    const auto it = consts.find(name);
    return it == consts.end() ? nullptr : it->second;
  }
  // A one-element constant of rank <= max_rank.
  bool scalar_const(const std::string& name, size_t max_rank) const {
    const onnx::TensorData* t = constant(name);
    return t && t->numel() == 1 && t->dims.size() <= max_rank;
  }
};

}  // namespace wasmq::rt
