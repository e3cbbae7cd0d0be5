// boost_fiber_bench.cpp — Boost.Fiber peer of gort's scheduler benchmarks (the scheduler
// suite of peer_boost_fiber; the measuring harness and main() are boost_fiber_harness.*).
//
// The same workloads exist in the gort Google Benchmark suite (bench/sched_bench.cpp) and in
// bench/go (sched.go); the benchmark keys (BM_<key>, args named via ArgNames) and the unit of
// the `ns_per_op` counter MUST stay identical on all three sides, because the compare script
// joins the tables on the key and divides the counters. Change one side, change all three.
//
//   BM_spawn_exit                (procs = hardware_concurrency)
//       One fiber (the main thread's main fiber) launches 1,000,000 fibers (launch::post,
//       detached, 8 KiB fixedsize_stack as in Boost's own skynet benchmark); each only counts
//       down a wait group; the launcher waits for all.
//       Measures create + schedule + run + exit of a fiber.   ns_per_op = wall / 1,000,000.
//   BM_gosched_pingpong/procs:P
//       Two fibers each call boost::this_fiber::yield() 1,000,000 times.
//       Measures a voluntary yield (Go: runtime.Gosched).    ns_per_op = wall / 2,000,000.
//   BM_park_ready/procs:P
//       Two fibers pass a token back and forth 500,000 round trips through a pair of
//       boost::fibers::unbuffered_channel<int> (one per direction): the lightest blocking
//       rendezvous Boost.Fiber has, the analogue of Go's unbuffered chan. Measures one
//       park + ready + switch of a blocked fiber.        ns_per_op = wall / 1,000,000 hand-offs.
//   BM_fanout_cpu/procs:P
//       64 fibers each run 2,000,000 steps of a 64-bit LCG and store the result into their
//       own slot; all are joined. Measures how well CPU-bound work spreads over P threads.
//                                                         ns_per_op = wall of the fan-out.
//
// Method: boost_fiber_harness.hpp (one forked child per run on a work_stealing pool). This
// suite runs each workload exactly once per child, without a warm-up: spawn_exit alone takes
// seconds and gigabytes (see workload below), and every other run here is longer than the
// 50 ms the MinTime rule would ask for. Its run names therefore end in
// "/iterations:1/manual_time".

#include "boost_fiber_harness.hpp"

#include <boost/fiber/all.hpp>

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace {

using bench_env::Clock;
using bench_env::ns_since;
using bench_env::ResultSlot;
using boost_fiber_bench::Workload;

// Workload sizes — must match bench/go/sched.go and bench/sched_bench.cpp.
constexpr int kSpawnFibers = 1'000'000;
constexpr int kYieldsPerFiber = 1'000'000;
constexpr int kRoundTrips = 500'000;
constexpr int kFanoutFibers = 64;
constexpr int kFanoutSteps = 2'000'000;

/// This suite's method (see the header comment): one run per child, no warm-up.
constexpr boost_fiber_bench::Method kOneColdRun{bench_env::fixed_iterations(1), false};

// ---------------------------------------------------------------------------------------
// A Go-style WaitGroup for fibers: atomic counter on the fast path, fiber mutex + condition
// variable for the single waiter (parks the fiber, not the thread).
class WaitGroup {
 public:
  /// A wait group expecting n done() calls; precondition: n >= 1.
  explicit WaitGroup(int64_t n) : count_(n) {}
  /// Counts down once; the last call wakes the waiter.
  void done() {
    if (count_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      std::lock_guard<boost::fibers::mutex> lk(mu_);
      zero_ = true;
      cv_.notify_all();
    }
  }
  /// Parks the calling fiber until every done() has been called.
  void wait() {
    std::unique_lock<boost::fibers::mutex> lk(mu_);
    cv_.wait(lk, [this] { return zero_; });
  }

 private:
  std::atomic<int64_t> count_;
  boost::fibers::mutex mu_;
  boost::fibers::condition_variable cv_;
  bool zero_ = false;
};

// ---------------------------------------------------------------------------------------
// Workloads. Each runs on the pool's main fiber and returns the wall time in ns.

int64_t workload_spawn_exit(std::string* /*error*/) { return boost_fiber_bench::spawn_and_wait(kSpawnFibers); }

int64_t workload_gosched_pingpong(std::string* /*error*/) {
  auto body = [] {
    for (int i = 0; i < kYieldsPerFiber; ++i) boost::this_fiber::yield();
  };
  const auto t0 = Clock::now();
  boost::fibers::fiber a(boost::fibers::launch::post, body);
  boost::fibers::fiber b(boost::fibers::launch::post, body);
  a.join();
  b.join();
  return ns_since(t0);
}

int64_t workload_park_ready(std::string* /*error*/) { return boost_fiber_bench::unbuffered_pingpong(kRoundTrips); }

int64_t workload_fanout_cpu(std::string* /*error*/) {
  std::array<ResultSlot, kFanoutFibers> results{};
  std::vector<boost::fibers::fiber> fibers;
  fibers.reserve(kFanoutFibers);
  const auto t0 = Clock::now();
  for (int i = 0; i < kFanoutFibers; ++i) {
    fibers.emplace_back(boost::fibers::launch::post,
                        [i, &results] { bench_env::fanout_lcg(results[i], i, kFanoutSteps); });
  }
  for (auto& f : fibers) f.join();
  return ns_since(t0);
}

}  // namespace

int64_t boost_fiber_bench::spawn_and_wait(int fibers) {
  // Leaked on purpose: when wait() returns, the last fiber may still be inside done(),
  // releasing the wait group's mutex, so the wait group must outlive this call; the child
  // process _exits after the run (boost_fiber_harness.cpp).
  auto* wg = new WaitGroup(fibers);
  // Stacks: fixedsize_stack of 2 pages (8 KiB, malloc'ed), as in Boost.Fiber's own
  // million-fiber benchmark for work_stealing (libs/fiber/performance/fiber/
  // skynet_stealing_*.cpp). Boost's default (128 KiB, one mmap each) behaves the same but
  // took ~40 s instead of ~5 s for spawn_exit on the 2-vCPU test VM, nearly all of it kernel
  // time.
  // Memory: launch::post queues each new fiber behind this thread's dispatcher context,
  // which is pinned, and work_stealing's queue will not steal past a pinned head. So no
  // fiber runs until the launcher parks in wg->wait(): all of them exist at once (for
  // spawn_exit's 1,000,000 about 7 GB resident on Linux/x86-64, ~1.8M page faults, which
  // dominate the time). That is Boost.Fiber's behaviour, not a bug here.
  boost::fibers::fixedsize_stack salloc{2 * boost::fibers::fixedsize_stack::traits_type::page_size()};
  // The launcher is the main thread's main fiber (a fiber in Boost.Fiber's sense, like Go's
  // main goroutine). A separately launched launcher fiber would be stolen by a worker thread
  // about half the time, and glibc then serves its million stacks from a non-main arena
  // (one mprotect per heap extension): runs varied 3x depending on where it landed.
  const auto t0 = Clock::now();
  for (int i = 0; i < fibers; ++i) {
    boost::fibers::fiber(boost::fibers::launch::post, std::allocator_arg, salloc, [wg] { wg->done(); }).detach();
  }
  wg->wait();
  return ns_since(t0);
}

void boost_fiber_bench::register_sched_benchmarks() {
  register_at_hw("BM_spawn_exit", &workload_spawn_exit, kSpawnFibers, kOneColdRun);

  const bench_env::PerProcs<Workload> per_procs[] = {
      {"BM_gosched_pingpong", &workload_gosched_pingpong, 2.0 * kYieldsPerFiber},
      {"BM_park_ready", &workload_park_ready, 2.0 * kRoundTrips},
      {"BM_fanout_cpu", &workload_fanout_cpu, 1.0},
  };
  register_per_procs(per_procs, kOneColdRun);

  benchmark::AddCustomContext("spawn_exit_procs", std::to_string(hardware_procs()));
}
