// mgc.cpp — one garbage-collection cycle, start to finish (mirrors gcStart,
// gcMarkDone, gcMarkTermination and runtime.GC in mgc.go).
//
// A cycle (this layer marks with the world stopped; GC part 2 makes the mark
// phase concurrent without changing the phases below or their accounting):
//   0. start: an allocation that refilled a span finds heap_live at the trigger
//      (or gc::collect forces a cycle); one cycle runs at a time (gc_sema, Go's
//      work.startSema/gcsema), and the previous cycle's sweep is finished first;
//   1. sweep termination (clock field 1): stop the world, clear sync.Pools,
//      flush every mcache so every span is on an mcentral list;
//   2. mark (clock field 2): grey the roots, drain (mark.cpp);
//   3. mark termination (clock field 3): optional checkmark, queue finalizers of
//      dead finalizable objects, reset the live heap to the marked bytes,
//      recompute goal and trigger (pacer.cpp), flip the sweep generation so
//      every span becomes unswept (sweep.cpp), record statistics, restart the
//      world; then print the gctrace line and start the finalizer goroutine.
//
// gctrace: the line Go 1.19 prints, field by field:
//   gc N @T s U%: A+B+C ms clock, D+E/F/G+H ms cpu, h0->h1->h2 MB, goal MB goal,
//   S MB stacks, X MB globals, P P [(forced)]
// N cycles so far; T seconds since the runtime started; U the GC share of all
// CPU time since start (GCCPUFraction); A, B, C the three phases' wall time;
// D and H the stop-the-world phases times the Ps they stopped (stwprocs: P count
// capped at the CPU count); E assist, F background and G idle mark CPU time —
// here the mark runs with the world stopped on one marker per stopped P (the
// collecting goroutine and helper threads), so E = G = 0 and F is B times the
// markers, while U counts the mark as stwprocs * B (every P was stopped); h0 the live heap when the cycle started, h1 when the mark
// ended, h2 the marked heap; goal the heap goal of this cycle; S the stack
// bytes scanned; X the roots scanned (8 bytes per gc::Root); P GOMAXPROCS.
// Times use Go's fmtNSAsMS (two significant digits, at most three decimals)
// and byte counts are shifted right by 20, as Go prints them.
#include <gort/gc/collector.hpp>

#include <atomic>
#include <cstdio>
#include <ctime>
#include <string>

#include <gort/gc/mheap.hpp>
#include <gort/gc/span.hpp>
#include <gort/runtime/fatal.hpp>
#include <gort/runtime/gc_support.hpp>
#include <gort/runtime/sema.hpp>

#include "collector.hpp"

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

/// Everything the gctrace line of one cycle reports.
struct CycleTimes {
  int64_t t_sweep_term, t_mark, t_mark_term, t_end;
  int32_t stwprocs, maxprocs, markers;
  uint64_t heap0, heap1, heap2, goal, stacks, globals;
  bool forced;
  double cpu_fraction;
  uint32_t numgc;
};

void print_gctrace(const CycleTimes& c) {
  const int64_t init = runtime::runtime_init_nanotime();
  const int64_t sweep_term_cpu = int64_t{c.stwprocs} * (c.t_mark - c.t_sweep_term);
  const int64_t mark_cpu = int64_t{c.markers} * (c.t_mark_term - c.t_mark);
  const int64_t mark_term_cpu = int64_t{c.stwprocs} * (c.t_end - c.t_mark_term);
  std::string line = "gc " + std::to_string(c.numgc) + " @" +
                     itoa_div(static_cast<uint64_t>(c.t_sweep_term - init) / 1'000'000, 3) + "s " +
                     std::to_string(static_cast<int>(c.cpu_fraction * 100)) + "%: ";
  line += fmt_ns_as_ms(static_cast<uint64_t>(c.t_mark - c.t_sweep_term)) + "+" +
          fmt_ns_as_ms(static_cast<uint64_t>(c.t_mark_term - c.t_mark)) + "+" +
          fmt_ns_as_ms(static_cast<uint64_t>(c.t_end - c.t_mark_term)) + " ms clock, ";
  line += fmt_ns_as_ms(static_cast<uint64_t>(sweep_term_cpu)) + "+" + fmt_ns_as_ms(0) + "/" +
          fmt_ns_as_ms(static_cast<uint64_t>(mark_cpu)) + "/" + fmt_ns_as_ms(0) + "+" +
          fmt_ns_as_ms(static_cast<uint64_t>(mark_term_cpu)) + " ms cpu, ";
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
    runtime::fatal_error(
        "gc: ASAN fake stacks hide stack pointers from the collector; "
        "run with ASAN_OPTIONS=detect_stack_use_after_return=0");
  }
#endif
}

/// Runs a checkmark pass and verifies it: every object it marks must be marked
/// by the first mark, whose bits are in the spans (mirrors setCheckmark).
void verify_checkmark() {
  MarkState check(/*checkmark=*/true);
  mark_from_roots(check);
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
    runtime::fatal_error("checkmark found unmarked object");
  });
}

int64_t unix_now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace

void maybe_start_gc() {
  if (heap_live.load(std::memory_order_relaxed) < current_trigger()) return;
  gc_start(TriggerKind::Heap);
}

// mirrors gcStart, gcMarkDone and gcMarkTermination in mgc.go
void gc_start(TriggerKind kind) {
  const bool forced = kind == TriggerKind::Forced;
  if (!runtime::on_goroutine_with_p()) {
    if (forced) runtime::fatal_error("gc.collect: called outside a goroutine");
    return;
  }
  if (in_no_collection_scope()) {
    if (forced) runtime::fatal_error("gc.collect: called inside a gc::NoCollectionScope");
    return;
  }
  pacer_init();
  install_background_sweeper();
  // GC CPU time counts from the start of the running runtime (it can restart).
  static int64_t accounted_init = 0;
  auto trigger_holds = [&] {
    return forced || heap_live.load(std::memory_order_relaxed) >= current_trigger();
  };
  if (!trigger_holds()) return;
  runtime::semacquire(&gc_sema, runtime::WaitReason::Semacquire);
  if (!trigger_holds()) {  // another goroutine ran the cycle meanwhile
    runtime::semrelease(&gc_sema);
    return;
  }
  finish_sweep();
  check_no_fake_stacks();
  lock_out_scopes();
  if (accounted_init != runtime::runtime_init_nanotime()) {
    accounted_init = runtime::runtime_init_nanotime();
    gc_total_cpu_ns.store(0, std::memory_order_relaxed);
  }

  CycleTimes c{};
  c.forced = forced;
  c.t_sweep_term = runtime::gc_nanotime();
  runtime::stop_the_world_gc();
  // ---- sweep termination ----
  c.maxprocs = runtime::gc_gomaxprocs();
  c.stwprocs = c.maxprocs < runtime::gc_ncpu() ? c.maxprocs : runtime::gc_ncpu();
  c.heap0 = heap_live.load(std::memory_order_relaxed);
  c.goal = heap_goal_bytes();
  pool_cleanup();
  flush_all_mcaches();
  finish_sweep();
  // ---- mark ----
  c.t_mark = runtime::gc_nanotime();
  // Every P is stopped, so the mark may use their CPUs: one marker per P the
  // machine can run at once (stwprocs), the collecting goroutine included.
  MarkState state(/*checkmark=*/false);
  // Waking helper threads costs tens of µs: worth it only when the last mark
  // scanned at least kParallelMarkMinObjects objects.
  const bool big = last_objects_scanned >= kParallelMarkMinObjects;
  const int helpers = big ? (c.stwprocs < kMaxMarkers ? c.stwprocs : kMaxMarkers) - 1 : 0;
  const MarkRoots roots = mark_from_roots_parallel(helpers, &state.bytes_marked, &last_objects_scanned);
  c.markers = helpers + 1;
  // ---- mark termination ----
  c.t_mark_term = runtime::gc_nanotime();
  c.heap1 = heap_live.load(std::memory_order_relaxed);
  if (after_mark_hook != nullptr) after_mark_hook();
  if (runtime::gc_debug_settings().gccheckmark > 0) verify_checkmark();
  const std::size_t finalizers_queued = queue_dead_finalizers(state);
  c.heap2 = state.bytes_marked;
  c.stacks = roots.stack_bytes;
  c.globals = roots.globals_bytes;
  heap_live.store(state.bytes_marked, std::memory_order_relaxed);
  pacer_commit(state.bytes_marked, roots.stack_bytes, roots.globals_bytes);
  start_sweep_generation();
  if (runtime::gc_debug_settings().gcstoptheworld >= 2) finish_sweep();
  c.t_end = runtime::gc_nanotime();

  const int64_t cycle_cpu = int64_t{c.stwprocs} * (c.t_end - c.t_sweep_term);
  const int64_t total_gc = gc_total_cpu_ns.fetch_add(cycle_cpu, std::memory_order_relaxed) + cycle_cpu;
  const int64_t elapsed = c.t_end - runtime::runtime_init_nanotime();
  const double total_cpu = static_cast<double>(elapsed) * c.maxprocs;
  c.cpu_fraction = total_cpu > 0 ? static_cast<double>(total_gc) / total_cpu : 0;
  record_cycle(c.t_end - c.t_sweep_term, unix_now_ns(), forced, c.cpu_fraction);
  c.numgc = num_gc();
  runtime::start_the_world_gc();
  unlock_scopes();
  if (runtime::gc_debug_settings().gctrace > 0) print_gctrace(c);
  runtime::semrelease(&gc_sema);
  if (finalizers_queued > 0) start_finalizer_goroutine();
  scavenger_wake();
  clear_dead_stack<kClearedStackBytes>();
}

}  // namespace gort::gc::detail

namespace gort::gc {

// mirrors runtime.GC in mgc.go: a full cycle, then the whole sweep
void collect() {
  detail::gc_start(detail::TriggerKind::Forced);
  detail::finish_sweep();
  detail::clear_dead_stack<detail::kClearedStackBytes>();
}

}  // namespace gort::gc
