// pool.hpp — the worker pool that survives the course's five failure modes
// (week 12, "Worker Pool Survival Test"; Appendix B.7), as a Go programmer
// writes it with channels, context and recover:
//
//   1. Backpressure: tasks go through a bounded channel.  try_submit is the
//      non-blocking send that drops on overflow and counts the drop (the
//      metric); submit is the blocking send that pushes back on the caller.
//   2. Graceful shutdown: when the pool's context is done, workers keep
//      taking what was already accepted until the queue is empty or the drain
//      deadline passes; then the running tasks' contexts are cancelled and
//      whatever is still queued is abandoned, and counted.
//   3. Per-task timeouts: every task runs under with_timeout(hard, timeout)
//      (the course's WithTimeout(ctx, 100ms)); a task that honours its
//      context returns when it fires.
//   4. Panic isolation: each task runs inside a try/catch (Go's deferred
//      recover): a throwing task is counted and reported, and its worker goes
//      on to the next task.
//   5. Leak-clean shutdown: after the context is cancelled, wait() returns
//      only when every goroutine the pool started has returned, so
//      gort::goleak::verify_none finds nothing.
//
// The broken variant (PoolConfig::broken) is the classic leak the fifth mode
// guards against: workers `for t := range tasks` that never look at the
// context, a channel nobody closes, and a Wait that waits for the tasks but
// not for the workers.  After cancel and wait its workers are still parked in
// "chan receive", which the leak check reports with their creation site.
//
// Every accepted task ends in exactly one counter, so
// submitted = completed + dropped + timed_out + failed + abandoned
// once wait() has returned.
#pragma once

#include <gort/gort.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace survival {

/// What a task does (the lab's workloads).
enum class TaskKind : uint8_t {
  /// Computes for `spin` iterations: CPU work that ignores its context.
  Compute,
  /// Waits `wait` for a simulated downstream reply, or until its context is
  /// done: the shape of an RPC under a deadline.
  Wait,
  /// Throws gort::Panic: a bug in one task.
  Panic,
};

/// One unit of work.
struct Task {
  int64_t id = 0;
  TaskKind kind = TaskKind::Compute;
  /// Iterations of Compute.
  int64_t spin = 0;
  /// Duration of Wait.
  std::chrono::nanoseconds wait{0};
  /// When it was submitted (for the submit-to-completion latency).
  std::chrono::steady_clock::time_point submitted;
};

/// How a pool is built.
struct PoolConfig {
  int workers = 1;
  /// Slots of the bounded task channel.
  int queue_capacity = 1;
  /// Each task's deadline (the course: 100 ms).
  std::chrono::nanoseconds task_timeout = std::chrono::milliseconds(100);
  /// How long shutdown may drain accepted tasks before abandoning the rest.
  std::chrono::nanoseconds drain_deadline = std::chrono::milliseconds(100);
  /// Keep each completed task's submit-to-completion latency (stress mode).
  bool record_latency = false;
  /// Build the leaking variant (see the file comment).
  bool broken = false;
};

/// The pool's metrics, read after wait() (or live, as a snapshot).
struct PoolCounts {
  int64_t submitted = 0;  ///< tasks offered to the pool (accepted + dropped)
  int64_t dropped = 0;    ///< refused by try_submit because the queue was full
  int64_t completed = 0;  ///< returned normally
  int64_t timed_out = 0;  ///< ended by their own deadline
  int64_t failed = 0;     ///< threw (recovered and reported)
  int64_t abandoned = 0;  ///< cancelled or never started because shutdown's drain deadline passed
  /// Tasks completed by a worker after it had recovered from a panic.
  int64_t served_after_panic = 0;

  /// Whether every submitted task is accounted for exactly once.
  bool adds_up() const { return submitted == completed + dropped + timed_out + failed + abandoned; }
};

/// A fixed set of worker goroutines serving a bounded queue under a context.
/// Precondition for every member: called from a goroutine inside gort::run;
/// submissions from one goroutine at a time or many, but none after wait().
class Pool {
 public:
  /// Starts cfg.workers workers serving until ctx is done.  ctx must be
  /// cancellable (the pool drains when it is done).
  Pool(const gort::Context& ctx, const PoolConfig& cfg);
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;
  /// Precondition: wait() has returned (and, for a broken pool, release_leaked()).
  ~Pool();

  /// Offers t without blocking: false, and one more drop counted, when the
  /// queue is full (the course's drop-with-metric).
  bool try_submit(Task t);

  /// Offers t, blocking while the queue is full (backpressure); false, and not
  /// submitted, when the pool's context is done first.
  bool submit(Task t);

  /// pool.Wait(): returns once shutdown has finished — every worker returned
  /// and the leftover queue counted as abandoned.  The broken variant only
  /// waits for the queue to empty and the running tasks to end.
  /// Precondition: the context is done or will be.
  void wait();

  /// Broken variant only: closes the task channel so the leaked workers
  /// return, and waits for them (the lab's clean-up after it has shown the
  /// leak).
  void release_leaked();

  /// The metrics so far.
  PoolCounts counts() const;

  /// When shutdown began (the context was seen done) and ended (the last
  /// worker returned); zero until they happen.
  std::chrono::steady_clock::time_point shutdown_began() const { return shutdown_began_; }
  std::chrono::steady_clock::time_point shutdown_ended() const { return shutdown_ended_; }

  /// Submit-to-completion latencies of completed tasks in nanoseconds
  /// (record_latency only), gathered from every worker.  Precondition: wait() returned.
  std::vector<int64_t> latencies() const;

  /// The first recovered panic's message ("" if none).
  std::string first_panic() const;

 private:
  /// Per-worker metrics, on its own cache lines: a worker counts without
  /// sharing a line with the others (1,000 workers on one counter would
  /// serialise on it).
  struct alignas(64) WorkerStats {
    std::atomic<int64_t> completed{0}, timed_out{0}, failed{0}, abandoned{0}, served_after_panic{0};
    std::vector<int64_t> latency_ns;
  };

  void worker(int index);
  void broken_worker(int index);
  void supervise();
  /// Runs one task under its own deadline and counts how it ended.
  void run_task(const Task& t, WorkerStats& s, bool* recovered_before);
  /// Counts the still-queued tasks as abandoned (after the workers returned).
  void abandon_queued();

  gort::Context ctx_;
  PoolConfig cfg_;
  gort::Chan<Task> tasks_;
  /// Cancelled when the drain deadline passes: the parent of every task's context.
  gort::Context hard_ctx_;
  gort::CancelFunc hard_cancel_;
  /// Closed by the last worker to return (wakes the supervisor early).
  gort::Chan<int> workers_exited_;
  std::atomic<int> workers_running_{0};
  /// Counts the pool's goroutines (workers and supervisor); wait() waits on it.
  gort::WaitGroup goroutines_;
  /// Broken variant: counts accepted tasks not yet finished.
  gort::WaitGroup in_flight_;
  std::vector<WorkerStats> stats_;
  std::atomic<int64_t> submitted_{0}, dropped_{0}, queue_abandoned_{0};
  std::chrono::steady_clock::time_point shutdown_began_{}, shutdown_ended_{};
  mutable gort::Mutex panic_mu_;
  std::string first_panic_;
};

/// The lab's Compute kernel: `spin` rounds of a 64-bit LCG, returned so the
/// compiler keeps the work.
uint64_t compute(int64_t spin);

}  // namespace survival
