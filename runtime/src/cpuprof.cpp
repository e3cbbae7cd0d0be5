// cpuprof.cpp — the CPU profiler's runtime half: per-thread CPU-time timers,
// the SIGPROF handler that takes a sample, and the lock-free buffer between the
// handler and the profile's reader (mirrors cpuprof.go, profbuf.go, sigprof in
// proc.go, setProcessCPUProfiler/validSIGPROF in signal_unix.go and
// os_linux.go, and setThreadCPUProfiler in os_linux.go).
//
// Timers.  set_cpu_profile_rate publishes the rate in sched.profilehz.  Every M
// compares its own profilehz with it each time it runs a goroutine
// (execute_prep -> check_thread_cpu_profiler, Go's execute) and, on a change,
// deletes its timer and arms a new one: timer_create on CLOCK_THREAD_CPUTIME_ID
// with SIGEV_THREAD_ID naming itself, first expiry uniform in (0, period] (so
// short-lived threads are not under-sampled), then every 1/hz of the thread's
// own CPU time.  An M that is idle uses no CPU and needs no timer until it runs
// a goroutine again; an M that exits deletes its timer (mstart, teardown).  If
// timer_create fails, that M leaves profile_timer_valid false and the
// process-wide setitimer(ITIMER_PROF) is armed instead; validSIGPROF then lets
// each thread count only its own kind of signal (SI_TIMER with a timer,
// SI_KERNEL without), as Go's does.  Unlike Go, setitimer is armed only as
// that fallback: gort runs no foreign threads whose CPU it must attribute.
//
// Unwinding.  The signal can land anywhere: in malloc, on g0 in the scheduler,
// between the stores of a fiber switch, in the collector, inside libunwind or
// libgcc's unwinder (panics), in a sanitizer's runtime.  The handler therefore
// walks frame pointers, and reads nothing but the words [fp] and [fp+8] of
// frames that lie inside the stack the interrupted stack pointer is on: the
// current goroutine's [stack_lo, stack_hi), the M's thread stack (g0) or its
// signal stack, whichever contains sp — not whichever curg names, since a
// switch updates curg and the stack pointer at different instructions.  The
// walk (walk_frame_pointers, frame_walk.hpp, shared with the goroutine
// profile) checks each step: up, 8-aligned, inside those bounds, so a wrong
// rbp (code without frame pointers, a prologue) ends it early and never
// faults.  If sp is on no known stack (a thread outside the runtime under the
// setitimer fallback), the sample is the pc and external_code, as Go's
// sigprofNonGoPC.  The runtime and every program linking it are compiled with
// -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer (runtime/CMakeLists.txt);
// libc and libstdc++ are not, so a sample inside them may skip its caller.
// Their cost, profiling on or off, is three instructions in every non-leaf
// call (push, mov, pop of rbp), as Go pays on amd64; the scheduler's switch path
// makes up for it with fewer calls (execute_prep and pick_fast inlined in
// proc.cpp), and NOTES.md §14 measures both against the runtime before them.
// Rejected: libunwind's local unwinder (unw_init_local2 on the signal's
// context).  Its DWARF lookups go through dl_iterate_phdr, whose loader lock a
// panic's own unwinding may hold on the same thread; it keeps caches updated
// under signal masking whose reentry from a handler is exactly the hazard the
// issue names; and the project already had to avoid its per-thread cache under
// TSAN (callers in traceback.cpp).  libgcc's _Unwind_Backtrace: not async-signal-safe
// (object registration mutex, dl_iterate_phdr).  Go itself needs neither: its
// unwinder reads the pcln tables, which never change; gperftools offers
// libunwind but documents its deadlocks and recommends frame pointers; Abseil's
// x86 unwinder and perf walk frame pointers with checks like these.
// TSAN delays an asynchronous signal to the thread's next interceptor and hands
// the handler a saved, stale context.  That build unwinds the handler's own
// live stack with libgcc's DWARF unwinder (callers, the runtime's capture
// outside a handler): TSAN's runtime keeps no frame pointers, and the handler then runs
// at an interceptor call, not at an arbitrary instruction; the sample's leaf
// frames are the handler's and TSAN's.  A handler running on the signal stack
// was delivered at once with the live context and walks it as above.
//
// The buffer (profBuf).  A ring of 2^17 words in static storage: each record
// is [length, count, pc...]; one writer at a time (prof.signal_lock, a CAS
// spin as Go's), one reader.  The writer stores the words, then publishes the
// write index with a release store; the reader loads it with acquire, copies,
// and publishes its read index the same way.  A sample that does not fit is
// counted in `overflow` and reported by the reader as lost_profile_event.
// The reader polls (gort::pprof reads every 100 ms, as Go's profileWriter); the
// ring holds ~2,000 samples of 64 frames (~10,000 of 10), while 100 ms at
// 100 Hz is 10 samples per busy M.  Goroutine labels are not recorded: gort has none
// yet.
//
// Locking.  prof.signal_lock is taken by handlers and by set_cpu_profile_rate;
// the latter blocks SIGPROF on its own thread first, so a handler never spins
// on a lock its own thread holds (Go stops the thread's timer instead).
#include <gort/runtime/internal/callers.hpp>
#include <gort/runtime/internal/cpuprof.hpp>

#include <signal.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <mutex>

#include "cpuprof.hpp"
#include "crash.hpp"
#include "frame_walk.hpp"
#include "current.hpp"

namespace gort::runtime {

namespace {

/// Words in the sample ring (Go's profBuf holds 1<<17 words of data too):
/// 1 MiB, ~2,000 full-depth samples between two reads (the design comment).
constexpr uint64_t kProfBufWords = uint64_t(1) << 17;

/// Words of a record's header: its length and its count.
constexpr int kRecordHeader = 2;

/// The profile's state (mirrors cpuProfile and profBuf).
struct Prof {
  /// Held by a writer (a SIGPROF handler) and by set_cpu_profile_rate.
  std::atomic<uint32_t> signal_lock{0};
  /// Rate of the running profile; written under signal_lock.
  std::atomic<int32_t> hz{0};
  /// True from a start until the reader has seen the end of its samples.
  std::atomic<bool> in_use{false};
  /// Set when profiling stopped: the reader's end once it drained the ring.
  std::atomic<bool> eof{false};
  /// Words written and read, ever (indices mod kProfBufWords).
  std::atomic<uint64_t> w{0};
  std::atomic<uint64_t> r{0};
  /// Samples dropped because the ring was full, not yet reported.
  std::atomic<uint64_t> overflow{0};
  /// True while the process-wide setitimer runs (the fallback).
  std::atomic<bool> itimer_on{false};
  bool force_setitimer = false;
  /// Words the writer may fill (below kProfBufWords only in tests).
  uint64_t capacity = kProfBufWords;
  uint64_t data[kProfBufWords];
};

Prof prof;

/// Serialises set_cpu_profile_rate callers (Go's cpuprof.lock).
std::mutex rate_mu;

void signal_lock_acquire() {
  uint32_t expected = 0;
  while (!prof.signal_lock.compare_exchange_weak(expected, 1, std::memory_order_acquire)) {
    expected = 0;
    sched_yield();  // a system call: async-signal-safe
  }
}

void signal_lock_release() { prof.signal_lock.store(0, std::memory_order_release); }

/// Appends one sample (mirrors cpuProfile.add and profBuf.write).
/// Precondition: signal_lock held.
void prof_buf_write(const uintptr_t* stk, int n) {
  const uint64_t len = uint64_t(kRecordHeader + n);
  const uint64_t w = prof.w.load(std::memory_order_relaxed);
  const uint64_t r = prof.r.load(std::memory_order_acquire);
  if (w + len - r > prof.capacity) {
    prof.overflow.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  prof.data[w % kProfBufWords] = len;
  prof.data[(w + 1) % kProfBufWords] = 1;
  for (int i = 0; i < n; ++i) prof.data[(w + kRecordHeader + uint64_t(i)) % kProfBufWords] = stk[i];
  prof.w.store(w + len, std::memory_order_release);
}

/// Adds one sample unless profiling has stopped (mirrors cpuProfile.add).
void cpuprof_add(const uintptr_t* stk, int n) {
  signal_lock_acquire();
  if (prof.hz.load(std::memory_order_relaxed) != 0) prof_buf_write(stk, n);
  signal_lock_release();
}

/// The known stack of mp that sp lies on: g0's thread stack, the signal stack,
/// or the running goroutine's.  False when sp is on none of them.
bool find_stack(const M* mp, uintptr_t sp, StackRange* out) {
  const auto* g0lo = static_cast<const char*>(mp->g0.fiber.stack_lo);
  StackRange r{uintptr_t(g0lo), uintptr_t(g0lo) + mp->g0.fiber.stack_size};
  if (g0lo != nullptr && r.contains(sp)) return *out = r, true;
  const auto* ss = static_cast<const char*>(mp->sigstack);
  r = {uintptr_t(ss), uintptr_t(ss) + mp->sigstack_size};
  if (ss != nullptr && r.contains(sp)) return *out = r, true;
  const G* gp = mp->curg;
  if (gp != nullptr) {
    r = {uintptr_t(gp->stack_lo), uintptr_t(gp->stack_hi)};
    if (r.lo != 0 && r.lo < r.hi && r.contains(sp)) return *out = r, true;
  }
  return false;
}

/// Whether this SIGPROF is one of the profiler's own kind for this thread
/// (mirrors validSIGPROF).
bool valid_sigprof(const M* mp, int code) {
  const bool from_setitimer = code == SI_KERNEL;
  const bool from_timer = code == SI_TIMER;
  if (!from_setitimer && !from_timer) return true;  // sent by someone else: counted, as Go does
  if (mp == nullptr) return from_setitimer;
  if (mp->profile_timer_valid.load(std::memory_order_relaxed)) return from_timer;
  return from_setitimer;
}

/// Takes one sample of the interrupted thread (mirrors sigprof and
/// sigprofNonGoPC).  Runs in the signal handler.
void sigprof(M* mp, const ucontext_t* uc) {
  uintptr_t stk[kCpuProfileMaxStack];
  int n = 0;
  const uintptr_t pc = uintptr_t(uc->uc_mcontext.gregs[REG_RIP]);
  const uintptr_t sp = uintptr_t(uc->uc_mcontext.gregs[REG_RSP]);
  const uintptr_t fp = uintptr_t(uc->uc_mcontext.gregs[REG_RBP]);
#if defined(GORT_TSAN)
  // Deferred delivery: uc is stale, and the live stack runs through TSAN's
  // frames, which keep no frame pointers; its DWARF unwinder walks them.
  if (mp != nullptr) {
    const uintptr_t here = uintptr_t(__builtin_frame_address(0));
    const auto* ss = static_cast<const char*>(mp->sigstack);
    if (!(ss != nullptr && here >= uintptr_t(ss) && here < uintptr_t(ss) + mp->sigstack_size)) {
      cpuprof_add(stk, callers(0, stk, kCpuProfileMaxStack));
      return;
    }
  }
#endif
  stk[n++] = pc + 1;  // exact pc, stored as a return address
  StackRange bounds;
  if (mp != nullptr && find_stack(mp, sp, &bounds)) {
    n = walk_frame_pointers(fp, sp, bounds, stk, n, kCpuProfileMaxStack);
  } else {
    stk[n++] = uintptr_t(&external_code) + 1;
  }
  cpuprof_add(stk, n);
}

void sigprof_handler(int, siginfo_t* info, void* uctx) {
  const int saved_errno = errno;
  M* mp = tls_current_m;  // initial-exec TLS: one %fs load, safe in a handler
  if (valid_sigprof(mp, info->si_code)) sigprof(mp, static_cast<const ucontext_t*>(uctx));
  errno = saved_errno;
}

std::once_flag handler_once;

/// Installs the SIGPROF handler the first time profiling starts and keeps it:
/// a signal still pending when profiling stops must find it (Go's issue 19320).
void install_sigprof_handler() {
  std::call_once(handler_once, [] {
    struct sigaction sa {};
    sa.sa_sigaction = &sigprof_handler;
    sa.sa_flags = SA_SIGINFO | SA_RESTART | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGPROF, &sa, nullptr);
  });
}

/// Arms or disarms the process-wide ITIMER_PROF (mirrors setProcessCPUProfilerTimer).
void set_process_cpu_profiler(int32_t hz) {
  struct itimerval it {};
  if (hz != 0) {
    it.it_interval.tv_usec = 1'000'000 / hz;
    it.it_value = it.it_interval;
  }
  setitimer(ITIMER_PROF, &it, nullptr);
}

/// SIGPROF blocked on the calling thread for the scope's life.
class SigprofBlocked {
 public:
  SigprofBlocked() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPROF);
    pthread_sigmask(SIG_BLOCK, &set, &old_);
  }
  ~SigprofBlocked() { pthread_sigmask(SIG_SETMASK, &old_, nullptr); }

 private:
  sigset_t old_;
};

}  // namespace

void lost_profile_event() { asm volatile(""); }
void external_code() { asm volatile(""); }

void set_thread_cpu_profiler(M* mp, int32_t hz) {
  mp->profilehz = hz;
  if (mp->profile_timer_valid.load(std::memory_order_relaxed)) {
    mp->profile_timer_valid.store(false, std::memory_order_relaxed);
    if (timer_delete(static_cast<timer_t>(mp->profile_timer)) != 0) gothrow("timer_delete");
    mp->profile_timer = nullptr;
  }
  if (hz == 0) return;
  if (prof.force_setitimer) {
    if (!prof.itimer_on.exchange(true)) set_process_cpu_profiler(hz);
    return;
  }
  // The first expiry is uniform in (0, period]: 0.1 period of work is a 10%
  // chance of one sample, not none (Go's comment in setThreadCPUProfiler).
  const int64_t period = 1'000'000'000 / hz;
  struct itimerspec spec {};
  const int64_t first = 1 + int64_t(fastrandn(mp, uint32_t(period)));
  spec.it_value.tv_sec = first / 1'000'000'000;
  spec.it_value.tv_nsec = first % 1'000'000'000;
  spec.it_interval.tv_sec = period / 1'000'000'000;
  spec.it_interval.tv_nsec = period % 1'000'000'000;
  struct sigevent sev {};
  sev.sigev_notify = SIGEV_THREAD_ID;
  sev.sigev_signo = SIGPROF;
  sev._sigev_un._tid = mp->procid;
  timer_t timer{};
  if (timer_create(CLOCK_THREAD_CPUTIME_ID, &sev, &timer) != 0) {
    // This M falls back to the process-wide timer (validSIGPROF).
    if (!prof.itimer_on.exchange(true)) set_process_cpu_profiler(hz);
    return;
  }
  if (timer_settime(timer, 0, &spec, nullptr) != 0) gothrow("timer_settime");
  mp->profile_timer = timer;
  mp->profile_timer_valid.store(true, std::memory_order_relaxed);
}

bool set_cpu_profile_rate(int hz) {
  if (hz < 0) hz = 0;
  std::lock_guard<std::mutex> guard(rate_mu);
  if (hz != 0 && prof.in_use.load(std::memory_order_acquire)) return false;
  if (hz == 0 && prof.hz.load(std::memory_order_relaxed) == 0) return true;
  install_sigprof_handler();
  M* mp = current_m();
  {
    SigprofBlocked blocked;
    signal_lock_acquire();
    if (hz != 0) {
      prof.w.store(0, std::memory_order_relaxed);
      prof.r.store(0, std::memory_order_relaxed);
      prof.overflow.store(0, std::memory_order_relaxed);
      prof.eof.store(false, std::memory_order_relaxed);
      prof.in_use.store(true, std::memory_order_relaxed);
    } else {
      prof.eof.store(true, std::memory_order_release);
    }
    prof.hz.store(hz, std::memory_order_relaxed);
    signal_lock_release();
    if (hz == 0 && prof.itimer_on.exchange(false)) set_process_cpu_profiler(0);
  }
  sched.profilehz.store(hz, std::memory_order_relaxed);
  // This thread starts (or stops) at once; other Ms when they next run a goroutine.
  if (mp != nullptr) set_thread_cpu_profiler(mp, hz);
  return true;
}

int cpu_profile_rate() { return prof.hz.load(std::memory_order_relaxed); }

bool read_cpu_profile(std::vector<CpuProfileRecord>& out) {
  // eof is read before the ring: a stop published after this load leaves
  // samples for the next call, which then sees eof and an empty ring.
  const bool eof = prof.eof.load(std::memory_order_acquire);
  uint64_t r = prof.r.load(std::memory_order_relaxed);
  const uint64_t w = prof.w.load(std::memory_order_acquire);
  while (r < w) {
    const uint64_t len = prof.data[r % kProfBufWords];
    CpuProfileRecord rec;
    rec.count = prof.data[(r + 1) % kProfBufWords];
    rec.stack.reserve(len - kRecordHeader);
    for (uint64_t i = kRecordHeader; i < len; ++i) rec.stack.push_back(prof.data[(r + i) % kProfBufWords]);
    out.push_back(std::move(rec));
    r += len;
  }
  prof.r.store(r, std::memory_order_release);
  if (const uint64_t lost = prof.overflow.exchange(0, std::memory_order_relaxed); lost != 0) {
    out.push_back(CpuProfileRecord{lost, {uintptr_t(&lost_profile_event) + 1}});
  }
  if (!eof) return true;
  prof.in_use.store(false, std::memory_order_release);
  return false;
}

void cpu_profile_force_setitimer(bool on) { prof.force_setitimer = on; }

void cpu_profile_limit_buffer(uint64_t words) {
  prof.capacity = words == 0 || words > kProfBufWords ? kProfBufWords : words;
}

namespace {
std::atomic<const ProfileHooks*> registered_profile_hooks{nullptr};
}  // namespace

void register_profile_hooks(const ProfileHooks* hooks) {
  registered_profile_hooks.store(hooks, std::memory_order_release);
}

const ProfileHooks* profile_hooks() { return registered_profile_hooks.load(std::memory_order_acquire); }

}  // namespace gort::runtime
