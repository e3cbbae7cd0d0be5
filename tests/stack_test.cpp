// stack_test.cpp — stack slots: guards fault, guards do not cost VMAs, and
// free slots give their memory back at GC while live goroutines keep theirs.
#include <gort/gort.hpp>
#include <gort/runtime/internal/gc_support.hpp>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "stack.hpp"
#include "test_util.hpp"

#if defined(GORT_ASAN)
#include <sanitizer/asan_interface.h>
#endif

namespace {

using namespace gort::runtime;

int count_vmas() {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  int n = 0;
  while (std::getline(maps, line)) ++n;
  return n;
}

TEST(Stack, TouchingTheGuardRegionFaults) {
  stack_init();
  StackSlot slot = stackpool_carve();
  ASSERT_TRUE(slot.guarded) << "first slots are always guarded";
  slot.lo[0] = 1;  // the usable stack is writable
  slot.hi[-1] = 1;
  pid_t pid = fork();
  if (pid == 0) {
    signal(SIGSEGV, SIG_DFL);
    volatile char* guard = slot.lo - 1;
    *guard = 1;
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV) << "status " << status;
  stack_release_all();
}

// With MADV_GUARD_INSTALL, 50,000 guarded stacks add a few mappings per
// 256-slot chunk (one, plus sanitizer shadow mappings in those builds), not
// 100,000: that is what lets a million goroutines live under
// vm.max_map_count = 65530.
TEST(Stack, GuardsDoNotSplitMappings) {
  stack_init();
  if (stack_guard_mode() != GuardMode::GuardInstall) {
    GTEST_SKIP() << "kernel lacks MADV_GUARD_INSTALL (mode " << guard_mode_name(stack_guard_mode()) << ")";
  }
  const int before = count_vmas();
  for (int i = 0; i < 50'000; ++i) {
    StackSlot s = stackpool_carve();
    ASSERT_TRUE(s.guarded);
  }
  const int after = count_vmas();
  EXPECT_LE(after - before, 4 * (50'000 / int(kChunkSlots) + 1) + 8);
  EXPECT_EQ(stack_slots_in_use(), 50'000u);
  stack_release_all();
}

std::size_t page_bytes() { return static_cast<std::size_t>(sysconf(_SC_PAGESIZE)); }

/// Pages of [lo, hi) that mincore(2) reports resident.
std::size_t resident_pages(const char* lo, const char* hi) {
  const std::size_t n = static_cast<std::size_t>(hi - lo) / page_bytes();
  std::vector<unsigned char> vec(n);
  if (mincore(const_cast<char*>(lo), n * page_bytes(), vec.data()) != 0) return SIZE_MAX;
  return static_cast<std::size_t>(std::count_if(vec.begin(), vec.end(), [](unsigned char v) { return v & 1; }));
}

// free_stack_slots gives the pool's free slots' pages back (they read as zero
// again) and stackpool_get hands out the slots that kept their pages before
// the released ones; StackInuse (stack_slots_in_use) stops counting the
// released ones until they are taken again.
TEST(Stack, FreeSlotsGiveTheirPagesBackAndComeAfterTheOnesWithPages) {
  stack_init();
  StackSlot a = stackpool_carve(), b = stackpool_carve(), c = stackpool_carve();
  for (const StackSlot* s : {&a, &b, &c}) std::fill(s->lo, s->hi, char{0x5a});
  ASSERT_EQ(resident_pages(a.lo, a.hi), kStackLimitBytes / page_bytes());
  const StackSlot freed[] = {a, b};
  stackpool_put(freed, 2);
  EXPECT_EQ(stack_slots_in_use(), 3u) << "free slots with their pages count as in use (Go: cached stacks)";
  free_stack_slots();
  EXPECT_EQ(stack_slots_released(), 2u);
  EXPECT_EQ(stack_slots_in_use(), 1u);
  EXPECT_EQ(resident_pages(a.lo, a.hi), 0u);
  EXPECT_EQ(resident_pages(b.lo, b.hi), 0u);
  EXPECT_EQ(resident_pages(c.lo, c.hi), kStackLimitBytes / page_bytes()) << "a slot in use is left alone";
  stackpool_put(&c, 1);
  StackSlot out[3];
  ASSERT_EQ(stackpool_get(out, 3), 3u);
  EXPECT_EQ(out[0].lo, c.lo) << "the slot that kept its pages comes first";
  EXPECT_TRUE((out[1].lo == a.lo && out[2].lo == b.lo) || (out[1].lo == b.lo && out[2].lo == a.lo));
  EXPECT_EQ(stack_slots_released(), 0u);
  EXPECT_EQ(stack_slots_in_use(), 3u);
  EXPECT_EQ(std::count(a.lo, a.hi, char{0}), a.hi - a.lo) << "released pages come back zeroed";
  a.hi[-1] = 1;  // and writable
  stack_release_all();
}

// gort::run unmaps every stack chunk when it returns; under ASAN the shadow of
// those addresses must be clean then, or whatever is mapped there next (the
// heap's arenas, malloc's large blocks) starts out with the redzones of the
// goroutines' entry frames, which never return, and its first write is
// reported as a stack-buffer-overflow.
TEST(Stack, UnmappedStacksLeaveNoAsanPoisonBehind) {
  std::vector<const void*> his;
  gort::run([&his] {
    const int n = 64;
    his.assign(n, nullptr);
    gort::WaitGroup wg;
    wg.add(n);
    for (int i = 0; i < n; ++i) {
      gort::go([&, i] {
        his[static_cast<std::size_t>(i)] = gort::runtime::current_goroutine_stack_hi();
        wg.done();
      });
    }
    wg.wait();
  });
#if defined(GORT_ASAN)
  for (const void* hi : his) {
    const char* top = static_cast<const char*>(hi);
    EXPECT_EQ(__asan_region_is_poisoned(const_cast<char*>(top) - kSlotBytes, kSlotBytes), nullptr);
  }
#else
  EXPECT_EQ(his.size(), 64u);  // the shadow check needs an ASAN build
#endif
}

/// A byte of the pattern goroutine `seed` writes at offset j of its buffer.
unsigned char pattern(uint32_t seed, std::size_t j) {
  return static_cast<unsigned char>((seed * 2654435761u + j * 40503u) >> 13);
}

/// Bytes between the pattern's marks: one per cache line touches every page
/// at a fraction of the cost of every byte (TSAN instruments each access).
constexpr std::size_t kMarkStride = 64;

/// Fills an N-byte buffer on the calling goroutine's stack with seed's pattern
/// (every kMarkStride-th byte), runs wait (where it blocks while other
/// goroutines run and cycles release free stacks), and returns the number of
/// marks that no longer hold the pattern.
template <std::size_t N, typename F>
__attribute__((noinline)) std::size_t fill_wait_check(uint32_t seed, F&& wait) {
  volatile unsigned char buf[N];
  for (std::size_t j = 0; j < N; j += kMarkStride) buf[j] = pattern(seed, j);
  wait();
  std::size_t bad = 0;
  for (std::size_t j = 0; j < N; j += kMarkStride) bad += buf[j] != pattern(seed, j);
  return bad;
}

/// Starts n goroutines that each fill N bytes of stack and stay alive until all
/// n have started and `while_alive` has run; returns the marks found changed
/// and, in his, each goroutine's stack top (distinct for distinct stacks).
template <std::size_t N, typename F>
std::size_t run_alive_at_once(int n, std::vector<const void*>* his, F while_alive) {
  std::atomic<std::size_t> bad{0};
  his->assign(static_cast<std::size_t>(n), nullptr);
  gort::WaitGroup started, release, finished;
  started.add(n);
  release.add(1);
  finished.add(n);
  for (int i = 0; i < n; ++i) {
    gort::go([&, i] {
      (*his)[static_cast<std::size_t>(i)] = gort::runtime::current_goroutine_stack_hi();
      bad.fetch_add(fill_wait_check<N>(static_cast<uint32_t>(i), [&] {
        started.done();
        release.wait();
      }));
      finished.done();
    });
  }
  started.wait();
  while_alive();
  release.done();
  finished.wait();
  return bad.load();
}

// The goroutine-per-call churn of the stack-growth lab: n goroutines alive at
// once, 32 KiB of stack each, then they exit.  Their slots stay in use (free,
// with their pages) until a GC, which gives every one back to the OS: StackInuse
// returns to where it was and no page of those slots stays resident.  Then more
// goroutines than the churn had, alive at once and through another GC, run on
// the released slots and new ones, each on a stack of its own, and every mark
// each wrote is still there when it wakes.
TEST(StackRelease, GcGivesChurnedStacksBackAndNewGoroutinesReuseThemSafely) {
  gort::run([] {
    // Scaled twice in sanitizer builds: a TSAN fiber costs milliseconds to create.
    const int churn = gort::test::scaled(gort::test::live_goroutines(512));
    const uint64_t base = gort::read_mem_stats().StackInuse;
    std::vector<const void*> churned;
    EXPECT_EQ(run_alive_at_once<32 * 1024>(churn, &churned, [] {}), 0u);
    const uint64_t after_exit = gort::read_mem_stats().StackInuse;
    EXPECT_GE(after_exit, base + uint64_t(churn) * kSlotBytes) << "exited goroutines' stacks are cached, pages and all";

    gort::gc::collect();
    const uint64_t after_gc = gort::read_mem_stats().StackInuse;
    // The cycle's goroutine may still be finishing on a slot, or have left it
    // in its P's cache after the cycle: a few slots at most.
    constexpr uint64_t kSlack = 4;
    EXPECT_LE(after_gc, base + kSlack * kSlotBytes) << "after exit " << after_exit;
    EXPECT_GE(gort::runtime::read_stack_memory().reserved_bytes, uint64_t(churn) * kSlotBytes)
        << "released slots stay reserved";
    std::sort(churned.begin(), churned.end());
    ASSERT_EQ(std::unique(churned.begin(), churned.end()), churned.end()) << "one stack per live goroutine";
    std::size_t still_resident = 0;
    for (const void* hi : churned) {
      const char* top = static_cast<const char*>(hi);
      still_resident += resident_pages(top - kStackLimitBytes, top) != 0;
    }
    EXPECT_LE(still_resident, kSlack) << "slots of " << churned.size() << " with resident pages after the GC";

    const int reuse = gort::test::scaled(gort::test::live_goroutines(50'000));
    std::vector<const void*> his;
    EXPECT_EQ(run_alive_at_once<2048>(reuse, &his, [] { gort::gc::collect(); }), 0u);
    std::sort(his.begin(), his.end());
    EXPECT_EQ(std::unique(his.begin(), his.end()), his.end()) << "one stack per live goroutine";
  });
}

// Cycles run back to back while goroutines start, fill a few pages of stack,
// yield, check them and exit on every P: a cycle gathers the Ps' cached stacks
// and releases them while goroutines take and return stacks around it.  No
// goroutine may ever see its stack change under it (a released stack still in
// use reads as zeros; one stack handed to two goroutines mixes patterns).
TEST(StackRelease, CyclesReleasingFreeStacksLeaveLiveStacksIntact) {
  gort::run([] {
    gort::gomaxprocs(4);
    const int cycles = gort::test::scaled(40);
    std::atomic<bool> done{false};
    std::atomic<std::size_t> bad{0};
    std::atomic<long> ran{0};
    gort::WaitGroup workers;
    constexpr int kWorkers = 4, kWave = 16;
    workers.add(kWorkers);
    for (int w = 0; w < kWorkers; ++w) {
      gort::go([&, w] {
        for (uint32_t round = 0; !done.load(std::memory_order_relaxed); ++round) {
          gort::WaitGroup wave;
          wave.add(kWave);
          for (int i = 0; i < kWave; ++i) {
            const uint32_t seed = (round * kWave + static_cast<uint32_t>(i)) * kWorkers + static_cast<uint32_t>(w);
            gort::go([&, seed] {
              bad.fetch_add(fill_wait_check<12 * 1024>(seed, [] { gort::gosched(); }));
              ran.fetch_add(1, std::memory_order_relaxed);
              wave.done();
            });
          }
          wave.wait();
        }
        workers.done();
      });
    }
    for (int i = 0; i < cycles; ++i) gort::gc::collect();
    done.store(true);
    workers.wait();
    EXPECT_EQ(bad.load(), 0u) << ran.load() << " goroutines ran";
    EXPECT_GT(ran.load(), 0);
  });
}

}  // namespace
