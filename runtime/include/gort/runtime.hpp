// gort/runtime.hpp — the go statement and the scheduler's public surface.
//
// This is what a Go programmer reaches for in package runtime: start the runtime
// (gort::run is Go's runtime.main), start goroutines (gort::go is the `go`
// statement), yield, size the P set, identify goroutines and pin them to threads.
// Every function here must be called from a goroutine (inside gort::run) unless
// its comment says otherwise.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <optional>
#include <functional>
#include <new>
#include <tuple>
#include <type_traits>
#include <utility>

#include <gort/panic.hpp>

namespace gort {

namespace runtime {
struct G;

/// Signature of a goroutine's first function: receives the closure stored on its stack.
using GoEntry = void (*)(void* closure);

/// Allocates a dead-or-new G whose stack has room for a closure of `size` bytes
/// aligned to `align` below its G record; returns the G and the closure address.
/// Precondition: called from a goroutine or a timer function (see go());
/// size <= kMaxClosureBytes.
G* newproc_prepare(GoEntry entry, std::size_t size, std::size_t align, void** closure);

/// Makes a G from newproc_prepare runnable (into the current P's runnext, as Go's
/// newproc; on an M without a P, the global run queue) and, once the main
/// goroutine has started, wakes an idle P if there is one.  Precondition: the
/// closure is built.
void newproc_start(G* gp);

/// Returns a G from newproc_prepare unused (the closure constructor threw).
void newproc_abandon(G* gp);

/// Boots the runtime on the calling OS thread, runs entry(arg) as goroutine 1 and
/// returns once it has returned and the runtime is torn down; see gort::run.
/// exit_code is read if the process must end without returning (see gort::run).
void run_main(GoEntry entry, void* arg, const int* exit_code);

/// Largest closure (callable plus bound arguments) `go` can place on a new stack.
inline constexpr std::size_t kMaxClosureBytes = 4096;

/// The first frame of every goroutine: runs the closure, then destroys it.
template <class C>
void invoke_closure(void* p) {
  C* c = static_cast<C*>(p);
  struct Destroy {
    C* c;
    ~Destroy() { c->~C(); }
  } destroy{c};
  (*c)();
  // Not a tail call: the goroutine's function keeps a frame of its own, so
  // tracebacks show it (as Go shows the goroutine's function).
  asm volatile("");
}

/// The first half of a go statement: a G from newproc_prepare with closure
/// built on its stack, not yet runnable (the caller passes it to newproc_start,
/// after marking it if it is a system goroutine).  Shared by gort::go and
/// runtime::go_system.  Precondition: as gort::go's.  Always inlined, as
/// gort::go is: newproc_prepare records its return address as the goroutine's
/// creation pc (Go's gopc), which must fall in the function with the go
/// statement at every optimisation level, -O0 included.
template <class C>
[[gnu::always_inline]] inline G* newproc_closure(C&& closure) {
  using D = std::decay_t<C>;
  static_assert(sizeof(D) <= kMaxClosureBytes, "closure too large for the new goroutine's stack; pass a pointer");
  void* mem = nullptr;
  G* gp = newproc_prepare(&invoke_closure<D>, sizeof(D), alignof(D), &mem);
  try {
    ::new (mem) D(std::forward<C>(closure));
  } catch (...) {
    newproc_abandon(gp);
    throw;
  }
  return gp;
}

}  // namespace runtime

/// Starts fn(args...) as a new goroutine: the `go` statement.  fn and args are
/// moved into the new goroutine's stack at the call, as Go evaluates them.
/// Precondition: called from a goroutine, or from a runtime timer function
/// (gort/runtime/internal/timer.hpp), as Go's time.AfterFunc starts its function.
/// Always inlined: the goroutine's "created by" names the caller (see
/// newproc_closure), even in a -O0 build.
template <class F, class... Args>
[[gnu::always_inline]] inline void go(F&& fn, Args&&... args) {
  auto closure = [f = std::forward<F>(fn),
                  tup = std::make_tuple(std::forward<Args>(args)...)]() mutable {
    std::apply(std::move(f), std::move(tup));
  };
  runtime::newproc_start(runtime::newproc_closure(std::move(closure)));
}

/// Boots the runtime on the calling thread and runs main_fn as the main goroutine
/// (goroutine 1); returns when main_fn returns, as a Go program ends when main
/// returns.  main_fn returns void (exit code 0) or int.  Other goroutines still
/// alive are abandoned, as Go abandons them at exit.  Precondition: not already
/// inside gort::run.
template <class F>
int run(F&& main_fn) {
  using Fn = std::remove_reference_t<F>;  // a function or a callable object
  struct Main {
    Fn* fn;
    int code = 0;
  } m{&main_fn};
  auto entry = [](void* p) {
    auto* mm = static_cast<Main*>(p);
    if constexpr (std::is_same_v<std::invoke_result_t<F&>, void>) {
      (*mm->fn)();
    } else {
      mm->code = static_cast<int>((*mm->fn)());
    }
  };
  runtime::run_main(entry, &m, &m.code);
  return m.code;
}

/// Yields the processor: the goroutine goes to the global run queue and others
/// run (runtime.Gosched).  Returns at once when nothing else is runnable.
void gosched();

/// Sets GOMAXPROCS to n when n > 0 (stopping the world to resize the P set) and
/// returns the previous value (runtime.GOMAXPROCS).
int gomaxprocs(int n = 0);

/// Returns the calling goroutine's id (1 for the main goroutine).
int64_t goid();

/// Returns the number of goroutines that currently exist (runtime.NumGoroutine).
int num_goroutine();

/// Wires the calling goroutine to its current OS thread until a matching
/// unlock_os_thread (calls nest, as in Go).  A goroutine that exits while locked
/// takes its thread with it.
void lock_os_thread();

/// Undoes one lock_os_thread; a no-op when the goroutine is not locked.
void unlock_os_thread();

/// Parks the calling goroutine for at least d (time.Sleep): other goroutines
/// run meanwhile; d <= 0 returns at once.  Precondition: called from a goroutine.
void sleep(std::chrono::nanoseconds d);

/// sleep for any std::chrono duration (rounded up to whole nanoseconds).
template <class Rep, class Period>
void sleep(std::chrono::duration<Rep, Period> d) {
  sleep(std::chrono::ceil<std::chrono::nanoseconds>(d));
}

/// Marks the calling goroutine as in a blocking system call (entersyscall): it
/// keeps its thread but lends its P, which sysmon hands to another M if the
/// call lasts over ~20 µs.  Pair with exitsyscall; prefer gort::blocking.
void entersyscall();

/// Ends a blocking call (exitsyscall): takes back the old P if still free, else
/// an idle P, else queues the goroutine and parks the thread until a P frees.
void exitsyscall();

/// Runs fn() as a blocking call (a read(2), a sleep(3), a lock held by another
/// thread, ...): other goroutines keep running on the P meanwhile.  Returns
/// fn's result; an exception from fn propagates after the P is back.
/// Precondition: called from a goroutine; fn must not call into gort.
template <class F>
std::invoke_result_t<F&> blocking(F&& fn) {
  std::exception_ptr error;
  entersyscall();
  if constexpr (std::is_void_v<std::invoke_result_t<F&>>) {
    try {
      fn();
    } catch (...) {
      error = std::current_exception();
    }
    exitsyscall();  // outside the handler: it may move us to another thread
    if (error) std::rethrow_exception(error);
  } else {
    std::optional<std::invoke_result_t<F&>> result;
    try {
      result.emplace(fn());
    } catch (...) {
      error = std::current_exception();
    }
    exitsyscall();
    if (error) std::rethrow_exception(error);
    return std::move(*result);
  }
}

/// Marks the enclosing scope as safe for asynchronous preemption: while an
/// AsyncPreemptible is alive, sysmon may stop this goroutine at any
/// instruction (SIGURG, as Go does everywhere) instead of waiting for a safe
/// point, so a loop without runtime calls cannot hog its P.  Only for code that
/// allocates nothing, takes no locks and touches no thread-local state: the
/// goroutine may resume on another thread.  Off with GODEBUG=asyncpreemptoff=1.
class AsyncPreemptible {
 public:
  AsyncPreemptible();
  ~AsyncPreemptible();
  AsyncPreemptible(const AsyncPreemptible&) = delete;
  AsyncPreemptible& operator=(const AsyncPreemptible&) = delete;
};

/// A safe point: if the scheduler asked this goroutine to yield (it has run for
/// 10 ms, or the world is stopping), it yields here.  Cheap when not asked.
void preempt_point();

}  // namespace gort
