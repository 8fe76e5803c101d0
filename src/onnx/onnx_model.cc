// ONNX ModelProto decoder on top of PbReader: field numbers follow onnx/onnx.proto (IR v3–v10).
#include "onnx/onnx_model.h"

#include <cstring>

#include "common/error.h"
#include "onnx/pb_reader.h"

namespace wasmq::onnx {

bool is_supported_elem(ElemType t) { return elem_size(t) != 0; }

size_t elem_size(ElemType t) {
  switch (t) {
    case ElemType::kFloat: return 4;
    case ElemType::kUInt8: return 1;
    case ElemType::kInt8: return 1;
    case ElemType::kInt16: return 2;
    case ElemType::kInt32: return 4;
    case ElemType::kInt64: return 8;
    case ElemType::kBool: return 1;
    case ElemType::kFloat16: return 2;
    case ElemType::kDouble: return 8;
    default: return 0;
  }
}

std::string elem_onnx_name(ElemType t) {
  switch (t) {
    case ElemType::kUndefined: return "UNDEFINED";
    case ElemType::kFloat: return "FLOAT";
    case ElemType::kUInt8: return "UINT8";
    case ElemType::kInt8: return "INT8";
    case ElemType::kUInt16: return "UINT16";
    case ElemType::kInt16: return "INT16";
    case ElemType::kInt32: return "INT32";
    case ElemType::kInt64: return "INT64";
    case ElemType::kString: return "STRING";
    case ElemType::kBool: return "BOOL";
    case ElemType::kFloat16: return "FLOAT16";
    case ElemType::kDouble: return "DOUBLE";
    case ElemType::kUInt32: return "UINT32";
    case ElemType::kUInt64: return "UINT64";
    case ElemType::kBFloat16: return "BFLOAT16";
  }
  return "type " + std::to_string(static_cast<int32_t>(t));
}

const char* elem_js_name(ElemType t) {
  switch (t) {
    case ElemType::kFloat: return "float32";
    case ElemType::kUInt8: return "uint8";
    case ElemType::kInt8: return "int8";
    case ElemType::kInt16: return "int16";
    case ElemType::kInt32: return "int32";
    case ElemType::kInt64: return "int64";
    case ElemType::kBool: return "bool";
    case ElemType::kFloat16: return "float16";
    case ElemType::kDouble: return "float64";
    default: return "unsupported";
  }
}

size_t TensorData::numel() const {
  size_t n = 1;
  for (int64_t d : dims) n *= static_cast<size_t>(d);
  return n;
}

namespace {

// Fills t.data from one of the typed repeated fields, converting to the element's native layout.
template <typename Src>
void store_typed(TensorData& t, const std::vector<Src>& v) {
  const size_t es = elem_size(t.dtype);
  t.data.resize(v.size() * es);
  uint8_t* out = t.data.data();
  for (size_t i = 0; i < v.size(); ++i, out += es) {
    switch (t.dtype) {
      case ElemType::kFloat: { const float x = static_cast<float>(v[i]); std::memcpy(out, &x, 4); break; }
      case ElemType::kDouble: { const double x = static_cast<double>(v[i]); std::memcpy(out, &x, 8); break; }
      case ElemType::kInt64: { const int64_t x = static_cast<int64_t>(v[i]); std::memcpy(out, &x, 8); break; }
      case ElemType::kInt32: { const int32_t x = static_cast<int32_t>(v[i]); std::memcpy(out, &x, 4); break; }
      case ElemType::kFloat16: { const uint16_t x = static_cast<uint16_t>(v[i]); std::memcpy(out, &x, 2); break; }
      case ElemType::kInt16: { const int16_t x = static_cast<int16_t>(v[i]); std::memcpy(out, &x, 2); break; }
      case ElemType::kInt8: *out = static_cast<uint8_t>(static_cast<int8_t>(v[i])); break;
      case ElemType::kUInt8: *out = static_cast<uint8_t>(v[i]); break;
      case ElemType::kBool: *out = v[i] != 0 ? 1 : 0; break;
      default: break;
    }
  }
}

TensorData read_tensor_bytes(std::string_view b, const std::string& where_in) {
  std::string where = where_in;
  PbReader r(reinterpret_cast<const uint8_t*>(b.data()), b.size(), where);
  TensorData t;
  int32_t dtype = 0;
  std::string_view raw;
  bool has_raw = false, external = false;
  std::vector<float> floats;
  std::vector<int64_t> i32s, i64s;
  std::vector<double> doubles;
  bool has_strings = false, has_u64 = false;
  while (r.next()) {
    switch (r.field()) {
      case 1:
        r.get_repeated_varint("dims", [&](uint64_t v) {
          if (t.dims.size() >= kMaxRank) r.error("rank exceeds " + std::to_string(kMaxRank));
          t.dims.push_back(static_cast<int64_t>(v));
        });
        break;
      case 2: dtype = r.get_int32("data_type"); break;
      case 3: r.error("segmented tensors are not supported");
      case 4: r.get_repeated_float("float_data", [&](float f) { floats.push_back(f); }); break;
      case 5: r.get_repeated_varint("int32_data", [&](uint64_t v) { i32s.push_back(static_cast<int64_t>(v)); }); break;
      case 6: has_strings = true; r.skip(); break;
      case 7: r.get_repeated_varint("int64_data", [&](uint64_t v) { i64s.push_back(static_cast<int64_t>(v)); }); break;
      case 8:
        t.name = r.get_string("name");
        where = where_in + " '" + t.name + "'";
        break;
      case 9: raw = r.get_bytes("raw_data"); has_raw = true; break;
      case 10: r.get_repeated_double("double_data", [&](double d) { doubles.push_back(d); }); break;
      case 11: has_u64 = true; r.skip(); break;
      case 13: external = true; r.skip(); break;
      case 14: if (r.get_int32("data_location") == 1) external = true; break;
      default: r.skip();
    }
  }
  const std::string label = t.name.empty() ? where_in : where_in + " '" + t.name + "'";
  if (external) {
    fail(label + ": external data (weights in a separate file) is not supported; save the model with all "
         "tensors inside the .onnx file (onnx.save_model(..., save_as_external_data=False))");
  }
  t.dtype = static_cast<ElemType>(dtype);
  if (has_strings || t.dtype == ElemType::kString) fail(label + ": string tensors are not supported");
  if (!is_supported_elem(t.dtype)) {
    fail(label + ": data type " + elem_onnx_name(t.dtype) +
         " is not supported (supported: FLOAT, FLOAT16, DOUBLE, INT8, UINT8, INT16, INT32, INT64, BOOL)");
  }
  const size_t es = elem_size(t.dtype);
  uint64_t numel = 1;
  for (size_t i = 0; i < t.dims.size(); ++i) {
    const int64_t d = t.dims[i];
    if (d < 0) fail(label + ": dims[" + std::to_string(i) + "] is negative (" + std::to_string(d) + ")");
    if (d != 0 && numel > kMaxTensorBytes / es / static_cast<uint64_t>(d)) {
      fail(label + ": dims give more than " + std::to_string(kMaxTensorBytes >> 20) + " MiB of data (allocation cap)");
    }
    numel *= static_cast<uint64_t>(d);
  }
  if (numel > kMaxTensorBytes / es) fail(label + ": tensor exceeds the allocation cap");
  if (has_raw) {
    if (raw.size() != numel * es) {
      fail(label + ": raw_data has " + std::to_string(raw.size()) + " bytes but dims x " + elem_onnx_name(t.dtype) +
           " need " + std::to_string(numel * es));
    }
    t.data.assign(reinterpret_cast<const uint8_t*>(raw.data()), reinterpret_cast<const uint8_t*>(raw.data()) + raw.size());
    return t;
  }
  if (has_u64) fail(label + ": uint64_data is not supported for " + elem_onnx_name(t.dtype));
  size_t count = 0;
  const char* field = "";
  switch (t.dtype) {
    case ElemType::kFloat: count = floats.size(); field = "float_data"; break;
    case ElemType::kDouble: count = doubles.size(); field = "double_data"; break;
    case ElemType::kInt64: count = i64s.size(); field = "int64_data"; break;
    default: count = i32s.size(); field = "int32_data"; break;
  }
  if (count != numel) {
    fail(label + ": " + field + " has " + std::to_string(count) + " values but dims need " + std::to_string(numel));
  }
  switch (t.dtype) {
    case ElemType::kFloat: store_typed(t, floats); break;
    case ElemType::kDouble: store_typed(t, doubles); break;
    case ElemType::kInt64: store_typed(t, i64s); break;
    default: store_typed(t, i32s); break;
  }
  return t;
}

TensorData read_tensor(PbReader& outer, const std::string& where_in) {
  return read_tensor_bytes(outer.get_bytes("tensor"), where_in);
}

ValueInfoDef read_value_info(PbReader& outer, const std::string& where_in) {
  const std::string_view b = outer.get_bytes("value_info");
  std::string where = where_in;
  PbReader r(reinterpret_cast<const uint8_t*>(b.data()), b.size(), where);
  ValueInfoDef v;
  while (r.next()) {
    if (r.field() == 1) {
      v.name = r.get_string("name");
      where = where_in + " '" + v.name + "'";
    } else if (r.field() == 2) {
      const std::string_view tb = r.get_bytes("type");
      PbReader tr(reinterpret_cast<const uint8_t*>(tb.data()), tb.size(), where);
      while (tr.next()) {
        if (tr.field() != 1) {  // sequence / map / optional / sparse types
          if (tr.wire() == WireType::kLen) {
            const uint32_t f = tr.field();
            const char* kind = f == 4 ? "sequence" : f == 5 ? "map" : f == 8 ? "sparse tensor" : f == 9 ? "optional" : "non-tensor";
            fail(where + ": only tensor types are supported (this value has a " + kind + " type)");
          }
          tr.skip();
          continue;
        }
        const std::string_view ttb = tr.get_bytes("tensor_type");
        PbReader ttr(reinterpret_cast<const uint8_t*>(ttb.data()), ttb.size(), where);
        while (ttr.next()) {
          if (ttr.field() == 1) {
            v.dtype = static_cast<ElemType>(ttr.get_int32("elem_type"));
          } else if (ttr.field() == 2) {
            v.has_shape = true;
            const std::string_view sb = ttr.get_bytes("shape");
            PbReader sr(reinterpret_cast<const uint8_t*>(sb.data()), sb.size(), where);
            while (sr.next()) {
              if (sr.field() != 1) { sr.skip(); continue; }
              if (v.dims.size() >= kMaxRank) sr.error("rank exceeds " + std::to_string(kMaxRank));
              const std::string_view db = sr.get_bytes("dim");
              PbReader dr(reinterpret_cast<const uint8_t*>(db.data()), db.size(), where);
              Dim d;
              while (dr.next()) {
                if (dr.field() == 1) {
                  d.value = dr.get_int64("dim_value");
                  if (d.value < 0) dr.error("dim_value is negative (" + std::to_string(d.value) + ")");
                } else if (dr.field() == 2) {
                  d.param = dr.get_string("dim_param");
                } else {
                  dr.skip();
                }
              }
              v.dims.push_back(std::move(d));
            }
          } else {
            ttr.skip();
          }
        }
      }
    } else {
      r.skip();
    }
  }
  return v;
}

Attribute read_attribute(std::string_view b, const std::string& where_in) {
  std::string where = where_in;
  PbReader r(reinterpret_cast<const uint8_t*>(b.data()), b.size(), where);
  Attribute a;
  bool has_type = false;
  AttrType seen = AttrType::kUndefined;  // inferred from the fields present (IR < 2 has no type)
  while (r.next()) {
    switch (r.field()) {
      case 1: a.name = r.get_string("name"); where = where_in + " attribute '" + a.name + "'"; break;
      case 20: a.type = static_cast<AttrType>(r.get_int32("type")); has_type = true; break;
      case 2: a.f = r.get_float("f"); seen = AttrType::kFloat; break;
      case 3: a.i = r.get_int64("i"); seen = AttrType::kInt; break;
      case 4: a.s = r.get_string("s"); seen = AttrType::kString; break;
      case 5: a.t = std::make_shared<TensorData>(read_tensor(r, where + " tensor")); seen = AttrType::kTensor; break;
      case 6: r.skip(); seen = AttrType::kGraph; break;
      case 7: r.get_repeated_float("floats", [&](float f) { a.floats.push_back(f); }); seen = AttrType::kFloats; break;
      case 8: r.get_repeated_varint("ints", [&](uint64_t v) { a.ints.push_back(static_cast<int64_t>(v)); }); seen = AttrType::kInts; break;
      case 9: a.strings.push_back(r.get_string("strings")); seen = AttrType::kStrings; break;
      case 21: r.error("attribute references (ref_attr_name, only valid inside functions) are not supported");
      default: r.skip();
    }
  }
  if (!has_type) a.type = seen;
  return a;
}

NodeDef read_node(PbReader& outer, size_t index) {
  const std::string_view b = outer.get_bytes("node");
  std::string where = "graph.node[" + std::to_string(index) + "]";
  PbReader r(reinterpret_cast<const uint8_t*>(b.data()), b.size(), where);
  NodeDef n;
  // Attributes are decoded after the name and op type are known, so their errors name the node.
  std::vector<std::string_view> attrs;
  while (r.next()) {
    switch (r.field()) {
      case 1: n.inputs.push_back(r.get_string("input")); break;
      case 2: n.outputs.push_back(r.get_string("output")); break;
      case 3: n.name = r.get_string("name"); break;
      case 4: n.op_type = r.get_string("op_type"); break;
      case 7: n.domain = r.get_string("domain"); break;
      case 5: attrs.push_back(r.get_bytes("attribute")); break;
      default: r.skip();
    }
  }
  n.label = node_label(n, index);
  for (const std::string_view& ab : attrs) {
    n.attributes.push_back(read_attribute(ab, n.label));
  }
  if (n.op_type.empty()) fail(n.label + ": op_type is missing");
  return n;
}

GraphDef read_graph(PbReader& outer) {
  const std::string_view b = outer.get_bytes("graph");
  const std::string where = "graph";
  PbReader r(reinterpret_cast<const uint8_t*>(b.data()), b.size(), where);
  GraphDef g;
  while (r.next()) {
    switch (r.field()) {
      case 1: g.nodes.push_back(read_node(r, g.nodes.size())); break;
      case 2: g.name = r.get_string("name"); break;
      case 5: g.initializers.push_back(read_tensor(r, "initializer #" + std::to_string(g.initializers.size()))); break;
      case 11: g.inputs.push_back(read_value_info(r, "graph input #" + std::to_string(g.inputs.size()))); break;
      case 12: g.outputs.push_back(read_value_info(r, "graph output #" + std::to_string(g.outputs.size()))); break;
      case 13: g.value_infos.push_back(read_value_info(r, "value_info")); break;
      case 15: r.error("sparse initializers are not supported");
      default: r.skip();
    }
  }
  return g;
}

}  // namespace

ModelDef decode_model(const uint8_t* data, size_t size) {
  if (size == 0) fail("malformed ONNX model: the input is empty");
  const std::string where = "model";
  PbReader r(data, size, where);
  ModelDef m;
  bool has_graph = false;
  while (r.next()) {
    switch (r.field()) {
      case 1: m.ir_version = r.get_int64("ir_version"); break;
      case 2: m.producer_name = r.get_string("producer_name"); break;
      case 7:
        if (has_graph) r.error("more than one graph");
        m.graph = read_graph(r);
        has_graph = true;
        break;
      case 8: {
        const std::string_view ob = r.get_bytes("opset_import");
        const std::string ow = "opset_import";
        PbReader o(reinterpret_cast<const uint8_t*>(ob.data()), ob.size(), ow);
        std::string domain;
        int64_t version = 0;
        while (o.next()) {
          if (o.field() == 1) domain = o.get_string("domain");
          else if (o.field() == 2) version = o.get_int64("version");
          else o.skip();
        }
        if (domain == "ai.onnx") domain.clear();
        m.opsets[domain] = version;
        break;
      }
      default: r.skip();
    }
  }
  if (!has_graph) fail("malformed ONNX model: no graph (is this an .onnx file?)");
  if (m.opsets.empty()) m.opsets[""] = 1;  // IR v1/v2 models imply opset 1
  return m;
}

TensorData decode_tensor(const uint8_t* data, size_t size, const std::string& where) {
  return read_tensor_bytes(std::string_view(reinterpret_cast<const char*>(data), size), where);
}

}  // namespace wasmq::onnx
