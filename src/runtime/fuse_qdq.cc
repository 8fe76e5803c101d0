// Load-time rewrite of QDQ patterns into QOperator nodes: DequantizeLinear -> Conv/ConvTranspose/
// MatMul/Add -> QuantizeLinear becomes QLinearConv / com.microsoft QLinearConvTranspose /
// QLinearMatMul / com.microsoft QLinearAdd (docs/runtime.md).
#include "runtime/fuse_qdq.h"

#include <cmath>
#include <cstring>
#include <map>
#include <set>

namespace wasmq::rt {
namespace {

using onnx::ElemType;


struct Graph {
  onnx::GraphDef& g;
  std::map<std::string, const onnx::TensorData*> inits;
  std::map<std::string, size_t> producer;
  std::map<std::string, int> uses;
  std::set<std::string> graph_outputs;

  explicit Graph(onnx::GraphDef& gd) : g(gd) {
    for (const auto& t : g.initializers) inits[t.name] = &t;
    for (size_t i = 0; i < g.nodes.size(); ++i) {
      for (const auto& o : g.nodes[i].outputs) producer[o] = i;
      for (const auto& in : g.nodes[i].inputs) if (!in.empty()) ++uses[in];
    }
    for (const auto& o : g.outputs) graph_outputs.insert(o.name);
  }
  const onnx::NodeDef* dq_of(const std::string& v) const {
    auto it = producer.find(v);
    if (it == producer.end()) return nullptr;
    const onnx::NodeDef& n = g.nodes[it->second];
    if (n.op_type != "DequantizeLinear" || !onnx::is_default_domain(n) || n.inputs.size() < 3 || n.inputs[2].empty()) return nullptr;
    for (const auto& a : n.attributes) if (a.name == "block_size" && a.i != 0) return nullptr;
    return &n;
  }
  const onnx::TensorData* init(const std::string& name) const {
    auto it = inits.find(name);
    return it == inits.end() ? nullptr : it->second;
  }
  bool scalar_init(const std::string& name) const {
    const onnx::TensorData* t = init(name);
    return t && t->numel() == 1 && t->dims.size() <= 1;
  }
  // The single QuantizeLinear reading v (v used once, not a graph output), with scalar scale/zp.
  size_t sole_q(const std::string& v) const {
    auto u = uses.find(v);
    if (u == uses.end() || u->second != 1 || graph_outputs.count(v)) return SIZE_MAX;
    for (size_t i = 0; i < g.nodes.size(); ++i) {
      const onnx::NodeDef& n = g.nodes[i];
      if (n.inputs.empty() || n.inputs[0] != v) continue;
      if (n.op_type != "QuantizeLinear" || !onnx::is_default_domain(n) || n.inputs.size() < 3 || n.inputs[2].empty()) return SIZE_MAX;
      if (!scalar_init(n.inputs[1]) || !scalar_init(n.inputs[2])) return SIZE_MAX;
      const onnx::TensorData* zp = init(n.inputs[2]);
      if (zp->dtype != ElemType::kInt8 && zp->dtype != ElemType::kUInt8) return SIZE_MAX;
      return i;
    }
    return SIZE_MAX;
  }
  int64_t axis_of(const onnx::NodeDef& n) const {
    const onnx::Attribute* a = onnx::find_attribute(n, "axis");
    return a ? a->i : 1;
  }
};


// An activation DQ: scalar scale and 8-bit zero point (initializers).
bool act_dq(const Graph& G, const onnx::NodeDef* d) {
  if (!d || !G.scalar_init(d->inputs[1]) || !G.scalar_init(d->inputs[2])) return false;
  return onnx::is_q8(G.init(d->inputs[2])->dtype);
}

float f32_at(const onnx::TensorData& t, size_t i) {
  float v;
  std::memcpy(&v, t.data.data() + 4 * i, 4);
  return v;
}

}  // namespace

size_t fuse_qdq(onnx::ModelDef& m) {
  onnx::GraphDef& g = m.graph;
  size_t fused = 0;
  std::vector<bool> drop(g.nodes.size(), false);
  std::vector<std::pair<size_t, onnx::NodeDef>> replace;
  Graph G(g);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const onnx::NodeDef& n = g.nodes[i];
    if (!onnx::is_default_domain(n) || drop[i]) continue;
    const bool conv = n.op_type == "Conv", mm = n.op_type == "MatMul", add = n.op_type == "Add";
    // ConvTranspose: 2-D, explicit pads (the forms com.microsoft QLinearConvTranspose takes).
    const onnx::Attribute* ct_pad = onnx::find_attribute(n, "auto_pad");
    const bool convt = n.op_type == "ConvTranspose" && !onnx::find_attribute(n, "output_shape") &&
                       (!ct_pad || ct_pad->s == "NOTSET" || ct_pad->s == "VALID");
    // Gemm as wasmq's QDQ export writes it (and onnxruntime fuses it): A [M, K], B [K, N] with no
    // transposes, alpha = beta = 1, C an int32 bias of N values -> com.microsoft QGemm.
    auto int_attr = [&](const char* k, int64_t d) { const onnx::Attribute* a = onnx::find_attribute(n, k); return a ? a->i : d; };
    auto float_attr = [&](const char* k, float d) { const onnx::Attribute* a = onnx::find_attribute(n, k); return a ? a->f : d; };
    const bool gemm = n.op_type == "Gemm" && !int_attr("transA", 0) && !int_attr("transB", 0) && float_attr("alpha", 1.0f) == 1.0f &&
                      float_attr("beta", 1.0f) == 1.0f && n.inputs.size() == 3 && !n.inputs[2].empty();
    if (!conv && !mm && !add && !gemm && !convt) continue;
    if (n.inputs.size() < 2 || n.outputs.size() != 1) continue;
    const onnx::NodeDef* da = G.dq_of(n.inputs[0]);
    const onnx::NodeDef* db = G.dq_of(n.inputs[1]);
    if (!act_dq(G, da) || !db) continue;
    const size_t qi = G.sole_q(n.outputs[0]);
    if (qi == SIZE_MAX || drop[qi]) continue;
    const onnx::NodeDef& q = g.nodes[qi];
    onnx::NodeDef f;
    f.name = n.name.empty() ? q.outputs[0] + "_fused" : n.name + "_fused";
    f.outputs = q.outputs;
    if (add) {
      if (n.inputs.size() != 2 || !act_dq(G, db)) continue;
      if (G.init(da->inputs[2])->dtype != G.init(db->inputs[2])->dtype || G.init(db->inputs[2])->dtype != G.init(q.inputs[2])->dtype) continue;
      f.op_type = "QLinearAdd";
      f.domain = "com.microsoft";
      f.inputs = {da->inputs[0], da->inputs[1], da->inputs[2], db->inputs[0], db->inputs[1], db->inputs[2], q.inputs[1], q.inputs[2]};
    } else {
      // Weights: constant 8-bit, per tensor or per output channel (Conv: axis 0; MatMul: columns, axis 1).
      const onnx::TensorData* w = G.init(db->inputs[0]);
      const onnx::TensorData* ws = G.init(db->inputs[1]);
      const onnx::TensorData* wz = G.init(db->inputs[2]);
      if (!w || !ws || !wz || !onnx::is_q8(w->dtype) || wz->dtype != w->dtype || ws->dtype != ElemType::kFloat) continue;
      if (ws->numel() != wz->numel()) continue;
      // ConvTranspose weights [C, M/group, kH, kW]: per output channel is axis 1 (group 1 only).
      const int64_t ct_group = convt ? int_attr("group", 1) : 1;
      if (convt && (w->dims.size() != 4 || (ws->numel() != 1 && ct_group != 1))) continue;
      if (ws->numel() != 1) {
        const int64_t want_axis = conv ? 0 : 1;
        const int64_t r = static_cast<int64_t>(w->dims.size());
        int64_t ax = G.axis_of(*db);
        if (ax < 0) ax += r;
        if (ax != want_axis || ws->dims.size() != 1) continue;
      }
      if ((mm || gemm) && w->dims.size() != 2) continue;
      if (conv && w->dims.size() != 3 && w->dims.size() != 4) continue;
      f.inputs = {da->inputs[0], da->inputs[1], da->inputs[2], db->inputs[0], db->inputs[1], db->inputs[2], q.inputs[1], q.inputs[2]};
      // Bias: DequantizeLinear of an int32 constant (one value per output channel or one in all)
      // with zero point 0 and scale x_scale * w_scale; returns its int32 tensor's name, or "".
      auto int32_bias = [&](const std::string& name, size_t channels) -> std::string {
        const onnx::NodeDef* dbias = G.dq_of(name);
        const onnx::TensorData* b = dbias ? G.init(dbias->inputs[0]) : nullptr;
        const onnx::TensorData* bs = dbias ? G.init(dbias->inputs[1]) : nullptr;
        const onnx::TensorData* bz = dbias ? G.init(dbias->inputs[2]) : nullptr;
        if (!b || !bs || !bz || b->dtype != ElemType::kInt32 || bs->dtype != ElemType::kFloat) return "";
        if (b->numel() != channels || b->dims.size() != 1) return "";
        bool ok = bz->dtype == ElemType::kInt32;
        for (size_t k = 0; ok && k < bz->numel(); ++k) {
          int32_t z;
          std::memcpy(&z, bz->data.data() + 4 * k, 4);
          ok = z == 0;
        }
        const float xs = f32_at(*G.init(da->inputs[1]), 0);
        for (size_t k = 0; ok && k < b->numel(); ++k) {
          const float want = xs * f32_at(*ws, ws->numel() == 1 ? 0 : k);
          const float got = f32_at(*bs, bs->numel() == 1 ? 0 : k);
          ok = std::abs(got - want) <= 1e-6f * want;
        }
        return ok ? dbias->inputs[0] : "";
      };
      if (conv) {
        f.op_type = "QLinearConv";
        f.attributes = n.attributes;
        if (n.inputs.size() > 2 && !n.inputs[2].empty()) {
          const std::string b = int32_bias(n.inputs[2], static_cast<size_t>(w->dims[0]));
          if (b.empty()) continue;
          f.inputs.push_back(b);
        }
      } else if (convt) {
        f.op_type = "QLinearConvTranspose";
        f.domain = "com.microsoft";
        f.attributes = n.attributes;
        if (n.inputs.size() > 2 && !n.inputs[2].empty()) {
          const std::string b = int32_bias(n.inputs[2], static_cast<size_t>(w->dims[1] * ct_group));
          if (b.empty()) continue;
          f.inputs.push_back(b);
        }
      } else if (gemm) {
        // QGemm: A, a_scale, a_zp, B, b_scale, b_zp, C, y_scale, y_zp.
        const std::string b = int32_bias(n.inputs[2], static_cast<size_t>(w->dims[1]));
        if (b.empty()) continue;
        f.op_type = "QGemm";
        f.domain = "com.microsoft";
        f.inputs = {da->inputs[0], da->inputs[1], da->inputs[2], db->inputs[0], db->inputs[1], db->inputs[2], b, q.inputs[1], q.inputs[2]};
      } else {
        f.op_type = "QLinearMatMul";
      }
    }
    f.label = "node '" + f.name + "' (" + f.op_type + ")";
    replace.emplace_back(i, std::move(f));
    drop[qi] = true;
    ++fused;
  }
  if (!fused) return 0;
  for (auto& [i, f] : replace) g.nodes[i] = std::move(f);
  std::vector<onnx::NodeDef> kept;
  for (size_t i = 0; i < g.nodes.size(); ++i) if (!drop[i]) kept.push_back(std::move(g.nodes[i]));
  g.nodes = std::move(kept);
  // DequantizeLinear nodes whose output nobody reads any more are removed.
  for (bool changed = true; changed;) {
    changed = false;
    std::map<std::string, int> uses;
    for (const auto& n : g.nodes) for (const auto& in : n.inputs) if (!in.empty()) ++uses[in];
    std::set<std::string> outs;
    for (const auto& o : g.outputs) outs.insert(o.name);
    for (size_t i = 0; i < g.nodes.size(); ++i) {
      const onnx::NodeDef& n = g.nodes[i];
      if (n.op_type == "DequantizeLinear" && onnx::is_default_domain(n) && n.outputs.size() == 1 && !uses.count(n.outputs[0]) &&
          !outs.count(n.outputs[0])) {
        g.nodes.erase(g.nodes.begin() + static_cast<std::ptrdiff_t>(i));
        changed = true;
        break;
      }
    }
  }
  return fused;
}

}  // namespace wasmq::rt
