// boost_fiber_harness.cpp — the measuring harness and main() of peer_boost_fiber: the
// work_stealing pool, one forked child per measured iteration, the benchmark body and the
// registration helpers. The method is described in boost_fiber_harness.hpp.

#include "boost_fiber_harness.hpp"

#include <boost/fiber/algo/work_stealing.hpp>
#include <boost/fiber/all.hpp>
#include <boost/version.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace boost_fiber_bench {

namespace {

/// A child still running after this many seconds is killed: far above the slowest workload
/// (spawn_exit, ~5 s on a 2-vCPU VM), so only a hang trips it.
constexpr unsigned kWatchdogSeconds = 300;

/// Longest error message a child sends back; the rest is cut off.
constexpr size_t kMaxErrorBytes = 4096;

/// Runs `workload` on the calling thread's main fiber once P threads run work_stealing
/// schedulers (the documented pattern), then releases and joins the P-1 workers and returns
/// whatever `workload` returned; precondition: procs >= 1, called at most once per process.
template <class Body>
int64_t run_on_work_stealing_pool(unsigned procs, Body&& workload) {
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

/// Writes all `len` bytes of `buf` to `fd`; returns false on an error other than EINTR.
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

/// Reads `fd` until end of file (or an error other than EINTR) and returns the bytes read.
std::string read_all(int fd) {
  std::string out;
  char buf[512];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return out;
    out.append(buf, static_cast<size_t>(n));
  }
}

/// The forked child's body: runs the workload (warm-up first if asked) on a fresh pool and
/// writes to `fd` the timed run's ns as an int64_t, followed, if that is -1, by the error
/// text; then _exits. Never returns.
[[noreturn]] void child_main(int fd, Workload workload, unsigned procs, bool warmup) {
  ::alarm(kWatchdogSeconds);
  std::string error;
  int64_t ns = -1;
  try {
    ns = run_on_work_stealing_pool(procs, [&] {
      if (warmup && workload(&error) < 0) return int64_t{-1};  // untimed
      return workload(&error);
    });
  } catch (const std::exception& e) {
    std::fprintf(stderr, "peer_boost_fiber: workload threw: %s\n", e.what());
    _exit(3);
  } catch (...) {
    std::fprintf(stderr, "peer_boost_fiber: workload threw a non-std exception\n");
    _exit(3);
  }
  if (ns < 0 && error.empty()) error = "workload failed";
  if (error.size() > kMaxErrorBytes) error.resize(kMaxErrorBytes);
  const bool sent = write_all(fd, &ns, sizeof ns) && (ns >= 0 || write_all(fd, error.data(), error.size()));
  // _exit, not exit: skip the parent's static destructors and atexit handlers (the
  // benchmark library's), and the main thread's fiber scheduler teardown. All worker
  // threads have been joined by run_on_work_stealing_pool.
  _exit(sent ? 0 : 4);
}

/// What one child reported: its timed ns, or why there is none.
struct ChildResult {
  bool ok = false;
  int64_t ns = 0;
  std::string error;
};

/// Forks a child that runs `workload` once timed on a pool of `procs` threads and returns
/// its report; precondition: procs >= 1.
ChildResult run_in_child(Workload workload, unsigned procs, bool warmup) {
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
    child_main(fds[1], workload, procs, warmup);
  }

  ::close(fds[1]);
  const std::string report = read_all(fds[0]);
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
  int64_t ns = -1;
  if (report.size() < sizeof ns) {
    r.error = "child reported no timing";
    return r;
  }
  std::memcpy(&ns, report.data(), sizeof ns);
  if (ns < 0) {
    r.error = report.substr(sizeof ns);
    return r;
  }
  r.ok = true;
  r.ns = ns;
  return r;
}

void register_all() {
  register_sched_benchmarks();
  register_chan_benchmarks();
  register_sync_benchmarks();
  benchmark::AddCustomContext("peer", "Boost.Fiber " + std::to_string(BOOST_VERSION / 100000) + "." +
                                          std::to_string(BOOST_VERSION / 100 % 1000) +
                                          ", algo::work_stealing, one forked process per run");
}

}  // namespace

unsigned hardware_procs() {
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : n;
}

void run_benchmark(benchmark::State& state, Workload workload, unsigned procs, double units, bool warmup) {
  double total_ns = 0;
  for (auto _ : state) {
    const ChildResult r = run_in_child(workload, procs, warmup);
    if (!r.ok) {
      state.SkipWithError(r.error.c_str());
      break;
    }
    state.SetIterationTime(static_cast<double>(r.ns) * 1e-9);
    total_ns += static_cast<double>(r.ns);
  }
  if (state.iterations() > 0 && !state.error_occurred()) bench_env::set_ns_per_op(state, total_ns, units);
}

void register_at_hw(const char* name, Workload workload, double units, Method method) {
  const unsigned hw = hardware_procs();
  bench_env::manual_time(benchmark::RegisterBenchmark(name,
                                                      [hw, workload, units, method](benchmark::State& st) {
                                                        run_benchmark(st, workload, hw, units, method.warmup);
                                                      }),
                         method.timing);
}

}  // namespace boost_fiber_bench

int main(int argc, char** argv) { return bench_env::run_main(argc, argv, boost_fiber_bench::register_all); }
