// throw_trace.cpp — remembering where a panic started.
//
// Go prints an unrecovered panic's traceback from the panic call.  A C++
// exception has left its frames by the time gort's goroutine entry catches it,
// so gort records the stack when the exception is thrown: this file defines
// __cxa_throw, which the C++ runtime calls for every `throw`; it saves the
// calling M's return addresses (_Unwind_Backtrace, the unwinder exceptions use
// anyway: a few µs, only on throw, no per-thread caches) and passes on to the
// C++ library's own __cxa_throw.  die_unrecovered
// (crash.cpp) prints them.  Throws inside libstdc++ itself may bind to its own
// __cxa_throw directly and are then shown from the catch point instead.
#include <dlfcn.h>
#include <unwind.h>

#include <cxxabi.h>

#include <typeinfo>

#include "current.hpp"
#include "m.hpp"

namespace {
using CxaThrow = void (*)(void*, std::type_info*, void (*)(void*));

struct Collect {
  void** pcs;
  int n;
  int max;
};

_Unwind_Reason_Code collect_pc(struct _Unwind_Context* ctx, void* arg) {
  auto* c = static_cast<Collect*>(arg);
  if (c->n == c->max) return _URC_END_OF_STACK;
  c->pcs[c->n++] = reinterpret_cast<void*>(_Unwind_GetIP(ctx));
  return _URC_NO_REASON;
}
}  // namespace

namespace gort::runtime {
// Referenced from crash.cpp so the linker always takes this object from the
// static library, even when a sanitizer runtime linked earlier also defines
// __cxa_throw (it would otherwise satisfy the reference first).
extern const int throw_trace_linked = 1;
}  // namespace gort::runtime

// Same declaration as <cxxabi.h>'s (namespace __cxxabiv1, extern "C").
namespace __cxxabiv1 {
extern "C" void __cxa_throw(void* obj, std::type_info* tinfo, void (*dest)(void*)) {
  using namespace gort::runtime;
  // A leaf: no goroutine switch can happen here, so the TLS slot is read directly.
  if (M* mp = tls_current_m; mp != nullptr && mp->curg != nullptr) {
    Collect c{mp->throw_pcs, 0, kThrowTraceDepth};
    _Unwind_Backtrace(&collect_pc, &c);
    mp->throw_npcs = c.n;
    mp->throw_goid = mp->curg->goid;
  }
  static const CxaThrow next = reinterpret_cast<CxaThrow>(dlsym(RTLD_NEXT, "__cxa_throw"));
  next(obj, tinfo, dest);
  __builtin_unreachable();
}
}  // namespace __cxxabiv1
