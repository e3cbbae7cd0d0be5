// object.cpp — managed allocation (gc::make's out-of-line half),
// NoCollectionScope and the slice/string panics (mirrors mallocgc's
// header-free object path in malloc.go, and panicIndex / panicmakeslicelen in
// panic.go and slice.go).  While a mark runs, allocation first pays its assist
// (assist.cpp) and the object is born marked (mwbbuf.cpp).
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

#include <algorithm>
#include <cstring>
#include <sched.h>
#include <string>

#include <gort/gc/malloc.hpp>
#include <gort/gc/mcache.hpp>
#include <gort/gc/span.hpp>
#include <gort/gc/sizeclasses.hpp>
#include <gort/runtime.hpp>
#include <gort/runtime/internal/fatal.hpp>
#include <gort/runtime/internal/gc_support.hpp>

#include "assist.hpp"
#include "mgc.hpp"
#include "mwbbuf.hpp"
#include "no_collection_scope.hpp"

namespace gort::gc {

namespace detail {

std::atomic<bool> write_barrier_enabled{false};

namespace {
std::atomic<uint64_t> copy_yields{0};
}  // namespace

// Chunks run in the copy's direction (front to back when dst is below src, as
// memmove), so overlapping ranges copy correctly across chunk boundaries; each
// chunk tests the barrier itself, since a cycle may start or end at a safe
// point.  A yield there is safe for the collector: the destination of a
// growing append is reachable only from the copier's stack, which every stack
// scan covers, and its uncopied tail is still null.  Never yields inside a
// NoCollectionScope, which belongs to the thread.
void copy_pointers_chunked(void** dst, void* const* src, std::size_t n) {
  const bool forward = dst < src;
  for (std::size_t done = 0; done < n;) {
    const std::size_t len = std::min(kCopyChunkPointers, n - done);
    const std::size_t at = forward ? done : n - done - len;
    if (__builtin_expect(write_barrier_enabled.load(std::memory_order_relaxed), 0)) {
      bulk_barrier_pre_write(dst + at, src + at, len);
    }
    move_pointer_words(dst + at, src + at, len);
    done += len;
    if (done < n && !in_no_collection_scope() && runtime::yield_if_preempted()) {
      copy_yields.fetch_add(1, std::memory_order_relaxed);
    }
  }
}

uint64_t chunked_copy_yields() { return copy_yields.load(std::memory_order_relaxed); }

namespace {
/// Depth of NoCollectionScopes on this thread.
thread_local int no_collection_depth = 0;
/// Outermost NoCollectionScopes held now, and whether a pause keeps new ones
/// out.  Not a shared_mutex: a cycle may lock on one thread and unlock on
/// another (its goroutine can move between the two pauses' ends), which a
/// shared_mutex forbids.  Each side publishes its flag, then reads the other's
/// (sequentially consistent), so at least one of them sees the other.
std::atomic<int32_t> scopes_held{0};
std::atomic<bool> scopes_locked_out{false};
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

namespace {

/// A refill (every few hundred small objects) or a large allocation is a safe
/// point: a goroutine that only computes and allocates yields there when a
/// stop-the-world or sysmon asks (Go reaches such loops through its function
/// prologues' stack checks and asynchronous preemption; gort's allocation slow
/// path is the one call every allocating loop makes).  The new object is not
/// constructed yet: its header is null, so the collector scans it
/// conservatively if anything reaches it meanwhile.
void allocation_safe_point() {
  if (runtime::on_goroutine_with_p()) gort::preempt_point();
}

}  // namespace

// mirrors mallocgc's small-object path with nextFreeFast in malloc.go.
// Not inlined: its return address (GORT_CALLER_PC, read only on the slow
// path, where a heap profile sample is taken) is where the sample's stack
// starts.  The fast path does nothing for the profile: the object that is due
// finds its span's sample_limit and takes the slow path (mcache_sample.cpp).
#define GORT_CALLER_PC reinterpret_cast<uintptr_t>(__builtin_return_address(0))
__attribute__((noinline)) void* allocate_object(std::size_t object_bytes, const TypeInfo* ti) {
  if (__builtin_expect(in_sweeper_destructor(), 0)) {
    runtime::fatal("gc: allocation from a destructor run by the sweeper");
  }
  const std::size_t size = object_bytes + ti->offset;
  if (__builtin_expect(allocate_black.load(std::memory_order_relaxed), 0)) {
    // During a mark: pay the assist first, then allocate black (mallocgc's
    // deductAssistCredit; the trigger is moot while a cycle runs).
    assist_for_allocation(size);
    bool refilled = false;
    char* base = static_cast<char*>(
        alloc_in_span(size, ti->trace == nullptr, ti->destroy != nullptr, refilled, GORT_CALLER_PC));
    if (refilled) allocation_safe_point();
    return base + ti->offset;
  }
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
        s->publish_allocations();
        return base + ti->offset;
      }
    }
  }
  bool check_trigger = false;
  char* base = static_cast<char*>(alloc_in_span(object_bytes + ti->offset, ti->trace == nullptr,
                                                ti->destroy != nullptr, check_trigger, GORT_CALLER_PC));
  if (check_trigger) {
    maybe_start_gc();
    allocation_safe_point();
  }
  return base + ti->offset;
}
#undef GORT_CALLER_PC

void check_foreign_allocation() {
  if (no_collection_depth == 0 && runtime::runtime_init_nanotime() != 0) {
    runtime::fatal(
        "gc: managed allocation on a thread without a P while the runtime runs "
        "(hold a gc::NoCollectionScope and keep the objects in gc::Roots)");
  }
}

bool in_no_collection_scope() { return no_collection_depth > 0; }

void lock_out_scopes() {
  scopes_locked_out.store(true, std::memory_order_seq_cst);
  while (scopes_held.load(std::memory_order_seq_cst) != 0) sched_yield();
}

void unlock_scopes() { scopes_locked_out.store(false, std::memory_order_seq_cst); }

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
  if (detail::no_collection_depth++ != 0) return;
  for (;;) {
    detail::scopes_held.fetch_add(1, std::memory_order_seq_cst);
    if (!detail::scopes_locked_out.load(std::memory_order_seq_cst)) return;
    detail::scopes_held.fetch_sub(1, std::memory_order_seq_cst);
    while (detail::scopes_locked_out.load(std::memory_order_seq_cst)) sched_yield();
  }
}

NoCollectionScope::~NoCollectionScope() {
  if (--detail::no_collection_depth == 0) detail::scopes_held.fetch_sub(1, std::memory_order_seq_cst);
}

}  // namespace gort::gc
