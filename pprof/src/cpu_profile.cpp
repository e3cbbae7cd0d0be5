// cpu_profile.cpp — the CPU profile's file (mirrors StartCPUProfile,
// profileWriter and StopCPUProfile in golang/go src/runtime/pprof/pprof.go, and
// profileBuilder.addCPUData in proto.go).
//
// start_cpu_profile creates the file first, so a path that cannot be written
// fails at once with its reason, then starts the runtime's sampler at 100 Hz
// (runtime/src/cpuprof.cpp: per-M CPU-time timers, the SIGPROF handler, the
// sample ring).  A writer thread drains the ring every 100 ms, as Go's
// profileWriter goroutine does, into a table of counts by stack; the thread is
// outside the runtime (it has no M, so no timer, and never waits for a P), so
// the ring is drained even while every P is busy.  stop_cpu_profile stops the
// sampler, wakes the writer to read the ring to its end, and encodes the table
// with ProfileBuilder — sample types samples/count and cpu/nanoseconds, period
// 10 ms of CPU, as Go's — into the file, gzipped.  Samples the ring had no room
// for arrive as one stack of lost_profile_event with their count, which pprof
// shows as that function, as Go's show runtime/pprof.lostProfileEvent.
//
// GORTCPUPROFILE=FILE: the runtime calls this file's ProfileHooks around main's
// function; the hooks are registered by a static initializer here, and the
// object is kept in every program linking gort::gort by the linker option in
// pprof/CMakeLists.txt that names gort_pprof_cpu_profile_linked.
#include <gort/gc/collector.hpp>
#include <gort/pprof.hpp>
#include <gort/runtime/internal/cpuprof.hpp>
#include <gort/runtime/internal/hooks.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "profile_builder.hpp"

extern "C" {
/// Referenced by the linker option of pprof/CMakeLists.txt so that this object
/// (and its hook registration) is linked into every program.
int gort_pprof_cpu_profile_linked = 0;
}

namespace gort::pprof {

namespace {

namespace rt = gort::runtime;

/// How often the writer drains the sample ring (Go's profileWriter sleeps
/// 100 ms between reads); the ring holds far more than that (cpuprof.cpp).
constexpr auto kReadInterval = std::chrono::milliseconds(100);

/// The running profile (Go's cpu struct in pprof.go).  Guarded by mu except
/// `counts`, which only the writer thread touches until it is joined.
struct CpuProfile {
  std::mutex mu;
  bool profiling = false;
  int fd = -1;
  std::string path;
  int64_t start_unix_ns = 0;
  std::thread writer;
  std::condition_variable wake;
  bool stopping = false;
  std::map<std::vector<uintptr_t>, uint64_t> counts;
};

CpuProfile cpu;

int64_t unix_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// Drains the ring until the end of the profile (mirrors profileWriter).
void profile_writer() {
  std::vector<rt::CpuProfileRecord> recs;
  for (;;) {
    const bool more = rt::read_cpu_profile(recs);
    for (auto& r : recs) cpu.counts[r.stack] += r.count;
    recs.clear();
    if (!more) return;
    std::unique_lock<std::mutex> lock(cpu.mu);
    cpu.wake.wait_for(lock, kReadInterval, [] { return cpu.stopping; });
  }
}

/// Encodes the drained samples into the file and closes it.
/// Precondition: the writer was joined; cpu.mu held.
void write_profile() {
  const int64_t period = 1'000'000'000 / rt::kCpuProfileDefaultHz;
  detail::ProfileBuilder b({{"samples", "count"}, {"cpu", "nanoseconds"}}, {"cpu", "nanoseconds"}, period);
  b.set_time_nanos(cpu.start_unix_ns);
  b.set_duration_nanos(unix_now_ns() - cpu.start_unix_ns);
  for (const auto& [stack, count] : cpu.counts) {
    const int64_t values[2] = {int64_t(count), int64_t(count) * period};
    b.add_sample(stack, values);
  }
  cpu.counts.clear();
  const std::string bytes = b.encode_gzip();
  const int fd = cpu.fd;
  cpu.fd = -1;
  size_t off = 0;
  while (off < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + off, bytes.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string why = std::strerror(errno);
      ::close(fd);
      throw std::runtime_error("gort::pprof: cannot write " + cpu.path + ": " + why);
    }
    off += size_t(n);
  }
  if (::close(fd) != 0) throw std::runtime_error("gort::pprof: cannot write " + cpu.path + ": " + std::strerror(errno));
}

void start_from_environment(const char* path) { start_cpu_profile(path); }

void stop_from_environment() {
  try {
    stop_cpu_profile();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gort: GORTCPUPROFILE: %s\n", e.what());
  }
}

// GORTMEMPROFILE: one collection first, as `go test -memprofile` runs
// runtime.GC() before writing, so the profile holds the run's last cycle.
void write_heap_from_environment(const char* path) {
  try {
    gort::gc::collect();
    write_heap_profile(path);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gort: GORTMEMPROFILE=%s: %s\n", path, e.what());
  }
}

// The whole-run profiles' hooks (this file's CPU profile and the heap
// profile's write, mem_profiles.cpp), kept in every program by the linker
// option that names gort_pprof_cpu_profile_linked.
const rt::ProfileHooks hooks{&start_from_environment, &stop_from_environment, &write_heap_from_environment};

[[maybe_unused]] const bool registered = (rt::register_profile_hooks(&hooks), true);

}  // namespace

void start_cpu_profile(const std::string& path) {
  std::lock_guard<std::mutex> lock(cpu.mu);
  if (cpu.profiling) throw std::runtime_error("cpu profiling already in use");
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) throw std::runtime_error("gort::pprof: cannot write " + path + ": " + std::strerror(errno));
  if (!rt::set_cpu_profile_rate(rt::kCpuProfileDefaultHz)) {
    ::close(fd);
    throw std::runtime_error("cpu profiling already in use");
  }
  cpu.profiling = true;
  cpu.fd = fd;
  cpu.path = path;
  cpu.start_unix_ns = unix_now_ns();
  cpu.stopping = false;
  cpu.writer = std::thread(profile_writer);
}

void stop_cpu_profile() {
  std::unique_lock<std::mutex> lock(cpu.mu);
  if (!cpu.profiling || cpu.stopping) return;  // none runs, or another stop is finishing it
  rt::set_cpu_profile_rate(0);
  cpu.stopping = true;
  cpu.wake.notify_all();
  lock.unlock();  // the writer takes mu between reads
  cpu.writer.join();
  lock.lock();
  cpu.profiling = false;
  write_profile();
}

}  // namespace gort::pprof
