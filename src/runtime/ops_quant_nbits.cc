// com.microsoft MatMulNBits (bits = 4): float A times block-quantized 4-bit B, on the qs4 kernels
// (block a multiple of 32) or on dequantized float weights through the f32 GEMM (block 16).
#include <algorithm>
#include <cmath>
#include <cstring>

#include "kernels/f32-gemm/f32-gemm.h"
#include "kernels/qs4-gemm/qs4-gemm.h"
#include "runtime/quant_common.h"

namespace wasmq::rt {
namespace {

// Y[m][n] = sum_k A[m][k] * (u[n][k] - zp[n][b]) * scale[n][b] (+ bias[n]), b = k / block.
// u: the unsigned nibbles of B [N][n_blocks][block / 2], low nibble first. zp: default 8; uint8
// zero points are packed nibbles [N][ceil(n_blocks / 2)]; float zero points are [N][n_blocks].
class MatMulNBitsOp : public Op {
 public:
  explicit MatMulNBitsOp(const OpContext& c)
      : k_(c.get_int("K", -1)), n_(c.get_int("N", -1)), bits_(c.get_int("bits", 4)), block_(c.get_int("block_size", -1)) {
    c.check_inputs(3, 6);
    if (k_ < 1 || n_ < 1) c.error("attributes K and N are required and must be positive");
    if (bits_ != 4) c.error("bits=" + std::to_string(bits_) + " is not supported (only 4)");
    if (block_ < 16 || (block_ & (block_ - 1)) != 0) c.error("block_size must be a power of two >= 16 (got " + std::to_string(block_) + ")");
    if (c.has_input(4)) c.error("input g_idx (act_order) is not supported");
    nb_ = (static_cast<size_t>(k_) + static_cast<size_t>(block_) - 1) / static_cast<size_t>(block_);
  }
  void infer(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const Tensor *a = in[0], *b = in[1], *s = in[2];
    if (a->dtype != ElemType::kFloat) error("A must be FLOAT (FLOAT16 is not supported)");
    if (a->shape.empty() || a->shape.back() != k_) error("A " + shape_str(a->shape) + " must end in K = " + std::to_string(k_));
    if (b->dtype != ElemType::kUInt8 || b->numel() != static_cast<size_t>(n_) * nb_ * static_cast<size_t>(block_ / 2)) {
      error("B must be UINT8 [N, n_blocks, block_size / 2] = [" + std::to_string(n_) + ", " + std::to_string(nb_) + ", " +
            std::to_string(block_ / 2) + "]");
    }
    if (s->dtype != ElemType::kFloat || s->numel() != static_cast<size_t>(n_) * nb_) error("scales must be FLOAT with N * n_blocks values");
    const Tensor* zp = in.size() > 3 ? in[3] : nullptr;
    if (zp) {
      if (zp->dtype == ElemType::kUInt8) {
        if (zp->numel() != static_cast<size_t>(n_) * ((nb_ + 1) / 2)) error("uint8 zero_points must hold N * ceil(n_blocks / 2) packed bytes");
      } else if (zp->dtype == ElemType::kFloat) {
        if (zp->numel() != static_cast<size_t>(n_) * nb_) error("float zero_points must have N * n_blocks values");
      } else {
        error("zero_points must be UINT8 (packed nibbles) or FLOAT");
      }
    }
    const Tensor* bias = in.size() > 5 ? in[5] : nullptr;
    if (bias && (bias->dtype != ElemType::kFloat || bias->numel() != static_cast<size_t>(n_))) error("bias must be FLOAT [N]");
    out[0]->dtype = ElemType::kFloat;
    out[0]->shape = a->shape;
    out[0]->shape.back() = n_;
  }
  void prepare(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const size_t m = in[0]->numel() / static_cast<size_t>(k_);
    if (block_ % 32 == 0) bsum_.assign(m * nb_, 0.0f);
    packed_ok_ = false;
    consts_ = true;
    for (size_t i = 1; i < in.size(); ++i) if (in[i] && !in[i]->data) consts_ = false;
    if (consts_) pack(in);
  }
  void run(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    if (!consts_ || !packed_ok_) pack(in);
    const size_t K = static_cast<size_t>(k_), N = static_cast<size_t>(n_), bl = static_cast<size_t>(block_);
    const size_t m = in[0]->numel() / K;
    const float* a = in[0]->as<const float>();
    float* y = out[0]->as<float>();
    if (m == 0) return;
    if (bl % 32 != 0) {
      const F32GemmConfig& cfg = f32_gemm_config();
      F32GemmParams p{-3.402823466e38f, 3.402823466e38f};
      cfg.gemm(0, m, 0, N, K, a, K, fpacked_.data(), y, N, p);
      return;
    }
    const Qs4GemmConfig& cfg = qs4_gemm_config();
    Qs4Params p;  // bias added after the zero-point correction
    (m == 1 ? cfg.f32_gemv : cfg.f32_gemm)(0, m, 0, N, K, bl, a, K, packed_.data(), y, N, p);
    if (has_corr_) {
      if (bsum_.size() < m * nb_) bsum_.resize(m * nb_);
      for (size_t r = 0; r < m; ++r)
        for (size_t b = 0; b < nb_; ++b) {
          float s = 0.0f;
          for (size_t k = b * bl; k < std::min(K, (b + 1) * bl); ++k) s += a[r * K + k];
          bsum_[r * nb_ + b] = s;
        }
      for (size_t r = 0; r < m; ++r)
        for (size_t j = 0; j < N; ++j) {
          float acc = 0.0f;
          for (size_t b = 0; b < nb_; ++b) acc += corr_[j * nb_ + b] * bsum_[r * nb_ + b];
          y[r * N + j] += acc;
        }
    }
    if (!bias_.empty())
      for (size_t r = 0; r < m; ++r)
        for (size_t j = 0; j < N; ++j) y[r * N + j] += bias_[j];
  }

 private:
  float zero_point(const Tensor* zp, size_t j, size_t b) const {
    if (!zp) return 8.0f;
    if (zp->dtype == ElemType::kFloat) return zp->as<const float>()[j * nb_ + b];
    const uint8_t byte = zp->as<const uint8_t>()[j * ((nb_ + 1) / 2) + b / 2];
    return static_cast<float>(b % 2 ? byte >> 4 : byte & 15);
  }

  void pack(const std::vector<const Tensor*>& in) {
    const size_t K = static_cast<size_t>(k_), N = static_cast<size_t>(n_), bl = static_cast<size_t>(block_);
    const uint8_t* blob = in[1]->as<const uint8_t>();
    const float* sc = in[2]->as<const float>();
    const Tensor* zp = in.size() > 3 ? in[3] : nullptr;
    const Tensor* bias = in.size() > 5 ? in[5] : nullptr;
    if (bl % 32 == 0) {
      packed_.assign(qs4_packw_size(N, K, bl), 0);
      qs4_packw_onnx(N, K, bl, blob, sc, packed_.data());
      corr_.assign(N * nb_, 0.0f);
      has_corr_ = false;
      for (size_t j = 0; j < N; ++j)
        for (size_t b = 0; b < nb_; ++b) {
          // (u - zp) * s = (u - 8) * s + (8 - zp) * s
          const float c = (8.0f - zero_point(zp, j, b)) * sc[j * nb_ + b];
          corr_[j * nb_ + b] = c;
          if (c != 0.0f) has_corr_ = true;
        }
      bias_.assign(bias ? bias->as<const float>() : nullptr, bias ? bias->as<const float>() + N : nullptr);
    } else {
      std::vector<float> w(N * K);
      for (size_t j = 0; j < N; ++j)
        for (size_t k = 0; k < K; ++k) {
          const size_t b = k / bl, i = k % bl;
          const uint8_t byte = blob[(j * nb_ + b) * (bl / 2) + i / 2];
          const float u = static_cast<float>(i % 2 ? byte >> 4 : byte & 15);
          w[j * K + k] = (u - zero_point(zp, j, b)) * sc[j * nb_ + b];
        }
      fpacked_.assign(f32_packw_size(N, K), 0.0f);
      f32_packw(N, K, w.data(), K, 1, bias ? bias->as<const float>() : nullptr, fpacked_.data());
    }
    packed_ok_ = true;
  }

  int64_t k_, n_, bits_, block_;
  size_t nb_;
  bool consts_ = false, packed_ok_ = false, has_corr_ = false;
  std::vector<uint8_t> packed_;
  std::vector<float> fpacked_, corr_, bsum_, bias_;
};

}  // namespace

void register_quant_nbits_ops(OpRegistry& r) {
  add_op(r, "com.microsoft:MatMulNBits", [](const OpContext& c) -> std::unique_ptr<Op> { return std::make_unique<MatMulNBitsOp>(c); });
}

}  // namespace wasmq::rt
