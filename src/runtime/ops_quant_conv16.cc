// QLinearConv with int16 activations (A16W8): NHWC int16-input / int16-output GEMM (MRx4c8 or
// column-blocked) and depthwise kernels, weights packed once (qconv16.h).
#include <algorithm>
#include <cstring>

#include "kernels/dwconv/dwconv.h"
#include "kernels/qs8-gemm/qs8-gemm.h"
#include "runtime/qconv16.h"
#include "runtime/quant_common.h"

namespace wasmq::rt {
namespace {

using namespace quant;

// Readable bytes kept after every buffer of ours the kernels read (the int16 depthwise kernel reads
// up to 30 bytes past the last pixel, the GEMMs up to 14 past a row).
constexpr size_t kTail = 64;

template <typename TX, typename TY>
class QConv16Impl : public QConv16 {
 public:
  QConv16Impl(const Op& op, const ConvShape& s, bool channels_last, int32_t qmin, int32_t qmax)
      : op_(op), s_(s), channels_last_(channels_last), qmin_(qmin), qmax_(qmax) {}

  void prepare(const std::vector<const Tensor*>& in) override {
    for (size_t i : {1, 2, 3, 4, 5, 6, 7}) {
      if (!in[i] || !in[i]->data) op_.error("int16 activations need constant weights, scales and zero points (input " + std::to_string(i) + " is computed)");
    }
    const Tensor* w = in[3];
    if (w->dtype != ElemType::kInt8) op_.error("int16 activations need INT8 weights (got " + onnx::elem_onnx_name(w->dtype) + ")");
    const Tensor* b = in.size() > 8 ? in[8] : nullptr;
    if (b && !b->data) op_.error("int16 activations need a constant bias");
    read_zero_points(op_, in[5], "w_zero_point", w_zp_);
    for (int32_t z : w_zp_) if (z != 0) op_.error("int16 activations need symmetric weights (w_zero_point 0, got " + std::to_string(z) + ")");
    read_zero_points(op_, in[2], "x_zero_point", x_zp_);
    if (x_zp_.size() != 1) op_.error("x_zero_point must be one value");
    if (kXIs16 && x_zp_[0] != 0) op_.error("an INT16 x needs x_zero_point 0 (got " + std::to_string(x_zp_[0]) + ")");
    if (x_zp_[0] < qmin_of(in[0]->dtype) || x_zp_[0] > qmax_of(in[0]->dtype)) op_.error("x_zero_point is outside x's range");
    read_zero_points(op_, in[7], "y_zero_point", y_zp_);
    if (y_zp_.size() != 1) op_.error("y_zero_point must be one value");
    read_scales(op_, in[1], "x_scale", x_scale_);
    read_scales(op_, in[4], "w_scale", w_scale_);
    read_scales(op_, in[6], "y_scale", y_scale_);
    const bool per_ch = w_scale_.size() > 1;
    scale_.resize(s_.out_c);
    for (size_t o = 0; o < s_.out_c; ++o) scale_[o] = x_scale_[0] * w_scale_[per_ch ? o : 0] / y_scale_[0];
    const int32_t* bias = b ? b->as<const int32_t>() : nullptr;
    const auto* wsrc = w->as<const uint8_t>();
    const size_t gout = s_.group_out(), k = s_.k();
    // The largest |x - x_zp| the kernels see: the int32 guard's factor.
    const int64_t max_abs_x = kXIs16 ? 32768 : 255;
    dw_ = s_.groups == s_.in_c && s_.out_c == s_.in_c;
    if (dw_) {
      dws_ = depthwise_shape(s_);
      const size_t c = s_.in_c;
      const std::vector<int8_t> wd = depthwise_weights(s_, wsrc, false);
      if (!dwconv_sums_fit_int32(dws_, wd.data(), bias, max_abs_x)) overflow_error();
      std::vector<float> ws(c);
      for (size_t ch = 0; ch < c; ++ch) ws[ch] = w_scale_[per_ch ? ch : 0];
      const std::vector<float> rs = dwconv_requant_scales(x_scale_[0], ws.data(), c, y_scale_[0]);
      dw_packed_ = qs8_dwconv_pack(dws_, wd.data(), bias, rs.data());
    } else {
      // Per group [gout][KH][KW][Cg] (the im2col tap order).
      std::vector<int8_t> re(s_.out_c * k);
      conv_weights_tap_order(s_, wsrc, reinterpret_cast<uint8_t*>(re.data()));
      if (!qgemm_sums_fit_int32(s_.out_c, k, re.data(), k, 1, bias, max_abs_x)) overflow_error();
      const QGemmConfig& cfg = qgemm_config();
      col_nb_ = have_col() ? qconv_col_block(gout, k, &col_main_) : 0;
      if (!col_nb_) col_main_ = gout;
      packed_.assign(s_.groups, {});
      tail_.assign(s_.groups, {});
      for (size_t g = 0; g < s_.groups; ++g) {
        const int8_t* wg = re.data() + g * gout * k;
        const int32_t* bg = bias ? bias + g * gout : nullptr;
        if (col_nb_) {
          packed_[g].assign(qs8_packw_nb_size(col_nb_, col_main_, k), 0);
          qs8_packw_nb(col_nb_, col_main_, k, wg, k, 1, bg, packed_[g].data());
          if (col_main_ < gout) {
            tail_[g].assign(qs8_packw_nb_size(8, gout - col_main_, k), 0);
            qs8_packw_nb(8, gout - col_main_, k, wg + col_main_ * k, k, 1, bg ? bg + col_main_ : nullptr, tail_[g].data());
          }
        } else {
          packed_[g].assign(qs8_packw_size(gout, k, cfg.w_bytes), 0);
          cfg.packw(gout, k, wg, k, 1, bg, packed_[g].data());
        }
      }
      direct_ = s_.direct_1x1() && s_.stride_h == 1 && s_.stride_w == 1;
      if (!direct_) rows_.assign(s_.pixels() * qs8_gemm_kc(k) + kTail / sizeof(TX), 0);
    }
    const size_t in_elems = s_.batch * s_.in_h * s_.in_w * s_.in_c;
    xh_.assign(channels_last_ ? 0 : in_elems + kTail / sizeof(TX), 0);
    yh_.assign(channels_last_ ? 0 : s_.pixels() * s_.out_c, 0);
  }

  void run(const std::vector<const Tensor*>& in, Tensor* out) override {
    const size_t hw = s_.in_h * s_.in_w, ohw = s_.out_h() * s_.out_w(), pixels = s_.pixels();
    const TX* x = in[0]->as<const TX>();
    if (!channels_last_) {
      nchw_to_nhwc(x, s_.batch, s_.in_c, hw, xh_.data());
      x = xh_.data();
    }
    TY* y = channels_last_ ? out->as<TY>() : yh_.data();
    if (dw_) {
      const QDwconvParams p{x_zp_[0], y_zp_[0], qmin_, qmax_};
      dwconv(x, y, p, s_.batch * s_.out_h());
    } else {
      const size_t gin = s_.group_in(), gout = s_.group_out(), k = s_.k(), kc = qs8_gemm_kc(k);
      QGemmParams p;
      const int32_t xzp = x_zp_[0];
      p.a_zero_point = &xzp;
      p.c_zero_point = y_zp_[0];
      p.qmin = qmin_;
      p.qmax = qmax_;
      for (size_t g = 0; g < s_.groups; ++g) {
        const TX* a;
        size_t a_stride;
        if (direct_) {
          a = x + g * gin;
          a_stride = s_.in_c;
        } else {
          im2col_nhwc<TX>(s_, g, x, static_cast<TX>(xzp), rows_.data(), kc);
          a = rows_.data();
          a_stride = kc;
        }
        TY* c = y + g * gout;
        if (col_nb_) {
          for (int part = 0; part < (tail_[g].empty() ? 1 : 2); ++part) {
            const size_t n0 = part ? col_main_ : 0, n = part ? gout - col_main_ : col_main_;
            p.scale = scale_.data() + g * gout + n0;
            col_fn(!part && col_nb_ == 16)(0, pixels, 0, n, k, a, a_stride, part ? tail_[g].data() : packed_[g].data(),
                                           c + n0, s_.out_c, p);
          }
        } else {
          p.scale = scale_.data() + g * gout;
          mrx4_fn()(0, pixels, 0, gout, k, a, a_stride, packed_[g].data(), c, s_.out_c, p);
        }
      }
    }
    if (!channels_last_) nhwc_to_nchw(yh_.data(), s_.batch, s_.out_c, ohw, out->as<TY>());
  }

 private:
  static constexpr bool kXIs16 = sizeof(TX) == 2;
  using GemmFn = qgemm_fn<TX, TY>;
  [[noreturn]] void overflow_error() const {
    op_.error("the int32 accumulator could overflow with an INT16 x (32768 * sum |w| + |bias| >= 2^31 for some output channel); quantize this convolution's input to INT8");
  }
  bool have_col() const { return qgemm_col16_config().qs16_n16 != nullptr; }
  GemmFn mrx4_fn() const;
  GemmFn col_fn(bool wide) const;
  void dwconv(const TX* x, TY* y, const QDwconvParams& p, size_t rows) const;

  const Op& op_;
  ConvShape s_;
  DwconvShape dws_;
  bool channels_last_, dw_ = false, direct_ = false;
  int32_t qmin_, qmax_;
  size_t col_nb_ = 0, col_main_ = 0;
  std::vector<std::vector<uint8_t>> packed_, tail_;
  std::vector<uint8_t> dw_packed_;
  std::vector<TX> xh_, rows_;
  std::vector<TY> yh_;
  std::vector<int32_t> x_zp_, w_zp_, y_zp_;
  std::vector<float> x_scale_, w_scale_, y_scale_, scale_;
};

// int8 x -> int16 y
template <> qgemm_fn<int8_t, int16_t> QConv16Impl<int8_t, int16_t>::mrx4_fn() const { return qgemm16_config().qs8_qs16; }
template <> qgemm_fn<int8_t, int16_t> QConv16Impl<int8_t, int16_t>::col_fn(bool wide) const {
  return wide ? qgemm_col16_config().qs8_qs16_n16 : qgemm_col16_config().qs8_qs16_n8;
}
template <> void QConv16Impl<int8_t, int16_t>::dwconv(const int8_t* x, int16_t* y, const QDwconvParams& p, size_t rows) const {
  dwconv16_config().qs8_qs16(dws_, x, dw_packed_.data(), y, p, 0, rows);
}
// int16 x -> int8 y
template <> qgemm_fn<int16_t, int8_t> QConv16Impl<int16_t, int8_t>::mrx4_fn() const { return qgemm16_config().qs16_qs8; }
template <> qgemm_fn<int16_t, int8_t> QConv16Impl<int16_t, int8_t>::col_fn(bool wide) const {
  return wide ? qgemm_col16_config().qs16_qs8_n16 : qgemm_col16_config().qs16_qs8_n8;
}
template <> void QConv16Impl<int16_t, int8_t>::dwconv(const int16_t* x, int8_t* y, const QDwconvParams& p, size_t rows) const {
  dwconv16_config().qs16_qs8(dws_, x, dw_packed_.data(), y, p, 0, rows);
}
// int16 x -> int16 y
template <> qgemm_fn<int16_t, int16_t> QConv16Impl<int16_t, int16_t>::mrx4_fn() const { return qgemm16_config().qs16; }
template <> qgemm_fn<int16_t, int16_t> QConv16Impl<int16_t, int16_t>::col_fn(bool wide) const {
  return wide ? qgemm_col16_config().qs16_n16 : qgemm_col16_config().qs16_n8;
}
template <> void QConv16Impl<int16_t, int16_t>::dwconv(const int16_t* x, int16_t* y, const QDwconvParams& p, size_t rows) const {
  dwconv16_config().qs16(dws_, x, dw_packed_.data(), y, p, 0, rows);
}

}  // namespace

std::unique_ptr<QConv16> make_qconv16(const Op& op, const ConvShape& s, bool channels_last, ElemType x_type,
                                      ElemType y_type, int32_t out_qmin, int32_t out_qmax) {
  const int32_t qmin = std::max(out_qmin, qmin_of(y_type)), qmax = std::min(out_qmax, qmax_of(y_type));
  if (qmin > qmax) op.error("wasmq_qmin/wasmq_qmax leave no output code");
  if (x_type == ElemType::kInt8 && y_type == ElemType::kInt16) return std::make_unique<QConv16Impl<int8_t, int16_t>>(op, s, channels_last, qmin, qmax);
  if (x_type == ElemType::kInt16 && y_type == ElemType::kInt8) return std::make_unique<QConv16Impl<int16_t, int8_t>>(op, s, channels_last, qmin, qmax);
  if (x_type == ElemType::kInt16 && y_type == ElemType::kInt16) return std::make_unique<QConv16Impl<int16_t, int16_t>>(op, s, channels_last, qmin, qmax);
  op.error("int16 convolution needs x and y INT8 or INT16 (got x " + onnx::elem_onnx_name(x_type) + ", y " +
           onnx::elem_onnx_name(y_type) + ")");
}

}  // namespace wasmq::rt
