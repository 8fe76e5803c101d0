// Float-graph rewrites before quantization (see graph_passes.h); every pass names what it changes.
#include "quantize/graph_passes.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <set>

#include "common/error.h"
#include "quantize/fold_affine.h"

namespace wasmq::quantize {

using onnx::AttrType;
using onnx::Attribute;
using onnx::ElemType;
using onnx::ModelDef;
using onnx::NodeDef;
using onnx::TensorData;

GraphIndex::GraphIndex(const ModelDef& m) {
  for (size_t i = 0; i < m.graph.initializers.size(); ++i) init[m.graph.initializers[i].name] = static_cast<int>(i);
  for (size_t k = 0; k < m.graph.nodes.size(); ++k) {
    const NodeDef& n = m.graph.nodes[k];
    for (const std::string& o : n.outputs)
      if (!o.empty()) producer[o] = static_cast<int>(k);
    for (const std::string& in : n.inputs)
      if (!in.empty()) users[in].push_back(static_cast<int>(k));
  }
  for (const auto& o : m.graph.outputs) is_output[o.name] = true;
}

int GraphIndex::use_count(const std::string& name) const {
  auto it = users.find(name);
  return (it == users.end() ? 0 : static_cast<int>(it->second.size())) + (is_output.count(name) ? 1 : 0);
}

const Attribute* find_attr(const NodeDef& n, const std::string& name) { return onnx::find_attribute(n, name); }
int64_t attr_int(const NodeDef& n, const std::string& name, int64_t def) {
  const Attribute* a = find_attr(n, name);
  return a ? a->i : def;
}
float attr_float(const NodeDef& n, const std::string& name, float def) {
  const Attribute* a = find_attr(n, name);
  return a ? a->f : def;
}
Attribute make_int_attr(const std::string& name, int64_t v) {
  Attribute a;
  a.name = name;
  a.type = AttrType::kInt;
  a.i = v;
  return a;
}
Attribute make_ints_attr(const std::string& name, const std::vector<int64_t>& v) {
  Attribute a;
  a.name = name;
  a.type = AttrType::kInts;
  a.ints = v;
  return a;
}
Attribute make_float_attr(const std::string& name, float v) {
  Attribute a;
  a.name = name;
  a.type = AttrType::kFloat;
  a.f = v;
  return a;
}
TensorData float_tensor(const std::string& name, const std::vector<int64_t>& dims, const std::vector<float>& v) {
  TensorData t;
  t.name = name;
  t.dtype = ElemType::kFloat;
  t.dims = dims;
  t.data.resize(v.size() * 4);
  if (!v.empty()) std::memcpy(t.data.data(), v.data(), t.data.size());
  return t;
}
TensorData int64_tensor(const std::string& name, const std::vector<int64_t>& dims, const std::vector<int64_t>& v) {
  TensorData t;
  t.name = name;
  t.dtype = ElemType::kInt64;
  t.dims = dims;
  t.data.resize(v.size() * 8);
  if (!v.empty()) std::memcpy(t.data.data(), v.data(), t.data.size());
  return t;
}
std::vector<float> as_floats(const TensorData& t) {
  const size_t n = t.numel();
  std::vector<float> v(n);
  if (t.dtype == ElemType::kFloat) {
    if (n) std::memcpy(v.data(), t.data.data(), n * 4);
  } else if (t.dtype == ElemType::kDouble) {
    for (size_t i = 0; i < n; ++i) {
      double d;
      std::memcpy(&d, t.data.data() + 8 * i, 8);
      v[i] = static_cast<float>(d);
    }
  } else {
    fail("tensor '" + t.name + "': expected float data, got " + onnx::elem_onnx_name(t.dtype));
  }
  return v;
}

int domain_opset(const ModelDef& m, const std::string& domain) {
  auto it = m.opsets.find(domain);
  if (it == m.opsets.end() && domain.empty()) it = m.opsets.find("ai.onnx");
  return it == m.opsets.end() ? 0 : static_cast<int>(it->second);
}

void constants_to_initializers(ModelDef& m, PassStats& s) {
  std::vector<NodeDef> kept;
  for (NodeDef& n : m.graph.nodes) {
    if (n.op_type != "Constant" || !onnx::is_default_domain(n) || n.outputs.size() != 1 ||
        n.attributes.size() != 1) {
      kept.push_back(std::move(n));
      continue;
    }
    const Attribute& a = n.attributes[0];
    TensorData t;
    if (a.name == "value" && a.t) {
      t = *a.t;
    } else if (a.name == "value_float") {
      t = float_tensor("", {}, {a.f});
    } else if (a.name == "value_floats") {
      t = float_tensor("", {static_cast<int64_t>(a.floats.size())}, a.floats);
    } else if (a.name == "value_int") {
      t = int64_tensor("", {}, {a.i});
    } else if (a.name == "value_ints") {
      t = int64_tensor("", {static_cast<int64_t>(a.ints.size())}, a.ints);
    } else {
      kept.push_back(std::move(n));
      continue;
    }
    t.name = n.outputs[0];
    m.graph.initializers.push_back(std::move(t));
    ++s.constants;
  }
  m.graph.nodes = std::move(kept);
}

void topo_sort(ModelDef& m) {
  GraphIndex g(m);
  const size_t n = m.graph.nodes.size();
  std::vector<int> pending(n, 0);
  for (size_t k = 0; k < n; ++k)
    for (const std::string& in : m.graph.nodes[k].inputs)
      if (!in.empty() && g.producer.count(in)) ++pending[k];
  std::vector<int> order;
  std::vector<bool> done(n, false);
  // Stable: repeatedly take the first ready node in file order.
  std::set<int> ready;
  for (size_t k = 0; k < n; ++k)
    if (pending[k] == 0) ready.insert(static_cast<int>(k));
  while (!ready.empty()) {
    const int k = *ready.begin();
    ready.erase(ready.begin());
    order.push_back(k);
    for (const std::string& o : m.graph.nodes[k].outputs) {
      auto it = g.users.find(o);
      if (o.empty() || it == g.users.end()) continue;
      for (int u : it->second)
        if (--pending[u] == 0) ready.insert(u);
    }
  }
  WASMQ_CHECK(order.size() == n, "quantize: the graph has a cycle or an undefined input");
  std::vector<NodeDef> sorted;
  sorted.reserve(n);
  for (int k : order) sorted.push_back(std::move(m.graph.nodes[k]));
  m.graph.nodes = std::move(sorted);
}

namespace {

// Moves an ints attribute into a new int64 initializer input at position pos.
void attr_to_input(ModelDef& m, NodeDef& n, const std::string& attr, size_t pos, int& counter) {
  const Attribute* a = find_attr(n, attr);
  std::string name;
  if (a) {
    name = n.outputs[0] + "__" + attr + std::to_string(counter++);
    m.graph.initializers.push_back(int64_tensor(name, {static_cast<int64_t>(a->ints.size())}, a->ints));
  }
  if (n.inputs.size() < pos) n.inputs.resize(pos);
  n.inputs.insert(n.inputs.begin() + static_cast<long>(std::min(pos, n.inputs.size())), name);
  std::vector<Attribute> rest;
  for (Attribute& x : n.attributes)
    if (x.name != attr) rest.push_back(std::move(x));
  n.attributes = std::move(rest);
  while (!n.inputs.empty() && n.inputs.back().empty()) n.inputs.pop_back();
}

}  // namespace

void upgrade_opset(ModelDef& m, int target, PassStats& s) {
  const int from = domain_opset(m, "");
  if (from >= target) return;
  int counter = 0;
  for (NodeDef& n : m.graph.nodes) {
    if (!onnx::is_default_domain(n)) continue;
    const std::string& op = n.op_type;
    if (op == "Clip" && from < 11) {
      const float lo = attr_float(n, "min", -3.402823466e38f), hi = attr_float(n, "max", 3.402823466e38f);
      const std::string b = n.outputs[0] + "__clip" + std::to_string(counter++);
      m.graph.initializers.push_back(float_tensor(b + "_min", {}, {lo}));
      m.graph.initializers.push_back(float_tensor(b + "_max", {}, {hi}));
      n.inputs.resize(1);
      n.inputs.push_back(b + "_min");
      n.inputs.push_back(b + "_max");
      n.attributes.clear();
      ++s.upgraded;
    } else if (op == "Slice" && from < 10) {
      const Attribute* axes = find_attr(n, "axes");
      std::vector<int64_t> ax;
      if (axes) ax = axes->ints;
      attr_to_input(m, n, "starts", 1, counter);
      attr_to_input(m, n, "ends", 2, counter);
      if (!ax.empty()) attr_to_input(m, n, "axes", 3, counter);
      ++s.upgraded;
    } else if ((op == "Squeeze" || op == "Unsqueeze" || op == "ReduceSum") && from < 13 && find_attr(n, "axes")) {
      attr_to_input(m, n, "axes", 1, counter);
      ++s.upgraded;
    } else if (op == "Split" && from < 13 && find_attr(n, "split")) {
      attr_to_input(m, n, "split", 1, counter);
      ++s.upgraded;
    } else if (op == "Dropout") {
      n.op_type = "Identity";
      n.inputs.resize(1);
      n.outputs.resize(1);
      n.attributes.clear();
      ++s.upgraded;
    } else if ((op == "Softmax" || op == "LogSoftmax" || op == "Hardmax") && from < 13) {
      // Opset < 13 coerces to 2-D at `axis`; that equals opset 13's one-axis form only when the
      // axis is the last one. The quantizer checks ranks after the first calibration run.
      ++s.upgraded;
    } else if (op == "Pad" && from < 11) {
      fail("quantize: " + n.label + ": Pad from opset < 11 cannot be upgraded; re-export the model with opset >= 11");
    } else if (op == "Upsample" || op == "Scatter") {
      fail("quantize: " + n.label + ": " + op + " (removed from ONNX) cannot be upgraded to opset 13");
    }
  }
  m.opsets[""] = target;
  m.opsets.erase("ai.onnx");
  if (m.ir_version < 7) m.ir_version = 7;
}

void fold_batchnorm(ModelDef& m, PassStats& s) {
  for (;;) {
    GraphIndex g(m);
    bool changed = false;
    for (size_t k = 0; k < m.graph.nodes.size() && !changed; ++k) {
      NodeDef& bn = m.graph.nodes[k];
      if (bn.op_type != "BatchNormalization" || bn.outputs.size() != 1 || bn.inputs.size() < 5) continue;
      if (attr_int(bn, "training_mode", 0) != 0) continue;
      auto p = g.producer.find(bn.inputs[0]);
      if (p == g.producer.end()) continue;
      NodeDef& conv = m.graph.nodes[p->second];
      if (conv.op_type != "Conv" || conv.outputs.size() != 1 || g.use_count(conv.outputs[0]) != 1) continue;
      if (conv.inputs.size() < 2 || !g.is_const(conv.inputs[1])) continue;
      if (conv.inputs.size() > 2 && !conv.inputs[2].empty() && !g.is_const(conv.inputs[2])) continue;
      bool consts = true;
      for (int i = 1; i < 5; ++i) consts = consts && g.is_const(bn.inputs[i]);
      if (!consts) continue;
      const float eps = attr_float(bn, "epsilon", 1e-5f);
      auto& inits = m.graph.initializers;
      const std::vector<float> gamma = as_floats(inits[g.init.at(bn.inputs[1])]);
      const std::vector<float> beta = as_floats(inits[g.init.at(bn.inputs[2])]);
      const std::vector<float> mean = as_floats(inits[g.init.at(bn.inputs[3])]);
      const std::vector<float> var = as_floats(inits[g.init.at(bn.inputs[4])]);
      const TensorData& wt = inits[g.init.at(conv.inputs[1])];
      if (wt.dtype != ElemType::kFloat || wt.dims.empty()) continue;
      const size_t M = static_cast<size_t>(wt.dims[0]);
      if (gamma.size() != M || beta.size() != M || mean.size() != M || var.size() != M) continue;
      std::vector<float> w = as_floats(wt);
      std::vector<float> b(M, 0.0f);
      if (conv.inputs.size() > 2 && !conv.inputs[2].empty()) b = as_floats(inits[g.init.at(conv.inputs[2])]);
      if (b.size() != M) continue;
      const size_t per = w.size() / M;
      for (size_t c = 0; c < M; ++c) {
        const double k2 = static_cast<double>(gamma[c]) / std::sqrt(static_cast<double>(var[c]) + eps);
        for (size_t i = 0; i < per; ++i) w[c * per + i] = static_cast<float>(w[c * per + i] * k2);
        b[c] = static_cast<float>((static_cast<double>(b[c]) - mean[c]) * k2 + beta[c]);
      }
      // Fresh names: the weights may be shared with another node.
      const std::string wn = bn.outputs[0] + "__folded_w", bname = bn.outputs[0] + "__folded_b";
      inits.push_back(float_tensor(wn, wt.dims, w));
      inits.push_back(float_tensor(bname, {static_cast<int64_t>(M)}, b));
      conv.inputs.resize(3);
      conv.inputs[1] = wn;
      conv.inputs[2] = bname;
      conv.outputs[0] = bn.outputs[0];
      m.graph.nodes.erase(m.graph.nodes.begin() + static_cast<long>(k));
      ++s.bn_folded;
      changed = true;
    }
    if (!changed) break;
  }
}

void split_gemm(ModelDef& m, PassStats& s) {
  GraphIndex g(m);
  std::vector<NodeDef> out;
  for (NodeDef& n : m.graph.nodes) {
    if (n.op_type != "Gemm" || n.inputs.size() < 2 || !g.is_const(n.inputs[1]) || attr_int(n, "transA", 0) != 0) {
      out.push_back(std::move(n));
      continue;
    }
    const TensorData& bt = m.graph.initializers[g.init.at(n.inputs[1])];
    if (bt.dims.size() != 2 || bt.dtype != ElemType::kFloat) {
      out.push_back(std::move(n));
      continue;
    }
    const float alpha = attr_float(n, "alpha", 1.0f), beta = attr_float(n, "beta", 1.0f);
    const bool transB = attr_int(n, "transB", 0) != 0;
    const int64_t K = transB ? bt.dims[1] : bt.dims[0], N = transB ? bt.dims[0] : bt.dims[1];
    const std::vector<float> b = as_floats(bt);
    std::vector<float> w(static_cast<size_t>(K * N));
    for (int64_t k = 0; k < K; ++k)
      for (int64_t j = 0; j < N; ++j) w[k * N + j] = alpha * (transB ? b[j * K + k] : b[k * N + j]);
    const std::string base = n.outputs[0];
    m.graph.initializers.push_back(float_tensor(base + "__gemm_w", {K, N}, w));
    const bool has_c = n.inputs.size() > 2 && !n.inputs[2].empty() && beta != 0.0f;
    NodeDef mm;
    mm.name = n.name.empty() ? base + "__matmul" : n.name;
    mm.label = n.label;
    mm.op_type = "MatMul";
    mm.inputs = {n.inputs[0], base + "__gemm_w"};
    mm.outputs = {has_c ? base + "__gemm_mm" : base};
    if (has_c) {
      std::string cname = n.inputs[2];
      if (beta != 1.0f) {
        if (!g.is_const(cname)) {
          out.push_back(std::move(n));
          m.graph.initializers.pop_back();
          continue;
        }
        std::vector<float> c = as_floats(m.graph.initializers[g.init.at(cname)]);
        for (float& x : c) x *= beta;
        const std::vector<int64_t> cd = m.graph.initializers[g.init.at(cname)].dims;
        cname = base + "__gemm_c";
        m.graph.initializers.push_back(float_tensor(cname, cd, c));
      }
      NodeDef add;
      add.name = mm.name + "__bias";
      add.label = "node '" + add.name + "' (Add)";
      add.op_type = "Add";
      add.inputs = {mm.outputs[0], cname};
      add.outputs = {base};
      out.push_back(std::move(mm));
      out.push_back(std::move(add));
    } else {
      out.push_back(std::move(mm));
    }
    ++s.gemm_split;
  }
  m.graph.nodes = std::move(out);
}

void div_to_mul(ModelDef& m, PassStats& s) {
  GraphIndex g(m);
  for (NodeDef& n : m.graph.nodes) {
    if (n.op_type != "Div" || n.inputs.size() != 2 || !g.is_const(n.inputs[1])) continue;
    const TensorData& d = m.graph.initializers[g.init.at(n.inputs[1])];
    if (d.dtype != ElemType::kFloat) continue;
    std::vector<float> v = as_floats(d);
    for (float& x : v) x = 1.0f / x;
    const std::string name = n.outputs[0] + "__reciprocal";
    m.graph.initializers.push_back(float_tensor(name, d.dims, v));
    n.op_type = "Mul";
    n.inputs[1] = name;
    ++s.div_to_mul;
  }
}

void drop_unused_initializers(ModelDef& m) {
  std::set<std::string> used;
  for (const NodeDef& n : m.graph.nodes)
    for (const std::string& i : n.inputs) used.insert(i);
  for (const auto& v : m.graph.inputs) used.insert(v.name);
  for (const auto& v : m.graph.outputs) used.insert(v.name);
  auto& inits = m.graph.initializers;
  inits.erase(std::remove_if(inits.begin(), inits.end(), [&](const TensorData& t) { return !used.count(t.name); }), inits.end());
}

PassStats prepare_float_graph(ModelDef& m, int target_opset) {
  PassStats s;
  constants_to_initializers(m, s);
  topo_sort(m);
  upgrade_opset(m, target_opset, s);
  fold_batchnorm(m, s);
  split_gemm(m, s);
  div_to_mul(m, s);
  fold_affine_into_conv(m, s);
  drop_unused_initializers(m);
  topo_sort(m);
  return s;
}

}  // namespace wasmq::quantize
