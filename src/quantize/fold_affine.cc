// Float pass: per-channel affine ops next to a Conv folded into its weights and bias, so they cost
// no int8 requantization (PP-LCNet's learnable affine blocks, exporters' unfused scales).
#include "quantize/fold_affine.h"

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace wasmq::quantize {
namespace {

using onnx::ElemType;
using onnx::ModelDef;
using onnx::NodeDef;
using onnx::TensorData;

// Per-channel values of a constant operand broadcast against an NCHW tensor with `channels`
// channels: a scalar (any rank, one element) or [C,1,1] / [1,C,1,1]. Empty when it is neither.
std::vector<float> channel_values(const TensorData& t, int64_t channels) {
  if (t.dtype != ElemType::kFloat) return {};
  int64_t n = 1;
  for (int64_t d : t.dims) n *= d;
  std::vector<float> v = as_floats(t);
  if (n == 1 && t.dims.size() <= 4) return std::vector<float>(static_cast<size_t>(channels), v[0]);
  const bool c11 = t.dims.size() == 3 && t.dims[0] == channels && t.dims[1] == 1 && t.dims[2] == 1;
  const bool one_c11 = t.dims.size() == 4 && t.dims[0] == 1 && t.dims[1] == channels && t.dims[2] == 1 && t.dims[3] == 1;
  return c11 || one_c11 ? v : std::vector<float>{};
}

// A Conv with constant float weights [M, C/group, k...] (ConvTranspose: [C, M/group, k...]) and an
// optional constant bias.
struct ConvParams {
  std::vector<float> w, b;
  std::vector<int64_t> wdims;
  int64_t out_channels = 0, in_per_group = 0, group = 1, window = 1;
  bool transposed = false;
  // Multiplies every weight of output channel o by f.
  void scale_out_channel(int64_t o, float f) {
    if (!transposed) {
      for (int64_t i = 0; i < in_per_group * window; ++i) w[static_cast<size_t>(o * in_per_group * window + i)] *= f;
      return;
    }
    const int64_t out_per_group = out_channels / group, gi = o / out_per_group, j = o % out_per_group;
    for (int64_t ic = gi * in_per_group; ic < (gi + 1) * in_per_group; ++ic)
      for (int64_t t = 0; t < window; ++t) w[static_cast<size_t>((ic * out_per_group + j) * window + t)] *= f;
  }
};

bool conv_params(const ModelDef& m, const GraphIndex& g, const NodeDef& conv, ConvParams& p, bool allow_transposed = false) {
  const bool transposed = conv.op_type == "ConvTranspose";
  if (!(conv.op_type == "Conv" || (allow_transposed && transposed)) || !onnx::is_default_domain(conv) || conv.inputs.size() < 2 ||
      conv.outputs.size() != 1)
    return false;
  if (!g.is_const(conv.inputs[1])) return false;
  const bool has_b = conv.inputs.size() > 2 && !conv.inputs[2].empty();
  if (has_b && !g.is_const(conv.inputs[2])) return false;
  const TensorData& wt = m.graph.initializers[g.init.at(conv.inputs[1])];
  if (wt.dtype != ElemType::kFloat || wt.dims.size() < 3) return false;
  p.wdims = wt.dims;
  p.transposed = transposed;
  p.group = attr_int(conv, "group", 1);
  if (p.group < 1) return false;
  p.out_channels = transposed ? wt.dims[1] * p.group : wt.dims[0];
  p.in_per_group = transposed ? wt.dims[0] / p.group : wt.dims[1];
  if (p.out_channels % p.group != 0 || (transposed && wt.dims[0] % p.group != 0)) return false;
  p.window = 1;
  for (size_t i = 2; i < wt.dims.size(); ++i) p.window *= wt.dims[i];
  p.w = as_floats(wt);
  p.b = has_b ? as_floats(m.graph.initializers[g.init.at(conv.inputs[2])])
              : std::vector<float>(static_cast<size_t>(p.out_channels), 0.0f);
  return p.b.size() == static_cast<size_t>(p.out_channels);
}

// New initializers for the folded weights and bias (the old ones may be shared).
void store(ModelDef& m, NodeDef& conv, const ConvParams& p, const std::string& tag, int serial) {
  const std::string base = conv.outputs[0] + "__" + tag + std::to_string(serial);
  const std::string wn = base + "_w", bn = base + "_b";
  m.graph.initializers.push_back(float_tensor(wn, p.wdims, p.w));
  m.graph.initializers.push_back(float_tensor(bn, {p.out_channels}, p.b));
  conv.inputs.resize(3);
  conv.inputs[1] = wn;
  conv.inputs[2] = bn;
}

// The constant operand and the other input of a two-input Mul/Add, or false.
bool split_const(const GraphIndex& g, const NodeDef& n, std::string& konst, std::string& other) {
  if (n.inputs.size() != 2 || n.outputs.size() != 1 || !onnx::is_default_domain(n)) return false;
  if (g.is_const(n.inputs[1]) && !g.is_const(n.inputs[0])) {
    konst = n.inputs[1];
    other = n.inputs[0];
    return true;
  }
  if (g.is_const(n.inputs[0]) && !g.is_const(n.inputs[1])) {
    konst = n.inputs[0];
    other = n.inputs[1];
    return true;
  }
  return false;
}

bool zero_padding(const NodeDef& conv) {
  const onnx::Attribute* ap = find_attr(conv, "auto_pad");
  if (ap && !ap->s.empty() && ap->s != "NOTSET" && ap->s != "VALID") return false;
  if (const onnx::Attribute* pads = find_attr(conv, "pads"))
    for (int64_t v : pads->ints) if (v != 0) return false;
  return true;
}

// Conv -> Mul(c) or Conv -> Add(c), the Conv's output used only there: scale (Mul) or shift (Add)
// output channel k. ConvTranspose too (PaddleOCR's det head: ConvTranspose -> Add(bias) ->
// BatchNormalization), and there also an inference BatchNormalization after it, as fold_batchnorm
// does for Conv (BN after a Conv is folded earlier, by fold_batchnorm). Exact up to float rounding.
bool fold_into_producer(ModelDef& m, PassStats& s) {
  GraphIndex g(m);
  for (size_t k = 0; k < m.graph.nodes.size(); ++k) {
    const NodeDef& n = m.graph.nodes[k];
    const bool bn = n.op_type == "BatchNormalization";
    if (n.op_type != "Mul" && n.op_type != "Add" && !bn) continue;
    std::string konst, x;
    if (bn) {
      if (!onnx::is_default_domain(n) || n.inputs.size() < 5 || n.outputs.size() != 1 || attr_int(n, "training_mode", 0) != 0) continue;
      bool consts = true;
      for (int i = 1; i < 5; ++i) consts = consts && g.is_const(n.inputs[i]);
      if (!consts) continue;
      x = n.inputs[0];
    } else if (!split_const(g, n, konst, x)) {
      continue;
    }
    auto p = g.producer.find(x);
    if (p == g.producer.end() || g.use_count(x) != 1 || g.is_output.count(x)) continue;
    NodeDef& conv = m.graph.nodes[p->second];
    ConvParams cp;
    if (!conv_params(m, g, conv, cp, /*allow_transposed=*/true)) continue;
    if (bn && !cp.transposed) continue;
    const size_t oc = static_cast<size_t>(cp.out_channels);
    std::vector<float> mul(oc, 1.0f), add(oc, 0.0f);
    if (bn) {
      const auto& inits = m.graph.initializers;
      const std::vector<float> gamma = as_floats(inits[g.init.at(n.inputs[1])]), beta = as_floats(inits[g.init.at(n.inputs[2])]),
                               mean = as_floats(inits[g.init.at(n.inputs[3])]), var = as_floats(inits[g.init.at(n.inputs[4])]);
      if (gamma.size() != oc || beta.size() != oc || mean.size() != oc || var.size() != oc) continue;
      const float eps = attr_float(n, "epsilon", 1e-5f);
      for (size_t o = 0; o < oc; ++o) {
        const double a = static_cast<double>(gamma[o]) / std::sqrt(static_cast<double>(var[o]) + eps);
        mul[o] = static_cast<float>(a);
        cp.b[o] = static_cast<float>((static_cast<double>(cp.b[o]) - mean[o]) * a + beta[o]);
      }
    } else {
      const std::vector<float> c = channel_values(m.graph.initializers[g.init.at(konst)], cp.out_channels);
      if (c.empty()) continue;
      for (size_t o = 0; o < oc; ++o) {
        if (n.op_type == "Mul") {
          mul[o] = c[o];
          cp.b[o] *= c[o];
        } else {
          cp.b[o] += c[o];
        }
      }
    }
    if (bn || n.op_type == "Mul")
      for (size_t o = 0; o < oc; ++o) cp.scale_out_channel(static_cast<int64_t>(o), mul[o]);
    const int serial = bn ? s.bn_folded : s.affine_folded;
    store(m, conv, cp, bn ? "fold_bn" : n.op_type == "Mul" ? "fold_mul" : "fold_add", serial);
    conv.outputs[0] = n.outputs[0];
    m.graph.nodes.erase(m.graph.nodes.begin() + static_cast<long>(k));
    ++(bn ? s.bn_folded : s.affine_folded);
    return true;
  }
  return false;
}

// Mul(c) -> Conv: scales the Conv's input channels (zero padding stays zero, so any Conv).
// Add(c) -> Conv without padding: adds sum over the window of W * c to the bias. Exact.
bool fold_into_consumer(ModelDef& m, PassStats& s) {
  GraphIndex g(m);
  for (size_t k = 0; k < m.graph.nodes.size(); ++k) {
    NodeDef& conv = m.graph.nodes[k];
    if (conv.op_type != "Conv" || conv.inputs.empty()) continue;
    auto p = g.producer.find(conv.inputs[0]);
    if (p == g.producer.end() || g.use_count(conv.inputs[0]) != 1 || g.is_output.count(conv.inputs[0])) continue;
    const NodeDef& n = m.graph.nodes[p->second];
    if (n.op_type != "Mul" && n.op_type != "Add") continue;
    if (n.op_type == "Add" && !zero_padding(conv)) continue;
    std::string konst, x;
    if (!split_const(g, n, konst, x)) continue;
    ConvParams cp;
    if (!conv_params(m, g, conv, cp)) continue;
    const int64_t in_channels = cp.in_per_group * cp.group;
    const std::vector<float> c = channel_values(m.graph.initializers[g.init.at(konst)], in_channels);
    if (c.empty()) continue;
    const int64_t out_per_group = cp.out_channels / cp.group;
    for (int64_t o = 0; o < cp.out_channels; ++o) {
      const int64_t c0 = (o / out_per_group) * cp.in_per_group;
      double shift = 0.0;
      for (int64_t ci = 0; ci < cp.in_per_group; ++ci) {
        float* w = &cp.w[static_cast<size_t>((o * cp.in_per_group + ci) * cp.window)];
        const float v = c[static_cast<size_t>(c0 + ci)];
        for (int64_t i = 0; i < cp.window; ++i) {
          if (n.op_type == "Mul") w[i] *= v;
          else shift += static_cast<double>(w[i]) * v;
        }
      }
      cp.b[static_cast<size_t>(o)] = static_cast<float>(cp.b[static_cast<size_t>(o)] + shift);
    }
    store(m, conv, cp, n.op_type == "Mul" ? "fold_in_mul" : "fold_in_add", s.affine_folded);
    conv.inputs[0] = x;
    m.graph.nodes.erase(m.graph.nodes.begin() + static_cast<long>(p->second));
    ++s.affine_folded;
    return true;
  }
  return false;
}

}  // namespace

void fold_affine_into_conv(ModelDef& m, PassStats& s) {
  while (fold_into_producer(m, s)) {
  }
  while (fold_into_consumer(m, s)) {
  }
}

}  // namespace wasmq::quantize
