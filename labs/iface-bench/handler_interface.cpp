// handler_interface.cpp — the handler against the Logger interface.  This
// translation unit sees no class derived from Logger, so each of the ten
// debug calls stays a virtual call.
#include "handler.hpp"

extern "C" [[gnu::noinline]] int64_t iface_bench_handle_interface(ifacebench::Logger* l, int64_t req) {
  return ifacebench::handle_request(*l, req);
}
