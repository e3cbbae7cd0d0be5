// handler.hpp — the hot path of the Logger refactor: a request handler with
// ten debug calls between ten steps of work, written once as a template over
// the logger type.  Instantiated with the Logger interface it is the
// original (ten virtual calls); with LevelLogger it is both refactors at once,
// because in C++ a function written against the concrete type and a template
// instantiated with it compile to the same code (Go's generic version, one
// body per GC shape, does not: see go/logger.go).
#pragma once

#include <cstdint>
#include <string>

#include "logger.hpp"

/// The handler against the interface.  Precondition: l is not null.
extern "C" int64_t iface_bench_handle_interface(ifacebench::Logger* l, int64_t req);

namespace ifacebench {

class LevelLogger;

/// The handler's body for any logger type L with debug(msg, v).  Always
/// inlined, so each handler's own symbol holds the whole body for objdump
/// (GCC would otherwise emit the larger instantiations once and tail-jump).
template <class L>
[[gnu::always_inline]] inline int64_t handle_request(L& l, int64_t req) {
  auto x = static_cast<uint64_t>(req);  // unsigned: Go's wrapping int64 arithmetic
  l.debug("request received", static_cast<int64_t>(x));
  x = x * 31 + 7;
  l.debug("headers parsed", static_cast<int64_t>(x));
  x ^= x >> 7;
  l.debug("user looked up", static_cast<int64_t>(x));
  x = x * 17 + 3;
  l.debug("quota checked", static_cast<int64_t>(x));
  x ^= x << 9;
  l.debug("cache missed", static_cast<int64_t>(x));
  x = x * 13 + 5;
  l.debug("backend called", static_cast<int64_t>(x));
  x ^= x >> 11;
  l.debug("backend answered", static_cast<int64_t>(x));
  x = x * 7 + 1;
  l.debug("response built", static_cast<int64_t>(x));
  x ^= x << 3;
  l.debug("response written", static_cast<int64_t>(x));
  x = x * 5 + 9;
  l.debug("request done", static_cast<int64_t>(x));
  return static_cast<int64_t>(x);
}

/// One version of the handler, by its name in the report.
struct HandlerVersion {
  /// "interface", "concrete", "generic".
  const char* name;
  /// The function objdump prints.
  const char* symbol;
  /// What the version is, for the report.
  const char* what;
};

/// The versions in report order.
const HandlerVersion* handler_versions(int* count);

/// Handles requests 0..n-1 with version `name` against l; returns the sum of
/// the results.  Precondition: name is one of handler_versions().
int64_t run_handler(const std::string& name, LevelLogger& l, int64_t n);

}  // namespace ifacebench
