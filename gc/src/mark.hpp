// mark.hpp — the marker (mark.cpp; mirrors mgcmark.go): MarkState, the parallel
// stop-the-world mark's shared work, the roots' mark, object lookup.
// Part of the collector's internal interface, one header per source file (see
// gc/README.md); not installed.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <type_traits>
#include <vector>

#include <gort/gc/arena.hpp>
#include <gort/gc/span.hpp>

namespace gort::gc::detail {

class MarkWorkPool;

/// The most of one object a marker scans at once (Go's maxObletBytes): a larger
/// object is scanned in oblets of this size, each a grey entry of its own, so a
/// marker can stop, share or be preempted between them.  Go's value: 16,384
/// pointer words, ~0.2 ms of marking when each names a distinct object (the
/// 64 oblets of gc-forensics' 8 MiB retained slice took 13.6 ms in one piece).
inline constexpr std::size_t kMaxObletBytes = 128 << 10;

/// A grey object, or one oblet of a large one: marked, its fields (in that
/// oblet) not scanned yet (an entry of Go's workbufs, which hold an oblet as
/// its address inside the object; here the entry names the object and the
/// oblet's index, so no span lookup finds the object's start again).
struct GreyObject {
  /// The object's allocation (its header, if it has one).
  uintptr_t base;
  /// The allocation's size (its size class, or its pages for a large object).
  uint32_t bytes;
  /// For an object over kMaxObletBytes: 0 for the object as first greyed (its
  /// scan queues oblets 1..n-1, then scans oblet 0), k > 0 for bytes
  /// [k * kMaxObletBytes, (k + 1) * kMaxObletBytes) of it.  0 for smaller ones.
  uint32_t oblet;
};
static_assert(sizeof(GreyObject) == 16, "the oblet index fills the entry's padding");

/// How a MarkState shares its mark with other markers.
enum class MarkMode {
  /// Alone with the world stopped: plain bit stores, no sharing.
  Alone,
  /// One of the stop-the-world markers of a MarkWorkPool.
  Parallel,
  /// A marker of the concurrent mark: atomic bits, surplus and leftovers go to
  /// the global grey pool, counters to the cycle's MarkCounters (mgcwork.cpp).
  Concurrent,
};

/// The state of one marker: its grey objects and what it marked.  Several
/// MarkStates mark in parallel through a MarkWorkPool (mark bits are then set
/// atomically); a checkmark pass always runs alone.
class MarkState {
 public:
  /// checkmark: mark into the separate checkmark bits (gccheckmark=1).
  /// pool: the shared work of a parallel mark, or null for a marker alone.
  explicit MarkState(bool checkmark, MarkWorkPool* pool = nullptr);
  /// A marker of the concurrent mark (MarkMode::Concurrent).
  explicit MarkState(MarkMode mode);
  ~MarkState();

  /// Marks the object containing address p, if p points into an allocated
  /// object (mirrors findObject + greyobject); interior pointers count.
  void mark_address(uintptr_t p);
  /// Scans [lo, hi) word by word, marking whatever the words point to (stacks).
  void scan_conservative(const void* lo, const void* hi);
  /// Scans the fields of the object whose allocation starts at base (of
  /// `bytes`), without marking it (finalizer roots, mirrors markrootSpans);
  /// an object over kMaxObletBytes has its first oblet scanned and the others
  /// greyed here.
  void scan_object(uintptr_t base, uint32_t bytes);
  /// Scans grey objects until none is left here and, in a parallel mark, in
  /// the shared pool and in every other marker (mirrors gcDrain).
  void drain();
  /// Scans grey objects held here (no pool, no other marker) until none is
  /// left, `budget` bytes were scanned, or stop() returns true (asked every
  /// few dozen objects and after every oblet's worth of bytes); whatever is not
  /// scanned stays grey here (mirrors gcDrainN).  A marker therefore stops
  /// within about one oblet of being asked however large the objects.  Returns
  /// the heap bytes scanned.
  int64_t drain_local(int64_t budget = INT64_MAX, bool (*stop)() = nullptr);
  /// Concurrent mode: scans grey objects from here and the global pool until
  /// none is left, about `budget` bytes were scanned, or stop() says so
  /// (checked as drain_local checks it); then publishes (mirrors gcDrain with
  /// gcDrainUntilPreempt / gcDrainN).  Returns the heap bytes scanned.
  int64_t drain_concurrent(int64_t budget, bool (*stop)());
  /// Concurrent mode: moves the grey objects to the global pool and adds the
  /// marked and scanned bytes to the cycle's counters (mirrors gcWork.dispose).
  void publish();
  /// While on: an address naming an object the (concurrent) mark left white is
  /// skipped instead of marked.  The checkmark pass of a concurrent mark turns
  /// it on while it greys stack roots, which changed since their scan (see
  /// verify_checkmark in mgc.cpp).
  void set_stack_words_need_mark(bool on) { stack_words_need_mark_ = on; }
  /// True when the object at base (in span s, slot idx) is marked in this mark's bits.
  bool is_marked(Span* s, uint32_t idx) const;
  /// Marks slot idx of s without scanning it.
  void set_marked(Span* s, uint32_t idx);

  /// Calls fn for every (span, slot) set in the checkmark bits.
  void for_each_checkmarked_raw(void (*fn)(Span*, uint32_t, void*), void* arg) const;

  /// Bytes of objects marked (Go's work.bytesMarked).
  uint64_t bytes_marked = 0;
  /// Objects scanned (grey objects drained, an oblet counting as one): the
  /// mark's work, unlike its bytes.
  uint64_t objects_scanned = 0;
  /// Bytes of the objects and oblets scanned (Go's heapScanWork unit).
  uint64_t bytes_scanned = 0;

 private:
  friend class MarkWorkPool;
  using Grey = GreyObject;
  /// The bits this mark sets for s: the span's, or the checkmark pass's own.
  uint64_t* bits_for(Span* s) { return __builtin_expect(!checkmark_, 1) ? s->mark_bits : checkmark_bits_for(s); }
  uint64_t* checkmark_bits_for(Span* s);
  /// Scans g (a whole object or one oblet) and returns the bytes it covered.
  std::size_t scan_grey(const Grey& g);
  uint64_t* const_bits_for(Span* s) const;

  /// True for the checkmark pass.
  bool checkmark_;
  /// Shared work of a parallel mark, or null.
  MarkWorkPool* pool_;
  /// MarkMode::Concurrent.
  bool concurrent_ = false;
  /// See set_stack_words_need_mark; true only while that pass greys stack roots.
  bool stack_words_need_mark_ = false;
  /// Grey objects (the work queue; Go's gcWork buffers).
  std::vector<Grey> grey_;
  /// Checkmark bits per span, allocated on first use in a checkmark pass.
  struct CheckmarkBits;
  CheckmarkBits* check_bits_ = nullptr;
};

/// The grey objects shared by the markers of a parallel mark, and its end
/// (mirrors work.full and the nwait/nproc count of mgcwork.go / mgc.go).
class MarkWorkPool {
 public:
  /// A pool for `markers` markers (the collecting goroutine and its helpers).
  explicit MarkWorkPool(int markers) : markers_(markers) {}

  /// Moves half of local to the pool when a marker waits for work.
  void maybe_share(std::vector<GreyObject>& local);
  /// Moves a batch of shared grey objects to local and returns true, or, when
  /// the pool is empty, waits until it is not or every marker is idle (the
  /// mark is over: returns false).
  bool take_or_finish(std::vector<GreyObject>& local);

 private:
  /// A marker shares only when it has at least 2 * kMinShare grey objects: a
  /// tree walked depth-first keeps only ~depth objects grey, so even a few are
  /// worth handing out (the oldest are the roots of the largest subtrees).
  static constexpr std::size_t kMinShare = 2;
  /// Grey objects taken from the pool at a time.
  static constexpr std::size_t kTakeBatch = 256;

  std::mutex lock_;
  std::condition_variable cv_;
  /// Shared grey objects; guarded by lock_.
  std::vector<GreyObject> shared_;
  /// Markers in total, markers idle, and whether the mark ended; lock_.
  const int markers_;
  int idle_ = 0;
  bool done_ = false;
  /// Markers blocked waiting for work (read without the lock to decide to share).
  std::atomic<int> waiting_{0};
};

/// What the roots of one mark amounted to (the pacer's stack and globals terms).
struct MarkRoots {
  /// Stack bytes scanned (Go's stackScanWork).
  uint64_t stack_bytes = 0;
  /// 8 bytes per gc::Root (Go's globalsScan: the data and bss segments).
  uint64_t globals_bytes = 0;
};

/// Marks everything reachable from the roots into state: gc::Roots, every
/// goroutine's stack and registers, the caller's own, queued finalizers and the
/// referents of finalizable objects (mirrors markroot + gcDrain).
/// stack_words_need_mark: see MarkState::set_stack_words_need_mark.
/// Precondition: the world is stopped by the caller.
MarkRoots mark_from_roots(MarkState& state, bool stack_words_need_mark = false);

/// The same, draining with up to `helpers` extra marker threads (Go's
/// dedicated mark workers, one per P); returns the roots and sets *bytes_marked
/// and *objects_scanned to what all markers marked and scanned.  The mark bits end up as mark_from_roots
/// would leave them.  Precondition: world stopped; not a checkmark pass.
MarkRoots mark_from_roots_parallel(int helpers, uint64_t* bytes_marked, uint64_t* objects_scanned,
                                   uint64_t* bytes_scanned);

/// Calls fn(span, slot) for every object a checkmark pass marked.
template <class Fn>
void for_each_checkmarked(const MarkState& state, Fn&& fn) {
  state.for_each_checkmarked_raw(
      [](Span* s, uint32_t idx, void* arg) { (*static_cast<std::remove_reference_t<Fn>*>(arg))(s, idx); }, &fn);
}

/// Runs fn(sp, arg) with every callee-saved register pushed on the stack
/// below sp (scan_stack_amd64.S).
extern "C" void gort_gc_call_with_spilled_registers(void (*fn)(void* sp, void* arg), void* arg);

/// The span and slot of the allocated object containing p, or false (mirrors
/// findObject in mbitmap.go).  Inline: the marker asks for every pointer.
inline bool find_object(uintptr_t p, Span*& s, uint32_t& idx) {
  s = span_of(p);
  if (s == nullptr || s->state != SpanState::InUse) return false;
  if (p >= s->start + uintptr_t{s->nelems} * s->elemsize) return false;
  idx = s->object_index(p);
  return s->is_allocated_for_scan(idx);
}

/// Demangled type name of the object whose allocation starts at base.
const char* object_type_name(uintptr_t base, char* buf, std::size_t len);

/// Zeroes Bytes of stack below the caller's frame, where the frames it called
/// just ran, so frames called next cannot find their stale heap addresses in
/// uninitialised slots (the conservative stack scan would honour them; Boehm's
/// GC_clear_stack).  A local array is the portable way to write below the stack
/// pointer without racing the code doing the writing.
template <std::size_t Bytes>
__attribute__((noinline)) void clear_dead_stack() {
  volatile char dead[Bytes];
  __builtin_memset(const_cast<char*>(dead), 0, sizeof(dead));
  asm volatile("" : : "r"(dead) : "memory");
}

/// Test hook: run between the first mark and the checkmark pass (null: none).
extern void (*after_mark_hook)();

}  // namespace gort::gc::detail
