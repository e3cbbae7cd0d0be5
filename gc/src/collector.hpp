// collector.hpp — the collector's internal interfaces shared by its source
// files (nearly every file in gc/src includes it).  Not installed.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <type_traits>
#include <vector>

#include <gort/gc/arena.hpp>
#include <gort/gc/object.hpp>
#include <gort/gc/span.hpp>
#include <gort/gc/trace_hooks.hpp>
#include <gort/runtime/sema.hpp>
#include <gort/runtime/trace_events.hpp>
#include <gort/runtime/wait_reason.hpp>

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

/// The runtime's GcHooks::idle_work: idle-priority collector work, marking
/// while a mark runs (idle_mark_worker), sweeping a batch of spans after it;
/// true when it did some.  On g0 holding a P.
bool idle_work();

// ---- mark.cpp (mirrors mgcmark.go) ----

class MarkWorkPool;

/// A grey object: marked, its fields not scanned yet (an entry of Go's workbufs).
struct GreyObject {
  uintptr_t base;
  uint32_t bytes;
};

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
  /// `bytes`), without marking it (finalizer roots, mirrors markrootSpans).
  void scan_object(uintptr_t base, uint32_t bytes);
  /// Scans grey objects until none is left here and, in a parallel mark, in
  /// the shared pool and in every other marker (mirrors gcDrain).
  void drain();
  /// Concurrent mode: scans grey objects from here and the global pool until
  /// none is left, about `budget` bytes were scanned, or stop() says so
  /// (checked every few dozen objects); then publishes (mirrors gcDrain with
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
  /// Objects scanned (grey objects drained): the mark's work, unlike its bytes.
  uint64_t objects_scanned = 0;
  /// Bytes of the objects scanned (Go's heapScanWork unit).
  uint64_t bytes_scanned = 0;

 private:
  friend class MarkWorkPool;
  using Grey = GreyObject;
  /// The bits this mark sets for s: the span's, or the checkmark pass's own.
  uint64_t* bits_for(Span* s) { return __builtin_expect(!checkmark_, 1) ? s->mark_bits : checkmark_bits_for(s); }
  uint64_t* checkmark_bits_for(Span* s);
  uint64_t* const_bits_for(Span* s) const;
  /// Drains the local grey stack until it is empty, `budget` bytes were scanned
  /// or stop() (checked every kStopCheckEvery objects) returns true; objects
  /// not scanned stay on the stack.  Returns the bytes scanned.
  int64_t drain_local(int64_t budget = INT64_MAX, bool (*stop)() = nullptr);

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

// ---- mgcwork.cpp (mirrors work.full, gcWork.dispose and the end-of-work test
// of mgcwork.go / gcMarkDone in mgc.go) ----

/// What the running concurrent mark has done so far; zeroed at its start
/// (Go's work.bytesMarked, gcController's scan-work counters, bgScanCredit and
/// the mark-time accumulators behind gctrace's assist/background/idle CPU).
struct MarkCounters {
  /// Bytes of objects marked by markers (allocate-black bytes are per P).
  std::atomic<uint64_t> bytes_marked{0};
  /// Scan work, in bytes scanned: heap objects, stacks, globals (gc::Roots).
  std::atomic<uint64_t> heap_scan_work{0};
  std::atomic<uint64_t> stack_scan_work{0};
  std::atomic<uint64_t> globals_scan_work{0};
  /// Scan work background workers did that assists may claim (Go's bgScanCredit).
  std::atomic<int64_t> bg_scan_credit{0};
  /// CPU time of assists, dedicated, fractional and idle workers this mark.
  std::atomic<int64_t> assist_ns{0};
  std::atomic<int64_t> dedicated_ns{0};
  std::atomic<int64_t> fractional_ns{0};
  std::atomic<int64_t> idle_ns{0};
};
MarkCounters& mark_counters();

/// Empties the grey pool and zeroes the counters.  Precondition: world stopped.
void reset_mark_work();
/// Moves every object of objs into the global grey pool (objs ends empty).
void grey_pool_put(std::vector<GreyObject>& objs);
/// Moves up to max grey objects from the pool to out; false when it was empty.
bool grey_pool_take(std::vector<GreyObject>& out, std::size_t max);
/// True when the global pool holds no grey object.
bool grey_pool_empty();

/// The calling thread's concurrent marker.  It is empty between uses (every
/// user publishes before returning), and no use spans a goroutine switch, so
/// one per thread serves goroutines, g0 workers and barrier flushes alike.
MarkState& thread_marker();

/// Counts the caller as a marker holding grey objects for its lifetime (Go's
/// nproc - nwait); the last one out of a mark with no work left wakes the
/// mark-termination goroutine.
class ActiveMarker {
 public:
  ActiveMarker();
  ~ActiveMarker();
  ActiveMarker(const ActiveMarker&) = delete;
  ActiveMarker& operator=(const ActiveMarker&) = delete;
};

/// True when the mark has no work a marker could do: the pool is empty, no
/// marker holds grey objects and every stack is scanned (write-barrier
/// buffers are not looked at: mark termination flushes them).
bool mark_work_exhausted();
/// Wakes the mark-termination goroutine if the mark ran out of work; true when
/// it did (a scheduler caller must then look for goroutines again: the woken
/// one may be in its own run queue).
bool signal_if_mark_done();
/// Parks the mark-termination goroutine until a marker found the mark out of
/// work (returns at once if it already is).
void wait_for_mark_done();

/// A list of parked goroutines woken all at once (assists waiting for credit,
/// gc::collect waiting for a cycle).  Waiters re-check their condition after
/// waking; a wake-up can be spurious.
class GoroutineWaitQueue {
 public:
  /// Parks the caller unless done() holds once it is queued.
  template <class Done>
  void wait(runtime::WaitReason reason, Done&& done) {
    waiters_.fetch_add(1, std::memory_order_seq_cst);
    if (done()) return;  // a later wake_all leaves a spare permit: harmless
    runtime::semacquire(&sema_, reason);
  }
  /// Wakes every goroutine queued so far.
  void wake_all() {
    for (int32_t n = waiters_.exchange(0, std::memory_order_seq_cst); n > 0; --n) runtime::semrelease(&sema_);
  }
  /// True when someone may be waiting.
  bool has_waiters() const { return waiters_.load(std::memory_order_relaxed) > 0; }

 private:
  std::atomic<uint32_t> sema_{0};
  std::atomic<int32_t> waiters_{0};
};

// ---- mwbbuf.cpp (mirrors wbBuf in mwbbuf.go and the per-P mark fields of p) ----

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

// ---- mark_worker.cpp (mirrors gcBgMarkWorker, findRunnableGCWorker) ----

/// The runtime's GcHooks::mark_worker: background mark work for the calling
/// M's P (mirrors findRunnableGCWorker + gcBgMarkWorker).
bool background_mark_worker();
/// The runtime's GcHooks::scan_goroutine: greys one stopped goroutine's roots.
void scan_goroutine(const void* const* ranges, int nranges, uint64_t stack_bytes);
/// Runs idle-priority mark work on the calling M's P; true when it did some.
bool idle_mark_worker();

// ---- assist.cpp (mirrors deductAssistCredit, gcAssistAlloc, gcParkAssist and
// gcFlushBgCredit in mgcmark.go) ----

/// Charges bytes to the calling goroutine's assist credit and, in debt, makes it
/// mark in proportion before it allocates.  Only while allocate_black.
void assist_for_allocation(std::size_t bytes);
/// Wakes assists parked for lack of work or credit (background work arrived,
/// or the mark ended).
void wake_parked_assists();

// ---- limiter.cpp (mirrors gcCPULimiterState in mgclimit.go) ----

/// A pause of stw_ns ending at now started (marking) or ended a mark: accounts
/// the window before the pause in the state it ran in and the pause as GC time
/// on every P (startGCTransition/finishGCTransition).
void limiter_transition(bool marking, int64_t now, int64_t stw_ns);
/// Reports assist CPU time (GC) and idle mark time (neither side).
void limiter_add_assist_time(int64_t ns);
void limiter_add_idle_time(int64_t ns);
/// Accumulates the window if 10 ms passed since the last update.  Any thread.
void limiter_update(int64_t now);
/// True while GC has used its 50% of the CPU over the bucket's window: assists
/// are off until the mutator catches up (gcCPULimiter.limiting).
bool limiter_limiting();

// ---- root.cpp ----

/// Calls state.mark_address on every registered root's object; returns the
/// number of roots (each counts 8 bytes of "globals").  Takes the root lock.
std::size_t mark_registered_roots(MarkState& state);
/// Scans every root range (gort/runtime/root_range.hpp) conservatively into
/// state; returns their bytes.  Takes the root-range registry lock.
std::size_t mark_root_ranges(MarkState& state);

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
/// Recomputes goal, runway and trigger after a mark (mirrors
/// gcControllerState.resetLive + commit): the marked heap, the heap, stack and
/// globals scan work of that mark.
void pacer_commit(uint64_t heap_marked, uint64_t heap_scan, uint64_t stack_scan, uint64_t globals_scan);

/// Where the pacer wants background mark workers (Go's
/// dedicatedMarkWorkersNeeded, fractionalUtilizationGoal, markStartTime).
struct MarkWorkerPlan {
  /// Dedicated workers still to start this mark (taken by decrement).
  std::atomic<int64_t> dedicated_needed{0};
  /// Share of each P a fractional worker aims at (0: none).
  std::atomic<double> fractional_goal{0};
  /// When the mark started.
  std::atomic<int64_t> mark_start_ns{0};
};
MarkWorkerPlan& mark_worker_plan();

/// Starts a cycle's pacing with the world stopped (mirrors startCycle): the
/// trigger it started at (live: heap_live now), the worker plan, assist ratios.
void pacer_start_cycle(int64_t now, int32_t procs, uint64_t live);
/// Recomputes the assist ratios from the work done and the heap left before
/// the goal (mirrors revise).  Any thread, during a mark.
void pacer_revise();
/// Scan work owed per byte allocated during the mark, and its inverse.
double assist_work_per_byte();
double assist_bytes_per_work();
/// Measures this mark's cons/mark ratio and feeds the controller (mirrors
/// endCycle).  Precondition: world stopped, before pacer_commit.
void pacer_end_cycle(int64_t now, int32_t procs);
/// The heap goal in force (Go's heapGoal): the GOGC goal or, when lower, the
/// memory-limit goal.
uint64_t heap_goal_bytes();
/// heap_live at which the next cycle starts: the GOGC trigger, or the trigger
/// of the memory-limit goal when that goal is lower (recomputed on each call).
uint64_t current_trigger();

// ---- mgc.cpp: execution-trace hooks (gort/gc/trace_hooks.hpp) ----

/// The hooks that write the runtime's execution trace (trace_events.cpp):
/// installed unless a program installs its own.
extern const TraceHooks runtime_tracer_hooks;
/// The installed hooks (null: none).
extern std::atomic<const TraceHooks*> installed_trace_hooks;
/// Calls hook member `which` with args when hooks are installed; with the
/// runtime tracer's hooks and no trace running, costs two loads and a branch.
template <class Member, class... Args>
inline void trace_event(Member which, Args... args) {
  const TraceHooks* h = installed_trace_hooks.load(std::memory_order_acquire);
  if (h == &runtime_tracer_hooks && !runtime::trace_on()) [[likely]] return;
  if (h != nullptr && h->*which != nullptr) (h->*which)(args...);
}

// ---- mgc.cpp (mirrors mgc.go) ----

/// Why a cycle starts (mirrors gcTriggerKind).
enum class TriggerKind {
  /// heap_live reached the trigger (gcTriggerHeap).
  Heap,
  /// gc::collect asks for cycle number n (gcTriggerCycle).
  Cycle,
};

/// Starts a cycle when the trigger holds (mirrors gcStart and gcTrigger.test):
/// Heap, when heap_live is at the trigger and no cycle runs; Cycle, when
/// neither cycle n nor a later one has started (callers asking for the same n
/// share one cycle).  A concurrent cycle returns once marking runs; a
/// stop-the-world one (gcstoptheworld) when done.  Returns the number of the
/// cycle the caller may wait for (num_gc() once it ended): the one started,
/// or n when a Cycle trigger found cycle n started already; 0 when none (no
/// trigger, the program is exiting, or the caller is not a goroutine with a P
/// outside a NoCollectionScope — fatal for Cycle).
uint32_t gc_start(TriggerKind kind, uint32_t n = 0);

/// The number of the last cycle started, running or not (Go's work.cycles).
uint32_t cycles_started();

/// Parks the caller until cycle n ended (mirrors gcWaitOnMark).
void wait_for_cycle(uint32_t n);

/// Ends collection in a run whose main function has returned: starts no more
/// cycles and waits until the last started one's goroutine is done with it.
/// Precondition: called from a goroutine (the main one, at exit).  The
/// runtime's GcHooks::before_exit.
void finish_cycles_for_exit();

/// Called after an allocation that refilled a span or allocated a large object:
/// starts a cycle when heap_live reached the trigger (mirrors shouldhelpgc).
void maybe_start_gc();

/// Gives every P's mcache and the fallback cache back to the mcentrals.
/// Precondition: world stopped by the caller.
void flush_all_mcaches();

/// The runtime's GcHooks::destroy_p: the collector's part of destroying a P
/// (mirrors wbBufFlush1 + freemcache in p.destroy).  Precondition: nothing
/// runs on the P (gort/runtime/gc_cache.hpp).
void destroy_p(int32_t p_id, void* cache);

/// True while this thread runs destructors for the sweeper (sweep.cpp); read
/// inline on every allocation, hence a variable rather than a function.  Safe as
/// thread-local: nothing between setting and clearing it can switch goroutines.
extern thread_local bool running_destructors;
inline bool in_sweeper_destructor() { return running_destructors; }

// ---- scavenge.cpp (mirrors mgcscavenge.go) ----

/// Tells the background scavenger a cycle ended (new goals); starts it once.
void scavenger_wake();

// ---- mstats.cpp (mirrors mstats.go) ----

/// Records a finished cycle in the statistics (its total pause, end time,
/// forced, cpu) — MemStats' PauseNs ring and counters.
void record_cycle(int64_t pause_ns, int64_t end_unix_ns, bool forced, double gc_cpu_fraction);
/// Records one stop-the-world pause in the /gc/pauses histogram (Go records
/// each of a cycle's pauses there, and their sum in PauseNs).
void record_stw_pause(int64_t pause_ns);
/// Cycles completed (Go's memstats.numgc).
uint32_t num_gc();

// ---- pool.cpp (mirrors poolCleanup in sync/pool.go) ----

/// Moves every Pool's primary caches to its victim caches, dropping the old
/// victims.  Precondition: world stopped.
void pool_cleanup();

}  // namespace gort::gc::detail
