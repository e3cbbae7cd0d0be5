// root_range.cpp — the registry of root ranges (gort/runtime/internal/root_range.hpp)
// and the exception objects registered in it.
//
// Registry.  A sentinel-headed doubly-linked list of RootRange nodes under one
// mutex, as gc/src/root.cpp keeps gc::Roots: O(1) registration, and the
// collector walks the list holding the lock (so a range cannot be unregistered
// and its memory freed while it is being scanned).  Shading (the barrier of a
// range registered or unregistered during a mark) happens outside the lock: it
// may flush a write-barrier buffer, and the collector's walk holds the lock
// while it marks.  "A mark runs" is the scheduler's gc_marking flag, which
// changes only with the world stopped, together with the collector's write
// barrier flag.
//
// Exceptions (Go's panic values).  A C++ exception object lives in memory
// libstdc++ takes from malloc, from the throw until its last handler or
// exception_ptr lets go — Go's panic value is an ordinary heap value all that
// time.  gort interposes __cxa_allocate_exception and __cxa_free_exception
// (the executable's definitions win over libstdc++'s, for libstdc++'s own
// throws too): each exception object is allocated with a RootRange after it
// and registered for its lifetime.  The node cannot be found from the object
// at free time (its size is not passed), so exception ranges are also linked
// into a list of their own, searched by address when they are freed; few
// exceptions are alive at once.  The interposers forward to the next
// definition (dlsym RTLD_NEXT): libstdc++'s, or a sanitizer's in between.
#include <gort/runtime/internal/root_range.hpp>

#include <atomic>
#include <cstdint>
#include <mutex>

#include <dlfcn.h>

#include "sched.hpp"

namespace gort::runtime {

namespace {

struct Registry {
  std::mutex lock;
  RootRange head;
  Registry() { head.prev = head.next = &head; }
};

Registry& registry() {
  static auto* r = new Registry();  // never destroyed: ranges may outlive main
  return *r;
}

void shade_if_marking(const void* lo, std::size_t bytes) noexcept {
  if (!sched.gc_marking.load(std::memory_order_relaxed)) return;
  if (const GcHooks* hooks = gc_hooks(); hooks != nullptr) {
    hooks->shade_root_range(lo, static_cast<const char*>(lo) + bytes);
  }
}

void link(RootRange* list, RootRange* r) {
  r->next = list->next;
  r->prev = list;
  list->next->prev = r;
  list->next = r;
}

void unlink(RootRange* r) {
  r->prev->next = r->next;
  r->next->prev = r->prev;
  r->next = r->prev = nullptr;
}

}  // namespace

void register_root_range(RootRange* r) noexcept {
  if (r->bytes < sizeof(void*)) return;  // cannot hold a pointer
  {
    Registry& reg = registry();
    std::lock_guard<std::mutex> guard(reg.lock);
    link(&reg.head, r);
  }
  shade_if_marking(r->lo, r->bytes);
}

void unregister_root_range(RootRange* r) noexcept {
  if (r->bytes < sizeof(void*)) return;
  shade_if_marking(r->lo, r->bytes);
  Registry& reg = registry();
  std::lock_guard<std::mutex> guard(reg.lock);
  unlink(r);
}

void shade_root_range(const void* lo, std::size_t bytes) noexcept { shade_if_marking(lo, bytes); }

std::size_t for_each_root_range(void (*fn)(const void* lo, const void* hi, void* arg), void* arg) {
  Registry& reg = registry();
  std::lock_guard<std::mutex> guard(reg.lock);
  std::size_t bytes = 0;
  for (RootRange* r = reg.head.next; r != &reg.head; r = r->next) {
    fn(r->lo, static_cast<const char*>(r->lo) + r->bytes, arg);
    bytes += r->bytes;
  }
  return bytes;
}

namespace {

/// An exception object's range, placed after the object in its allocation.
struct ExceptionRange {
  RootRange range;
  /// Links in the exception list (under the registry lock).
  ExceptionRange* prev;
  ExceptionRange* next;
};

/// Live exception ranges, for __cxa_free_exception to find them by address.
ExceptionRange* exceptions = nullptr;

/// Bytes of the thrown object rounded up so the ExceptionRange after it is aligned.
std::size_t exception_range_offset(std::size_t thrown_size) {
  return (thrown_size + alignof(ExceptionRange) - 1) / alignof(ExceptionRange) * alignof(ExceptionRange);
}

template <class Fn>
Fn next_definition(const char* name) {
  return reinterpret_cast<Fn>(dlsym(RTLD_NEXT, name));
}

}  // namespace

}  // namespace gort::runtime

using gort::runtime::ExceptionRange;

// The Itanium C++ ABI's exception allocation (libsupc++ eh_alloc.cc).
extern "C" void* __cxa_allocate_exception(std::size_t thrown_size) noexcept {
  using namespace gort::runtime;
  static const auto real = next_definition<void* (*)(std::size_t) noexcept>("__cxa_allocate_exception");
  const std::size_t offset = exception_range_offset(thrown_size);
  void* obj = real(offset + sizeof(ExceptionRange));
  auto* er = reinterpret_cast<ExceptionRange*>(static_cast<char*>(obj) + offset);
  er->range.lo = obj;
  er->range.bytes = thrown_size;
  {
    Registry& reg = registry();
    std::lock_guard<std::mutex> guard(reg.lock);
    er->prev = nullptr;
    er->next = exceptions;
    if (exceptions != nullptr) exceptions->prev = er;
    exceptions = er;
    link(&reg.head, &er->range);
  }
  // No shading: the object is being born, not yet holding any value.
  return obj;
}

extern "C" void __cxa_free_exception(void* obj) noexcept {
  using namespace gort::runtime;
  static const auto real = next_definition<void (*)(void*) noexcept>("__cxa_free_exception");
  ExceptionRange* found = nullptr;
  {
    Registry& reg = registry();
    std::lock_guard<std::mutex> guard(reg.lock);
    for (ExceptionRange* er = exceptions; er != nullptr; er = er->next) {
      if (er->range.lo != obj) continue;
      if (er->prev != nullptr) er->prev->next = er->next;
      else exceptions = er->next;
      if (er->next != nullptr) er->next->prev = er->prev;
      unlink(&er->range);
      found = er;
      break;
    }
  }
  // The deletion barrier: the object's values may have gone to a scanned stack.
  if (found != nullptr) shade_if_marking(found->range.lo, found->range.bytes);
  real(obj);
}
