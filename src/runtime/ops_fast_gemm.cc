// Fast float Gemm and MatMul on the f32 GEMM kernel: a constant B is packed once (alpha folded in,
// a row-broadcast C as the packed bias), a non-constant B is packed per run into planned scratch.
#include <algorithm>
#include <cstring>
#include <limits>

#include "kernels/f32-gemm/f32-gemm.h"
#include "runtime/ops_fast.h"

namespace wasmq::rt {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

// Writes bias entries (lane j of group g = column g*8+j) of a packed B.
void set_packed_bias(float* packed, size_t n, size_t k, const float* bias, float scale, size_t bias_stride) {
  const size_t gsz = kF32GemmNR * (k + 1);
  for (size_t j = 0; j < n; ++j) packed[(j / kF32GemmNR) * gsz + j % kF32GemmNR] = bias ? scale * bias[j * bias_stride] : 0.0f;
}

class FastGemmOp : public FastOp {
 public:
  explicit FastGemmOp(const OpContext& c)
      : FastOp(c), trans_a_(c.get_int("transA", 0) != 0), trans_b_(c.get_int("transB", 0) != 0),
        alpha_(c.get_float("alpha", 1.0f)), beta_(c.get_float("beta", 1.0f)) {}

 protected:
  bool infer_fast(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const Tensor *a = in[0], *b = in[1], *cc = in.size() > 2 ? in[2] : nullptr;
    m_ = out[0]->shape[0];
    n_ = out[0]->shape[1];
    k_ = trans_a_ ? a->shape[0] : a->shape[1];
    const_b_ = b->data != nullptr;
    c_mode_ = kNone;
    if (cc && beta_ != 0.0f) {
      const Shape& s = cc->shape;
      const int64_t rows = s.size() == 2 ? s[0] : 1, cols = s.empty() ? 1 : s.back();
      c_mode_ = rows == 1 ? kRow : kFull;  // kRow: C is the packed bias (stride 0 for one column)
      c_col_stride_ = cols == 1 ? 0 : 1;
      c_row_stride_ = rows == 1 ? 0 : cols;
    }
    return true;
  }
  void prepare_fast(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const size_t sz = f32_packw_size(n_, k_);
    if (const_b_) {
      const float* b = in[1]->as<const float>();
      if (b != packed_from_ || packed_.size() != sz) {
        packed_.assign(sz, 0.0f);
        pack_b(b);
        packed_from_ = b;
      }
    } else if (packed_.size() < sz) {
      packed_.assign(sz, 0.0f);
      packed_from_ = nullptr;
    }
    if (trans_a_ && at_.size() < static_cast<size_t>(m_ * k_)) at_.assign(m_ * k_, 0.0f);
  }
  void run_fast(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const float* a = in[0]->as<const float>();
    const Tensor* cc = in.size() > 2 ? in[2] : nullptr;
    float* y = out[0]->as<float>();
    if (!const_b_) pack_b(in[1]->as<const float>());
    set_packed_bias(packed_.data(), n_, k_, c_mode_ == kRow ? cc->as<const float>() : nullptr, beta_, c_col_stride_);
    if (trans_a_) {
      for (int64_t i = 0; i < m_; ++i)
        for (int64_t p = 0; p < k_; ++p) at_[i * k_ + p] = a[p * m_ + i];
      a = at_.data();
    }
    f32_gemm_config().gemm(0, m_, 0, n_, k_, a, k_, packed_.data(), y, n_, F32GemmParams{-kInf, kInf});
    if (c_mode_ == kFull) {
      const float* c = cc->as<const float>();
      for (int64_t i = 0; i < m_; ++i)
        for (int64_t j = 0; j < n_; ++j) y[i * n_ + j] += beta_ * c[i * c_row_stride_ + j * c_col_stride_];
    }
  }

 private:
  void pack_b(const float* b) {
    // B[k][n] (or [n][k] with transB) as the packed W[n][k]; alpha folded into the weights.
    f32_packw(n_, k_, b, trans_b_ ? k_ : 1, trans_b_ ? 1 : n_, nullptr, packed_.data());
    if (alpha_ != 1.0f) {
      for (float& v : packed_) v *= alpha_;
    }
  }
  enum CMode { kNone, kRow, kFull };
  bool trans_a_, trans_b_;
  float alpha_, beta_;
  int64_t m_ = 0, n_ = 0, k_ = 0;
  bool const_b_ = false;
  CMode c_mode_ = kNone;
  int64_t c_row_stride_ = 0, c_col_stride_ = 0;
  std::vector<float> packed_, at_;
  const float* packed_from_ = nullptr;
};

class FastMatMulOp : public FastOp {
 public:
  explicit FastMatMulOp(const OpContext& c) : FastOp(c) {}

 protected:
  bool infer_fast(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    if (in[0]->dtype != ElemType::kFloat) return false;
    Shape a = in[0]->shape, b = in[1]->shape;
    if (a.size() == 1) a.insert(a.begin(), 1);
    if (b.size() == 1) b.push_back(1);
    m_ = a[a.size() - 2];
    k_ = a.back();
    n_ = b.back();
    a_batch_ = Shape(a.begin(), a.end() - 2);
    b_batch_ = Shape(b.begin(), b.end() - 2);
    batch_ = broadcast_shapes(a_batch_, b_batch_, label);
    // B without batch dims: one GEMM over all rows of A (A's batch folded into M).
    flat_ = numel_of(b_batch_) == 1 && numel_of(a_batch_) == numel_of(batch_);
    const_b_ = flat_ && in[1]->data != nullptr;
    return true;
  }
  void prepare_fast(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const size_t sz = f32_packw_size(n_, k_);
    if (const_b_) {
      const float* b = in[1]->as<const float>();
      if (b != packed_from_ || packed_.size() != sz) {
        packed_.assign(sz, 0.0f);
        f32_packw(n_, k_, b, 1, n_, nullptr, packed_.data());
        packed_from_ = b;
      }
    } else if (packed_.size() < sz) {
      packed_.assign(sz, 0.0f);
      packed_from_ = nullptr;
    }
  }
  void run_fast(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const float* a = in[0]->as<const float>();
    const float* b = in[1]->as<const float>();
    float* y = out[0]->as<float>();
    const f32_gemm_fn gemm = f32_gemm_config().gemm;
    const F32GemmParams p{-kInf, kInf};
    if (flat_) {
      if (!const_b_) f32_packw(n_, k_, b, 1, n_, nullptr, packed_.data());
      gemm(0, numel_of(a_batch_) * m_, 0, n_, k_, a, k_, packed_.data(), y, n_, p);
      return;
    }
    const size_t r = batch_.size(), nb = numel_of(batch_);
    int64_t idx[onnx::kMaxRank] = {};
    for (size_t bi = 0; bi < nb; ++bi) {
      int64_t ao = 0, bo = 0, am = 1, bm = 1;  // batch offsets with broadcasting (as the reference)
      for (size_t d = r; d-- > 0;) {
        if (d >= r - a_batch_.size()) {
          const size_t da = d + a_batch_.size() - r;
          if (a_batch_[da] != 1) ao += idx[d] * am;
          am *= a_batch_[da];
        }
        if (d >= r - b_batch_.size()) {
          const size_t db = d + b_batch_.size() - r;
          if (b_batch_[db] != 1) bo += idx[d] * bm;
          bm *= b_batch_[db];
        }
      }
      f32_packw(n_, k_, b + bo * k_ * n_, 1, n_, nullptr, packed_.data());
      gemm(0, m_, 0, n_, k_, a + ao * m_ * k_, k_, packed_.data(), y + bi * m_ * n_, n_, p);
      for (size_t d = r; d-- > 0;) {
        if (++idx[d] < batch_[d]) break;
        idx[d] = 0;
      }
    }
  }

 private:
  int64_t m_ = 0, k_ = 0, n_ = 0;
  Shape batch_, a_batch_, b_batch_;
  bool flat_ = false, const_b_ = false;
  std::vector<float> packed_;
  const float* packed_from_ = nullptr;
};

}  // namespace

void register_fast_gemm_ops(OpRegistry& r) {
  add_op(r, "Gemm", [](const OpContext& c) -> std::unique_ptr<Op> { return std::make_unique<FastGemmOp>(c); });
  add_op(r, "MatMul", [](const OpContext& c) -> std::unique_ptr<Op> { return std::make_unique<FastMatMulOp>(c); });
}

}  // namespace wasmq::rt
