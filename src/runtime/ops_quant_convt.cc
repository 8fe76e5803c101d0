// com.microsoft QLinearConvTranspose (2-D, NCHW or wasmq_channels_last): kernel == stride without
// pads, dilation or groups as int8 GEMMs per input row (one per kernel row, written straight into
// the NHWC output, or one over all kernel rows when narrow); other geometries by the scalar int32
// col2im reference, which is also the definition of the result.
#include <algorithm>
#include <cstring>

#include "runtime/quant_common.h"

namespace wasmq::rt {
namespace {

using namespace quant;

class QConvTransposeOp : public Op {
 public:
  explicit QConvTransposeOp(const OpContext& c) : channels_last_(c.get_int("wasmq_channels_last", 0) != 0) {
    c.check_inputs(8, 9);
    group_ = c.get_int("group", 1);
    if (group_ < 1) c.error("group must be >= 1");
    const std::string ap = c.get_string("auto_pad", "NOTSET");
    if (ap != "NOTSET" && ap != "VALID") c.error("auto_pad '" + ap + "' is not supported (use explicit pads)");
    if (c.has("output_shape")) c.error("output_shape is not supported (use pads and output_padding)");
    kernel_ = c.get_ints("kernel_shape");
    strides_ = c.get_ints("strides", {1, 1});
    dilations_ = c.get_ints("dilations", {1, 1});
    pads_ = c.get_ints("pads", {0, 0, 0, 0});
    out_pad_ = c.get_ints("output_padding", {0, 0});
    if (ap == "VALID") pads_ = {0, 0, 0, 0};
    if (strides_.size() != 2 || dilations_.size() != 2 || pads_.size() != 4 || out_pad_.size() != 2 ||
        (!kernel_.empty() && kernel_.size() != 2)) {
      c.error("only 2-D ConvTranspose is supported (kernel_shape/strides/dilations: 2 values, pads: 4, output_padding: 2)");
    }
    for (const auto* v : {&kernel_, &pads_, &out_pad_}) {
      for (int64_t x : *v) if (x < 0 || x > (int64_t{1} << 24)) c.error("kernel_shape/pads/output_padding value " + std::to_string(x) + " is out of range");
    }
    for (const auto* v : {&strides_, &dilations_}) {
      for (int64_t x : *v) if (x < 1 || x > (int64_t{1} << 24)) c.error("strides/dilations value " + std::to_string(x) + " is out of range");
    }
    for (size_t i = 0; i < 2; ++i) {
      if (out_pad_[i] >= std::max(strides_[i], dilations_[i])) c.error("output_padding must be smaller than the stride or the dilation");
    }
  }

  void infer(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    static const char* const names[] = {"x", "x_scale", "x_zero_point", "w", "w_scale", "w_zero_point", "y_scale", "y_zero_point"};
    for (size_t i = 0; i < 8; ++i) if (!in[i]) error(std::string(names[i]) + " is missing");
    const Tensor *x = in[0], *w = in[3];
    if (!is_q8(x->dtype)) error("x must be INT8 or UINT8 (got " + onnx::elem_onnx_name(x->dtype) + ")");
    if (!is_q8(w->dtype)) error("w must be INT8 or UINT8 (got " + onnx::elem_onnx_name(w->dtype) + ")");
    if (x->shape.size() != 4 || w->shape.size() != 4) error("only 2-D ConvTranspose is supported (x " + shape_str(x->shape) + ", w " + shape_str(w->shape) + ")");
    const Shape& xs = x->shape;
    n_ = static_cast<size_t>(xs[0]);
    cin_ = static_cast<size_t>(channels_last_ ? xs[3] : xs[1]);
    h_ = static_cast<size_t>(channels_last_ ? xs[1] : xs[2]);
    w_ = static_cast<size_t>(channels_last_ ? xs[2] : xs[3]);
    if (static_cast<size_t>(w->shape[0]) != cin_) error("w " + shape_str(w->shape) + " does not match x's " + std::to_string(cin_) + " channels");
    if (cin_ % static_cast<size_t>(group_) != 0) error("x channels are not divisible by group");
    cout_ = static_cast<size_t>(w->shape[1]) * static_cast<size_t>(group_);
    kh_ = static_cast<size_t>(w->shape[2]);
    kw_ = static_cast<size_t>(w->shape[3]);
    if (kh_ == 0 || kw_ == 0) error("empty kernel");
    if (!kernel_.empty() && (static_cast<size_t>(kernel_[0]) != kh_ || static_cast<size_t>(kernel_[1]) != kw_)) {
      error("kernel_shape does not match w " + shape_str(w->shape));
    }
    const int64_t oh = strides_[0] * (static_cast<int64_t>(h_) - 1) + out_pad_[0] + (static_cast<int64_t>(kh_) - 1) * dilations_[0] + 1 - pads_[0] - pads_[2];
    const int64_t ow = strides_[1] * (static_cast<int64_t>(w_) - 1) + out_pad_[1] + (static_cast<int64_t>(kw_) - 1) * dilations_[1] + 1 - pads_[1] - pads_[3];
    if (h_ == 0 || w_ == 0 || oh < 1 || ow < 1) error("empty input or output (x " + shape_str(xs) + ", pads larger than the output)");
    oh_ = static_cast<size_t>(oh);
    ow_ = static_cast<size_t>(ow);
    check_param_size(*this, in[1]->numel(), in[1]->shape.size(), 1, "x_scale");
    check_param_size(*this, in[2]->numel(), in[2]->shape.size(), 1, "x_zero_point");
    w_scale_per_ch_ = check_param_size(*this, in[4]->numel(), in[4]->shape.size(), cout_, "w_scale");
    w_zp_per_ch_ = check_param_size(*this, in[5]->numel(), in[5]->shape.size(), cout_, "w_zero_point");
    check_param_size(*this, in[6]->numel(), in[6]->shape.size(), 1, "y_scale");
    if (!is_q8(in[7]->dtype)) error("y_zero_point must be INT8 or UINT8");
    const Tensor* b = in.size() > 8 ? in[8] : nullptr;
    if (b && (b->dtype != ElemType::kInt32 || b->numel() != cout_)) error("B must be INT32 of shape [" + std::to_string(cout_) + "]");
    // No overlapping taps: every output pixel is one tap of one input pixel.
    fast_ = group_ == 1 && static_cast<size_t>(strides_[0]) == kh_ && static_cast<size_t>(strides_[1]) == kw_ &&
            dilations_[0] == 1 && dilations_[1] == 1 && out_pad_[0] == 0 && out_pad_[1] == 0 &&
            pads_[0] == 0 && pads_[1] == 0 && pads_[2] == 0 && pads_[3] == 0;
    // One GEMM per kernel row writes NHWC output rows directly; when kW * M is narrow, the GEMM's
    // 4-column tiles are mostly empty (det's last layer: M = 1, kW * M = 2), so one GEMM over all
    // kH * kW * M columns into a row buffer, then a copy per kernel row, does less work.
    const size_t tiles_split = kh_ * ((kw_ * cout_ + 3) / 4), tiles_one = (kh_ * kw_ * cout_ + 3) / 4;
    ngemm_ = fast_ && tiles_one < tiles_split ? 1 : kh_;
    out[0]->dtype = in[7]->dtype;
    out[0]->shape = channels_last_ ? Shape{xs[0], oh, ow, static_cast<int64_t>(cout_)} : Shape{xs[0], static_cast<int64_t>(cout_), oh, ow};
  }

  void prepare(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    xh_.assign(channels_last_ ? 0 : n_ * h_ * w_ * cin_ + 16, 0);
    yh_.assign(channels_last_ ? 0 : n_ * oh_ * ow_ * cout_, 0);
    const size_t ncol = kh_ / ngemm_ * kw_ * cout_;
    acc_.assign(fast_ ? w_ * ncol : n_ * oh_ * ow_ * cout_, 0);
    rowbuf_.assign(fast_ && ngemm_ == 1 && kh_ > 1 ? w_ * ncol : 0, 0);
    weights_const_ = in[3]->data && in[5]->data && (in.size() < 9 || !in[8] || in[8]->data);
    packed_valid_ = false;
    if (weights_const_) pack(in);
  }

  void run(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    if (!weights_const_ || !packed_valid_) pack(in);
    const Tensor* x = in[0];
    if (x->numel() == 0 || out[0]->numel() == 0) return;
    read_zero_points(*this, in[2], "x_zero_point", x_zp_);
    const int32_t xzp = x_zp_[0];
    if (xzp < qmin_of(x->dtype) || xzp > qmax_of(x->dtype)) error("x_zero_point is outside x's range");
    read_scales(*this, in[1], "x_scale", x_scale_);
    read_scales(*this, in[4], "w_scale", w_scale_);
    read_scales(*this, in[6], "y_scale", y_scale_);
    read_zero_points(*this, in[7], "y_zero_point", y_zp_);
    const ElemType yt = out[0]->dtype;
    const int32_t yzp = y_zp_[0], qmin = qmin_of(yt), qmax = qmax_of(yt);
    if (yzp < qmin || yzp > qmax) error("y_zero_point is outside y's range");
    scale_.resize(cout_);
    for (size_t o = 0; o < cout_; ++o) scale_[o] = x_scale_[0] * w_scale_[w_scale_per_ch_ ? o : 0] / y_scale_[0];
    const bool xu = x->dtype == ElemType::kUInt8;
    const uint8_t* xin = xh_.data();
    if (channels_last_) xin = static_cast<const uint8_t*>(x->data);
    else nchw_to_nhwc(static_cast<const uint8_t*>(x->data), n_, cin_, h_ * w_, xh_.data());
    uint8_t* yout = channels_last_ ? static_cast<uint8_t*>(out[0]->data) : yh_.data();
    if (fast_) run_fast(xin, xu, xzp, yout, yt, yzp, qmin, qmax);
    else run_ref(xin, xu, xzp, yout, yzp, qmin, qmax);
    if (!channels_last_) nhwc_to_nchw(yh_.data(), n_, cout_, oh_ * ow_, static_cast<uint8_t*>(out[0]->data));
  }

 private:
  // w(ic, oc, ky, kx) as a signed code (int8 as is, uint8 as 0..255).
  int32_t wcode(const uint8_t* w, bool wu, size_t i) const { return wu ? int32_t{w[i]} : int32_t{static_cast<int8_t>(w[i])}; }

  // Fast path: for each kernel row ky, B_ky[kx * Cout + oc][ic] = W[ic][oc][ky][kx] (with the bias
  // and the weight zero points per column), so one GEMM over an input row's W pixels gives the
  // output row iy * kH + ky, pixels ix * kW + kx, already in NHWC order. With one GEMM (ngemm_ 1)
  // the columns are (ky, kx, oc) and each kernel row's kW * Cout bytes are copied out per pixel.
  void pack(const std::vector<const Tensor*>& in) {
    const Tensor* w = in[3];
    read_zero_points(*this, in[5], "w_zero_point", w_zp_);
    for (int32_t z : w_zp_) {
      if (z < qmin_of(w->dtype) || z > qmax_of(w->dtype)) error("w_zero_point " + std::to_string(z) + " is outside w's range");
    }
    const Tensor* b = in.size() > 8 ? in[8] : nullptr;
    bias_.assign(cout_, 0);
    if (b) std::memcpy(bias_.data(), b->data, cout_ * sizeof(int32_t));
    wbytes_ = static_cast<const uint8_t*>(w->data);  // the reference path reads the weights in place
    wu_ = w->dtype == ElemType::kUInt8;
    packed_valid_ = true;
    needs_corr_ = false;
    if (!fast_) return;
    const size_t rows = kh_ / ngemm_, ncol = rows * kw_ * cout_;  // kernel rows and columns per GEMM
    const auto* wsrc = static_cast<const uint8_t*>(w->data);
    reorder_.resize(ncol * cin_);
    zp_col_.resize(ncol);
    bias_col_.resize(ncol);
    packed_.resize(ngemm_);
    for (size_t j = 0; j < ncol; ++j) {
      zp_col_[j] = w_zp_[w_zp_per_ch_ ? j % cout_ : 0];
      bias_col_[j] = bias_[j % cout_];
    }
    for (size_t gi = 0; gi < ngemm_; ++gi) {
      for (size_t r = 0; r < rows; ++r)
        for (size_t kx = 0; kx < kw_; ++kx)
          for (size_t oc = 0; oc < cout_; ++oc)
            for (size_t ic = 0; ic < cin_; ++ic)
              reorder_[((r * kw_ + kx) * cout_ + oc) * cin_ + ic] = wsrc[((ic * cout_ + oc) * kh_ + gi * rows + r) * kw_ + kx];
      packed_[gi].pack(ncol, cin_, reorder_.data(), w->dtype == ElemType::kUInt8, cin_, 1, zp_col_.data(), true, bias_col_.data());
      needs_corr_ = needs_corr_ || packed_[gi].needs_corr;
    }
    // Column-blocked kernels (no horizontal reduction) where the op-count estimate of QLinearConv
    // (ops_quant_conv.cc) prefers them: short K, as det's 24-channel head (K = 24, N = 48).
    const size_t kb = qs8_gemm_kc(cin_) / 8;
    const size_t c8 = (ncol + 3) / 4 * (kb * 11 + 24), n16 = (ncol + 15) / 16 * (kb * 52 + 28), n8 = (ncol + 7) / 8 * (kb * 29 + 16);
    col_nb_ = qgemm_col_config().qs8_n16 && !needs_corr_ && std::min(n16, n8) < c8 ? (n16 <= n8 ? 16 : 8) : 0;
    col_packed_.resize(col_nb_ ? ngemm_ : 0);
    for (size_t gi = 0; gi < col_packed_.size(); ++gi) {  // staging: this GEMM's W' [ncol][cin], int8
      col_packed_[gi].assign(qs8_packw_nb_size(col_nb_, ncol, cin_), 0);
      qs8_packw_nb(col_nb_, ncol, cin_, packed_[gi].staging.data(), cin_, 1, bias_col_.data(), col_packed_[gi].data());
    }
  }

  // The requantizing column-blocked GEMM: rows [0, m) of a (stride cin_) into c (stride ncol); the
  // last row goes through pad_row_ so the kernel's over-read stays inside a buffer.
  void gemm_col(size_t gi, size_t m, const uint8_t* a, bool xu, int32_t xzp, int32_t yzp, int32_t qmin, int32_t qmax,
                uint8_t* c, size_t ncol) {
    QGemmParams p;
    p.a_zero_point = &xzp;
    p.c_zero_point = yzp;
    p.qmin = qmin;
    p.qmax = qmax;
    p.scale = scale_col_.data();
    if (pad_row_.size() < cin_ + 16) pad_row_.resize(cin_ + 16);
    std::memcpy(pad_row_.data(), a + (m - 1) * cin_, cin_);
    const QGemmColConfig& cfg = qgemm_col_config();
    const void* w = col_packed_[gi].data();
    if (xu) {
      const qu8_gemm_minmax_fn fn = col_nb_ == 16 ? cfg.qu8_n16 : cfg.qu8_n8;
      if (m > 1) fn(0, m - 1, 0, ncol, cin_, a, cin_, w, c, ncol, p);
      fn(0, 1, 0, ncol, cin_, pad_row_.data(), cin_, w, c + (m - 1) * ncol, ncol, p);
    } else {
      const qs8_gemm_minmax_fn fn = col_nb_ == 16 ? cfg.qs8_n16 : cfg.qs8_n8;
      auto* cs = reinterpret_cast<int8_t*>(c);
      const auto* as = reinterpret_cast<const int8_t*>(a);
      if (m > 1) fn(0, m - 1, 0, ncol, cin_, as, cin_, w, cs, ncol, p);
      fn(0, 1, 0, ncol, cin_, reinterpret_cast<const int8_t*>(pad_row_.data()), cin_, w, cs + (m - 1) * ncol, ncol, p);
    }
  }

  void run_fast(const uint8_t* xin, bool xu, int32_t xzp, uint8_t* yout, ElemType yt, int32_t yzp, int32_t qmin, int32_t qmax) {
    const size_t rows = kh_ / ngemm_, ncol = rows * kw_ * cout_, span = kw_ * cout_;
    scale_col_.resize(ncol);
    for (size_t j = 0; j < ncol; ++j) scale_col_[j] = scale_[j % cout_];
    const bool direct = !needs_corr_ && (yt == ElemType::kUInt8) == xu;  // the requantizing kernel writes x's type
    const bool copy_out = rows > 1;
    for (size_t b = 0; b < n_; ++b)
      for (size_t iy = 0; iy < h_; ++iy) {
        const uint8_t* a = xin + (b * h_ + iy) * w_ * cin_;
        uint8_t* out_row = yout + (b * oh_ + iy * kh_) * ow_ * cout_;  // output row iy * kH; ow_ == w_ * kW
        for (size_t gi = 0; gi < ngemm_; ++gi) {
          uint8_t* c = copy_out ? rowbuf_.data() : out_row + gi * ow_ * cout_;
          if (direct && col_nb_) {
            gemm_col(gi, w_, a, xu, xzp, yzp, qmin, qmax, c, ncol);
          } else if (direct) {
            gemm_minmax(packed_[gi], w_, a, xu, cin_, xzp, scale_col_.data(), yzp, qmin, qmax, c, ncol, pad_row_);
          } else {
            gemm_acc32(packed_[gi], w_, a, xu, cin_, &xzp, 0, acc_.data(), ncol, pad_row_);
            for (size_t i = 0; i < w_ * ncol; ++i) c[i] = static_cast<uint8_t>(requantize_fp32(acc_[i], scale_col_[i % ncol], yzp, qmin, qmax));
          }
        }
        if (copy_out) {  // depth-to-space: pixel ix's kernel row ky goes to output row iy * kH + ky
          for (size_t ky = 0; ky < kh_; ++ky)
            for (size_t ix = 0; ix < w_; ++ix) std::memcpy(out_row + (ky * ow_ + ix * kw_) * cout_, rowbuf_.data() + ix * ncol + ky * span, span);
        }
      }
  }

  // Reference: int32 col2im. acc[n][oy][ox][oc] = B[oc] + sum over the taps that land on (oy, ox)
  // of (x - x_zp) * (w - w_zp[oc]) (wrapping int32, as the kernels), then requantize_fp32.
  void run_ref(const uint8_t* xin, bool xu, int32_t xzp, uint8_t* yout, int32_t yzp, int32_t qmin, int32_t qmax) {
    const auto* wsrc = wbytes_;
    const bool wu = wu_;
    const size_t cin_g = cin_ / static_cast<size_t>(group_), cout_g = cout_ / static_cast<size_t>(group_);
    for (size_t p = 0; p < n_ * oh_ * ow_; ++p)
      for (size_t oc = 0; oc < cout_; ++oc) acc_[p * cout_ + oc] = bias_[oc];
    for (size_t b = 0; b < n_; ++b)
      for (size_t iy = 0; iy < h_; ++iy)
        for (size_t ix = 0; ix < w_; ++ix) {
          const uint8_t* xp = xin + ((b * h_ + iy) * w_ + ix) * cin_;
          for (size_t ic = 0; ic < cin_; ++ic) {
            const int32_t xv = (xu ? int32_t{xp[ic]} : int32_t{static_cast<int8_t>(xp[ic])}) - xzp;
            const size_t g = ic / cin_g;
            for (size_t ky = 0; ky < kh_; ++ky) {
              const int64_t oy = static_cast<int64_t>(iy) * strides_[0] + static_cast<int64_t>(ky) * dilations_[0] - pads_[0];
              if (oy < 0 || oy >= static_cast<int64_t>(oh_)) continue;
              for (size_t kx = 0; kx < kw_; ++kx) {
                const int64_t ox = static_cast<int64_t>(ix) * strides_[1] + static_cast<int64_t>(kx) * dilations_[1] - pads_[1];
                if (ox < 0 || ox >= static_cast<int64_t>(ow_)) continue;
                int32_t* ap = acc_.data() + ((b * oh_ + static_cast<size_t>(oy)) * ow_ + static_cast<size_t>(ox)) * cout_;
                for (size_t j = 0; j < cout_g; ++j) {
                  const size_t oc = g * cout_g + j;
                  const int32_t wv = wcode(wsrc, wu, ((ic * cout_g + j) * kh_ + ky) * kw_ + kx) - w_zp_[w_zp_per_ch_ ? oc : 0];
                  ap[oc] = static_cast<int32_t>(static_cast<uint32_t>(ap[oc]) + static_cast<uint32_t>(xv * wv));
                }
              }
            }
          }
        }
    for (size_t p = 0; p < n_ * oh_ * ow_; ++p)
      for (size_t oc = 0; oc < cout_; ++oc) {
        yout[p * cout_ + oc] = static_cast<uint8_t>(requantize_fp32(acc_[p * cout_ + oc], scale_[oc], yzp, qmin, qmax));
      }
  }

  bool channels_last_, fast_ = false, w_scale_per_ch_ = false, w_zp_per_ch_ = false, weights_const_ = false,
       packed_valid_ = false, needs_corr_ = false, wu_ = false;
  int64_t group_ = 1;
  std::vector<int64_t> kernel_, strides_, dilations_, pads_, out_pad_;
  size_t n_ = 0, cin_ = 0, h_ = 0, w_ = 0, cout_ = 0, kh_ = 0, kw_ = 0, oh_ = 0, ow_ = 0;
  size_t ngemm_ = 1;  // fast path: GEMMs per input row (kH, or 1 over all kernel rows)
  size_t col_nb_ = 0;  // column-blocked GEMM block width (16, 8) or 0: the 2x4c8 kernels
  std::vector<std::vector<uint8_t>> col_packed_;
  const uint8_t* wbytes_ = nullptr;
  std::vector<PackedQ8Weights> packed_;
  std::vector<uint8_t> reorder_, xh_, yh_, pad_row_, rowbuf_;
  std::vector<int32_t> acc_, bias_, bias_col_, zp_col_, x_zp_, w_zp_, y_zp_;
  std::vector<float> x_scale_, w_scale_, y_scale_, scale_, scale_col_;
};

}  // namespace

void register_quant_convt_ops(OpRegistry& r) {
  add_op(r, "com.microsoft:QLinearConvTranspose", [](const OpContext& c) -> std::unique_ptr<Op> { return std::make_unique<QConvTransposeOp>(c); });
}

}  // namespace wasmq::rt
