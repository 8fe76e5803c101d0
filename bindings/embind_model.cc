// Embind layer of the model runtime (src/runtime/model.h): a ModelHandle class whose methods
// return { error } instead of throwing, so no C++ exception crosses into JS. Model bytes and
// feeds are written by JS straight into wasm memory (malloc'd buffer / staging pointer), and
// outputs are returned as pointers for JS to copy: a run allocates nothing in the wasm heap once
// the plan for its input dims exists.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <malloc.h>

#include <memory>
#include <new>
#include <string>

#include "embind_util.h"
#include "runtime/model.h"

using emscripten::val;

namespace {


val io_list(const std::vector<wasmq::rt::IoInfo>& list) {
  val a = val::array();
  for (size_t i = 0; i < list.size(); ++i) {
    const wasmq::rt::IoInfo& io = list[i];
    val o = val::object();
    o.set("name", io.name);
    o.set("dtype", std::string(io.dtype == wasmq::onnx::ElemType::kUndefined ? "unknown" : wasmq::onnx::elem_js_name(io.dtype)));
    if (io.has_shape) {
      val dims = val::array();
      for (size_t d = 0; d < io.dims.size(); ++d) {
        if (io.dims[d] >= 0) dims.set(d, static_cast<double>(io.dims[d]));
        else dims.set(d, val::null());
      }
      o.set("dims", dims);
    } else {
      o.set("dims", val::null());
    }
    a.set(i, o);
  }
  return a;
}

class ModelHandle {
 public:
  // bytes: [ptr, ptr + size) in wasm memory, owned by the caller.
  val load(uintptr_t ptr, size_t size) {
    return wasmq::bind::guarded([&] {
      model_ = wasmq::rt::Model::load(reinterpret_cast<const uint8_t*>(ptr), size);
      val r = val::object();
      r.set("inputs", io_list(model_->inputs()));
      r.set("outputs", io_list(model_->outputs()));
      return r;
    });
  }

  // Checks a feed and returns { ptr } where JS writes its bytes.
  val stage(size_t index, const std::string& dtype, val dims_js) {
    return wasmq::bind::guarded([&] {
      WASMQ_CHECK(model_ != nullptr, "the model is not loaded");
      const size_t rank = dims_js["length"].as<size_t>();
      dims_.resize(rank);
      for (size_t i = 0; i < rank; ++i) dims_[i] = static_cast<int64_t>(dims_js[i].as<double>());
      void* p = model_->stage_input(index, wasmq::bind::parse_elem_type(dtype), dims_);
      val r = val::object();
      r.set("ptr", static_cast<double>(reinterpret_cast<uintptr_t>(p)));
      return r;
    });
  }

  // Runs; returns [{ ptr, dims, dtype }] per output (data valid until the next call).
  val run() {
    return wasmq::bind::guarded([&] {
      WASMQ_CHECK(model_ != nullptr, "the model is not loaded");
      model_->run();
      val outs = val::array();
      for (size_t i = 0; i < model_->outputs().size(); ++i) {
        const wasmq::rt::Tensor& t = model_->output(i);
        val o = val::object();
        o.set("ptr", static_cast<double>(reinterpret_cast<uintptr_t>(t.data)));
        val dims = val::array();
        for (size_t d = 0; d < t.shape.size(); ++d) dims.set(d, static_cast<double>(t.shape[d]));
        o.set("dims", dims);
        o.set("dtype", std::string(wasmq::onnx::elem_js_name(t.dtype)));
        outs.set(i, o);
      }
      return outs;
    });
  }

  // Opt-in per-step timing (Model::set_profiling); profile() gives [{ node, opType, ms, runs }].
  void set_profiling(bool on) {
    if (model_) model_->set_profiling(on);
  }
  val profile() const {
    val a = val::array();
    if (!model_) return a;
    const auto p = model_->profile();
    for (size_t i = 0; i < p.size(); ++i) {
      val o = val::object();
      o.set("node", p[i].node);
      o.set("opType", p[i].op_type);
      o.set("ms", p[i].ms);
      o.set("runs", static_cast<double>(p[i].runs));
      a.set(i, o);
    }
    return a;
  }

  double arena_bytes() const { return model_ ? static_cast<double>(model_->arena_bytes()) : 0; }
  double plan_count() const { return model_ ? static_cast<double>(model_->plan_count()) : 0; }

 private:
  std::unique_ptr<wasmq::rt::Model> model_;
  wasmq::rt::Shape dims_;
};

// Decodes a TensorProto (e.g. an ONNX test's input_0.pb) into { name, dtype, dims, data }.
val decode_tensor_js(uintptr_t ptr, size_t size) {
  return wasmq::bind::guarded([&] {
    const wasmq::onnx::TensorData t = wasmq::onnx::decode_tensor(reinterpret_cast<const uint8_t*>(ptr), size, "TensorProto");
    val r = val::object();
    r.set("name", t.name);
    r.set("dtype", std::string(wasmq::onnx::elem_js_name(t.dtype)));
    val dims = val::array();
    for (size_t d = 0; d < t.dims.size(); ++d) dims.set(d, static_cast<double>(t.dims[d]));
    r.set("dims", dims);
    r.set("bytes", val::global("Uint8Array").new_(emscripten::typed_memory_view(t.data.size(), t.data.data())));
    return r;
  });
}

// [{ domain, opType }] of a model's top-level nodes (decoding only, no validation).
val op_types_js(uintptr_t ptr, size_t size) {
  return wasmq::bind::guarded([&] {
    const wasmq::onnx::ModelDef m = wasmq::onnx::decode_model(reinterpret_cast<const uint8_t*>(ptr), size);
    val a = val::array();
    for (size_t i = 0; i < m.graph.nodes.size(); ++i) {
      val o = val::object();
      o.set("domain", m.graph.nodes[i].domain);
      o.set("opType", m.graph.nodes[i].op_type);
      a.set(i, o);
    }
    return a;
  });
}

val supported_ops_js() {
  val a = val::array();
  const std::vector<std::string> ops = wasmq::rt::supported_op_types();
  for (size_t i = 0; i < ops.size(); ++i) a.set(i, ops[i]);
  return a;
}

// Bytes of wasm heap in use by malloc (for leak checks).
double heap_in_use() { return static_cast<double>(mallinfo().uordblks); }

}  // namespace

EMSCRIPTEN_BINDINGS(wasmq_model) {
  emscripten::function("modelHeapInUse", &heap_in_use);
  emscripten::function("modelDecodeTensor", &decode_tensor_js);
  emscripten::function("modelOpTypes", &op_types_js);
  emscripten::function("modelSupportedOps", &supported_ops_js);
  emscripten::class_<ModelHandle>("ModelHandle")
      .constructor<>()
      .function("load", &ModelHandle::load)
      .function("stage", &ModelHandle::stage)
      .function("run", &ModelHandle::run)
      .function("setProfiling", &ModelHandle::set_profiling)
      .function("profile", &ModelHandle::profile)
      .function("arenaBytes", &ModelHandle::arena_bytes)
      .function("planCount", &ModelHandle::plan_count);
}
