// gc_test.cpp — the collector: reachability (stacks, registers, interior
// pointers, roots, fields), freeing (destructors, finalizers, HeapObjects),
// large objects, slices and strings, Pool, MemStats, GOGC and the heap goal,
// and randomized graph mutation under GOGC=1 with gccheckmark.
#include <gort/gort.hpp>

#include <gort/gc/mheap.hpp>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "../gc/src/finalizer.hpp"
#include "../gc/src/mark.hpp"
#include "../gc/src/mgcwork.hpp"
#include "../gc/src/pacer.hpp"
#include "poll_util.hpp"
#include "gc_stack_util.hpp"
#include "test_util.hpp"

namespace {

namespace gc = gort::gc;
using gort::test::scaled;

/// Objects of this type count their constructions and destructions.
std::atomic<long> tracked_alive{0};
std::atomic<long> tracked_destroyed{0};
/// Destructions of objects whose value marks them as "must survive" (>= kKeep).
constexpr long kKeep = 1'000'000;
std::atomic<long> kept_destroyed{0};

struct Tracked {
  gc::Ptr<Tracked> left, right;
  long value;
  std::string label;  // a member with a destructor of its own (leak-checked by ASAN)
  explicit Tracked(long v = 0) : value(v), label("tracked object number " + std::to_string(v)) { ++tracked_alive; }
  ~Tracked() {
    --tracked_alive;
    ++tracked_destroyed;
    if (value >= kKeep) ++kept_destroyed;
    value = -1;
  }
  void trace(gc::Tracer& t) const {
    t.visit(left);
    t.visit(right);
  }
};

/// Binary-trees node (the benchmark game's shape).
struct TreeNode {
  gc::Ptr<TreeNode> left, right;
  void trace(gc::Tracer& t) const {
    t.visit(left);
    t.visit(right);
  }
};

gc::Ref<TreeNode> bottom_up(int depth) {
  auto n = gc::make<TreeNode>();
  if (depth > 0) {
    n->left = bottom_up(depth - 1);
    n->right = bottom_up(depth - 1);
  }
  return n;
}

long check(const TreeNode* n) { return n->left ? 1 + check(n->left.get()) + check(n->right.get()) : 1; }

/// Runs body on a fresh runtime with GOGC restored afterwards.
template <class F>
void run_gc_test(F body) {
  gort::run([&] {
    const int prev = gc::set_gc_percent(100);
    body();
    gc::set_gc_percent(prev);
  });
}

using gort::test::on_own_stack;

/// A fresh counter baseline after a full collection.  The collections run on a
/// goroutine of their own: the collector's deeper frames then leave no stale
/// heap addresses in the test's frames (a conservative scan would honour them).
void settle() {
  on_own_stack([] {
    gc::collect();
    gc::collect();  // finalizer-revived objects of the first go in the second
  });
  const gort::MemStats m = gort::read_mem_stats();
  EXPECT_LE(m.HeapAlloc, m.HeapInuse) << "allocated bytes live in in-use spans";
}

/// Collects until pred holds, at most 8 times, allocating some unrelated
/// garbage on a fresh goroutine between tries: a stale word that a reused
/// goroutine stack still holds may keep an object for a cycle or two (a
/// conservative scan's false retention); new frames overwrite such words.
template <class Pred>
bool settle_until(Pred pred) {
  for (int attempt = 0; attempt < 8; ++attempt) {
    settle();
    if (pred()) return true;
    on_own_stack([] { check(bottom_up(6).get()); });
  }
  return pred();
}

// GOMEMLIMIT's syntax, as Go's parseByteCount reads it; gc-forensics checks
// its --memlimit and --live with the same function.
TEST(GcPacer, MemoryLimitSyntaxIsGos) {
  EXPECT_EQ(gort::gc::parse_memory_limit("512MiB"), int64_t{512} << 20);
  EXPECT_EQ(gort::gc::parse_memory_limit("1048576"), 1048576);
  EXPECT_EQ(gort::gc::parse_memory_limit("64B"), 64);
  EXPECT_EQ(gort::gc::parse_memory_limit("2TiB"), int64_t{2} << 40);
  EXPECT_EQ(gort::gc::parse_memory_limit("off"), INT64_MAX);
  for (const char* bad : {"", "MiB", "512M", "512mib", "512 MiB", "-1", "1.5GiB", "9223372036854775808",
                          "8388608TiB"}) {
    EXPECT_FALSE(gort::gc::parse_memory_limit(bad).has_value()) << "'" << bad << "'";
  }
}

// The first cycle has no previous scan to expect work from, so any work at all
// is past the expectation, and revise paces assists to the hard goal,
// (1 + GOGC/100) x goal, as Go's revise does.  Without that step the first
// cycle's assists cost nearly nothing (about 0.001 bytes of scanning per byte)
// and a start-up burst ran through the first mark: gc-forensics' service at
// GOGC=200 went 7->38 MB against an 8 MB goal, where Go went 7->8.  Runs before
// the runtime starts, on the pacer's fresh state (this test's own process).
TEST(GcPacer, TheFirstCyclesAssistsArePacedToTheHardGoal) {
  namespace d = gort::gc::detail;
  constexpr uint64_t kMiB = uint64_t{1} << 20;
  constexpr uint64_t kLive = 3 * kMiB;
  // The state before a first cycle, whatever cycles earlier tests in this
  // process left behind (a large last stack scan would make this cycle's work
  // expected, its stack scan work would count as done).  GOGC unset: 100, so
  // the first goal is 4 MB and the hard goal 8 MB.
  d::pacer_commit(/*marked=*/0, /*heap_scan=*/0, /*stack_scan=*/0, /*globals=*/0);
  ASSERT_EQ(d::heap_goal_bytes(), 4 * kMiB);
  d::heap_live.store(kLive);
  d::pacer_start_cycle(/*now=*/1, /*procs=*/2, kLive);
  constexpr uint64_t kWorkDone = 64 << 10;
  d::mark_counters().heap_scan_work.store(kWorkDone);
  d::mark_counters().stack_scan_work.store(0);
  d::mark_counters().globals_scan_work.store(0);
  d::pacer_revise();
  // Worst-case work left (everything allocated is scannable, plus stacks) over
  // the runway to the hard goal.
  const double max_scan = static_cast<double>(kLive + gort::runtime::read_stack_memory().inuse_bytes);
  const double expected = (max_scan - kWorkDone) / static_cast<double>(8 * kMiB - kLive);
  EXPECT_NEAR(d::assist_work_per_byte(), expected, expected * 0.01);
  EXPECT_GT(d::assist_work_per_byte(), 0.5);
}

TEST(Gc, BinaryTreesAreIntactAcrossManyCycles) {
  run_gc_test([] {
    const int max_depth = gort::test::kSanitizerDivisor > 1 ? 12 : 16;
    const uint32_t gc_before = gort::read_mem_stats().NumGC;
    gc::Ref<TreeNode> long_lived = bottom_up(max_depth);
    for (int depth = 4; depth <= max_depth; depth += 2) {
      const int iterations = 1 << (max_depth - depth + 4);
      long total = 0;
      for (int i = 0; i < iterations; ++i) total += check(bottom_up(depth).get());
      ASSERT_EQ(total, long(iterations) * ((1L << (depth + 1)) - 1)) << "depth " << depth;
    }
    EXPECT_EQ(check(long_lived.get()), (1L << (max_depth + 1)) - 1);
    EXPECT_GT(gort::read_mem_stats().NumGC, gc_before + (gort::test::kSanitizerDivisor > 1 ? 1 : 5))
        << "the workload must have collected";
  });
}

TEST(Gc, UnreachableObjectsAreDestroyedAndCountedFree) {
  run_gc_test([] {
    settle();
    const long destroyed_before = tracked_destroyed.load();
    const uint64_t objects_before = gort::read_mem_stats().HeapObjects;
    const int n = scaled(5000);
    on_own_stack([n] {
      for (int i = 0; i < n; ++i) gc::make<Tracked>(i);
    });
    const uint64_t peak = gort::read_mem_stats().HeapObjects;
    EXPECT_GE(peak, objects_before + n);
    EXPECT_TRUE(settle_until([&] { return tracked_destroyed.load() - destroyed_before == n; }))
        << tracked_destroyed.load() - destroyed_before << " of " << n << " destroyed";
    const gort::MemStats after = gort::read_mem_stats();
    EXPECT_LE(after.HeapObjects, peak - n) << "HeapObjects counts them free";
    EXPECT_EQ(after.Mallocs - after.Frees, after.HeapObjects);
  });
}

TEST(Gc, FinalizerRunsOnceAfterTheObjectBecameUnreachable) {
  run_gc_test([] {
    settle();
    auto done = gort::make_chan<long>(64);
    std::atomic<int> runs{0};
    const long destroyed_before = tracked_destroyed.load();
    on_own_stack([&] {
      auto obj = gc::make<Tracked>(42);
      obj->left = gc::make<Tracked>(43);  // kept alive by the finalized object
      gc::set_finalizer<Tracked>(obj, [done, &runs](Tracked* t) {
        ++runs;
        done.send(t->value + t->left->value);
      });
    });
    // A collection that finds it unreachable queues the finalizer and keeps the
    // object; a stale stack word may hide it from the first one or two.
    for (int attempt = 0; attempt < 8 && gc::detail::finalizer_count() != 0; ++attempt) {
      on_own_stack(gc::collect);
      on_own_stack([] { check(bottom_up(6).get()); });
    }
    ASSERT_EQ(gc::detail::finalizer_count(), 0u) << "never found unreachable";
    EXPECT_EQ(done.recv(), 85) << "the finalizer sees the object and what it points to";
    EXPECT_EQ(tracked_destroyed.load(), destroyed_before) << "alive while the finalizer ran";
    EXPECT_TRUE(settle_until([&] { return tracked_destroyed.load() - destroyed_before == 2; }))
        << "freed by a later cycle";
    EXPECT_EQ(runs.load(), 1);
  });
}

TEST(Gc, SetFinalizerOnAForeignPointerPanics) {
  run_gc_test([] {
    int on_stack = 0;
    EXPECT_THROW(gc::detail::set_finalizer_raw(&on_stack, [](void*) {}), gort::Panic);
  });
}

// The pointer lives only in r12, a callee-saved register, while the goroutine
// is parked: the switch saved it on the goroutine's stack, where the scan must
// find it.  The asm keeps the compiler from ever holding the pointer elsewhere:
// it receives the pointer XOR-masked and unmasks it in r12.
constexpr uintptr_t kMask = 0x5a5a5a5a5a5a5a5aULL;
gort::Chan<int>* park_channel = nullptr;
std::atomic<bool> about_to_park{false};

extern "C" void park_on_channel() noexcept {
  about_to_park = true;
  park_channel->recv();
}

/// The kept objects survived and the garbage died: all of it but at most one
/// object per round, which a stale word in a reused goroutine stack may keep
/// for a cycle (the price of scanning stacks conservatively, as Boehm's).
void expect_only_garbage_died(long destroyed_before, long kept_before, long garbage) {
  EXPECT_EQ(kept_destroyed.load(), kept_before) << "an object reachable only from a parked goroutine was freed";
  const long died = tracked_destroyed.load() - destroyed_before;
  EXPECT_LE(died, garbage);
  EXPECT_GE(died, garbage - 5);
}

/// Waits until the goroutine under test reached its park (or is about to: a
/// collection that stops it earlier still finds its saved registers).
void wait_until_parking() {
  ASSERT_TRUE(gort::test::eventually([] { return about_to_park.load(); }));
  about_to_park = false;
}

/// Parks until released; the object it holds is referenced only from its stack.
TEST(Gc, ObjectsReachableOnlyFromAParkedGoroutineStackSurvive) {
  run_gc_test([] {
    auto release = gort::make_chan<int>();
    auto result = gort::make_chan<long>(1);
    settle();
    const long destroyed_before = tracked_destroyed.load();
    const long kept_before = kept_destroyed.load();
    gort::go([=] {
      gc::Ref<Tracked> mine = gc::make<Tracked>(kKeep + 7);
      mine->left = gc::make<Tracked>(kKeep + 8);
      about_to_park = true;
      release.recv();
      result.send((mine->value - kKeep) * 100 + (mine->left->value - kKeep));
    });
    wait_until_parking();
    for (int i = 0; i < 5; ++i) {
      on_own_stack([] {
        for (int j = 0; j < 2000; ++j) gc::make<Tracked>(-2);  // reuse any freed slot
      });
      on_own_stack(gc::collect);
    }
    expect_only_garbage_died(destroyed_before, kept_before, 5 * 2000);
    release.send(1);
    EXPECT_EQ(result.recv(), 708);
  });
}

__attribute__((noinline)) uintptr_t hidden_tracked() {
  return reinterpret_cast<uintptr_t>(gc::make<Tracked>(kKeep + 99).get()) ^ kMask;
}

TEST(Gc, ObjectsReachableOnlyFromAParkedGoroutinesRegistersSurvive) {
  run_gc_test([] {
    auto release = gort::make_chan<int>();
    park_channel = &release;
    auto result = gort::make_chan<long>(1);
    settle();
    const long destroyed_before = tracked_destroyed.load();
    const long kept_before = kept_destroyed.load();
    gort::go([=] {
      const uintptr_t hidden = hidden_tracked();
      uintptr_t out = 0;
      asm volatile(
          "mov %%rsp, %%rbx\n\t"
          "sub $128, %%rsp\n\t"
          "and $-16, %%rsp\n\t"
          "mov %[hidden], %%r12\n\t"
          "xor %[mask], %%r12\n\t"
          "call *%[fn]\n\t"
          "mov %%r12, %[out]\n\t"
          "mov %%rbx, %%rsp\n\t"
          : [out] "=r"(out)
          : [hidden] "r"(hidden), [mask] "r"(kMask), [fn] "r"(&park_on_channel)
          : "rbx", "r12", "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "memory", "cc", "xmm0",
            "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12",
            "xmm13", "xmm14", "xmm15");
      result.send(reinterpret_cast<Tracked*>(out)->value);
    });
    wait_until_parking();
    for (int i = 0; i < 5; ++i) {
      on_own_stack([] {
        for (int j = 0; j < 2000; ++j) gc::make<Tracked>(-2);
      });
      on_own_stack(gc::collect);
    }
    expect_only_garbage_died(destroyed_before, kept_before, 5 * 2000);
    release.send(1);
    EXPECT_EQ(result.recv(), kKeep + 99);
  });
}

TEST(Gc, InteriorPointersKeepTheWholeObjectAlive) {
  run_gc_test([] {
    auto release = gort::make_chan<int>();
    auto result = gort::make_chan<long>(1);
    gort::go([=] {
      // Only a pointer into the middle of the object (its std::string member)
      // and one into the middle of a slice's array stay on this stack.
      const std::string* volatile interior = &gc::make<Tracked>(5)->label;
      gc::Slice<long> tail = [] {
        auto s = gc::make_slice<long>(1000);
        for (std::size_t i = 0; i < s.len(); ++i) s[i] = long(i);
        return s.slice(900);
      }();
      about_to_park = true;
      release.recv();
      const auto* owner = reinterpret_cast<const Tracked*>(reinterpret_cast<const char*>(interior) -
                                                           offsetof(Tracked, label));
      result.send(owner->value * 1000000 + tail[99] + tail.cap());
    });
    wait_until_parking();
    for (int i = 0; i < 5; ++i) {
      for (int j = 0; j < 2000; ++j) gc::make_slice<long>(100);
      gc::collect();
    }
    release.send(1);
    EXPECT_EQ(result.recv(), 5 * 1000000 + 999 + 100);
  });
}

TEST(Gc, RootsKeepObjectsAliveUntilReset) {
  run_gc_test([] {
    settle();
    const long destroyed_before = tracked_destroyed.load();
    std::vector<gc::Root<Tracked>> roots;  // C++ heap memory: only the Roots count
    roots.reserve(100);
    on_own_stack([&roots] {
      for (int i = 0; i < 100; ++i) roots.emplace_back(gc::make<Tracked>(i));
    });
    settle();
    EXPECT_EQ(tracked_destroyed.load(), destroyed_before);
    on_own_stack([&roots] {
      for (int i = 0; i < 100; ++i) EXPECT_EQ(roots[i]->value, i);
    });
    for (int i = 0; i < 50; ++i) roots[i].reset();
    // All 50 die; a stale word in a reused goroutine stack (the check loop above
    // loaded every object) may hold one of them longer under the sanitizers.
    settle_until([&] { return tracked_destroyed.load() - destroyed_before == 50; });
    EXPECT_GE(tracked_destroyed.load() - destroyed_before, 49);
    EXPECT_LE(tracked_destroyed.load() - destroyed_before, 50) << "a rooted object died";
    on_own_stack([&roots] {
      for (int i = 50; i < 100; ++i) EXPECT_EQ(roots[i]->value, i) << "rooted objects stay";
    });
  });
}

TEST(Gc, LargeObjectsAreFreedAndTheirPagesReused) {
  run_gc_test([] {
    settle();
    const uint64_t inuse_before = gort::read_mem_stats().HeapInuse;
    for (int round = 0; round < scaled(40); ++round) {
      auto big = gc::make_slice<char>(1 << 20);  // 1 MiB, its own span
      big[(1 << 20) - 1] = 1;
      auto big_ptrs = gc::make_slice<gc::Ptr<Tracked>>(40000);
      big_ptrs[39999] = gc::make<Tracked>(round);
      ASSERT_EQ(big_ptrs[39999]->value, round);
    }
    settle();
    const gort::MemStats after = gort::read_mem_stats();
    EXPECT_LT(after.HeapInuse, inuse_before + (8u << 20)) << "large spans went back to the page heap";
    EXPECT_GT(after.Frees, 0u);
  });
}

TEST(Gc, ConstructorsThatAllocateKeepWhatTheyStoredSoFar) {
  // A constructor that allocates while its own header is still null: with
  // GOGC=1 cycles run inside the constructor; the children stored so far must
  // survive through the conservative scan of the half-built object.
  struct Wide {
    gc::Ptr<Tracked> parts[64];
    Wide() {
      for (int i = 0; i < 64; ++i) {
        parts[i] = gc::make<Tracked>(i);
        for (int j = 0; j < 50; ++j) gc::make<Tracked>(-1);  // garbage, to trigger cycles
      }
    }
    void trace(gc::Tracer& t) const {
      for (const auto& p : parts) t.visit(p);
    }
  };
  run_gc_test([] {
    gc::set_gc_percent(1);
    for (int k = 0; k < scaled(20); ++k) {
      auto w = gc::make<Wide>();
      for (int i = 0; i < 64; ++i) ASSERT_EQ(w->parts[i]->value, i);
    }
  });
}

TEST(Gc, SlicesGrowLikeGo119) {
  run_gc_test([] {
    gc::Slice<int64_t> s;
    std::vector<std::size_t> caps;
    for (int i = 0; i < 3000; ++i) {
      const std::size_t before = s.cap();
      s = gc::append(s, int64_t{i});
      if (s.cap() != before) caps.push_back(s.cap());
    }
    // go1.19: for i := 0; i < 3000; i++ { s = append(s, int64(i)) } — cap after each growth
    const std::vector<std::size_t> go = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 848, 1280, 1792, 2560, 3408};
    EXPECT_EQ(caps, go);
    for (int i = 0; i < 3000; ++i) ASSERT_EQ(s[i], i);
    EXPECT_THROW(s[3000], gort::RuntimeError);
    try {
      (void)s[3000];
    } catch (const gort::RuntimeError& e) {
      EXPECT_STREQ(e.what(), "runtime error: index out of range [3000] with length 3000");
    }
    EXPECT_THROW(s.slice(10, 5000), gort::RuntimeError);
    gc::String a("hello, "), b("gopher");
    EXPECT_EQ((a + b).view(), "hello, gopher");
    EXPECT_EQ((a + b).substr(7, 13).view(), "gopher");
  });
}

TEST(Gc, PoolIsClearedByTwoCycles) {
  run_gc_test([] {
    gort::Pool<std::string> pool([] { return std::string("new"); });
    for (int i = 0; i < 10; ++i) pool.put("v" + std::to_string(i));
    EXPECT_EQ(pool.cached(), 10u);
    gc::collect();
    EXPECT_EQ(pool.cached(), 10u) << "the first cycle moves values to the victim cache";
    auto v = pool.get();
    ASSERT_TRUE(v.has_value()) << "victim values are still handed out";
    gc::collect();
    EXPECT_EQ(pool.cached(), 0u) << "the second cycle drops them";
    EXPECT_EQ(pool.get_or_new(), "new");
    EXPECT_FALSE(gort::Pool<int>().get().has_value());
  });
}

TEST(Gc, PoolHandsValuesBackAcrossPs) {
  run_gc_test([] {
    gort::gomaxprocs(4);
    gort::Pool<std::vector<int>> pool;
    std::atomic<int> reused{0};
    {
      gort::test::Goroutines group;
      for (int g = 0; g < 8; ++g) {
        group.go([&pool, &reused] {
          for (int i = 0; i < scaled(2000); ++i) {
            auto buf = pool.get();
            if (buf) ++reused;
            std::vector<int> b = buf ? std::move(*buf) : std::vector<int>(16);
            b[0] = i;
            pool.put(std::move(b));
            if (i % 100 == 0) gort::gosched();
          }
        });
      }
    }
    EXPECT_GT(reused.load(), 0);
    EXPECT_LE(pool.cached(), 8u);
  });
}

TEST(Gc, MemStatsCountCyclesPausesAndTheHeapGoal) {
  run_gc_test([] {
    settle();
    const gort::MemStats before = gort::read_mem_stats();
    gc::Root<TreeNode> live = bottom_up(16);  // about 4 MiB live
    gc::collect();
    gc::collect();
    const gort::MemStats m = gort::read_mem_stats();
    EXPECT_EQ(m.NumGC, before.NumGC + 2);
    EXPECT_EQ(m.NumForcedGC, before.NumForcedGC + 2);
    EXPECT_GT(m.PauseTotalNs, before.PauseTotalNs);
    EXPECT_EQ(m.PauseTotalNs - before.PauseTotalNs, m.PauseNs[(m.NumGC + 255) % 256] + m.PauseNs[(m.NumGC + 254) % 256]);
    EXPECT_GE(m.LastGC, before.LastGC);
    EXPECT_GT(m.LastGC, 1'600'000'000'000'000'000ULL) << "Unix nanoseconds";
    EXPECT_EQ(m.Mallocs - m.Frees, m.HeapObjects);
    EXPECT_EQ(m.HeapIdle, m.HeapSys - m.HeapInuse);
    EXPECT_GE(m.HeapInuse, m.HeapAlloc);
    EXPECT_GE(m.TotalAlloc, m.HeapAlloc);
    EXPECT_GT(m.StackInuse, 0u);
    // Goal: marked + (marked + stacks + globals) * 100 / 100; marked == HeapAlloc after a full sweep.
    EXPECT_GE(m.NextGC, 2 * m.HeapAlloc);
    EXPECT_LE(m.NextGC, 2 * m.HeapAlloc + (2u << 20)) << "stacks and globals add little here";
    const gort::Float64Histogram h = gort::read_gc_pauses();
    uint64_t pauses = 0;
    for (uint64_t c : h.counts) pauses += c;
    // Two pauses per concurrent cycle (sweep termination, mark termination),
    // one more for each restart of the mark (Go records each in /gc/pauses).
    EXPECT_GE(pauses, 2 * m.NumGC);
    EXPECT_EQ(h.buckets.size(), h.counts.size() + 1);
    for (std::size_t i = 1; i < h.buckets.size(); ++i) ASSERT_LT(h.buckets[i - 1], h.buckets[i]);
  });
}

TEST(Gc, HeapGoalHasGosFourMegabyteMinimum) {
  run_gc_test([] {
    settle();
    EXPECT_EQ(gort::read_mem_stats().NextGC, 4u << 20) << "an almost empty heap: the minimum";
    gc::set_gc_percent(50);
    EXPECT_EQ(gort::read_mem_stats().NextGC, 2u << 20) << "minimum scales with GOGC";
  });
}

TEST(Gc, GogcOffStopsHeapTriggeredCyclesButNotForcedOnes) {
  run_gc_test([] {
    EXPECT_EQ(gc::set_gc_percent(-1), 100);
    const uint32_t before = gort::read_mem_stats().NumGC;
    for (int i = 0; i < scaled(200000); ++i) gc::make<Tracked>(i);
    EXPECT_EQ(gort::read_mem_stats().NumGC, before);
    gc::collect();
    EXPECT_EQ(gort::read_mem_stats().NumGC, before + 1);
    EXPECT_EQ(gc::set_gc_percent(100), -1);
  });
}

/// A node of the random graph: an identity and a checksum that a freed and
/// reused object would not keep.
struct GraphNode {
  gc::Ptr<GraphNode> edges[3];
  uint64_t id;
  uint64_t check;
  explicit GraphNode(uint64_t i) : id(i), check(i * 0x9e3779b97f4a7c15ULL) {}
  void trace(gc::Tracer& t) const {
    for (const auto& e : edges) t.visit(e);
  }
};

void verify_reachable(GraphNode* root, uint64_t epoch, std::vector<GraphNode*>& stack) {
  stack.clear();
  stack.push_back(root);
  std::vector<GraphNode*> seen;
  while (!stack.empty()) {
    GraphNode* n = stack.back();
    stack.pop_back();
    if (n->check == epoch) continue;  // seen on this walk
    ASSERT_EQ(n->check, n->id * 0x9e3779b97f4a7c15ULL) << "a reachable node was freed";
    for (const auto& e : n->edges) {
      if (e) stack.push_back(e.get());
    }
    n->check = epoch;  // visited mark, restored below
    seen.push_back(n);
  }
  for (GraphNode* n : seen) n->check = n->id * 0x9e3779b97f4a7c15ULL;
}

TEST(Gc, RandomGraphMutationUnderGogc1WithCheckmark) {
  ::setenv("GODEBUG", "gccheckmark=1", 1);
  run_gc_test([] {
    gc::set_gc_percent(1);
    std::mt19937_64 rng(12345);
    const std::size_t slots = 512;
    auto table = gc::make_slice<gc::Ptr<GraphNode>>(slots);
    uint64_t next_id = 1;
    for (auto& s : table) s = gc::make<GraphNode>(next_id++);
    const uint32_t gc_before = gort::read_mem_stats().NumGC;
    std::vector<GraphNode*> scratch;
    // Until enough cycles ran: concurrent marks overlap many steps, and how many
    // depends on the machine; the step bound only stops a collector that never runs.
    const uint32_t wanted = gort::test::kSanitizerDivisor > 1 ? 500u : 4000u;
    const int max_steps = 4'000'000;
    for (int step = 0; step < max_steps; ++step) {
      if (step % 1024 == 0 && gort::read_mem_stats().NumGC - gc_before >= wanted) break;
      GraphNode* from = table[rng() % slots].get();
      switch (rng() % 4) {
        case 0:  // new node replaces a table slot (the old one may die)
          table[rng() % slots] = gc::make<GraphNode>(next_id++);
          break;
        case 1:  // new node hangs off an existing one
          from->edges[rng() % 3] = gc::make<GraphNode>(next_id++);
          break;
        case 2:  // rewire to an existing node
          from->edges[rng() % 3] = gc::Ref<GraphNode>(table[rng() % slots]);
          break;
        default:  // cut an edge
          from->edges[rng() % 3] = nullptr;
      }
      if (step % 20000 == 0) {
        for (std::size_t i = 0; i < slots; i += 7) verify_reachable(table[i].get(), 1, scratch);
      }
    }
    for (std::size_t i = 0; i < slots; ++i) verify_reachable(table[i].get(), 1, scratch);
    const uint32_t cycles = gort::read_mem_stats().NumGC - gc_before;
    EXPECT_GE(cycles, wanted) << "thousands of checked cycles";
  });
  ::unsetenv("GODEBUG");
}

TEST(Gc, ManyPsAllocatingAndMutatingConcurrently) {
  run_gc_test([] {
    gort::gomaxprocs(4);
    gc::set_gc_percent(10);
    std::atomic<long> bad{0};
    {
      gort::test::Goroutines group;
      for (int g = 0; g < 8; ++g) {
        group.go([g, &bad] {
          gc::Ref<Tracked> list;
          for (int i = 0; i < scaled(20000); ++i) {
            auto n = gc::make<Tracked>(g * 1000000 + i);
            n->left = list;
            list = (i % 100 == 99) ? gc::Ref<Tracked>() : n;  // drop the list now and then
            if (i % 500 == 0) gort::gosched();
          }
          long expect = -1;
          for (Tracked* p = list.get(); p != nullptr; p = p->left.get()) {
            if (expect >= 0 && p->value != expect) ++bad;
            expect = p->value - 1;
          }
        });
      }
    }
    EXPECT_EQ(bad.load(), 0);
  });
}

}  // namespace

namespace {

/// Resident memory of this process in bytes (/proc/self/statm, second field).
uint64_t resident_bytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  unsigned long size = 0, resident = 0;
  if (f != nullptr) {
    if (std::fscanf(f, "%lu %lu", &size, &resident) != 2) resident = 0;
    std::fclose(f);
  }
  return uint64_t{resident} * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

/// Allocates and touches `mib` MiB of 1 MiB buffers that die at once.
void touch_garbage(int mib) {
  on_own_stack([mib] {
    for (int i = 0; i < mib; ++i) {
      auto b = gc::make_slice<char>(1 << 20);
      for (std::size_t off = 0; off < b.len(); off += 4096) b[off] = 1;
    }
  });
}

TEST(GcScavenger, FreeOsMemoryReturnsFreePagesAndTheyComeBackZeroed) {
  run_gc_test([] {
    gc::set_gc_percent(-1);  // keep the garbage until free_os_memory collects it
    settle();
    touch_garbage(64);
    const uint64_t rss_full = resident_bytes();
    gc::free_os_memory();
    const gort::MemStats m = gort::read_mem_stats();
    const uint64_t rss_after = resident_bytes();
    EXPECT_GE(m.HeapReleased + (1u << 20), m.HeapIdle) << "every free page released";
    EXPECT_LE(m.HeapReleased, m.HeapIdle);
    EXPECT_LT(rss_after + (32u << 20), rss_full) << "resident memory went back to the OS";
    on_own_stack([released = m.HeapReleased] {
      auto b = gc::make_slice<char>(8 << 20);
      bool zero = true;
      for (char c : b) zero = zero && c == 0;
      EXPECT_TRUE(zero) << "released pages read as zero when reused";
      EXPECT_LT(gort::read_mem_stats().HeapReleased, released) << "reused pages are no longer released";
    });
  });
}

TEST(GcScavenger, BackgroundScavengerBringsTheRetainedHeapToItsGoal) {
  run_gc_test([] {
    settle();
    gc::set_gc_percent(-1);
    touch_garbage(48);
    gc::set_gc_percent(100);
    settle();  // the garbage is freed; the goal is back near the 4 MB minimum
    const auto retained = [] {
      const gort::MemStats m = gort::read_mem_stats();
      return m.HeapSys - m.HeapReleased;
    };
    const uint64_t goal = gort::read_mem_stats().NextGC * 110 / 100;
    EXPECT_GT(retained(), goal) << "the freed pages are still held right after the cycle";
    EXPECT_TRUE(gort::test::eventually([&] { return retained() <= goal + gc::kScavengeChunk; }))
        << "retained " << retained() << " goal " << goal;
  });
}

}  // namespace

namespace {

TEST(GcPacer, MemoryLimitWithGogcOffCollectsBeforeTheLimit) {
  run_gc_test([] {
    settle();
    gc::set_gc_percent(-1);
    const int64_t prev = gc::set_memory_limit(int64_t{64} << 20);
    EXPECT_EQ(prev, INT64_MAX) << "no limit by default";
    EXPECT_EQ(gc::set_memory_limit(-1), int64_t{64} << 20) << "a negative limit only reads it";
    const uint32_t before = gort::read_mem_stats().NumGC;
    uint64_t max_inuse = 0, max_goal = 0;
    on_own_stack([&] {
      for (int i = 0; i < 2000; ++i) {  // 500 MiB of 256 KiB buffers, each dead at once
        auto b = gc::make_slice<char>(256 << 10);
        b[0] = 1;
        if (i % 50 == 0) {
          const gort::MemStats m = gort::read_mem_stats();
          max_inuse = std::max(max_inuse, m.HeapInuse);
          max_goal = std::max(max_goal, m.NextGC);
        }
      }
    });
    const gort::MemStats m = gort::read_mem_stats();
    EXPECT_GT(m.NumGC, before + 3) << "with GOGC=off, the limit alone triggers cycles";
    EXPECT_LE(max_inuse, uint64_t{64} << 20) << "the heap stays under GOMEMLIMIT";
    EXPECT_LE(max_goal, uint64_t{64} << 20) << "the goal comes from the limit";
    gc::set_memory_limit(INT64_MAX);
    EXPECT_EQ(gort::read_mem_stats().NextGC, UINT64_MAX) << "GOGC=off and no limit: no goal";
  });
}

TEST(GcPacer, TheLowerOfTheGogcAndMemoryLimitGoalsWins) {
  run_gc_test([] {
    settle();
    gc::Root<TreeNode> live = bottom_up(17);  // ~6 MiB live
    settle();
    const uint64_t gogc_goal = gort::read_mem_stats().NextGC;
    EXPECT_GE(gogc_goal, 2 * gort::read_mem_stats().HeapAlloc);
    gc::set_memory_limit(int64_t{1} << 40);  // far above: GOGC's goal stays
    EXPECT_EQ(gort::read_mem_stats().NextGC, gogc_goal);
    gc::set_memory_limit(static_cast<int64_t>(gogc_goal));  // at the GOGC goal: the limit's is lower
    const uint64_t limit_goal = gort::read_mem_stats().NextGC;
    EXPECT_LT(limit_goal, gogc_goal);
    EXPECT_GE(limit_goal, gort::read_mem_stats().HeapAlloc) << "never below the live heap";
    gc::set_memory_limit(INT64_MAX);
  });
}

}  // namespace
