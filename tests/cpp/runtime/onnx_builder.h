// Test helper: a tiny protobuf encoder that writes ONNX ModelProto bytes (field numbers from
// onnx.proto), so runtime tests build their models in code instead of committing binaries.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "runtime/model.h"

namespace wasmq_test {

// The runtime's model of bytes the builder made (throws wasmq::Error as Model::load does).
inline std::unique_ptr<wasmq::rt::Model> load(const std::string& bytes) {
  return wasmq::rt::Model::load(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

class Pb {
 public:
  Pb& varint(uint32_t field, uint64_t v) {
    key(field, 0);
    raw_varint(v);
    return *this;
  }
  Pb& bytes(uint32_t field, const std::string& s) {
    key(field, 2);
    raw_varint(s.size());
    buf_ += s;
    return *this;
  }
  Pb& msg(uint32_t field, const Pb& m) { return bytes(field, m.str()); }
  Pb& f32(uint32_t field, float f) {
    key(field, 5);
    char b[4];
    std::memcpy(b, &f, 4);
    buf_.append(b, 4);
    return *this;
  }
  Pb& packed_varints(uint32_t field, const std::vector<int64_t>& v) {
    Pb p;
    for (int64_t x : v) p.raw_varint(static_cast<uint64_t>(x));
    return bytes(field, p.str());
  }
  Pb& raw(const std::string& s) {
    buf_ += s;
    return *this;
  }
  const std::string& str() const { return buf_; }
  void raw_varint(uint64_t v) {
    do {
      uint8_t b = v & 0x7F;
      v >>= 7;
      if (v) b |= 0x80;
      buf_.push_back(static_cast<char>(b));
    } while (v);
  }

 private:
  void key(uint32_t field, uint32_t wire) { raw_varint((uint64_t{field} << 3) | wire); }
  std::string buf_;
};

// TensorProto with float raw_data.
inline Pb tensor_f32(const std::string& name, const std::vector<int64_t>& dims, const std::vector<float>& v) {
  Pb t;
  for (int64_t d : dims) t.varint(1, static_cast<uint64_t>(d));
  t.varint(2, 1).bytes(8, name);
  t.bytes(9, std::string(reinterpret_cast<const char*>(v.data()), v.size() * 4));
  return t;
}

inline Pb tensor_i64(const std::string& name, const std::vector<int64_t>& dims, const std::vector<int64_t>& v) {
  Pb t;
  for (int64_t d : dims) t.varint(1, static_cast<uint64_t>(d));
  t.varint(2, 7).bytes(8, name).packed_varints(7, v);
  return t;
}

inline Pb attr_int(const std::string& name, int64_t v) { return Pb().bytes(1, name).varint(20, 2).varint(3, static_cast<uint64_t>(v)); }
inline Pb attr_ints(const std::string& name, const std::vector<int64_t>& v) { return Pb().bytes(1, name).varint(20, 7).packed_varints(8, v); }
inline Pb attr_float(const std::string& name, float v) { return Pb().bytes(1, name).varint(20, 1).f32(2, v); }
inline Pb attr_string(const std::string& name, const std::string& v) { return Pb().bytes(1, name).varint(20, 3).bytes(4, v); }

inline Pb node(const std::string& op, const std::vector<std::string>& in, const std::vector<std::string>& out,
               const std::vector<Pb>& attrs = {}, const std::string& name = "") {
  Pb n;
  for (const auto& s : in) n.bytes(1, s);
  for (const auto& s : out) n.bytes(2, s);
  n.bytes(3, name.empty() ? op + "_" + (out.empty() ? std::string() : out[0]) : name).bytes(4, op);
  for (const Pb& a : attrs) n.msg(5, a);
  return n;
}

// ValueInfoProto; dims < 0 become dim_param "N".
inline Pb value_info(const std::string& name, int32_t elem, const std::vector<int64_t>& dims) {
  Pb shape;
  for (int64_t d : dims) shape.msg(1, d >= 0 ? Pb().varint(1, static_cast<uint64_t>(d)) : Pb().bytes(2, "N"));
  Pb tensor;
  tensor.varint(1, static_cast<uint64_t>(elem)).msg(2, shape);
  return Pb().bytes(1, name).msg(2, Pb().msg(1, tensor));
}

// A tensor of any element type from its raw little-endian bytes (raw_data).
template <typename T>
Pb tensor_raw(const std::string& name, const std::vector<int64_t>& dims, int32_t dtype, const std::vector<T>& v) {
  Pb t;
  for (int64_t d : dims) t.varint(1, static_cast<uint64_t>(d));
  t.varint(2, static_cast<uint64_t>(dtype)).bytes(8, name);
  t.bytes(9, std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T)));
  return t;
}

// A node of the com.microsoft domain.
inline Pb ms_node(const std::string& op, const std::vector<std::string>& in, const std::vector<std::string>& out,
                  const std::vector<Pb>& attrs = {}) {
  Pb n = node(op, in, out, attrs);
  n.bytes(7, "com.microsoft");
  return n;
}

inline std::string model(const std::vector<Pb>& nodes, const std::vector<Pb>& inputs, const std::vector<Pb>& outputs,
                         const std::vector<Pb>& inits = {}, int64_t opset = 13) {
  Pb g;
  for (const Pb& n : nodes) g.msg(1, n);
  g.bytes(2, "g");
  for (const Pb& t : inits) g.msg(5, t);
  for (const Pb& i : inputs) g.msg(11, i);
  for (const Pb& o : outputs) g.msg(12, o);
  Pb m;
  m.varint(1, 8).bytes(2, "wasmq-test").msg(7, g).msg(8, Pb().bytes(1, "").varint(2, static_cast<uint64_t>(opset)));
  return m.str();
}

}  // namespace wasmq_test
