// object.cpp — managed allocation (gc::make's out-of-line half), the write
// barrier's slow path, NoCollectionScope and the slice/string panics
// (mirrors mallocgc's header-free object path in malloc.go, writebarrierptr in
// mbarrier.go, and panicIndex / panicmakeslicelen in panic.go and slice.go).
//
// An allocation is: object bytes + header, rounded to the size class, from the
// P's mcache (noscan class when the type has no trace()).  The header stays null
// until the constructor finished (object.hpp).  When the allocation refilled a
// span or took a large one, the trigger is tested and a cycle may run before
// returning — the new object is then reachable only from the caller's stack and
// registers, which the collector scans, and its null header makes the collector
// scan its (zeroed) memory conservatively.
#include <gort/gc/collector.hpp>
#include <gort/gc/object.hpp>
#include <gort/gc/slice.hpp>

#include <cstring>
#include <shared_mutex>
#include <string>

#include <gort/gc/malloc.hpp>
#include <gort/gc/mcache.hpp>
#include <gort/gc/span.hpp>
#include <gort/gc/sizeclasses.hpp>
#include <gort/runtime/fatal.hpp>
#include <gort/runtime/gc_support.hpp>

#include "collector.hpp"

namespace gort::gc {

namespace detail {

std::atomic<bool> write_barrier_enabled{false};

namespace {
/// Depth of NoCollectionScopes on this thread.
thread_local int no_collection_depth = 0;
/// Held shared by every NoCollectionScope, exclusively by a collection.
std::shared_mutex& collection_exclusion() {
  static std::shared_mutex m;
  return m;
}
}  // namespace

namespace {

/// Zeroes a small object with inline stores: a call to memset costs more than
/// the four stores of a 32-byte object (Go inlines memclrNoHeapPointers' small
/// case).  The empty asm hides the loop from GCC's memset idiom recognition.
inline void zero_small(char* p, std::size_t n) {
  auto* w = reinterpret_cast<uint64_t*>(p);
  for (std::size_t i = 0; i < n / 8; ++i) {
    w[i] = 0;
    asm("" : "+r"(i));
  }
}

}  // namespace

// mirrors mallocgc's small-object path with nextFreeFast in malloc.go
void* allocate_object(std::size_t object_bytes, const TypeInfo* ti) {
  if (__builtin_expect(in_sweeper_destructor(), 0)) {
    runtime::fatal_error("gc: allocation from a destructor run by the sweeper");
  }
  const std::size_t size = object_bytes + ti->offset;
  if (size <= kMaxSmallSize) {
    if (MCache* c = current_p_mcache()) {
      Span* s = c->alloc[SpanClass::make(size_to_class(size), ti->trace == nullptr).value];
      const uint32_t idx = s->next_free_fast();
      if (idx != UINT32_MAX) {
        char* base = reinterpret_cast<char*>(s->object_address(idx));
        if (s->needzero) {
          if (s->elemsize <= 256) {
            zero_small(base, s->elemsize);
          } else {
            std::memset(base, 0, s->elemsize);
          }
        }
        if (ti->destroy != nullptr) s->has_destructors = true;
        return base + ti->offset;
      }
    }
  }
  bool check_trigger = false;
  char* base = static_cast<char*>(
      alloc_in_span(object_bytes + ti->offset, ti->trace == nullptr, ti->destroy != nullptr, check_trigger));
  if (check_trigger) maybe_start_gc();
  return base + ti->offset;
}

void check_foreign_allocation() {
  if (no_collection_depth == 0 && runtime::runtime_init_nanotime() != 0) {
    runtime::fatal_error(
        "gc: managed allocation on a thread without a P while the runtime runs "
        "(hold a gc::NoCollectionScope and keep the objects in gc::Roots)");
  }
}

bool in_no_collection_scope() { return no_collection_depth > 0; }

void lock_out_scopes() { collection_exclusion().lock(); }
void unlock_scopes() { collection_exclusion().unlock(); }

// mirrors wbBuf's slow path in mwbbuf.go: with a stop-the-world mark the
// barrier is never enabled; the concurrent mark shades here.
void write_barrier_slow(void* const* slot, const void* new_value) {
  (void)slot;
  (void)new_value;
}

std::size_t round_up_alloc_size(std::size_t n) {
  if (n <= kMaxSmallSize) return kClassToSize[size_to_class(n)];
  return (n + kPageSize - 1) / kPageSize * kPageSize;
}

void panic_index(std::size_t i, std::size_t n) {
  throw RuntimeError("runtime error: index out of range [" + std::to_string(i) + "] with length " +
                     std::to_string(n));
}

void panic_slice(std::size_t lo, std::size_t hi, std::size_t cap) {
  if (hi > cap) {
    throw RuntimeError("runtime error: slice bounds out of range [:" + std::to_string(hi) + "] with capacity " +
                       std::to_string(cap));
  }
  throw RuntimeError("runtime error: slice bounds out of range [" + std::to_string(lo) + ":" + std::to_string(hi) +
                     "]");
}

void panic_makeslice(bool cap) {
  throw RuntimeError(cap ? "runtime error: makeslice: cap out of range" : "runtime error: makeslice: len out of range");
}

}  // namespace detail

NoCollectionScope::NoCollectionScope() {
  if (detail::no_collection_depth++ == 0) detail::collection_exclusion().lock_shared();
}

NoCollectionScope::~NoCollectionScope() {
  if (--detail::no_collection_depth == 0) detail::collection_exclusion().unlock_shared();
}

}  // namespace gort::gc
