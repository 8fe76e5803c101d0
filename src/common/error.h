// wasmq::Error, the one exception type the core throws for bad input; bindings turn it into a JS Error.
#pragma once

#include <stdexcept>
#include <string>

namespace wasmq {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

[[noreturn]] inline void fail(const std::string& message) { throw Error(message); }

}  // namespace wasmq

#define WASMQ_CHECK(cond, message)                     \
  do {                                                 \
    if (!(cond)) ::wasmq::fail(message);               \
  } while (0)
