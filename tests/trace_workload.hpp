// trace_workload.hpp — a small program that makes the tracer write every kind
// of event: goroutines created and exiting, channel hand-offs, sleeps (timers),
// blocking calls (and Ps retaken from them), yields, mutex contention, a
// forced collection and allocation-driven ones, a GOMAXPROCS change, user
// tasks, regions and logs.  Shared by the in-process tracer tests and the
// subprocess helper that GORTTRACE traces.
#pragma once

#include <gort/gort.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdint>

namespace gort::test {

/// What run_trace_workload did, for tests to compare with the trace.
struct TraceWorkloadCounts {
  int goroutines_started = 0;  // gort::go calls
  int blocking_calls = 0;      // gort::blocking calls
  int sleeps = 0;              // gort::sleep calls
  int64_t checksum = 0;        // the channel sum (the work really happened)
};

/// Runs the workload on the calling goroutine.  Precondition: inside gort::run.
inline TraceWorkloadCounts run_trace_workload(int scale = 1) {
  TraceWorkloadCounts n;
  gort::trace::Task task("trace-workload");
  gort::trace::log(task, "phase", "channels");
  {
    gort::trace::Region r(task, "channels");
    auto c = gort::make_chan<int>();
    gort::WaitGroup wg;
    for (int p = 0; p < 4; ++p) {
      wg.add(1);
      ++n.goroutines_started;
      gort::go([&, p] {
        for (int i = 0; i < 50 * scale; ++i) c.send(p * 1000 + i);
        wg.done();
      });
    }
    ++n.goroutines_started;
    gort::go([&] {
      wg.wait();
      c.close();
    });
    for (int v : c) n.checksum += v;
  }
  {
    gort::trace::Region r(task, "timers-and-blocking");
    gort::WaitGroup wg;
    for (int g = 0; g < 4; ++g) {
      wg.add(1);
      ++n.goroutines_started;
      n.sleeps += 3;
      n.blocking_calls += 2;
      gort::go([&] {
        for (int i = 0; i < 3; ++i) gort::sleep(std::chrono::microseconds(200));
        for (int i = 0; i < 2; ++i) gort::blocking([] { ::usleep(300); });  // > 20 µs: sysmon retakes the P
        for (int i = 0; i < 20; ++i) gort::gosched();
        wg.done();
      });
    }
    wg.wait();
  }
  {
    gort::trace::Region r(task, "mutex");
    gort::Mutex mu;
    int64_t counter = 0;
    gort::WaitGroup wg;
    for (int g = 0; g < 4; ++g) {
      wg.add(1);
      ++n.goroutines_started;
      gort::go([&] {
        for (int i = 0; i < 200 * scale; ++i) {
          std::lock_guard<gort::Mutex> l(mu);
          ++counter;
          if (i % 16 == 0) gort::gosched();
        }
        wg.done();
      });
    }
    wg.wait();
    n.checksum += counter;
  }
  {
    gort::trace::Region r(task, "gc");
    struct Node {
      gort::gc::Ptr<Node> next;
      int64_t v = 0;
      void trace(gort::gc::Tracer& t) const { t.visit(next); }
    };
    gort::gc::Ref<Node> keep = gort::gc::make<Node>();
    for (int i = 0; i < 20000 * scale; ++i) {
      auto x = gort::gc::make<Node>();
      x->next = keep;
      if (i % 64 == 0) keep = x;
    }
    gort::gc::collect();
    n.checksum += keep->v;
  }
  gort::gomaxprocs(gort::gomaxprocs() == 1 ? 2 : 1);
  gort::trace::log(task, "phase", "done");
  return n;
}

}  // namespace gort::test
