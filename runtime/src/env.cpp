// env.cpp — GOMAXPROCS, GODEBUG, GOTRACEBACK, GOGC and GOMEMLIMIT parsing; see env.hpp.
#include "env.hpp"

#include <sched.h>

#include <gort/runtime/internal/fatal.hpp>
#include <gort/runtime/internal/gc_support.hpp>
#include <gort/profile_rates.hpp>

#include <cctype>
#include <charconv>
#include <mutex>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "dump.hpp"
#include "p.hpp"

namespace gort::runtime {

DebugVars debug;

namespace {

struct DebugVarSpec {
  const char* name;
  int32_t DebugVars::*field;
};

constexpr DebugVarSpec kDebugVars[] = {
    {"schedtrace", &DebugVars::schedtrace},
    {"scheddetail", &DebugVars::scheddetail},
    {"asyncpreemptoff", &DebugVars::asyncpreemptoff},
    {"gctrace", &DebugVars::gctrace},
    {"gccheckmark", &DebugVars::gccheckmark},
    {"gcstoptheworld", &DebugVars::gcstoptheworld},
};

void parse_godebug(const char* env) {
  debug = DebugVars{};
  if (env == nullptr) return;
  std::string s(env);
  std::size_t pos = 0;
  while (pos <= s.size()) {
    std::size_t comma = s.find(',', pos);
    if (comma == std::string::npos) comma = s.size();
    std::string item = s.substr(pos, comma - pos);
    pos = comma + 1;
    if (item.empty()) continue;
    std::size_t eq = item.find('=');
    if (eq == std::string::npos) {
      std::fprintf(stderr, "runtime: GODEBUG: ignoring \"%s\": expected name=value\n", item.c_str());
      continue;
    }
    std::string key = item.substr(0, eq);
    std::string value = item.substr(eq + 1);
    if (key == "netpoll") {
      if (value == "uring") {
        debug.netpoll = NetpollChoice::Uring;
      } else if (value == "epoll") {
        debug.netpoll = NetpollChoice::Epoll;
      } else {
        std::fprintf(stderr, "runtime: GODEBUG: ignoring netpoll=%s: expected uring or epoll\n", value.c_str());
      }
      continue;
    }
    if (key == "memprofilerate") {
      // As Go's GODEBUG=memprofilerate=X: sets MemProfileRate (set_mem_profile_rate) at start,
      // and only when given, so a rate the program set before gort::run stays otherwise.
      int32_t n = 0;
      if (!parse_int32(value.c_str(), &n) || n < 0) {
        std::fprintf(stderr, "runtime: GODEBUG: ignoring memprofilerate=%s: expected a non-negative integer\n",
                     value.c_str());
      } else {
        gort::set_mem_profile_rate(n);
      }
      continue;
    }
    for (const DebugVarSpec& v : kDebugVars) {
      if (key != v.name) continue;
      int32_t n = 0;
      if (!parse_int32(value.c_str(), &n) || n < 0) {
        std::fprintf(stderr,
                     "runtime: GODEBUG: ignoring %s=%s: expected a non-negative integer\n",
                     key.c_str(), value.c_str());
      } else {
        debug.*v.field = n;
      }
    }
    // Unknown names are ignored silently, as Go ignores them (they may belong
    // to another Go version or to packages).
  }
}

}  // namespace

bool parse_int32(const char* s, int32_t* out) {
  if (s == nullptr || *s == '\0') return false;
  errno = 0;
  char* end = nullptr;
  long v = std::strtol(s, &end, 10);
  if (errno != 0 || *end != '\0' || v < INT32_MIN || v > INT32_MAX || std::isspace(*s)) return false;
  *out = static_cast<int32_t>(v);
  return true;
}

int32_t ncpu() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    int n = CPU_COUNT(&set);
    if (n > 0) return n;
  }
  return 1;
}

namespace {
TracebackLevel traceback_level = TracebackLevel::Single;

/// GOTRACEBACK as Go reads it (setTraceback in runtime1.go): none, single
/// (default, also ""), all, system, crash, or a number 0/1/2.
void parse_gotraceback(const char* env) {
  traceback_level = TracebackLevel::Single;
  if (env == nullptr) return;
  const std::string v(env);
  if (v.empty() || v == "single") traceback_level = TracebackLevel::Single;
  else if (v == "none" || v == "0") traceback_level = TracebackLevel::None;
  else if (v == "all" || v == "1") traceback_level = TracebackLevel::All;
  else if (v == "system" || v == "2") traceback_level = TracebackLevel::System;
  else if (v == "crash") traceback_level = TracebackLevel::Crash;
  else
    std::fprintf(stderr,
                 "runtime: GOTRACEBACK=\"%s\": expected none, single, all, system or crash; using single\n",
                 env);
}
}  // namespace

TracebackLevel debug_traceback_level() { return traceback_level; }

// mirrors parseByteCount in runtime/string.go (plus readGOMEMLIMIT's "off")
std::optional<int64_t> parse_byte_count(std::string_view s) {
  if (s == "off") return INT64_MAX;
  std::size_t digits = 0;
  while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') ++digits;
  if (digits == 0) return std::nullopt;
  const std::string_view unit = s.substr(digits);
  uint64_t mult = 1;
  if (unit.empty() || unit == "B") mult = 1;
  else if (unit == "KiB") mult = uint64_t{1} << 10;
  else if (unit == "MiB") mult = uint64_t{1} << 20;
  else if (unit == "GiB") mult = uint64_t{1} << 30;
  else if (unit == "TiB") mult = uint64_t{1} << 40;
  else return std::nullopt;
  uint64_t n = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + digits, n);
  if (ec != std::errc() || n > static_cast<uint64_t>(INT64_MAX) / mult) return std::nullopt;
  return static_cast<int64_t>(n * mult);
}

namespace {

// mirrors readGOGC: "off" or an integer; gort also warns where Go silently uses 100.
int32_t parse_gogc(const char* v) {
  if (v == nullptr || *v == '\0') return 100;
  if (std::strcmp(v, "off") == 0) return -1;
  errno = 0;
  char* end = nullptr;
  const long n = std::strtol(v, &end, 10);
  if (errno != 0 || *end != '\0' || n > INT32_MAX || n < INT32_MIN) {
    std::fprintf(stderr, "runtime: GOGC: ignoring \"%s\": expected an integer percentage or \"off\"; using 100\n", v);
    return 100;
  }
  return n < 0 ? -1 : static_cast<int32_t>(n);
}

// mirrors readGOMEMLIMIT: malformed is fatal, as in Go.
int64_t parse_gomemlimit(const char* v) {
  if (v == nullptr || *v == '\0') return INT64_MAX;
  const std::optional<int64_t> n = parse_byte_count(v);
  if (!n) {
    std::fprintf(stderr, "GOMEMLIMIT=%s\n", v);
    fatal("malformed GOMEMLIMIT; see `go doc runtime/debug.SetMemoryLimit`");
  }
  return *n;
}

}  // namespace

const GcEnvironment& gc_environment() {
  static GcEnvironment env;
  static std::once_flag once;
  std::call_once(once, [] {
    env.gogc = parse_gogc(std::getenv("GOGC"));
    env.memory_limit = parse_gomemlimit(std::getenv("GOMEMLIMIT"));
  });
  return env;
}

int32_t read_environment() {
  parse_godebug(std::getenv("GODEBUG"));
  parse_gotraceback(std::getenv("GOTRACEBACK"));
  (void)gc_environment();  // checked at start, as Go's gcinit does in schedinit
  int32_t procs = ncpu();
  if (const char* env = std::getenv("GOMAXPROCS")) {
    int32_t n = 0;
    if (parse_int32(env, &n) && n > 0) {
      procs = n > kMaxGomaxprocs ? kMaxGomaxprocs : n;
    } else if (*env != '\0') {
      std::fprintf(stderr,
                   "runtime: GOMAXPROCS=\"%s\": expected a positive integer; using %d (the CPU count)\n",
                   env, procs);
    }
  }
  return procs;
}

}  // namespace gort::runtime
