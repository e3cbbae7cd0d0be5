// boost_fiber_bench.cpp — Boost.Fiber peer of gort's scheduler benchmarks.
//
// The same four workloads exist in the gort Google Benchmark suite and in bench/go; the
// benchmark keys (BM_<key>, args named via ArgNames) and the unit of the `ns_per_op`
// counter MUST stay identical on all three sides, because the compare script joins the
// tables on the key and divides the counters. Change one side, change all three.
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
//                                                         ns_per_op = wall of the whole fan-out.
//
// Google Benchmark appends "/iterations:1/manual_time" to every run name (Iterations(1),
// UseManualTime()); the JSON "run_name" of BM_park_ready/procs:2 is therefore
// "BM_park_ready/procs:2/iterations:1/manual_time". Match on the part before "/iterations:".
//
// Scheduler: boost::fibers::algo::work_stealing on P threads — the benchmark's thread plus
// P-1 std::threads, each calling use_scheduling_algorithm<work_stealing>(P) and then waiting
// on a fiber condition variable until the workload has finished, as in Boost.Fiber's
// documented work_stealing example. P comes from GORT_BENCH_PROCS (comma list, e.g. "1,2";
// parsed by bench_env::procs_list in bench/common/bench_env.hpp, shared with the gort suite);
// default "1,N" with N = std::thread::hardware_concurrency(), deduplicated.
//
// One process per measured run. Boost 1.74's work_stealing can be installed only once per
// process: its constructor sizes a function-local static thread_barrier and a static
// scheduler table from the first thread_count it sees, and hands out scheduler ids from a
// process-wide counter that never resets. A second pool (another P, or the same P again)
// would index past that table. So every iteration forks a child that builds the pool, runs
// the workload once, reports its wall time through a pipe, joins its threads and _exits.
// Only the workload is timed (from just before the first fiber is launched until the last
// is joined/waited for); pool setup and teardown and the fork are not. The parent feeds the
// child's figure to state.SetIterationTime (UseManualTime). A watchdog (alarm) kills a
// child that hangs, and the benchmark then reports an error instead of hanging.

#include <benchmark/benchmark.h>

#include <boost/fiber/algo/work_stealing.hpp>
#include <boost/fiber/all.hpp>
#include <boost/version.hpp>

#include "bench_env.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

using bench_env::Clock;
using bench_env::ns_since;
using bench_env::ResultSlot;

// Workload sizes — must match bench/go and the gort suite.
constexpr int kSpawnFibers = 1'000'000;
constexpr int kYieldsPerFiber = 1'000'000;
constexpr int kRoundTrips = 500'000;
constexpr int kFanoutFibers = 64;
constexpr int kFanoutSteps = 2'000'000;

constexpr unsigned kWatchdogSeconds = 300;  // a child still running after this is killed

unsigned hardware_procs() {
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : n;
}

// ---------------------------------------------------------------------------------------
// The pool: P threads running boost::fibers::algo::work_stealing (the documented pattern).
// Runs `workload` on the calling thread's main fiber once every scheduler has registered,
// then releases and joins the P-1 workers. Returns whatever the workload returns (its ns).
template <class Workload>
int64_t run_on_work_stealing_pool(unsigned procs, Workload&& workload) {
  std::mutex mtx;
  boost::fibers::condition_variable_any cnd;
  bool finished = false;

  std::vector<std::thread> workers;
  workers.reserve(procs - 1);
  for (unsigned i = 1; i < procs; ++i) {
    workers.emplace_back([&] {
      boost::fibers::use_scheduling_algorithm<boost::fibers::algo::work_stealing>(procs);
      // Suspends this thread's main fiber; the thread's dispatcher then steals and runs
      // the workload's fibers until `finished` is set.
      std::unique_lock<std::mutex> lk(mtx);
      cnd.wait(lk, [&] { return finished; });
    });
  }
  // The work_stealing constructor contains a barrier over all P threads, so once this
  // returns every scheduler is registered and stealable from.
  boost::fibers::use_scheduling_algorithm<boost::fibers::algo::work_stealing>(procs);

  const int64_t ns = workload();

  {
    std::lock_guard<std::mutex> lk(mtx);
    finished = true;
  }
  cnd.notify_all();
  for (auto& t : workers) t.join();
  return ns;
}

// ---------------------------------------------------------------------------------------
// A Go-style WaitGroup for fibers: atomic counter on the fast path, fiber mutex + condition
// variable for the single waiter (parks the fiber, not the thread).
class WaitGroup {
 public:
  explicit WaitGroup(int64_t n) : count_(n) {}
  void done() {
    if (count_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      std::lock_guard<boost::fibers::mutex> lk(mu_);
      zero_ = true;
      cv_.notify_all();
    }
  }
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

int64_t workload_spawn_exit(WaitGroup& wg) {
  // Stacks: fixedsize_stack of 2 pages (8 KiB, malloc'ed), as in Boost.Fiber's own
  // million-fiber benchmark for work_stealing (libs/fiber/performance/fiber/
  // skynet_stealing_*.cpp). Boost's default (128 KiB, one mmap each) behaves the same but
  // took ~40 s instead of ~5 s on the 2-vCPU test VM, nearly all of it kernel time.
  // Memory: launch::post queues each new fiber behind this thread's dispatcher context,
  // which is pinned, and work_stealing's queue will not steal past a pinned head. So no
  // fiber runs until the launcher parks in wg.wait(): all 1,000,000 exist at once
  // (about 7 GB resident on Linux/x86-64, ~1.8M page faults, which dominate the time).
  // That is Boost.Fiber's behaviour, not a bug here.
  boost::fibers::fixedsize_stack salloc{2 * boost::fibers::fixedsize_stack::traits_type::page_size()};
  // The launcher is the main thread's main fiber (a fiber in Boost.Fiber's sense, like Go's
  // main goroutine). A separately launched launcher fiber would be stolen by a worker thread
  // about half the time, and glibc then serves its million stacks from a non-main arena
  // (one mprotect per heap extension): runs varied 3x depending on where it landed.
  const auto t0 = Clock::now();
  for (int i = 0; i < kSpawnFibers; ++i) {
    boost::fibers::fiber(boost::fibers::launch::post, std::allocator_arg, salloc, [&wg] { wg.done(); })
        .detach();
  }
  wg.wait();
  return ns_since(t0);
}

int64_t workload_gosched_pingpong() {
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

int64_t workload_park_ready() {
  // unbuffered_channel: push() parks the sender until a receiver has taken the value, i.e.
  // a rendezvous like Go's unbuffered chan — the lightest blocking hand-off in Boost.Fiber.
  boost::fibers::unbuffered_channel<int> ping;
  boost::fibers::unbuffered_channel<int> pong;
  const auto t0 = Clock::now();
  boost::fibers::fiber a(boost::fibers::launch::post, [&] {
    int v = 0;
    for (int i = 0; i < kRoundTrips; ++i) {
      ping.push(i);
      pong.pop(v);
    }
    benchmark::DoNotOptimize(v);
  });
  boost::fibers::fiber b(boost::fibers::launch::post, [&] {
    int v = 0;
    for (int i = 0; i < kRoundTrips; ++i) {
      ping.pop(v);
      pong.push(v);
    }
  });
  a.join();
  b.join();
  return ns_since(t0);
}

int64_t workload_fanout_cpu(std::array<ResultSlot, kFanoutFibers>& results) {
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

enum class Key { spawn_exit, gosched_pingpong, park_ready, fanout_cpu };

// Runs one measured workload on a fresh P-thread pool; called in the forked child.
int64_t run_workload(Key key, unsigned procs) {
  switch (key) {
    case Key::spawn_exit: {
      WaitGroup wg(kSpawnFibers);  // outlives the pool: stragglers may still touch it
      return run_on_work_stealing_pool(procs, [&] { return workload_spawn_exit(wg); });
    }
    case Key::gosched_pingpong:
      return run_on_work_stealing_pool(procs, [] { return workload_gosched_pingpong(); });
    case Key::park_ready:
      return run_on_work_stealing_pool(procs, [] { return workload_park_ready(); });
    case Key::fanout_cpu: {
      std::array<ResultSlot, kFanoutFibers> results{};
      return run_on_work_stealing_pool(procs, [&] { return workload_fanout_cpu(results); });
    }
  }
  return -1;
}

// ---------------------------------------------------------------------------------------
// Process isolation: fork, run in the child, read the ns figure back through a pipe.

bool write_all(int fd, const void* buf, size_t len) {
  auto p = static_cast<const char*>(buf);
  while (len > 0) {
    const ssize_t n = ::write(fd, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    len -= static_cast<size_t>(n);
  }
  return true;
}

struct ChildResult {
  bool ok = false;
  int64_t ns = 0;
  std::string error;
};

ChildResult run_in_child(Key key, unsigned procs) {
  ChildResult r;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    r.error = std::string("pipe2: ") + std::strerror(errno);
    return r;
  }
  std::fflush(nullptr);  // nothing buffered may be written twice
  const pid_t pid = ::fork();
  if (pid < 0) {
    r.error = std::string("fork: ") + std::strerror(errno);
    ::close(fds[0]);
    ::close(fds[1]);
    return r;
  }
  if (pid == 0) {
    ::close(fds[0]);
    ::alarm(kWatchdogSeconds);
    int64_t ns = -1;
    try {
      ns = run_workload(key, procs);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "peer_boost_fiber: workload threw: %s\n", e.what());
      _exit(3);
    } catch (...) {
      std::fprintf(stderr, "peer_boost_fiber: workload threw a non-std exception\n");
      _exit(3);
    }
    // _exit, not exit: skip the parent's static destructors and atexit handlers (the
    // benchmark library's), and the main thread's fiber scheduler teardown. All worker
    // threads have been joined by run_on_work_stealing_pool.
    _exit(write_all(fds[1], &ns, sizeof ns) ? 0 : 4);
  }

  ::close(fds[1]);
  int64_t ns = -1;
  size_t got = 0;
  auto* p = reinterpret_cast<char*>(&ns);
  while (got < sizeof ns) {
    const ssize_t n = ::read(fds[0], p + got, sizeof ns - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  ::close(fds[0]);

  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      r.error = std::string("waitpid: ") + std::strerror(errno);
      return r;
    }
  }
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    r.error = "child killed by signal " + std::to_string(sig) + " (" + strsignal(sig) + ")";
    if (sig == SIGALRM) r.error += ": watchdog, workload ran longer than " + std::to_string(kWatchdogSeconds) + " s";
    return r;
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    r.error = "child exited with status " + std::to_string(WEXITSTATUS(status));
    return r;
  }
  if (got != sizeof ns || ns < 0) {
    r.error = "child reported no timing";
    return r;
  }
  r.ok = true;
  r.ns = ns;
  return r;
}

// ---------------------------------------------------------------------------------------
// Benchmark body shared by all keys. `units` is the divisor that turns wall ns into
// ns_per_op (see the table at the top).

void run_benchmark(benchmark::State& state, Key key, unsigned procs, double units) {
  double total_ns = 0;
  for (auto _ : state) {
    const ChildResult r = run_in_child(key, procs);
    if (!r.ok) {
      state.SkipWithError(r.error.c_str());
      break;
    }
    state.SetIterationTime(static_cast<double>(r.ns) * 1e-9);
    total_ns += static_cast<double>(r.ns);
  }
  if (state.iterations() > 0) bench_env::set_ns_per_op(state, total_ns, units);
}

void register_all() {
  const unsigned hw = hardware_procs();

  bench_env::manual_time(benchmark::RegisterBenchmark("BM_spawn_exit",
                                                      [hw](benchmark::State& st) {
                                                        run_benchmark(st, Key::spawn_exit, hw, kSpawnFibers);
                                                      }),
                         bench_env::fixed_iterations(1));

  const bench_env::PerProcs<Key> per_procs[] = {
      {"BM_gosched_pingpong", Key::gosched_pingpong, 2.0 * kYieldsPerFiber},
      {"BM_park_ready", Key::park_ready, 2.0 * kRoundTrips},
      {"BM_fanout_cpu", Key::fanout_cpu, 1.0},
  };
  bench_env::register_per_procs(
      per_procs, bench_env::procs_list("peer_boost_fiber", hw),
      [](Key key, double units) {
        return [key, units](benchmark::State& st) { run_benchmark(st, key, static_cast<unsigned>(st.range(0)), units); };
      },
      bench_env::fixed_iterations(1));

  benchmark::AddCustomContext("peer", "Boost.Fiber " + std::to_string(BOOST_VERSION / 100000) + "." +
                                          std::to_string(BOOST_VERSION / 100 % 1000) +
                                          ", algo::work_stealing, one forked process per run");
  benchmark::AddCustomContext("spawn_exit_procs", std::to_string(hw));
}

}  // namespace

int main(int argc, char** argv) { return bench_env::run_main(argc, argv, register_all); }
