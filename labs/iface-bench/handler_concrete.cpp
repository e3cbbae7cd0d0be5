// handler_concrete.cpp — the refactored handlers: against LevelLogger
// directly, and the template instantiated with it; and the request loops.
#include <stdexcept>
#include <string>

#include "handler.hpp"
#include "level_logger.hpp"

extern "C" [[gnu::noinline]] int64_t iface_bench_handle_concrete(ifacebench::LevelLogger* l, int64_t req) {
  // Written out against the concrete type: every debug call is direct
  // (LevelLogger is final) and inlined.
  return ifacebench::handle_request<ifacebench::LevelLogger>(*l, req);
}

/// The generic version: a template over the logger type, instantiated here
/// and inlined into the symbol below, which objdump prints.
template <class L>
[[gnu::always_inline]] inline int64_t handle_generic(L& l, int64_t req) {
  return ifacebench::handle_request(l, req);
}

extern "C" [[gnu::noinline]] int64_t iface_bench_handle_template(ifacebench::LevelLogger* l, int64_t req) {
  return handle_generic(*l, req);
}

namespace ifacebench {

namespace {

/// The versions, in report order; Go's twin uses the same names.
constexpr HandlerVersion kVersions[] = {
    {"interface", "iface_bench_handle_interface", "handle(Logger&): ten virtual calls"},
    {"concrete", "iface_bench_handle_concrete", "handle(LevelLogger&): the concrete, final type"},
    {"generic", "iface_bench_handle_template", "template handle<L> instantiated with LevelLogger"},
};

}  // namespace

const HandlerVersion* handler_versions(int* count) {
  *count = static_cast<int>(std::size(kVersions));
  return kVersions;
}

int64_t run_handler(const std::string& name, LevelLogger& l, int64_t n) {
  uint64_t sum = 0;  // unsigned: wraps as Go's int64 sum does
  if (name == "interface") {
    Logger* erased = &l;
    for (int64_t r = 0; r < n; ++r) sum += static_cast<uint64_t>(iface_bench_handle_interface(erased, r));
  } else if (name == "concrete") {
    for (int64_t r = 0; r < n; ++r) sum += static_cast<uint64_t>(iface_bench_handle_concrete(&l, r));
  } else if (name == "generic") {
    for (int64_t r = 0; r < n; ++r) sum += static_cast<uint64_t>(iface_bench_handle_template(&l, r));
  } else {
    throw std::invalid_argument("unknown handler version " + name);
  }
  return static_cast<int64_t>(sum);
}

}  // namespace ifacebench
