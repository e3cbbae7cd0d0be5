// trace_viewer_analysis_test.cpp — the analyses on hand-built traces whose
// answers are known: goroutine time accounting, grouping, scheduler
// latency, blocking profiles, GC and MMU.
#include "trace_builder.hpp"

#include "analysis/blocking.hpp"
#include "analysis/gc.hpp"
#include "analysis/goroutines.hpp"
#include "analysis/mmu.hpp"
#include "analysis/sched_latency.hpp"
#include "order.hpp"
#include "reader.hpp"
#include "summary.hpp"
#include "symbolize.hpp"
#include "timeline.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace gort::viewer {
namespace {

using test::TraceBuilder;
using E = tf::Ev;

using test::Analysed;
using test::analyse;
using test::analyse_file;

const GoroutineStats& stats(const GoroutineAnalysis& a, uint64_t id) {
  for (const GoroutineStats& s : a.goroutines) {
    if (s.id == id) return s;
  }
  throw std::runtime_error("no goroutine " + std::to_string(id));
}

/// G1 exists at trace start and runs on P0 (thread 1).  It creates G2 at the
/// `go` site main::{lambda()#1} (labs/x.cpp:57), which runs, makes a 400 ns
/// blocking call, unblocks G1, sleeps 1000 ns and ends; G1 assists the mark
/// for 100 ns and is preempted, runnable to the end.
struct Scenario {
  TraceBuilder b;
  uint64_t site, start, recv, sys, wake;
  Scenario() {
    site = b.site(0x1000, "main::{lambda()#1}", "labs/x.cpp", 57);
    start = b.site(0x2000, "worker()", "labs/x.cpp", 20);
    recv = b.site(0x3000, "gort::Chan<int>::recv()", "chan/chan.hpp", 120);
    sys = b.site(0x4000, "read_file()", "labs/x.cpp", 30);
    wake = b.site(0x5000, "gort::Chan<int>::send()", "chan/chan.hpp", 90);
    b.gomaxprocs(1, 0, 1);
    b.proc_running(1, 0, 0, 1);
    b.go_running(1, 0, 1, 1);
    b.go_create(1, 100, 2, site, start);
    b.go_block(1, 200, "chan receive", recv);
    b.go_start(1, 250, 2);
    b.syscall_begin(1, 300, sys);
    b.syscall_end(1, 700);
    b.go_unblock(1, 800, 1, wake);
    b.go_block(1, 1000, "sleep");
    b.go_start(1, 1100, 1);
    b.ev(1, 1200, E::GCMarkAssistBegin);
    b.ev(1, 1300, E::GCMarkAssistEnd);
    b.go_stop(1, 1500, "preempted");
    b.go_unblock(test::kTimerThread, 2000, 2);
    b.go_start(1, 2100, 2);
    b.go_destroy(1, 2500);
  }
};

TEST(TraceViewerAnalysis, GoroutineTimesAreExact) {
  Scenario s;
  Analysed a = analyse(s.b.bytes(3000));
  GoroutineAnalysis ga = analyze_goroutines(a.trace, a.timeline);
  ASSERT_EQ(ga.goroutines.size(), 2u);

  const GoroutineStats& g1 = stats(ga, 1);
  EXPECT_TRUE(g1.existed_at_start);
  EXPECT_FALSE(g1.ended);
  EXPECT_EQ(g1.start, 0);
  EXPECT_EQ(g1.end, 3000);
  EXPECT_EQ(g1.total, 3000);
  EXPECT_EQ(g1.exec, 200 + 400);
  EXPECT_EQ(g1.assist, 100);
  EXPECT_EQ(g1.sched_wait, 300 + 1500);
  EXPECT_EQ(g1.block, 600);
  EXPECT_EQ(g1.block_by_reason, (std::map<std::string, int64_t>{{"chan receive", 600}}));
  EXPECT_EQ(g1.syscall, 0);
  EXPECT_EQ(g1.group, "(existing at trace start)");

  const GoroutineStats& g2 = stats(ga, 2);
  EXPECT_FALSE(g2.existed_at_start);
  EXPECT_TRUE(g2.ended);
  EXPECT_EQ(g2.start, 100);
  EXPECT_EQ(g2.end, 2500);
  EXPECT_EQ(g2.exec, 50 + 300 + 400);
  EXPECT_EQ(g2.syscall, 400);
  EXPECT_EQ(g2.sched_wait, 150 + 100);
  EXPECT_EQ(g2.block_by_reason, (std::map<std::string, int64_t>{{"sleep", 1000}}));
  EXPECT_EQ(g2.total, g2.exec + g2.syscall + g2.sched_wait + g2.block);
  EXPECT_EQ(g2.group, "main::{lambda()#1} (labs/x.cpp:57)");

  ASSERT_EQ(ga.groups.size(), 2u);
  EXPECT_EQ(ga.groups[0].name, "main::{lambda()#1} (labs/x.cpp:57)");  // most execution first
  EXPECT_EQ(ga.groups[0].count, 1u);
  EXPECT_EQ(ga.groups[0].exec, 750);
  EXPECT_EQ(ga.block_by_reason.at("chan receive"), 600);
  EXPECT_EQ(ga.block_by_reason.at("sleep"), 1000);
}

TEST(TraceViewerAnalysis, GoroutineSlicesCoverEachLife) {
  Scenario s;
  Analysed a = analyse(s.b.bytes(3000));
  for (const Goroutine& g : a.timeline.goroutines) {
    ASSERT_FALSE(g.slices.empty());
    EXPECT_EQ(g.slices.front().start, g.start) << "G" << g.id;
    EXPECT_EQ(g.slices.back().end, g.end) << "G" << g.id;
    for (size_t i = 1; i < g.slices.size(); i++) EXPECT_EQ(g.slices[i].start, g.slices[i - 1].end);
  }
  const Goroutine* g1 = a.timeline.goroutine(1);
  ASSERT_NE(g1, nullptr);
  std::vector<SliceState> states;
  for (const GSlice& sl : g1->slices) states.push_back(sl.state);
  using S = SliceState;
  EXPECT_EQ(states, (std::vector<S>{S::Running, S::Blocked, S::Runnable, S::Running, S::Assist, S::Running,
                                    S::Runnable}));
  // P0 ran G1, G2, G2 in a blocking call, G2, G1, G2.
  ASSERT_EQ(a.timeline.procs.size(), 1u);
  std::vector<std::pair<uint64_t, PKind>> ps;
  for (const PSlice& p : a.timeline.procs[0].slices) ps.emplace_back(p.g, p.kind);
  EXPECT_EQ(ps, (std::vector<std::pair<uint64_t, PKind>>{{1, PKind::Goroutine},
                                                         {2, PKind::Goroutine},
                                                         {2, PKind::Syscall},
                                                         {2, PKind::Goroutine},
                                                         {1, PKind::Goroutine},
                                                         {2, PKind::Goroutine}}));
}

TEST(TraceViewerAnalysis, GroupNames) {
  TraceBuilder b;
  // Runtime frames on top of the creation stack are skipped.
  b.frame(0x10, "void gort::go<main::{lambda()#1}::operator()() const::{lambda()#2}>(...)", "runtime.hpp", 80);
  b.frame(0x20, "main::{lambda()#1}::operator()() const", "labs/y.cpp", 12);
  const uint64_t site = b.stack({0x10, 0x20});
  const uint64_t start = b.site(0x30, "worker()", "labs/y.cpp", 3);
  const uint64_t unknown = b.stack({0x99});
  b.go_create(1, 0, 1, site, start);
  b.go_create(1, 0, 2, 0, start);
  b.go_create(1, 0, 3, unknown, 0);
  b.go_create(1, 0, 4, 0, 0);
  Analysed a = analyse(b.bytes(10));
  EXPECT_EQ(a.timeline.goroutine(1)->group, "main::{lambda()#1}::operator()() const (labs/y.cpp:12)");
  EXPECT_EQ(a.timeline.goroutine(2)->group, "worker()");
  EXPECT_EQ(a.timeline.goroutine(3)->group, "goroutine created at pc 0x99");
  EXPECT_EQ(a.timeline.goroutine(4)->group, "(unknown creation site)");
  EXPECT_EQ(describe_pc(a.trace, 0x20), "main::{lambda()#1}::operator()() const (labs/y.cpp:12)");
  EXPECT_EQ(describe_pc(a.trace, 0x99), "0x99");
}

TEST(TraceViewerAnalysis, SchedulerLatency) {
  Scenario s;
  Analysed a = analyse(s.b.bytes(3000));
  // Waits that ended in running: G2 150 (created..start), G1 300, G2 100.
  // G1's final wait (preempted at 1500, never ran again) is not counted.
  auto waits = scheduler_waits(a.timeline);
  std::sort(waits.begin(), waits.end());
  EXPECT_EQ(waits, (std::vector<int64_t>{100, 150, 300}));
  Distribution d = scheduler_latency(a.timeline);
  EXPECT_EQ(d.count, 3u);
  EXPECT_EQ(d.min, 100);
  EXPECT_EQ(d.p50, 150);
  EXPECT_EQ(d.p90, 300);
  EXPECT_EQ(d.max, 300);
  EXPECT_EQ(d.total, 550);
  EXPECT_EQ(d.buckets[0].count, 3u);  // all under 1 µs
}

TEST(TraceViewerAnalysis, PercentilesAreNearestRank) {
  std::vector<int64_t> samples;
  for (int64_t i = 100; i >= 1; i--) samples.push_back(i * 1000);  // 1..100 µs, unsorted
  Distribution d = distribution(samples);
  EXPECT_EQ(d.count, 100u);
  EXPECT_EQ(d.min, 1000);
  EXPECT_EQ(d.p50, 50'000);
  EXPECT_EQ(d.p90, 90'000);
  EXPECT_EQ(d.p99, 99'000);
  EXPECT_EQ(d.max, 100'000);
  // Buckets: [1µs,2µs) holds 1, [2,5) 3, [5,10) 5, [10,20) 10, [20,50) 30, [50,100) 50, [100,200) 1.
  std::vector<uint64_t> counts;
  for (const Bucket& b : d.buckets) {
    if (b.count) counts.push_back(b.count);
  }
  EXPECT_EQ(counts, (std::vector<uint64_t>{1, 3, 5, 10, 30, 50, 1}));
  uint64_t total = 0;
  for (const Bucket& b : d.buckets) total += b.count;
  EXPECT_EQ(total, 100u);
  EXPECT_EQ(percentile({7}, 99), 7);
  EXPECT_EQ(percentile({}, 50), 0);
  Distribution empty = distribution({});
  EXPECT_EQ(empty.count, 0u);
  EXPECT_EQ(empty.max, 0);
}

TEST(TraceViewerAnalysis, BlockingProfiles) {
  Scenario s;
  Analysed a = analyse(s.b.bytes(3000));
  BlockingAnalysis ba = analyze_blocking(a.trace, a.timeline);
  ASSERT_EQ(ba.by_reason.size(), 2u);
  EXPECT_EQ(ba.by_reason[0].reason, "sleep");
  EXPECT_EQ(ba.by_reason[0].total, 1000);
  EXPECT_EQ(ba.by_reason[1].reason, "chan receive");
  // The synchronization profile has the channel receive, not the sleep.
  EXPECT_EQ(ba.sync.total, 600);
  ASSERT_EQ(ba.sync.entries.size(), 1u);
  EXPECT_EQ(ba.sync.entries[0].stack, s.recv);
  EXPECT_EQ(ba.sync.entries[0].count, 1u);
  EXPECT_EQ(ba.network.count, 0u);
  ASSERT_EQ(ba.syscall.entries.size(), 1u);
  EXPECT_EQ(ba.syscall.entries[0].stack, s.sys);
  EXPECT_EQ(ba.syscall.total, 400);
  // Scheduler latency by the stack that made the goroutine runnable: G1's
  // unblock by G2's send (300), G2's creation site (150), G2's timer wake-up
  // with no stack (100).
  EXPECT_EQ(ba.sched.total, 550);
  ASSERT_EQ(ba.sched.entries.size(), 3u);
  EXPECT_EQ(ba.sched.entries[0].stack, s.wake);
  EXPECT_EQ(ba.sched.entries[0].total, 300);
  EXPECT_EQ(ba.sched.entries[1].stack, s.site);
  EXPECT_EQ(ba.sched.entries[2].stack, 0u);
  EXPECT_TRUE(is_sync_reason("sync.Mutex.Lock"));
  EXPECT_TRUE(is_sync_reason("select"));
  EXPECT_TRUE(is_sync_reason("semacquire"));
  EXPECT_FALSE(is_sync_reason("sleep"));
  EXPECT_TRUE(is_network_reason("IO wait"));
}

/// 2 Ps for 10 ms, the world stopped for 1 ms in the middle.
std::vector<uint8_t> stw_trace() {
  TraceBuilder b;
  b.gomaxprocs(1, 0, 2);
  b.ev(1, 4'000'000, E::STWBegin, {b.str("GC sweep termination")});
  b.ev(1, 5'000'000, E::STWEnd);
  return b.bytes(10'000'000);
}

TEST(TraceViewerAnalysis, MMUOfOneStopTheWorldPause) {
  Analysed a = analyse(stw_trace());
  auto u = mutator_utilisation(a.timeline);
  ASSERT_EQ(u.size(), 3u);
  EXPECT_EQ(u[1].t, 4'000'000);
  EXPECT_EQ(u[1].u, 0.0);
  EXPECT_DOUBLE_EQ(mmu(u, 10'000'000, 1'000'000), 0.0);
  EXPECT_DOUBLE_EQ(mmu(u, 10'000'000, 10'000'000), 0.9);
  EXPECT_DOUBLE_EQ(mmu(u, 10'000'000, 2'000'000), 0.5);
  EXPECT_DOUBLE_EQ(mmu(u, 10'000'000, 5'000'000), 0.8);
  auto curve = analyze_mmu(a.timeline);
  ASSERT_EQ(curve.size(), 3u);  // 100 µs, 1 ms, 10 ms
  EXPECT_EQ(curve[1].window, 1'000'000);
  EXPECT_DOUBLE_EQ(curve[1].mmu, 0.0);
  EXPECT_DOUBLE_EQ(curve[2].mmu, 0.9);
}

TEST(TraceViewerAnalysis, MMUOfAMarkWorkerOnOneOfTwoPs) {
  TraceBuilder b;
  b.gomaxprocs(1, 0, 2);
  b.proc_running(1, 0, 0, 1);
  b.proc_running(1, 0, 1, 2);
  b.ev(2, 3'000'000, E::GCWorkerBegin, {uint64_t(tf::GCWorkerKind::Dedicated)});
  b.ev(2, 7'000'000, E::GCWorkerEnd);
  Analysed a = analyse(b.bytes(10'000'000));
  auto u = mutator_utilisation(a.timeline);
  EXPECT_DOUBLE_EQ(mmu(u, 10'000'000, 2'000'000), 0.5);
  EXPECT_DOUBLE_EQ(mmu(u, 10'000'000, 4'000'000), 0.5);
  EXPECT_DOUBLE_EQ(mmu(u, 10'000'000, 5'000'000), 0.6);
  EXPECT_DOUBLE_EQ(mmu(u, 10'000'000, 10'000'000), 0.8);
  GCAnalysis g = analyze_gc(a.trace, a.timeline);
  EXPECT_EQ(g.worker_total[0], 4'000'000);
}

TEST(TraceViewerAnalysis, MMUCountsAssistsOnlyWhileRunning) {
  // 4 Ps; G1 assists from 1 ms to 5 ms but is blocked from 2 ms to 3 ms.
  TraceBuilder b;
  b.gomaxprocs(1, 0, 4);
  b.proc_running(1, 0, 0, 1);
  b.go_running(1, 0, 1, 1);
  b.ev(1, 1'000'000, E::GCMarkAssistBegin);
  b.go_block(1, 2'000'000, "GC assist wait");
  b.go_unblock(2, 3'000'000, 1);
  b.go_start(1, 3'000'000, 1);
  b.ev(1, 5'000'000, E::GCMarkAssistEnd);
  Analysed a = analyse(b.bytes(8'000'000));
  auto u = mutator_utilisation(a.timeline);
  EXPECT_DOUBLE_EQ(mmu(u, 8'000'000, 1'000'000), 0.75);
  EXPECT_DOUBLE_EQ(mmu(u, 8'000'000, 4'000'000), 1.0 - 0.25 * 3 / 4);
  GCAnalysis g = analyze_gc(a.trace, a.timeline);
  EXPECT_EQ(g.assist_total, 3'000'000);
  EXPECT_EQ(g.assist_count, 2u);
}

TEST(TraceViewerAnalysis, GCCyclesAndPauses) {
  TraceBuilder b;
  const uint64_t st = b.str("GC sweep termination"), mt = b.str("GC mark termination");
  b.gomaxprocs(1, 0, 1);
  int64_t t = 0;
  for (uint64_t c = 1; c <= 3; c++) {
    b.ev(1, t + 100, E::STWBegin, {st});
    b.ev(1, t + 100 + 10 * int64_t(c), E::STWEnd);
    b.ev(1, t + 200, E::GCBegin, {c});
    b.ev(1, t + 900, E::STWBegin, {mt});
    b.ev(1, t + 900 + 25 * int64_t(c), E::STWEnd);
    b.ev(1, t + 1000, E::GCEnd, {c});
    t += 2000;
  }
  Analysed a = analyse(b.bytes(7000));
  GCAnalysis g = analyze_gc(a.trace, a.timeline);
  ASSERT_EQ(g.cycles.size(), 3u);
  EXPECT_EQ(g.cycles[1].cycle, 2u);
  EXPECT_EQ(g.cycles[1].start, 2200);
  EXPECT_EQ(g.cycles[1].end, 3000);
  ASSERT_EQ(g.pauses.size(), 6u);
  EXPECT_EQ(g.pauses[1].reason, "GC mark termination");
  EXPECT_EQ(g.pauses[1].end - g.pauses[1].start, 25);
  // Pauses 10, 20, 30 (sweep termination) and 25, 50, 75 ns (mark termination).
  EXPECT_EQ(g.pause_total, 210);
  EXPECT_EQ(g.pause_dist.p50, 25);
  EXPECT_EQ(g.pause_dist.p99, 75);
  EXPECT_EQ(g.pause_dist.max, 75);
  EXPECT_EQ(g.gc_total, 3 * 800);
}

TEST(TraceViewerAnalysis, SummaryMentionsEverySection) {
  Scenario s;
  Analysed a = analyse(s.b.bytes(3000));
  std::ostringstream out;
  write_summary(out, a.trace, a.ordered, a.timeline, SummaryOptions{"x.trace", 10});
  const std::string text = out.str();
  for (const char* want : {"# Trace summary: x.trace", "## Goroutine analysis", "main::{lambda()#1} (labs/x.cpp:57)",
                           "### Blocked time by wait reason", "## Scheduler latency", "### Synchronization blocking profile",
                           "gort::Chan<int>::recv() (chan/chan.hpp:120)", "### Syscall profile",
                           "### Scheduler latency profile", "## Garbage collection", "## Minimum mutator utilisation"}) {
    EXPECT_NE(text.find(want), std::string::npos) << "missing: " << want << "\n" << text;
  }
}

}  // namespace
}  // namespace gort::viewer

namespace gort::viewer {
namespace {

/// A trace the runtime's tracer wrote (tests/trace_workload.hpp's workload,
/// 2 Ps): it orders, validates, and every analysis adds up.
TEST(TraceViewerAnalysis, RealWorkloadTraceAddsUp) {
  Analysed a = analyse_file(std::string(GORT_TRACE_VIEWER_CORPUS) + "/real-workload");
  EXPECT_TRUE(validate(a.trace, a.ordered).ok);
  GoroutineAnalysis ga = analyze_goroutines(a.trace, a.timeline);
  ASSERT_GT(ga.goroutines.size(), 1u);
  for (const GoroutineStats& g : ga.goroutines) {
    EXPECT_EQ(g.total, g.exec + g.sched_wait + g.block + g.syscall) << "G" << g.id;
    int64_t by_reason = 0;
    for (const auto& [r, d] : g.block_by_reason) by_reason += d;
    EXPECT_EQ(by_reason, g.block) << "G" << g.id;
  }
  for (const Proc& p : a.timeline.procs) {
    for (size_t i = 1; i < p.slices.size(); i++) EXPECT_LE(p.slices[i - 1].end, p.slices[i].start) << "P" << p.id;
  }
  for (const MMUPoint& m : analyze_mmu(a.timeline)) {
    EXPECT_GE(m.mmu, 0.0);
    EXPECT_LE(m.mmu, 1.0);
  }
  EXPECT_EQ(analyze_gc(a.trace, a.timeline).cycles.size(), 1u);
}

}  // namespace
}  // namespace gort::viewer

namespace gort::viewer {
namespace {

TEST(TraceViewerAnalysis, RuntimeFramesAreRecognisedByName) {
  EXPECT_TRUE(is_runtime_function("void gort::go<main::{lambda()#1}::operator()() const::{lambda()#2}>(main::{lambda()#1}::operator()() const::{lambda()#2}&&)"));
  EXPECT_TRUE(is_runtime_function("gort::runtime::(anonymous namespace)::leave(gort::runtime::M*, gort::runtime::(anonymous namespace)::Handoff*)"));
  EXPECT_TRUE(is_runtime_function("gort::runtime::park(gort::runtime::WaitReason, bool (*)(gort::runtime::G*, void*), void*)"));
  EXPECT_TRUE(is_runtime_function("make_fcontext"));
  // A parameter of a runtime type does not make a function the runtime's.
  EXPECT_FALSE(is_runtime_function("gort::detail::(anonymous namespace)::wait_on(gort::detail::hchan*, gort::runtime::WaitReason)"));
  EXPECT_FALSE(is_runtime_function("main::{lambda()#1}::operator()() const"));
  EXPECT_FALSE(is_runtime_function("std::vector<gort::runtime::G*> collect(int)"));
  EXPECT_FALSE(is_runtime_function("gort::Chan<int>::recv()"));
}

}  // namespace
}  // namespace gort::viewer
