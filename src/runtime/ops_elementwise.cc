// Element-wise reference ops: unary activations and math, numpy-broadcast binary arithmetic,
// Clip, Cast, Identity and inference-mode Dropout.
#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "quant/fp16.h"
#include "runtime/op.h"

namespace wasmq::rt {
namespace {

constexpr size_t kMaxLoopRank = onnx::kMaxRank;

// ---- unary float ops ----

template <typename T>
T erf_t(T x) { return std::erf(x); }

enum class Unary {
  kRelu, kLeakyRelu, kHardSigmoid, kHardSwish, kSigmoid, kTanh, kErf, kGelu, kGeluTanh, kSqrt, kExp, kLog,
  kAbs, kNeg, kReciprocal, kFloor, kCeil, kElu, kSoftplus,
};

template <typename T>
T apply_unary(Unary k, T x, double alpha, double beta) {
  switch (k) {
    case Unary::kRelu: return x > T(0) ? x : T(0);
    case Unary::kLeakyRelu: return x >= T(0) ? x : static_cast<T>(alpha * x);
    case Unary::kHardSigmoid: return static_cast<T>(std::max(0.0, std::min(1.0, alpha * x + beta)));
    case Unary::kHardSwish: return static_cast<T>(x * std::max(0.0, std::min(1.0, x / 6.0 + 0.5)));
    case Unary::kSigmoid: return x >= T(0) ? T(1) / (T(1) + std::exp(-x)) : std::exp(x) / (T(1) + std::exp(x));
    case Unary::kTanh: return std::tanh(x);
    case Unary::kErf: return std::erf(x);
    case Unary::kGelu: return static_cast<T>(0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0))));
    case Unary::kGeluTanh:
      return static_cast<T>(0.5 * x * (1.0 + std::tanh(std::sqrt(2.0 / M_PI) * (x + 0.044715 * x * x * x))));
    case Unary::kSqrt: return std::sqrt(x);
    case Unary::kExp: return std::exp(x);
    case Unary::kLog: return std::log(x);
    case Unary::kAbs: return x < T(0) ? -x : x;
    case Unary::kNeg: return -x;
    case Unary::kReciprocal: return T(1) / x;
    case Unary::kFloor: return std::floor(x);
    case Unary::kCeil: return std::ceil(x);
    case Unary::kElu: return x >= T(0) ? x : static_cast<T>(alpha * (std::exp(x) - T(1)));
    case Unary::kSoftplus: return static_cast<T>(std::log1p(std::exp(static_cast<double>(x))));
  }
  return x;
}

class UnaryOp : public Op {
 public:
  UnaryOp(const OpContext& c, Unary k, double alpha, double beta, bool ints) : k_(k), alpha_(alpha), beta_(beta), ints_(ints) {
    c.check_inputs(1, 1);
  }
  void infer(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const ElemType t = in[0]->dtype;
    const bool is_float = t == ElemType::kFloat || t == ElemType::kDouble;
    if (!is_float && !(ints_ && t != ElemType::kBool && t != ElemType::kFloat16)) {
      error("element type " + onnx::elem_onnx_name(t) + " is not supported");
    }
    out[0]->dtype = t;
    out[0]->shape = in[0]->shape;
  }
  void run(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const size_t n = in[0]->numel();
    dispatch_numeric(in[0]->dtype, label, [&](auto tag) {
      using T = decltype(tag);
      const T* x = in[0]->as<const T>();
      T* y = out[0]->as<T>();
      if constexpr (std::is_floating_point_v<T>) {
        for (size_t i = 0; i < n; ++i) y[i] = apply_unary<T>(k_, x[i], alpha_, beta_);
      } else {
        for (size_t i = 0; i < n; ++i) {
          switch (k_) {
            case Unary::kRelu: y[i] = x[i] > 0 ? x[i] : T(0); break;
            case Unary::kAbs: y[i] = x[i] < 0 ? wrap_sub(T(0), x[i]) : x[i]; break;
            case Unary::kNeg: y[i] = wrap_sub(T(0), x[i]); break;
            default: error("integer input is not supported");
          }
        }
      }
    });
  }

 private:
  Unary k_;
  double alpha_, beta_;
  bool ints_;
};

template <Unary K>
std::unique_ptr<Op> make_unary(const OpContext& c) {
  double alpha = 0, beta = 0;
  bool ints = false;
  Unary k = K;
  switch (K) {
    case Unary::kRelu: case Unary::kAbs: case Unary::kNeg: ints = true; break;
    case Unary::kLeakyRelu: alpha = c.get_float("alpha", 0.01f); break;
    case Unary::kHardSigmoid: alpha = c.get_float("alpha", 0.2f); beta = c.get_float("beta", 0.5f); break;
    case Unary::kElu: alpha = c.get_float("alpha", 1.0f); break;
    case Unary::kGelu: {
      const std::string a = c.get_string("approximate", "none");
      if (a == "tanh") k = Unary::kGeluTanh;
      else if (a != "none") c.error("approximate='" + a + "' is not supported (none, tanh)");
      break;
    }
    default: break;
  }
  return std::make_unique<UnaryOp>(c, k, alpha, beta, ints);
}

// ---- broadcasting binary ops ----

enum class Binary { kAdd, kSub, kMul, kDiv, kPow };

// Strides of `s` (right-aligned into rank r) with 0 on broadcast dimensions.
std::array<int64_t, kMaxLoopRank> broadcast_strides(const Shape& s, size_t r) {
  std::array<int64_t, kMaxLoopRank> st{};
  int64_t acc = 1;
  for (size_t i = s.size(); i-- > 0;) {
    st[i + r - s.size()] = s[i] == 1 ? 0 : acc;
    acc *= s[i];
  }
  return st;
}

// y[i] = f(a[ia], b[ib]) over the broadcast shape `out`.
template <typename A, typename B, typename Y, typename F>
void broadcast_loop(const A* a, const Shape& sa, const B* b, const Shape& sb, Y* y, const Shape& out, F f) {
  const size_t r = out.size();
  const size_t n = numel_of(out);
  if (n == 0) return;
  if (r == 0) {
    y[0] = f(a[0], b[0]);
    return;
  }
  const auto st_a = broadcast_strides(sa, r), st_b = broadcast_strides(sb, r);
  const int64_t inner = out[r - 1], ia = st_a[r - 1], ib = st_b[r - 1];
  std::array<int64_t, kMaxLoopRank> idx{};
  int64_t oa = 0, ob = 0;
  for (size_t done = 0; done < n; done += static_cast<size_t>(inner)) {
    for (int64_t j = 0; j < inner; ++j) y[done + j] = f(a[oa + j * ia], b[ob + j * ib]);
    for (size_t d = r - 1; d-- > 0;) {  // odometer over the outer dimensions
      if (++idx[d] < out[d]) {
        oa += st_a[d];
        ob += st_b[d];
        break;
      }
      oa -= st_a[d] * (out[d] - 1);
      ob -= st_b[d] * (out[d] - 1);
      idx[d] = 0;
    }
  }
}

class BinaryOp : public Op {
 public:
  BinaryOp(const OpContext& c, Binary k) : k_(k) {
    c.check_inputs(2, 2);
    // Opsets 1-6: broadcast=1 lets B broadcast to A, aligned at `axis` (default: trailing dims).
    legacy_ = c.opset() < 7 && c.get_int("broadcast", 0) != 0;
    legacy_axis_ = c.has("axis") ? c.get_int("axis", 0) : INT64_MIN;
  }
  void infer(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    if (k_ != Binary::kPow && in[0]->dtype != in[1]->dtype) {
      error("input types differ (" + onnx::elem_onnx_name(in[0]->dtype) + " and " + onnx::elem_onnx_name(in[1]->dtype) + ")");
    }
    if (in[0]->dtype == ElemType::kBool || in[0]->dtype == ElemType::kFloat16) {
      error("element type " + onnx::elem_onnx_name(in[0]->dtype) + " is not supported");
    }
    b_shape_ = in[1]->shape;
    if (legacy_ && legacy_axis_ != INT64_MIN) {
      const int64_t ra = static_cast<int64_t>(in[0]->shape.size()), rb = static_cast<int64_t>(b_shape_.size());
      const int64_t axis = legacy_axis_ < 0 ? legacy_axis_ + ra : legacy_axis_;
      if (axis < 0 || axis + rb > ra) error("legacy broadcast axis " + std::to_string(legacy_axis_) + " does not fit B in A");
      Shape s(static_cast<size_t>(ra), 1);
      for (int64_t i = 0; i < rb; ++i) s[axis + i] = b_shape_[i];
      b_shape_ = s;
    }
    out[0]->dtype = in[0]->dtype;
    out[0]->shape = broadcast_shapes(in[0]->shape, b_shape_, label);
    if (legacy_ && out[0]->shape != in[0]->shape) error("legacy broadcast must not change A's shape");
  }
  void run(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const Tensor &a = *in[0], &b = *in[1];
    dispatch_numeric(a.dtype, label, [&](auto tag) {
      using T = decltype(tag);
      const T* pa = a.as<const T>();
      T* y = out[0]->as<T>();
      if (k_ == Binary::kPow) {
        // The exponent may have another type: widen it to double once (no per-type-pair loops).
        const size_t nb = b.numel();
        exponent_.resize(nb);
        dispatch_numeric(b.dtype, label, [&](auto etag) {
          using E = decltype(etag);
          for (size_t i = 0; i < nb; ++i) exponent_[i] = static_cast<double>(b.as<const E>()[i]);
        });
        // Squares (decomposed LayerNorm's Pow(x, 2)): x * x in float is the correctly rounded
        // square, as pow in double rounded to float is (the double product of two floats is exact).
        if constexpr (std::is_same_v<T, float>) {
          if (nb == 1 && exponent_[0] == 2.0 && out[0]->numel() == a.numel()) {
            for (size_t i = 0, n = a.numel(); i < n; ++i) y[i] = pa[i] * pa[i];
            return;
          }
        }
        broadcast_loop(pa, a.shape, exponent_.data(), b_shape_, y, out[0]->shape, [](T x, double e) {
          return saturate_cast<T>(std::pow(static_cast<double>(x), e));
        });
        return;
      }
      const T* pb = b.as<const T>();
      switch (k_) {
        case Binary::kAdd: broadcast_loop(pa, a.shape, pb, b_shape_, y, out[0]->shape, [](T x, T z) { return wrap_add(x, z); }); break;
        case Binary::kSub: broadcast_loop(pa, a.shape, pb, b_shape_, y, out[0]->shape, [](T x, T z) { return wrap_sub(x, z); }); break;
        case Binary::kMul: broadcast_loop(pa, a.shape, pb, b_shape_, y, out[0]->shape, [](T x, T z) { return wrap_mul(x, z); }); break;
        case Binary::kDiv:
          if constexpr (std::is_integral_v<T>) {
            broadcast_loop(pa, a.shape, pb, b_shape_, y, out[0]->shape, [this](T x, T z) {
              if (z == 0) error("integer division by zero");
              if constexpr (std::is_signed_v<T>) {
                if (z == T(-1)) return wrap_sub(T(0), x);  // INT_MIN / -1 wraps
              }
              return static_cast<T>(x / z);
            });
          } else {
            broadcast_loop(pa, a.shape, pb, b_shape_, y, out[0]->shape, [](T x, T z) { return static_cast<T>(x / z); });
          }
          break;
        default: break;
      }
    });
  }

 private:
  Binary k_;
  std::vector<double> exponent_;  // Pow: the exponent widened to double (capacity kept across runs)
  bool legacy_;
  int64_t legacy_axis_;
  Shape b_shape_;
};

template <Binary K>
std::unique_ptr<Op> make_binary(const OpContext& c) { return std::make_unique<BinaryOp>(c, K); }

// ---- Clip: attributes (opset < 11) or optional min/max inputs ----

class ClipOp : public Op {
 public:
  explicit ClipOp(const OpContext& c) : attrs_(c.opset() < 11) {
    c.check_inputs(1, attrs_ ? 1 : 3);
    lo_ = c.get_float("min", -std::numeric_limits<float>::infinity());
    hi_ = c.get_float("max", std::numeric_limits<float>::infinity());
  }
  void infer(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    if (in[0]->dtype == ElemType::kBool || in[0]->dtype == ElemType::kFloat16) error("element type not supported");
    for (size_t i = 1; i < in.size(); ++i) {
      if (in[i] && (in[i]->dtype != in[0]->dtype || in[i]->numel() != 1)) error("min/max must be scalars of the input type");
    }
    out[0]->dtype = in[0]->dtype;
    out[0]->shape = in[0]->shape;
  }
  void run(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    dispatch_numeric(in[0]->dtype, label, [&](auto tag) {
      using T = decltype(tag);
      T lo = std::numeric_limits<T>::lowest(), hi = std::numeric_limits<T>::max();
      if (attrs_) {
        if constexpr (std::is_floating_point_v<T>) {
          lo = static_cast<T>(lo_);
          hi = static_cast<T>(hi_);
        }
      } else {
        if (in.size() > 1 && in[1]) lo = in[1]->as<const T>()[0];
        if (in.size() > 2 && in[2]) hi = in[2]->as<const T>()[0];
      }
      const T* x = in[0]->as<const T>();
      T* y = out[0]->as<T>();
      const size_t n = in[0]->numel();
      for (size_t i = 0; i < n; ++i) {
        T v = x[i] < lo ? lo : x[i];
        y[i] = v > hi ? hi : v;
      }
    });
  }

 private:
  bool attrs_;
  float lo_, hi_;
};

// ---- Cast ----

// Converts element i of a tensor of type `from` into D.
template <typename D, typename S>
D convert(S x) {
  if constexpr (std::is_same_v<D, bool>) {
    return x != S(0);
  } else if constexpr (std::is_floating_point_v<S> && std::is_integral_v<D>) {
    if (std::isnan(x)) return D(0);
    if (x <= static_cast<S>(std::numeric_limits<D>::lowest())) return std::numeric_limits<D>::lowest();
    if (x >= static_cast<S>(std::numeric_limits<D>::max())) return std::numeric_limits<D>::max();
    return static_cast<D>(x);
  } else {
    return static_cast<D>(x);
  }
}

// Tags for the two element types without a plain arithmetic C++ type: bool is stored as one byte
// (any non-zero byte reads as true: reading such bytes through `bool` would be undefined), and
// float16 as its bits.
struct BoolTag {};
struct HalfTag {};

template <typename F>
void dispatch_all(ElemType t, const std::string& who, F&& f) {
  if (t == ElemType::kBool) {
    f(BoolTag{});
  } else if (t == ElemType::kFloat16) {
    f(HalfTag{});
  } else {
    dispatch_numeric(t, who, f);
  }
}

// Element i of a source tensor as its natural value type (bool -> uint8 0/1, half -> float).
template <typename S>
auto load_elem(const void* p, size_t i) {
  if constexpr (std::is_same_v<S, BoolTag>) {
    return static_cast<uint8_t>(static_cast<const uint8_t*>(p)[i] != 0);
  } else if constexpr (std::is_same_v<S, HalfTag>) {
    return fp16_to_fp32(static_cast<const uint16_t*>(p)[i]);
  } else {
    return static_cast<const S*>(p)[i];
  }
}

template <typename D, typename V>
void store_elem(void* p, size_t i, V v) {
  if constexpr (std::is_same_v<D, BoolTag>) {
    static_cast<uint8_t*>(p)[i] = v != V(0) ? 1 : 0;
  } else if constexpr (std::is_same_v<D, HalfTag>) {
    static_cast<uint16_t*>(p)[i] = fp32_to_fp16(convert<float>(v));
  } else {
    static_cast<D*>(p)[i] = convert<D>(v);
  }
}

class CastOp : public Op {
 public:
  explicit CastOp(const OpContext& c) {
    c.check_inputs(1, 1);
    if (!c.has("to")) c.error("attribute 'to' is required");
    to_ = static_cast<ElemType>(c.get_int("to", 0));
    if (!onnx::is_supported_elem(to_)) c.error("cast to " + onnx::elem_onnx_name(to_) + " is not supported");
  }
  void infer(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    out[0]->dtype = to_;
    out[0]->shape = in[0]->shape;
  }
  void run(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const ElemType from = in[0]->dtype;
    const size_t n = in[0]->numel();
    if (from == to_) {  // includes half -> half: bit copy
      if (in[0]->bytes()) std::memcpy(out[0]->data, in[0]->data, in[0]->bytes());
      if (from == ElemType::kBool) {
        for (size_t i = 0; i < n; ++i) out[0]->as<uint8_t>()[i] = out[0]->as<uint8_t>()[i] != 0;
      }
      return;
    }
    dispatch_all(from, label, [&](auto stag) {
      using S = decltype(stag);
      dispatch_all(to_, label, [&](auto dtag) {
        using D = decltype(dtag);
        for (size_t i = 0; i < n; ++i) store_elem<D>(out[0]->data, i, load_elem<S>(in[0]->data, i));
      });
    });
  }

 private:
  ElemType to_;
};

// ---- Identity, Dropout (inference: identity, mask of ones) ----

class IdentityOp : public Op {
 public:
  IdentityOp(const OpContext& c, bool dropout) : dropout_(dropout) {
    // Inference: Dropout is the identity, whatever the pre-7 is_test attribute says (as in other
    // inference runtimes); only an explicit training_mode=true input is rejected.
    c.check_inputs(1, dropout ? 3 : 1);
  }
  std::vector<int> value_inputs() const override { return dropout_ ? std::vector<int>{2} : std::vector<int>{}; }
  void infer(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    if (dropout_ && in.size() > 2 && in[2]) {
      if (in[2]->dtype != ElemType::kBool || in[2]->numel() != 1) error("training_mode must be a bool scalar");
      if (*in[2]->as<const uint8_t>() != 0) error("training_mode=true is not supported (inference only)");
    }
    out[0]->dtype = in[0]->dtype;
    out[0]->shape = in[0]->shape;
    if (out.size() > 1) {
      out[1]->dtype = ElemType::kBool;
      out[1]->shape = in[0]->shape;
    }
  }
  void run(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    if (in[0]->bytes()) std::memcpy(out[0]->data, in[0]->data, in[0]->bytes());
    if (out.size() > 1) std::memset(out[1]->data, 1, out[1]->bytes());
  }
  bool output_aliases_input() const override { return !dropout_; }  // Dropout may write a mask

 private:
  bool dropout_;
};

}  // namespace

void register_elementwise_ops(OpRegistry& r) {
  add_op(r, "Relu", make_unary<Unary::kRelu>);
  add_op(r, "LeakyRelu", make_unary<Unary::kLeakyRelu>);
  add_op(r, "HardSigmoid", make_unary<Unary::kHardSigmoid>);
  add_op(r, "HardSwish", make_unary<Unary::kHardSwish>);
  add_op(r, "Sigmoid", make_unary<Unary::kSigmoid>);
  add_op(r, "Tanh", make_unary<Unary::kTanh>);
  add_op(r, "Erf", make_unary<Unary::kErf>);
  add_op(r, "Gelu", make_unary<Unary::kGelu>);
  add_op(r, "Sqrt", make_unary<Unary::kSqrt>);
  add_op(r, "Exp", make_unary<Unary::kExp>);
  add_op(r, "Log", make_unary<Unary::kLog>);
  add_op(r, "Abs", make_unary<Unary::kAbs>);
  add_op(r, "Neg", make_unary<Unary::kNeg>);
  add_op(r, "Reciprocal", make_unary<Unary::kReciprocal>);
  add_op(r, "Floor", make_unary<Unary::kFloor>);
  add_op(r, "Ceil", make_unary<Unary::kCeil>);
  add_op(r, "Elu", make_unary<Unary::kElu>);
  add_op(r, "Softplus", make_unary<Unary::kSoftplus>);
  add_op(r, "Add", make_binary<Binary::kAdd>);
  add_op(r, "Sub", make_binary<Binary::kSub>);
  add_op(r, "Mul", make_binary<Binary::kMul>);
  add_op(r, "Div", make_binary<Binary::kDiv>);
  add_op(r, "Pow", make_binary<Binary::kPow>);
  add_op(r, "Clip", [](const OpContext& c) -> std::unique_ptr<Op> { return std::make_unique<ClipOp>(c); });
  add_op(r, "Cast", [](const OpContext& c) -> std::unique_ptr<Op> { return std::make_unique<CastOp>(c); });
  add_op(r, "Identity", [](const OpContext& c) -> std::unique_ptr<Op> { return std::make_unique<IdentityOp>(c, false); });
  add_op(r, "Dropout", [](const OpContext& c) -> std::unique_ptr<Op> { return std::make_unique<IdentityOp>(c, true); });
}

}  // namespace wasmq::rt
