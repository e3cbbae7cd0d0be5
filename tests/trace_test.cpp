// trace_test.cpp — the runtime's execution tracer, checked through the
// trace-viewer's reader: every trace it writes parses, orders into a legal
// stream (each goroutine's transitions chain and are legal, every block is
// followed by an unblock or the end), and records what the program did.
#include <gort/gort.hpp>

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>
#include <tuple>
#include <vector>

#include "order.hpp"
#include "reader.hpp"
#include "test_util.hpp"
#include "trace_workload.hpp"

namespace {

namespace tf = gort::trace::format;
using gort::test::scaled;

/// A trace file path in the temporary directory, removed by the destructor.
class TempTrace {
 public:
  explicit TempTrace(const char* tag)
      : path_((std::filesystem::temp_directory_path() /
               ("gort_trace_test_" + std::to_string(::getpid()) + "_" + tag + ".trace"))
                  .string()) {}
  /// Removes the file, unless the test failed: then it stays as evidence.
  ~TempTrace() {
    if (::testing::Test::HasFailure() && std::filesystem::exists(path_)) {
      std::fprintf(stderr, "trace kept: %s\n", path_.c_str());
      return;
    }
    std::filesystem::remove(path_);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

/// Parses, orders and validates a trace; fails the test with the reader's
/// problems if any.
struct CheckedTrace {
  gort::viewer::Trace trace;
  gort::viewer::Ordered ordered;
  gort::viewer::Validation validation;
};

CheckedTrace read_checked(const std::string& path) {
  auto trace = gort::viewer::Trace::read_file(path);
  auto ordered = gort::viewer::order(trace);
  auto validation = gort::viewer::validate(trace, ordered);
  std::string problems;
  for (const auto& p : validation.problems) problems += p + "\n";
  EXPECT_TRUE(validation.ok) << problems;
  return {std::move(trace), std::move(ordered), std::move(validation)};
}

TEST(TraceApi, StartOutsideAGoroutineIsALogicError) {
  TempTrace t("outside");
  EXPECT_THROW(gort::trace::start(t.path()), std::logic_error);
  EXPECT_FALSE(gort::trace::is_enabled());
}

TEST(TraceApi, StartTwiceIsALogicErrorAndStopWithoutStartDoesNothing) {
  TempTrace t("twice");
  gort::run([&] {
    gort::trace::stop();  // nothing running: no effect
    gort::trace::start(t.path());
    EXPECT_TRUE(gort::trace::is_enabled());
    try {
      gort::trace::start(t.path());
      ADD_FAILURE() << "second start did not throw";
    } catch (const std::logic_error& e) {
      EXPECT_NE(std::string(e.what()).find("already enabled"), std::string::npos) << e.what();
    }
    gort::trace::stop();
    EXPECT_FALSE(gort::trace::is_enabled());
  });
  read_checked(t.path());
}

TEST(TraceApi, AnUncreatableFileIsASystemErrorNamingThePath) {
  gort::run([] {
    const std::string path = "/nonexistent-gort-dir/x.trace";
    try {
      gort::trace::start(path);
      ADD_FAILURE() << "start on an uncreatable path did not throw";
    } catch (const std::system_error& e) {
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
      EXPECT_EQ(e.code().value(), ENOENT);
    }
    EXPECT_FALSE(gort::trace::is_enabled());
  });
}

// The workload under the tracer, many times and on 1, 2 and 4 Ps: the
// orderings differ from run to run, and every one must replay legally.
TEST(Tracer, EveryTraceOfTheWorkloadReplaysLegallyAndCountsWhatRan) {
  const int iterations = scaled(100);
  for (int it = 0; it < iterations; ++it) {
    const int procs = 1 << (it % 3);
    TempTrace t("workload");
    gort::test::TraceWorkloadCounts n;
    gort::run([&] {
      gort::gomaxprocs(procs);
      gort::trace::start(t.path());
      n = gort::test::run_trace_workload();
      gort::trace::stop();
    });
    SCOPED_TRACE("iteration " + std::to_string(it) + ", GOMAXPROCS " + std::to_string(procs));
    CheckedTrace c = read_checked(t.path());
    const auto& trace = c.trace;
    // Every `go` of the workload is a GoCreate (plus the collector's
    // mark-termination goroutine, one per cycle); every workload goroutine
    // ended (a cycle's goroutine may still be on its way out at the stop).
    EXPECT_EQ(trace.count(tf::Ev::GoCreate), uint64_t(n.goroutines_started) + trace.count(tf::Ev::GCBegin));
    EXPECT_GE(trace.count(tf::Ev::GoDestroy), uint64_t(n.goroutines_started));
    EXPECT_LE(trace.count(tf::Ev::GoDestroy), trace.count(tf::Ev::GoCreate));
    // Blocking calls: each begins and ends once, with or without its P.
    EXPECT_EQ(trace.count(tf::Ev::GoSyscallBegin), uint64_t(n.blocking_calls));
    EXPECT_EQ(trace.count(tf::Ev::GoSyscallEnd) + trace.count(tf::Ev::GoSyscallEndBlocked),
              uint64_t(n.blocking_calls));
    // Sleeps fire timers.
    EXPECT_GE(trace.count(tf::Ev::TimerFire), uint64_t(n.sleeps));
    // The forced collection: a cycle begun and ended, its two pauses (and
    // GOMAXPROCS's one) begun and ended.
    EXPECT_GE(trace.count(tf::Ev::GCBegin), 1u);
    EXPECT_EQ(trace.count(tf::Ev::GCBegin), trace.count(tf::Ev::GCEnd));
    EXPECT_GE(trace.count(tf::Ev::STWBegin), 3u);
    EXPECT_EQ(trace.count(tf::Ev::STWBegin), trace.count(tf::Ev::STWEnd));
    EXPECT_GE(trace.count(tf::Ev::HeapGoal), 1u);
    EXPECT_EQ(trace.count(tf::Ev::GoMaxProcs), 2u);  // the snapshot and the change
    // User annotations.
    EXPECT_EQ(trace.count(tf::Ev::UserTaskBegin), 1u);
    EXPECT_EQ(trace.count(tf::Ev::UserTaskEnd), 1u);
    EXPECT_EQ(trace.count(tf::Ev::UserRegionBegin), 4u);
    EXPECT_EQ(trace.count(tf::Ev::UserRegionEnd), 4u);
    EXPECT_EQ(trace.count(tf::Ev::UserLog), 3u);  // the program's two and the runtime's netpoll=…
    // Nothing but the main goroutine may be left blocked.
    EXPECT_EQ(c.validation.blocked_at_end, 0u);
    // Blocks carry stacks, and the stop wrote the frames naming them.
    EXPECT_TRUE(trace.has_frames());
  }
}

// GoBlock names Go's wait reason; the stack of a channel operation that
// blocked names the channel function.  One side of the hand-off blocks: the
// receiver, or the sender if the receiver was preempted first (a slow build
// can use up its 10 ms slice).
TEST(Tracer, ABlockRecordsItsWaitReasonAndTheBlockingCallersStack) {
  TempTrace t("block");
  gort::run([&] {
    gort::gomaxprocs(1);
    gort::trace::start(t.path());
    auto c = gort::make_chan<int>();
    gort::test::Goroutines gs;
    gs.go([c]() mutable { c.send(7); });
    EXPECT_EQ(c.recv(), 7);
    gs.join();
    gort::trace::stop();
  });
  CheckedTrace c = read_checked(t.path());
  int found = 0;
  std::string reasons;
  for (const auto& ev : c.ordered.events) {
    if (ev.type != tf::Ev::GoBlock) continue;
    const std::string reason(c.trace.string(ev.args[0]));
    reasons += reason + "; ";
    const char* function = reason == "chan receive" ? "chanrecv" : reason == "chan send" ? "chansend" : nullptr;
    if (function == nullptr) continue;
    ++found;
    std::string frames;
    for (uint64_t pc : c.trace.stack(ev.args[1])) {
      if (const auto* f = c.trace.frame(pc)) frames += std::string(c.trace.string(f->func)) + "\n";
    }
    EXPECT_NE(frames.find(function), std::string::npos) << reason << ":\n" << frames;
  }
  EXPECT_EQ(found, 1) << "blocks: " << reasons;
}

// A trace stopped and started again in one run writes a second complete file.
TEST(Tracer, StartAfterStopWritesAFreshCompleteTrace) {
  TempTrace a("first"), b("second");
  gort::run([&] {
    for (const TempTrace* t : {&a, &b}) {
      gort::trace::start(t->path());
      gort::test::Goroutines gs;
      for (int i = 0; i < 8; ++i) gs.go([] { gort::sleep(std::chrono::microseconds(100)); });
      gs.join();
      gort::trace::stop();
    }
  });
  for (const TempTrace* t : {&a, &b}) {
    CheckedTrace c = read_checked(t->path());
    EXPECT_EQ(c.trace.count(tf::Ev::GoCreate), 8u);
  }
}

// trace::stop while goroutines block and wake on every P: a writer that saw
// tracing on just before stop cleared it may take its timestamp late (it
// unwinds the blocking goroutine's stack first, or its thread is descheduled),
// and stop waits for it; the end-of-trace time must still come after every
// event the file holds.  The goroutines block deep in recursion so each
// GoBlock's stack takes a while to unwind.
TEST(Tracer, StopWhileGoroutinesBlockEndsAfterEveryEvent) {
  const int windows = scaled(12);
  std::vector<std::unique_ptr<TempTrace>> traces;
  for (int i = 0; i < windows; ++i) traces.push_back(std::make_unique<TempTrace>(("busy-stop-" + std::to_string(i)).c_str()));
  gort::run([&] {
    std::atomic<bool> quit{false};
    gort::test::Goroutines gs;
    for (int pair = 0; pair < 4; ++pair) {
      auto ping = gort::make_chan<int>();
      auto pong = gort::make_chan<int>();
      struct Deep {
        static int exchange(const gort::Chan<int>& out, const gort::Chan<int>& in, int v, int depth) {
          if (depth > 0) {
            const int r = exchange(out, in, v, depth - 1);
            asm volatile("" ::: "memory");  // a real frame per level, not a loop
            return r;
          }
          out.send(v);
          return in.recv();
        }
      };
      gs.go([ping, pong, &quit] {
        for (int v = 0; !quit.load(); ++v) Deep::exchange(ping, pong, v, 48);
        ping.close();
      });
      gs.go([ping, pong] {
        for (auto [v, ok] = ping.recv2(); ok; std::tie(v, ok) = ping.recv2()) pong.send(v + 1);
      });
    }
    for (const auto& t : traces) {
      gort::trace::start(t->path());
      gort::sleep(std::chrono::milliseconds(2));
      gort::trace::stop();
    }
    quit = true;
  });
  int bad = 0;
  for (const auto& t : traces) {
    try {
      read_checked(t->path());
    } catch (const std::exception& e) {
      ADD_FAILURE() << t->path() << ": " << e.what();
      if (++bad == 3) break;
    }
  }
}

// trace::start while goroutines go in and out of blocking calls: the world
// stop does not stop a thread in a blocking call, and one returning while
// start writes its snapshot of goroutine states (GoSyscallEndBlocked: its P
// was taken by the stop) must find its goroutine stated as in that call on
// its thread, before its own event, or the trace does not replay.
TEST(Tracer, StartWhileGoroutinesLeaveBlockingCallsStatesThemFirst) {
  const int windows = scaled(100);
  std::vector<std::unique_ptr<TempTrace>> traces;
  for (int i = 0; i < windows; ++i) {
    traces.push_back(std::make_unique<TempTrace>(("syscall-start-" + std::to_string(i)).c_str()));
  }
  gort::run([&] {
    std::atomic<bool> quit{false};
    gort::test::Goroutines gs;
    for (int i = 0; i < 4; ++i) {
      gs.go([&quit, i] {
        while (!quit.load()) gort::blocking([i] { ::usleep(20 + 40 * i); });
      });
    }
    for (const auto& t : traces) {
      gort::trace::start(t->path());
      gort::sleep(std::chrono::milliseconds(1));
      gort::trace::stop();
    }
    quit = true;
  });
  int bad = 0;
  for (const auto& t : traces) {
    try {
      if (!read_checked(t->path()).validation.ok && ++bad == 3) break;
    } catch (const std::exception& e) {
      ADD_FAILURE() << t->path() << ": " << e.what();
      if (++bad == 3) break;
    }
  }
}

// GORTTRACE traces a whole program; an uncreatable path is reported on
// stderr and the program runs untraced, exiting normally.
TEST(Tracer, GorttraceTracesAWholeProgramAndReportsABadPath) {
  TempTrace t("env");
  auto ok = gort::test::run_testprog("TraceWorkload", {"GORTTRACE=" + t.path()});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  CheckedTrace c = read_checked(t.path());
  EXPECT_GE(c.trace.count(tf::Ev::GoCreate), 13u);

  auto bad = gort::test::run_testprog("TraceWorkload", {"GORTTRACE=/nonexistent-gort-dir/x.trace"});
  EXPECT_EQ(bad.exit_code, 0) << bad.err;
  EXPECT_NE(bad.err.find("GORTTRACE=/nonexistent-gort-dir/x.trace"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("running without a trace"), std::string::npos) << bad.err;
  EXPECT_NE(bad.out.find("goroutines 13"), std::string::npos) << bad.out;
}

// Everything at once under GORTTRACE (GOMAXPROCS changes, collections,
// blocking calls, timers, deadlines starting after_func goroutines, a locked
// goroutine, ping-pong): every run's trace is legal.  About one run in ten
// was rejected with "GoSyscallEnd on thread N: thread N holds no P to return
// to": a steal stamped while the M's previous blocking call still held the P,
// whose CAS then took the P from the M's next call (trace_proc_steal now
// stamps a steal after the lending call began).
TEST(Tracer, BusyProgramsTraceValidates) {
  const int runs = scaled(4);
  for (int i = 0; i < runs; ++i) {
    TempTrace t("busy");
    auto r = gort::test::run_testprog("TraceBusyWorkload", {"GORTTRACE=" + t.path()}, 60000);
    ASSERT_FALSE(r.timed_out) << "run " << i << " hung\n" << r.err;
    ASSERT_EQ(r.exit_code, 0) << r.err;
    read_checked(t.path());
    if (::testing::Test::HasFailure()) return;
  }
}

// A blocking call entered while a stop waits for its P hands the P to the stop
// as a ProcSteal from its own thread (a self-steal, Go 1.22's
// entersyscall_gcwait); the trace replays (issue 17, item 6: 3 busy runs in 4
// were rejected on them).  The program makes the order the same in every run.
TEST(Tracer, BlockingCallMeetingAStopTracesASelfSteal) {
  for (int i = 0; i < scaled(10); ++i) {
    TempTrace t("self-steal");
    auto r = gort::test::run_testprog("TraceSelfSteal", {"GORTTRACE=" + t.path()}, 60000);
    ASSERT_FALSE(r.timed_out) << "run " << i << " hung\n" << r.err;
    ASSERT_EQ(r.exit_code, 0) << r.err;
    CheckedTrace c = read_checked(t.path());
    if (::testing::Test::HasFailure()) return;
    int self_steals = 0;
    for (const auto& e : c.ordered.events) {
      if (e.type == tf::Ev::ProcSteal && e.args[1] == e.thread) ++self_steals;
    }
    EXPECT_EQ(self_steals, 1) << "run " << i;
  }
}

}  // namespace

// A goroutine that waits on the network blocks with Go's reason "IO wait" and
// is unblocked by the poller (an M in netpoll, maybe without a P): the trace
// replays on both backends, logs which one ran (category "runtime"), and the viewer files the wait under its network
// blocking profile (trace-viewer/src/analysis/blocking.cpp).
TEST(Tracer, ANetworkWaitIsAnIOWaitBlockUnblockedByThePoller) {
  for (const char* backend : {"GODEBUG=netpoll=uring", "GODEBUG=netpoll=epoll"}) {
    TempTrace t("netpoll");
    auto r = gort::test::run_testprog("NetpollWaitIsNotADeadlock", {"GORTTRACE=" + t.path(), backend});
    ASSERT_EQ(r.exit_code, 0) << backend << "\n" << r.err;
    CheckedTrace c = read_checked(t.path());
    bool blocked = false;
    bool unblocked = false;
    bool backend_logged = false;
    for (const auto& ev : c.ordered.events) {
      if (ev.type == tf::Ev::UserLog && c.trace.string(ev.args[1]) == "runtime") {
        backend_logged = c.ordered.messages[ev.message] == std::string("netpoll=") + (backend + 16);
      }
      if (ev.type == tf::Ev::GoBlock && c.trace.string(ev.args[0]) == "IO wait") blocked = true;
      if (blocked && ev.type == tf::Ev::GoUnblock && ev.args[0] == 1) unblocked = true;  // main is goroutine 1
    }
    EXPECT_TRUE(blocked) << backend;
    EXPECT_TRUE(unblocked) << backend;
    EXPECT_TRUE(backend_logged) << backend;  // the trace says which backend ran
  }
}
