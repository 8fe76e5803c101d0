// NHWC layout pass for quantized graphs: tags channels-last-capable nodes, renames their values and
// inserts the boundary Transposes (layout_nhwc.h).
#include "runtime/layout_nhwc.h"

#include <cstring>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "runtime/graph_scan.h"

namespace wasmq::rt {
namespace {

using onnx::AttrType;
using onnx::NodeDef;
using onnx::TensorData;

bool ms_domain(const NodeDef& n) { return n.domain == "com.microsoft"; }


void set_int_attr(NodeDef& n, const char* name, int64_t v) {
  for (onnx::Attribute& a : n.attributes) {
    if (a.name == name) {
      a.type = AttrType::kInt;
      a.i = v;
      return;
    }
  }
  onnx::Attribute a;
  a.name = name;
  a.type = AttrType::kInt;
  a.i = v;
  n.attributes.push_back(a);
}

enum class Kind { kNone, kAnchor, kJoiner, kAgnostic };

// Float elementwise ops whose result does not depend on the layout (one data input).
const std::set<std::string>& float_unary() {
  static const std::set<std::string> s = {"Relu", "HardSigmoid", "HardSwish", "Sigmoid", "Tanh", "LeakyRelu", "Elu",
                                          "Exp", "Abs", "Neg", "Sqrt", "Softplus", "Gelu", "Erf", "Clip"};
  return s;
}

struct Pass : GraphScan {
  explicit Pass(onnx::ModelDef& model) : GraphScan(model) {}
  // A one-element constant: broadcasting it gives the same result in either layout.
  bool scalar_const(const std::string& name) const { return GraphScan::scalar_const(name, 4); }

  // The node's kind and its data (activation) input positions; malformed nodes (a data input
  // missing) are left out, to fail in their op's own checks.
  Kind kind(const NodeDef& n, std::vector<size_t>& data) const {
    const Kind k = kind_of(n, data);
    for (size_t p : data) {
      if (p >= n.inputs.size() || n.inputs[p].empty()) return Kind::kNone;
    }
    return k;
  }
  Kind kind_of(const NodeDef& n, std::vector<size_t>& data) const {
    data.clear();
    if (n.outputs.size() != 1 || n.outputs[0].empty()) return Kind::kNone;
    // 2-D QLinearConv / com.microsoft QLinearConvTranspose: same inputs, both take wasmq_channels_last.
    if ((onnx::is_default_domain(n) && n.op_type == "QLinearConv") || (ms_domain(n) && n.op_type == "QLinearConvTranspose")) {
      if (n.inputs.size() < 8 || onnx::find_attribute(n, "wasmq_channels_last")) return Kind::kNone;
      const TensorData* w = constant(n.inputs[3]);
      if (!w || w->dims.size() != 4) return Kind::kNone;
      data = {0};
      return Kind::kAnchor;
    }
    if (ms_domain(n) && n.op_type == "QLinearAveragePool") {
      const onnx::Attribute* k = onnx::find_attribute(n, "kernel_shape");
      const onnx::Attribute* cl = onnx::find_attribute(n, "channels_last");
      if (!k || k->ints.size() != 2 || (cl && cl->i != 0)) return Kind::kNone;
      data = {0};
      return Kind::kAnchor;
    }
    if (ms_domain(n) && n.op_type == "QLinearGlobalAveragePool") {
      const onnx::Attribute* cl = onnx::find_attribute(n, "channels_last");
      if (cl && cl->i != 0) return Kind::kNone;
      data = {0};
      return Kind::kJoiner;
    }
    if (onnx::is_default_domain(n) && n.op_type == "MaxPool") {
      // 2-D, explicit pads smaller than the kernel (every window has a tap), no dilation, floor
      // mode, no Indices output: becomes wasmq MaxPool on the NHWC pool kernels.
      const onnx::Attribute* k = onnx::find_attribute(n, "kernel_shape");
      const onnx::Attribute* ap = onnx::find_attribute(n, "auto_pad");
      const onnx::Attribute* cm = onnx::find_attribute(n, "ceil_mode");
      const onnx::Attribute* dl = onnx::find_attribute(n, "dilations");
      const onnx::Attribute* pd = onnx::find_attribute(n, "pads");
      if (!k || k->ints.size() != 2 || (ap && ap->s != "NOTSET") || (cm && cm->i != 0)) return Kind::kNone;
      if (dl && (dl->ints.size() != 2 || dl->ints[0] != 1 || dl->ints[1] != 1)) return Kind::kNone;
      if (pd) {
        if (pd->ints.size() != 4) return Kind::kNone;
        for (size_t i = 0; i < 4; ++i) if (pd->ints[i] < 0 || pd->ints[i] >= k->ints[i % 2]) return Kind::kNone;
      }
      data = {0};
      return Kind::kJoiner;
    }
    if (onnx::is_default_domain(n) && n.op_type == "Resize") {
      // Nearest (per-axis index maps: permuting the axes permutes the maps), opset >= 11 form, constant
      // 4-entry scales or sizes (permuted into a new constant), no roi, axes or aspect-ratio policy.
      const onnx::Attribute* mode = onnx::find_attribute(n, "mode");
      const onnx::Attribute* coord = onnx::find_attribute(n, "coordinate_transformation_mode");
      if ((mode && mode->s != "nearest") || (coord && coord->s == "tf_crop_and_resize") || onnx::find_attribute(n, "axes") ||
          onnx::find_attribute(n, "keep_aspect_ratio_policy") || n.inputs.size() < 3) {
        return Kind::kNone;
      }
      auto empty = [&](size_t i) {
        if (i >= n.inputs.size() || n.inputs[i].empty()) return true;
        const TensorData* t = constant(n.inputs[i]);
        return t && t->numel() == 0;
      };
      auto four = [&](size_t i) {
        const TensorData* t = i < n.inputs.size() && !n.inputs[i].empty() ? constant(n.inputs[i]) : nullptr;
        return t && t->numel() == 4 && t->dims.size() == 1;
      };
      if (!empty(1) || !((four(2) && empty(3)) || (empty(2) && four(3)))) return Kind::kNone;
      data = {0};
      return Kind::kJoiner;
    }
    if (onnx::is_default_domain(n) && n.op_type == "Concat") {
      const onnx::Attribute* ax = onnx::find_attribute(n, "axis");
      if (!ax || ax->i < -4 || ax->i > 3) return Kind::kNone;
      for (size_t i = 0; i < n.inputs.size(); ++i) {
        if (n.inputs[i].empty()) return Kind::kNone;
        data.push_back(i);
      }
      if (data.empty()) return Kind::kNone;
      return Kind::kJoiner;
    }
    if (ms_domain(n) && (n.op_type == "QLinearAdd" || n.op_type == "QLinearMul")) {
      if (n.inputs.size() < 7) return Kind::kNone;
      data = {0, 3};
      return Kind::kAgnostic;
    }
    if ((ms_domain(n) && (n.op_type == "QLinearSigmoid" || n.op_type == "QLinearLeakyRelu")) ||
        (n.domain == "wasmq" && n.op_type == "Lut")) {
      data = {0};
      return Kind::kAgnostic;
    }
    if (onnx::is_default_domain(n) && (n.op_type == "QuantizeLinear" || n.op_type == "DequantizeLinear")) {
      // Per tensor only (a per-axis scale would follow the axis); no blocked form.
      if (n.inputs.size() < 2 || !scalar_const(n.inputs[1])) return Kind::kNone;
      if (n.inputs.size() > 2 && !n.inputs[2].empty() && !scalar_const(n.inputs[2])) return Kind::kNone;
      const onnx::Attribute* b = onnx::find_attribute(n, "block_size");
      if (b && b->i != 0) return Kind::kNone;
      data = {0};
      return Kind::kAgnostic;
    }
    if (onnx::is_default_domain(n) && float_unary().count(n.op_type)) {
      for (size_t i = 1; i < n.inputs.size(); ++i) {
        if (!n.inputs[i].empty() && !scalar_const(n.inputs[i])) return Kind::kNone;  // Clip bounds
      }
      data = {0};
      return Kind::kAgnostic;
    }
    if (onnx::is_default_domain(n) && (n.op_type == "Add" || n.op_type == "Sub" || n.op_type == "Mul" || n.op_type == "Div")) {
      if (n.inputs.size() != 2 || onnx::find_attribute(n, "broadcast") || onnx::find_attribute(n, "axis")) return Kind::kNone;  // opset < 7 forms
      data = {0, 1};
      return Kind::kAgnostic;
    }
    return Kind::kNone;
  }

  bool float_output(const NodeDef& n) const {
    return onnx::is_default_domain(n) && n.op_type != "QuantizeLinear" && n.op_type != "QLinearConv";
  }

  std::string fresh(const std::string& base) {
    std::string s = base;
    for (int i = 1; names.count(s); ++i) s = base + "_" + std::to_string(i);
    names.insert(s);
    return s;
  }

  NodeDef transpose(const std::string& in, const std::string& out, bool to_nhwc) {
    NodeDef t;
    t.name = fresh(out + "/wasmq_transpose");
    t.op_type = "Transpose";
    t.inputs = {in};
    t.outputs = {out};
    onnx::Attribute a;
    a.name = "perm";
    a.type = AttrType::kInts;
    a.ints = to_nhwc ? std::vector<int64_t>{0, 2, 3, 1} : std::vector<int64_t>{0, 3, 1, 2};
    t.attributes.push_back(a);
    t.label = "node '" + t.name + "' (Transpose)";
    return t;
  }

  LayoutStats run() {
    LayoutStats st;
    const size_t nn = g.nodes.size();
    std::vector<Kind> kinds(nn);
    std::vector<std::vector<size_t>> data(nn);
    for (size_t i = 0; i < nn; ++i) kinds[i] = kind(g.nodes[i], data[i]);
    // `producer` (GraphScan) indexes the graph as it is until the rewrite at the end.

    // Forward: tag anchors, then grow the regions until nothing changes (nodes may be unsorted).
    std::vector<bool> tagged(nn, false);
    std::set<std::string> nhwc;  // values produced channels-last
    for (bool changed = true; changed;) {
      changed = false;
      for (size_t i = 0; i < nn; ++i) {
        if (tagged[i] || kinds[i] == Kind::kNone) continue;
        bool ok = kinds[i] == Kind::kAnchor;
        if (!ok) {
          bool any = false, all = true;
          for (size_t d : data[i]) {
            const std::string& v = g.nodes[i].inputs[d];
            if (nhwc.count(v)) any = true;
            else if (kinds[i] != Kind::kAgnostic || !scalar_const(v)) all = false;
          }
          ok = any && all;
        }
        if (ok) {
          tagged[i] = true;
          nhwc.insert(g.nodes[i].outputs[0]);
          changed = true;
        }
      }
    }

    // Readers per value at data positions of tagged nodes; everything else reads NCHW.
    auto reads_nhwc = [&](size_t node, size_t pos) {
      if (!tagged[node]) return false;
      for (size_t d : data[node]) if (d == pos) return true;
      return false;
    };
    // Backward cleanup: a float-producing region node whose output no region node reads leaves the
    // region, so the exit transpose moves to the narrower 8-bit tensor before it.
    for (bool changed = true; changed;) {
      changed = false;
      for (size_t i = 0; i < nn; ++i) {
        if (!tagged[i] || kinds[i] == Kind::kAnchor || !float_output(g.nodes[i])) continue;
        const std::string& v = g.nodes[i].outputs[0];
        bool read_inside = false;
        for (size_t j = 0; j < nn && !read_inside; ++j) {
          for (size_t p = 0; p < g.nodes[j].inputs.size(); ++p) {
            if (g.nodes[j].inputs[p] == v && reads_nhwc(j, p)) read_inside = true;
          }
        }
        if (!read_inside) {
          tagged[i] = false;
          nhwc.erase(v);
          changed = true;
        }
      }
    }
    // An agnostic node whose NHWC input left the region must leave too (repeat to a fixed point).
    for (bool changed = true; changed;) {
      changed = false;
      for (size_t i = 0; i < nn; ++i) {
        if (!tagged[i] || kinds[i] == Kind::kAnchor) continue;
        bool ok = false, all = true;
        for (size_t d : data[i]) {
          const std::string& v = g.nodes[i].inputs[d];
          if (nhwc.count(v)) ok = true;
          else if (kinds[i] != Kind::kAgnostic || !scalar_const(v)) all = false;
        }
        if (!(ok && all)) {
          tagged[i] = false;
          nhwc.erase(g.nodes[i].outputs[0]);
          changed = true;
        }
      }
    }

    // Which NHWC values are also needed in NCHW (a reader outside the region, a non-data use, a graph output).
    std::set<std::string> need_nchw;
    for (size_t j = 0; j < nn; ++j) {
      for (size_t p = 0; p < g.nodes[j].inputs.size(); ++p) {
        const std::string& v = g.nodes[j].inputs[p];
        if (nhwc.count(v) && !reads_nhwc(j, p)) need_nchw.insert(v);
      }
    }
    for (const std::string& v : nhwc) if (graph_outputs.count(v)) need_nchw.insert(v);

    std::map<std::string, std::string> renamed;  // NHWC value -> its channels-last name
    for (const std::string& v : nhwc) renamed[v] = fresh(v + "__nhwc");
    std::map<std::string, std::string> entry;    // NCHW value -> its transposed copy
    std::vector<NodeDef> out;
    out.reserve(nn + 16);
    std::vector<TensorData> added;  // new constants (appended at the end: consts points into g.initializers)
    for (size_t i = 0; i < nn; ++i) {
      NodeDef n = std::move(g.nodes[i]);
      if (tagged[i]) {
        ++st.nhwc_nodes;
        for (size_t d : data[i]) {
          std::string& v = n.inputs[d];
          if (nhwc.count(v)) {
            v = renamed[v];
          } else if (!scalar_const(v)) {  // an anchor entered from NCHW
            auto it = entry.find(v);
            if (it == entry.end()) {
              it = entry.emplace(v, fresh(v + "__nhwc")).first;
              out.push_back(transpose(v, it->second, true));
              ++st.to_nhwc;
            }
            v = it->second;
          }
        }
        if (n.op_type == "QLinearConv" || n.op_type == "QLinearConvTranspose") set_int_attr(n, "wasmq_channels_last", 1);
        if (n.op_type == "MaxPool") n.domain = "wasmq";  // channels-last MaxPool (ops_quant_conv.cc)
        if (n.op_type == "Concat") {  // NCHW axis a is NHWC axis {0, 3, 1, 2}[a]
          for (onnx::Attribute& a : n.attributes) {
            if (a.name == "axis") a.i = std::vector<int64_t>{0, 3, 1, 2}[static_cast<size_t>(a.i < 0 ? a.i + 4 : a.i)];
          }
        }
        if (n.op_type == "Resize") {  // scales / sizes in NHWC order: a new constant
          for (size_t i = 2; i < n.inputs.size(); ++i) {
            const TensorData* t = n.inputs[i].empty() ? nullptr : constant(n.inputs[i]);
            if (!t || t->numel() != 4) continue;
            TensorData p = *t;
            p.name = fresh(n.inputs[i] + "__nhwc");
            const size_t es = t->data.size() / 4;
            const size_t from[4] = {0, 2, 3, 1};
            for (size_t j = 0; j < 4; ++j) std::memcpy(p.data.data() + j * es, t->data.data() + from[j] * es, es);
            n.inputs[i] = p.name;
            added.push_back(std::move(p));
          }
        }
        if (n.op_type == "QLinearAveragePool" || n.op_type == "QLinearGlobalAveragePool") set_int_attr(n, "channels_last", 1);
        const std::string v = n.outputs[0];
        n.outputs[0] = renamed[v];
        out.push_back(std::move(n));
        if (need_nchw.count(v)) {
          out.push_back(transpose(renamed[v], v, false));
          ++st.to_nchw;
        }
      } else {
        out.push_back(std::move(n));
      }
    }
    g.nodes = std::move(out);
    for (TensorData& t : added) g.initializers.push_back(std::move(t));
    return st;
  }
};

}  // namespace

LayoutStats nhwc_layout_pass(onnx::ModelDef& m) { return Pass(m).run(); }

}  // namespace wasmq::rt
