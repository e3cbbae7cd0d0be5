// gc_concurrent_test.cpp — the concurrent mark under stress (GC part 2): mutators
// on every P swap pointers between objects, move them between the heap and
// their own stacks, hide them in fields of other objects and allocate, all while
// the collector marks; GODEBUG=gccheckmark=1 re-marks after every mark with the
// world stopped and aborts on an object the concurrent mark missed.
//
// What would catch a barrier bug: an object that is reachable but was not
// marked is freed by the sweep, its destructor poisons it (kDead), and the next
// mutator or verifier that follows a pointer to it finds the poison.  The
// checkmark catches it earlier when the missed object is reachable through
// the heap (a black object pointing to a white one).
#include <gort/gort.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <algorithm>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "../gc/src/limiter.hpp"
#include "../gc/src/mgc.hpp"
#include "../gc/src/mgcwork.hpp"
#include "../gc/src/mwbbuf.hpp"
#include "gc_sealed.hpp"
#include "test_util.hpp"

namespace {

namespace gc = gort::gc;

/// A node of the mutators' graphs (gc_sealed.hpp: poisoned when freed).
struct Node : gort::test::Sealed {
  gc::Ptr<Node> edges[2];
  explicit Node(uint64_t i) : Sealed(i) {}
  void trace(gc::Tracer& t) const {
    t.visit(edges[0]);
    t.visit(edges[1]);
  }
};

using gort::test::intact;

/// Checks n and what it reaches up to `depth` edges away; counts broken nodes.
long count_broken(const Node* n, int depth) {
  if (n == nullptr) return 0;
  if (!intact(n)) return 1;
  if (depth == 0) return 0;
  return count_broken(n->edges[0].get(), depth - 1) + count_broken(n->edges[1].get(), depth - 1);
}

/// Allocates short-lived garbage, so marks start and run while a pointer is
/// held only on this goroutine's stack.
/// One short-lived object (trace-hook test).
__attribute__((noinline)) void churn_one() { gc::make<Node>(1); }

void churn(std::mt19937_64& rng, std::atomic<uint64_t>& next_id) {
  gc::Ref<Node> chain;
  for (int i = 0; i < 8; ++i) {
    auto n = gc::make<Node>(next_id.fetch_add(1, std::memory_order_relaxed));
    n->edges[rng() % 2] = chain;
    chain = n;
  }
}

TEST(GcConcurrent, MutatorsMovingPointersWhileMarkingKeepEveryReachableObject) {
  ::setenv("GODEBUG", "gccheckmark=1", 1);
  gort::run([] {
    gort::gomaxprocs(gort::test::kSanitizerDivisor > 1 ? 2 : 4);
    const int prev_gogc = gc::set_gc_percent(5);
    constexpr std::size_t kSlots = 1024;
    std::atomic<uint64_t> next_id{1};
    auto table = gc::make_slice<gc::Ptr<Node>>(kSlots);  // on this goroutine's stack: a root
    for (auto& slot : table) slot = gc::make<Node>(next_id.fetch_add(1));
    const uint32_t gc_before = gort::read_mem_stats().NumGC;
    const uint32_t wanted = gort::test::kSanitizerDivisor > 1 ? 200u : 2000u;
    const int mutators = 4;
    // Steps per mutator, only a bound for a collector that never cycles: the
    // test ends when `wanted` marks have run.
    const long max_steps = 50'000'000;
    std::atomic<bool> stop{false};
    std::atomic<long> broken{0};
    std::atomic<int> finished{0};
    {
      gort::test::Goroutines group;
      for (int w = 0; w < mutators; ++w) {
        group.go([&, w] {
          std::mt19937_64 rng(1000 + w);
          for (long step = 0; step < max_steps && !stop.load(std::memory_order_relaxed); ++step) {
            const std::size_t i = rng() % kSlots, j = rng() % kSlots;
            switch (rng() % 6) {
              case 0: {  // swap two slots through this stack
                gc::Ref<Node> a = table[i];
                gc::Ref<Node> b = table[j];
                table[i] = b;
                table[j] = a;
                break;
              }
              case 1: {  // the only reference lives on this stack for a while
                gc::Ref<Node> held = table[i];
                table[i] = nullptr;
                churn(rng, next_id);
                if (!intact(held.get())) broken.fetch_add(1);
                table[j] = held;
                break;
              }
              case 2: {  // a new object pointing to an old one
                auto n = gc::make<Node>(next_id.fetch_add(1, std::memory_order_relaxed));
                n->edges[0] = table[j];
                table[i] = n;
                break;
              }
              case 3: {  // rewire a field of an existing object
                gc::Ref<Node> f = table[i];
                if (f) f->edges[rng() % 2] = table[j];
                break;
              }
              case 4: {  // hide an object in another's field, drop its slot
                gc::Ref<Node> f = table[i];
                gc::Ref<Node> g = table[j];
                if (f && g && i != j) {
                  f->edges[1] = g;
                  table[j] = nullptr;
                }
                break;
              }
              default: {  // pull an object out of a field onto the stack, then back into a slot
                gc::Ref<Node> f = table[i];
                if (!f) break;
                gc::Ref<Node> e = f->edges[0];
                f->edges[0] = nullptr;
                churn(rng, next_id);
                if (!intact(e.get())) broken.fetch_add(1);
                table[j] = e;
              }
            }
            if (step % 4096 == 0) gort::gosched();
          }
          finished.fetch_add(1);
        });
      }
      // The verifier: walks what the table reaches while the mutators run.
      while (finished.load() < mutators) {
        long bad = 0;
        for (std::size_t i = 0; i < kSlots; ++i) {
          gc::Ref<Node> n = table[i];
          bad += count_broken(n.get(), 3);
        }
        broken.fetch_add(bad);
        if (gort::read_mem_stats().NumGC - gc_before >= wanted) break;
        gort::gosched();
      }
      stop.store(true);
    }
    long bad = 0;
    for (std::size_t i = 0; i < kSlots; ++i) bad += count_broken(table[i].get(), 8);
    EXPECT_EQ(broken.load() + bad, 0) << "reachable objects were freed";
    EXPECT_GE(gort::read_mem_stats().NumGC - gc_before, wanted) << "marks ran while the mutators moved pointers";
    gc::set_gc_percent(prev_gogc);
  });
  ::unsetenv("GODEBUG");
}

/// Events the trace hooks saw, in order (guarded by event_lock).
std::mutex event_lock;
std::vector<std::string> events;
std::atomic<long> assists_started{0}, assists_done{0};
std::atomic<uint64_t> last_goal{0};

void record(std::string e) {
  std::lock_guard<std::mutex> guard(event_lock);
  events.push_back(std::move(e));
}

const char* reason_name(gc::StwReason r) { return r == gc::StwReason::SweepTermination ? "sweep" : "mark"; }

// A program whose main function returns while a concurrent mark runs: gort
// finishes that cycle before the world stops for exit (Go abandons it; in gort
// the cycle goroutine's mark state would be abandoned with it, which the ASAN
// build reports as a leak), and the next run in the process collects again.
TEST(GcConcurrent, ProgramEndingMidCycleFinishesTheCycleFirst) {
  for (int i = 0; i < gort::test::scaled(40); ++i) {
    uint32_t cycle = 0;
    gort::run([&] {
      std::vector<gc::Ref<Node>> keep;
      for (int k = 0; k < 2000; ++k) keep.push_back(gc::make<Node>(uint64_t(k)));
      // returns while marking runs
      cycle = gc::detail::gc_start(gc::detail::TriggerKind::Cycle, gc::detail::cycles_started() + 1);
    });
    ASSERT_NE(cycle, 0u);
    EXPECT_EQ(gort::read_mem_stats().NumGC, cycle) << "iteration " << i << ": the cycle was abandoned";
  }
  uint32_t before = gort::read_mem_stats().NumGC;
  gort::run([] { gc::collect(); });
  EXPECT_EQ(gort::read_mem_stats().NumGC, before + 1);
}

TEST(GcConcurrent, TraceHooksSeeEachCycleAsPausesBetweenStartAndDone) {
  static const gc::TraceHooks hooks = [] {
    gc::TraceHooks h;
    h.gc_start = [](uint32_t n) { record("start " + std::to_string(n)); };
    h.gc_done = [](uint32_t n) { record("done " + std::to_string(n)); };
    h.stw_start = [](gc::StwReason r) { record(std::string("stw ") + reason_name(r)); };
    h.stw_done = [](gc::StwReason r) { record(std::string("world ") + reason_name(r)); };
    h.assist_start = [] { assists_started.fetch_add(1); };
    h.assist_done = [] { assists_done.fetch_add(1); };
    h.heap_goal = [](uint64_t goal) { last_goal.store(goal); };
    return h;
  }();
  gort::run([] {
    gc::set_trace_hooks(&hooks);
    gc::collect();
    const uint32_t n = gort::read_mem_stats().NumGC;
    {
      // Allocation on two Ps under a small GOGC: assists happen or not, but
      // every one that starts ends.
      const int prev = gc::set_gc_percent(10);
      gort::test::Goroutines group;
      for (int g = 0; g < 2; ++g) {
        group.go([] {
          for (int i = 0; i < gort::test::scaled(200000); ++i) churn_one();
        });
      }
      gc::set_gc_percent(prev);
    }
    gc::set_trace_hooks(nullptr);
    std::lock_guard<std::mutex> guard(event_lock);
    // The forced cycle n: start, the sweep-termination pause, one or more
    // mark-termination pauses (restarts), done.
    const auto first = std::find(events.begin(), events.end(), "start " + std::to_string(n));
    ASSERT_NE(first, events.end());
    ASSERT_GE(events.end() - first, 6);
    EXPECT_EQ(first[1], "stw sweep");
    EXPECT_EQ(first[2], "world sweep");
    auto it = first + 3;
    int mark_pauses = 0;
    while (it + 1 < events.end() && *it == "stw mark" && it[1] == "world mark") {
      ++mark_pauses;
      it += 2;
    }
    EXPECT_GE(mark_pauses, 1);
    ASSERT_NE(it, events.end());
    EXPECT_EQ(*it, "done " + std::to_string(n));
    EXPECT_EQ(assists_started.load(), assists_done.load());
    EXPECT_GT(last_goal.load(), 0u);
  });
}

// The CPU limiter on synthetic times (no sleeping): 1.5 s in which every P
// did nothing but assist overflows the bucket of 1 s per P; 3 s of mutator
// time afterwards drains it.
TEST(GcLimiter, AFullBucketLimitsUntilTheMutatorCatchesUp) {
  gort::run([] {
    const int prev = gc::set_gc_percent(-1);  // no cycle moves the limiter meanwhile
    const int64_t procs = gort::runtime::gc_gomaxprocs();
    const int64_t t0 = gort::runtime::gc_nanotime();
    gc::detail::limiter_transition(false, t0, 0);
    EXPECT_FALSE(gc::detail::limiter_limiting());
    gc::detail::limiter_add_assist_time(1'500'000'000 * procs);
    gc::detail::limiter_update(t0 + 1'500'000'000);
    EXPECT_TRUE(gc::detail::limiter_limiting()) << "GC used all the CPU for longer than the bucket holds";
    gc::detail::limiter_update(t0 + 4'500'000'000);
    EXPECT_FALSE(gc::detail::limiter_limiting()) << "the mutator's time drained the bucket";
    // A pause counts as GC time on every P: a pause of 1.5 s fills it again.
    gc::detail::limiter_transition(false, t0 + 6'000'000'000, 1'500'000'000);
    EXPECT_TRUE(gc::detail::limiter_limiting());
    gc::detail::limiter_update(t0 + 9'000'000'000);
    EXPECT_FALSE(gc::detail::limiter_limiting());
    gc::set_gc_percent(prev);
  });
}

// A marker that finds the mark out of work while the termination goroutine is
// not waiting leaves a wake-up on its semaphore; a later wait must not take
// it for the end of a mark that has work again.  It did: the mark-termination
// stop then began while a worker still held the mark's work, and the world
// (the allocating goroutine with it) stood still until that worker finished.
// Nothing here allocates from the managed heap while black allocation is on.
// On one P, a goroutine that starts a cycle by allocating lets the cycle's
// goroutine run before it allocates on: that goroutine greys the global roots
// and parks, as Go's workers take the root jobs at once.  Without the yield at
// the end of gc_start it waited in runnext until the allocator's time slice
// ended (10 ms), and a busy P's first mark let the heap pass its goal (traced:
// 3 -> 11 MB against a 4 MB goal).
TEST(GcStart, TheCyclesGoroutineGreysTheRootsBeforeTheAllocatorGoesOn) {
  gort::run([] {
    gort::gomaxprocs(1);
    gc::Root<Node> root = gc::make<Node>(1);  // a global root for that goroutine to grey
    // A live heap whose mark outlasts a fractional worker's turn, so the
    // allocator resumes while the mark still runs.
    auto live = gc::make_slice<gc::Ptr<Node>>(static_cast<std::size_t>(gort::test::scaled(200'000)));
    for (std::size_t k = 0; k < live.len(); ++k) live[k] = gc::make<Node>(k);
    int checked = 0;
    for (uint64_t i = 0; i < 20'000'000 && checked < gort::test::scaled(20); ++i) {
      const uint32_t before = gc::detail::cycles_started();
      gc::make<Node>(i);  // garbage; now and then the allocation that starts a cycle
      if (gc::detail::cycles_started() == before || !gc::detail::allocate_black.load()) continue;
      // A cycle started inside that make and its mark still runs.
      ASSERT_GT(gc::detail::mark_counters().globals_scan_work.load(), 0u)
          << "the allocator went on before the cycle's goroutine greyed the roots (cycle "
          << gc::detail::cycles_started() << ", " << (gc::detail::cycles_started() - before) << " started in the make)";
      ++checked;
    }
    EXPECT_GT(checked, 0) << "no allocation started a cycle whose mark was still running";
    EXPECT_TRUE(intact(root.get()));
    EXPECT_TRUE(intact(live[live.len() - 1].get()));
  });
}

TEST(GcMarkDone, AStaleWakeUpDoesNotEndAMarkWithWorkLeft) {
  gort::run([] {
    const int prev = gc::set_gc_percent(-1);  // no cycle runs meanwhile
    gc::detail::allocate_black.store(true);     // a mark, as signal_if_mark_done sees it
    gc::detail::signal_if_mark_done();          // out of work: a wake-up (or a worker's)
    gc::detail::wait_for_mark_done();           // returns at once: the mark is out of work
    auto* marker = new gc::detail::ActiveMarker();  // a marker holds work again
    std::atomic<int> seen{0};                   // 1: returned with work left, 2: after it ran out
    gort::go([&seen] {
      gc::detail::wait_for_mark_done();
      seen.store(gc::detail::mark_work_exhausted() ? 2 : 1);
    });
    for (int i = 0; i < gort::test::scaled(200) && seen.load() == 0; ++i) gort::gosched();
    EXPECT_EQ(seen.load(), 0) << "wait_for_mark_done returned while a marker held work";
    delete marker;  // the last marker out wakes the waiter
    while (seen.load() == 0) gort::gosched();
    EXPECT_EQ(seen.load(), 2);
    gc::detail::allocate_black.store(false);
    gc::set_gc_percent(prev);
  });
}

}  // namespace
