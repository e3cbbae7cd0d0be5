// arena.cpp — arena reservation and the page -> span index (mirrors
// mheap.sysAlloc, arenaIndex, heapArena.spans, setSpans and spanOf in mheap.go).
//
// Model: the heap is a set of 64 MiB arenas, each aligned to 64 MiB, so the arena
// of an address is addr >> 26.  A flat index of 2^22 arena pointers covers the
// 48-bit address space (Go's single-level arenaL2 map on linux/amd64); it lives in
// zero-initialised static storage, so only the pages of it that are touched ever
// cost memory.  Each arena's HeapArena records, per 8 KiB page, the span that
// owns it, so an interior pointer reaches its span with two loads.
//
// Invariants: an index slot, once set, never changes (arenas are never
// returned); a page's span pointer is set while the span is in use and cleared
// when the span is freed, both under the heap lock.
//
// Rejected: a sorted span table searched by address (O(log n), and must be
// locked against growth); tagging pointers (C++ objects hold raw addresses).
#include <gort/gc/arena.hpp>

#include <sys/mman.h>

#include <cstdio>
#include <cstdlib>

#include <gort/gc/span.hpp>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

namespace gort::gc {

namespace detail {
std::atomic<HeapArena*> arena_index[kArenaIndexSlots];
}  // namespace detail

namespace {
using detail::arena_index;

/// Reports that the heap cannot grow and aborts (Go throws "out of memory").
[[noreturn]] void out_of_memory(const char* what) {
  std::fprintf(stderr, "fatal error: out of memory (%s)\n", what);
  std::abort();
}
}  // namespace

// mirrors mheap.sysAlloc in malloc.go: reserve an aligned arena, register it
uintptr_t arena_reserve(size_t count) {
  // Over-reserve by one arena and trim, to get 64 MiB alignment from mmap.
  const size_t bytes = count * kArenaBytes;
  const size_t reserve = bytes + kArenaBytes;
  void* p = mmap(nullptr, reserve, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) out_of_memory("arena mmap");
  const uintptr_t raw = reinterpret_cast<uintptr_t>(p);
  const uintptr_t base = (raw + kArenaBytes - 1) & ~(uintptr_t{kArenaBytes} - 1);
  if (base > raw) munmap(p, base - raw);
  const uintptr_t end = raw + reserve;
  if (end > base + bytes) munmap(reinterpret_cast<void*>(base + bytes), end - (base + bytes));
  for (size_t i = 0; i < count; ++i) {
    const size_t slot = (base >> 26) + i;
    if (slot >= kArenaIndexSlots) out_of_memory("arena above the 48-bit address space");
    // Metadata on the C++ heap, not in an mmap: leak checkers then see the span
    // records it points to (a large object's span is referenced only from here).
    arena_index[slot].store(new HeapArena(), std::memory_order_release);
  }
#if defined(__SANITIZE_ADDRESS__)
  // Managed objects may own malloc'd memory (a std::string member) and live
  // until exit without being collected, as in Go: LeakSanitizer must scan the
  // arenas to see those owners, or it reports their memory as leaked.
  __lsan_register_root_region(reinterpret_cast<void*>(base), bytes);
#endif
  return base;
}

// mirrors mheap.setSpans in mheap.go
void arena_set_spans(uintptr_t base, size_t npages, Span* s) {
  for (size_t i = 0; i < npages; ++i) {
    const uintptr_t page = base + i * kPageSize;
    HeapArena* ha = arena_of(page);
    ha->spans[(page % kArenaBytes) / kPageSize].store(s, std::memory_order_release);
  }
}

}  // namespace gort::gc
