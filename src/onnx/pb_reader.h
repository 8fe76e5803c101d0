// Bounds-checked protobuf wire-format reader: every read checks the remaining length, varints are
// limited to 10 bytes, and each failure throws wasmq::Error naming the message being decoded.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "common/error.h"

namespace wasmq::onnx {

enum class WireType : uint32_t { kVarint = 0, kFixed64 = 1, kLen = 2, kStartGroup = 3, kEndGroup = 4, kFixed32 = 5 };

// Reads one protobuf message held in [data, data + size). `where` names the message in errors
// ("model", "graph.node[3] 'conv1'"); it must outlive the reader.
class PbReader {
 public:
  PbReader(const uint8_t* data, size_t size, const std::string& where)
      : begin_(data), p_(data), end_(data + size), where_(where) {}

  // Advances to the next field; false at the end of the message.
  bool next() {
    if (p_ == end_) return false;
    const uint64_t key = read_varint();
    const uint64_t field = key >> 3;
    const uint32_t wire = static_cast<uint32_t>(key & 7);
    if (field == 0 || field > 536870911u) error("field number " + std::to_string(field) + " is invalid");
    if (wire == 3 || wire == 4) error("field " + std::to_string(field) + " uses deprecated group wire type " + std::to_string(wire));
    if (wire > 5) error("field " + std::to_string(field) + " has invalid wire type " + std::to_string(wire));
    field_ = static_cast<uint32_t>(field);
    wire_ = static_cast<WireType>(wire);
    return true;
  }

  uint32_t field() const { return field_; }
  WireType wire() const { return wire_; }

  uint64_t get_varint(const char* name) {
    expect(WireType::kVarint, name);
    return read_varint();
  }
  int64_t get_int64(const char* name) { return static_cast<int64_t>(get_varint(name)); }
  // int32 fields are encoded as sign-extended 64-bit varints; values outside int32 are rejected.
  int32_t get_int32(const char* name) {
    const int64_t v = get_int64(name);
    if (v < INT32_MIN || v > INT32_MAX) error(std::string(name) + " value " + std::to_string(v) + " does not fit in int32");
    return static_cast<int32_t>(v);
  }
  float get_float(const char* name) {
    expect(WireType::kFixed32, name);
    return read_fixed32_float();
  }
  double get_double(const char* name) {
    expect(WireType::kFixed64, name);
    double d;
    need(8, name);
    std::memcpy(&d, p_, 8);
    p_ += 8;
    return d;
  }
  // A length-delimited field (string, bytes, sub-message or packed array).
  std::string_view get_bytes(const char* name) {
    expect(WireType::kLen, name);
    const uint64_t n = read_varint();
    if (n > static_cast<uint64_t>(end_ - p_)) {
      error(std::string(name) + " has length " + std::to_string(n) + " past the end of the message (" +
            std::to_string(end_ - p_) + " bytes left)");
    }
    std::string_view r(reinterpret_cast<const char*>(p_), static_cast<size_t>(n));
    p_ += n;
    return r;
  }
  std::string get_string(const char* name) { return std::string(get_bytes(name)); }

  // Repeated scalar fields accept both the packed (length-delimited) and the unpacked encoding.
  template <typename F>
  void get_repeated_varint(const char* name, F&& each) {
    if (wire_ == WireType::kVarint) {
      each(read_varint());
      return;
    }
    const std::string_view b = get_bytes(name);
    PbReader r(reinterpret_cast<const uint8_t*>(b.data()), b.size(), where_);
    while (r.p_ != r.end_) each(r.read_varint());
  }
  template <typename F>
  void get_repeated_float(const char* name, F&& each) {
    if (wire_ == WireType::kFixed32) {
      each(read_fixed32_float());
      return;
    }
    const std::string_view b = get_bytes(name);
    if (b.size() % 4 != 0) error(std::string("packed ") + name + " has " + std::to_string(b.size()) + " bytes, not a multiple of 4");
    for (size_t i = 0; i < b.size(); i += 4) {
      float f;
      std::memcpy(&f, b.data() + i, 4);
      each(f);
    }
  }
  template <typename F>
  void get_repeated_double(const char* name, F&& each) {
    if (wire_ == WireType::kFixed64) {
      each(get_double(name));
      return;
    }
    const std::string_view b = get_bytes(name);
    if (b.size() % 8 != 0) error(std::string("packed ") + name + " has " + std::to_string(b.size()) + " bytes, not a multiple of 8");
    for (size_t i = 0; i < b.size(); i += 8) {
      double d;
      std::memcpy(&d, b.data() + i, 8);
      each(d);
    }
  }

  // Skips a field this decoder does not use.
  void skip() {
    switch (wire_) {
      case WireType::kVarint: read_varint(); break;
      case WireType::kFixed64: need(8, "fixed64 field"); p_ += 8; break;
      case WireType::kFixed32: need(4, "fixed32 field"); p_ += 4; break;
      case WireType::kLen: get_bytes("length-delimited field"); break;
      default: error("cannot skip field with wire type " + std::to_string(static_cast<uint32_t>(wire_)));
    }
  }

  [[noreturn]] void error(const std::string& what) const {
    fail("malformed ONNX protobuf in " + where_ + ": " + what + " (at byte " + std::to_string(p_ - begin_) + " of that message)");
  }

 private:
  void expect(WireType w, const char* name) const {
    if (wire_ != w) {
      error(std::string(name) + " (field " + std::to_string(field_) + ") has wire type " +
            std::to_string(static_cast<uint32_t>(wire_)) + ", expected " + std::to_string(static_cast<uint32_t>(w)));
    }
  }
  void need(size_t n, const char* name) const {
    if (static_cast<size_t>(end_ - p_) < n) error(std::string(name) + " is truncated");
  }
  uint64_t read_varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      if (p_ == end_) error("varint is truncated");
      const uint8_t b = *p_++;
      if (shift == 63 && b > 1) error("varint overflows 64 bits");
      v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if (!(b & 0x80)) return v;
    }
    error("varint is longer than 10 bytes");
  }
  float read_fixed32_float() {
    need(4, "fixed32 field");
    float f;
    std::memcpy(&f, p_, 4);
    p_ += 4;
    return f;
  }

  const uint8_t* begin_;
  const uint8_t* p_;
  const uint8_t* end_;
  const std::string& where_;
  uint32_t field_ = 0;
  WireType wire_ = WireType::kVarint;
};

}  // namespace wasmq::onnx
