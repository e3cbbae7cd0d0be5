// scenarios.cpp — the five failure modes and the stress run on gort (see
// scenarios.hpp).
#include "scenarios.hpp"

#include <fmt/format.h>
#include <lab/progress.hpp>
#include <lab/report.hpp>

#include <algorithm>
#include <cstdio>
#include <memory>

namespace survival {

namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using Clock = std::chrono::steady_clock;

// Mode 1: four workers on 1 ms downstream waits serve about 4 tasks a
// millisecond; a burst of 2,000 offered in a tight loop (a fraction of a
// millisecond) overflows a 64-slot queue by far, so most of it is dropped.
constexpr int kBackpressureWorkers = 4;
constexpr int kBackpressureQueue = 64;
constexpr int kBackpressureBurst = 2000;
constexpr nanoseconds kBackpressureWait = milliseconds(1);

// Mode 2: eight workers on 5 ms waits finish about 8 tasks per 5 ms, so a
// 50 ms drain deadline gets through roughly 80 of 264 accepted tasks (a full
// 256-slot queue plus one running per worker) and abandons the rest.
constexpr int kShutdownWorkers = 8;
constexpr int kShutdownQueue = 256;
constexpr nanoseconds kShutdownWait = milliseconds(5);

// Mode 3: as many workers as tasks, so every slow task starts at once and the
// batch lasts one timeout; slow tasks would wait ten timeouts.  The quick
// tasks beside them compute and never look at their context, so however
// late a loaded machine runs them they complete: exactly the slow ones time out.
constexpr int kTimeoutSlowTasks = 16;
constexpr int kTimeoutFastTasks = 16;
constexpr int kSlowFactor = 10;

// Mode 4: one worker, so the tasks after a panic are served by the very
// worker that recovered from it; every fifth task throws.
constexpr int kPanicTasks = 25;
constexpr int kPanicEvery = 5;

// The bound on any wait for the pool to finish a scenario's tasks: far beyond
// what they need (the longest is one timeout), so reaching it means the pool
// lost tasks.
constexpr nanoseconds kSettleBound = std::chrono::seconds(30);

// How long the leak check waits for goroutines on their way out: goleak's
// default order of magnitude.
constexpr nanoseconds kLeakWait = std::chrono::seconds(1);

// Leaked goroutines named in the report.
constexpr std::size_t kLeakSample = 3;

/// Polls pred every millisecond until it holds or kSettleBound passes.
template <class Pred>
bool settle(Pred pred) {
  const auto give_up = Clock::now() + kSettleBound;
  while (!pred()) {
    if (Clock::now() >= give_up) return false;
    gort::sleep(milliseconds(1));
  }
  return true;
}

/// Tasks of a pool that have ended one way or another.
int64_t ended(const PoolCounts& c) { return c.completed + c.timed_out + c.failed + c.abandoned; }

/// A Wait task.
Task wait_task(int64_t id, nanoseconds d) {
  Task t;
  t.id = id;
  t.kind = TaskKind::Wait;
  t.wait = d;
  t.submitted = Clock::now();
  return t;
}

/// A pool configuration with the run's deadlines.
PoolConfig pool_config(const ScenarioConfig& c, int workers, int queue) {
  PoolConfig p;
  p.workers = workers;
  p.queue_capacity = queue;
  p.task_timeout = c.task_timeout;
  p.drain_deadline = c.drain_deadline;
  return p;
}

/// The records of a leak check, as the results keep them.
std::vector<LeakRecord> leak_records(const std::vector<gort::GoroutineRecord>& rs, std::size_t max) {
  std::vector<LeakRecord> out;
  for (const gort::GoroutineRecord& r : rs) {
    if (out.size() == max) break;
    out.push_back(LeakRecord{r.id, r.created_by, r.creation_file, r.creation_line, r.state});
  }
  return out;
}

BackpressureResult run_backpressure(const ScenarioConfig& c) {
  BackpressureResult r;
  r.workers = kBackpressureWorkers;
  r.queue = kBackpressureQueue;
  r.task_wait_ns = kBackpressureWait.count();
  auto [ctx, cancel] = gort::with_cancel(gort::background());
  Pool pool(ctx, pool_config(c, r.workers, r.queue));
  for (int i = 0; i < kBackpressureBurst; ++i) pool.try_submit(wait_task(i, kBackpressureWait));
  settle([&] { return ended(pool.counts()) + pool.counts().dropped == kBackpressureBurst; });
  cancel();
  pool.wait();
  r.counts = pool.counts();
  return r;
}

ShutdownResult run_shutdown(const ScenarioConfig& c) {
  ShutdownResult r;
  r.workers = kShutdownWorkers;
  r.queue = kShutdownQueue;
  r.task_wait_ns = kShutdownWait.count();
  r.drain_deadline_ns = c.drain_deadline.count();
  auto [ctx, cancel] = gort::with_cancel(gort::background());
  Pool pool(ctx, pool_config(c, r.workers, r.queue));
  // Fill the queue and give every worker a task, then pull the plug.
  for (int i = 0; i < r.workers + r.queue; ++i) pool.submit(wait_task(i, kShutdownWait));
  const auto cancelled = Clock::now();
  cancel();
  pool.wait();
  r.shutdown_ns = std::chrono::duration_cast<nanoseconds>(pool.shutdown_ended() - cancelled).count();
  r.counts = pool.counts();
  return r;
}

TimeoutResult run_timeouts(const ScenarioConfig& c) {
  TimeoutResult r;
  r.slow_tasks = kTimeoutSlowTasks;
  r.fast_tasks = kTimeoutFastTasks;
  r.workers = r.slow_tasks + r.fast_tasks;
  r.timeout_ns = c.task_timeout.count();
  r.slow_wait_ns = (c.task_timeout * kSlowFactor).count();
  auto [ctx, cancel] = gort::with_cancel(gort::background());
  Pool pool(ctx, pool_config(c, r.workers, r.workers));
  const auto start = Clock::now();
  for (int i = 0; i < r.slow_tasks + r.fast_tasks; ++i) {
    Task t = wait_task(i, c.task_timeout * kSlowFactor);
    if (i % 2 == 1) {
      t.kind = TaskKind::Compute;
      t.spin = c.stress_spin;
    }
    pool.submit(t);
  }
  settle([&] { return ended(pool.counts()) == r.slow_tasks + r.fast_tasks; });
  r.batch_ns = std::chrono::duration_cast<nanoseconds>(Clock::now() - start).count();
  cancel();
  pool.wait();
  r.counts = pool.counts();
  return r;
}

PanicResult run_panics(const ScenarioConfig& c) {
  PanicResult r;
  r.workers = 1;
  auto [ctx, cancel] = gort::with_cancel(gort::background());
  Pool pool(ctx, pool_config(c, r.workers, kPanicTasks));
  r.goroutines_before = gort::num_goroutine();
  for (int i = 0; i < kPanicTasks; ++i) {
    Task t = wait_task(i, nanoseconds(0));
    if (i % kPanicEvery == 0) {
      t.kind = TaskKind::Panic;
      ++r.panicking_tasks;
    } else {
      t.kind = TaskKind::Compute;
      t.spin = c.stress_spin;
      ++r.ordinary_tasks;
    }
    pool.submit(t);
  }
  settle([&] { return ended(pool.counts()) == kPanicTasks; });
  r.goroutines_after = gort::num_goroutine();
  cancel();
  pool.wait();
  r.counts = pool.counts();
  r.first_panic = pool.first_panic();
  return r;
}

LeakResult run_leak(const ScenarioConfig& c) {
  LeakResult r;
  r.workers = c.leak_workers;
  {
    auto [ctx, cancel] = gort::with_cancel(gort::background());
    Pool pool(ctx, pool_config(c, r.workers, r.workers));
    for (int i = 0; i < r.workers * 2; ++i) pool.submit(wait_task(i, milliseconds(1)));
    cancel();
    pool.wait();  // the course: goleak passes after cancel(); pool.Wait()
    r.clean_leaks = leak_records(gort::goleak::verify_none(kLeakWait), SIZE_MAX);
    r.clean_counts = pool.counts();
  }
  if (!c.broken) return r;
  r.broken_ran = true;
  auto [ctx, cancel] = gort::with_cancel(gort::background());
  PoolConfig pc = pool_config(c, r.workers, r.workers);
  pc.broken = true;
  Pool pool(ctx, pc);
  for (int i = 0; i < r.workers * 2; ++i) pool.submit(wait_task(i, milliseconds(1)));
  cancel();
  pool.wait();
  // A leak does not go away by waiting: a short wait is enough to be sure.
  const auto leaks = gort::goleak::verify_none(milliseconds(100));
  r.broken_leaks = static_cast<int64_t>(leaks.size());
  for (const gort::GoroutineRecord& g : leaks) {
    if (g.state == "chan receive" && g.created_by.find("Pool::Pool") != std::string::npos) {
      ++r.broken_leaks_worker_receive;
    }
  }
  r.broken_sample = leak_records(leaks, kLeakSample);
  fmt::print(stderr, "survival-pool: the broken pool's leak check, as goleak would fail the test:\n{}",
             gort::goleak::describe(std::vector<gort::GoroutineRecord>(
                 leaks.begin(), leaks.begin() + static_cast<std::ptrdiff_t>(std::min(leaks.size(), kLeakSample)))));
  if (leaks.size() > kLeakSample) fmt::print(stderr, "\n... and {} more\n", leaks.size() - kLeakSample);
  pool.release_leaked();
  r.broken_leaks_after_release = static_cast<int64_t>(gort::goleak::verify_none(kLeakWait).size());
  return r;
}

/// The n-th stress task.
Task stress_task(const ScenarioConfig& c, int64_t i) {
  Task t;
  t.id = i;
  if (c.stress_panic_every > 0 && i % c.stress_panic_every == c.stress_panic_every - 1) {
    t.kind = TaskKind::Panic;
  } else if (c.stress_slow_every > 0 && i % c.stress_slow_every == c.stress_slow_every / 2) {
    t.kind = TaskKind::Wait;
    t.wait = c.task_timeout * kSlowFactor;
  } else {
    t.kind = TaskKind::Compute;
    t.spin = c.stress_spin;
  }
  t.submitted = Clock::now();
  return t;
}

StressResult run_stress(const ScenarioConfig& c) {
  StressResult r;
  r.tasks = c.stress_tasks;
  r.workers = c.stress_workers;
  r.queue = c.stress_queue;
  r.producers = c.stress_producers;
  r.overflow = c.stress_drop ? "drop" : "block";
  r.spin = c.stress_spin;
  r.panic_every = c.stress_panic_every;
  r.slow_every = c.stress_slow_every;
  auto [ctx, cancel] = gort::with_cancel(gort::background());
  PoolConfig pc = pool_config(c, r.workers, r.queue);
  pc.record_latency = true;
  // Shutdown comes after the last submission: the drain deadline must let
  // the queue empty (abandoned tasks would mean a stalled pool, not a
  // stress figure), so it is a generous 10 s here.
  pc.drain_deadline = std::chrono::seconds(10);
  auto pool = std::make_unique<Pool>(ctx, pc);
  auto producers_done = gort::make_chan<int>();
  std::atomic<int> producing{r.producers};
  std::atomic<int64_t> next{0};
  const auto start = Clock::now();
  for (int p = 0; p < r.producers; ++p) {
    gort::go([&] {
      // Producers share one index, so the task mix is the same whatever their speeds.
      for (int64_t i = next.fetch_add(1); i < r.tasks; i = next.fetch_add(1)) {
        const Task t = stress_task(c, i);
        if (c.stress_drop) {
          pool->try_submit(t);
        } else {
          pool->submit(t);
        }
      }
      if (producing.fetch_sub(1) == 1) producers_done.close();
    });
  }
  lab::Progress progress("survival-pool: stress tasks ended", static_cast<long>(r.tasks));
  for (bool done = false; !done;) {
    gort::select(gort::on_recv(producers_done, [&](int, bool) { done = true; }),
                 gort::on_recv(gort::after(milliseconds(200))));
    const PoolCounts now = pool->counts();
    progress.update(static_cast<long>(ended(now) + now.dropped));
  }
  // Let the queue run dry before shutdown, so the drain is a formality.
  settle([&] {
    const PoolCounts now = pool->counts();
    return ended(now) + now.dropped == r.tasks;
  });
  cancel();
  pool->wait();
  r.wall_ns = std::chrono::duration_cast<nanoseconds>(Clock::now() - start).count();
  progress.update(static_cast<long>(r.tasks));
  progress.finish();
  r.counts = pool->counts();
  const std::vector<int64_t> lat = pool->latencies();
  std::vector<double> sorted(lat.begin(), lat.end());
  std::sort(sorted.begin(), sorted.end());
  const lab::Distribution d = lab::summarize(sorted);
  if (!sorted.empty()) {
    for (int i = 1; i <= kCdfPoints; ++i) {
      r.latency_cdf_ns.push_back(static_cast<int64_t>(lab::nearest_rank(sorted, double(i) / kCdfPoints)));
    }
  }
  r.latency_p50_ns = static_cast<int64_t>(d.p50);
  r.latency_p90_ns = static_cast<int64_t>(d.p90);
  r.latency_p99_ns = static_cast<int64_t>(d.p99);
  r.latency_max_ns = static_cast<int64_t>(d.max);
  pool.reset();
  r.leaks_after = static_cast<int64_t>(gort::goleak::verify_none(kLeakWait).size());
  return r;
}

}  // namespace

const std::vector<Scenario>& all_scenarios() {
  static const std::vector<Scenario> all = {Scenario::Backpressure, Scenario::Shutdown, Scenario::Timeouts,
                                            Scenario::Panics,       Scenario::Leak,     Scenario::Stress};
  return all;
}

const char* scenario_name(Scenario s) {
  switch (s) {
    case Scenario::Backpressure: return "backpressure";
    case Scenario::Shutdown: return "shutdown";
    case Scenario::Timeouts: return "timeouts";
    case Scenario::Panics: return "panics";
    case Scenario::Leak: return "leak";
    case Scenario::Stress: return "stress";
  }
  return "?";
}

RuntimeResults run_on_gort(const ScenarioConfig& config) {
  RuntimeResults r;
  r.runtime = "gort";
  r.version = "gort";
  if (config.procs > 0) gort::gomaxprocs(config.procs);
  r.gomaxprocs = gort::gomaxprocs();
  for (Scenario s : config.scenarios) {
    // The previous scenario's goroutines have all called done() when its wait
    // returned, but may still be returning: let them go before counting anew.
    gort::goleak::verify_none(kLeakWait);
    fmt::print(stderr, "survival-pool: {} (gort)\n", scenario_name(s));
    switch (s) {
      case Scenario::Backpressure: r.backpressure = run_backpressure(config); break;
      case Scenario::Shutdown: r.shutdown = run_shutdown(config); break;
      case Scenario::Timeouts: r.timeouts = run_timeouts(config); break;
      case Scenario::Panics: r.panics = run_panics(config); break;
      case Scenario::Leak: r.leak = run_leak(config); break;
      case Scenario::Stress: r.stress = run_stress(config); break;
    }
  }
  return r;
}

}  // namespace survival
