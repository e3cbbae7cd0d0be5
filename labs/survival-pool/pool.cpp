// pool.cpp — the worker pool (see pool.hpp for the five failure modes).
//
// Shutdown runs in two phases, driven by a supervisor goroutine:
//   soft: the pool's context is done.  Workers stop waiting for new work and
//         drain the queue with non-blocking receives; running tasks go on.
//   hard: the drain deadline passed (or every worker already returned).
//         hard_ctx_ is cancelled, which cancels every running task's context;
//         workers stop taking tasks.  After the last worker returns, wait()
//         empties the queue and counts what it finds as abandoned.
// A task ended by the hard cancel counts as abandoned, one ended by its own
// deadline as timed out: the two are told apart by which context is done.
#include "pool.hpp"

#include <exception>
#include <optional>

namespace survival {

namespace {

/// True if ctx is done, without blocking (Go's `select { case <-ctx.Done(): ... default: }`).
bool is_done(const gort::Context& ctx) { return ctx.err() != nullptr; }

}  // namespace

uint64_t compute(int64_t spin) {
  // Knuth's MMIX LCG constants: a full-period generator, a dependent chain of
  // multiply-adds the compiler cannot fold away.
  uint64_t x = static_cast<uint64_t>(spin);
  for (int64_t i = 0; i < spin; ++i) x = x * 6364136223846793005ULL + 1442695040888963407ULL;
  return x;
}

Pool::Pool(const gort::Context& ctx, const PoolConfig& cfg)
    : ctx_(ctx),
      cfg_(cfg),
      tasks_(gort::make_chan<Task>(static_cast<std::size_t>(cfg.queue_capacity))),
      workers_exited_(gort::make_chan<int>()),
      stats_(static_cast<std::size_t>(cfg.workers)) {
  auto [hard, cancel] = gort::with_cancel(gort::background());
  hard_ctx_ = hard;
  hard_cancel_ = cancel;
  workers_running_.store(cfg.workers);
  goroutines_.add(cfg.workers + (cfg.broken ? 0 : 1));
  for (int i = 0; i < cfg.workers; ++i) {
    if (cfg.broken) {
      gort::go([this, i] { broken_worker(i); });
    } else {
      gort::go([this, i] { worker(i); });
    }
  }
  if (!cfg.broken) gort::go([this] { supervise(); });
}

Pool::~Pool() { hard_cancel_(); }

bool Pool::try_submit(Task t) {
  submitted_.fetch_add(1, std::memory_order_relaxed);
  if (cfg_.broken) in_flight_.add(1);
  if (tasks_.try_send(t)) return true;
  if (cfg_.broken) in_flight_.done();
  dropped_.fetch_add(1, std::memory_order_relaxed);
  return false;
}

bool Pool::submit(Task t) {
  if (cfg_.broken) in_flight_.add(1);
  bool sent = false;
  gort::select(gort::on_send(tasks_, t, [&] { sent = true; }), gort::on_recv(ctx_.done()));
  if (sent) {
    submitted_.fetch_add(1, std::memory_order_relaxed);
  } else if (cfg_.broken) {
    in_flight_.done();
  }
  return sent;
}

void Pool::run_task(const Task& t, WorkerStats& s, bool* recovered_before) {
  auto [task_ctx, cancel] = gort::with_timeout(hard_ctx_, cfg_.task_timeout);
  enum class End { Completed, Failed, Cancelled } end = End::Completed;
  try {  // Go: defer func() { if r := recover(); r != nil { ... } }()
    switch (t.kind) {
      case TaskKind::Compute:
        if (compute(t.spin) == 0) gort::gosched();  // keeps the result alive; never 0 in practice
        break;
      case TaskKind::Wait: {
        gort::Timer reply(t.wait);
        gort::select(gort::on_recv(reply.c()), gort::on_recv(task_ctx.done(), [&] { end = End::Cancelled; }));
        break;
      }
      case TaskKind::Panic:
        throw gort::Panic("task " + std::to_string(t.id) + ": simulated bug");
    }
  } catch (const std::exception& e) {
    end = End::Failed;
    std::lock_guard<gort::Mutex> g(panic_mu_);
    if (first_panic_.empty()) first_panic_ = e.what();
  }
  cancel();
  switch (end) {
    case End::Completed:
      s.completed.fetch_add(1, std::memory_order_relaxed);
      if (*recovered_before) s.served_after_panic.fetch_add(1, std::memory_order_relaxed);
      if (cfg_.record_latency) {
        s.latency_ns.push_back(
            std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t.submitted)
                .count());
      }
      break;
    case End::Failed:
      s.failed.fetch_add(1, std::memory_order_relaxed);
      *recovered_before = true;
      break;
    case End::Cancelled:
      if (is_done(hard_ctx_)) {
        s.abandoned.fetch_add(1, std::memory_order_relaxed);
      } else {
        s.timed_out.fetch_add(1, std::memory_order_relaxed);
      }
      break;
  }
}

void Pool::worker(int index) {
  WorkerStats& s = stats_[static_cast<std::size_t>(index)];
  bool recovered = false;
  // Serving: a task or the end of the pool's context, whichever comes first.
  for (;;) {
    std::optional<Task> t;
    gort::select(gort::on_recv(tasks_, [&](Task v, bool) { t = v; }), gort::on_recv(ctx_.done()));
    if (!t) break;
    run_task(*t, s, &recovered);
  }
  // Draining: what is queued, until it runs out or the drain deadline passes.
  while (!is_done(hard_ctx_)) {
    std::optional<Task> t = tasks_.try_recv();
    if (!t) break;
    run_task(*t, s, &recovered);
  }
  if (workers_running_.fetch_sub(1) == 1) workers_exited_.close();
  goroutines_.done();
}

void Pool::broken_worker(int index) {
  WorkerStats& s = stats_[static_cast<std::size_t>(index)];
  bool recovered = false;
  // The bug: ranging over a channel nobody closes, never looking at ctx.
  for (Task t : tasks_) {
    run_task(t, s, &recovered);
    in_flight_.done();
  }
  goroutines_.done();
}

void Pool::supervise() {
  gort::select(gort::on_recv(ctx_.done()), gort::on_recv(workers_exited_));
  shutdown_began_ = std::chrono::steady_clock::now();
  gort::Timer deadline(cfg_.drain_deadline);
  gort::select(gort::on_recv(deadline.c()), gort::on_recv(workers_exited_));
  deadline.stop();
  hard_cancel_();
  workers_exited_.recv();  // closed: returns at once once every worker is gone
  shutdown_ended_ = std::chrono::steady_clock::now();
  goroutines_.done();
}

void Pool::abandon_queued() {
  while (tasks_.try_recv()) queue_abandoned_.fetch_add(1, std::memory_order_relaxed);
}

void Pool::wait() {
  if (cfg_.broken) {
    in_flight_.wait();  // the bug's other half: the workers are not waited for
    return;
  }
  goroutines_.wait();
  abandon_queued();
}

void Pool::release_leaked() {
  tasks_.close();
  goroutines_.wait();
}

PoolCounts Pool::counts() const {
  PoolCounts c;
  c.submitted = submitted_.load(std::memory_order_relaxed);
  c.dropped = dropped_.load(std::memory_order_relaxed);
  c.abandoned = queue_abandoned_.load(std::memory_order_relaxed);
  for (const WorkerStats& s : stats_) {
    c.completed += s.completed.load(std::memory_order_relaxed);
    c.timed_out += s.timed_out.load(std::memory_order_relaxed);
    c.failed += s.failed.load(std::memory_order_relaxed);
    c.abandoned += s.abandoned.load(std::memory_order_relaxed);
    c.served_after_panic += s.served_after_panic.load(std::memory_order_relaxed);
  }
  return c;
}

std::vector<int64_t> Pool::latencies() const {
  std::vector<int64_t> all;
  for (const WorkerStats& s : stats_) all.insert(all.end(), s.latency_ns.begin(), s.latency_ns.end());
  return all;
}

std::string Pool::first_panic() const {
  std::lock_guard<gort::Mutex> g(panic_mu_);
  return first_panic_;
}

}  // namespace survival
