// trace_workload.hpp — a small program that makes the tracer write every kind
// of event: goroutines created and exiting, channel hand-offs, sleeps (timers),
// blocking calls (and Ps retaken from them), yields, mutex contention, a
// forced collection and allocation-driven ones, a GOMAXPROCS change, user
// tasks, regions and logs.  Shared by the in-process tracer tests and the
// gort_testprog programs that GORTTRACE traces (tests/testprog/trace.cpp).
// run_busy_trace_workload does the runtime's moving parts all at once
// instead, as a busy server does.
#pragma once

#include <gort/gort.hpp>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <tuple>
#include <vector>

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

/// Runs, all at the same time, for `rounds` rounds each: GOMAXPROCS changes
/// (1..4), forced and allocation-driven collections, blocking calls, timers
/// reset and stopped, context deadlines whose expiry (a timer function)
/// starts after_func goroutines, a goroutine locked to its thread, and
/// channel ping-pong.  Returns a checksum of the work.  Precondition: inside
/// gort::run.
inline int64_t run_busy_trace_workload(int rounds) {
  std::atomic<int64_t> sum{0};
  gort::WaitGroup wg;
  auto spawn = [&wg](auto fn) {
    wg.add(1);
    gort::go([&wg, fn] {
      fn();
      wg.done();
    });
  };
  spawn([&] {  // GOMAXPROCS moves between 1 and 4
    for (int i = 0; i < rounds; ++i) {
      gort::gomaxprocs(1 + i % 4);
      gort::sleep(std::chrono::microseconds(100));
    }
  });
  spawn([&] {  // collections, forced and from allocation
    struct Node {
      gort::gc::Ptr<Node> next;
      void trace(gort::gc::Tracer& t) const { t.visit(next); }
    };
    for (int i = 0; i < rounds / 4 + 1; ++i) {
      gort::gc::Ref<Node> keep = gort::gc::make<Node>();
      for (int k = 0; k < 2000; ++k) {
        auto x = gort::gc::make<Node>();
        x->next = keep;
        if (k % 32 == 0) keep = x;
      }
      gort::gc::collect();
    }
  });
  for (int b = 0; b < 2; ++b) {
    spawn([&, b] {  // blocking calls, long enough for sysmon to retake the P
      for (int i = 0; i < rounds; ++i) {
        gort::blocking([b, i] { ::usleep(static_cast<useconds_t>(30 + (b * 7 + i) % 5 * 40)); });
      }
    });
  }
  spawn([&] {  // timers: fire, reset, stop
    for (int i = 0; i < rounds; ++i) {
      gort::Timer t(std::chrono::microseconds(50 + i % 3 * 50));
      if (i % 3 == 0) {
        t.stop();
      } else {
        if (i % 3 == 1) t.reset(std::chrono::microseconds(80));
        t.c().recv();
      }
    }
  });
  spawn([&] {  // deadlines whose timer function starts after_func goroutines
    gort::WaitGroup fired;
    for (int i = 0; i < rounds; ++i) {
      auto [ctx, cancel] = gort::with_timeout(gort::background(), std::chrono::microseconds(60 + i % 4 * 40));
      fired.add(1);
      gort::after_func(ctx, [&sum, &fired] {
        sum.fetch_add(1, std::memory_order_relaxed);
        fired.done();
      });
      ctx.done().recv();
      cancel();
    }
    fired.wait();
  });
  spawn([&] {  // a goroutine locked to its thread: sleeps, receives, allocates
    gort::lock_os_thread();
    auto c = gort::make_chan<int>(1);
    for (int i = 0; i < rounds; ++i) {
      gort::sleep(std::chrono::microseconds(40));
      gort::go([c, i]() mutable { c.send(i); });
      sum.fetch_add(c.recv(), std::memory_order_relaxed);
      std::vector<int> v(256, i);
      sum.fetch_add(v[17], std::memory_order_relaxed);
    }
    gort::unlock_os_thread();
  });
  spawn([&] {  // channel ping-pong
    auto ping = gort::make_chan<int>(), pong = gort::make_chan<int>();
    gort::WaitGroup echo;
    echo.add(1);
    gort::go([ping, pong, &echo]() mutable {
      for (auto [v, ok] = ping.recv2(); ok; std::tie(v, ok) = ping.recv2()) pong.send(v + 1);
      echo.done();
    });
    for (int i = 0; i < rounds * 20; ++i) {
      ping.send(i);
      sum.fetch_add(pong.recv(), std::memory_order_relaxed);
    }
    ping.close();
    echo.wait();
  });
  wg.wait();
  return sum.load();
}

}  // namespace gort::test
