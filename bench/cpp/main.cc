// C++ benchmark driver: runs registered cases, one JSON object per line on stdout.
// Usage: wasmq_bench [--suite NAME] [--filter SUBSTRING] [--quick] [--min-seconds S] [--list]
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "bench.h"

namespace wasmq_bench {

std::vector<Entry>& registry() {
  static std::vector<Entry> entries;
  return entries;
}

double median_seconds(const std::function<void()>& fn, double min_seconds) {
  using clock = std::chrono::steady_clock;
  // Warm-up: at least 3 calls and 20% of the budget.
  const auto w0 = clock::now();
  for (int i = 0; i < 3 || std::chrono::duration<double>(clock::now() - w0).count() < 0.2 * min_seconds; ++i) fn();
  std::vector<double> t;
  const auto t0 = clock::now();
  while (t.size() < 5 || (std::chrono::duration<double>(clock::now() - t0).count() < min_seconds && t.size() < 100000)) {
    const auto a = clock::now();
    fn();
    t.push_back(std::chrono::duration<double>(clock::now() - a).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

void report(const char* suite, const std::string& fields) {
  std::printf("{\"suite\":\"%s\",%s}\n", suite, fields.c_str());
  std::fflush(stdout);
}

std::string json_str(const std::string& key, const std::string& value) { return "\"" + key + "\":\"" + value + "\""; }

std::string json_num(const std::string& key, double value) {
  char buf[64];
  if (!std::isfinite(value)) return "\"" + key + "\":null";
  std::snprintf(buf, sizeof buf, "%.10g", value);
  return "\"" + key + "\":" + buf;
}

}  // namespace wasmq_bench

int main(int argc, char** argv) {
  using namespace wasmq_bench;
  Options o;
  std::string suite, filter;
  bool list = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--suite" && i + 1 < argc) suite = argv[++i];
    else if (a == "--filter" && i + 1 < argc) filter = argv[++i];
    else if (a == "--quick") o.quick = true;
    else if (a == "--min-seconds" && i + 1 < argc) o.min_seconds = std::atof(argv[++i]);
    else if (a == "--list") list = true;
    else {
      std::fprintf(stderr, "unknown argument '%s'\n", a.c_str());
      return 2;
    }
  }
  if (o.quick) o.min_seconds = std::min(o.min_seconds, 0.05);
  for (const Entry& e : registry()) {
    if (!suite.empty() && suite != e.suite) continue;
    if (!filter.empty() && std::string(e.name).find(filter) == std::string::npos) continue;
    if (list) {
      std::printf("%s %s\n", e.suite, e.name);
      continue;
    }
    e.fn(o);
  }
  return 0;
}
