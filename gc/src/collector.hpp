// collector.hpp — the collector's internal interfaces shared by its source
// files (mark.cpp, sweep.cpp, mgc.cpp, pacer.cpp, finalizer.cpp, root.cpp,
// mstats.cpp, pool.cpp).  Not installed.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <type_traits>
#include <vector>

#include <gort/gc/object.hpp>
#include <gort/gc/span.hpp>

namespace gort::gc {
class Tracer;
}

namespace gort::gc::detail {

// ---- object.cpp ----

/// Fatal unless the caller may allocate without a P: the runtime is not running,
/// or the thread holds a NoCollectionScope.  Called on the fallback-cache path.
void check_foreign_allocation();
/// True while this thread holds a NoCollectionScope.
bool in_no_collection_scope();
/// Waits until no NoCollectionScope is held and keeps new ones out / lets them in.
void lock_out_scopes();
void unlock_scopes();

// ---- sweep.cpp (mirrors mgcsweep.go) ----

/// The heap's sweep generation (mheap_.sweepgen): +2 at every mark termination.
/// A span with sweepgen == h-2 needs sweeping, h-1 is being swept, h is swept.
extern std::atomic<uint32_t> heap_sweepgen;

/// Spans claimed for sweeping and not yet swept (Go's sweep.active count);
/// a claim increments it, sweep_span decrements it.
extern std::atomic<int32_t> sweeps_in_flight;

/// Sweeps span s, which the caller claimed (sweepgen h-2 -> h-1): frees the
/// unmarked objects (running their destructors), installs the mark bits as the
/// allocation bits (mirrors mspan.sweep).  preserve: the caller keeps the span
/// (mcentral.cacheSpan); else it goes back to its mcentral's swept list, or to the
/// page heap when empty.  Returns false when the span was freed.
bool sweep_span(Span* s, bool preserve);

/// Sweeps one unswept span from any mcentral; false when none is left (mirrors sweepone).
bool sweepone();

/// What sweep_one_span returns when nothing was left to sweep.
inline constexpr size_t SweptNothing = SIZE_MAX;
/// Sweeps one unswept span; returns the pages it gave back to the heap (0 when
/// the span kept live objects), or SweptNothing when none was left.
size_t sweep_one_span();

/// Sweeps until npages pages went back to the heap or nothing is left unswept,
/// before the heap hands out npages new pages (mirrors mheap.reclaim): without
/// it, memory freed by the last mark but not yet swept would be ignored and the
/// heap would grow past its goal.
void reclaim_pages(size_t npages);

/// Sweeps every span still unswept and waits for sweeps other threads have in
/// flight (mirrors finishsweep_m / the loop in gcStart).
void finish_sweep();

/// Makes every span unswept (heap_sweepgen += 2) and re-arms the sweepers.
/// Precondition: world stopped, every mcache flushed.
void start_sweep_generation();

/// Registers the idle-time sweeper with the runtime (once).
void install_background_sweeper();

// ---- mark.cpp (mirrors mgcmark.go) ----

class MarkWorkPool;

/// The state of one marker: its grey objects and what it marked.  Several
/// MarkStates mark in parallel through a MarkWorkPool (mark bits are then set
/// atomically); a checkmark pass always runs alone.
class MarkState {
 public:
  /// checkmark: mark into the separate checkmark bits (gccheckmark=1).
  /// pool: the shared work of a parallel mark, or null for a marker alone.
  explicit MarkState(bool checkmark, MarkWorkPool* pool = nullptr);
  ~MarkState();

  /// Marks the object containing address p, if p points into an allocated
  /// object (mirrors findObject + greyobject); interior pointers count.
  void mark_address(uintptr_t p);
  /// Scans [lo, hi) word by word, marking whatever the words point to (stacks).
  void scan_conservative(const void* lo, const void* hi);
  /// Scans the fields of the object whose allocation starts at base (of
  /// `bytes`), without marking it (finalizer roots, mirrors markrootSpans).
  void scan_object(uintptr_t base, uint32_t bytes);
  /// Scans grey objects until none is left here and, in a parallel mark, in
  /// the shared pool and in every other marker (mirrors gcDrain).
  void drain();
  /// True when the object at base (in span s, slot idx) is marked in this mark's bits.
  bool is_marked(Span* s, uint32_t idx) const;
  /// Marks slot idx of s without scanning it.
  void set_marked(Span* s, uint32_t idx);

  /// Calls fn for every (span, slot) set in the checkmark bits.
  void for_each_checkmarked_raw(void (*fn)(Span*, uint32_t, void*), void* arg) const;

  /// Bytes of objects marked (Go's work.bytesMarked).
  uint64_t bytes_marked = 0;
  /// Objects scanned (grey objects drained): the mark's work, unlike its bytes.
  uint64_t objects_scanned = 0;

 private:
  friend class MarkWorkPool;
  struct Grey {
    uintptr_t base;
    uint32_t bytes;
  };
  uint64_t* bits_for(Span* s);
  uint64_t* const_bits_for(Span* s) const;
  /// Drains the local grey stack only.
  void drain_local();

  /// True for the checkmark pass.
  bool checkmark_;
  /// Shared work of a parallel mark, or null.
  MarkWorkPool* pool_;
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
  void maybe_share(std::vector<MarkState::Grey>& local);
  /// Moves a batch of shared grey objects to local and returns true, or, when
  /// the pool is empty, waits until it is not or every marker is idle (the
  /// mark is over: returns false).
  bool take_or_finish(std::vector<MarkState::Grey>& local);

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
  std::vector<MarkState::Grey> shared_;
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
/// Precondition: the world is stopped by the caller.
MarkRoots mark_from_roots(MarkState& state);

/// The same, draining with up to `helpers` extra marker threads (Go's
/// dedicated mark workers, one per P); returns the roots and sets *bytes_marked
/// and *objects_scanned to what all markers marked and scanned.  The mark bits end up as mark_from_roots
/// would leave them.  Precondition: world stopped; not a checkmark pass.
MarkRoots mark_from_roots_parallel(int helpers, uint64_t* bytes_marked, uint64_t* objects_scanned);

/// Calls fn(span, slot) for every object a checkmark pass marked.
template <class Fn>
void for_each_checkmarked(const MarkState& state, Fn&& fn) {
  state.for_each_checkmarked_raw(
      [](Span* s, uint32_t idx, void* arg) { (*static_cast<std::remove_reference_t<Fn>*>(arg))(s, idx); }, &fn);
}

/// Runs fn(sp, arg) with every callee-saved register pushed on the stack
/// below sp (scan_stack_amd64.S).
extern "C" void gort_gc_call_with_spilled_registers(void (*fn)(void* sp, void* arg), void* arg);

/// The span and slot of the allocated object containing p, or false.
bool find_object(uintptr_t p, Span*& s, uint32_t& idx);

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

// ---- root.cpp ----

/// Calls state.mark_address on every registered root's object; returns the
/// number of roots (each counts 8 bytes of "globals").  Takes the root lock.
std::size_t mark_registered_roots(MarkState& state);

// ---- finalizer.cpp (mirrors mfinal.go) ----

/// Scans the referents of every object with a finalizer and the objects of queued
/// finalizers (both roots).  Precondition: world stopped.
void mark_finalizer_roots(MarkState& state);
/// Queues the finalizers of objects the mark left white, marking those objects
/// so they live until their finalizer ran.  Returns the number queued.
std::size_t queue_dead_finalizers(MarkState& state);
/// Starts a goroutine to run queued finalizers if any are waiting and none runs.
void start_finalizer_goroutine();
/// Finalizers registered (for tests and diagnostics).
std::size_t finalizer_count();

// ---- pacer.cpp (mirrors mgcpacer.go) ----

/// Bytes of heap considered live for pacing (Go's gcController.heapLive):
/// marked bytes of the last cycle plus everything allocated since, counting
/// cached spans' free slots as allocated.
extern std::atomic<uint64_t> heap_live;

/// Reads GOGC/GOMEMLIMIT once (malformed values get one line on stderr).
void pacer_init();
/// Recomputes goal and trigger after a mark (mirrors gcControllerState.commit
/// and trigger): heap_marked, the stack bytes scanned and the globals.
void pacer_commit(uint64_t heap_marked, uint64_t stack_scan, uint64_t globals_scan);
/// The heap goal in force (Go's heapGoal): the GOGC goal or, when lower, the
/// memory-limit goal.
uint64_t heap_goal_bytes();
/// heap_live at which the next cycle starts: the GOGC trigger, or the trigger
/// of the memory-limit goal when that goal is lower (recomputed on each call).
uint64_t current_trigger();

// ---- mgc.cpp (mirrors mgc.go) ----

/// Why a cycle starts (mirrors gcTriggerKind).
enum class TriggerKind { Heap, Forced };

/// Starts and completes a cycle if the trigger still holds (Heap) or always
/// (Forced) (mirrors gcStart + gcMarkDone + gcMarkTermination).  Returns without
/// collecting when the caller is not a goroutine with a P.
void gc_start(TriggerKind kind);

/// Called after an allocation that refilled a span or allocated a large object:
/// starts a cycle when heap_live reached the trigger (mirrors shouldhelpgc).
void maybe_start_gc();

/// Gives every P's mcache and the fallback cache back to the mcentrals.
/// Precondition: world stopped by the caller.
void flush_all_mcaches();

/// True while this thread runs destructors for the sweeper (sweep.cpp); read
/// inline on every allocation, hence a variable rather than a function.  Safe as
/// thread-local: nothing between setting and clearing it can switch goroutines.
extern thread_local bool running_destructors;
inline bool in_sweeper_destructor() { return running_destructors; }

// ---- scavenge.cpp (mirrors mgcscavenge.go) ----

/// Tells the background scavenger a cycle ended (new goals); starts it once.
void scavenger_wake();

// ---- mstats.cpp (mirrors mstats.go) ----

/// Records a finished cycle in the statistics (pause, end time, forced, cpu).
void record_cycle(int64_t pause_ns, int64_t end_unix_ns, bool forced, double gc_cpu_fraction);
/// Cycles completed (Go's memstats.numgc).
uint32_t num_gc();

// ---- pool.cpp (mirrors poolCleanup in sync/pool.go) ----

/// Moves every Pool's primary caches to its victim caches, dropping the old
/// victims.  Precondition: world stopped.
void pool_cleanup();

}  // namespace gort::gc::detail
