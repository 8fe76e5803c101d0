// Elementwise int8 chains -> wasmq:Lut with a table computed by running the chain on all 256 codes
// (fuse_lut.h).
#include "runtime/fuse_lut.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "common/error.h"
#include "runtime/graph_scan.h"

namespace wasmq::rt {
namespace {

using onnx::AttrType;
using onnx::ElemType;
using onnx::NodeDef;
using onnx::TensorData;

bool ms_domain(const NodeDef& n) { return n.domain == "com.microsoft"; }


const std::set<std::string>& float_unary() {
  static const std::set<std::string> s = {"Relu", "HardSigmoid", "HardSwish", "Sigmoid", "Tanh", "LeakyRelu", "Elu",
                                          "Exp", "Abs", "Neg", "Sqrt", "Softplus", "Gelu", "Erf", "Clip", "Identity"};
  return s;
}

struct Graph : GraphScan {
  explicit Graph(onnx::ModelDef& model) : GraphScan(model) {}
  bool scalar_const(const std::string& name) const { return GraphScan::scalar_const(name, 8); }

  // Data input positions of an elementwise node (all other inputs must be one-element constants);
  // empty when the node does not qualify.
  std::vector<size_t> data_inputs(const NodeDef& n) const {
    if (n.outputs.size() != 1 || n.outputs[0].empty()) return {};
    std::vector<size_t> d;
    if (ms_domain(n) && (n.op_type == "QLinearAdd" || n.op_type == "QLinearMul")) {
      if (n.inputs.size() < 7) return {};
      d = {0, 3};
    } else if (ms_domain(n) && (n.op_type == "QLinearSigmoid" || n.op_type == "QLinearLeakyRelu")) {
      if (n.inputs.size() < 4) return {};
      d = {0};
    } else if (onnx::is_default_domain(n) && (n.op_type == "QuantizeLinear" || n.op_type == "DequantizeLinear")) {
      const onnx::Attribute* b = onnx::find_attribute(n, "block_size");
      if (n.inputs.size() < 2 || (b && b->i != 0)) return {};
      d = {0};
    } else if (onnx::is_default_domain(n) && float_unary().count(n.op_type)) {
      d = {0};
    } else if (onnx::is_default_domain(n) && (n.op_type == "Add" || n.op_type == "Sub" || n.op_type == "Mul" || n.op_type == "Div")) {
      if (n.inputs.size() != 2 || onnx::find_attribute(n, "broadcast") || onnx::find_attribute(n, "axis")) return {};
      d = {0, 1};
    } else {
      return {};
    }
    for (size_t p : d) {  // malformed nodes (missing data inputs) are left to the op's own checks
      if (p >= n.inputs.size() || n.inputs[p].empty()) return {};
    }
    for (size_t i = 0; i < n.inputs.size(); ++i) {
      if (std::find(d.begin(), d.end(), i) != d.end() || n.inputs[i].empty()) continue;
      if (!scalar_const(n.inputs[i])) return {};
    }
    return d;
  }

  // The 8-bit type a node requires at data input `pos` (from its zero point), or kUndefined.
  ElemType input_type(const NodeDef& n, size_t pos) const {
    size_t zp = SIZE_MAX;
    if (onnx::is_default_domain(n) && n.op_type == "DequantizeLinear") zp = 2;
    if (ms_domain(n)) zp = pos == 3 ? 5 : 2;
    if (zp == SIZE_MAX || zp >= n.inputs.size() || n.inputs[zp].empty()) return ElemType::kUndefined;
    const TensorData* t = constant(n.inputs[zp]);
    // An INT16 data input of QLinearAdd/QLinearMul (an int16 conv output's hard-swish chain): the
    // table then has 65536 entries.
    if (t && t->dtype == ElemType::kInt16 && ms_domain(n) && (n.op_type == "QLinearAdd" || n.op_type == "QLinearMul")) return t->dtype;
    return t && onnx::is_q8(t->dtype) ? t->dtype : ElemType::kUndefined;
  }
  // The 8-bit type of a node's output, or kUndefined (float).
  ElemType output_type(const NodeDef& n) const {
    if (onnx::is_default_domain(n) && n.op_type == "QuantizeLinear") {
      if (n.inputs.size() > 2 && !n.inputs[2].empty()) {
        const TensorData* t = constant(n.inputs[2]);
        return t && onnx::is_q8(t->dtype) ? t->dtype : ElemType::kUndefined;
      }
      const onnx::Attribute* od = onnx::find_attribute(n, "output_dtype");
      if (od && od->i != 0) return onnx::is_q8(static_cast<ElemType>(od->i)) ? static_cast<ElemType>(od->i) : ElemType::kUndefined;
      return ElemType::kUInt8;
    }
    if (ms_domain(n)) {
      // QLinearAdd/Mul: C_zero_point's type (an INT16 one is the int16 output of A16W8 mixed
      // precision: a table of int16 entries); without it, A's type (INT8 for an INT16 A).
      if (n.op_type == "QLinearAdd" || n.op_type == "QLinearMul") {
        if (n.inputs.size() > 7 && !n.inputs[7].empty()) {
          const TensorData* t = constant(n.inputs[7]);
          return t && (onnx::is_q8(t->dtype) || t->dtype == ElemType::kInt16) ? t->dtype : ElemType::kUndefined;
        }
        const ElemType a = input_type(n, 0);
        return a == ElemType::kInt16 ? ElemType::kInt8 : a;
      }
      return input_type(n, 0);
    }
    return ElemType::kUndefined;
  }

  std::string fresh(const std::string& base) {
    std::string s = base;
    for (int i = 1; names.count(s); ++i) s = base + "_" + std::to_string(i);
    names.insert(s);
    return s;
  }

  // Tries the chains rooted at value x; returns true after one replacement.
  bool try_root(const std::string& x, const LutEvaluator& eval) {
    if (constant(x)) return false;
    // Grow the set of nodes computed from x alone.
    std::set<std::string> vals{x};
    std::vector<size_t> set;
    std::vector<bool> in_set(g.nodes.size(), false);
    ElemType root_t = ElemType::kUndefined;
    std::vector<size_t> work = readers[x];  // nodes reading a value of the set; re-checked as it grows
    while (!work.empty()) {
      const size_t i = work.back();
      work.pop_back();
      if (in_set[i]) continue;
      const NodeDef& n = g.nodes[i];
      const std::vector<size_t> d = data_inputs(n);
      if (d.empty()) continue;
      bool any = false, all = true;
      for (size_t p : d) {
        if (vals.count(n.inputs[p])) any = true;
        else if (!scalar_const(n.inputs[p])) all = false;
      }
      if (!any || !all) continue;
      for (size_t p : d) {  // the root's 8-bit type, as its readers require it
        if (n.inputs[p] != x) continue;
        const ElemType t = input_type(n, p);
        if (t == ElemType::kUndefined || (root_t != ElemType::kUndefined && t != root_t)) return false;
        root_t = t;
      }
      in_set[i] = true;
      set.push_back(i);
      vals.insert(n.outputs[0]);
      const auto it = readers.find(n.outputs[0]);
      if (it != readers.end()) work.insert(work.end(), it->second.begin(), it->second.end());
    }
    std::sort(set.begin(), set.end());
    if (set.empty() || root_t == ElemType::kUndefined) return false;
    // Candidate results: 8-bit outputs read outside the set (or graph outputs).
    for (size_t yi : set) {
      const NodeDef& yn = g.nodes[yi];
      const std::string& y = yn.outputs[0];
      const ElemType yt = output_type(yn);
      if (yt == ElemType::kUndefined) continue;
      bool escapes = graph_outputs.count(y) > 0;
      for (size_t r : readers[y]) if (!in_set[r]) escapes = true;
      if (!escapes) continue;
      // The chain: y's ancestors inside the set.
      std::set<size_t> chain{yi};
      std::vector<size_t> stack{yi};
      while (!stack.empty()) {
        const NodeDef& n = g.nodes[stack.back()];
        stack.pop_back();
        for (const std::string& s : n.inputs) {
          const auto it = producer.find(s);
          if (it != producer.end() && in_set[it->second] && chain.insert(it->second).second) stack.push_back(it->second);
        }
      }
      // Nodes the table makes dead: y's producer, then every chain node all of whose readers are
      // dead (a result also read elsewhere, or a graph output, keeps its node).
      std::set<size_t> dead(chain);
      for (bool changed = true; changed;) {
        changed = false;
        for (size_t c : std::set<size_t>(dead)) {
          if (c == yi) continue;
          const std::string& v = g.nodes[c].outputs[0];
          bool live = graph_outputs.count(v) > 0;
          for (size_t r : readers[v]) if (!dead.count(r)) live = true;
          if (live) {
            dead.erase(c);
            changed = true;
          }
        }
      }
      // Worth it when two or more nodes go, or one QLinearAdd/QLinearMul (a lookup is cheaper).
      const bool single_q = chain.size() == 1 && ms_domain(yn) && (yn.op_type == "QLinearAdd" || yn.op_type == "QLinearMul");
      if (dead.size() < 2 && !single_q) continue;
      if (replace(x, root_t, y, yt, chain, dead, eval)) return true;
    }
    return false;
  }

  bool replace(const std::string& x, ElemType xt, const std::string& y, ElemType yt, const std::set<size_t>& chain,
               const std::set<size_t>& dead, const LutEvaluator& eval) {
    // The chain as a model of its own: input x [256], output y.
    onnx::ModelDef sub;
    sub.ir_version = m.ir_version;
    sub.opsets = m.opsets;
    onnx::ValueInfoDef in;
    in.name = x;
    in.dtype = xt;
    in.has_shape = true;
    const int64_t codes = xt == ElemType::kInt16 ? 65536 : 256;
    in.dims.push_back(onnx::Dim{codes, ""});
    sub.graph.inputs.push_back(in);
    onnx::ValueInfoDef out;
    out.name = y;
    out.dtype = yt;
    sub.graph.outputs.push_back(out);
    std::set<std::string> copied;
    int64_t min_rank = 0;
    for (size_t c : chain) {  // original order (ascending indices)
      const NodeDef& n = g.nodes[c];
      sub.graph.nodes.push_back(n);
      for (const std::string& s : n.inputs) {
        const TensorData* t = s.empty() ? nullptr : constant(s);
        if (!t || !copied.insert(s).second) continue;
        TensorData tc = *t;
        tc.name = s;
        min_rank = std::max<int64_t>(min_rank, static_cast<int64_t>(tc.dims.size()));
        sub.graph.initializers.push_back(std::move(tc));
      }
    }
    std::vector<uint8_t> table;
    try {
      table = eval(std::move(sub));
    } catch (const Error&) {
      return false;  // left as is: the unfused graph reports the problem when it runs
    }
    const size_t entry = yt == ElemType::kInt16 ? 2 : 1;
    if (table.size() != static_cast<size_t>(codes) * entry) return false;
    bool identity = xt == yt && xt != ElemType::kInt16 && !graph_outputs.count(y);
    for (int b = 0; b < 256 && identity; ++b) identity = table[static_cast<size_t>(b)] == b;
    if (identity) {  // Q(DQ(x)) with the same parameters: the chain goes, its readers read x
      std::vector<NodeDef> nodes;
      nodes.reserve(g.nodes.size());
      for (size_t i = 0; i < g.nodes.size(); ++i) {
        if (dead.count(i)) continue;
        NodeDef n = std::move(g.nodes[i]);
        for (std::string& in : n.inputs) if (in == y) in = x;
        nodes.push_back(std::move(n));
      }
      g.nodes = std::move(nodes);
      return true;
    }
    TensorData t;
    t.name = fresh(y + "/wasmq_lut_table");
    t.dtype = entry == 2 ? ElemType::kInt16 : ElemType::kUInt8;
    t.dims = {codes};
    t.data = std::move(table);
    NodeDef lut;
    lut.name = fresh(y + "/wasmq_lut");
    lut.op_type = "Lut";
    lut.domain = "wasmq";
    lut.inputs = {x, t.name};
    lut.outputs = {y};
    onnx::Attribute from;
    from.name = "from";
    from.type = AttrType::kInt;
    from.i = static_cast<int64_t>(xt);
    lut.attributes.push_back(from);
    onnx::Attribute to;
    to.name = "to";
    to.type = AttrType::kInt;
    to.i = static_cast<int64_t>(yt);
    lut.attributes.push_back(to);
    onnx::Attribute mr;
    mr.name = "min_rank";
    mr.type = AttrType::kInt;
    mr.i = min_rank;
    lut.attributes.push_back(mr);
    lut.label = "node '" + lut.name + "' (Lut)";
    g.initializers.push_back(std::move(t));
    // The Lut takes the place of y's producer (the chain's last node); dead nodes go.
    const size_t last = *chain.rbegin();
    std::vector<NodeDef> nodes;
    nodes.reserve(g.nodes.size());
    for (size_t i = 0; i < g.nodes.size(); ++i) {
      if (i == last) nodes.push_back(lut);
      else if (!dead.count(i)) nodes.push_back(std::move(g.nodes[i]));
    }
    g.nodes = std::move(nodes);
    return true;
  }
};

// Nearest Resize and Concat only move elements, so elementwise maps commute with them:
// DQ(x) -> Resize(nearest) becomes Resize(x) -> DQ (the Resize then runs on 8-bit data), and
// Concat(a, b, ...) -> Q becomes Concat(Q(a), Q(b), ...). DQ/Q pairs then meet and become tables,
// or vanish when their parameters agree. Exact: every output element is the same map of the same
// input element as before.
size_t move_through_data_movement(onnx::ModelDef& m) {
  size_t moved = 0;
  for (bool again = true; again;) {
    again = false;
    Graph G(m);
    std::vector<NodeDef>& nodes = m.graph.nodes;
    auto per_tensor = [&](const NodeDef& n) {
      const onnx::Attribute* b = onnx::find_attribute(n, "block_size");
      if (n.inputs.size() < 2 || !G.scalar_const(n.inputs[1]) || (b && b->i != 0) || n.outputs.size() != 1) return false;
      return n.inputs.size() < 3 || n.inputs[2].empty() || G.scalar_const(n.inputs[2]);
    };
    auto sole_reader = [&](const std::string& v) -> size_t {
      const auto it = G.readers.find(v);
      if (it == G.readers.end() || it->second.size() != 1 || G.graph_outputs.count(v)) return SIZE_MAX;
      return it->second[0];
    };
    for (size_t ri = 0; ri < nodes.size() && !again; ++ri) {
      NodeDef& r = nodes[ri];
      if (!onnx::is_default_domain(r) || r.op_type != "Resize" || r.outputs.size() != 1 || r.inputs.empty()) continue;
      const onnx::Attribute* mode = onnx::find_attribute(r, "mode");
      const onnx::Attribute* coord = onnx::find_attribute(r, "coordinate_transformation_mode");
      if ((mode && mode->s != "nearest") || (coord && coord->s == "tf_crop_and_resize")) continue;
      const auto p = G.producer.find(r.inputs[0]);
      if (p == G.producer.end()) continue;
      NodeDef& d = nodes[p->second];
      if (!onnx::is_default_domain(d) || d.op_type != "DequantizeLinear" || !per_tensor(d) || d.inputs.size() < 3 || d.inputs[2].empty()) continue;
      if (sole_reader(d.outputs[0]) != ri) continue;
      const std::string r8 = G.fresh(r.outputs[0] + "__q8");
      const std::string out = r.outputs[0];
      r.inputs[0] = d.inputs[0];
      r.outputs[0] = r8;
      d.inputs[0] = r8;
      d.outputs[0] = out;
      const size_t di = p->second;
      if (di < ri) {  // the DQ now follows the Resize
        NodeDef dq = std::move(d);
        nodes.insert(nodes.begin() + static_cast<std::ptrdiff_t>(ri + 1), std::move(dq));
        nodes.erase(nodes.begin() + static_cast<std::ptrdiff_t>(di));
      }
      ++moved;
      again = true;
    }
    for (size_t ci = 0; ci < nodes.size() && !again; ++ci) {
      const NodeDef& c = nodes[ci];
      if (!onnx::is_default_domain(c) || c.op_type != "Concat" || c.outputs.size() != 1 || c.inputs.empty()) continue;
      const size_t qi = sole_reader(c.outputs[0]);
      if (qi == SIZE_MAX) continue;
      const NodeDef& q = nodes[qi];
      if (!onnx::is_default_domain(q) || q.op_type != "QuantizeLinear" || !per_tensor(q) || q.inputs[0] != c.outputs[0]) continue;
      bool ok = true;
      for (const std::string& in : c.inputs) ok = ok && !in.empty();
      if (!ok) continue;
      NodeDef cat = c, quant = q;
      std::vector<NodeDef> qs;
      for (std::string& in : cat.inputs) {
        NodeDef qn = quant;
        qn.name = G.fresh(in + "/wasmq_quantize");
        qn.label = "node '" + qn.name + "' (QuantizeLinear)";
        qn.inputs[0] = in;
        qn.outputs[0] = G.fresh(in + "__q");
        in = qn.outputs[0];
        qs.push_back(std::move(qn));
      }
      cat.outputs[0] = quant.outputs[0];
      std::vector<NodeDef> next;
      next.reserve(nodes.size() + qs.size());
      for (size_t i = 0; i < nodes.size(); ++i) {
        if (i == qi) continue;
        if (i == ci) {
          for (NodeDef& n : qs) next.push_back(std::move(n));
          next.push_back(std::move(cat));
          continue;
        }
        next.push_back(std::move(nodes[i]));
      }
      nodes = std::move(next);
      ++moved;
      again = true;
    }
  }
  return moved;
}

}  // namespace

size_t fuse_lut(onnx::ModelDef& m, const LutEvaluator& eval) {
  move_through_data_movement(m);
  size_t fused = 0;
  std::set<std::string> tried;  // roots without a fusable chain
  for (bool again = true; again;) {
    again = false;
    Graph G(m);
    std::vector<std::string> roots;
    std::set<std::string> seen;
    for (const NodeDef& n : m.graph.nodes) {
      for (const std::string& s : n.inputs) {
        if (!s.empty() && !tried.count(s) && seen.insert(s).second) roots.push_back(s);
      }
    }
    for (const std::string& r : roots) {
      if (G.try_root(r, eval)) {
        ++fused;
        again = true;
        break;
      }
      tried.insert(r);
    }
  }
  return fused;
}

}  // namespace wasmq::rt
