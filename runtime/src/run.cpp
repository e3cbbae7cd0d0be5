// run.cpp — booting and tearing down the runtime (mirrors schedinit, rt0_go and
// runtime.main in proc.go, and exit).
//
// gort::run turns the calling thread into m0: it reads the environment, starts
// the network poller (the first run of the process only), creates GOMAXPROCS Ps, takes P 0, creates the main goroutine (goroutine 1), starts
// sysmon and enters the scheduler loop on the thread's own stack (m0's g0).
// Until the main goroutine starts, a new goroutine wakes no other M (Go's
// mainStarted), so m0 runs goroutine 1: main locked to its thread is locked to
// the thread that called gort::run.
//
// The main goroutine starts the whole-run trace and CPU profile the
// environment names (GORTTRACE, GORTCPUPROFILE; the profile through the
// profilers' hooks) and stops them when main's function returns, then writes
// the heap profile GORTMEMPROFILE names (through the same hooks).
//
// When main's function returns, the program ends, as in Go.  The main goroutine
// first runs the collector's exit hook (it finishes a cycle in flight, so no
// cycle goroutine is abandoned holding the cycle's memory), then stops the
// world (every other goroutine stops at its next safe point; within a
// second, or the process exits with main's code, stdio flushed, as Go's would),
// sets sched.shutdown and wakes every M.  Each M leaves its scheduler loop; m0's
// loop returns into run_main, which joins every thread and unmaps every stack.
// Goroutines still alive are abandoned without unwinding — their destructors do
// not run, as deferred calls do not run in Go at exit.  The runtime can then be
// started again (the test suites run many programs in one process).
#include <gort/runtime.hpp>
#include <gort/trace.hpp>
#include <gort/runtime/internal/hooks.hpp>

#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <stdexcept>

#include "cpuprof.hpp"
#include "crash.hpp"
#include "current.hpp"
#include "env.hpp"
#include "fiber.hpp"
#include "nanotime.hpp"
#include "netpoll_sched.hpp"
#include "proc.hpp"
#include "sched.hpp"
#include "stack.hpp"

namespace gort::runtime {

namespace {

/// How long main's exit waits for other goroutines to reach a safe point.
constexpr int64_t kExitStopDeadlineNs = 1'000'000'000;

struct MainClosure {
  GoEntry entry;
  void* arg;
  const int* exit_code;
};

/// Ends the program from the main goroutine (mirrors the tail of runtime.main).
[[noreturn]] void exit_program(const int* exit_code) {
  if (const GcHooks* hooks = gc_hooks(); hooks != nullptr) hooks->before_exit();
  if (!stop_the_world(StwReason::Exit, nanotime() + kExitStopDeadlineNs)) {
    std::fflush(nullptr);
    _exit(*exit_code);
  }
  sched.lock.lock();
  sched.shutdown.store(true, std::memory_order_release);
  for (M* mp = sched.allm; mp != nullptr; mp = mp->alllink) notewakeup(&mp->park);
  sched.lock.unlock();
  netpoll_break();  // the M blocked in the poller, if any
  goexit1();
}

/// Starts the whole-run recorder environment variable `var` names a file for
/// (GORTTRACE, GORTCPUPROFILE) with start(path).  When start throws (the file
/// cannot be created, no profiler is linked in) its reason is one line on
/// stderr and the program runs without `what`.  Returns whether it started.
template <class Start>
bool start_environment_recorder(const char* var, const char* what, Start start) {
  const char* path = std::getenv(var);
  if (path == nullptr || path[0] == '\0') return false;
  try {
    start(path);
    return true;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gort: %s=%s: %s; running without %s\n", var, path, e.what(), what);
    return false;
  }
}

/// GORTTRACE=FILE: traces the whole run of main's function.
bool start_environment_trace() {
  return start_environment_recorder("GORTTRACE", "a trace", [](const char* path) { gort::trace::start(path); });
}

/// GORTCPUPROFILE=FILE: profiles the whole run of main's function through the
/// profilers' hooks (none when gort::pprof is not linked in).
bool start_environment_cpu_profile() {
  return start_environment_recorder("GORTCPUPROFILE", "a profile", [](const char* path) {
    const ProfileHooks* hooks = profile_hooks();
    if (hooks == nullptr) throw std::runtime_error("gort::pprof is not linked in");
    hooks->start_cpu_profile(path);
  });
}

/// GORTMEMPROFILE=FILE: writes the heap profile of the whole run when main's
/// function has returned (none when gort::pprof is not linked in; a file that
/// cannot be written is reported by the hook).
void write_environment_heap_profile() {
  const char* path = std::getenv("GORTMEMPROFILE");
  if (path == nullptr || path[0] == '\0') return;
  const ProfileHooks* hooks = profile_hooks();
  if (hooks == nullptr) {
    std::fprintf(stderr, "gort: GORTMEMPROFILE=%s: gort::pprof is not linked in; no profile written\n", path);
    return;
  }
  hooks->write_heap_profile(path);
}

/// The exit hooks (hooks.hpp's register_exit_hook): a fixed table filled in
/// order; count is published after its slot is written.
std::atomic<void (*)()> exit_hooks[kMaxExitHooks];
std::atomic<int> exit_hook_count{0};
std::mutex exit_hooks_mu;  // serialises registrations

/// Runs the exit hooks on the main goroutine.
void run_exit_hooks() {
  const int n = exit_hook_count.load(std::memory_order_acquire);
  for (int i = 0; i < n; ++i) exit_hooks[i].load(std::memory_order_relaxed)();
}

void main_goroutine(void* p) {
  auto* c = static_cast<MainClosure*>(p);
  sched.main_started.store(true, std::memory_order_release);  // mirrors runtime.main's mainStarted = true
  const bool traced = start_environment_trace();
  const bool profiled = start_environment_cpu_profile();
  c->entry(c->arg);
  if (profiled) profile_hooks()->stop_cpu_profile();
  write_environment_heap_profile();
  if (traced) gort::trace::stop();
  run_exit_hooks();
  exit_program(c->exit_code);
}

void reset_sched() {
  sched.midle = nullptr;
  sched.nmidle = 0;
  sched.mcount = 0;
  sched.nmidlelocked = 0;
  sched.mnext = 0;
  sched.allm = nullptr;
  sched.pidle = nullptr;
  sched.npidle.store(0);
  sched.nmspinning.store(0);
  sched.runq = GQueue{};
  sched.runqsize.store(0);
  sched.gfree = GList{};
  sched.ngfree.store(0);
  sched.goidgen.store(0);
  sched.gcount_base.store(0);
  sched.gcwaiting.store(false);
  sched.stopwait = 0;
  noteclear(&sched.stopnote);
  sched.shutdown.store(false);
  sched.main_started.store(false);
  sched.lastpoll.store(nanotime());
  sched.poll_until.store(0);
  sched.allg = nullptr;
  sched.allglen.store(0);
  set_gomaxprocs_value(0);
}

void teardown(M* m0) {
  // sysmon goes first: it starts Ms too (handing off a P it retook from a
  // blocking call), and one it started after the joins below would be
  // deleted with its thread still running (std::terminate, seen under TSAN).
  sysmon_stop();
  // Every M has left its scheduler loop (or is about to: join waits).  An M
  // that was leaving with its locked goroutine may still have started one
  // more M before it saw the shutdown, so look again until none is left.
  for (;;) {
    M* unjoined = nullptr;
    sched.lock.lock();
    for (M* mp = sched.allm; mp != nullptr; mp = mp->alllink) {
      if (mp->thread.joinable()) {
        unjoined = mp;
        break;
      }
    }
    sched.lock.unlock();
    if (unjoined == nullptr) break;
    unjoined->thread.join();
  }
  timers_clear_all();
  netpoll_abandon_waiters();
  set_thread_cpu_profiler(m0, 0);
  signal_stack_release(m0);
  allg_destroy_all();
  gslabs_release_all();
  sudog_release_all();
  stack_release_all();
  // The GC caches go back while this thread's M still exists: releasing takes
  // runtime locks, which count themselves on the current M.
  for (auto& slot : allp) destroy_p_gc_state(slot.load());
  for (M* mp = sched.allm; mp != nullptr;) {
    M* next = mp->alllink;
    if (mp != m0) delete mp;
    mp = next;
  }
  delete m0;
  for (auto& slot : allp) {
    delete slot.load();
    slot.store(nullptr);
  }
  reset_sched();
  runtime_init_ns.store(0, std::memory_order_relaxed);
  set_current_m(nullptr);
}

}  // namespace

void register_exit_hook(void (*fn)()) {
  std::lock_guard<std::mutex> g(exit_hooks_mu);
  const int n = exit_hook_count.load(std::memory_order_relaxed);
  for (int i = 0; i < n; ++i) {
    if (exit_hooks[i].load(std::memory_order_relaxed) == fn) return;
  }
  if (n == kMaxExitHooks) gothrow("register_exit_hook: more than kMaxExitHooks hooks");
  exit_hooks[n].store(fn, std::memory_order_relaxed);
  exit_hook_count.store(n + 1, std::memory_order_release);
}

void run_main(GoEntry entry, void* arg, const int* exit_code) {
  if (current_m() != nullptr) gothrow("gort::run called from inside gort::run");
  runtime_init_ns.store(nanotime(), std::memory_order_relaxed);
  const int32_t procs = read_environment();
  stack_init();
  netpoll_init();  // once per process: the backend, and the fallback line if any
  reset_sched();

  M* m0 = new M();
  m0->is_m0 = true;
  m0->g0.is_g0 = true;
  m0->g0.status.store(GStatus::Running, std::memory_order_relaxed);
  m0->procid = static_cast<int32_t>(syscall(SYS_gettid));
  m0->fastrand_state = (0x9e3779b97f4a7c15ULL ^ uint64_t(nanotime())) | 1;
  sched.allm = m0;
  sched.mnext = 1;
  sched.mcount = 1;
  set_current_m(m0);
  fiber_adopt_thread(&m0->g0.fiber);
  m0->eh = thread_eh_globals();
  install_fault_handlers();
  async_preempt_init();
  signal_stack_init(m0);

  sched.lock.lock();
  P* runnable = procresize(procs);
  sched.lock.unlock();
  (void)runnable;  // fresh Ps have no work

  // Goroutine 1, queued on P 0 like any `go`.
  MainClosure* c = nullptr;
  void* mem = nullptr;
  G* gp = newproc_prepare(&main_goroutine, sizeof(MainClosure), alignof(MainClosure), &mem);
  c = ::new (mem) MainClosure{entry, arg, exit_code};
  (void)c;
  // sysmon first, as in Go; goroutine 1's `go` wakes no M (main_started is
  // false), so m0's own scheduler loop below is what runs it.
  sysmon_start();
  newproc_start(gp);
  schedule_loop();
  teardown(m0);
}

}  // namespace gort::runtime
