// gort/runtime/internal/hooks.hpp — every call the runtime makes up into a library built
// on it: one record of function pointers per library, registered once at
// start-up.
//
// The runtime depends on nothing else of gort, yet the scheduler must run
// collector work at points only it knows: a P about to idle, a goroutine about
// to resume during a mark, a P being destroyed, main returning.  Go's runtime
// makes these calls directly (findRunnableGCWorker, scanstack, p.destroy's
// freemcache, ...); gort's collector lives in gc/, above the runtime, so the
// runtime calls it through the record below.  Everything the runtime calls in
// gc/ is in this record; what gc/ calls in the runtime is gc_support.hpp and the
// other headers of this directory that gc/CMakeLists.txt lists.
//
// Rules for a hook record (a library that needs the scheduler to call it — the
// netpoller, the profilers — adds its own record here, next to GcHooks, with
// its own register_* function; not a setter per hook):
//   - The library registers it once, from a static initializer of the file that
//     holds its entry points (Go's package init), so it is in place before
//     gort::run starts a scheduler and never changes afterwards; the record has
//     static storage.  The runtime reads the pointer without a lock.
//   - A library that is not linked in registers nothing: the runtime calls no
//     hook while the pointer is null.
//   - Every field says when it is called, on which stack, with which locks
//     held, and what it must not do.
#pragma once

#include <cstdint>

namespace gort::runtime {

/// The collector's side of the scheduler (gc/src/mgc.cpp registers it).
struct GcHooks {
  /// Greys what the ranges [ranges[2i], ranges[2i+1]) point to: one goroutine's
  /// `go` closure and stack, scanned conservatively (Go's scanstack);
  /// stack_bytes is the stack part's size.  Called only while a mark runs
  /// (gc_stack_scan.cpp), by a scanner that claimed a stopped goroutine: a mark
  /// worker on g0, an assist on its goroutine's stack, or execute on g0 before
  /// it resumes the goroutine.  Holds no runtime lock; must not park or yield.
  void (*scan_goroutine)(const void* const* ranges, int nranges, uint64_t stack_bytes);

  /// Runs background mark work for the calling M's P, as the dedicated or
  /// fractional worker the pacer wants there now (Go's findRunnableGCWorker +
  /// gcBgMarkWorker); returns true when it ran.  Called by findRunnable at its
  /// top, only while a mark runs, on g0 holding a P and no lock; must not park,
  /// yield or allocate from the managed heap.
  bool (*mark_worker)();

  /// Idle-priority collector work (marking during a mark, sweeping after it);
  /// returns true when it did some, and the M then looks for goroutines again.
  /// Called by findRunnable when it found nothing to run, before the P goes
  /// idle (where Go runs its idle GC workers), on g0 holding a P and no lock;
  /// must not park, yield or allocate from the managed heap.
  bool (*idle_work)();

  /// Shades every managed object [lo, hi) points to: the barrier of a root range
  /// registered, unregistered or written in place (root_range.hpp).  Called
  /// only while a mark runs, on any thread and stack, with any lock held but
  /// the root-range registry's; must not park or yield.
  void (*shade_root_range)(const void* lo, const void* hi);

  /// The collector's part of destroying a P (mirrors what p.destroy does for
  /// the GC: wbBufFlush1 while marking, then freemcache): p_id and the P's GC
  /// cache slot (null when none was installed; the runtime clears the slot
  /// afterwards, gc_cache.hpp).  Called by procresize for a P it retires (world
  /// stopped, sched.lock held) and for every P at runtime teardown (no M
  /// left); must not park, yield or take sched.lock.
  void (*destroy_p)(int32_t p_id, void* cache);

  /// Finishes collection before the program exits: a cycle in flight ends and
  /// no other starts, so no cycle goroutine is abandoned holding the cycle's
  /// memory (Go abandons it; gort's ASAN build would report the mark state as
  /// leaked).  Called on the main goroutine once main's function has returned,
  /// before the world stops for exit, holding no lock; may park, must return.
  void (*before_exit)();

  /// The heap profile's rate changed (set_mem_profile_rate, mprof.cpp): every
  /// allocation cache draws its next sample at the new rate.  Called on any
  /// thread, holding no lock; must not park or yield.
  void (*mem_profile_rate_changed)();
};

/// Registers the collector's hooks.  Precondition: called once, before gort::run
/// starts a scheduler (a static initializer); hooks has static storage.
void register_gc_hooks(const GcHooks* hooks);

/// The profilers' side of gort::run (gort::pprof registers it): the whole-run
/// profiles the environment names, as GORTTRACE names a whole-run trace.
struct ProfileHooks {
  /// Starts a CPU profile written to path (GORTCPUPROFILE); throws an
  /// exception whose what() says why when it cannot (the file cannot be
  /// created, a profile already runs).  Called on the main goroutine before
  /// main's function runs, holding no lock; may park.
  void (*start_cpu_profile)(const char* path);
  /// Stops that profile and finishes its file; reports a failure on stderr
  /// itself and returns.  Called on the main goroutine after main's function
  /// returned, before the collector's before_exit, holding no lock; may park.
  void (*stop_cpu_profile)();
  /// Collects once, as `go test -memprofile` does, and writes the heap profile
  /// to path (GORTMEMPROFILE); reports a failure on stderr itself and returns.
  /// Called on the main goroutine after main's function returned and the CPU
  /// profile stopped, before the collector's before_exit, holding no lock; may park.
  void (*write_heap_profile)(const char* path);
};

/// Registers the profilers' hooks.  Precondition: called once, before gort::run
/// starts a scheduler (a static initializer); hooks has static storage.
void register_profile_hooks(const ProfileHooks* hooks);

/// Registers fn to run on the main goroutine once main's function has returned
/// (after the whole-run profiles and trace end, before the collector's
/// before_exit), in registration order, at the end of every gort::run: for a
/// library above the runtime that keeps goroutine-bound resources between
/// calls (gort::http's idle client connections, which must be closed on a
/// goroutine).  fn may park and must not throw.  Registering the same fn twice
/// registers it once.  Any thread; at most kMaxExitHooks functions (more is a
/// fatal error).
void register_exit_hook(void (*fn)());

/// How many exit hooks may be registered (a fixed table: run.cpp reads it at
/// exit without a lock); the libraries above the runtime need one each.
inline constexpr int kMaxExitHooks = 8;

}  // namespace gort::runtime
