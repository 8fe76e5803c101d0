// Load-time fusions for the fast ops: Conv + BatchNormalization (inference) -> Conv with folded
// weights; Conv + Relu/Clip (sole consumer, constant bounds) -> Conv with a fused output clamp.
#include "runtime/fuse.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <set>
#include <string>

#include "runtime/ops_fast.h"

namespace wasmq::rt {
namespace {

using onnx::AttrType;
using onnx::ElemType;
using onnx::NodeDef;
using onnx::TensorData;



std::vector<float> floats_of(const TensorData& t) {
  std::vector<float> v(t.numel());
  if (t.dtype != ElemType::kFloat || t.data.size() != v.size() * 4) return {};
  std::memcpy(v.data(), t.data.data(), t.data.size());
  return v;
}

}  // namespace

FuseStats fuse_for_inference(onnx::ModelDef& m) {
  FuseStats stats;
  onnx::GraphDef& g = m.graph;
  const auto op_it = m.opsets.find("");
  const int64_t opset = op_it == m.opsets.end() ? 0 : op_it->second;

  // Constant tensors by name (initializers and Constant nodes holding a tensor).
  std::map<std::string, const TensorData*> consts;
  for (const TensorData& t : g.initializers) consts[t.name] = &t;
  for (const NodeDef& n : g.nodes) {
    if (n.op_type == "Constant" && onnx::is_default_domain(n) && n.attributes.size() == 1 && n.attributes[0].name == "value" &&
        n.attributes[0].t && n.outputs.size() == 1) {
      consts[n.outputs[0]] = n.attributes[0].t.get();
    }
  }
  auto constant = [&](const std::string& name) -> const TensorData* {
    const auto it = consts.find(name);
    return it == consts.end() ? nullptr : it->second;
  };
  std::set<std::string> used_names;
  for (const NodeDef& n : g.nodes)
    for (const std::string& o : n.outputs) used_names.insert(o);
  for (const TensorData& t : g.initializers) used_names.insert(t.name);
  for (const onnx::ValueInfoDef& v : g.inputs) used_names.insert(v.name);
  auto fresh = [&](const std::string& base) {
    std::string name = base;
    for (int i = 0; used_names.count(name); ++i) name = base + "_" + std::to_string(i);
    used_names.insert(name);
    return name;
  };

  // Readers of each value (graph outputs count as readers that cannot be rewritten).
  auto readers = [&](const std::string& v, std::vector<size_t>& who) {
    who.clear();
    for (size_t i = 0; i < g.nodes.size(); ++i)
      for (const std::string& in : g.nodes[i].inputs)
        if (in == v) who.push_back(i);
    for (const onnx::ValueInfoDef& o : g.outputs)
      if (o.name == v) return false;
    return true;
  };

  std::vector<TensorData> added;
  std::vector<bool> dead(g.nodes.size(), false);
  std::vector<size_t> who;
  for (size_t ci = 0; ci < g.nodes.size(); ++ci) {
    NodeDef& conv = g.nodes[ci];
    if (dead[ci] || conv.op_type != "Conv" || !onnx::is_default_domain(conv) || conv.outputs.size() != 1) continue;
    if (conv.inputs.size() < 2) continue;
    const TensorData* w = constant(conv.inputs[1]);
    if (!w || w->dtype != ElemType::kFloat || (w->dims.size() != 3 && w->dims.size() != 4) || w->dims[0] <= 0) continue;
    const TensorData* b = conv.inputs.size() > 2 && !conv.inputs[2].empty() ? constant(conv.inputs[2]) : nullptr;
    if (conv.inputs.size() > 2 && !conv.inputs[2].empty() && (!b || b->dtype != ElemType::kFloat)) continue;
    const size_t cout = static_cast<size_t>(w->dims[0]);
    if (b && b->numel() != cout) continue;

    // ---- BatchNormalization ----
    if (readers(conv.outputs[0], who) && who.size() == 1) {
      NodeDef& bn = g.nodes[who[0]];
      const onnx::Attribute* training = onnx::find_attribute(bn, "training_mode");
      const onnx::Attribute* spatial = onnx::find_attribute(bn, "spatial");
      size_t bn_outs = 0;
      for (const std::string& o : bn.outputs) bn_outs += !o.empty();
      if (bn.op_type == "BatchNormalization" && onnx::is_default_domain(bn) && bn.inputs.size() == 5 && bn.inputs[0] == conv.outputs[0] &&
          bn_outs == 1 && !bn.outputs[0].empty() && (!training || training->i == 0) && (!spatial || spatial->i == 1)) {
        std::vector<float> sc, be, mean, var;
        if (const TensorData* t = constant(bn.inputs[1])) sc = floats_of(*t);
        if (const TensorData* t = constant(bn.inputs[2])) be = floats_of(*t);
        if (const TensorData* t = constant(bn.inputs[3])) mean = floats_of(*t);
        if (const TensorData* t = constant(bn.inputs[4])) var = floats_of(*t);
        const onnx::Attribute* eps_a = onnx::find_attribute(bn, "epsilon");
        const double eps = eps_a ? eps_a->f : 1e-5;
        if (sc.size() == cout && be.size() == cout && mean.size() == cout && var.size() == cout) {
          std::vector<float> wv = floats_of(*w), bv = b ? floats_of(*b) : std::vector<float>(cout, 0.0f);
          const size_t per = wv.size() / cout;
          for (size_t o = 0; o < cout; ++o) {
            const double a = sc[o] / std::sqrt(static_cast<double>(var[o]) + eps);
            for (size_t i = 0; i < per; ++i) wv[o * per + i] = static_cast<float>(wv[o * per + i] * a);
            bv[o] = static_cast<float>((bv[o] - mean[o]) * a + be[o]);
          }
          TensorData nw, nb;
          nw.name = fresh(conv.outputs[0] + "::wasmq_bn_w");
          nw.dtype = ElemType::kFloat;
          nw.dims = w->dims;
          nw.data.resize(wv.size() * 4);
          std::memcpy(nw.data.data(), wv.data(), nw.data.size());
          nb.name = fresh(conv.outputs[0] + "::wasmq_bn_b");
          nb.dtype = ElemType::kFloat;
          nb.dims = {static_cast<int64_t>(cout)};
          nb.data.resize(cout * 4);
          std::memcpy(nb.data.data(), bv.data(), nb.data.size());
          conv.inputs.resize(3);
          conv.inputs[1] = nw.name;
          conv.inputs[2] = nb.name;
          added.push_back(std::move(nw));
          added.push_back(std::move(nb));
          consts[added[added.size() - 2].name] = nullptr;  // not read again: the vector may move
          consts[added.back().name] = nullptr;
          conv.outputs[0] = bn.outputs[0];
          dead[who[0]] = true;
          bn.inputs.clear();
          bn.outputs.clear();
          ++stats.batchnorm;
        }
      }
    }

    // ---- Relu / Clip ----
    if (onnx::find_attribute(conv, kFusedClipAttr)) continue;
    if (!readers(conv.outputs[0], who) || who.size() != 1) continue;
    NodeDef& act = g.nodes[who[0]];
    if (!onnx::is_default_domain(act) || act.outputs.size() != 1 || act.outputs[0].empty() || act.inputs.empty() ||
        act.inputs[0] != conv.outputs[0]) {
      continue;
    }
    float lo = -std::numeric_limits<float>::infinity(), hi = std::numeric_limits<float>::infinity();
    if (act.op_type == "Relu") {
      lo = 0.0f;
    } else if (act.op_type == "Clip") {
      if (opset < 11) {
        if (const onnx::Attribute* a = onnx::find_attribute(act, "min")) lo = a->f;
        if (const onnx::Attribute* a = onnx::find_attribute(act, "max")) hi = a->f;
      } else {
        bool ok = true;
        for (size_t i = 1; i < act.inputs.size() && i < 3; ++i) {
          if (act.inputs[i].empty()) continue;
          const TensorData* t = constant(act.inputs[i]);
          const std::vector<float> v = t ? floats_of(*t) : std::vector<float>{};
          if (v.size() != 1) {
            ok = false;
            break;
          }
          (i == 1 ? lo : hi) = v[0];
        }
        if (!ok || act.inputs.size() > 3) continue;
      }
    } else {
      continue;
    }
    onnx::Attribute clip;
    clip.name = kFusedClipAttr;
    clip.type = AttrType::kFloats;
    clip.floats = {lo, hi};
    conv.attributes.push_back(clip);
    conv.outputs[0] = act.outputs[0];
    dead[who[0]] = true;
    act.inputs.clear();
    act.outputs.clear();
    ++stats.clip;
  }

  // ---- hard-swish spelled out: y = x * (Clip(x + 3, 0, 6) / 6)  ->  HardSwish(x) ----
  auto scalar_is = [&](const std::string& name, float v) {
    const TensorData* t = constant(name);
    const std::vector<float> f = t ? floats_of(*t) : std::vector<float>{};
    return f.size() == 1 && f[0] == v;
  };
  auto sole_reader = [&](const std::string& v, size_t& who_out) {
    if (!readers(v, who) || who.size() != 1 || dead[who[0]]) return false;
    who_out = who[0];
    return true;
  };
  for (size_t ai = 0; ai < g.nodes.size(); ++ai) {
    NodeDef& add = g.nodes[ai];
    if (dead[ai] || add.op_type != "Add" || !onnx::is_default_domain(add) || add.inputs.size() != 2 || add.outputs.size() != 1) continue;
    if (onnx::find_attribute(add, "broadcast") || onnx::find_attribute(add, "axis")) continue;
    const int xi = scalar_is(add.inputs[1], 3.0f) ? 0 : scalar_is(add.inputs[0], 3.0f) ? 1 : -1;
    if (xi < 0) continue;
    const std::string x = add.inputs[xi];
    size_t ci, di, mi;
    if (!sole_reader(add.outputs[0], ci)) continue;
    NodeDef& clip = g.nodes[ci];
    if (clip.op_type != "Clip" || !onnx::is_default_domain(clip) || clip.outputs.size() != 1 || clip.inputs[0] != add.outputs[0]) continue;
    if (opset < 11) {
      const onnx::Attribute *lo = onnx::find_attribute(clip, "min"), *hi = onnx::find_attribute(clip, "max");
      if (!lo || !hi || lo->f != 0.0f || hi->f != 6.0f) continue;
    } else if (clip.inputs.size() != 3 || !scalar_is(clip.inputs[1], 0.0f) || !scalar_is(clip.inputs[2], 6.0f)) {
      continue;
    }
    // Then either Div(c, 6) -> Mul(x, d), or Mul(x, c) -> Div(m, 6) (PaddleOCR's export).
    if (!sole_reader(clip.outputs[0], di)) continue;
    NodeDef& n1 = g.nodes[di];
    if (!sole_reader(n1.outputs.empty() ? std::string() : n1.outputs[0], mi)) continue;
    NodeDef& n2 = g.nodes[mi];
    auto is_div6 = [&](const NodeDef& n, const std::string& num) {
      return n.op_type == "Div" && onnx::is_default_domain(n) && n.inputs.size() == 2 && n.outputs.size() == 1 && n.inputs[0] == num &&
             !onnx::find_attribute(n, "broadcast") && scalar_is(n.inputs[1], 6.0f);
    };
    auto is_mul_x = [&](const NodeDef& n, const std::string& other) {
      return n.op_type == "Mul" && onnx::is_default_domain(n) && n.inputs.size() == 2 && n.outputs.size() == 1 && !onnx::find_attribute(n, "broadcast") &&
             ((n.inputs[0] == x && n.inputs[1] == other) || (n.inputs[1] == x && n.inputs[0] == other));
    };
    const bool div_first = is_div6(n1, clip.outputs[0]) && is_mul_x(n2, n1.outputs[0]);
    const bool mul_first = is_mul_x(n1, clip.outputs[0]) && is_div6(n2, n1.outputs[0]);
    if (!div_first && !mul_first) continue;
    NodeDef& mul = n2;
    // The Add's output shape must be x's: the constant 3 is a scalar, so it is.
    NodeDef hsw;
    hsw.name = mul.name.empty() ? add.name + "::wasmq_hardswish" : mul.name;
    hsw.op_type = "HardSwish";
    hsw.inputs = {x};
    hsw.outputs = {mul.outputs[0]};
    hsw.label = "node '" + hsw.name + "' (HardSwish)";
    add = std::move(hsw);  // the Add's slot: x is defined before it
    for (size_t k : {ci, di, mi}) {
      dead[k] = true;
      g.nodes[k].inputs.clear();
      g.nodes[k].outputs.clear();
    }
    ++stats.hardswish;
  }

  if (stats.batchnorm || stats.clip || stats.hardswish) {
    std::vector<NodeDef> kept;
    kept.reserve(g.nodes.size());
    for (size_t i = 0; i < g.nodes.size(); ++i) {
      if (!dead[i]) kept.push_back(std::move(g.nodes[i]));
    }
    g.nodes = std::move(kept);
    for (TensorData& t : added) g.initializers.push_back(std::move(t));
  }
  return stats;
}

}  // namespace wasmq::rt
