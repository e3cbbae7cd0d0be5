// mwbbuf.hpp — the write barrier's per-P buffers and per-P mark state (mwbbuf.cpp;
// mirrors wbBuf in mwbbuf.go and the per-P mark fields of p), black allocation.
// Part of the collector's internal interface, one header per source file (see
// gc/README.md); not installed.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include <gort/gc/span.hpp>

namespace gort::gc::detail {

/// Pointers a P's write-barrier buffer holds before it is flushed: Go's wbBuf
/// size (512 entries, two per barrier).  A flush costs a lookup and an atomic
/// or per entry, so the buffer only amortises the call into the marker.
inline constexpr std::size_t kWriteBarrierBufferEntries = 512;

/// The collector's per-P mark state.
struct PMarkState {
  /// Old and new pointees the barrier shaded since the last flush (Go's wbBuf).
  uintptr_t wb[kWriteBarrierBufferEntries];
  /// Entries in wb.  Written only by the P's owner (relaxed stores, no RMW);
  /// read by mark termination's ragged barrier to see which Ps must flush.
  std::atomic<uint32_t> wb_count{0};
  /// This P's fractional-worker mark time in this cycle (p.gcFractionalMarkTime).
  int64_t fractional_ns = 0;
  /// Bytes this P allocated black during this mark (gcmarknewobject's bytesMarked).
  uint64_t black_bytes = 0;
};

/// The calling M's P's mark state, or null without a P.  Valid until the caller yields.
PMarkState* current_p_mark_state();
/// Greys everything in pm's write-barrier buffer and empties it (wbBufFlush).
/// Precondition: the caller runs on pm's P, or the world is stopped.
void flush_write_barrier_buffer(PMarkState& pm);
/// Flushes every P's buffer; returns true when that greyed an object the mark
/// had not reached (mark termination must then resume the mark).  World stopped.
bool flush_all_write_barrier_buffers();
/// Zeroes every P's per-cycle fields.  Precondition: world stopped.
void reset_p_mark_states();
/// Sums and zeroes the bytes allocated black this mark.  Precondition: world stopped.
uint64_t take_black_bytes();
/// True when some P's buffer holds pointers (read racily: a hint).
bool any_write_barrier_buffer_used();
/// The mark state's part of destroying P p_id (mirrors p.destroy's wbBufFlush1):
/// while the barrier is on, greys what its buffer holds, so the mark does not
/// wait on a P that will not pass through a scheduler again.  Its black_bytes
/// and fractional time stay in its slot (summed and reset over every slot).
/// Precondition: world stopped, or teardown.
void flush_destroyed_p_mark_state(int32_t p_id);

/// Shades every heap object a word of [lo, hi) points to, through the P's
/// buffer (the barrier of values moved in or out of a root range; the runtime's
/// GcHooks::shade_root_range).  Any thread.
void shade_range(const void* lo, const void* hi);

/// True while allocation marks new objects black and charges assists (Go's
/// gcBlackenEnabled); set and cleared with the world stopped.
extern std::atomic<bool> allocate_black;
/// Marks the object just allocated at base in s (mirrors gcmarknewobject).
void mark_new_object(Span* s, uintptr_t base);
/// Completes an allocation in s at base: black while marking, then visible to
/// markers (Go 1.20's freeIndexForScan update).  Caller owns s.
inline void publish_new_object(Span* s, uintptr_t base) {
  if (__builtin_expect(allocate_black.load(std::memory_order_relaxed), 0)) mark_new_object(s, base);
  s->publish_allocations();
}

}  // namespace gort::gc::detail
