// Embind layer of model quantization (src/quantize/quantizer.h): a QuantizerHandle whose methods
// return { error } instead of throwing. JS stages feeds into the float (calibration) model, the
// report model and the quantized model through pointers, as for ModelHandle.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <cmath>
#include <memory>
#include <new>
#include <string>

#include "embind_util.h"
#include "quantize/quantizer.h"

using emscripten::val;
namespace qz = wasmq::quantize;

namespace {


val num(double v) { return std::isfinite(v) ? val(v) : (std::isnan(v) ? val::null() : val(v)); }

val outputs_of(wasmq::rt::Model& m, size_t count) {
  val outs = val::array();
  for (size_t i = 0; i < count; ++i) {
    const wasmq::rt::Tensor& t = m.output(i);
    val o = val::object();
    o.set("ptr", static_cast<double>(reinterpret_cast<uintptr_t>(t.data)));
    val dims = val::array();
    for (size_t d = 0; d < t.shape.size(); ++d) dims.set(d, static_cast<double>(t.shape[d]));
    o.set("dims", dims);
    o.set("dtype", std::string(wasmq::onnx::elem_js_name(t.dtype)));
    outs.set(i, o);
  }
  return outs;
}

class QuantizerHandle {
 public:
  // bytes in wasm memory; options: { mode, activationDtype, calibration, percentile, bins, blockSize, exclude[] }
  val create(uintptr_t ptr, size_t size, val o) {
    return wasmq::bind::guarded([&] {
      qz::Options opt;
      opt.mode = qz::parse_mode(o["mode"].as<std::string>());
      opt.activation_dtype = wasmq::parse_dtype(o["activationDtype"].as<std::string>());
      if (o.hasOwnProperty("int16")) opt.int16 = qz::parse_int16(o["int16"].as<std::string>());
      const std::string cal = o["calibration"].as<std::string>();
      if (cal == "auto") {  // observe with each candidate at once; JS tries them (selectCalibration)
        // Not entropy: its KL search costs ~20 ms per tensor (3 s on ppocr-cls's 137) and it was
        // never the best on the fixture models (docs/quantize-model.md).
        opt.candidates = {wasmq::Calibration::kMinMax, wasmq::Calibration::kPercentile, wasmq::Calibration::kMse};
        opt.calibration = wasmq::Calibration::kMinMax;
      } else {
        opt.calibration = wasmq::parse_calibration(cal);
      }
      opt.observer.percentile = o["percentile"].as<double>();
      opt.observer.bins = o["bins"].as<int>();
      opt.block_size = o["blockSize"].as<int>();
      const val ex = o["exclude"];
      for (size_t i = 0, n = ex["length"].as<size_t>(); i < n; ++i) opt.exclude.insert(ex[i].as<std::string>());
      q_ = std::make_unique<qz::ModelQuantizer>(reinterpret_cast<const uint8_t*>(ptr), size, opt);
      const qz::PassStats& s = q_->pass_stats();
      val st = val::object();
      st.set("constants", s.constants);
      st.set("upgraded", s.upgraded);
      st.set("bnFolded", s.bn_folded);
      st.set("gemmSplit", s.gemm_split);
      st.set("divToMul", s.div_to_mul);
      st.set("affineFolded", s.affine_folded);
      val r = val::object();
      r.set("passes", st);
      r.set("nodes", static_cast<double>(q_->report().size()));
      return r;
    });
  }

  // which: 0 float (calibration) model, 1 report model, 2 quantized model.
  val stage(int which, size_t index, const std::string& dtype, val dims_js) {
    return wasmq::bind::guarded([&] {
      wasmq::rt::Model& m = model(which);
      const size_t rank = dims_js["length"].as<size_t>();
      dims_.resize(rank);
      for (size_t i = 0; i < rank; ++i) dims_[i] = static_cast<int64_t>(dims_js[i].as<double>());
      void* p = m.stage_input(index, wasmq::bind::parse_elem_type(dtype), dims_);
      val r = val::object();
      r.set("ptr", static_cast<double>(reinterpret_cast<uintptr_t>(p)));
      return r;
    });
  }

  // Runs the float model on the staged feed, streaming its tensors into the observers.
  val observe() {
    return wasmq::bind::guarded([&] {
      check();
      q_->observe_run();
      val r = val::object();
      r.set("batches", static_cast<double>(q_->batches_observed()));
      return r;
    });
  }

  val convert() {
    return wasmq::bind::guarded([&] {
      check();
      q_->convert();
      val r = val::object();
      r.set("loadError", q_->load_error());
      return r;
    });
  }

  // Runs the float (calibration) model on the staged feed without observing it.
  val runFloat() {
    return wasmq::bind::guarded([&] {
      check();
      q_->float_model().run();
      return val::object();
    });
  }

  // The model's own outputs of the last float (calibration) run: [{ ptr, dims, dtype }].
  val floatOutputs() {
    return wasmq::bind::guarded([&] {
      check();
      return outputs_of(q_->float_model(), q_->num_model_outputs());
    });
  }

  // Rebuilds the quantized models from another observed calibration (calibration 'auto').
  // trial: the quantized model only (to measure it), no report model or export.
  val selectCalibration(const std::string& name, bool trial) {
    return wasmq::bind::guarded([&] {
      check();
      q_->select_calibration(wasmq::parse_calibration(name), trial);
      val r = val::object();
      r.set("loadError", q_->load_error());
      return r;
    });
  }

  // Runs the report and the float models on their staged feeds and accumulates per-node SQNR;
  // returns the SQNR of the model's outputs over the feeds compared so far.
  val compare() {
    return wasmq::bind::guarded([&] {
      check();
      q_->compare_runs();
      val r = val::object();
      r.set("outputSqnrDb", q_->output_sqnr_db());
      return r;
    });
  }

  val run() {
    return wasmq::bind::guarded([&] {
      wasmq::rt::Model& m = model(2);
      m.run();
      return outputs_of(m, m.outputs().size());
    });
  }

  val io(int which) {
    return wasmq::bind::guarded([&] {
      wasmq::rt::Model& m = model(which);
      val r = val::object();
      val ins = val::array(), outs = val::array(), dyn = val::array();
      for (size_t i = 0; i < m.inputs().size(); ++i) {
        const wasmq::rt::IoInfo& in = m.inputs()[i];
        ins.set(i, in.name);
        dyn.set(i, in.has_shape && !in.dims.empty() && in.dims[0] < 0);  // a dynamic first (batch) dimension
      }
      r.set("dynamicBatch", dyn);
      const size_t n = which == 0 ? q_->num_model_outputs() : m.outputs().size();
      for (size_t i = 0; i < n; ++i) outs.set(i, m.outputs()[i].name);
      r.set("inputs", ins);
      r.set("outputs", outs);
      return r;
    });
  }

  val report() {
    return wasmq::bind::guarded([&] {
      check();
      val a = val::array();
      const auto& rows = q_->report();
      for (size_t i = 0; i < rows.size(); ++i) {
        const qz::ReportRow& r = rows[i];
        val o = val::object();
        o.set("node", r.node);
        o.set("op", r.op);
        o.set("qop", r.qop);
        o.set("output", r.output);
        o.set("outputSqnrDb", num(r.output_sqnr_db));
        o.set("weightSqnrDb", num(r.weight_sqnr_db));
        o.set("scale", r.has_qparams ? val(r.scale) : val::null());
        o.set("zeroPoint", r.has_qparams ? val(r.zero_point) : val::null());
        o.set("dtype", r.has_qparams ? val(std::string(r.dtype)) : val::null());
        a.set(i, o);
      }
      return a;
    });
  }

  // The end of quantizeModel: frees the float model, the observers and the report model.
  val releaseCalibration() {
    return wasmq::bind::guarded([&] {
      check();
      q_->release_calibration();
      return val::object();
    });
  }

  // form: "export" (QDQ for static), "qoperator", "report"
  val bytes(const std::string& form) {
    return wasmq::bind::guarded([&] {
      check();
      WASMQ_CHECK(q_->converted(), "the model is not converted yet");
      const std::vector<uint8_t>& b = form == "qoperator" ? q_->qoperator_bytes()
                                      : form == "report"  ? q_->report_model_bytes()
                                                          : q_->export_bytes();
      val r = val::object();
      r.set("bytes", val::global("Uint8Array").new_(emscripten::typed_memory_view(b.size(), b.data())).call<val>("slice"));
      return r;
    });
  }

 private:
  void check() { WASMQ_CHECK(q_ != nullptr, "the quantizer is not created"); }
  wasmq::rt::Model& model(int which) {
    check();
    if (which == 0) return q_->float_model();
    wasmq::rt::Model* m = which == 1 ? q_->report_model() : q_->quantized_model();
    WASMQ_CHECK(q_->converted(), "the model is not converted yet");
    WASMQ_CHECK(which != 1 || !q_->released(), "the report pass is over (its model was released)");
    WASMQ_CHECK(m != nullptr, q_->load_error());
    return *m;
  }
  std::unique_ptr<qz::ModelQuantizer> q_;
  wasmq::rt::Shape dims_;
};

}  // namespace

EMSCRIPTEN_BINDINGS(wasmq_quantize) {
  emscripten::class_<QuantizerHandle>("QuantizerHandle")
      .constructor<>()
      .function("create", &QuantizerHandle::create)
      .function("stage", &QuantizerHandle::stage)
      .function("observe", &QuantizerHandle::observe)
      .function("convert", &QuantizerHandle::convert)
      .function("compare", &QuantizerHandle::compare)
      .function("selectCalibration", &QuantizerHandle::selectCalibration)
      .function("releaseCalibration", &QuantizerHandle::releaseCalibration)
      .function("floatOutputs", &QuantizerHandle::floatOutputs)
      .function("runFloat", &QuantizerHandle::runFloat)
      .function("run", &QuantizerHandle::run)
      .function("io", &QuantizerHandle::io)
      .function("report", &QuantizerHandle::report)
      .function("bytes", &QuantizerHandle::bytes);
}
