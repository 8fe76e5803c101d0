// ModelQuantizer (quantizer.h): plans which nodes to quantize and which activations to fuse,
// calibrates through the float runtime, and emits the QOperator, QDQ and report models.
#include "quantize/quantizer.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "common/error.h"
#include "kernels/qs8-gemm/qs8-gemm.h"
#include "onnx/onnx_writer.h"
#include "quant/qparams.h"
#include "runtime/op.h"

namespace wasmq::quantize {

using onnx::ElemType;
using onnx::ModelDef;
using onnx::NodeDef;
using onnx::TensorData;

namespace {

constexpr const char* kMs = "com.microsoft";

std::string node_id(const NodeDef& n) { return n.name.empty() ? n.outputs[0] : n.name; }

NodeDef make_node(const std::string& op, std::vector<std::string> in, std::vector<std::string> out,
                  const std::string& name, const std::string& domain = "") {
  NodeDef n;
  n.op_type = op;
  n.inputs = std::move(in);
  n.outputs = std::move(out);
  n.name = name;
  n.domain = domain;
  return n;
}

template <typename T>
TensorData typed_tensor(const std::string& name, ElemType dt, const std::vector<int64_t>& dims, const std::vector<T>& v) {
  TensorData t;
  t.name = name;
  t.dtype = dt;
  t.dims = dims;
  t.data.resize(v.size() * sizeof(T));
  if (!v.empty()) std::memcpy(t.data.data(), v.data(), t.data.size());
  return t;
}

TensorData zp_tensor(const std::string& name, DType dt, const std::vector<int64_t>& dims, const std::vector<int32_t>& v) {
  if (dt == DType::kUInt8) {
    std::vector<uint8_t> b(v.begin(), v.end());
    return typed_tensor(name, ElemType::kUInt8, dims, b);
  }
  if (dt == DType::kInt16) {
    std::vector<int16_t> b(v.begin(), v.end());
    return typed_tensor(name, ElemType::kInt16, dims, b);
  }
  std::vector<int8_t> b(v.begin(), v.end());
  return typed_tensor(name, ElemType::kInt8, dims, b);
}

int32_t qmin_of(DType d) { return d == DType::kUInt8 ? 0 : -128; }
int32_t qmax_of(DType d) { return d == DType::kUInt8 ? 255 : 127; }

// Symmetric int8 per-channel weights: scale = max|w| / 127 (1 for an all-zero channel), codes in
// [-127, 127], round half to even. `channel_of(i)` maps a flat index to its channel.
struct QuantWeights {
  std::vector<int8_t> q;
  std::vector<float> scale;
  double sqnr = NAN;
};
// min_scale (optional, per channel): a floor under each scale (bias_min_scales).
template <typename ChannelOf>
QuantWeights quantize_weights(const std::vector<float>& w, size_t channels, ChannelOf channel_of,
                              const std::vector<float>& min_scale = {}) {
  QuantWeights r;
  std::vector<float> amax(channels, 0.0f);
  for (size_t i = 0; i < w.size(); ++i) amax[channel_of(i)] = std::max(amax[channel_of(i)], std::fabs(w[i]));
  r.scale.resize(channels);
  for (size_t c = 0; c < channels; ++c) {
    r.scale[c] = qparams_from_range(-amax[c], amax[c], DType::kInt8, Scheme::kSymmetric).scale;
    if (!min_scale.empty()) r.scale[c] = std::max(r.scale[c], min_scale[c]);
  }
  r.q.resize(w.size());
  double e = 0, s = 0;
  for (size_t i = 0; i < w.size(); ++i) {
    const float sc = r.scale[channel_of(i)];
    const float v = std::nearbyint(w[i] / sc);
    r.q[i] = static_cast<int8_t>(std::min(127.0f, std::max(-127.0f, v)));
    const double d = static_cast<double>(w[i]) - static_cast<double>(r.q[i]) * sc;
    e += d * d;
    s += static_cast<double>(w[i]) * w[i];
  }
  r.sqnr = sqnr_db(s, e);
  return r;
}

// The int32 bias of a channel is round(b / (x_scale * w_scale)): a channel whose weights are all but
// zero gets so small a weight scale that its bias does not fit (a dead channel of a trained net:
// ppocr-det's squeeze-excite convs have some). These are the weight scales that keep every bias
// within 2^30 (the rest of int32 is left to the products); channels that need none get 0.
std::vector<float> bias_min_scales(const std::vector<float>& b, size_t channels, float x_scale) {
  std::vector<float> m(channels, 0.0f);
  for (size_t c = 0; c < b.size() && c < channels; ++c)
    m[c] = static_cast<float>(std::fabs(static_cast<double>(b[c])) / (static_cast<double>(x_scale) * 1073741824.0));
  return m;
}

// The int32 bias codes round(b[c] / (x_scale * w_scale[c])), saturated, and (when `scales`) their
// scales x_scale * w_scale[c] in float32, as the QOperator model and the QDQ export carry them.
std::vector<int32_t> quantize_bias(const std::vector<float>& b, float x_scale, const std::vector<float>& w_scale,
                                   std::vector<float>* scales = nullptr) {
  std::vector<int32_t> bq(w_scale.size());
  if (scales) scales->resize(w_scale.size());
  for (size_t c = 0; c < w_scale.size(); ++c) {
    const float bs = x_scale * w_scale[c];
    if (scales) (*scales)[c] = bs;
    const double v = std::nearbyint(static_cast<double>(b[c]) / bs);
    bq[c] = static_cast<int32_t>(std::clamp(v, -2147483647.0, 2147483647.0));
  }
  return bq;
}

}  // namespace

double sqnr_db(double ref, double err) {
  if (err == 0.0) return ref == 0.0 ? NAN : INFINITY;
  if (ref == 0.0) return NAN;
  return 10.0 * std::log10(ref / err);
}

Int16Activations parse_int16(const std::string& s) {
  if (s == "none") return Int16Activations::kNone;
  if (s == "conv-inputs") return Int16Activations::kConvInputs;
  throw Error("unknown activations.int16 '" + s + "' (expected 'none' or 'conv-inputs')");
}

Mode parse_mode(const std::string& s) {
  if (s == "dynamic") return Mode::kDynamic;
  if (s == "static") return Mode::kStatic;
  if (s == "weight-only") return Mode::kWeightOnly;
  fail("quantizeModel: unknown mode '" + s + "' (expected one of: dynamic, static, weight-only)");
}

ModelQuantizer::ModelQuantizer(const uint8_t* data, size_t size, const Options& options) : opt_(options) {
  WASMQ_CHECK(opt_.activation_dtype == DType::kInt8 || opt_.activation_dtype == DType::kUInt8,
              "quantizeModel: activations.dtype must be int8 or uint8");
  WASMQ_CHECK(opt_.block_size >= 32 && opt_.block_size % 32 == 0 && opt_.block_size <= 4096,
              "quantizeModel: weights.blockSize must be a multiple of 32 (32, 64, 128, ...)");
  float_ = onnx::decode_model(data, size);
  stats_ = prepare_float_graph(float_, 13);
  // Static element types, to keep shape computations (int64) out of quantization.
  for (const auto& v : float_.graph.inputs) dtype_[v.name] = v.dtype;
  for (const auto& t : float_.graph.initializers) dtype_[t.name] = t.dtype;
  for (const NodeDef& n : float_.graph.nodes) {
    ElemType t = ElemType::kUndefined;
    const std::string& op = n.op_type;
    if (op == "Shape" || op == "Size" || op == "ArgMax" || op == "ArgMin" || op == "NonZero") t = ElemType::kInt64;
    else if (op == "Cast") t = static_cast<ElemType>(attr_int(n, "to", 0));
    else if (op == "Equal" || op == "Less" || op == "Greater" || op == "Not" || op == "And" || op == "Or" ||
             op == "LessOrEqual" || op == "GreaterOrEqual" || op == "IsNaN")
      t = ElemType::kBool;
    else if (!n.inputs.empty() && dtype_.count(n.inputs[0])) t = dtype_[n.inputs[0]];
    for (const std::string& o : n.outputs) dtype_[o] = t;
  }
  for (const std::string& name : opt_.exclude) {
    bool found = false;
    for (const NodeDef& n : float_.graph.nodes) found = found || n.name == name;
    WASMQ_CHECK(found, "quantizeModel: exclude names node '" + name + "', which is not in the model");
  }
  plan_nodes();
  build_calibration_model();
}

void ModelQuantizer::plan_nodes() {
  GraphIndex g(float_);
  const auto& nodes = float_.graph.nodes;
  role_.assign(nodes.size(), 0);
  out_.assign(nodes.size(), "");
  fused_.assign(nodes.size(), "");
  bias_.assign(nodes.size(), "");
  auto is_float_act = [&](const std::string& t) { return !t.empty() && !g.is_const(t) && dtype_[t] == ElemType::kFloat; };
  auto const_rank = [&](const std::string& t) -> int {
    if (!g.is_const(t)) return -1;
    const TensorData& d = float_.graph.initializers[g.init.at(t)];
    return d.dtype == ElemType::kFloat ? static_cast<int>(d.dims.size()) : -1;
  };
  // Tensors a quantized node produces: element-wise ops and pools are quantized only when one of
  // their inputs already is (an isolated QLinearAdd between float ops adds error and saves nothing,
  // e.g. the epsilon Add of a decomposed LayerNorm).
  std::set<std::string> quantized_out;
  auto from_quantized = [&](const NodeDef& n, size_t count) {
    for (size_t i = 0; i < std::min(count, n.inputs.size()); ++i)
      if (quantized_out.count(n.inputs[i])) return true;
    return false;
  };
  for (size_t k = 0; k < nodes.size(); ++k) {
    const NodeDef& n = nodes[k];
    if (role_[k] == 2 || !onnx::is_default_domain(n) || opt_.exclude.count(n.name)) continue;
    const std::string& op = n.op_type;
    bool q = false;
    if (opt_.mode == Mode::kStatic) {
      if (op == "Conv") q = n.inputs.size() >= 2 && is_float_act(n.inputs[0]) && const_rank(n.inputs[1]) == 4 &&
                            (n.inputs.size() < 3 || n.inputs[2].empty() || const_rank(n.inputs[2]) == 1);
      else if (op == "MatMul") q = n.inputs.size() == 2 && is_float_act(n.inputs[0]) && const_rank(n.inputs[1]) == 2;
      else if (op == "ConvTranspose") {
        // 2-D, group 1 (per-output-channel weights are then one axis, 1, in the QDQ export), explicit pads.
        const onnx::Attribute* apa = find_attr(n, "auto_pad");
        const std::string ap = apa && !apa->s.empty() ? apa->s : "NOTSET";
        q = n.inputs.size() >= 2 && is_float_act(n.inputs[0]) && const_rank(n.inputs[1]) == 4 &&
            (n.inputs.size() < 3 || n.inputs[2].empty() || const_rank(n.inputs[2]) == 1) && attr_int(n, "group", 1) == 1 &&
            (ap == "NOTSET" || ap == "VALID") && !find_attr(n, "output_shape");
      }
      else if (op == "Add" || op == "Mul")
        q = n.inputs.size() == 2 && dtype_[n.inputs[0]] == ElemType::kFloat && dtype_[n.inputs[1]] == ElemType::kFloat &&
            (is_float_act(n.inputs[0]) || is_float_act(n.inputs[1])) && from_quantized(n, 2);
      else if (op == "Sigmoid" || op == "GlobalAveragePool") q = is_float_act(n.inputs[0]) && from_quantized(n, 1);
      else if (op == "MaxPool") q = is_float_act(n.inputs[0]) && n.outputs.size() == 1 && from_quantized(n, 1);
    } else {
      q = op == "MatMul" && n.inputs.size() == 2 && is_float_act(n.inputs[0]) && const_rank(n.inputs[1]) == 2;
      // Dynamic Conv: ConvInteger (1-D or 2-D) with constant weights and an optional constant bias.
      if (op == "Conv" && opt_.mode == Mode::kDynamic) {
        const int wr = n.inputs.size() >= 2 ? const_rank(n.inputs[1]) : -1;
        q = is_float_act(n.inputs[0]) && (wr == 3 || wr == 4) &&
            (n.inputs.size() < 3 || n.inputs[2].empty() || const_rank(n.inputs[2]) == 1) &&
            rt::is_supported_op("", "ConvInteger");
      }
      if (q && opt_.mode == Mode::kWeightOnly) {
        const TensorData& w = float_.graph.initializers[g.init.at(n.inputs[1])];
        q = w.dims[0] >= 16;  // MatMulNBits needs K >= 16
      }
    }
    // Only ops wasmq's runtime executes (e.g. QLinearGlobalAveragePool is not implemented: GAP
    // then runs in float between a DequantizeLinear and the next QuantizeLinear).
    if (q && opt_.mode == Mode::kStatic) {
      const char* qop = op == "Conv" ? "QLinearConv" : op == "ConvTranspose" ? "QLinearConvTranspose"
                      : op == "MatMul" ? "QLinearMatMul" : op == "Add" ? "QLinearAdd"
                      : op == "Mul" ? "QLinearMul" : op == "Sigmoid" ? "QLinearSigmoid"
                      : op == "GlobalAveragePool" ? "QLinearGlobalAveragePool" : "MaxPool";
      const bool ms = op == "Add" || op == "Mul" || op == "Sigmoid" || op == "GlobalAveragePool" || op == "ConvTranspose";
      q = rt::is_supported_op(ms ? kMs : "", qop);
    }
    if (!q) continue;
    role_[k] = 1;
    out_[k] = n.outputs[0];
    // Static MatMul followed by the Add of a constant 1-D bias of N values (a split Gemm, or an
    // exporter's Linear): one com.microsoft QGemm with an int32 bias, instead of QLinearMatMul +
    // QLinearAdd (which rounds the bias to int8 and requantizes twice).
    if (opt_.mode == Mode::kStatic && op == "MatMul" && g.use_count(n.outputs[0]) == 1 && g.users.count(n.outputs[0]) &&
        rt::is_supported_op(kMs, "QGemm")) {
      const int u = g.users.at(n.outputs[0])[0];
      const NodeDef& a = nodes[u];
      const int64_t cols = float_.graph.initializers[g.init.at(n.inputs[1])].dims[1];
      if (onnx::is_default_domain(a) && a.op_type == "Add" && !opt_.exclude.count(a.name) && a.inputs.size() == 2) {
        const std::string& b = a.inputs[0] == n.outputs[0] ? a.inputs[1] : a.inputs[0];
        if (b != n.outputs[0] && const_rank(b) == 1 && float_.graph.initializers[g.init.at(b)].dims[0] == cols) {
          role_[u] = 2;
          out_[k] = a.outputs[0];
          bias_[k] = b;
        }
      }
    }
    // Fuse a Relu / Clip(min 0) that is the only consumer (static: the output range starts at 0).
    if (opt_.mode == Mode::kStatic && op != "MaxPool" && g.use_count(out_[k]) == 1 && g.users.count(out_[k])) {
      const int u = g.users.at(out_[k])[0];
      const NodeDef& c = nodes[u];
      bool fuse = false;
      if (onnx::is_default_domain(c) && !opt_.exclude.count(c.name) && c.inputs[0] == out_[k]) {
        if (c.op_type == "Relu") {
          fuse = true;
        } else if (c.op_type == "Clip" && c.inputs.size() >= 2 && g.is_const(c.inputs[1])) {
          const std::vector<float> lo = as_floats(float_.graph.initializers[g.init.at(c.inputs[1])]);
          fuse = lo.size() == 1 && lo[0] == 0.0f && (c.inputs.size() < 3 || c.inputs[2].empty() || g.is_const(c.inputs[2]));
        }
      }
      if (fuse) {
        role_[u] = 2;
        out_[k] = c.outputs[0];
        fused_[k] = c.op_type;
      }
    }
    quantized_out.insert(out_[k]);
    ReportRow r;
    r.node = node_id(n);
    r.op = op + (bias_[k].empty() ? "" : "+Add") + (fused_[k].empty() ? "" : "+" + fused_[k]);
    r.output = out_[k];
    rows_.push_back(r);
  }
  WASMQ_CHECK(!rows_.empty(),
              std::string("quantizeModel: nothing to quantize in this model for mode '") +
                  (opt_.mode == Mode::kStatic ? "static" : opt_.mode == Mode::kDynamic ? "dynamic" : "weight-only") +
                  "' (static: Conv, 2-D ConvTranspose, MatMul/Gemm with constant weights, Add, Mul, Sigmoid, GlobalAveragePool, "
                  "MaxPool on float tensors; dynamic: MatMul/Gemm with constant 2-D weights and Conv with constant "
                  "weights; weight-only: MatMul/Gemm with constant 2-D weights), "
                  "or every candidate is excluded");
}

void ModelQuantizer::build_calibration_model() {
  GraphIndex g(float_);
  ModelDef m = float_;
  num_outputs_ = m.graph.outputs.size();
  std::vector<std::string> wanted;
  std::set<std::string> seen;
  for (const auto& o : m.graph.outputs) seen.insert(o.name);
  std::set<std::string> observed;
  auto want = [&](const std::string& t) {
    if (t.empty() || g.is_const(t)) return;
    if (opt_.mode == Mode::kStatic && !observed.count(t)) {
      if (opt_.candidates.empty()) observers_[t] = make_observer(opt_.calibration, opt_.observer);
      else observers_[t] = std::make_unique<MultiObserver>(opt_.candidates, opt_.observer);
      observed.insert(t);
    }
    if (seen.count(t)) return;
    seen.insert(t);
    wanted.push_back(t);
  };
  for (size_t k = 0; k < float_.graph.nodes.size(); ++k) {
    if (role_[k] != 1) continue;
    const NodeDef& n = float_.graph.nodes[k];
    if (opt_.mode == Mode::kStatic) {
      const size_t acts = (n.op_type == "Add" || n.op_type == "Mul") ? 2 : 1;
      for (size_t i = 0; i < acts; ++i) want(n.inputs[i]);
    }
    want(out_[k]);
  }
  for (size_t i = 0; i < m.graph.outputs.size(); ++i) calib_index_[m.graph.outputs[i].name] = static_cast<int>(i);
  for (const std::string& t : wanted) {
    std::string out = t;
    bool is_input = false;
    for (const auto& in : m.graph.inputs) is_input = is_input || in.name == t;
    if (is_input) {  // a graph input cannot be an output itself: copy it through an Identity
      out = t + "__calib";
      m.graph.nodes.push_back(make_node("Identity", {t}, {out}, out));
    }
    onnx::ValueInfoDef v;
    v.name = out;
    v.dtype = ElemType::kFloat;
    calib_index_[t] = static_cast<int>(m.graph.outputs.size());
    m.graph.outputs.push_back(v);
  }
  const size_t num_outputs = m.graph.outputs.size();
  float_model_ = rt::Model::load(std::move(m));
  calib_name_.assign(num_outputs, std::string());
  for (const auto& [name, i] : calib_index_) calib_name_[static_cast<size_t>(i)] = name;
  rows_of_output_.assign(num_outputs, {});
  for (size_t r = 0; r < rows_.size(); ++r) rows_of_output_[static_cast<size_t>(calib_index_.at(rows_[r].output))].push_back(r);
  // The added outputs are streamed: observed (or compared) as the run produces them, then their
  // buffers are reused. The model's own outputs stay readable after a run.
  std::vector<size_t> streamed;
  for (size_t i = num_outputs_; i < num_outputs; ++i) streamed.push_back(i);
  float_model_->stream_outputs(streamed, [this](size_t i, const rt::Tensor& t) { on_float_tensor(i, t); });
}

rt::Model& ModelQuantizer::float_model() {
  WASMQ_CHECK(!released_, "quantizeModel: the calibration state was released (the float model is gone)");
  return *float_model_;
}

void ModelQuantizer::release_calibration() {
  float_model_.reset();
  rmodel_.reset();
  observers_.clear();
  row_out_ = {};
  float_ = ModelDef{};
  released_ = true;
  quantized_model();  // loaded now, in the memory just freed, rather than at the first run
}

rt::Model* ModelQuantizer::quantized_model() {
  if (!qmodel_ && converted_ && load_error_.empty() && !qop_bytes_.empty()) {
    try {
      qmodel_ = rt::Model::load(qop_bytes_.data(), qop_bytes_.size());
    } catch (const Error& e) {
      load_error_ = std::string("wasmq's runtime cannot run the quantized model yet: ") + e.what();
    }
  }
  return qmodel_.get();
}

void ModelQuantizer::on_float_tensor(size_t output, const rt::Tensor& t) {
  if (float_tap_ == FloatTap::kObserve) {
    if (!calib_name_[output].empty() && observers_.count(calib_name_[output])) observe(calib_name_[output], t);
  } else if (float_tap_ == FloatTap::kCompare) {
    for (size_t r : rows_of_output_[output]) compare_row(r, t);
  }
}

void ModelQuantizer::observe(const std::string& name, const rt::Tensor& t) {
  WASMQ_CHECK(t.dtype == ElemType::kFloat, "quantizeModel: tensor '" + name + "' is not float32");
  observers_.at(name)->observe(t.as<float>(), t.numel());
  const int r = static_cast<int>(t.shape.size());
  auto it = rank_.find(name);
  if (it == rank_.end()) rank_[name] = r;
  else if (it->second != r) it->second = -1;
}

namespace {
// Sets a tap mode for the length of a scope (also when a run throws).
template <class T>
struct ScopedSet {
  T& ref;
  ScopedSet(T& r, T v) : ref(r) { ref = v; }
  ~ScopedSet() { ref = T{}; }
};
}  // namespace

void ModelQuantizer::observe_run() {
  WASMQ_CHECK(!converted_, "quantizeModel: calibration after conversion");
  WASMQ_CHECK(!released_, "quantizeModel: the calibration state was released");
  {
    ScopedSet<FloatTap> tap(float_tap_, FloatTap::kObserve);
    float_model_->run();
  }
  for (size_t i = 0; i < num_outputs_; ++i) {  // the model's own outputs, when observed
    if (!calib_name_[i].empty() && observers_.count(calib_name_[i])) observe(calib_name_[i], float_model_->output(i));
  }
  ++batches_;
}

void ModelQuantizer::select_calibration(Calibration kind, bool trial) {
  WASMQ_CHECK(!released_, "quantizeModel: the calibration state was released");
  WASMQ_CHECK(opt_.mode == Mode::kStatic && !opt_.candidates.empty(), "quantizeModel: no calibration candidates were observed");
  WASMQ_CHECK(std::find(opt_.candidates.begin(), opt_.candidates.end(), kind) != opt_.candidates.end(),
              std::string("quantizeModel: calibration '") + name_of(kind) + "' was not observed");
  opt_.calibration = kind;
  converted_ = false;
  trial_ = trial;
  convert();
  trial_ = false;
}

double ModelQuantizer::output_sqnr_db() const { return sqnr_db(out_ref_energy_, out_err_energy_); }

void ModelQuantizer::convert() {
  WASMQ_CHECK(!converted_, "quantizeModel: the model is already converted");
  WASMQ_CHECK(!released_, "quantizeModel: the calibration state was released");
  out_ref_energy_ = out_err_energy_ = 0.0;
  for (ReportRow& r : rows_) {
    r.ref_energy = r.err_energy = 0.0;
    r.output_sqnr_db = NAN;
  }
  load_error_.clear();
  if (opt_.mode == Mode::kStatic) {
    for (auto& [name, obs] : observers_) {
      if (auto* m = dynamic_cast<MultiObserver*>(obs.get())) m->select(opt_.calibration);
    }
    WASMQ_CHECK(batches_ > 0, "quantizeModel: static mode needs calibration data (calibrationData gave no batch)");
    build_static();
  } else if (opt_.mode == Mode::kDynamic) {
    build_dynamic();
  } else {
    build_weight_only();
  }
  converted_ = true;
}

// ---------------------------------------------------------------------------------------------
// Static QOperator + QDQ.

// True when tensor t is consumed only by a hard-swish of itself: HardSwish(t), or the decomposed
// t * Clip(t + 3, 0, 6) (/ 6 or * 1/6 after it), as exporters spell it (PaddleOCR, PyTorch < 1.6).
bool ModelQuantizer::feeds_only_hardswish(const GraphIndex& g, const std::string& t) const {
  const auto& nodes = float_.graph.nodes;
  auto it = g.users.find(t);
  if (it == g.users.end() || it->second.empty() || g.is_output.count(t)) return false;
  auto scalar_const = [&](const std::string& name, float want) {
    if (!g.is_const(name)) return false;
    const std::vector<float> v = as_floats(float_.graph.initializers[g.init.at(name)]);
    return v.size() == 1 && v[0] == want;
  };
  auto only_user = [&](const std::string& v) -> const NodeDef* {
    auto u = g.users.find(v);
    if (u == g.users.end() || u->second.size() != 1 || g.is_output.count(v)) return nullptr;
    return &nodes[u->second[0]];
  };
  for (int k : it->second) {
    const NodeDef& n = nodes[k];
    if (!onnx::is_default_domain(n)) return false;
    if (n.op_type == "HardSwish") continue;
    if (n.op_type == "Mul" && n.inputs.size() == 2) continue;  // checked from the Add side below
    if (n.op_type != "Add" || n.inputs.size() != 2) return false;
    const std::string& other = n.inputs[0] == t ? n.inputs[1] : n.inputs[0];
    if (!scalar_const(other, 3.0f)) return false;
    const NodeDef* clip = only_user(n.outputs[0]);
    if (!clip || clip->op_type != "Clip" || clip->inputs.size() < 3 || !scalar_const(clip->inputs[1], 0.0f) ||
        !scalar_const(clip->inputs[2], 6.0f))
      return false;
    const NodeDef* mul = only_user(clip->outputs[0]);
    if (!mul || mul->op_type != "Mul" || mul->inputs.size() != 2 ||
        !((mul->inputs[0] == t && mul->inputs[1] == clip->outputs[0]) ||
          (mul->inputs[1] == t && mul->inputs[0] == clip->outputs[0])))
      return false;
  }
  // Every Mul user must be the Mul of such a chain (not some other product with t).
  for (int k : it->second) {
    const NodeDef& n = nodes[k];
    if (n.op_type != "Mul") continue;
    const std::string& other = n.inputs[0] == t ? n.inputs[1] : n.inputs[0];
    auto p = g.producer.find(other);
    if (p == g.producer.end() || nodes[p->second].op_type != "Clip") return false;
    auto a = g.producer.find(nodes[p->second].inputs[0]);
    if (a == g.producer.end() || nodes[a->second].op_type != "Add") return false;
    const NodeDef& add = nodes[a->second];
    if (add.inputs[0] != t && add.inputs[1] != t) return false;
  }
  return true;
}

// The activations that get int16 codes (Options::int16): outputs of quantized Conv / Add / Mul nodes
// (a fused activation only when it is Relu: wasmq_qmin = 0 keeps it exact on the symmetric int16
// output) that are not graph outputs and whose consumers are all quantized Convs reading them as x,
// when every such Conv's int32 sums provably fit with an int16 x (32768 * sum |w| + |bias| < 2^31
// per output channel, the bias at the int16 input scale); and Conv outputs read only by a quantized
// hard-swish chain. qp16: each candidate's int16 parameters.
std::set<std::string> ModelQuantizer::choose_int16(const GraphIndex& g, const std::map<std::string, QParams>& qp16) const {
  std::set<std::string> chosen;
  for (size_t k = 0; k < float_.graph.nodes.size(); ++k) {
    const NodeDef& n = float_.graph.nodes[k];
    if (role_[k] != 1 || (n.op_type != "Conv" && n.op_type != "Add" && n.op_type != "Mul")) continue;
    if (!fused_[k].empty() && !(n.op_type == "Conv" && fused_[k] == "Relu")) continue;
    const std::string& y = out_[k];
    if (g.is_output.count(y) || !qp16.count(y)) continue;
    const auto users = g.users.find(y);
    if (users == g.users.end() || users->second.empty()) continue;
    // A conv output read only by a hard-swish chain (x + 3, clipped, times x): its QLinearAdd /
    // QLinearMul take the int16 codes, and the runtime's Lut pass makes the chain one 65536-entry table.
    if (n.op_type == "Conv" && fused_[k].empty() && feeds_only_hardswish(g, y)) {
      bool chain = true;
      for (int j : users->second) {
        const std::string& op = float_.graph.nodes[j].op_type;
        chain = chain && role_[j] == 1 && (op == "Add" || op == "Mul");
      }
      if (chain) chosen.insert(y);
      continue;
    }
    bool ok = true;
    for (int j : users->second) {
      const NodeDef& c = float_.graph.nodes[j];
      if (role_[j] != 1 || c.op_type != "Conv" || c.inputs[0] != y || c.inputs.size() < 2 || !g.is_const(c.inputs[1])) {
        ok = false;
        break;
      }
      for (size_t i = 1; i < c.inputs.size(); ++i) ok = ok && (c.inputs[i] != y);
      const TensorData& wt = float_.graph.initializers[g.init.at(c.inputs[1])];
      const std::vector<float> w = as_floats(wt);
      const size_t channels = static_cast<size_t>(wt.dims[0]), per = w.size() / channels;
      std::vector<float> b;
      if (c.inputs.size() > 2 && !c.inputs[2].empty()) b = as_floats(float_.graph.initializers[g.init.at(c.inputs[2])]);
      // The weights and bias build_static writes for this Conv with an int16 x, through the check the
      // runtime makes when it packs them (the depthwise one is the same sum per channel).
      const float s16 = qp16.at(y).scale;
      const QuantWeights qw = quantize_weights(w, channels, [per](size_t i) { return i / per; }, bias_min_scales(b, channels, s16));
      const std::vector<int32_t> bq = b.empty() ? std::vector<int32_t>() : quantize_bias(b, s16, qw.scale);
      ok = ok && qgemm_sums_fit_int32(channels, per, qw.q.data(), per, 1, bq.empty() ? nullptr : bq.data(), 32768);
      if (!ok) break;
    }
    if (ok) chosen.insert(y);
  }
  return chosen;
}

void ModelQuantizer::build_static() {
  const DType adt = opt_.activation_dtype;
  GraphIndex g(float_);
  std::map<std::string, QParams> qp;
  for (auto& [name, obs] : observers_) {
    Range r = obs->range(adt, Scheme::kAffine);
    // Values below -3 all give hard-swish 0: when every consumer is a hard-swish of the tensor,
    // the range starts at -3 (exact, and a finer scale for the values that matter).
    if (feeds_only_hardswish(g, name)) {
      r.min = std::max(r.min, -3.0f);
      hardswish_inputs_.insert(name);
    }
    qp[name] = qparams_from_range(r.min, r.max, adt, Scheme::kAffine);
  }
  // MaxPool passes its input's parameters through.
  for (size_t k = 0; k < float_.graph.nodes.size(); ++k)
    if (role_[k] == 1 && float_.graph.nodes[k].op_type == "MaxPool") qp[out_[k]] = qp.at(float_.graph.nodes[k].inputs[0]);
  // A16W8: symmetric int16 parameters (zero point 0) from the observer's int16 range.
  int16_.clear();
  if (opt_.int16 != Int16Activations::kNone && adt == DType::kInt8) {
    std::map<std::string, QParams> qp16;
    for (auto& [name, obs] : observers_) {
      Range r = obs->range(DType::kInt16, Scheme::kSymmetric);
      if (hardswish_inputs_.count(name)) r.min = std::max(r.min, -3.0f);  // as the int8 range above
      qp16[name] = qparams_from_range(r.min, r.max, DType::kInt16, Scheme::kSymmetric);
    }
    int16_ = choose_int16(g, qp16);
    for (const std::string& t : int16_) qp[t] = qp16.at(t);
  }
  auto dtype_of = [&](const std::string& t) { return int16_.count(t) ? DType::kInt16 : adt; };

  ModelDef qm = float_, ex = float_;
  qm.graph.nodes.clear();
  ex.graph.nodes.clear();
  qm.opsets[kMs] = 1;
  qm.producer_name = ex.producer_name = "wasmq";
  auto& qn = qm.graph.nodes;
  auto& en = ex.graph.nodes;
  std::set<std::string> qparam_done, q_avail, f_missing, qdq_avail;
  auto add_init = [&](ModelDef& m, TensorData t) { m.graph.initializers.push_back(std::move(t)); };
  auto qparam_names = [&](const std::string& t) {
    if (!qparam_done.count(t)) {
      const QParams& p = qp.at(t);
      for (ModelDef* m : {&qm, &ex}) {
        add_init(*m, float_tensor(t + "__scale", {}, {p.scale}));
        add_init(*m, zp_tensor(t + "__zp", dtype_of(t), {}, {p.zero_point}));
      }
      qparam_done.insert(t);
    }
    return std::make_pair(t + "__scale", t + "__zp");
  };
  // QOperator: the quantized name of T, inserting QuantizeLinear when T is only available in float.
  auto need_q = [&](const std::string& t) {
    const std::string name = t + "__q";
    if (!q_avail.count(t)) {
      auto [s, z] = qparam_names(t);
      qn.push_back(make_node("QuantizeLinear", {t, s, z}, {name}, name));
      q_avail.insert(t);
    }
    return name;
  };
  // QOperator: float name of T, inserting DequantizeLinear (named T) when T is only quantized.
  auto need_f = [&](const std::string& t) {
    if (f_missing.count(t)) {
      auto [s, z] = qparam_names(t);
      qn.push_back(make_node("DequantizeLinear", {t + "__q", s, z}, {t}, t + "__dequantize"));
      f_missing.erase(t);
    }
    return t;
  };
  // QDQ: name of DQ(Q(T)) for a float tensor T.
  auto need_qdq = [&](const std::string& t) {
    if (qdq_avail.count(t)) return t;  // output of a quantized node: already DQ(Q(.)) under its own name
    const std::string dq = t + "__qdq";
    if (!qparam_done.count(t + "#qdq")) {
      auto [s, z] = qparam_names(t);
      en.push_back(make_node("QuantizeLinear", {t, s, z}, {t + "__qdq_q"}, t + "__qdq_q"));
      en.push_back(make_node("DequantizeLinear", {t + "__qdq_q", s, z}, {dq}, dq));
      qparam_done.insert(t + "#qdq");
    }
    return dq;
  };
  // A constant operand of Add/Mul, quantized with its own min/max.
  auto quant_const = [&](const std::string& t, std::string& qname, std::string& sname, std::string& zname, std::string& dqname) {
    const TensorData& c = float_.graph.initializers[g.init.at(t)];
    const std::vector<float> v = as_floats(c);
    float lo = 0, hi = 0;
    for (float x : v) lo = std::min(lo, x), hi = std::max(hi, x);
    const QParams p = qparams_from_range(lo, hi, adt, Scheme::kAffine);
    std::vector<int32_t> q(v.size());
    for (size_t i = 0; i < v.size(); ++i)
      q[i] = std::clamp(static_cast<int32_t>(std::nearbyint(v[i] / p.scale)) + p.zero_point, qmin_of(adt), qmax_of(adt));
    qname = t + "__cq";
    sname = t + "__cq_scale";
    zname = t + "__cq_zp";
    dqname = t + "__cq_dq";
    if (!qparam_done.count(qname)) {
      for (ModelDef* m : {&qm, &ex}) {
        add_init(*m, zp_tensor(qname, adt, c.dims, q));
        add_init(*m, float_tensor(sname, {}, {p.scale}));
        add_init(*m, zp_tensor(zname, adt, {}, {p.zero_point}));
      }
      en.push_back(make_node("DequantizeLinear", {qname, sname, zname}, {dqname}, dqname));
      qparam_done.insert(qname);
    }
  };

  size_t row = 0;
  for (size_t k = 0; k < float_.graph.nodes.size(); ++k) {
    const NodeDef& n = float_.graph.nodes[k];
    if (role_[k] == 2) continue;
    if (role_[k] == 0) {
      NodeDef c = n;
      for (std::string& in : c.inputs)
        if (!in.empty()) in = need_f(in);
      qn.push_back(c);
      en.push_back(n);
      continue;
    }
    ReportRow& r = rows_[row++];
    const std::string y = out_[k];
    const std::string op = n.op_type;
    const std::string id = node_id(n);
    if (op != "MaxPool") qparam_names(y);
    const QParams yp = qp.at(y);
    r.has_qparams = true;
    r.scale = yp.scale;
    r.zero_point = yp.zero_point;
    r.dtype = int16_.count(y) ? "int16" : adt == DType::kUInt8 ? "uint8" : "int8";
    const std::string yq = y + "__q";
    const std::string ys = op == "MaxPool" ? n.inputs[0] + "__scale" : y + "__scale";
    const std::string yz = op == "MaxPool" ? n.inputs[0] + "__zp" : y + "__zp";
    NodeDef efloat = n;  // the QDQ form's float node
    efloat.outputs = {y + "__f"};
    if (op == "Conv" || op == "MatMul" || op == "ConvTranspose") {
      const std::string x = n.inputs[0];
      const TensorData& wt = float_.graph.initializers[g.init.at(n.inputs[1])];
      const std::vector<float> w = as_floats(wt);
      const bool conv = op == "Conv", convt = op == "ConvTranspose";
      // Output channels: Conv weights [M, C, kH, kW] axis 0; ConvTranspose [C, M, kH, kW] axis 1; MatMul columns.
      const size_t channels = static_cast<size_t>(conv ? wt.dims[0] : wt.dims[1]);
      const size_t per = w.size() / channels, ncol = static_cast<size_t>(wt.dims[1]);
      const size_t window = convt ? static_cast<size_t>(wt.dims[2] * wt.dims[3]) : 1;
      const QParams xp = qp.at(x);
      // Conv's bias input, or the constant of the Add absorbed into a MatMul (QGemm's C).
      const std::string bias = conv || convt ? (n.inputs.size() > 2 ? n.inputs[2] : std::string()) : bias_[k];
      const std::vector<float> b = bias.empty() ? std::vector<float>() : as_floats(float_.graph.initializers[g.init.at(bias)]);
      const std::vector<float> min_scale = bias_min_scales(b, channels, xp.scale);
      QuantWeights qw = conv ? quantize_weights(w, channels, [per](size_t i) { return i / per; }, min_scale)
                      : convt ? quantize_weights(w, channels, [window, ncol](size_t i) { return (i / window) % ncol; }, min_scale)
                              : quantize_weights(w, channels, [ncol](size_t i) { return i % ncol; }, min_scale);
      r.weight_sqnr_db = qw.sqnr;
      const std::string wn = id + "__w";
      const std::vector<int64_t> cd = {static_cast<int64_t>(channels)};
      for (ModelDef* m : {&qm, &ex}) {
        add_init(*m, typed_tensor(wn + "_q", ElemType::kInt8, wt.dims, qw.q));
        add_init(*m, float_tensor(wn + "_scale", cd, qw.scale));
        add_init(*m, typed_tensor(wn + "_zp", ElemType::kInt8, cd, std::vector<int8_t>(channels, 0)));
      }
      auto [xs, xz] = qparam_names(x);
      std::string bias_q;
      if (!bias.empty()) {
        std::vector<float> bs;
        const std::vector<int32_t> bq = quantize_bias(b, xp.scale, qw.scale, &bs);
        bias_q = id + "__b_q";
        for (ModelDef* m : {&qm, &ex}) add_init(*m, typed_tensor(bias_q, ElemType::kInt32, cd, bq));
        add_init(ex, float_tensor(id + "__b_scale", cd, bs));
        add_init(ex, typed_tensor(id + "__b_zp", ElemType::kInt32, cd, std::vector<int32_t>(channels, 0)));
        NodeDef dq = make_node("DequantizeLinear", {bias_q, id + "__b_scale", id + "__b_zp"}, {id + "__b_dq"}, id + "__b_dq");
        dq.attributes.push_back(make_int_attr("axis", 0));
        en.push_back(dq);
        if (conv || convt) efloat.inputs[2] = id + "__b_dq";
      }
      NodeDef wdq = make_node("DequantizeLinear", {wn + "_q", wn + "_scale", wn + "_zp"}, {wn + "_dq"}, wn + "_dq");
      wdq.attributes.push_back(make_int_attr("axis", conv ? 0 : 1));
      en.push_back(wdq);
      efloat.inputs[0] = need_qdq(x);
      efloat.inputs[1] = wn + "_dq";
      const std::string xq = need_q(x);
      if (op == "MatMul" && !bias_q.empty()) {
        const int64_t K = wt.dims[0], N = wt.dims[1];
        const int xr = rank_.count(x) ? rank_.at(x) : -1;
        // QDQ: a 2-D x gives DQ(x), DQ(W), DQ(int32 bias) -> Gemm, one node as in the float model
        // (wasmq's loader fuses it into QGemm); another rank gives MatMul + Add.
        if (xr == 2) {
          efloat = make_node("Gemm", {efloat.inputs[0], efloat.inputs[1], id + "__b_dq"}, {y + "__f"}, n.name);
        } else {
          efloat.outputs = {y + "__mm"};
          en.push_back(efloat);
          efloat = make_node("Add", {y + "__mm", id + "__b_dq"}, {y + "__f"}, id + "__bias_add");
        }
        // QOperator: QGemm takes 2-D A; another rank (1-D, 3-D, ..., or one that varied in
        // calibration) goes through Reshape to [-1, K] and back to x's leading dimensions + [N].
        std::string a = xq, gy = yq;
        if (xr != 2) {
          a = id + "__a2d";
          gy = id + "__y2d";
          add_init(qm, int64_tensor(id + "__a2d_shape", {2}, {-1, K}));
          add_init(qm, int64_tensor(id + "__lead_start", {1}, {0}));
          add_init(qm, int64_tensor(id + "__lead_end", {1}, {-1}));
          add_init(qm, int64_tensor(id + "__n", {1}, {N}));
          qn.push_back(make_node("Reshape", {xq, id + "__a2d_shape"}, {a}, a));
        }
        NodeDef qnode = make_node("QGemm", {a, xs, xz, wn + "_q", wn + "_scale", wn + "_zp", bias_q, ys, yz}, {gy}, n.name, kMs);
        r.qop = qnode.op_type;
        qn.push_back(qnode);
        if (xr != 2) {
          qn.push_back(make_node("Shape", {xq}, {id + "__xshape"}, id + "__xshape"));
          qn.push_back(make_node("Slice", {id + "__xshape", id + "__lead_start", id + "__lead_end"}, {id + "__lead"}, id + "__lead"));
          NodeDef cat = make_node("Concat", {id + "__lead", id + "__n"}, {id + "__yshape"}, id + "__yshape");
          cat.attributes.push_back(make_int_attr("axis", 0));
          qn.push_back(cat);
          qn.push_back(make_node("Reshape", {gy, id + "__yshape"}, {yq}, id + "__y_nd"));
        }
      } else {
        // ConvTranspose: com.microsoft QLinearConvTranspose, QLinearConv's input order (onnxruntime's
        // contrib schema; wasmq runs it, ops_quant_convt.cc).
        NodeDef qnode = make_node(conv ? "QLinearConv" : convt ? "QLinearConvTranspose" : "QLinearMatMul",
                                  {xq, xs, xz, wn + "_q", wn + "_scale", wn + "_zp", ys, yz}, {yq}, n.name, convt ? kMs : "");
        if (!bias_q.empty()) qnode.inputs.push_back(bias_q);
        if (conv || convt) qnode.attributes = n.attributes;
        // A fused Relu on a symmetric int16 output: clamp the output codes at zero.
        if (conv && int16_.count(y) && !fused_[k].empty()) qnode.attributes.push_back(make_int_attr("wasmq_qmin", 0));
        r.qop = qnode.op_type;
        qn.push_back(qnode);
      }
    } else if (op == "Add" || op == "Mul") {
      std::vector<std::string> qin;
      for (int i = 0; i < 2; ++i) {
        const std::string& t = n.inputs[i];
        if (g.is_const(t)) {
          std::string cq, cs, cz, cdq;
          quant_const(t, cq, cs, cz, cdq);
          qin.insert(qin.end(), {cq, cs, cz});
          efloat.inputs[i] = cdq;
        } else {
          auto [s, z] = qparam_names(t);
          qin.insert(qin.end(), {need_q(t), s, z});
          efloat.inputs[i] = need_qdq(t);
        }
      }
      qin.insert(qin.end(), {ys, yz});
      NodeDef qnode = make_node(op == "Add" ? "QLinearAdd" : "QLinearMul", qin, {yq}, n.name, kMs);
      r.qop = qnode.op_type;
      qn.push_back(qnode);
    } else {  // Sigmoid, GlobalAveragePool, MaxPool
      const std::string x = n.inputs[0];
      auto [xs, xz] = qparam_names(x);
      const std::string xq = need_q(x);
      efloat.inputs[0] = need_qdq(x);
      NodeDef qnode;
      if (op == "MaxPool") {
        qnode = n;
        qnode.inputs = {xq};
        qnode.outputs = {yq};
      } else {
        qnode = make_node(op == "Sigmoid" ? "QLinearSigmoid" : "QLinearGlobalAveragePool", {xq, xs, xz, ys, yz}, {yq}, n.name, kMs);
        if (op == "GlobalAveragePool") qnode.attributes.push_back(make_int_attr("channels_last", 0));
      }
      r.qop = qnode.op_type;
      qn.push_back(qnode);
    }
    q_avail.insert(y);
    f_missing.insert(y);
    // QDQ form: float op, then Q/DQ of its output under the output's name. An int16 output is
    // symmetric: a fused Relu is written out (the int8 form has it in Q's saturation at zero point
    // -128), and its Q/DQ are onnxruntime's com.microsoft ones (INT16 below opset 21).
    const bool y16 = int16_.count(y) != 0;
    if (y16 && !fused_[k].empty()) {
      efloat.outputs = {y + "__pre"};
      en.push_back(efloat);
      efloat = make_node(fused_[k], {y + "__pre"}, {y + "__f"}, id + "__act16");
    }
    en.push_back(efloat);
    en.push_back(make_node("QuantizeLinear", {y + "__f", ys, yz}, {y + "__qdq_out"}, y + "__qdq_out", y16 ? kMs : ""));
    en.push_back(make_node("DequantizeLinear", {y + "__qdq_out", ys, yz}, {y}, y + "__qdq_dq", y16 ? kMs : ""));
    qdq_avail.insert(y);
  }
  for (const auto& o : float_.graph.outputs) need_f(o.name);
  // The QDQ export only needs opset 13; com.microsoft only for INT16 Q/DQ.
  if (int16_.empty()) ex.opsets.erase(kMs);
  else ex.opsets[kMs] = 1;
  // The report model: the QOperator model plus a DequantizeLinear of every quantized output.
  finish_models(std::move(qm), std::move(ex));
}

// ---------------------------------------------------------------------------------------------
// Dynamic: DynamicQuantizeLinear + MatMulInteger / ConvInteger + scale multiply (+ Conv bias); weight-only: MatMulNBits.

void ModelQuantizer::build_dynamic() {
  GraphIndex g(float_);
  ModelDef m = float_;
  m.graph.nodes.clear();
  m.producer_name = "wasmq";
  std::set<std::string> dq_done;
  size_t row = 0;
  for (size_t k = 0; k < float_.graph.nodes.size(); ++k) {
    const NodeDef& n = float_.graph.nodes[k];
    if (role_[k] != 1) {
      m.graph.nodes.push_back(n);
      continue;
    }
    ReportRow& r = rows_[row++];
    const std::string x = n.inputs[0], y = n.outputs[0], id = node_id(n);
    const bool conv = n.op_type == "Conv";
    const TensorData& wt = float_.graph.initializers[g.init.at(n.inputs[1])];
    const std::vector<float> w = as_floats(wt);
    // Symmetric int8 weights per output channel (Conv: axis 0) or per column (MatMul).
    const size_t channels = static_cast<size_t>(conv ? wt.dims[0] : wt.dims[1]);
    const size_t per = w.size() / channels;
    QuantWeights qw = conv ? quantize_weights(w, channels, [per](size_t i) { return i / per; })
                           : quantize_weights(w, channels, [channels](size_t i) { return i % channels; });
    r.weight_sqnr_db = qw.sqnr;
    r.qop = conv ? "ConvInteger" : "MatMulInteger";
    // The scales broadcast against the integer result: [N] for MatMul, [1, C, 1(, 1)] for Conv.
    std::vector<int64_t> sd = {static_cast<int64_t>(channels)};
    if (conv) {
      sd = {1, static_cast<int64_t>(channels)};
      sd.resize(wt.dims.size(), 1);
    }
    m.graph.initializers.push_back(typed_tensor(id + "__w_q", ElemType::kInt8, wt.dims, qw.q));
    m.graph.initializers.push_back(float_tensor(id + "__w_scale", sd, qw.scale));
    // Symmetric codes: every zero point is 0. ConvInteger gets a scalar one (onnxruntime's
    // ConvInteger refuses a per-channel w_zero_point: "Non per-tensor quantization is not supported").
    const size_t nzp = conv ? 1 : channels;
    m.graph.initializers.push_back(typed_tensor(id + "__w_zp", ElemType::kInt8, conv ? std::vector<int64_t>{} : std::vector<int64_t>{static_cast<int64_t>(nzp)},
                                                std::vector<int8_t>(nzp, 0)));
    if (!dq_done.count(x)) {
      m.graph.nodes.push_back(make_node("DynamicQuantizeLinear", {x}, {x + "__dyn_q", x + "__dyn_scale", x + "__dyn_zp"}, x + "__dyn"));
      dq_done.insert(x);
    }
    NodeDef qnode = make_node(r.qop, {x + "__dyn_q", id + "__w_q", x + "__dyn_zp", id + "__w_zp"}, {y + "__i32"}, n.name);
    if (conv) qnode.attributes = n.attributes;
    m.graph.nodes.push_back(qnode);
    NodeDef cast = make_node("Cast", {y + "__i32"}, {y + "__i32f"}, y + "__cast");
    cast.attributes.push_back(make_int_attr("to", static_cast<int64_t>(ElemType::kFloat)));
    m.graph.nodes.push_back(cast);
    m.graph.nodes.push_back(make_node("Mul", {x + "__dyn_scale", id + "__w_scale"}, {y + "__oscale"}, y + "__oscale"));
    // Conv bias: added in float after the rescale (exact, whatever the run-time input scale).
    const bool bias = conv && n.inputs.size() > 2 && !n.inputs[2].empty();
    m.graph.nodes.push_back(make_node("Mul", {y + "__i32f", y + "__oscale"}, {bias ? y + "__nobias" : y}, y + "__rescale"));
    if (bias) {
      const std::vector<float> b = as_floats(float_.graph.initializers[g.init.at(n.inputs[2])]);
      m.graph.initializers.push_back(float_tensor(id + "__bias", sd, b));
      m.graph.nodes.push_back(make_node("Add", {y + "__nobias", id + "__bias"}, {y}, y + "__bias"));
    }
  }
  ModelDef e = m;
  finish_models(std::move(m), std::move(e));
}

void ModelQuantizer::build_weight_only() {
  GraphIndex g(float_);
  ModelDef m = float_;
  m.graph.nodes.clear();
  m.producer_name = "wasmq";
  m.opsets[kMs] = 1;
  const int64_t bs = opt_.block_size;
  size_t row = 0;
  for (size_t k = 0; k < float_.graph.nodes.size(); ++k) {
    const NodeDef& n = float_.graph.nodes[k];
    if (role_[k] != 1) {
      m.graph.nodes.push_back(n);
      continue;
    }
    ReportRow& r = rows_[row++];
    const std::string id = node_id(n);
    const TensorData& wt = float_.graph.initializers[g.init.at(n.inputs[1])];
    const std::vector<float> w = as_floats(wt);
    const int64_t K = wt.dims[0], N = wt.dims[1], nb = (K + bs - 1) / bs, blob = bs / 2;
    std::vector<uint8_t> packed(static_cast<size_t>(N * nb * blob), 0x88);
    std::vector<float> scales(static_cast<size_t>(N * nb));
    double e = 0, s = 0;
    for (int64_t j = 0; j < N; ++j) {
      for (int64_t b = 0; b < nb; ++b) {
        float amax = 0;
        for (int64_t kk = b * bs; kk < std::min(K, (b + 1) * bs); ++kk) amax = std::max(amax, std::fabs(w[kk * N + j]));
        const float sc = amax > 0 ? amax / 7.0f : 1.0f;
        scales[j * nb + b] = sc;
        for (int64_t kk = b * bs; kk < std::min(K, (b + 1) * bs); ++kk) {
          const float v = w[kk * N + j];
          const int q = std::clamp(static_cast<int>(std::nearbyint(v / sc)), -8, 7);
          const int64_t i = kk - b * bs;
          uint8_t& byte = packed[(j * nb + b) * blob + i / 2];
          const uint8_t u = static_cast<uint8_t>(q + 8);
          byte = (i % 2 == 0) ? static_cast<uint8_t>((byte & 0xF0) | u) : static_cast<uint8_t>((byte & 0x0F) | (u << 4));
          const double d = static_cast<double>(v) - static_cast<double>(q) * sc;
          e += d * d;
          s += static_cast<double>(v) * v;
        }
      }
    }
    r.weight_sqnr_db = sqnr_db(s, e);
    r.qop = "MatMulNBits";
    m.graph.initializers.push_back(typed_tensor(id + "__w_nbits", ElemType::kUInt8, {N, nb, blob}, packed));
    m.graph.initializers.push_back(float_tensor(id + "__w_scales", {N * nb}, scales));
    NodeDef q = make_node("MatMulNBits", {n.inputs[0], id + "__w_nbits", id + "__w_scales"}, {n.outputs[0]}, n.name, kMs);
    q.attributes = {make_int_attr("K", K), make_int_attr("N", N), make_int_attr("bits", 4), make_int_attr("block_size", bs)};
    m.graph.nodes.push_back(q);
  }
  ModelDef e = m;
  finish_models(std::move(m), std::move(e));
}

void ModelQuantizer::finish_models(ModelDef qop, ModelDef exp) {
  drop_unused_initializers(qop);  // the float weights the int8 ones replaced
  qop_bytes_ = onnx::encode_model(qop);
  if (trial_) {  // the quantized model alone, to measure it
    qdq_bytes_.clear();
    report_bytes_.clear();
    rmodel_.reset();
    try {
      qmodel_ = rt::Model::load(qop_bytes_.data(), qop_bytes_.size());
    } catch (const Error& e) {
      qmodel_.reset();
      load_error_ = std::string("wasmq's runtime cannot run the quantized model yet: ") + e.what();
    }
    return;
  }
  drop_unused_initializers(exp);
  qdq_bytes_ = onnx::encode_model(exp);
  // The report model: the QOperator model with each quantized node's output as an extra, streamed
  // output (static: its 8-bit codes, dequantized with the row's parameters when compared).
  ModelDef rep = std::move(qop);
  const size_t base = rep.graph.outputs.size();
  for (const ReportRow& r : rows_) {
    onnx::ValueInfoDef v;
    if (opt_.mode == Mode::kStatic) {
      v.name = r.output + "__q";
      v.dtype = int16_.count(r.output) ? ElemType::kInt16 : opt_.activation_dtype == DType::kUInt8 ? ElemType::kUInt8 : ElemType::kInt8;
    } else {
      v.name = r.output + "__report";
      v.dtype = ElemType::kFloat;
      rep.graph.nodes.push_back(make_node("Identity", {r.output}, {v.name}, v.name));
    }
    rep.graph.outputs.push_back(v);
  }
  report_bytes_ = onnx::encode_model(rep);
  // The quantized model itself is loaded when first asked for (quantized_model()): during the
  // report pass only the report model, which has the same ops, needs to be in memory.
  qmodel_.reset();
  try {
    rmodel_ = rt::Model::load(std::move(rep));
    row_out_.assign(rows_.size(), RowOutput{});
    std::vector<size_t> streamed;
    for (size_t i = 0; i < rows_.size(); ++i) streamed.push_back(base + i);
    rmodel_->stream_outputs(streamed, [this, base](size_t i, const rt::Tensor& t) {
      RowOutput& o = row_out_[i - base];
      o.dtype = t.dtype;
      o.numel = t.numel();
      o.bytes.assign(static_cast<const uint8_t*>(t.data), static_cast<const uint8_t*>(t.data) + t.bytes());
      o.seen = true;
    });
  } catch (const Error& e) {
    qmodel_.reset();
    rmodel_.reset();
    load_error_ = std::string("wasmq's runtime cannot run the quantized model yet: ") + e.what();
  }
}

void ModelQuantizer::compare_runs() {
  WASMQ_CHECK(!released_, "quantizeModel: the calibration state was released (the report pass is over)");
  WASMQ_CHECK(rmodel_ != nullptr, load_error_.empty() ? "quantizeModel: not converted" : load_error_);
  for (RowOutput& o : row_out_) o.seen = false;
  rmodel_->run();
  {
    ScopedSet<FloatTap> tap(float_tap_, FloatTap::kCompare);
    float_model_->run();
  }
  for (size_t i = 0; i < num_outputs_; ++i) {  // the model's own outputs
    const rt::Tensor& ref = float_model_->output(i);
    for (size_t r : rows_of_output_[i]) compare_row(r, ref);
    if (i >= rmodel_->outputs().size() - rows_.size()) continue;
    const rt::Tensor& got = rmodel_->output(i);
    if (ref.dtype != ElemType::kFloat || got.dtype != ElemType::kFloat || ref.numel() != got.numel()) continue;
    const float* a = ref.as<float>();
    const float* b = got.as<float>();
    for (size_t j = 0; j < ref.numel(); ++j) {
      out_ref_energy_ += static_cast<double>(a[j]) * a[j];
      out_err_energy_ += (static_cast<double>(a[j]) - b[j]) * (static_cast<double>(a[j]) - b[j]);
    }
  }
}

void ModelQuantizer::compare_row(size_t row, const rt::Tensor& ref) {
  ReportRow& r = rows_[row];
  const RowOutput& o = row_out_[row];
  WASMQ_CHECK(o.seen, "quantizeModel: report tensor '" + r.output + "' was not produced by the quantized run");
  WASMQ_CHECK(ref.dtype == ElemType::kFloat && ref.numel() == o.numel,
              "quantizeModel: report tensor '" + r.output + "' differs in size between the float and quantized runs");
  const float* a = ref.as<float>();
  // The quantized value as DequantizeLinear gives it: float(q - zero_point) * scale.
  auto got = [&](size_t j) -> float {
    switch (o.dtype) {
      case ElemType::kInt8: return static_cast<float>(static_cast<int32_t>(reinterpret_cast<const int8_t*>(o.bytes.data())[j]) - r.zero_point) * r.scale;
      case ElemType::kUInt8: return static_cast<float>(static_cast<int32_t>(o.bytes[j]) - r.zero_point) * r.scale;
      case ElemType::kInt16: {
        int16_t q;
        std::memcpy(&q, o.bytes.data() + 2 * j, 2);
        return static_cast<float>(static_cast<int32_t>(q) - r.zero_point) * r.scale;
      }
      default: return reinterpret_cast<const float*>(o.bytes.data())[j];
    }
  };
  WASMQ_CHECK(o.dtype == ElemType::kInt8 || o.dtype == ElemType::kUInt8 || o.dtype == ElemType::kInt16 || o.dtype == ElemType::kFloat,
              "quantizeModel: report tensor '" + r.output + "' has an unexpected element type");
  // A hard-swish input is compared above -3: below it every value means the same (0 after it).
  const double lo = hardswish_inputs_.count(r.output) ? -3.0 : -HUGE_VAL;
  for (size_t j = 0; j < o.numel; ++j) {
    const double x = std::max<double>(a[j], lo), y = std::max<double>(got(j), lo);
    r.ref_energy += x * x;
    r.err_energy += (x - y) * (x - y);
  }
  r.output_sqnr_db = sqnr_db(r.ref_energy, r.err_energy);
}

}  // namespace wasmq::quantize
