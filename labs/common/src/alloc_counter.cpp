// alloc_counter.cpp — the replacement global operator new/delete that count
// C++ heap allocations (see lab/alloc_counter.hpp).
//
// Every thread gets one slot of a fixed table the first time it allocates; the
// slot's counters are written only by that thread (relaxed load + store, no
// read-modify-write) and read by anyone taking a snapshot.  A goroutine can
// move between threads, but only between allocations: nothing inside
// operator new parks or yields, so each increment lands whole in the slot of
// the thread that made it.  Memory comes from malloc/aligned_alloc and goes back
// with free, so sanitizers see matching pairs.
#include "lab/alloc_counter.hpp"

#include <atomic>
#include <cstdlib>
#include <new>

namespace lab {
namespace {

/// One thread's counters.  Aligned to a cache line so that two threads'
/// increments never share one (64 bytes: x86-64's line size).
struct alignas(64) ThreadSlot {
  /// Allocations made by the owning thread.
  std::atomic<uint64_t> allocations{0};
  /// Bytes requested by the owning thread.
  std::atomic<uint64_t> bytes{0};
};

/// Threads with a slot of their own.  4,096 covers any M count a lab run
/// reaches (GOMAXPROCS Ms plus threads parked in blocking calls, sysmon and the
/// GC's workers) with room to spare; later threads share the overflow slot.
constexpr int kMaxThreadSlots = 4096;

/// The slots; index kMaxThreadSlots is the shared overflow slot.
ThreadSlot g_slots[kMaxThreadSlots + 1];
/// Slots handed out so far (may exceed kMaxThreadSlots: then the overflow slot).
std::atomic<int> g_slots_claimed{0};
/// This thread's slot, claimed at its first allocation.  A trivially
/// initialised thread_local: reading it never allocates or runs a constructor.
thread_local ThreadSlot* t_slot = nullptr;

/// Adds one allocation of `bytes` to the calling thread's counters.
[[gnu::noinline]] void count_allocation(std::size_t bytes) {
  ThreadSlot* slot = t_slot;
  if (slot == nullptr) {
    const int index = g_slots_claimed.fetch_add(1, std::memory_order_relaxed);
    slot = &g_slots[index < kMaxThreadSlots ? index : kMaxThreadSlots];
    t_slot = slot;
  }
  if (slot == &g_slots[kMaxThreadSlots]) {  // shared: needs the atomic add
    slot->allocations.fetch_add(1, std::memory_order_relaxed);
    slot->bytes.fetch_add(bytes, std::memory_order_relaxed);
    return;
  }
  slot->allocations.store(slot->allocations.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  slot->bytes.store(slot->bytes.load(std::memory_order_relaxed) + bytes, std::memory_order_relaxed);
}

/// malloc with operator new's contract: a zero-byte request still gets a
/// unique pointer.  Returns null when out of memory; counts what it returns.
void* counted_malloc(std::size_t bytes) {
  void* p = std::malloc(bytes == 0 ? 1 : bytes);
  if (p != nullptr) count_allocation(bytes);
  return p;
}

/// aligned_alloc for an over-aligned type (its size must be a multiple of the
/// alignment, so it is rounded up).  Returns null when out of memory.
void* counted_aligned_malloc(std::size_t bytes, std::align_val_t align) {
  const auto a = static_cast<std::size_t>(align);
  const std::size_t rounded = (bytes == 0 ? a : (bytes + a - 1) / a * a);
  void* p = std::aligned_alloc(a, rounded);
  if (p != nullptr) count_allocation(bytes);
  return p;
}

/// The throwing forms: out of memory is std::bad_alloc, as the standard's are.
void* throwing(void* p) {
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

}  // namespace

CxxHeapCounts read_cxx_heap_counts() {
  CxxHeapCounts sum;
  int claimed = g_slots_claimed.load(std::memory_order_relaxed);
  const int used = claimed < kMaxThreadSlots ? claimed : kMaxThreadSlots + 1;
  for (int i = 0; i < used; ++i) {
    sum.allocations += g_slots[i].allocations.load(std::memory_order_relaxed);
    sum.bytes += g_slots[i].bytes.load(std::memory_order_relaxed);
  }
  return sum;
}

}  // namespace lab

// The replaceable global allocation functions ([new.delete]): all eight forms
// of new and all the deletes that pair with them.
void* operator new(std::size_t n) { return lab::throwing(lab::counted_malloc(n)); }
void* operator new[](std::size_t n) { return lab::throwing(lab::counted_malloc(n)); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return lab::counted_malloc(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return lab::counted_malloc(n); }
void* operator new(std::size_t n, std::align_val_t a) { return lab::throwing(lab::counted_aligned_malloc(n, a)); }
void* operator new[](std::size_t n, std::align_val_t a) {
  return lab::throwing(lab::counted_aligned_malloc(n, a));
}
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return lab::counted_aligned_malloc(n, a);
}
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return lab::counted_aligned_malloc(n, a);
}

void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }
