// ONNX protobuf writer (field numbers from onnx.proto): the inverse of onnx_model.cc's decoder.
#include "onnx/onnx_writer.h"

#include <cstring>
#include <string>

namespace wasmq::onnx {
namespace {

class Pb {
 public:
  void varint(uint32_t field, uint64_t v) {
    key(field, 0);
    raw_varint(v);
  }
  void bytes(uint32_t field, const void* p, size_t n) {
    key(field, 2);
    raw_varint(n);
    const uint8_t* b = static_cast<const uint8_t*>(p);
    buf_.insert(buf_.end(), b, b + n);
  }
  void str(uint32_t field, const std::string& s) { bytes(field, s.data(), s.size()); }
  void msg(uint32_t field, const Pb& m) { bytes(field, m.buf_.data(), m.buf_.size()); }
  void f32(uint32_t field, float f) {
    key(field, 5);
    uint8_t b[4];
    std::memcpy(b, &f, 4);
    buf_.insert(buf_.end(), b, b + 4);
  }
  void packed_varints(uint32_t field, const std::vector<int64_t>& v) {
    Pb p;
    for (int64_t x : v) p.raw_varint(static_cast<uint64_t>(x));
    msg(field, p);
  }
  void packed_floats(uint32_t field, const std::vector<float>& v) { bytes(field, v.data(), v.size() * 4); }
  std::vector<uint8_t>& buf() { return buf_; }

 private:
  void key(uint32_t field, uint32_t wire) { raw_varint((uint64_t{field} << 3) | wire); }
  void raw_varint(uint64_t v) {
    while (v >= 0x80) {
      buf_.push_back(static_cast<uint8_t>(v | 0x80));
      v >>= 7;
    }
    buf_.push_back(static_cast<uint8_t>(v));
  }
  std::vector<uint8_t> buf_;
};

Pb tensor_pb(const TensorData& t) {
  Pb p;
  for (int64_t d : t.dims) p.varint(1, static_cast<uint64_t>(d));
  p.varint(2, static_cast<uint64_t>(t.dtype));
  if (!t.name.empty()) p.str(8, t.name);
  p.bytes(9, t.data.data(), t.data.size());
  return p;
}

Pb attribute_pb(const Attribute& a) {
  Pb p;
  p.str(1, a.name);
  switch (a.type) {
    case AttrType::kFloat: p.f32(2, a.f); break;
    case AttrType::kInt: p.varint(3, static_cast<uint64_t>(a.i)); break;
    case AttrType::kString: p.str(4, a.s); break;
    case AttrType::kTensor:
      if (a.t) p.msg(5, tensor_pb(*a.t));
      break;
    case AttrType::kFloats: p.packed_floats(7, a.floats); break;
    case AttrType::kInts: p.packed_varints(8, a.ints); break;
    case AttrType::kStrings:
      for (const std::string& s : a.strings) p.str(9, s);
      break;
    default: break;  // other kinds are never decoded into a ModelDef
  }
  p.varint(20, static_cast<uint64_t>(a.type));
  return p;
}

Pb node_pb(const NodeDef& n) {
  Pb p;
  for (const std::string& s : n.inputs) p.str(1, s);
  for (const std::string& s : n.outputs) p.str(2, s);
  if (!n.name.empty()) p.str(3, n.name);
  p.str(4, n.op_type);
  for (const Attribute& a : n.attributes) p.msg(5, attribute_pb(a));
  if (!n.domain.empty()) p.str(7, n.domain);
  return p;
}

Pb value_info_pb(const ValueInfoDef& v) {
  Pb tensor_type;
  if (v.dtype != ElemType::kUndefined) tensor_type.varint(1, static_cast<uint64_t>(v.dtype));
  if (v.has_shape) {
    Pb shape;
    for (const Dim& d : v.dims) {
      Pb dim;
      if (d.value >= 0) dim.varint(1, static_cast<uint64_t>(d.value));
      else if (!d.param.empty()) dim.str(2, d.param);
      shape.msg(1, dim);
    }
    tensor_type.msg(2, shape);
  }
  Pb type;
  type.msg(1, tensor_type);
  Pb p;
  p.str(1, v.name);
  p.msg(2, type);
  return p;
}

}  // namespace

std::vector<uint8_t> encode_model(const ModelDef& m) {
  Pb g;
  for (const NodeDef& n : m.graph.nodes) g.msg(1, node_pb(n));
  g.str(2, m.graph.name.empty() ? std::string("graph") : m.graph.name);
  for (const TensorData& t : m.graph.initializers) g.msg(5, tensor_pb(t));
  for (const ValueInfoDef& v : m.graph.inputs) g.msg(11, value_info_pb(v));
  for (const ValueInfoDef& v : m.graph.outputs) g.msg(12, value_info_pb(v));
  for (const ValueInfoDef& v : m.graph.value_infos) g.msg(13, value_info_pb(v));
  Pb p;
  p.varint(1, static_cast<uint64_t>(m.ir_version > 0 ? m.ir_version : 8));
  if (!m.producer_name.empty()) p.str(2, m.producer_name);
  p.msg(7, g);
  for (const auto& [domain, version] : m.opsets) {
    Pb o;
    if (!domain.empty()) o.str(1, domain);
    o.varint(2, static_cast<uint64_t>(version));
    p.msg(8, o);
  }
  return std::move(p.buf());
}

}  // namespace wasmq::onnx
