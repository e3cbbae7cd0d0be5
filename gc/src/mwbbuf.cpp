// mwbbuf.cpp — the write barrier's per-P buffer and the other per-P state of a
// mark (mirrors wbBuf and wbBufFlush1 in mwbbuf.go, gcWriteBarrier's shading in
// mbarrier.go, and gcmarknewobject in mgcmark.go).
//
// The barrier (Go's hybrid barrier, Yuasa deletion + Dijkstra insertion):
// before *slot = new, shade the old pointee and the new one.  Shading is
// deferred: the two pointers go into the P's buffer, and a full buffer is
// flushed by greying each entry that names an unmarked object.  With it, a
// stack scanned once never needs rescanning: a pointer a goroutine loads onto
// its (black) stack and then deletes from the heap was shaded by the deletion;
// a pointer a goroutine with an unscanned (grey) stack stores into a black
// object was shaded by the insertion.  Go shades both unconditionally because
// it cannot cheaply tell whether the current stack is grey; neither can gort.
// Objects allocated during the mark are black (mark_new_object).
//
// A thread without a P (a std::thread inside a NoCollectionScope, a blocking
// call) has no buffer: it shades at once through its thread's marker.
#include <gort/gc/object.hpp>
#include <gort/gc/span.hpp>
#include <gort/runtime/internal/gc_support.hpp>

#include "mark.hpp"
#include "mgcwork.hpp"
#include "mwbbuf.hpp"

namespace gort::gc::detail {

std::atomic<bool> allocate_black{false};

namespace {

/// Upper bound on GOMAXPROCS (runtime's kMaxGomaxprocs, Go's _MaxGomaxprocs).
constexpr int32_t kMaxProcs = 1024;

/// Per-P states, created on a P's first use and kept (Ps are reused by id).
std::atomic<PMarkState*> p_states[kMaxProcs];

/// Bytes allocated black by threads without a P.
std::atomic<uint64_t> foreign_black_bytes{0};

PMarkState* p_state(int32_t id) {
  PMarkState* pm = p_states[id].load(std::memory_order_acquire);
  if (pm == nullptr) {
    auto* fresh = new PMarkState();
    if (p_states[id].compare_exchange_strong(pm, fresh, std::memory_order_acq_rel)) return fresh;
    delete fresh;  // another thread installed it first (only ever the P's owner, but cheap to be safe)
  }
  return pm;
}

/// Greys the entries of a buffer; returns how many objects it newly greyed.
uint64_t shade_all(const uintptr_t* entries, uint32_t n) {
  MarkState& m = thread_marker();
  const uint64_t before = m.bytes_marked;
  for (uint32_t i = 0; i < n; ++i) m.mark_address(entries[i]);
  const uint64_t greyed = m.bytes_marked - before;
  m.publish();
  return greyed;
}

/// Buffers the non-null pointees of one barrier, flushing when full (wbBuf.putFast).
void push_pair(PMarkState& pm, uintptr_t old_value, uintptr_t new_value);

/// Calls fn(state) for every P's mark state created so far.
template <class Fn>
void for_each_p_state(Fn&& fn) {
  for (auto& slot : p_states) {
    if (PMarkState* pm = slot.load(std::memory_order_acquire)) fn(*pm);
  }
}

/// Greys pm's buffered pointers and empties the buffer; returns the bytes it
/// newly greyed.
uint64_t flush_buffer(PMarkState& pm) {
  const uint32_t n = pm.wb_count.load(std::memory_order_relaxed);
  if (n == 0) return 0;
  const uint64_t greyed = shade_all(pm.wb, n);
  pm.wb_count.store(0, std::memory_order_relaxed);
  return greyed;
}

}  // namespace

PMarkState* current_p_mark_state() {
  const int32_t id = runtime::current_p_id_or_none();
  return id < 0 ? nullptr : p_state(id);
}

// mirrors wbBufFlush1
void flush_write_barrier_buffer(PMarkState& pm) { flush_buffer(pm); }

bool flush_all_write_barrier_buffers() {
  bool greyed = false;
  for_each_p_state([&](PMarkState& pm) { greyed |= flush_buffer(pm) != 0; });
  return greyed;
}

// mirrors the `if gcphase != _GCoff { wbBufFlush1(pp) }` of p.destroy
void flush_destroyed_p_mark_state(int32_t p_id) {
  PMarkState* pm = p_states[p_id].load(std::memory_order_acquire);
  if (pm == nullptr || !write_barrier_enabled.load(std::memory_order_relaxed)) return;
  flush_buffer(*pm);
}

bool any_write_barrier_buffer_used() {
  bool used = false;
  for_each_p_state([&](PMarkState& pm) { used |= pm.wb_count.load(std::memory_order_relaxed) != 0; });
  return used;
}

void reset_p_mark_states() {
  for_each_p_state([](PMarkState& pm) {
    pm.wb_count.store(0, std::memory_order_relaxed);
    pm.fractional_ns = 0;
    pm.black_bytes = 0;
  });
  foreign_black_bytes.store(0, std::memory_order_relaxed);
}

uint64_t take_black_bytes() {
  uint64_t total = foreign_black_bytes.exchange(0, std::memory_order_relaxed);
  for_each_p_state([&](PMarkState& pm) {
    total += pm.black_bytes;
    pm.black_bytes = 0;
  });
  return total;
}

// mirrors gcmarknewobject
void mark_new_object(Span* s, uintptr_t base) {
  if (!s->try_mark(s->object_index(base))) return;
  if (PMarkState* pm = current_p_mark_state()) {
    pm->black_bytes += s->elemsize;
  } else {
    foreign_black_bytes.fetch_add(s->elemsize, std::memory_order_relaxed);
  }
}

namespace {
void push_pair(PMarkState& pm, uintptr_t old_value, uintptr_t new_value) {
  uint32_t n = pm.wb_count.load(std::memory_order_relaxed);
  if (old_value != 0) pm.wb[n++] = old_value;
  if (new_value != 0) pm.wb[n++] = new_value;
  pm.wb_count.store(n, std::memory_order_relaxed);
  if (n > kWriteBarrierBufferEntries - 2) flush_write_barrier_buffer(pm);
}
}  // namespace

// mirrors gcWriteBarrier + wbBuf.putFast in mwbbuf.go
void write_barrier_slow(void* const* slot, const void* new_value) {
  const auto old_value = reinterpret_cast<uintptr_t>(__atomic_load_n(slot, __ATOMIC_RELAXED));
  const auto new_bits = reinterpret_cast<uintptr_t>(new_value);
  if (old_value == 0 && new_bits == 0) return;
  PMarkState* pm = current_p_mark_state();
  if (pm == nullptr) {
    const uintptr_t both[2] = {old_value, new_bits};
    shade_all(both, 2);
    return;
  }
  push_pair(*pm, old_value, new_bits);
}

// mirrors bulkBarrierPreWrite in mbitmap.go: one call for a whole array copy
void bulk_barrier_pre_write(void* const* dst, void* const* src, std::size_t n) {
  PMarkState* pm = current_p_mark_state();
  for (std::size_t i = 0; i < n; ++i) {
    const auto old_value = reinterpret_cast<uintptr_t>(__atomic_load_n(dst + i, __ATOMIC_RELAXED));
    const auto new_value = src != nullptr ? reinterpret_cast<uintptr_t>(__atomic_load_n(src + i, __ATOMIC_RELAXED)) : 0;
    if (pm == nullptr) {
      const uintptr_t both[2] = {old_value, new_value};
      shade_all(both, 2);
      continue;
    }
    push_pair(*pm, old_value, new_value);
  }
}

// The barrier of root ranges (gort/runtime/internal/root_range.hpp): every word that
// may be a pointer is buffered like a deleted or stored pointee; the flush
// ignores words that name no object.  Reads conservatively, like a stack scan.
__attribute__((no_sanitize("address", "thread"))) void shade_range(const void* lo, const void* hi) {
  auto p = (reinterpret_cast<uintptr_t>(lo) + 7) & ~uintptr_t{7};
  const auto end = reinterpret_cast<uintptr_t>(hi);
  PMarkState* pm = current_p_mark_state();
  for (; p + sizeof(uintptr_t) <= end; p += sizeof(uintptr_t)) {
    const uintptr_t word = *reinterpret_cast<const uintptr_t*>(p);
    if (word < 4096) continue;  // null and small integers, as scan_conservative skips them
    if (pm == nullptr) {
      shade_all(&word, 1);
    } else {
      push_pair(*pm, word, 0);
    }
  }
}

}  // namespace gort::gc::detail
