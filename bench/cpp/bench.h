// Tiny benchmark registry for the C++ driver: each bench/cpp/*.cc registers cases with
// WASMQ_BENCH(suite, fn); the driver runs them and prints one JSON object per line.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

namespace wasmq_bench {

struct Options {
  double min_seconds = 0.3;  // per measured case (after warm-up)
  bool quick = false;        // fewer shapes / shorter runs (CI smoke)
};

// One registered benchmark family: it emits JSON lines through report().
struct Entry {
  const char* suite;
  const char* name;
  std::function<void(const Options&)> fn;
};

std::vector<Entry>& registry();

struct Registrar {
  Registrar(const char* suite, const char* name, std::function<void(const Options&)> fn) {
    registry().push_back({suite, name, std::move(fn)});
  }
};

// Median seconds per call of fn over repeated runs of at least min_seconds in total, after a
// warm-up (V8 tiers up hot wasm functions; the first calls are slow).
double median_seconds(const std::function<void()>& fn, double min_seconds);

// Prints {"suite":..., <fields>} as one line. fields is a JSON fragment: "\"m\":256,\"gops\":61.2".
void report(const char* suite, const std::string& fields);

std::string json_str(const std::string& key, const std::string& value);
std::string json_num(const std::string& key, double value);

}  // namespace wasmq_bench

#define WASMQ_BENCH_CAT2(a, b) a##b
#define WASMQ_BENCH_CAT(a, b) WASMQ_BENCH_CAT2(a, b)
#define WASMQ_BENCH(suite, name, ...) \
  static ::wasmq_bench::Registrar WASMQ_BENCH_CAT(wasmq_bench_registrar_, __LINE__)(suite, name, __VA_ARGS__)
