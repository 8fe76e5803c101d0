// Post-training quantization of an ONNX model as a rewrite of its decoded ModelDef: calibration
// through the float runtime (observers on intermediate tensors), a QOperator model for wasmq's
// runtime (static, dynamic or weight-only int4), a QDQ export for other runtimes, a per-node report.
#pragma once

#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "onnx/onnx_model.h"
#include "quant/observers.h"
#include "quantize/graph_passes.h"
#include "runtime/model.h"

namespace wasmq::quantize {

enum class Mode { kDynamic, kStatic, kWeightOnly };
Mode parse_mode(const std::string& s);  // "dynamic" | "static" | "weight-only"
// Static int8: which activations get symmetric int16 codes instead (A16W8 mixed precision).
//   kConvInputs: every quantized Conv / Add / Mul output (no fused activation but Relu) whose
//   consumers are all quantized Convs, when each consumer's int32 sums provably fit (32768 * sum |w|
//   + |bias| < 2^31 per output channel); and every Conv output read only by a hard-swish chain.
enum class Int16Activations { kNone, kConvInputs };
Int16Activations parse_int16(const std::string& s);  // "none" | "conv-inputs"

struct Options {
  Mode mode = Mode::kStatic;
  DType activation_dtype = DType::kInt8;  // static: int8 or uint8
  Int16Activations int16 = Int16Activations::kNone;
  Calibration calibration = Calibration::kMinMax;
  // Static, when not empty: observe with each of these at once (MultiObserver); convert() uses
  // `calibration` and select_calibration() switches (quantizeModel's calibration 'auto').
  std::vector<Calibration> candidates;
  ObserverOptions observer;
  int block_size = 32;                    // weight-only int4
  std::set<std::string> exclude;          // node names kept in float
};

// One quantized node (after fusion) of the report, in graph order.
struct ReportRow {
  std::string node;        // the node's name (or its output's name when unnamed)
  std::string op;          // original op type, "+Relu"/"+Clip" when an activation was fused
  std::string qop;         // the op wasmq runs (QLinearConv, MatMulInteger, MatMulNBits, ...)
  std::string output;      // the float tensor the output SQNR compares against
  double output_sqnr_db = NAN;  // NaN until a report batch ran (or when the output is all zero)
  double weight_sqnr_db = NAN;  // NaN when the node has no constant weight
  bool has_qparams = false;     // dynamic/weight-only: activations have no fixed scale
  float scale = 0.0f;
  int32_t zero_point = 0;
  const char* dtype = "int8";   // static: the output's codes, "int8", "uint8" or "int16"
  double ref_energy = 0.0, err_energy = 0.0;
};

class ModelQuantizer {
 public:
  ModelQuantizer(const uint8_t* data, size_t size, const Options& options);

  const PassStats& pass_stats() const { return stats_; }
  // The float model (after the passes) with every tensor of interest as an extra output.
  rt::Model& float_model();
  size_t num_model_outputs() const { return num_outputs_; }  // the original outputs come first

  // Runs float_model() on its staged feed and streams every observed tensor into the observers
  // as the run produces it (static mode; counts the batch). The observed tensors are streamed
  // outputs (rt::Model::stream_outputs): memory is that of the plain model's run.
  void observe_run();
  size_t batches_observed() const { return batches_; }

  // Builds the quantized models. Static mode needs at least one observed batch.
  void convert();
  bool converted() const { return converted_; }
  // With Options::candidates: rebuilds the quantized models from another observed calibration
  // (one of the candidates) and clears the report's accumulated SQNR. A trial builds only the
  // quantized model (no report model, no export) until the next full build.
  void select_calibration(Calibration kind, bool trial = false);
  Calibration calibration() const { return opt_.calibration; }

  const std::vector<uint8_t>& qoperator_bytes() const { return qop_bytes_; }
  const std::vector<uint8_t>& export_bytes() const { return qdq_bytes_; }  // QDQ (static) / same graph otherwise
  const std::vector<uint8_t>& report_model_bytes() const { return report_bytes_; }

  // The quantized model loaded in wasmq's runtime: null when the runtime lacks an op, with the
  // loader's message in load_error().
  rt::Model* quantized_model();  // loaded on first use after a full build
  rt::Model* report_model() { return rmodel_.get(); }
  const std::string& load_error() const { return load_error_; }

  // Runs report_model() and then float_model() on their staged feeds (the same feed) and
  // accumulates per-node SQNR. The report model's per-node outputs are its 8-bit codes, kept for
  // one feed; the float tensors are compared as the float run produces them.
  void compare_runs();
  // After the report pass: frees what only calibration, 'auto' and the report use (the float model
  // and graph, the observers, the report model). The quantized model, report() and the ONNX bytes
  // stay; calibrating, converting or comparing again is an error that says so.
  void release_calibration();
  bool released() const { return released_; }

  // Computes SQNR of outputs given as float arrays (e.g. from another runtime), by report row.
  const std::vector<ReportRow>& report() const { return rows_; }
  // SQNR of the model's own (float) outputs over the compared runs, all outputs pooled: NaN
  // before a compare, or when no output is float.
  double output_sqnr_db() const;

 private:
  struct Plan;  // per-node decisions
  void plan_nodes();
  void build_calibration_model();
  void build_static();
  bool feeds_only_hardswish(const GraphIndex& g, const std::string& t) const;
  void build_dynamic();
  void build_weight_only();
  void finish_models(onnx::ModelDef qop, onnx::ModelDef exp);
  void on_float_tensor(size_t output, const rt::Tensor& t);  // float_model()'s streamed outputs
  void observe(const std::string& name, const rt::Tensor& t);
  void compare_row(size_t row, const rt::Tensor& ref);

  Options opt_;
  onnx::ModelDef float_;
  PassStats stats_;
  std::unique_ptr<rt::Model> float_model_;
  size_t num_outputs_ = 0;
  std::map<std::string, int> calib_index_;  // tensor -> float_model output index
  std::vector<std::string> calib_name_;     // float_model output index -> observed tensor ("" none)
  std::vector<std::vector<size_t>> rows_of_output_;  // float_model output index -> report rows
  enum class FloatTap { kNone, kObserve, kCompare } float_tap_ = FloatTap::kNone;
  // The report model's per-node outputs of the current compare_runs() feed (8-bit codes in static
  // mode, float otherwise), by report row.
  struct RowOutput {
    onnx::ElemType dtype = onnx::ElemType::kUndefined;
    std::vector<uint8_t> bytes;
    size_t numel = 0;
    bool seen = false;
  };
  std::vector<RowOutput> row_out_;
  std::map<std::string, std::unique_ptr<Observer>> observers_;
  std::map<std::string, onnx::ElemType> dtype_;
  size_t batches_ = 0;
  bool converted_ = false;
  bool trial_ = false;  // select_calibration(.., true): quantized model only
  bool released_ = false;  // release_calibration() ran
  double out_ref_energy_ = 0.0, out_err_energy_ = 0.0;
  std::set<std::string> hardswish_inputs_;  // static: tensors calibrated from -3 (feeds_only_hardswish)
  std::set<std::string> int16_;             // static: activations with int16 codes (Options::int16)
  std::set<std::string> choose_int16(const GraphIndex& g, const std::map<std::string, QParams>& qp16) const;

  // Node decisions, indexed by node position in float_.
  std::vector<int> role_;          // 0 float, 1 quantized, 2 absorbed into its producer
  std::vector<std::string> out_;   // quantized: the (fused) output tensor
  std::vector<std::string> fused_; // quantized: the fused activation op ("" none)
  std::vector<std::string> bias_;  // static MatMul: the constant bias of its absorbed Add ("" none) -> QGemm
  std::map<std::string, int> rank_;  // observed tensor -> rank in calibration (-1 when it varied)

  std::vector<ReportRow> rows_;
  std::vector<uint8_t> qop_bytes_, qdq_bytes_, report_bytes_;
  std::unique_ptr<rt::Model> qmodel_, rmodel_;
  std::string load_error_;
};

// SQNR in dB of approx against ref: 10 log10(sum ref^2 / sum (ref - approx)^2); +inf when exact.
double sqnr_db(double ref_energy, double err_energy);

}  // namespace wasmq::quantize
