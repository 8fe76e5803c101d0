// Fast nearest-neighbour Resize (float, int8, uint8): per-axis source-index maps taken from the
// reference op itself (run once per plan on an input holding each element's own index, so every
// coordinate mode and nearest_mode matches it exactly), then a row-wise gather per run.
#include <cstring>

#include "runtime/ops_fast.h"

namespace wasmq::rt {
namespace {

class FastResizeOp : public FastOp {
 public:
  explicit FastResizeOp(const OpContext& c)
      : FastOp(c), nearest_(c.get_string("mode", "nearest") == "nearest"),
        crop_(c.get_string("coordinate_transformation_mode", "half_pixel") == "tf_crop_and_resize") {}

 protected:
  bool infer_fast(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const size_t n = in[0]->numel();
    const ElemType t = in[0]->dtype;
    return nearest_ && !crop_ && (t == ElemType::kFloat || t == ElemType::kInt8 || t == ElemType::kUInt8) &&
           !in[0]->shape.empty() && n > 0 && n < (size_t{1} << 24) && out[0]->numel() > 0;
  }
  void prepare_fast(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    ref_->prepare(in, out);
    const Shape& s = in[0]->shape;
    const Shape& os = out[0]->shape;
    const size_t r = s.size();
    // The reference on x[i] = i gives, at every output element, its source's flat index.
    std::vector<float> xi(in[0]->numel()), yi(out[0]->numel());
    for (size_t i = 0; i < xi.size(); ++i) xi[i] = static_cast<float>(i);
    Tensor tin = *in[0], tout = *out[0];
    tin.data = xi.data();
    tout.data = yi.data();
    tin.dtype = tout.dtype = ElemType::kFloat;  // the index maps, whatever the data's type
    std::vector<const Tensor*> in2(in);
    std::vector<Tensor*> out2{&tout};
    for (size_t i = 1; i < out.size(); ++i) out2.push_back(out[i]);
    in2[0] = &tin;
    ref_->run(in2, out2);
    const std::vector<int64_t> ist = strides_of(s), ost = strides_of(os);
    maps_.assign(r, {});
    for (size_t d = 0; d < r; ++d) {
      for (int64_t o = 0; o < os[d]; ++o) {
        maps_[d].push_back((static_cast<int64_t>(yi[o * ost[d]]) / ist[d]) % s[d]);
      }
    }
    // Last axis copied as is (channels-last data, scale 1 on C): whole rows are memcpy'd.
    last_identity_ = os[r - 1] == s[r - 1];
    for (int64_t i = 0; i < os[r - 1] && last_identity_; ++i) last_identity_ = maps_[r - 1][static_cast<size_t>(i)] == i;
    // Check separability on every element; otherwise keep the reference for this plan.
    exact_ = true;
    std::vector<int64_t> idx(r, 0);
    for (size_t o = 0; o < yi.size() && exact_; ++o) {
      int64_t off = 0;
      for (size_t d = 0; d < r; ++d) off += maps_[d][idx[d]] * ist[d];
      exact_ = static_cast<float>(off) == yi[o];
      for (size_t d = r; d-- > 0;) {
        if (++idx[d] < os[d]) break;
        idx[d] = 0;
      }
    }
  }
  void run_fast(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    if (!exact_) {
      ref_->run(in, out);
      return;
    }
    if (in[0]->dtype == ElemType::kFloat) gather<float>(in, out);
    else gather<uint8_t>(in, out);  // int8/uint8: bytes
  }

 private:
  template <typename T>
  void gather(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) const {
    const Shape& s = in[0]->shape;
    const Shape& os = out[0]->shape;
    const size_t r = s.size(), w = os[r - 1], rows = out[0]->numel() / w;
    const std::vector<int64_t>& mw = maps_[r - 1];
    const T* x = in[0]->as<const T>();
    T* y = out[0]->as<T>();
    int64_t idx[onnx::kMaxRank] = {};
    for (size_t row = 0; row < rows; ++row) {
      int64_t off = 0, stride = s[r - 1];
      for (size_t d = r - 1; d-- > 0;) {
        off += maps_[d][idx[d]] * stride;
        stride *= s[d];
      }
      const T* xr = x + off;
      T* yr = y + row * w;
      if (last_identity_) std::memcpy(yr, xr, w * sizeof(T));
      else for (size_t i = 0; i < w; ++i) yr[i] = xr[mw[i]];
      for (size_t d = r - 1; d-- > 0;) {
        if (++idx[d] < os[d]) break;
        idx[d] = 0;
      }
    }
  }

 private:
  bool nearest_, crop_, exact_ = false, last_identity_ = false;
  std::vector<std::vector<int64_t>> maps_;
};

}  // namespace

void register_fast_resize_ops(OpRegistry& r) {
  add_op(r, "Resize", [](const OpContext& c) -> std::unique_ptr<Op> { return std::make_unique<FastResizeOp>(c); });
}

}  // namespace wasmq::rt
