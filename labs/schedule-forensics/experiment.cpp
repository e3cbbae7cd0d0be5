// experiment.cpp — spawning, working, recording (see experiment.hpp).
#include "experiment.hpp"

#include <gort/gort.hpp>
#include <gort/trace.hpp>

#include <sys/resource.h>

#include <atomic>

namespace schedlab {

namespace {

using Clock = std::chrono::steady_clock;

/// CPU time (user + system) of the whole process so far, in nanoseconds.
int64_t process_cpu_ns() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  auto ns = [](const timeval& tv) { return int64_t{tv.tv_sec} * 1'000'000'000 + int64_t{tv.tv_usec} * 1'000; };
  return ns(ru.ru_utime) + ns(ru.ru_stime);
}

int64_t since(Clock::time_point origin) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - origin).count();
}

/// Keeps every goroutine's loop result alive so no loop is optimised away.
std::atomic<uint64_t> g_sink{0};

/// The busy loop of the Busy and Gosched kinds.  Each chunk runs inside an
/// AsyncPreemptible scope when async preemption is on — gort's way of saying
/// what Go assumes of every loop — and never holds one across the yield, which
/// is a runtime call.
void busy_loop(const BusyWork& w, bool yield, bool async_preempt, uint64_t seed) {
  uint64_t x = seed;
  for (uint64_t c = 0; c < w.chunks; ++c) {
    if (async_preempt) {
      gort::AsyncPreemptible preemptible;
      x = spin(w.steps_per_chunk, x);
    } else {
      x = spin(w.steps_per_chunk, x);
    }
    if (yield) gort::gosched();
  }
  g_sink.fetch_add(x, std::memory_order_relaxed);
}

}  // namespace

void warm_up(int n) {
  gort::WaitGroup wg;
  wg.add(n);
  for (int i = 0; i < n; ++i) {
    gort::go([&wg] {
      gort::sleep(std::chrono::milliseconds(1));
      wg.done();
    });
  }
  wg.wait();
}

VariantResult run_variant(const Variant& v, const BusyWork& busy, int n, std::chrono::nanoseconds work,
                          std::atomic<int>* done) {
  gort::gomaxprocs(v.procs);
  // The spawning loop starts on a fresh time slice.  A preemption request left
  // pending by what ran before (sysmon flags a goroutine after 10 ms without a
  // schedule tick, as the warm-up's loops are) would be honoured at the first
  // go statement, a safe point, so goroutine 0 would run before the others
  // existed; the course's program spawns right after it starts instead.
  gort::gosched();
  VariantResult r;
  r.variant = v;
  r.goroutines.resize(static_cast<std::size_t>(n));
  const std::string label = variant_label(v);
  gort::trace::Task task(label);
  gort::WaitGroup wg;
  wg.add(n);
  const int64_t cpu_origin = process_cpu_ns();
  const Clock::time_point origin = Clock::now();
  for (int i = 0; i < n; ++i) {
    GoroutineTimes* t = &r.goroutines[static_cast<std::size_t>(i)];
    t->spawn_ns = since(origin);
    gort::go([t, &wg, &task, &v, &busy, origin, work, i, done] {
      t->start_ns = since(origin);
      {
        gort::trace::Region region(task, "work");
        if (v.loop == LoopKind::Sleep) {
          gort::sleep(work);
        } else {
          busy_loop(busy, v.loop == LoopKind::Gosched, v.async_preempt, static_cast<uint64_t>(i));
        }
      }
      t->end_ns = since(origin);
      done->fetch_add(1, std::memory_order_relaxed);
      wg.done();
    });
  }
  wg.wait();
  r.wall_ns = since(origin);
  r.cpu_ns = process_cpu_ns() - cpu_origin;
  return r;
}

}  // namespace schedlab
