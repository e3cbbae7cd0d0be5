// false_sharing.cpp — the two-counter experiment on gort (see false_sharing.hpp).
#include "false_sharing.hpp"

#include <gort/gort.hpp>
#include <lab/progress.hpp>

#include <time.h>

#include <atomic>
#include <chrono>
#include <memory>

namespace layoutlab {

namespace {

/// x86-64's cache line: the unit a core owns exclusively for a write.
constexpr std::uintptr_t kCacheLineBytes = 64;

/// Two counters side by side: 8 bytes apart, on one line (the struct is
/// line-aligned, so the pair never straddles two).
struct alignas(kCacheLineBytes) Adjacent {
  std::atomic<std::int64_t> a{0};
  std::atomic<std::int64_t> b{0};
};

/// Two counters with Pad bytes between them (Go: `_ cpu.CacheLinePad`).
template <int Pad>
struct alignas(kCacheLineBytes) Padded {
  std::atomic<std::int64_t> a{0};
  char pad[Pad];
  std::atomic<std::int64_t> b{0};
};

/// Increments c n times with a locked add (as atomic.AddInt64).
void hammer(std::atomic<std::int64_t>& c, std::uint64_t n) {
  for (std::uint64_t i = 0; i < n; ++i) c.fetch_add(1);
}

/// CPU time of the calling thread in ns.  The hammer loop has no safe point,
/// so a goroutine stays on its M from one reading to the next.
std::int64_t thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

/// One timed run's wall time and the two goroutines' CPU time added.
struct RunTimes {
  std::int64_t wall_ns = 0;
  std::int64_t cpu_ns = 0;
};

/// One run: two goroutines, one counter each, released together; the wall
/// time from their release to the second one's finish.
RunTimes timed_run(std::atomic<std::int64_t>& a, std::atomic<std::int64_t>& b, std::uint64_t n) {
  std::atomic<std::int64_t> cpu{0};
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  gort::WaitGroup wg;
  wg.add(2);
  for (std::atomic<std::int64_t>* c : {&a, &b}) {
    gort::go([c, n, &ready, &go, &wg, &cpu] {
      ready.fetch_add(1);
      // Wait for the release; yield so that on one P the other goroutine gets to start.
      while (!go.load(std::memory_order_acquire)) gort::gosched();
      const std::int64_t cpu0 = thread_cpu_ns();
      hammer(*c, n);
      cpu.fetch_add(thread_cpu_ns() - cpu0);
      wg.done();
    });
  }
  while (ready.load() < 2) gort::gosched();
  const auto t0 = std::chrono::steady_clock::now();
  go.store(true, std::memory_order_release);
  wg.wait();
  const auto wall = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0);
  return {wall.count(), cpu.load()};
}

/// Where two counters are, as the report shows it.
SharingVariant placed(const char* name, const void* a, const void* b) {
  const auto x = reinterpret_cast<std::uintptr_t>(a), y = reinterpret_cast<std::uintptr_t>(b);
  SharingVariant v;
  v.name = name;
  v.distance_bytes = static_cast<std::int64_t>(y - x);
  v.same_line = x / kCacheLineBytes == y / kCacheLineBytes;
  return v;
}

/// The experiment with Pad bytes of padding.
template <int Pad>
SharingResults run_with_pad(const SharingConfig& config) {
  SharingResults r;
  r.gomaxprocs = gort::gomaxprocs();
  r.increments = config.increments;
  r.pad_bytes = Pad;
  auto adjacent = std::make_unique<Adjacent>();
  auto padded = std::make_unique<Padded<Pad>>();
  r.variants.push_back(placed("adjacent", &adjacent->a, &adjacent->b));
  r.variants.push_back(placed("padded", &padded->a, &padded->b));
  const std::uint64_t warm_up = config.increments / 10 + 1;
  timed_run(adjacent->a, adjacent->b, warm_up);
  timed_run(padded->a, padded->b, warm_up);
  lab::Progress progress("layout-forensics: false-sharing runs", 2L * config.runs);
  const auto record = [](SharingVariant& v, RunTimes t) {
    v.run_ns.push_back(t.wall_ns);
    v.cpu_ns.push_back(t.cpu_ns);
  };
  for (int round = 0; round < config.runs; ++round) {
    record(r.variants[0], timed_run(adjacent->a, adjacent->b, config.increments));
    progress.update(2L * round + 1);
    record(r.variants[1], timed_run(padded->a, padded->b, config.increments));
    progress.update(2L * round + 2);
  }
  progress.finish();
  return r;
}

}  // namespace

SharingResults run_false_sharing(const SharingConfig& config) {
  const int before = gort::gomaxprocs(config.procs);
  SharingResults r = config.pad_bytes == 128 ? run_with_pad<128>(config) : run_with_pad<64>(config);
  gort::gomaxprocs(before);
  return r;
}

}  // namespace layoutlab
