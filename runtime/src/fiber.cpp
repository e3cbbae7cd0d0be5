// fiber.cpp — fcontext switching with ASAN and TSAN annotations; see fiber.hpp.
#include "fiber.hpp"

#include <pthread.h>

#if defined(GORT_ASAN)
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif
#if defined(GORT_TSAN)
#include <sanitizer/tsan_interface.h>
#endif

namespace gort::runtime {

namespace bc = boost::context::detail;

void fiber_make(Fiber* f, void* lo, void* top, FiberEntry entry) {
  f->stack_lo = lo;
  f->stack_size = static_cast<char*>(top) - static_cast<char*>(lo);
  f->fctx = bc::make_fcontext(top, f->stack_size, entry);
#if defined(GORT_ASAN)
  // A reused stack may carry poisoned redzones of frames that never returned.
  __asan_unpoison_memory_region(lo, f->stack_size);
#endif
#if defined(GORT_TSAN)
  if (f->tsan_fiber == nullptr) f->tsan_fiber = __tsan_create_fiber(0);
#endif
}

void fiber_adopt_thread(Fiber* f) {
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) == 0) {
    void* addr = nullptr;
    size_t size = 0;
    pthread_attr_getstack(&attr, &addr, &size);
    pthread_attr_destroy(&attr);
    f->stack_lo = addr;
    f->stack_size = size;
  }
#if defined(GORT_TSAN)
  f->tsan_fiber = __tsan_get_current_fiber();
#endif
}

void fiber_destroy(Fiber* f) {
#if defined(GORT_TSAN)
  if (f->tsan_fiber != nullptr) __tsan_destroy_fiber(f->tsan_fiber);
#endif
  f->tsan_fiber = nullptr;
  f->fctx = nullptr;
}

transfer_t fiber_switch(Fiber* from, Fiber* to, void* data, bool dying) {
#if defined(GORT_ASAN)
  __sanitizer_start_switch_fiber(dying ? nullptr : &from->asan_fake_stack, to->stack_lo,
                                 to->stack_size);
#endif
#if defined(GORT_TSAN)
  __tsan_switch_to_fiber(to->tsan_fiber, 0);
#endif
  transfer_t t = bc::jump_fcontext(to->fctx, data);
#if defined(GORT_ASAN)
  __sanitizer_finish_switch_fiber(from->asan_fake_stack, nullptr, nullptr);
#endif
  (void)from;
  (void)dying;
  return t;
}

void fiber_started(Fiber* self) {
#if defined(GORT_ASAN)
  __sanitizer_finish_switch_fiber(nullptr, nullptr, nullptr);
#endif
  (void)self;
}

}  // namespace gort::runtime

// ---- per-thread C++ exception state (eh_globals.hpp) ----
#include <cxxabi.h>

#include "eh_globals.hpp"

namespace gort::runtime {

EhGlobals* thread_eh_globals() { return reinterpret_cast<EhGlobals*>(abi::__cxa_get_globals()); }

}  // namespace gort::runtime
