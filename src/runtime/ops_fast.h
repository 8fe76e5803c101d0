// Shared base of the fast ops (ops_fast_*.cc): a fast path for the cases the SIMD kernels cover and
// the node's reference op (which also validates shapes and infers outputs) for everything else.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "runtime/op.h"

namespace wasmq::rt {

// Attribute that the load-time fusion (fuse.cc) adds to a Conv whose Relu/Clip it absorbed:
// FLOATS [min, max], the output clamp.
inline const char* kFusedClipAttr = "wasmq_fused_clip";

class FastOp : public Op {
 public:
  explicit FastOp(const OpContext& c) : ref_(create_reference_op(c.node(), c.opset())) {}

  void infer(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    ref_->infer(in, out);  // checks and output shapes: the reference op's, exactly
    fast_ = infer_fast(in, out);
  }
  void prepare(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    if (fast_) {
      prepare_fast(in, out);
    } else {
      ref_->prepare(in, out);
    }
  }
  void run(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    if (fast_) {
      run_fast(in, out);
    } else {
      ref_->run(in, out);
      after_reference(in, out);
    }
  }
  std::vector<int> value_inputs() const override { return ref_->value_inputs(); }
  bool uses_fast_path() const { return fast_; }  // for tests: the last plan's choice

 protected:
  // Called after the reference infer; returns true when the fast path handles this plan.
  virtual bool infer_fast(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) = 0;
  virtual void prepare_fast(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) {}
  virtual void run_fast(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) = 0;
  // Epilogue for the reference path (a fused clamp the reference op does not know about).
  virtual void after_reference(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) {}

  std::unique_ptr<Op> ref_;
  bool fast_ = false;
};

// Fast-op families, registered by register_fast_ops (ops_fast_conv.cc).
void register_fast_conv_ops(OpRegistry& r);
void register_fast_gemm_ops(OpRegistry& r);
void register_fast_unary_ops(OpRegistry& r);
void register_fast_binary_ops(OpRegistry& r);
void register_fast_resize_ops(OpRegistry& r);
void register_fast_pool_ops(OpRegistry& r);
void register_fast_transpose_ops(OpRegistry& r);

}  // namespace wasmq::rt
