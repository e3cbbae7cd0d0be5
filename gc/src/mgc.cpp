// mgc.cpp — one garbage-collection cycle, start to finish (mirrors gcStart,
// gcMarkDone, gcMarkTermination and runtime.GC in mgc.go).
//
// A cycle, as Go 1.19 runs it:
//   0. start: an allocation that refilled a span finds heap_live at the trigger,
//      or gc::collect asks for the cycle after the one it found (runtime.GC:
//      callers arriving while a cycle runs wait for it and share the next);
//      one cycle at a time (gc_sema, Go's work.startSema + gcsema), the
//      previous cycle's sweep finished first;
//   1. sweep termination, world stopped (clock field 1): clear sync.Pools, reset
//      the mark's work and counters, open the stack scans (every goroutine owes
//      one), plan the workers and assist ratios (pacer.cpp), turn on the write
//      barrier and black allocation; restart the world.  Work proportional to
//      the number of Ps and goroutine records touched only to flag them;
//   2. concurrent mark (clock field 2): a goroutine started for the cycle greys
//      the global roots (gc::Roots, root ranges, finalizer referents) and
//      waits — the goroutine that started the cycle yields its P to it at
//      once, and an assist that leaves the mark out of work yields to it
//      again, since Go runs those steps on its workers and assists
//      themselves; background workers (25% of the CPU), idle workers and
//      assists mark and scan stacks (mark_worker.cpp, assist.cpp,
//      runtime/src/gc_stack_scan.cpp) until no work is left (mgcwork.cpp);
//   3. mark done (gcMarkDone): a ragged barrier asks every P with a non-empty
//      write-barrier buffer to pass through its scheduler, which flushes it;
//      then the world stops, every buffer is flushed once more and the root
//      ranges are scanned again (root.cpp) — if that greys anything, or a
//      stack is still unscanned, the world restarts and the mark continues
//      (Go's restart in gcMarkDone);
//   4. mark termination, world stopped (clock field 3): barrier off, optional
//      checkmark, finalizers of dead objects queued, caches flushed (the Ps'
//      free stacks to the stack pool too), the cycle's cons/mark measured and
//      the next goal, runway and trigger set (pacer.cpp), sweep generation
//      flipped (sweep.cpp), statistics recorded; restart the world, give the
//      free stacks' memory back to the OS (runtime/src/stack.hpp), print the
//      gctrace line, start the finalizer goroutine.
// GODEBUG=gcstoptheworld=1 runs steps 1-4 in one stop-the-world (the part-1
// collector, parallel over the stopped Ps) for differential runs; =2 also
// sweeps inside it.
//
// gctrace: the line Go 1.19 prints, field by field:
//   gc N @T s U%: A+B+C ms clock, D+E/F/G+H ms cpu, h0->h1->h2 MB, goal MB goal,
//   S MB stacks, X MB globals, P P [(forced)]
// N cycles so far; T seconds since the runtime started; U the GC share of all
// CPU time since start (GCCPUFraction, idle marking excluded as in Go); A, B, C
// the three phases' wall time; D and H the stop-the-world phases times the Ps
// they stopped (stwprocs: P count capped at the CPU count); E assist, F
// background (dedicated + fractional) and G idle mark CPU time, measured; h0 the
// live heap when the cycle started, h1 when the mark ended, h2 the marked heap;
// goal the heap goal of this cycle; S the stack bytes scanned; X the roots
// scanned (8 bytes per gc::Root, plus the root ranges' bytes); P GOMAXPROCS.
// In the stop-the-world mode E and G are 0 and F is the mark's wall time times
// its markers.  Times use Go's fmtNSAsMS and byte counts are shifted right by
// 20, as Go prints them.
#include <gort/gc/collector.hpp>

#include <atomic>
#include <cstdio>
#include <ctime>
#include <string>

#include <gort/gc/mcache.hpp>
#include <gort/gc/mheap.hpp>
#include <gort/gc/object.hpp>
#include <gort/gc/span.hpp>
#include <gort/runtime/internal/fatal.hpp>
#include <gort/runtime/internal/gc_support.hpp>
#include <gort/runtime/internal/hooks.hpp>
#include <gort/runtime/internal/mprof.hpp>
#include <gort/runtime/internal/sema.hpp>
#include <gort/runtime/internal/system_goroutine.hpp>

#include <gort/runtime.hpp>

#include "assist.hpp"
#include "finalizer.hpp"
#include "limiter.hpp"
#include "mark.hpp"
#include "mark_worker.hpp"
#include "mgc.hpp"
#include "mgcwork.hpp"
#include "mstats.hpp"
#include "mwbbuf.hpp"
#include "no_collection_scope.hpp"
#include "pacer.hpp"
#include "pool_cleanup.hpp"
#include "root.hpp"
#include "scavenge.hpp"
#include "sweep.hpp"
#include "tracing.hpp"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#endif

namespace gort::gc::detail {

namespace {

/// Most markers in a stop-the-world mark (Go caps its parallel mark workers at
/// GOMAXPROCS; beyond 8 the shared pool's lock would dominate this design).
constexpr int32_t kMaxMarkers = 8;

/// Objects to scan below which one marker marks alone: 20,000 objects are about
/// 0.5 ms of marking, against ~50 µs to wake the helpers and share work.
constexpr uint64_t kParallelMarkMinObjects = 20'000;

/// Objects the last mark scanned, for the above (the mark's work, not its bytes:
/// 64 live 64 KiB buffers are 4 MiB marked and nothing to scan).
uint64_t last_objects_scanned = 0;

/// Stack a cycle clears below its frame on the way out (clear_dead_stack): the
/// depth its mark and sweep frames reach, with room to spare.
constexpr std::size_t kClearedStackBytes = 16 * 1024;

/// One cycle at a time (Go's work.startSema and gcsema); 1 = free.
std::atomic<uint32_t> gc_sema{1};

/// GC CPU time of every cycle so far, in ns (Go's work.totaltime).
std::atomic<int64_t> gc_total_cpu_ns{0};

/// Formats val with dec digits after a decimal point (mirrors itoaDiv in mgc.go).
std::string itoa_div(uint64_t val, int dec) {
  char buf[32];
  int i = static_cast<int>(sizeof(buf)) - 1;
  const int idec = i - dec;
  while (val >= 10 || i >= idec) {
    buf[i--] = static_cast<char>('0' + val % 10);
    if (i == idec) buf[i--] = '.';
    val /= 10;
  }
  buf[i] = static_cast<char>('0' + val);
  return std::string(buf + i, sizeof(buf) - static_cast<std::size_t>(i));
}

/// Formats ns as milliseconds with two significant digits and at most three
/// decimals (mirrors fmtNSAsMS in mgc.go).
std::string fmt_ns_as_ms(uint64_t ns) {
  if (ns >= 10'000'000) return itoa_div(ns / 1'000'000, 0);
  uint64_t x = ns / 1000;
  if (x == 0) return "0";
  int dec = 3;
  while (x >= 100) {
    x /= 10;
    --dec;
  }
  return itoa_div(x, dec);
}

/// Everything the gctrace line of one cycle reports, and what the cycle's
/// phases hand each other (one cycle runs at a time: gc_sema).
struct CycleState {
  int64_t t_sweep_term = 0, t_mark = 0, t_mark_term = 0, t_end = 0;
  int32_t stwprocs = 0, maxprocs = 0;
  uint64_t heap0 = 0, heap1 = 0, heap2 = 0, goal = 0, stacks = 0, globals = 0;
  /// Mark CPU time: assists, background (dedicated + fractional), idle.
  int64_t assist_ns = 0, background_ns = 0, idle_ns = 0;
  /// Stop-the-world time so far (Go's work.pauseNS).
  int64_t pause_ns = 0;
  bool forced = false;
  /// False for GODEBUG=gcstoptheworld (the mark ran inside the first pause).
  bool concurrent = false;
  double cpu_fraction = 0;
  uint32_t numgc = 0;
};

/// The running cycle's state (written by the phase that owns the cycle).
CycleState cycle;

/// True from a cycle's start to the end of its mark termination (Go's
/// gcphase != _GCoff): heap triggers do nothing meanwhile.
std::atomic<bool> cycle_running{false};

/// The highest cycle number whose goroutine has finished with its cycle,
/// locals and all: a cycle has ended for gc::collect only then.  (num_gc
/// counts a cycle as soon as the world restarts; a program that returned from
/// collect() then and ended would abandon the cycle's goroutine still holding
/// gc_sema and its mark state, and the next gort::run in the process would
/// wait for gc_sema forever.)
std::atomic<uint32_t> released_cycle{0};

/// The number of the last cycle started (its goroutine may still run it; Go's
/// work.cycles).  Written under gc_sema.
std::atomic<uint32_t> started_cycle{0};

/// runtime_init_nanotime() of the run whose main function has returned: no
/// cycle starts in that run any more (see finish_cycles_for_exit).  Keyed to
/// the run so that the next gort::run in the process collects again.
std::atomic<int64_t> exiting_run{0};

/// gc::collect callers waiting for a cycle to end (Go's work.sweepWaiters).
GoroutineWaitQueue& cycle_waiters() {
  static auto* q = new GoroutineWaitQueue();
  return *q;
}

/// Cycle n's goroutine is done with it (its locals destroyed too): wakes the
/// gc::collect callers waiting for it.
void release_cycle(uint32_t n) {
  // The next cycle may start (and even end) once gc_sema is released, before
  // this goroutine gets here: the count only grows.
  uint32_t seen = released_cycle.load(std::memory_order_relaxed);
  while (seen < n && !released_cycle.compare_exchange_weak(seen, n, std::memory_order_release)) {
  }
  cycle_waiters().wake_all();
}

void print_gctrace(const CycleState& c) {
  const int64_t init = runtime::runtime_init_nanotime();
  const int64_t sweep_term_cpu = int64_t{c.stwprocs} * (c.t_mark - c.t_sweep_term);
  const int64_t mark_term_cpu = int64_t{c.stwprocs} * (c.t_end - c.t_mark_term);
  std::string line = "gc " + std::to_string(c.numgc) + " @" +
                     itoa_div(static_cast<uint64_t>(c.t_sweep_term - init) / 1'000'000, 3) + "s " +
                     std::to_string(static_cast<int>(c.cpu_fraction * 100)) + "%: ";
  line += fmt_ns_as_ms(static_cast<uint64_t>(c.t_mark - c.t_sweep_term)) + "+" +
          fmt_ns_as_ms(static_cast<uint64_t>(c.t_mark_term - c.t_mark)) + "+" +
          fmt_ns_as_ms(static_cast<uint64_t>(c.t_end - c.t_mark_term)) + " ms clock, ";
  line += fmt_ns_as_ms(static_cast<uint64_t>(sweep_term_cpu)) + "+" +
          fmt_ns_as_ms(static_cast<uint64_t>(c.assist_ns)) + "/" +
          fmt_ns_as_ms(static_cast<uint64_t>(c.background_ns)) + "/" +
          fmt_ns_as_ms(static_cast<uint64_t>(c.idle_ns)) + "+" + fmt_ns_as_ms(static_cast<uint64_t>(mark_term_cpu)) +
          " ms cpu, ";
  line += std::to_string(c.heap0 >> 20) + "->" + std::to_string(c.heap1 >> 20) + "->" +
          std::to_string(c.heap2 >> 20) + " MB, " + std::to_string(c.goal >> 20) + " MB goal, " +
          std::to_string(c.stacks >> 20) + " MB stacks, " + std::to_string(c.globals >> 20) + " MB globals, " +
          std::to_string(c.maxprocs) + " P";
  if (c.forced) line += " (forced)";
  line += "\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
}

/// Refuses to scan stacks whose locals ASAN moved to fake stacks (mark.cpp).
void check_no_fake_stacks() {
#if defined(__SANITIZE_ADDRESS__)
  if (__asan_get_current_fake_stack() != nullptr) {
    runtime::fatal(
        "gc: ASAN fake stacks hide stack pointers from the collector; "
        "run with ASAN_OPTIONS=detect_stack_use_after_return=0");
  }
#endif
}

/// Runs a checkmark pass and verifies it: every object it marks must be marked
/// by the mark, whose bits are in the spans (mirrors setCheckmark).
///
/// After a concurrent mark the stacks have moved on since their scan: a word
/// a goroutine wrote after its scan names an object the mark reached (the
/// barrier's invariant), but a word it left uninitialised may name an object
/// that died before the mark began — a conservative scan cannot tell them
/// apart.  The pass therefore starts from stack words only when they name marked
/// objects, and checks everything else: every root that is not a stack word,
/// and every edge of the heap reachable from either (a marked object pointing
/// to an unmarked one is exactly the barrier bug it exists to catch).
void verify_checkmark(bool after_concurrent_mark) {
  MarkState check(/*checkmark=*/true);
  mark_from_roots(check, /*stack_words_need_mark=*/after_concurrent_mark);
  for_each_checkmarked(check, [&](Span* s, uint32_t idx) {
    if (s->is_marked(idx)) return;
    const uintptr_t base = s->object_address(idx);
    char name[256];
    std::fprintf(stderr,
                 "runtime: checkmarks found unexpected unmarked object obj=%#lx s.base()=%#lx s.limit()=%#lx "
                 "s.spanclass=%u s.elemsize=%zu type=%s\n",
                 static_cast<unsigned long>(base), static_cast<unsigned long>(s->start),
                 static_cast<unsigned long>(s->limit()), unsigned{s->spanclass.value}, s->elemsize,
                 object_type_name(base, name, sizeof(name)));
    runtime::fatal("checkmark found unmarked object");
  });
}

int64_t unix_now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

/// Stops the world for the collector and keeps threads without a P from
/// allocating meanwhile (NoCollectionScope); returns when both hold.
void stop_world(StwReason reason) {
  lock_out_scopes();
  runtime::stop_the_world_gc(reason);
  trace_event(&TraceHooks::stw_start, reason);
}

/// Counts a pause from pause_start to end in the cycle's total and the pause
/// histogram (Go's work.pauseNS and gcPauseDist).
void account_pause(int64_t pause_start, int64_t end) {
  cycle.pause_ns += end - pause_start;
  record_stw_pause(end - pause_start);
}

/// Restarts the world after a pause that began at pause_start; records it.
void start_world(int64_t pause_start, StwReason reason) {
  trace_event(&TraceHooks::stw_done, reason);
  const int64_t end = runtime::gc_nanotime();
  runtime::start_the_world_gc();
  unlock_scopes();
  account_pause(pause_start, end);
}

/// Mark termination, world stopped (mirrors gcMarkTermination): from the
/// mark's results to the next cycle's goal and the sweep; restarts the world.
void mark_termination(uint64_t bytes_marked, uint64_t heap_scan, const MarkRoots& roots, int64_t pause_start) {
  CycleState& c = cycle;
  c.heap1 = heap_live.load(std::memory_order_relaxed);
  if (after_mark_hook != nullptr) after_mark_hook();
  if (runtime::gc_debug_settings().gccheckmark > 0) verify_checkmark(c.concurrent);
  MarkState finalizer_state(/*checkmark=*/false);
  const std::size_t finalizers_queued = queue_dead_finalizers(finalizer_state);
  const uint64_t marked = bytes_marked + finalizer_state.bytes_marked;
  c.heap2 = marked;
  c.stacks = roots.stack_bytes;
  c.globals = roots.globals_bytes;
  if (c.concurrent) pacer_end_cycle(runtime::gc_nanotime(), c.maxprocs);
  flush_all_mcaches();
  runtime::clear_stack_caches();
  heap_live.store(marked, std::memory_order_relaxed);
  pacer_commit(marked, heap_scan, roots.stack_bytes, roots.globals_bytes);
  start_sweep_generation();
  if (runtime::gc_debug_settings().gcstoptheworld >= 2) {
    finish_sweep();
    // Every free of this cycle has happened: publish them now (gcSweep's
    // blocking mode).
    runtime::mprof_next_cycle();
    runtime::mprof_flush();
  }
  c.t_end = runtime::gc_nanotime();
  limiter_transition(false, c.t_end, c.t_end - pause_start);

  // mirrors the CPU accounting of gcMarkTermination (idle marking is "free")
  const int64_t sweep_term_cpu = int64_t{c.stwprocs} * (c.t_mark - c.t_sweep_term);
  const int64_t mark_term_cpu = int64_t{c.stwprocs} * (c.t_end - c.t_mark_term);
  const int64_t cycle_cpu = sweep_term_cpu + c.assist_ns + c.background_ns + mark_term_cpu;
  const int64_t total_gc = gc_total_cpu_ns.fetch_add(cycle_cpu, std::memory_order_relaxed) + cycle_cpu;
  const int64_t elapsed = c.t_end - runtime::runtime_init_nanotime();
  const double total_cpu = static_cast<double>(elapsed) * c.maxprocs;
  c.cpu_fraction = total_cpu > 0 ? static_cast<double>(total_gc) / total_cpu : 0;
  account_pause(pause_start, c.t_end);
  record_cycle(c.pause_ns, unix_now_ns(), c.forced, c.cpu_fraction);
  c.numgc = num_gc();
  // Finish the heap profiling cycle before the world runs, so that no event
  // leaks into the wrong cycle (gcMarkTermination's mProf_NextCycle).
  runtime::mprof_next_cycle();
  cycle_running.store(false, std::memory_order_release);
  trace_event(&TraceHooks::heap_alloc, marked);
  trace_event(&TraceHooks::heap_goal, heap_goal_bytes());
  // The stop-the-world mode's single pause began as sweep termination.
  trace_event(&TraceHooks::stw_done, c.concurrent ? StwReason::MarkTermination : StwReason::SweepTermination);
  trace_event(&TraceHooks::gc_done, c.numgc);
  runtime::start_the_world_gc();
  // Publishes the cycle before last (mProf_Flush, not done with the world stopped).
  runtime::mprof_flush();
  unlock_scopes();
  runtime::free_stack_memory();  // the free stacks clear_stack_caches gathered
  if (runtime::gc_debug_settings().gctrace > 0) print_gctrace(c);
  runtime::semrelease(&gc_sema);
  wake_parked_assists();  // they see the mark over and allocate freely
  if (finalizers_queued > 0) start_finalizer_goroutine();
  scavenger_wake();
}

/// The part-1 collector (GODEBUG=gcstoptheworld=1|2): the whole mark inside the
/// first pause, parallel over the stopped Ps.  World stopped on entry.
void stop_the_world_mark() {
  CycleState& c = cycle;
  flush_all_mcaches();
  finish_sweep();
  c.t_mark = runtime::gc_nanotime();
  // Every P is stopped, so the mark may use their CPUs: one marker per P the
  // machine can run at once (stwprocs), the collecting goroutine included.
  // Waking helper threads costs tens of µs: worth it only when the last mark
  // scanned at least kParallelMarkMinObjects objects.
  const bool big = last_objects_scanned >= kParallelMarkMinObjects;
  const int helpers = big ? (c.stwprocs < kMaxMarkers ? c.stwprocs : kMaxMarkers) - 1 : 0;
  uint64_t bytes_marked = 0, heap_scan = 0;
  const MarkRoots roots = mark_from_roots_parallel(helpers, &bytes_marked, &last_objects_scanned, &heap_scan);
  c.t_mark_term = runtime::gc_nanotime();
  c.background_ns = int64_t{helpers + 1} * (c.t_mark_term - c.t_mark);
  mark_termination(bytes_marked, heap_scan, roots, c.t_sweep_term);
}

/// Asks every P whose write-barrier buffer holds pointers to pass through its
/// scheduler, where the buffer is flushed (background_mark_worker), and gives them a
/// moment (mirrors the forEachP flush of gcMarkDone; the stop that follows
/// flushes whatever is left).
void ragged_flush_barrier() {
  constexpr int kRounds = 4;  // a few scheduler passes; stragglers are flushed stopped
  for (int round = 0; round < kRounds; ++round) {
    if (!any_write_barrier_buffer_used()) return;
    runtime::preempt_all_goroutines();
    gort::gosched();
  }
}

/// Scans the root ranges once more, world stopped (root.cpp explains why);
/// returns true when that greyed an object the mark had not reached.
bool rescan_root_ranges() {
  MarkState& m = thread_marker();
  mark_root_ranges(m);
  const bool greyed = m.bytes_marked != 0;
  m.publish();
  return greyed;
}

/// The goroutine of a concurrent cycle: greys the global roots, waits for the
/// mark to run out of work, and ends it (mirrors gcMarkDone + gcMarkTermination,
/// which Go runs on whichever worker finds the work done; here one goroutine
/// per cycle owns the stop-the-world steps).
void run_concurrent_mark() {
  CycleState& c = cycle;
  MarkCounters& counters = mark_counters();
  {
    // mirrors markroot's data/bss and finalizer-special jobs
    ActiveMarker active;
    MarkState& m = thread_marker();
    const uint64_t globals = uint64_t{mark_registered_roots(m)} * sizeof(void*) + mark_root_ranges(m);
    mark_finalizer_roots(m);
    counters.globals_scan_work.fetch_add(globals, std::memory_order_relaxed);
    m.publish();
  }
  runtime::wake_idle_p();
  for (;;) {
    wait_for_mark_done();
    ragged_flush_barrier();
    const int64_t pause_start = runtime::gc_nanotime();
    stop_world(StwReason::MarkTermination);
    const bool greyed = flush_all_write_barrier_buffers() | rescan_root_ranges();
    if (greyed || !grey_pool_empty() || runtime::stacks_pending() != 0) {
      start_world(pause_start, StwReason::MarkTermination);  // work appeared: resume the mark (gcMarkDone's restart)
      runtime::wake_idle_p();
      continue;
    }
    c.t_mark_term = pause_start;
    break;
  }
  write_barrier_enabled.store(false, std::memory_order_relaxed);
  allocate_black.store(false, std::memory_order_relaxed);
  runtime::end_stack_scans();
  c.assist_ns = counters.assist_ns.load();
  c.background_ns = counters.dedicated_ns.load() + counters.fractional_ns.load();
  c.idle_ns = counters.idle_ns.load();
  const uint64_t bytes_marked = counters.bytes_marked.load() + take_black_bytes();
  MarkRoots roots;
  roots.stack_bytes = counters.stack_scan_work.load();
  roots.globals_bytes = counters.globals_scan_work.load();
  mark_termination(bytes_marked, counters.heap_scan_work.load(), roots, c.t_mark_term);
  clear_dead_stack<kClearedStackBytes>();
}

}  // namespace

std::atomic<const TraceHooks*> installed_trace_hooks{&runtime_tracer_hooks};

void maybe_start_gc() {
  trace_event(&TraceHooks::heap_alloc, heap_live.load(std::memory_order_relaxed));
  if (cycle_running.load(std::memory_order_relaxed)) return;
  if (heap_live.load(std::memory_order_relaxed) < current_trigger()) return;
  gc_start(TriggerKind::Heap);
}

namespace {

/// True when the caller may start a cycle: a goroutine holding a P, outside a
/// NoCollectionScope.  For gc::collect (required) the alternative is fatal.
bool may_start_cycle(bool required) {
  if (!runtime::on_goroutine_with_p()) {
    if (required) runtime::fatal("gc.collect: called outside a goroutine");
    return false;
  }
  if (in_no_collection_scope()) {
    if (required) runtime::fatal("gc.collect: called inside a gc::NoCollectionScope");
    return false;
  }
  return true;
}

}  // namespace

uint32_t cycles_started() { return started_cycle.load(std::memory_order_acquire); }

// mirrors gcStart
uint32_t gc_start(TriggerKind kind, uint32_t n) {
  const bool forced = kind == TriggerKind::Cycle;
  if (!may_start_cycle(forced)) return 0;
  pacer_init();
  // GC CPU time counts from the start of the running runtime (it can restart).
  static int64_t accounted_init = 0;
  // mirrors gcTrigger.test: gcTriggerHeap and gcTriggerCycle
  auto trigger_holds = [&] {
    if (forced) return static_cast<int32_t>(n - started_cycle.load(std::memory_order_acquire)) > 0;
    return !cycle_running.load(std::memory_order_relaxed) &&
           heap_live.load(std::memory_order_relaxed) >= current_trigger();
  };
  // Cycle n (or a later one) started already: the caller waits for it.
  const uint32_t not_started = forced ? n : 0;
  if (!trigger_holds()) return not_started;
  runtime::semacquire(&gc_sema, runtime::WaitReason::Semacquire);
  if (!trigger_holds()) {  // another goroutine started the cycle meanwhile
    runtime::semrelease(&gc_sema);
    return not_started;
  }
  if (exiting_run.load(std::memory_order_relaxed) == runtime::runtime_init_nanotime()) {
    runtime::semrelease(&gc_sema);
    return 0;
  }
  finish_sweep();
  check_no_fake_stacks();
  if (accounted_init != runtime::runtime_init_nanotime()) {
    accounted_init = runtime::runtime_init_nanotime();
    gc_total_cpu_ns.store(0, std::memory_order_relaxed);
  }
  cycle_running.store(true, std::memory_order_release);
  const uint32_t this_cycle = num_gc() + 1;
  started_cycle.store(this_cycle, std::memory_order_release);

  CycleState& c = cycle;
  c = CycleState{};
  c.forced = forced;
  c.concurrent = runtime::gc_debug_settings().gcstoptheworld == 0;
  c.t_sweep_term = runtime::gc_nanotime();
  trace_event(&TraceHooks::gc_start, this_cycle);
  stop_world(StwReason::SweepTermination);
  // ---- sweep termination ----
  c.maxprocs = runtime::gc_gomaxprocs();
  c.stwprocs = c.maxprocs < runtime::gc_ncpu() ? c.maxprocs : runtime::gc_ncpu();
  c.heap0 = heap_live.load(std::memory_order_relaxed);
  c.goal = heap_goal_bytes();
  pool_cleanup();
  if (!c.concurrent) {
    stop_the_world_mark();
    clear_dead_stack<kClearedStackBytes>();
    release_cycle(this_cycle);
    return this_cycle;
  }
  reset_mark_work();
  reset_p_mark_states();
  runtime::begin_stack_scans();
  pacer_start_cycle(c.t_sweep_term, c.maxprocs, c.heap0);
  write_barrier_enabled.store(true, std::memory_order_relaxed);
  allocate_black.store(true, std::memory_order_relaxed);
  // ---- concurrent mark ----
  c.t_mark = runtime::gc_nanotime();
  start_world(c.t_sweep_term, StwReason::SweepTermination);
  limiter_transition(true, c.t_mark, c.t_mark - c.t_sweep_term);
  // A system goroutine from its go statement on (Go's isSystemGoroutine):
  // num_goroutine and live_goroutines never count it, not even before it runs.
  runtime::go_system([this_cycle] {  // newproc wakes an idle P for it
    run_concurrent_mark();
    release_cycle(this_cycle);
  });
  // Let that goroutine grey the global roots and park now.  newproc put it in
  // this P's runnext, and on a P nobody else frees it would wait for this
  // goroutine's time slice to end: traced on one P, an allocating goroutine
  // ran on for 6 ms after its own assist, the first mark took 6.5 ms of clock
  // for 0.4 ms of marking and the heap went 3 -> 11 MB against a 4 MB goal.
  // (Go has no such goroutine: its workers take the root jobs.)
  runtime::yield_to_readied();
  return this_cycle;
}

void wait_for_cycle(uint32_t n) {
  auto ended = [n] { return released_cycle.load(std::memory_order_acquire) >= n; };
  while (!ended()) cycle_waiters().wait(runtime::WaitReason::WaitForGCCycle, ended);
}

// gc_sema is held by a cycle from its start to the end of mark termination, so
// once this goroutine holds it no cycle is between those points and none can
// start after it (the exiting check in gc_start); what is left is waiting for
// the last started cycle's goroutine to return from its cycle.
void finish_cycles_for_exit() {
  exiting_run.store(runtime::runtime_init_nanotime(), std::memory_order_relaxed);
  runtime::semacquire(&gc_sema, runtime::WaitReason::Semacquire);
  const uint32_t last = started_cycle.load(std::memory_order_relaxed);
  runtime::semrelease(&gc_sema);
  wait_for_cycle(last);
}

namespace {

/// Every call the scheduler makes into the collector (gort/runtime/internal/hooks.hpp).
constexpr runtime::GcHooks kRuntimeHooks{
    .scan_goroutine = &scan_goroutine,          // mark_worker.cpp
    .mark_worker = &background_mark_worker,     // mark_worker.cpp
    .idle_work = &idle_work,                    // sweep.cpp
    .shade_root_range = &shade_range,           // mwbbuf.cpp
    .destroy_p = &destroy_p,                    // mcache.cpp
    .before_exit = &finish_cycles_for_exit,     // above
    .mem_profile_rate_changed = &mem_profile_rate_changed,  // mcache.cpp
};

// Registered once, at start-up, by this file's static initializer (Go's package
// init).  This file is linked into every program in which a hook has work to
// do: a mark, a sweep and an exit to wait for need a cycle (gc_start, here),
// and a P's cache needs an allocation, which starts cycles (maybe_start_gc).
[[maybe_unused]] const bool runtime_hooks_registered = (runtime::register_gc_hooks(&kRuntimeHooks), true);

}  // namespace

}  // namespace gort::gc::detail

namespace gort::gc {

const TraceHooks* set_trace_hooks(const TraceHooks* hooks) {
  return detail::installed_trace_hooks.exchange(hooks, std::memory_order_acq_rel);
}

// mirrors runtime.GC in mgc.go: wait for the cycle in progress (n) to end,
// start cycle n+1 unless another caller has, wait for it, then sweep the whole
// heap.  Callers arriving while a cycle runs thus share the next full one.
void collect() {
  detail::may_start_cycle(/*required=*/true);
  const uint32_t n = detail::cycles_started();
  detail::wait_for_cycle(n);
  detail::wait_for_cycle(detail::gc_start(detail::TriggerKind::Cycle, n + 1));
  detail::finish_sweep();
  // The whole heap is swept: publish the profile as of this cycle, unless a
  // later cycle's mark termination came in between (runtime.GC's mProf_PostSweep).
  if (detail::cycles_started() == n + 1) runtime::mprof_post_sweep();
  detail::clear_dead_stack<detail::kClearedStackBytes>();
}

}  // namespace gort::gc
