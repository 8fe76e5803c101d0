// QLinearConv, ConvInteger and com.microsoft QLinearAveragePool (1-D/2-D, NCHW at the graph level) on
// the NHWC int8 kernels: transpose in, im2col + GEMM (or the depthwise/pool kernel), transpose out.
#include <algorithm>
#include <cstring>
#include <limits>

#include "kernels/conv/conv.h"
#include "kernels/dwconv/dwconv.h"
#include "kernels/pool/pool.h"
#include "runtime/qconv16.h"
#include "runtime/quant_common.h"

namespace wasmq::rt {
namespace {

using namespace quant;

constexpr size_t kIm2colBlockBytes = 256 * 1024;

class QConvOp : public Op {
 public:
  QConvOp(const OpContext& c, bool qlinear) : qlinear_(qlinear), channels_last_(c.get_int("wasmq_channels_last", 0) != 0) {
    if (qlinear) c.check_inputs(8, 9);
    else c.check_inputs(2, 4);
    if (channels_last_ && !qlinear) c.error("wasmq_channels_last is only supported on QLinearConv");
    group_ = c.get_int("group", 1);
    if (group_ < 1) c.error("group must be >= 1");
    auto_pad_ = c.get_string("auto_pad", "NOTSET");
    if (auto_pad_ != "NOTSET" && auto_pad_ != "SAME_UPPER" && auto_pad_ != "SAME_LOWER" && auto_pad_ != "VALID") {
      c.error("auto_pad '" + auto_pad_ + "' is not supported");
    }
    kernel_ = c.get_ints("kernel_shape");
    strides_ = c.get_ints("strides");
    dilations_ = c.get_ints("dilations");
    pads_ = c.get_ints("pads");
    // wasmq's own output-code clamp of an INT16 y (a fused ReLU on a symmetric int16 output).
    out_qmin_ = c.get_int("wasmq_qmin", std::numeric_limits<int32_t>::min());
    out_qmax_ = c.get_int("wasmq_qmax", std::numeric_limits<int32_t>::max());
    if (out_qmin_ < std::numeric_limits<int32_t>::min() || out_qmax_ > std::numeric_limits<int32_t>::max())
      c.error("wasmq_qmin/wasmq_qmax are out of range");
    clamped_ = c.has("wasmq_qmin") || c.has("wasmq_qmax");
    if (clamped_ && !qlinear) c.error("wasmq_qmin/wasmq_qmax are only supported on QLinearConv");
    for (const auto* v : {&kernel_, &strides_, &dilations_, &pads_}) {
      for (int64_t x : *v) {
        if (x < 0 || x > (int64_t{1} << 24)) c.error("kernel_shape/strides/dilations/pads value " + std::to_string(x) + " is out of range");
      }
    }
  }

  void infer(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const Tensor *x = in[0], *w = in[wi()];
    const bool x16 = qlinear_ && x->dtype == ElemType::kInt16;
    if (!is_q8(x->dtype) && !x16) error("x must be INT8, UINT8 or (QLinearConv) INT16 (got " + onnx::elem_onnx_name(x->dtype) + ")");
    if (!is_q8(w->dtype)) error("w must be INT8 or UINT8 (got " + onnx::elem_onnx_name(w->dtype) + ")");
    const size_t r = x->shape.size();
    if (r != 3 && r != 4) error("only 1-D and 2-D convolutions are supported (x " + shape_str(x->shape) + ")");
    if (channels_last_ && r != 4) error("wasmq_channels_last needs a 2-D convolution (x " + shape_str(x->shape) + ")");
    // xs: x's shape in NCHW order (the channels-last form stores x as [N, H, W, C]).
    const Shape xs = channels_last_ ? Shape{x->shape[0], x->shape[3], x->shape[1], x->shape[2]} : x->shape;
    if (w->shape.size() != r) error("w rank does not match x");
    const size_t nsp = r - 2;
    ConvShape s;
    s.batch = static_cast<size_t>(xs[0]);
    s.in_c = static_cast<size_t>(xs[1]);
    s.out_c = static_cast<size_t>(w->shape[0]);
    s.groups = static_cast<size_t>(group_);
    s.in_h = nsp == 2 ? static_cast<size_t>(xs[2]) : 1;
    s.in_w = static_cast<size_t>(xs[r - 1]);
    s.kernel_h = nsp == 2 ? static_cast<size_t>(w->shape[2]) : 1;
    s.kernel_w = static_cast<size_t>(w->shape[r - 1]);
    if (!kernel_.empty()) {
      if (kernel_.size() != nsp) error("kernel_shape has the wrong length");
      for (size_t i = 0; i < nsp; ++i) if (kernel_[i] != w->shape[2 + i]) error("kernel_shape does not match w " + shape_str(w->shape));
    }
    auto get = [&](const std::vector<int64_t>& v, size_t n, size_t i, const char* name) -> size_t {
      if (v.empty()) return 1;
      if (v.size() != n) error(std::string(name) + " has the wrong length");
      if (v[i] < 1) error(std::string(name) + " must be positive");
      return static_cast<size_t>(v[i]);
    };
    s.stride_h = nsp == 2 ? get(strides_, 2, 0, "strides") : 1;
    s.stride_w = get(strides_, nsp, nsp - 1, "strides");
    s.dilation_h = nsp == 2 ? get(dilations_, 2, 0, "dilations") : 1;
    s.dilation_w = get(dilations_, nsp, nsp - 1, "dilations");
    if (s.in_c != static_cast<size_t>(w->shape[1]) * s.groups) error("x channels do not match w " + shape_str(w->shape) + " and group");
    if (s.out_c % s.groups != 0) error("output channels are not divisible by group");
    if (s.kernel_h == 0 || s.kernel_w == 0) error("empty kernel");
    size_t pb[2] = {0, 0}, pe[2] = {0, 0};
    const size_t in_d[2] = {s.in_h, s.in_w}, k_d[2] = {s.kernel_h, s.kernel_w}, st_d[2] = {s.stride_h, s.stride_w},
                 dl_d[2] = {s.dilation_h, s.dilation_w};
    for (size_t i = 2 - nsp; i < 2; ++i) {
      const size_t ai = i - (2 - nsp);
      const size_t eff = (k_d[i] - 1) * dl_d[i] + 1;
      if (auto_pad_ == "NOTSET") {
        if (!pads_.empty()) {
          if (pads_.size() != 2 * nsp) error("pads has the wrong length");
          pb[i] = static_cast<size_t>(pads_[ai]);
          pe[i] = static_cast<size_t>(pads_[ai + nsp]);
        }
      } else if (auto_pad_ != "VALID") {
        const size_t o = (in_d[i] + st_d[i] - 1) / st_d[i];
        const int64_t total = std::max<int64_t>(0, static_cast<int64_t>((o - 1) * st_d[i] + eff) - static_cast<int64_t>(in_d[i]));
        pb[i] = static_cast<size_t>(auto_pad_ == "SAME_UPPER" ? total / 2 : total - total / 2);
        pe[i] = static_cast<size_t>(total) - pb[i];
      }
      if (in_d[i] + pb[i] + pe[i] < eff) error("the kernel is larger than the padded input " + shape_str(xs));
    }
    s.pad_top = pb[0];
    s.pad_bottom = pe[0];
    s.pad_left = pb[1];
    s.pad_right = pe[1];
    s.validate();
    s_ = s;
    Shape os{xs[0], w->shape[0]};
    if (nsp == 2) os.push_back(static_cast<int64_t>(s.out_h()));
    os.push_back(static_cast<int64_t>(s.out_w()));
    if (qlinear_) {
      check_param_size(*this, in[1]->numel(), in[1]->shape.size(), 1, "x_scale");
      w_scale_per_ch_ = check_param_size(*this, in[4]->numel(), in[4]->shape.size(), s.out_c, "w_scale");
      check_param_size(*this, in[6]->numel(), in[6]->shape.size(), 1, "y_scale");
      if (!is_q8(in[7]->dtype) && in[7]->dtype != ElemType::kInt16) error("y_zero_point must be INT8, UINT8 or INT16");
      const Tensor* b = in.size() > 8 ? in[8] : nullptr;
      if (b && (b->dtype != ElemType::kInt32 || b->numel() != s.out_c)) error("B must be INT32 of shape [" + std::to_string(s.out_c) + "]");
      out[0]->dtype = in[7]->dtype;
    } else {
      out[0]->dtype = ElemType::kInt32;
    }
    const Tensor* wzp = w_zp_in(in);
    if (wzp) w_zp_per_ch_ = check_param_size(*this, wzp->numel(), wzp->shape.size(), s.out_c, "w_zero_point");
    const Tensor* xzp = x_zp_in(in);
    if (xzp) check_param_size(*this, xzp->numel(), xzp->shape.size(), 1, "x_zero_point");
    if (channels_last_) os = Shape{os[0], os[2], os[3], os[1]};  // [N, OH, OW, O]
    out[0]->shape = os;
    q16_.reset();
    if (qlinear_ && (x16 || out[0]->dtype == ElemType::kInt16)) {
      q16_ = make_qconv16(*this, s, channels_last_, x->dtype, out[0]->dtype, static_cast<int32_t>(out_qmin_), static_cast<int32_t>(out_qmax_));
    } else if (clamped_) {
      error("wasmq_qmin/wasmq_qmax need an INT16 x or y");
    }
  }

  void prepare(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    if (q16_) {
      q16_->prepare(in);
      return;
    }
    const size_t in_bytes = s_.batch * s_.in_h * s_.in_w * s_.in_c;
    xh_.assign(channels_last_ ? 0 : in_bytes + 16, 0);
    const size_t pixels = s_.pixels();
    const size_t kc = qs8_gemm_kc(s_.k());
    direct_ = s_.direct_1x1() && s_.stride_h == 1 && s_.stride_w == 1;
    // + 16: im2col_nhwc_rows may write 16 bytes past its last row.
    rows_.assign(direct_ ? 0 : std::min(pixels, std::max<size_t>(4, (kIm2colBlockBytes / kc) / 4 * 4)) * kc + 16, 0);
    const bool w_known = all_known(in, {wi()}) && (!w_zp_in(in) || w_zp_in(in)->data) && (!bias_in(in) || bias_in(in)->data);
    weights_const_ = w_known;
    packed_valid_ = false;
    dw_ = false;
    if (weights_const_) pack(in);
    // Depthwise kernel: channel multiplier 1, no zero-point correction, same x/y type, known scales.
    if (qlinear_ && weights_const_ && s_.groups == s_.in_c && s_.out_c == s_.in_c && !any_corr() &&
        out[0]->dtype == in[0]->dtype && all_known(in, {1, 2, 4, 6, 7})) {
      pack_dw(in);
    }
    yh_.assign(channels_last_ ? 0 : pixels * s_.out_c, 0);
    if (!dw_ && !(qlinear_ && !any_corr() && out[0]->dtype == in[0]->dtype)) acc_.assign(pixels * s_.out_c, 0);
  }

  void run(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    if (q16_) {
      q16_->run(in, out[0]);
      return;
    }
    if (!weights_const_ || !packed_valid_) pack(in);
    const Tensor* x = in[0];
    const bool xu = x->dtype == ElemType::kUInt8;
    read_zero_points(*this, x_zp_in(in), "x_zero_point", x_zp_);
    const int32_t xzp = x_zp_[0];
    if (xzp < qmin_of(x->dtype) || xzp > qmax_of(x->dtype)) error("x_zero_point is outside x's range");
    const size_t hw = s_.in_h * s_.in_w, ohw = s_.out_h() * s_.out_w(), pixels = s_.pixels();
    // Channels-last input is read in place (the executor leaves >= 16 readable bytes after every
    // planned buffer, Model::plan, which covers the kernels' over-reads); else transposed into xh_.
    const uint8_t* xin = xh_.data();
    if (channels_last_) xin = static_cast<const uint8_t*>(x->data);
    else nchw_to_nhwc(static_cast<const uint8_t*>(x->data), s_.batch, s_.in_c, hw, xh_.data());
    uint8_t* yout = channels_last_ ? static_cast<uint8_t*>(out[0]->data) : yh_.data();
    const ElemType yt = out[0]->dtype;
    if (dw_) {
      QDwconvParams p{xzp, y_zp_[0], qmin_of(yt), qmax_of(yt)};
      const size_t rows = s_.batch * s_.out_h();
      if (xu) dwconv_config().qu8(dws_, xin, dw_packed_.data(), yout, p, 0, rows);
      else dwconv_config().qs8(dws_, reinterpret_cast<const int8_t*>(xin), dw_packed_.data(), reinterpret_cast<int8_t*>(yout), p, 0, rows);
      if (!channels_last_) nhwc_to_nchw(yh_.data(), s_.batch, s_.out_c, ohw, static_cast<uint8_t*>(out[0]->data));
      return;
    }
    const bool fast = qlinear_ && !any_corr() && yt == x->dtype;
    if (qlinear_) update_scales(in);
    if (!fast && acc_.size() < pixels * s_.out_c) acc_.resize(pixels * s_.out_c);
    const size_t gin = s_.group_in(), gout = s_.group_out(), k = s_.k(), kc = qs8_gemm_kc(k);
    // im2col and GEMM in pixel blocks of ~kIm2colBlockBytes, so the rows are still in cache when the
    // GEMM reads them (the whole im2col of det's 3x3 96->24 layer at 80x80 is 5.5 MB). GEMM rows are
    // independent: the result is the same as one call over all pixels.
    const size_t block = direct_ ? pixels : std::max<size_t>(4, (kIm2colBlockBytes / kc) / 4 * 4);
    for (size_t g = 0; g < s_.groups; ++g) {
      for (size_t p0 = 0; p0 < pixels; p0 += block) {
        const size_t pn = std::min(block, pixels - p0);
        const uint8_t* a;
        size_t a_stride;
        if (direct_) {
          a = xin + p0 * s_.in_c + g * gin;
          a_stride = s_.in_c;
        } else {
          if (xu) im2col_nhwc_rows<uint8_t>(s_, g, xin, static_cast<uint8_t>(xzp), rows_.data(), kc, p0, pn);
          else im2col_nhwc_rows<int8_t>(s_, g, reinterpret_cast<const int8_t*>(xin), static_cast<int8_t>(xzp), reinterpret_cast<int8_t*>(rows_.data()), kc, p0, pn);
          a = rows_.data();
          a_stride = kc;
        }
        if (fast && col_nb_) {
          gemm_col(g, pn, a, xu, a_stride, xzp, qmin_of(yt), qmax_of(yt), yout + p0 * s_.out_c + g * gout);
        } else if (fast) {
          gemm_minmax(packed_[g], pn, a, xu, a_stride, xzp, scale_.data() + g * gout, y_zp_[0], qmin_of(yt), qmax_of(yt),
                      yout + p0 * s_.out_c + g * gout, s_.out_c, pad_row_);
        } else {
          gemm_acc32(packed_[g], pn, a, xu, a_stride, &xzp, 0, acc_.data() + p0 * s_.out_c + g * gout, s_.out_c, pad_row_);
        }
      }
    }
    (void)k;
    if (fast) {
      if (!channels_last_) nhwc_to_nchw(yh_.data(), s_.batch, s_.out_c, ohw, static_cast<uint8_t*>(out[0]->data));
    } else if (!qlinear_) {
      nhwc_to_nchw(acc_.data(), s_.batch, s_.out_c, ohw, out[0]->as<int32_t>());
    } else {
      const int32_t qmin = qmin_of(yt), qmax = qmax_of(yt), yzp = y_zp_[0];
      uint8_t* y = static_cast<uint8_t*>(out[0]->data);
      for (size_t b = 0; b < s_.batch; ++b) {
        for (size_t p = 0; p < ohw; ++p) {
          const int32_t* ap = acc_.data() + (b * ohw + p) * s_.out_c;
          for (size_t o = 0; o < s_.out_c; ++o) {
            const size_t at = channels_last_ ? (b * ohw + p) * s_.out_c + o : (b * s_.out_c + o) * ohw + p;
            y[at] = static_cast<uint8_t>(requantize_fp32(ap[o], scale_[o], yzp, qmin, qmax));
          }
        }
      }
    }
  }

 private:
  size_t wi() const { return qlinear_ ? 3 : 1; }
  const Tensor* x_zp_in(const std::vector<const Tensor*>& in) const { return qlinear_ ? in[2] : (in.size() > 2 ? in[2] : nullptr); }
  const Tensor* w_zp_in(const std::vector<const Tensor*>& in) const { return qlinear_ ? in[5] : (in.size() > 3 ? in[3] : nullptr); }
  const Tensor* bias_in(const std::vector<const Tensor*>& in) const { return qlinear_ && in.size() > 8 ? in[8] : nullptr; }
  static bool all_known(const std::vector<const Tensor*>& in, std::initializer_list<size_t> idx) {
    for (size_t i : idx) if (i < in.size() && in[i] && !in[i]->data) return false;
    return true;
  }
  bool any_corr() const {
    for (const PackedQ8Weights& p : packed_) if (p.needs_corr) return true;
    return false;
  }

  // Weights [O][Cg][KH][KW] -> per group [gout][KH][KW][Cg], offset to int8, packed with the bias.
  void pack(const std::vector<const Tensor*>& in) {
    const Tensor* w = in[wi()];
    read_zero_points(*this, w_zp_in(in), "w_zero_point", w_zp_);
    for (int32_t z : w_zp_) {
      if (z < qmin_of(w->dtype) || z > qmax_of(w->dtype)) error("w_zero_point " + std::to_string(z) + " is outside w's range");
    }
    const Tensor* b = bias_in(in);
    const size_t gout = s_.group_out(), k = s_.k();
    reorder_.resize(s_.out_c * k);
    conv_weights_tap_order(s_, static_cast<const uint8_t*>(w->data), reorder_.data());
    packed_.resize(s_.groups);
    zp_tmp_.resize(gout);
    for (size_t g = 0; g < s_.groups; ++g) {
      for (size_t j = 0; j < gout; ++j) zp_tmp_[j] = w_zp_[w_zp_per_ch_ ? g * gout + j : 0];
      packed_[g].pack(gout, k, reorder_.data() + g * gout * k, w->dtype == ElemType::kUInt8, k, 1, zp_tmp_.data(), true,
                      b ? b->as<const int32_t>() + g * gout : nullptr);
    }
    col_nb_ = qgemm_col_config().qs8_n16 && !any_corr() ? qconv_col_block(gout, k, &col_main_) : 0;
    if (!col_nb_) col_main_ = gout;
    col_packed_.resize(col_nb_ ? s_.groups : 0);
    col_tail_.resize(col_nb_ && col_main_ < gout ? s_.groups : 0);
    for (size_t g = 0; g < col_packed_.size(); ++g) {
      const int8_t* wg = packed_[g].staging.data();
      const int32_t* bg = b ? b->as<const int32_t>() + g * gout : nullptr;
      col_packed_[g].assign(qs8_packw_nb_size(col_nb_, col_main_, k), 0);
      qs8_packw_nb(col_nb_, col_main_, k, wg, k, 1, bg, col_packed_[g].data());
      if (g < col_tail_.size()) {
        col_tail_[g].assign(qs8_packw_nb_size(8, gout - col_main_, k), 0);
        qs8_packw_nb(8, gout - col_main_, k, wg + col_main_ * k, k, 1, bg ? bg + col_main_ : nullptr, col_tail_[g].data());
      }
    }
    packed_valid_ = true;
  }

  // The requantizing GEMM of group g on the column-blocked packing, rows [0, m) of a; the last row
  // goes through pad_row_ so the kernel's 7-byte over-read stays inside a buffer.
  void gemm_col(size_t g, size_t m, const uint8_t* a, bool xu, size_t a_stride, int32_t xzp, int32_t qmin, int32_t qmax,
                uint8_t* c) {
    if (m == 0) return;
    const size_t gout = s_.group_out(), k = s_.k();
    QGemmParams p;
    p.a_zero_point = &xzp;
    p.c_zero_point = y_zp_[0];
    p.qmin = qmin;
    p.qmax = qmax;
    if (pad_row_.size() < k + 16) pad_row_.resize(k + 16);
    std::memcpy(pad_row_.data(), a + (m - 1) * a_stride, k);
    const QGemmColConfig& cfg = qgemm_col_config();
    // Columns [0, col_main_) in blocks of col_nb_, then the 8-column tail (if any) with its own packing.
    for (int part = 0; part < (g < col_tail_.size() ? 2 : 1); ++part) {
      const void* w = part ? col_tail_[g].data() : col_packed_[g].data();
      const size_t n0 = part ? col_main_ : 0, n = part ? gout - col_main_ : col_main_;
      const bool wide = !part && col_nb_ == 16;
      p.scale = scale_.data() + g * gout + n0;
      if (xu) {
        const qu8_gemm_minmax_fn fn = wide ? cfg.qu8_n16 : cfg.qu8_n8;
        if (m > 1) fn(0, m - 1, 0, n, k, a, a_stride, w, c + n0, s_.out_c, p);
        fn(0, 1, 0, n, k, pad_row_.data(), a_stride, w, c + (m - 1) * s_.out_c + n0, s_.out_c, p);
      } else {
        const qs8_gemm_minmax_fn fn = wide ? cfg.qs8_n16 : cfg.qs8_n8;
        auto* cs = reinterpret_cast<int8_t*>(c) + n0;
        const auto* as = reinterpret_cast<const int8_t*>(a);
        if (m > 1) fn(0, m - 1, 0, n, k, as, a_stride, w, cs, s_.out_c, p);
        fn(0, 1, 0, n, k, reinterpret_cast<const int8_t*>(pad_row_.data()), a_stride, w, cs + (m - 1) * s_.out_c,
           s_.out_c, p);
      }
    }
  }

  void update_scales(const std::vector<const Tensor*>& in) {
    read_scales(*this, in[1], "x_scale", x_scale_);
    read_scales(*this, in[4], "w_scale", w_scale_);
    read_scales(*this, in[6], "y_scale", y_scale_);
    read_zero_points(*this, in[7], "y_zero_point", y_zp_);
    scale_.resize(s_.out_c);
    for (size_t o = 0; o < s_.out_c; ++o) scale_[o] = x_scale_[0] * w_scale_[w_scale_per_ch_ ? o : 0] / y_scale_[0];
  }

  void pack_dw(const std::vector<const Tensor*>& in) {
    update_scales(in);
    const Tensor* w = in[wi()];
    const size_t c = s_.in_c;
    const std::vector<int8_t> wd = depthwise_weights(s_, static_cast<const uint8_t*>(w->data), w->dtype == ElemType::kUInt8);
    dws_ = depthwise_shape(s_);
    std::vector<float> ws(c);
    for (size_t ch = 0; ch < c; ++ch) ws[ch] = w_scale_[w_scale_per_ch_ ? ch : 0];
    const std::vector<float> rs = dwconv_requant_scales(x_scale_[0], ws.data(), c, y_scale_[0]);
    const Tensor* b = bias_in(in);
    dw_packed_ = qs8_dwconv_pack(dws_, wd.data(), b ? b->as<const int32_t>() : nullptr, rs.data());
    dw_ = true;
  }

  bool qlinear_, channels_last_, clamped_ = false;
  int64_t group_, out_qmin_, out_qmax_;
  std::unique_ptr<QConv16> q16_;  // INT16 x or y (A16W8)
  std::string auto_pad_;
  std::vector<int64_t> kernel_, strides_, dilations_, pads_;
  ConvShape s_;
  DwconvShape dws_;
  bool w_scale_per_ch_ = false, w_zp_per_ch_ = false, weights_const_ = false, packed_valid_ = false, direct_ = false, dw_ = false;
  size_t col_nb_ = 0;  // column-blocked GEMM block width (16, 8) or 0: the 2x4c8 kernels
  size_t col_main_ = 0;  // columns in col_nb_ blocks; the rest (<= 8) in col_tail_ (8-column blocks)
  std::vector<std::vector<uint8_t>> col_packed_, col_tail_;
  std::vector<PackedQ8Weights> packed_;
  std::vector<uint8_t> reorder_, xh_, rows_, yh_, pad_row_, dw_packed_;
  std::vector<int32_t> acc_, x_zp_, w_zp_, y_zp_, zp_tmp_;
  std::vector<float> x_scale_, w_scale_, y_scale_, scale_;
};

// com.microsoft QLinearAveragePool (1-D/2-D, NCHW or channels_last) on the NHWC int8 pool kernel.
class QAvgPoolOp : public Op {
 public:
  explicit QAvgPoolOp(const OpContext& c)
      : channels_last_(c.get_int("channels_last", 0) != 0), include_pad_(c.get_int("count_include_pad", 0) != 0) {
    c.check_inputs(4, 5);
    auto_pad_ = c.get_string("auto_pad", "NOTSET");
    if (auto_pad_ != "NOTSET" && auto_pad_ != "SAME_UPPER" && auto_pad_ != "SAME_LOWER" && auto_pad_ != "VALID") {
      c.error("auto_pad '" + auto_pad_ + "' is not supported");
    }
    ceil_ = c.get_int("ceil_mode", 0) != 0;
    kernel_ = c.get_ints("kernel_shape");
    strides_ = c.get_ints("strides");
    pads_ = c.get_ints("pads");
    if (kernel_.empty() || kernel_.size() > 2) c.error("kernel_shape must have 1 or 2 entries");
    for (const auto* v : {&kernel_, &strides_, &pads_}) {
      for (int64_t x : *v) {
        if (x < 0 || x > (int64_t{1} << 24)) c.error("kernel_shape/strides/pads value " + std::to_string(x) + " is out of range");
      }
    }
  }
  void infer(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const Shape& x = in[0]->shape;
    if (!is_q8(in[0]->dtype)) error("X must be INT8 or UINT8");
    const size_t nsp = kernel_.size();
    if (x.size() != nsp + 2) error("X " + shape_str(x) + " does not match a " + std::to_string(nsp) + "-D kernel");
    if (!strides_.empty() && strides_.size() != nsp) error("strides has the wrong length");
    if (!pads_.empty() && pads_.size() != 2 * nsp) error("pads has the wrong length");
    const size_t sp0 = channels_last_ ? 1 : 2;
    PoolShape s;
    s.batch = static_cast<size_t>(x[0]);
    s.channels = static_cast<size_t>(channels_last_ ? x.back() : x[1]);
    size_t in_d[2] = {1, 1}, k_d[2] = {1, 1}, st_d[2] = {1, 1}, pb[2] = {0, 0}, pe[2] = {0, 0};
    for (size_t i = 0; i < nsp; ++i) {
      const size_t d = i + 2 - nsp;
      in_d[d] = static_cast<size_t>(x[sp0 + i]);
      k_d[d] = static_cast<size_t>(kernel_[i]);
      st_d[d] = strides_.empty() ? 1 : static_cast<size_t>(strides_[i]);
      if (k_d[d] < 1 || st_d[d] < 1) error("kernel_shape and strides must be positive");
      if (auto_pad_ == "NOTSET") {
        if (!pads_.empty()) { pb[d] = static_cast<size_t>(pads_[i]); pe[d] = static_cast<size_t>(pads_[i + nsp]); }
      } else if (auto_pad_ != "VALID") {
        const size_t o = (in_d[d] + st_d[d] - 1) / st_d[d];
        const int64_t total = std::max<int64_t>(0, static_cast<int64_t>((o - 1) * st_d[d] + k_d[d]) - static_cast<int64_t>(in_d[d]));
        pb[d] = static_cast<size_t>(auto_pad_ == "SAME_UPPER" ? total / 2 : total - total / 2);
        pe[d] = static_cast<size_t>(total) - pb[d];
      }
      if (in_d[d] + pb[d] + pe[d] < k_d[d]) error("the kernel is larger than the padded input " + shape_str(x));
      if (ceil_ && (in_d[d] + pb[d] + pe[d] - k_d[d]) % st_d[d] != 0) {
        error("ceil_mode=1 that adds a partial window is not supported");
      }
    }
    s.in_h = in_d[0]; s.in_w = in_d[1]; s.kernel_h = k_d[0]; s.kernel_w = k_d[1];
    s.stride_h = st_d[0]; s.stride_w = st_d[1];
    s.pad_top = pb[0]; s.pad_bottom = pe[0]; s.pad_left = pb[1]; s.pad_right = pe[1];
    s.validate();
    s_ = s;
    out[0]->dtype = in[0]->dtype;
    out[0]->shape = x;
    const size_t o_d[2] = {s.out_h(), s.out_w()};
    for (size_t i = 0; i < nsp; ++i) out[0]->shape[sp0 + i] = static_cast<int64_t>(o_d[i + 2 - nsp]);
  }
  void prepare(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    xh_.assign(in[0]->numel() + 16, 0);
    yh_.assign(channels_last_ ? 0 : out[0]->numel(), 0);
  }
  void run(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const ElemType t = in[0]->dtype;
    const size_t hw = s_.in_h * s_.in_w, ohw = s_.out_h() * s_.out_w();
    if (in[0]->numel() == 0 || out[0]->numel() == 0) return;
    const auto* src = static_cast<const uint8_t*>(in[0]->data);
    if (channels_last_) std::memcpy(xh_.data(), src, in[0]->numel());  // padded copy: the kernel may over-read
    else nchw_to_nhwc(src, s_.batch, s_.channels, hw, xh_.data());
    const QAvgPoolParams p = make_qavgpool_params(scalar_scale(*this, in[1], "x_scale"), scalar_zp(*this, in[2], t, "x_zero_point"),
                                                  scalar_scale(*this, in[3], "y_scale"),
                                                  scalar_zp(*this, in.size() > 4 ? in[4] : nullptr, t, "y_zero_point"),
                                                  qmin_of(t), qmax_of(t), include_pad_);
    uint8_t* y = channels_last_ ? static_cast<uint8_t*>(out[0]->data) : yh_.data();
    const size_t rows = s_.batch * s_.out_h();
    if (t == ElemType::kInt8) pool_config().qs8_avg(s_, reinterpret_cast<const int8_t*>(xh_.data()), reinterpret_cast<int8_t*>(y), p, 0, rows);
    else pool_config().qu8_avg(s_, xh_.data(), y, p, 0, rows);
    if (!channels_last_) nhwc_to_nchw(yh_.data(), s_.batch, s_.channels, ohw, static_cast<uint8_t*>(out[0]->data));
  }

 private:
  static float scalar_scale(const Op& op, const Tensor* t, const char* what) {
    if (!t || !t->data || t->dtype != ElemType::kFloat || t->numel() != 1) op.error(std::string(what) + " must be a FLOAT scalar");
    return *t->as<const float>();
  }
  static int32_t scalar_zp(const Op& op, const Tensor* t, ElemType type, const char* what) {
    if (!t) return 0;
    if (!t->data || t->dtype != type || t->numel() != 1) op.error(std::string(what) + " must be a scalar of X's type");
    return type == ElemType::kInt8 ? *t->as<const int8_t>() : *t->as<const uint8_t>();
  }

  bool channels_last_, include_pad_, ceil_ = false;
  std::string auto_pad_;
  std::vector<int64_t> kernel_, strides_, pads_;
  PoolShape s_;
  std::vector<uint8_t> xh_, yh_;
};

// wasmq MaxPool: ONNX MaxPool (2-D, explicit pads, ceil_mode 0, one output) on channels-last
// [N, H, W, C] tensors, written by the layout pass (layout_nhwc.h); int8, uint8 and float on the
// NHWC pool kernels. Taps in the padding are skipped, as ONNX's -inf padding does.

class NhwcMaxPoolOp : public Op {
 public:
  explicit NhwcMaxPoolOp(const OpContext& c) {
    c.check_inputs(1, 1);
    kernel_ = c.get_ints("kernel_shape");
    strides_ = c.get_ints("strides");
    pads_ = c.get_ints("pads");
    dilations_ = c.get_ints("dilations");
    if (kernel_.size() != 2) c.error("kernel_shape must have 2 entries");
    if (!strides_.empty() && strides_.size() != 2) c.error("strides must have 2 entries");
    if (!dilations_.empty() && dilations_.size() != 2) c.error("dilations must have 2 entries");
    if (!pads_.empty() && pads_.size() != 4) c.error("pads must have 4 entries");
    for (const auto* v : {&kernel_, &strides_, &pads_, &dilations_}) {
      for (int64_t x : *v) {
        if (x < 0 || x > (int64_t{1} << 24)) c.error("kernel_shape/strides/pads/dilations value " + std::to_string(x) + " is out of range");
      }
    }
  }
  void infer(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const Shape& x = in[0]->shape;
    const ElemType t = in[0]->dtype;
    if (t != ElemType::kInt8 && t != ElemType::kUInt8 && t != ElemType::kFloat) error("X must be INT8, UINT8 or FLOAT");
    if (x.size() != 4) error("X must be [N, H, W, C] (got " + shape_str(x) + ")");
    PoolShape s;
    s.batch = static_cast<size_t>(x[0]);
    s.in_h = static_cast<size_t>(x[1]);
    s.in_w = static_cast<size_t>(x[2]);
    s.channels = static_cast<size_t>(x[3]);
    s.kernel_h = static_cast<size_t>(kernel_[0]);
    s.kernel_w = static_cast<size_t>(kernel_[1]);
    s.stride_h = strides_.empty() ? 1 : static_cast<size_t>(strides_[0]);
    s.stride_w = strides_.empty() ? 1 : static_cast<size_t>(strides_[1]);
    s.dilation_h = dilations_.empty() ? 1 : static_cast<size_t>(dilations_[0]);
    s.dilation_w = dilations_.empty() ? 1 : static_cast<size_t>(dilations_[1]);
    if (!pads_.empty()) {
      s.pad_top = static_cast<size_t>(pads_[0]);
      s.pad_left = static_cast<size_t>(pads_[1]);
      s.pad_bottom = static_cast<size_t>(pads_[2]);
      s.pad_right = static_cast<size_t>(pads_[3]);
    }
    if (s.kernel_h < 1 || s.kernel_w < 1 || s.stride_h < 1 || s.stride_w < 1 || s.dilation_h < 1 || s.dilation_w < 1) {
      error("kernel_shape, strides and dilations must be positive");
    }
    if (s.in_h + s.pad_top + s.pad_bottom < (s.kernel_h - 1) * s.dilation_h + 1 ||
        s.in_w + s.pad_left + s.pad_right < (s.kernel_w - 1) * s.dilation_w + 1) {
      error("the kernel is larger than the padded input " + shape_str(x));
    }
    s.validate();
    s_ = s;
    out[0]->dtype = t;
    out[0]->shape = Shape{x[0], static_cast<int64_t>(s.out_h()), static_cast<int64_t>(s.out_w()), x[3]};
  }
  void run(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    if (in[0]->numel() == 0 || out[0]->numel() == 0) return;
    // The input is read in place: the executor leaves >= 16 readable bytes after planned buffers.
    const size_t rows = s_.batch * s_.out_h();
    const ElemType t = in[0]->dtype;
    if (t == ElemType::kInt8) {
      pool_config().qs8_max(s_, in[0]->as<const int8_t>(), out[0]->as<int8_t>(), QMaxPoolParams{-128, 127}, 0, rows);
    } else if (t == ElemType::kUInt8) {
      pool_config().qu8_max(s_, in[0]->as<const uint8_t>(), out[0]->as<uint8_t>(), QMaxPoolParams{0, 255}, 0, rows);
    } else {
      // Float: the reference MaxPool's rule exactly (first valid tap, then strictly greater), so
      // NaN and signed zeros come out as in the NCHW graph.
      const float* x = in[0]->as<const float>();
      float* y = out[0]->as<float>();
      const size_t c = s_.channels, oh = s_.out_h(), ow = s_.out_w();
      for (size_t b = 0; b < s_.batch; ++b)
        for (size_t oy = 0; oy < oh; ++oy)
          for (size_t ox = 0; ox < ow; ++ox) {
            float* yp = y + ((b * oh + oy) * ow + ox) * c;
            bool first = true;
            for (size_t ky = 0; ky < s_.kernel_h; ++ky) {
              const int64_t iy = static_cast<int64_t>(oy * s_.stride_h + ky * s_.dilation_h) - static_cast<int64_t>(s_.pad_top);
              if (iy < 0 || iy >= static_cast<int64_t>(s_.in_h)) continue;
              for (size_t kx = 0; kx < s_.kernel_w; ++kx) {
                const int64_t ix = static_cast<int64_t>(ox * s_.stride_w + kx * s_.dilation_w) - static_cast<int64_t>(s_.pad_left);
                if (ix < 0 || ix >= static_cast<int64_t>(s_.in_w)) continue;
                const float* xp = x + ((b * s_.in_h + static_cast<size_t>(iy)) * s_.in_w + static_cast<size_t>(ix)) * c;
                for (size_t ch = 0; ch < c; ++ch) {
                  if (first || xp[ch] > yp[ch]) yp[ch] = xp[ch];
                }
                first = false;
              }
            }
            if (first) for (size_t ch = 0; ch < c; ++ch) yp[ch] = -std::numeric_limits<float>::infinity();
          }
    }
  }

 private:
  std::vector<int64_t> kernel_, strides_, pads_, dilations_;
  PoolShape s_;
};

}  // namespace

void register_quant_conv_ops(OpRegistry& r) {
  add_op(r, "com.microsoft:QLinearAveragePool", [](const OpContext& c) -> std::unique_ptr<Op> { return std::make_unique<QAvgPoolOp>(c); });
  add_op(r, "QLinearConv", [](const OpContext& c) -> std::unique_ptr<Op> { return std::make_unique<QConvOp>(c, true); });
  add_op(r, "wasmq:MaxPool", [](const OpContext& c) -> std::unique_ptr<Op> { return std::make_unique<NhwcMaxPoolOp>(c); });
  add_op(r, "ConvInteger", [](const OpContext& c) -> std::unique_ptr<Op> { return std::make_unique<QConvOp>(c, false); });
}

}  // namespace wasmq::rt
