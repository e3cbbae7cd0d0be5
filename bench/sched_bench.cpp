// sched_bench.cpp — gort's scheduler benchmarks (Google Benchmark binary gort_bench).
//
// The same four workloads exist in bench/go (sched.go) and in bench/peers
// (boost_fiber_bench.cpp); bench/compare.py joins the three sides on the benchmark key
// (BM_<key>, P named through ArgNames) and on the user counter `ns_per_op`, whose unit is
// defined per workload below.  Keys, sizes and units MUST stay identical on all three
// sides: change one, change all three.
//
//   BM_spawn_exit                (GOMAXPROCS = number of CPUs)
//       The main goroutine does wg.add(1'000'000), then starts 1,000,000 goroutines that
//       each only call wg.done(), then wg.wait().  Measures create + schedule + run + exit
//       of a goroutine.                                    ns_per_op = wall / 1,000,000.
//   BM_spawn_capture_string      (GOMAXPROCS = number of CPUs)
//       BM_spawn_exit with a 64-byte std::string (kStringMessageBytes) built by the spawner
//       and moved into each goroutine's closure; the goroutine adds size + first byte to an
//       atomic total before wg.done(); the total is checked.  The string is a malloc on the
//       spawner's thread and a free on whichever thread ran the goroutine: the C++ heap under
//       the spawn path.  Go: a string converted from a []byte, passed as an argument.
//                                                          ns_per_op = wall / 1,000,000.
//   BM_gosched_pingpong/procs:P
//       Two goroutines, released together by a start gate (a WaitGroup; Go closes a
//       channel), each call gort::gosched() 1,000,000 times; joined with a WaitGroup.
//       Measures a voluntary yield (runtime.Gosched: to the global run queue and back).
//                                                          ns_per_op = wall / 2,000,000.
//   BM_park_ready/procs:P
//       Two goroutines pass a token back and forth 500,000 round trips through the raw
//       blocking primitive gort::runtime::park / ready (gort/runtime/internal/park.hpp), one
//       Mailbox per direction (see below).  Go has no public park/ready and uses a pair of
//       unbuffered channels (gopark/goready plus the channel lock and sudog bookkeeping);
//       Boost.Fiber uses unbuffered_channel.  Measures one park + ready + switch.
//                                                          ns_per_op = wall / 1,000,000 hand-offs.
//   BM_fanout_cpu/procs:P
//       64 goroutines each run 2,000,000 steps of a 64-bit LCG (no runtime calls) into
//       their own result slot; joined with a WaitGroup.  Measures how well P processors
//       share CPU-bound goroutines (by stealing).         ns_per_op = wall of the fan-out, ns.
//
// One extra benchmark has no twin on the other sides (compare.py shows it with "—" there):
//   BM_num_goroutine_1M_alive    (GOMAXPROCS = number of CPUs)
//       Starts 1,000,000 goroutines that each check in on a WaitGroup and then block on a
//       "release" WaitGroup; once all have checked in, the main goroutine verifies
//       gort::num_goroutine() == 1,000,001, reads the resident set size, releases them all
//       and waits until they have exited.  Shows what a million live goroutines cost.
//       ns_per_op = wall / 1,000,000; counters rss_mb (RSS from /proc/self/statm with all
//       1M alive: the peak), rss_base_mb (before the spawn), kib_per_g ((rss - base) / 1M).
//
// Method.  P comes from GORT_BENCH_PROCS (comma list of positive integers, e.g. "1,2,8";
// parsed by bench_env::procs_list in bench/common/bench_env.hpp, shared with bench/peers);
// default "1,N" with N = the number of CPUs this process may run on (sched_getaffinity,
// as Go's runtime.NumCPU and gort's default GOMAXPROCS), deduplicated.  A malformed value
// gets one line on stderr naming the variable and the accepted form; the default is used.
// Every measured iteration is one gort::run: inside the main goroutine,
// gort::gomaxprocs(P), then one untimed warm-up of the workload (Go's side also runs an
// untimed warm-up, so both measure a runtime whose G and stack caches are populated), then
// the timed run, clocked with std::chrono::steady_clock around the workload only (spawn to
// join); runtime boot and teardown are outside the clock.  GORT_BENCH_WARMUP=0 skips the
// warm-up and measures a cold runtime (then spawn_exit also pays the first touch of a
// million stacks); BM_num_goroutine_1M_alive never warms up, so its RSS growth is its
// own.  UseManualTime() + MinTime(50 ms): a timed run of 50 ms or more is one iteration,
// shorter ones are repeated (one gort::run each) until 50 ms are measured, and ns_per_op
// is the mean over the iterations.  Repeat with --benchmark_repetitions=N; compare.py
// reports medians.
//
// Reading gosched_pingpong: gort::gosched returns at once when its P has nothing else to
// run (local and global queues empty), where Go's Gosched always goes through the global
// queue and schedule().  With P >= 2 the two goroutines usually sit on different Ps, so
// gort mostly measures that shortcut; with P = 1 both sides do the full yield.
//
// Google Benchmark appends bookkeeping to every run name, e.g.
// "BM_park_ready/procs:2/min_time:0.050/manual_time" ("/iterations:1/manual_time" for
// BM_num_goroutine_1M_alive); compare.py strips it to get the key.

#include <benchmark/benchmark.h>

#include <gort/gort.hpp>
#include <gort/runtime/internal/park.hpp>

#include "bench_env.hpp"
#include "gort_harness.hpp"

#include <sched.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <cstdlib>
#include <functional>
#include <string>
#include <thread>

namespace {

using bench_env::Clock;
using gort_bench::kMinTimeSeconds;
using gort_bench::run_benchmark;
using gort_bench::run_once;
using bench_env::ns_since;
using bench_env::ResultSlot;
using gort::runtime::G;

// Workload sizes — must match bench/go/sched.go and bench/peers.
constexpr int kSpawnGoroutines = 1'000'000;
constexpr int kRoundTrips = 500'000;
constexpr int kFanoutGoroutines = 64;
constexpr int kFanoutSteps = 2'000'000;
constexpr int kAliveGoroutines = 1'000'000;  // gort only

/// Resident set size in MiB (second field of /proc/self/statm, in pages); -1 if unreadable.
double rss_mib() {
  long size = 0, resident = 0;
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return -1;
  const int got = std::fscanf(f, "%ld %ld", &size, &resident);
  std::fclose(f);
  if (got != 2) return -1;
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

// ---------------------------------------------------------------------------------------
// Workloads.  Each runs on the main goroutine and returns the wall time of one run in ns
// (or -1 with *error set).

int64_t workload_spawn_exit(std::string* /*error*/) {
  gort::WaitGroup wg;
  const auto t0 = Clock::now();
  wg.add(kSpawnGoroutines);  // as bench/go: one Add up front
  for (int i = 0; i < kSpawnGoroutines; ++i) {
    gort::go([&wg] { wg.done(); });
  }
  wg.wait();
  return ns_since(t0);
}

int64_t workload_spawn_capture_string(std::string* error) {
  gort::WaitGroup wg;
  std::atomic<int64_t> total{0};
  const auto t0 = Clock::now();
  wg.add(kSpawnGoroutines);
  for (int i = 0; i < kSpawnGoroutines; ++i) {
    std::string s(bench_env::sizes::kStringMessageBytes, static_cast<char>('a' + i % 26));
    gort::go([&wg, &total, s = std::move(s)] {
      total.fetch_add(static_cast<int64_t>(s.size()) + s[0], std::memory_order_relaxed);
      wg.done();
    });
  }
  wg.wait();
  const int64_t ns = ns_since(t0);
  int64_t want = int64_t{kSpawnGoroutines} * bench_env::sizes::kStringMessageBytes;
  for (int i = 0; i < kSpawnGoroutines; ++i) want += 'a' + i % 26;
  if (total.load() == want) return ns;
  *error = "spawn_capture_string: total " + std::to_string(total.load()) + ", want " + std::to_string(want);
  return -1;
}

// A one-token, one-waiter hand-off built directly on park/ready.
//
// Invariant: at most one token is outstanding per Mailbox and only one goroutine ever
// takes from it (the ping-pong alternates strictly).  No lost wakeup: give() stores the
// token and then swaps the waiter slot; the parking goroutine's unlockf stores itself into
// the slot and then loads the token.  All four accesses are seq_cst (a Dekker pair), so
// at least one side sees the other's store:
//   - unlockf sees no token: give()'s store comes later in the total order, so its
//     exchange finds gp and readies it; unlockf returns true (stay parked).
//   - unlockf sees the token: it tries to take gp back out of the slot.  If the CAS wins,
//     give() has not swapped yet (and will now find nullptr) or swapped before the publish
//     (and found nullptr): nobody will ready gp, so unlockf returns false and the park is
//     cancelled.  If the CAS loses, give() took gp and will ready it: return true.
// Exactly one of "give() readies gp" and "unlockf cancels the park" happens.  ready() may
// run while unlockf is still returning true; park() allows that, as in Go, because gp is
// already _Gwaiting when unlockf runs (it is how a channel's unlock publishes a sudog).
struct alignas(64) Mailbox {
  std::atomic<bool> token{false};
  std::atomic<G*> waiter{nullptr};
};

bool publish_waiter(G* gp, void* arg) {
  auto* mb = static_cast<Mailbox*>(arg);
  mb->waiter.store(gp, std::memory_order_seq_cst);
  if (!mb->token.load(std::memory_order_seq_cst)) return true;  // give() will find gp
  G* expected = gp;
  if (mb->waiter.compare_exchange_strong(expected, nullptr, std::memory_order_seq_cst)) {
    return false;  // token already here and gp un-published: cancel the park
  }
  return true;  // give() took gp; its ready(gp) is on the way
}

void give(Mailbox& mb) {
  mb.token.store(true, std::memory_order_seq_cst);
  if (G* gp = mb.waiter.exchange(nullptr, std::memory_order_seq_cst)) gort::runtime::ready(gp);
}

void take(Mailbox& mb) {
  // Fast path: the token is already here.  Otherwise park until give() readies us (or
  // unlockf cancels the park because the token arrived meanwhile), then consume it.
  while (!mb.token.exchange(false, std::memory_order_acquire)) {
    gort::runtime::park(gort::runtime::WaitReason::ChanReceive, &publish_waiter, &mb);
  }
}

int64_t workload_park_ready(std::string* /*error*/) {
  Mailbox ping;  // A -> B
  Mailbox pong;  // B -> A
  gort::WaitGroup wg;
  const auto t0 = Clock::now();
  wg.add(2);
  gort::go([&] {  // A
    for (int i = 0; i < kRoundTrips; ++i) {
      give(ping);
      take(pong);
    }
    wg.done();
  });
  gort::go([&] {  // B
    for (int i = 0; i < kRoundTrips; ++i) {
      take(ping);
      give(pong);
    }
    wg.done();
  });
  wg.wait();
  return ns_since(t0);
}

int64_t workload_fanout_cpu(std::string* /*error*/) {
  std::array<ResultSlot, kFanoutGoroutines> results{};
  gort::WaitGroup wg;
  const auto t0 = Clock::now();
  wg.add(kFanoutGoroutines);
  for (int i = 0; i < kFanoutGoroutines; ++i) {
    gort::go([i, &results, &wg] {
      bench_env::fanout_lcg(results[i], i, kFanoutSteps);
      wg.done();
    });
  }
  wg.wait();
  return ns_since(t0);
}

struct AliveStats {
  double rss_mb = 0;
  double rss_base_mb = 0;
};

// timer_sleep: 100,000 goroutines each sleep 10 times for a uniform [0, 1 ms)
// duration (splitmix64 seeded with the goroutine's index; Go uses math/rand).
// ns_per_op = wall / 1,000,000 sleeps.
constexpr int kTimerGoroutines = 100'000;
constexpr int kTimerLoops = 10;

int64_t workload_timer_sleep(std::string* /*error*/) {
  gort::WaitGroup wg;
  const auto t0 = Clock::now();
  wg.add(kTimerGoroutines);
  for (int i = 0; i < kTimerGoroutines; ++i) {
    gort::go([&wg, i] {
      uint64_t x = static_cast<uint64_t>(i);
      for (int k = 0; k < kTimerLoops; ++k) {
        x += 0x9e3779b97f4a7c15ULL;  // splitmix64
        uint64_t z = x;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        z ^= z >> 31;
        gort::sleep(std::chrono::nanoseconds(static_cast<int64_t>(z % 1'000'000)));
      }
      wg.done();
    });
  }
  wg.wait();
  return ns_since(t0);
}

// blocking_call: 64 goroutines each make 200 blocking nanosleep(50 µs) calls
// through gort::blocking.  ns_per_op = wall / 12,800 calls.
constexpr int kBlockingGoroutines = 64;
constexpr int kBlockingCalls = 200;

int64_t workload_blocking_call(std::string* /*error*/) {
  gort::WaitGroup wg;
  const auto t0 = Clock::now();
  wg.add(kBlockingGoroutines);
  for (int i = 0; i < kBlockingGoroutines; ++i) {
    gort::go([&wg] {
      const timespec ts{0, 50'000};
      for (int k = 0; k < kBlockingCalls; ++k) gort::blocking([&] { nanosleep(&ts, nullptr); });
      wg.done();
    });
  }
  wg.wait();
  return ns_since(t0);
}

int64_t workload_num_goroutine_1m_alive(std::string* error, AliveStats* stats) {
  gort::WaitGroup checked_in;  // every goroutine has started
  gort::WaitGroup release;     // all block here until the count is verified
  gort::WaitGroup exited;      // every goroutine is past release.wait()
  const double base = rss_mib();
  const auto t0 = Clock::now();
  checked_in.add(kAliveGoroutines);
  exited.add(kAliveGoroutines);
  release.add(1);
  for (int i = 0; i < kAliveGoroutines; ++i) {
    gort::go([&] {
      checked_in.done();
      release.wait();
      exited.done();
    });
  }
  checked_in.wait();
  const int n = gort::num_goroutine();
  const double rss = rss_mib();
  release.done();
  exited.wait();
  const int64_t ns = ns_since(t0);
  if (n != kAliveGoroutines + 1) {
    *error = "gort::num_goroutine() = " + std::to_string(n) + " with all goroutines alive, want " +
             std::to_string(kAliveGoroutines + 1);
    return -1;
  }
  if (stats != nullptr) {
    stats->rss_mb = rss;
    stats->rss_base_mb = base;
  }
  return ns;
}

// ---------------------------------------------------------------------------------------
// Benchmark bodies.

void run_alive_benchmark(benchmark::State& state, unsigned procs) {
  double total_ns = 0;
  AliveStats last;
  for (auto _ : state) {
    std::string error;
    AliveStats stats;
    // No warm-up: the RSS growth must come from this run's goroutines, not from stacks a
    // warm-up left in the runtime's caches.
    const int64_t ns = run_once(
        procs, /*warmup=*/false, [&stats](std::string* err) { return workload_num_goroutine_1m_alive(err, &stats); }, &error);
    if (ns < 0) {
      state.SkipWithError((error.empty() ? std::string("workload failed") : error).c_str());
      break;
    }
    state.SetIterationTime(static_cast<double>(ns) * 1e-9);
    total_ns += static_cast<double>(ns);
    last = stats;
  }
  if (state.iterations() > 0 && !state.error_occurred()) {
    bench_env::set_ns_per_op(state, total_ns, kAliveGoroutines);
    state.counters["rss_mb"] = benchmark::Counter(last.rss_mb);
    state.counters["rss_base_mb"] = benchmark::Counter(last.rss_base_mb);
    state.counters["kib_per_g"] =
        benchmark::Counter((last.rss_mb - last.rss_base_mb) * 1024.0 / kAliveGoroutines);
  }
}

}  // namespace

int64_t gort_bench::workload_gosched_pingpong(std::string* /*error*/) {
  gort::WaitGroup start;  // the start gate: Go closes a channel here
  gort::WaitGroup wg;
  const auto t0 = bench_env::Clock::now();
  start.add(1);
  wg.add(2);
  for (int g = 0; g < 2; ++g) {
    gort::go([&] {
      start.wait();
      for (int i = 0; i < bench_env::sizes::kYieldsPerGoroutine; ++i) gort::gosched();
      wg.done();
    });
  }
  start.done();  // release both together
  wg.wait();
  return bench_env::ns_since(t0);
}

void gort_bench::register_sched_benchmarks() {
  const unsigned ncpu = num_cpus();
  const bool warmup = warmup_enabled();

  register_at_ncpu("BM_spawn_exit", &workload_spawn_exit, kSpawnGoroutines);
  register_at_ncpu("BM_spawn_capture_string", &workload_spawn_capture_string, kSpawnGoroutines);
  register_at_ncpu("BM_timer_sleep", &workload_timer_sleep, double(kTimerGoroutines) * kTimerLoops);
  register_at_ncpu("BM_blocking_call", &workload_blocking_call, double(kBlockingGoroutines) * kBlockingCalls);

  const bench_env::PerProcs<WorkloadFn> per_procs[] = {
      {"BM_gosched_pingpong", &gort_bench::workload_gosched_pingpong, 2.0 * bench_env::sizes::kYieldsPerGoroutine},
      {"BM_park_ready", &workload_park_ready, 2.0 * kRoundTrips},
      {"BM_fanout_cpu", &workload_fanout_cpu, 1.0},
  };
  register_per_procs(per_procs);

  bench_env::manual_time(benchmark::RegisterBenchmark("BM_num_goroutine_1M_alive",
                                                      [ncpu](benchmark::State& st) { run_alive_benchmark(st, ncpu); }),
                         bench_env::fixed_iterations(1));

  benchmark::AddCustomContext("runtime", warmup ? "gort: one gort::run per iteration (gomaxprocs(P), warm-up, timed run)"
                                               : "gort: one gort::run per iteration (gomaxprocs(P), timed run; GORT_BENCH_WARMUP=0)");
  benchmark::AddCustomContext("spawn_exit_procs", std::to_string(ncpu));
}
