// trace_viewer_order_test.cpp — merging per-thread batches into one legal
// stream: equal and skewed timestamps across threads resolve, illegal
// streams are rejected with the event, thread and offset named.
#include "trace_builder.hpp"

#include "order.hpp"
#include "reader.hpp"

#include <gtest/gtest.h>

#include <string>

namespace gort::viewer {
namespace {

using test::TraceBuilder;
using E = tf::Ev;

Ordered order_bytes(const std::vector<uint8_t>& bytes) { return order(Trace::parse(bytes)); }

/// Expects ordering b's trace to fail at event `bad` with a message
/// containing `what`.
void expect_order_error(TraceBuilder& b, int64_t end_ns, size_t bad, const std::string& what) {
  Trace t = Trace::parse(b.bytes(end_ns));
  const uint64_t offset = b.offset_of(bad);
  try {
    order(t);
    ADD_FAILURE() << "ordered; expected an error containing \"" << what << "\"";
  } catch (const TraceError& e) {
    EXPECT_EQ(e.offset(), offset) << e.what();
    EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << "message: " << e.what();
  }
}

std::vector<E> types(const Ordered& o) {
  std::vector<E> out;
  for (const Event& e : o.events) out.push_back(e.type);
  return out;
}

/// Thread 1 runs G2 on P0; G1 is blocked; thread 2 holds P1 with nothing to run.
void two_threads(TraceBuilder& b) {
  b.gomaxprocs(1, 0, 2);
  b.proc_running(1, 0, 0, 1);
  b.proc_running(1, 0, 1, 2);
  b.go_running(1, 0, 2, 1);
  b.go_waiting(1, 0, 1, "chan receive");
}

TEST(TraceViewerOrder, UnblockAndStartAtTheSameNanosecond) {
  TraceBuilder b;
  // Thread 2's batch comes first in the file, and its GoStart has the same
  // time as thread 1's GoUnblock that makes G1 runnable.
  b.go_start(2, 100, 1);
  b.go_destroy(2, 200);
  two_threads(b);
  b.go_unblock(1, 100, 1);
  b.go_destroy(1, 300);
  Trace t = Trace::parse(b.bytes(400));
  Ordered o = order(t);
  EXPECT_EQ(types(o), (std::vector<E>{E::GoMaxProcs, E::ProcStatus, E::ProcStatus, E::GoStatus, E::GoStatus,
                                      E::GoUnblock, E::GoStart, E::GoDestroy, E::GoDestroy}));
  EXPECT_EQ(o.adjusted, 0u);
  const Event& start = o.events[6];
  EXPECT_EQ(start.thread, 2u);
  EXPECT_EQ(start.p, 1);
  EXPECT_EQ(start.target, 1u);
  EXPECT_EQ(start.from, GState::Runnable);
  EXPECT_EQ(start.to, GState::Running);
  EXPECT_EQ(o.events[7].g, 1u);  // G1's GoDestroy happens to G1 on thread 2
  Validation v = validate(t, o);
  EXPECT_TRUE(v.ok) << (v.problems.empty() ? "" : v.problems[0]);
  EXPECT_EQ(v.goroutines, 2u);
  EXPECT_EQ(v.blocked_at_end, 0u);
}

TEST(TraceViewerOrder, SlightlyEarlierStartWaitsForTheUnblock) {
  TraceBuilder b;
  two_threads(b);
  b.go_unblock(1, 100, 1);
  b.go_start(2, 98, 1);  // thread 2's clock read 2 ns before thread 1's
  Ordered o = order_bytes(b.bytes(400));
  ASSERT_EQ(o.events.size(), 7u);
  EXPECT_EQ(o.events[5].type, E::GoUnblock);
  EXPECT_EQ(o.events[6].type, E::GoStart);
  EXPECT_EQ(o.events[6].time, 100);  // raised: times never go backwards
  EXPECT_TRUE(o.events[6].flags & kTimeAdjusted);
  EXPECT_EQ(o.adjusted, 1u);
  EXPECT_EQ(o.max_adjust_ns, 2);
}

TEST(TraceViewerOrder, ProcStartWaitsForTheOtherThreadsProcStop) {
  TraceBuilder b;
  b.proc_start(2, 50, 0);  // P0 is still held by thread 1 until its ProcStop at 50
  b.proc_running(1, 0, 0, 1);
  b.proc_stop(1, 50);
  Ordered o = order_bytes(b.bytes(100));
  EXPECT_EQ(types(o), (std::vector<E>{E::ProcStatus, E::ProcStop, E::ProcStart}));
  EXPECT_EQ(o.events[2].p, 0);
}

TEST(TraceViewerOrder, RejectsGoStartOfARunningGoroutine) {
  TraceBuilder b;
  two_threads(b);
  const size_t bad = b.go_start(2, 100, 2);  // G2 runs on thread 1
  expect_order_error(b, 400, bad,
                     "cannot order event GoStart on thread 2 at 100 ns: goroutine 2 is running, not runnable");
}

TEST(TraceViewerOrder, RejectsBlockWithoutARunningGoroutine) {
  TraceBuilder b;
  b.proc_running(1, 0, 0, 1);
  const size_t bad = b.go_block(1, 10, "select");
  expect_order_error(b, 100, bad,
                     "cannot order event GoBlock on thread 1 at 10 ns: GoBlock on thread 1 with no running goroutine");
}

TEST(TraceViewerOrder, RejectsOtherIllegalEvents) {
  {  // Starting a goroutine without a P.
    TraceBuilder b;
    b.go_create(1, 0, 5);
    const size_t bad = b.go_start(1, 10, 5);
    expect_order_error(b, 100, bad, "thread 1 holds no P");
  }
  {  // Unblocking a goroutine that is not blocked.
    TraceBuilder b;
    b.go_create(1, 0, 5);
    const size_t bad = b.go_unblock(1, 10, 5);
    expect_order_error(b, 100, bad, "goroutine 5 is runnable, not blocked");
  }
  {  // Creating a goroutine twice.
    TraceBuilder b;
    b.go_create(1, 0, 5);
    const size_t bad = b.ev(1, 10, E::GoCreate, {5, 0, 0});
    expect_order_error(b, 100, bad, "goroutine 5 already exists (runnable)");
  }
  {  // A P acquired twice.
    TraceBuilder b;
    b.proc_start(1, 0, 3);
    const size_t bad = b.ev(2, 10, E::ProcStart, {3});
    expect_order_error(b, 100, bad, "P 3 is held by thread 1");
  }
  {  // A region end that does not match the innermost region.
    TraceBuilder b;
    b.proc_running(1, 0, 0, 1);
    b.go_running(1, 0, 1, 1);
    b.ev(1, 10, E::UserRegionBegin, {0, b.str("outer")});
    b.ev(1, 20, E::UserRegionBegin, {0, b.str("inner")});
    const size_t bad = b.ev(1, 30, E::UserRegionEnd, {0, b.str("outer")});
    expect_order_error(b, 100, bad,
                       "region \"outer\" (task 0) ends on goroutine 1, but its innermost open region is \"inner\"");
  }
  {  // Two GC cycles at once.
    TraceBuilder b;
    b.ev(1, 0, E::GCBegin, {1});
    const size_t bad = b.ev(2, 10, E::GCBegin, {2});
    expect_order_error(b, 100, bad, "GC cycle 1 is still running");
  }
  {  // A steal from a thread that is not in a blocking call.
    TraceBuilder b;
    two_threads(b);
    const size_t bad = b.ev(test::kSysmonThread, 10, E::ProcSteal, {0, 1});
    expect_order_error(b, 100, bad, "thread 1 is not in a blocking call");
  }
  {  // A self-steal of a P the thread does not hold.
    TraceBuilder b;
    two_threads(b);
    const size_t bad = b.ev(1, 10, E::ProcSteal, {1, 1});
    expect_order_error(b, 100, bad, "thread 1 steals P 1 from itself but holds P 0");
  }
}

TEST(TraceViewerOrder, GoroutinesWithoutCreateOrStatusExistedAtTraceStart) {
  TraceBuilder b;
  b.proc_running(1, 0, 0, 1);
  b.go_start(1, 10, 9);  // never created, no status: runnable at trace start
  b.go_block(1, 20, "sleep");
  b.go_unblock(2, 30, 8);  // blocked at trace start
  Trace t = Trace::parse(b.bytes(100));
  Ordered o = order(t);
  ASSERT_EQ(o.events.size(), 4u);
  EXPECT_TRUE(o.events[1].flags & kInferred);
  EXPECT_EQ(o.events[1].from, GState::Runnable);
  EXPECT_TRUE(o.events[3].flags & kInferred);
  EXPECT_EQ(o.events[3].from, GState::Waiting);
  Validation v = validate(t, o);
  EXPECT_TRUE(v.ok);
  EXPECT_EQ(v.blocked_at_end, 1u);
}

TEST(TraceViewerOrder, EndsWithoutBeginsPredateTheTrace) {
  TraceBuilder b;
  b.proc_running(1, 0, 0, 1);
  b.go_running(1, 0, 1, 1);
  b.ev(1, 10, E::GCMarkAssistEnd);
  b.ev(1, 20, E::GCEnd, {4});
  b.ev(1, 25, E::STWEnd);
  b.ev(1, 30, E::UserRegionEnd, {0, b.str("r")});
  b.ev(2, 40, E::GCSweepEnd);
  Ordered o = order_bytes(b.bytes(100));
  int before = 0;
  for (const Event& e : o.events) before += (e.flags & kBeganBeforeTrace) ? 1 : 0;
  EXPECT_EQ(before, 5);
  // But only once: a second GCEnd has no cycle to end.
  TraceBuilder b2;
  b2.ev(1, 20, E::GCEnd, {4});
  const size_t bad = b2.ev(1, 30, E::GCEnd, {5});
  expect_order_error(b2, 100, bad, "no GC cycle is running");
}

/// Thread 1's goroutine enters a blocking call at 100; at 200 `stealer` takes
/// P 0 from that call; thread 2 starts on the P at 300, thread 1 returns
/// without one at 400 and thread 2 runs the goroutine at 500.
Trace steal_from_a_blocking_call(uint64_t stealer) {
  TraceBuilder b;
  b.gomaxprocs(1, 0, 1);
  b.proc_running(1, 0, 0, 1);
  b.go_running(1, 0, 1, 1);
  b.syscall_begin(1, 100);
  b.ev(stealer, 200, E::ProcSteal, {0, 1});
  b.proc_start(2, 300, 0);
  b.ev(1, 400, E::GoSyscallEndBlocked);
  b.go_start(2, 500, 1);
  b.go_destroy(2, 600);
  return Trace::parse(b.bytes(1000));
}

/// Orders t from steal_from_a_blocking_call: the steal takes P 0, the return
/// holds no P, and the trace validates.
Ordered expect_steal_then_return_without_a_p(const Trace& t) {
  Ordered o = order(t);
  EXPECT_EQ(o.events.size(), 9u);
  if (o.events.size() != 9u) return o;
  EXPECT_EQ(o.events[4].type, E::ProcSteal);
  EXPECT_EQ(o.events[4].p, 0);
  EXPECT_EQ(o.events[6].type, E::GoSyscallEndBlocked);
  EXPECT_EQ(o.events[6].p, -1);  // the P was taken
  Validation v = validate(t, o);
  EXPECT_TRUE(v.ok) << (v.problems.empty() ? "" : v.problems[0]);
  return o;
}

TEST(TraceViewerOrder, SyscallStealAndReturnWithoutAP) {
  const Trace t = steal_from_a_blocking_call(test::kSysmonThread);
  const Ordered o = expect_steal_then_return_without_a_p(t);
  if (o.events.size() == 9u) {
    EXPECT_FALSE(o.events[6].flags & kReleasedP);
  }
}

// A thread in a blocking call hands its own P to a stop in progress: Go 1.22
// records a ProcSteal naming the thread itself and reads it as a ProcStop
// (issue 17, item 6: every rejected busy trace failed here).  Thread 2 takes
// the P, free again, after the stop.
TEST(TraceViewerOrder, SelfStealFromABlockingCallIsAProcStop) {
  expect_steal_then_return_without_a_p(steal_from_a_blocking_call(1));
}

TEST(TraceViewerOrder, ValidateFindsABrokenStream) {
  TraceBuilder b;
  two_threads(b);
  b.go_unblock(1, 100, 1);
  b.go_start(2, 150, 1);
  Trace t = Trace::parse(b.bytes(400));
  Ordered o = order(t);
  EXPECT_TRUE(validate(t, o).ok);
  // Drop the unblock: the start now resumes a blocked goroutine.
  o.events.erase(o.events.begin() + 5);
  Validation v = validate(t, o);
  EXPECT_FALSE(v.ok);
  ASSERT_FALSE(v.problems.empty());
  EXPECT_NE(v.problems[0].find("goroutine 1 was blocked, the event says runnable"), std::string::npos)
      << v.problems[0];
}

TEST(TraceViewerOrder, SeedTracesOrderAndValidate) {
  for (const auto& [name, bytes] : test::seed_traces()) {
    Trace t = Trace::parse(bytes);
    Ordered o = order(t);
    Validation v = validate(t, o);
    EXPECT_TRUE(v.ok) << name << ": " << (v.problems.empty() ? "" : v.problems[0]);
    EXPECT_EQ(v.events + v.definitions, t.event_count()) << name;
  }
}

}  // namespace
}  // namespace gort::viewer

namespace gort::viewer {
namespace {

// Events that can never happen are set aside until the state they wait for
// changes, so thousands of them cost no more than one each ...
TEST(TraceViewerOrder, ManyStuckThreadsFailWithTheEarliest) {
  TraceBuilder b;
  const size_t first = b.ev(100, 0, E::GoStop, {0, 0});
  for (uint64_t i = 1; i < 3000; i++) b.ev(100 + i, 0, E::GoStop, {0, 0});
  for (uint64_t i = 0; i < 3000; i++) b.ev(1, 1 + int64_t(i), E::HeapAlloc, {i});
  expect_order_error(b, 10'000, first,
                     "cannot order event GoStop on thread 100 at 0 ns: GoStop on thread 100 with no running "
                     "goroutine; none of the other 2999 threads' next events can come first either");
}

// ... and a trace whose events keep waking thousands of them that can never
// happen is given up on after a bounded number of attempts.
TEST(TraceViewerOrder, OrderingWorkIsBounded) {
  TraceBuilder b;
  b.ev(1, 0, E::STWBegin, {0});
  b.ev(1, 0, E::STWEnd);
  for (uint64_t i = 0; i < 2000; i++) b.ev(100 + i, 1, E::STWEnd);  // the world is not stopped
  for (uint64_t i = 0; i < 2000; i++) {
    b.ev(1, 2 + 2 * int64_t(i), E::GCBegin, {i});
    b.ev(1, 3 + 2 * int64_t(i), E::GCEnd, {i});
  }
  Trace t = Trace::parse(b.bytes(10'000));
  try {
    order(t);
    ADD_FAILURE() << "ordered";
  } catch (const TraceError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot order the events: gave up after"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace gort::viewer
