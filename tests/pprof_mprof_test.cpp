// pprof_mprof_test.cpp — the heap, block and mutex profiles' records
// (runtime/src/mprof.cpp), read through the runtime's record API (Go's
// runtime.MemProfile, BlockProfile, MutexProfile) and identified by the
// symbolized names of their stacks.
#include <gort/gort.hpp>
#include <gort/runtime/internal/mprof.hpp>
#include <gort/pprof.hpp>
#include <gort/runtime/internal/park.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <unistd.h>

#include "parked.hpp"
#include "test_util.hpp"
#include "traceback.hpp"

namespace rt = gort::runtime;
using namespace std::chrono_literals;
using gort::test::wait_until_parked;

namespace {

/// The symbolized text of a record's stack (Go's traceback format, runtime
/// frames shown, inlined calls expanded).
std::string stack_text(const std::vector<uintptr_t>& stack) {
  rt::Walk w;
  for (uintptr_t pc : stack) {
    if (w.n == rt::kMaxFrames) break;
    w.pc[w.n] = pc;
    w.flags[w.n] = 0;
    ++w.n;
  }
  char* buf = nullptr;
  size_t len = 0;
  FILE* f = open_memstream(&buf, &len);
  rt::print_walk(f, w, 0, /*show_runtime=*/true);
  std::fclose(f);
  std::string s(buf, len);
  std::free(buf);
  return s;
}

/// The heap records (inuse_zero: all) whose stacks name `site`, summed.
rt::MemProfileRecord heap_record_of(const std::string& site) {
  rt::MemProfileRecord sum;
  for (const auto& r : rt::mem_profile(/*inuse_zero=*/true)) {
    if (stack_text(r.stack).find(site) == std::string::npos) continue;
    sum.alloc_bytes += r.alloc_bytes;
    sum.free_bytes += r.free_bytes;
    sum.alloc_objects += r.alloc_objects;
    sum.free_objects += r.free_objects;
  }
  return sum;
}

/// a - b, field by field: what happened between two readings (the profile is
/// the process's, and earlier tests or repetitions left records in it).
rt::MemProfileRecord operator-(const rt::MemProfileRecord& a, const rt::MemProfileRecord& b) {
  rt::MemProfileRecord d;
  d.alloc_bytes = a.alloc_bytes - b.alloc_bytes;
  d.free_bytes = a.free_bytes - b.free_bytes;
  d.alloc_objects = a.alloc_objects - b.alloc_objects;
  d.free_objects = a.free_objects - b.free_objects;
  return d;
}

/// The block or mutex records whose stacks name `site`, summed.
rt::BlockProfileRecord block_record_of(const std::vector<rt::BlockProfileRecord>& records, const std::string& site) {
  rt::BlockProfileRecord sum;
  for (const auto& r : records) {
    if (stack_text(r.stack).find(site) == std::string::npos) continue;
    sum.count += r.count;
    sum.cycles += r.cycles;
  }
  return sum;
}

/// Restores the default heap rate when a test ends.
struct MemRateScope {
  explicit MemRateScope(int rate) { gort::set_mem_profile_rate(rate); }
  ~MemRateScope() { gort::set_mem_profile_rate(rt::kDefaultMemProfileRate); }
};

template <size_t N>
struct Blob {
  char bytes[N];
};

// Allocation sites, named so the test finds their records.  Each allocates n
// objects and keeps none.  noipa: GCC would fold identical bodies into one
// function (-fipa-icf), and two sites would share one name.
__attribute__((noinline, noipa)) void mprof_site_small(int n) {
  for (int i = 0; i < n; ++i) gort::gc::make<Blob<1000>>();
}
__attribute__((noinline, noipa)) void mprof_site_large(int n) {
  for (int i = 0; i < n; ++i) gort::gc::make<Blob<40000>>();
}
__attribute__((noinline, noipa)) void mprof_site_rate_zero(int n) {
  for (int i = 0; i < n; ++i) gort::gc::make<Blob<100>>();
}
__attribute__((noinline, noipa)) void mprof_site_rate_one(int n) {
  for (int i = 0; i < n; ++i) gort::gc::make<Blob<100>>();
}
__attribute__((noinline, noipa)) void mprof_site_warm() { gort::gc::make<Blob<64>>(); }
// Loops, not single calls: a lone make would be a tail call, and the site's
// frame would not be on the sample's stack.
__attribute__((noinline, noipa)) void mprof_site_holes(int n) {
  for (int i = 0; i < n; ++i) gort::gc::make<Blob<200>>();
}
__attribute__((noinline, noipa)) void mprof_site_between(int n) {
  for (int i = 0; i < n; ++i) gort::gc::make<Blob<1000>>();
}
__attribute__((noinline, noipa)) void mprof_site_kept(std::vector<gort::gc::Root<Blob<200>>>& keep, int n) {
  for (int i = 0; i < n; ++i) keep.emplace_back(gort::gc::make<Blob<200>>());
}

}  // namespace

// Known allocation volumes at two sites, sampled at 4 KiB, unsampled as Go's
// writer does: both estimates within 10% (about 4,000 and 40,000 samples:
// a 10% miss is over 6 standard deviations).
TEST(Mprof, AllocationSitesAreEstimatedWithinTenPercent) {
  gort::run([] {
    MemRateScope rate(4096);
    gort::gc::collect();  // publishes what earlier tests allocated
    const auto before_small = heap_record_of("mprof_site_small");
    const auto before_large = heap_record_of("mprof_site_large");
    const int n_small = 16000, n_large = 4000;  // ~16 MB and ~160 MB
    mprof_site_small(n_small);
    mprof_site_large(n_large);
    gort::gc::collect();
    for (auto [site, n, min_size, before] :
         {std::tuple{"mprof_site_small", n_small, 1000, before_small}, {"mprof_site_large", n_large, 40000, before_large}}) {
      const auto r = heap_record_of(site) - before;
      ASSERT_GT(r.alloc_objects, 0) << site;
      const int64_t elem = r.alloc_bytes / r.alloc_objects;  // the rounded size, as Go records
      EXPECT_GE(elem, min_size) << site;
      EXPECT_LT(elem, min_size + min_size / 8 + 16) << site;
      const auto [objects, bytes] = rt::scale_heap_sample(r.alloc_objects, r.alloc_bytes, 4096);
      EXPECT_NEAR(double(objects), double(n), 0.10 * n) << site;
      EXPECT_NEAR(double(bytes), double(n) * double(elem), 0.10 * double(n) * double(elem)) << site;
    }
  });
}

// The sample point is a slot bound in the cached span (gc/src/mcache_sample.cpp):
// here the spans of one site's class are half full of live objects, so the
// fast path skips slots it does not allocate, and a second class allocates in
// between, with a countdown of its own.  Both estimates within 10% (about
// 2,000 and 5,000 samples: a 10% miss is over 4 standard deviations).
TEST(Mprof, SitesAreEstimatedWithinTenPercentInHalfFullSpansBetweenOtherClasses) {
  gort::run([] {
    MemRateScope rate(4096);
    std::vector<gort::gc::Root<Blob<200>>> keep;
    const int n = 40000;
    keep.reserve(n / 2);
    for (int i = 0; i < n; ++i) {
      auto b = gort::gc::make<Blob<200>>();
      if (i % 2 == 0) keep.emplace_back(b);
    }
    gort::gc::collect();  // every other slot of those spans is free now
    const auto before_holes = heap_record_of("mprof_site_holes");
    const auto before_between = heap_record_of("mprof_site_between");
    for (int i = 0; i < n / 2; ++i) {
      mprof_site_holes(2);
      mprof_site_between(1);
    }
    gort::gc::collect();
    for (auto [site, count, before] : {std::tuple{"mprof_site_holes", n, before_holes},
                                       std::tuple{"mprof_site_between", n / 2, before_between}}) {
      const auto r = heap_record_of(site) - before;
      ASSERT_GT(r.alloc_objects, 0) << site;
      const auto [objects, bytes] = rt::scale_heap_sample(r.alloc_objects, r.alloc_bytes, 4096);
      EXPECT_NEAR(double(objects), double(count), 0.10 * count) << site;
    }
    EXPECT_EQ(keep.size(), std::size_t(n / 2));
  });
}

// Go's publication rule: allocations show once a cycle has ended after them,
// frees once the sweep that found them dead was published.
TEST(Mprof, InuseFallsOnceTheObjectsDiedAndACycleWasPublished) {
  gort::run([] {
    MemRateScope rate(1);
    mprof_site_warm();
    gort::gc::collect();  // the profile holds published records from here on
    const auto before = heap_record_of("mprof_site_kept");
    const int n = 2000;
    std::vector<gort::gc::Root<Blob<200>>> keep;
    keep.reserve(n);
    mprof_site_kept(keep, n);
    EXPECT_EQ((heap_record_of("mprof_site_kept") - before).alloc_objects, 0) << "published before any cycle ended";
    gort::gc::collect();
    auto r = heap_record_of("mprof_site_kept") - before;
    EXPECT_EQ(r.alloc_objects, n);
    EXPECT_EQ(r.free_objects, 0);
    keep.clear();
    keep.shrink_to_fit();
    r = heap_record_of("mprof_site_kept") - before;
    EXPECT_EQ(r.alloc_objects - r.free_objects, n) << "frees published before a cycle found them";
    gort::gc::collect();
    gort::gc::collect();
    r = heap_record_of("mprof_site_kept") - before;
    EXPECT_EQ(r.alloc_objects, n);
    // The stack scan is conservative: a stale word may keep a few alive.
    EXPECT_LE(r.alloc_objects - r.free_objects, n / 100);
    EXPECT_EQ(r.alloc_bytes - r.free_bytes, (r.alloc_objects - r.free_objects) * (r.alloc_bytes / r.alloc_objects));
  });
}

TEST(Mprof, RateZeroRecordsNothingRateOneEveryAllocation) {
  gort::run([] {
    gort::gc::collect();
    const auto before_zero = heap_record_of("mprof_site_rate_zero");
    const auto before_one = heap_record_of("mprof_site_rate_one");
    {
      MemRateScope rate(0);
      EXPECT_EQ(rt::next_sample(), INT64_MAX);
      mprof_site_rate_zero(5000);
    }
    {
      MemRateScope rate(1);
      EXPECT_EQ(gort::mem_profile_rate(), 1);
      mprof_site_rate_one(5000);
    }
    gort::gc::collect();
    EXPECT_EQ((heap_record_of("mprof_site_rate_zero") - before_zero).alloc_objects, 0);
    EXPECT_EQ((heap_record_of("mprof_site_rate_one") - before_one).alloc_objects, 5000);
  });
}

// The draw of the next sample: exponential of mean MemProfileRate.
TEST(Mprof, NextSampleIsExponentialWithTheRateAsMean) {
  MemRateScope rate(512 * 1024);
  const int n = 200000;
  double sum = 0;
  int below_mean = 0;
  for (int i = 0; i < n; ++i) {
    const int64_t d = rt::next_sample();
    ASSERT_GT(d, 0);
    sum += double(d);
    if (d < 512 * 1024) ++below_mean;
  }
  // Mean within 1% (the standard error is 0.22%); P(X < mean) = 1 - 1/e.
  EXPECT_NEAR(sum / n, 512.0 * 1024, 0.01 * 512 * 1024);
  EXPECT_NEAR(double(below_mean) / n, 0.632, 0.01);
}

namespace {

__attribute__((noinline, noipa)) int mprof_blocked_receiver(gort::Chan<int> c) {
  const int v = c.recv();
  asm volatile("");
  return v;
}
__attribute__((noinline, noipa)) int mprof_unprofiled_receiver(gort::Chan<int> c) {
  const int v = c.recv();
  asm volatile("");
  return v;
}
__attribute__((noinline, noipa)) int mprof_blocked_select(gort::Chan<int> c) {
  int got = 0;
  gort::select(gort::on_recv(c, [&](int v, bool) { got = v; }));
  return got;
}
__attribute__((noinline, noipa)) void mprof_blocked_lock(gort::Mutex& mu) {
  mu.lock();
  mu.unlock();
}
// The empty asm after each call keeps the site's frame on the stack (no tail call).
__attribute__((noinline, noipa)) void mprof_blocked_wait(gort::WaitGroup& wg) {
  wg.wait();
  asm volatile("");
}
__attribute__((noinline, noipa)) void mprof_unlock_site(gort::Mutex& mu) {
  mu.unlock();
  asm volatile("");
}

/// Starts fn in a goroutine of gs, waits until it parked with `reason`,
/// sleeps `d`, then calls wake.  The block began before the park, so its
/// delay is at least d.
template <class F, class W>
void block_for(gort::test::Goroutines& gs, rt::WaitReason reason, std::chrono::milliseconds d, F fn, W wake) {
  std::atomic<rt::G*> g{nullptr};
  gs.go([&g, fn] {
    g = rt::current_g();
    fn();
  });
  ASSERT_TRUE(wait_until_parked(g, reason));
  gort::sleep(d);
  wake();
}

}  // namespace

// A goroutine blocked 100 ms on a channel is charged at least 100 ms (the
// delay runs from before its park to its wake-up: it cannot be shorter).
TEST(BlockProfile, ChannelSelectMutexAndWaitGroupWaitsAreCharged) {
  gort::run([] {
    gort::set_block_profile_rate(1);
    const auto before = rt::block_profile();
    const auto before_recv = block_record_of(before, "mprof_blocked_receiver");
    {
      // Declared before gs, whose destructor waits for the goroutines using them.
      auto c = gort::make_chan<int>();
      auto s = gort::make_chan<int>();
      gort::Mutex mu;
      gort::WaitGroup wg;
      gort::test::Goroutines gs;
      block_for(gs, rt::WaitReason::ChanReceive, 100ms, [c] { mprof_blocked_receiver(c); }, [&] { c.send(1); });
      block_for(gs, rt::WaitReason::Select, 20ms, [s] { mprof_blocked_select(s); }, [&] { s.send(1); });
      mu.lock();
      block_for(gs, rt::WaitReason::SyncMutexLock, 20ms, [&mu] { mprof_blocked_lock(mu); }, [&] { mu.unlock(); });
      wg.add(1);
      block_for(gs, rt::WaitReason::SyncWaitGroupWait, 20ms, [&wg] { mprof_blocked_wait(wg); }, [&] { wg.done(); });
    }
    gort::set_block_profile_rate(0);
    const auto profile = rt::block_profile();
    const auto recv = block_record_of(profile, "mprof_blocked_receiver");
    EXPECT_EQ(recv.count - before_recv.count, 1);
    EXPECT_GE(recv.cycles - before_recv.cycles, 100'000'000);
    for (const char* site : {"mprof_blocked_select", "mprof_blocked_lock", "mprof_blocked_wait"}) {
      const auto now = block_record_of(profile, site);
      const auto then = block_record_of(before, site);
      EXPECT_EQ(now.count - then.count, 1) << site;
      EXPECT_GE(now.cycles - then.cycles, 20'000'000) << site;
    }
  });
}

// Rate 0 (the default) records no block event.
TEST(BlockProfile, RateZeroRecordsNothing) {
  gort::run([] {
    gort::set_block_profile_rate(0);
    {
      auto c = gort::make_chan<int>();
      gort::test::Goroutines gs;
      block_for(gs, rt::WaitReason::ChanReceive, 10ms, [c] { mprof_unprofiled_receiver(c); }, [&] { c.send(1); });
    }
    EXPECT_EQ(block_record_of(rt::block_profile(), "mprof_unprofiled_receiver").count, 0);
  });
}

// Go's mutex profile charges the waiters' delay to the unlocker's stack.
TEST(MutexProfile, DelayIsChargedToTheUnlocker) {
  gort::run([] {
    const auto before = block_record_of(rt::mutex_profile(), "mprof_unlock_site");
    const int previous = gort::set_mutex_profile_fraction(1);
    EXPECT_EQ(gort::set_mutex_profile_fraction(-1), 1);
    {
      gort::Mutex mu;
      gort::test::Goroutines gs;
      mu.lock();
      block_for(gs, rt::WaitReason::SyncMutexLock, 50ms, [&mu] { mprof_blocked_lock(mu); },
                [&] { mprof_unlock_site(mu); });
    }
    EXPECT_EQ(gort::set_mutex_profile_fraction(previous), 1);
    const auto profile = rt::mutex_profile();
    const auto unlocker = block_record_of(profile, "mprof_unlock_site");
    EXPECT_EQ(unlocker.count - before.count, 1);
    EXPECT_GE(unlocker.cycles - before.cycles, 50'000'000);
    // The waiter's stack is not charged (its own unlock found no waiter).
    EXPECT_EQ(block_record_of(profile, "mprof_blocked_lock").count, 0);
  });
}

// Sampling, sweeping, rate changes and block/mutex events from several
// goroutines on every P at once (the sanitizer builds check the locking).
TEST(Mprof, ConcurrentSamplingSweepingAndEvents) {
  gort::run([] {
    gort::set_block_profile_rate(1);
    const int previous = gort::set_mutex_profile_fraction(1);
    const int rounds = gort::test::scaled(200);
    {
      gort::Mutex mu;
      auto c = gort::make_chan<int>();
      gort::test::Goroutines gs;
      for (int w = 0; w < 4; ++w) {
        gs.go([&, w] {
          for (int i = 0; i < rounds; ++i) {
            if (w == 0 && i % 20 == 0) gort::set_mem_profile_rate(i % 40 == 0 ? 1 : 256);
            mprof_site_rate_one(50);
            std::lock_guard<gort::Mutex> g(mu);
            if (i % 50 == 0) gort::gc::collect();
          }
        });
      }
      gs.go([&] {
        for (int i = 0; i < rounds; ++i) c.send(i);
      });
      gs.go([&] {
        for (int i = 0; i < rounds; ++i) c.recv();
      });
    }
    gort::set_mem_profile_rate(rt::kDefaultMemProfileRate);
    gort::set_block_profile_rate(0);
    gort::set_mutex_profile_fraction(previous);
    gort::gc::collect();
    for (const auto& r : rt::mem_profile(true)) {
      EXPECT_LE(r.free_objects, r.alloc_objects);
      EXPECT_LE(r.free_bytes, r.alloc_bytes);
    }
  });
}

namespace {

__attribute__((noinline, noipa)) void mprof_site_end_to_end(int n) {
  for (int i = 0; i < n; ++i) gort::gc::make<Blob<300>>();
}


}  // namespace

// The heap and block profiles written as files and read back by go tool pprof.
TEST(MprofEndToEnd, HeapAndBlockProfilesReadByGoToolPprof) {
  const std::string heap = "/tmp/gort_mprof_test_heap_" + std::to_string(::getpid()) + ".pb.gz";
  const std::string block = "/tmp/gort_mprof_test_block_" + std::to_string(::getpid()) + ".pb.gz";
  gort::run([&] {
    {
      // The writer unsamples with the rate in force when it writes (Go's
      // MemProfileRate), so the profile is written before the rate goes back.
      MemRateScope rate(1);
      mprof_site_end_to_end(3000);
      gort::gc::collect();
      gort::pprof::write_heap_profile(heap);
    }
    gort::set_block_profile_rate(1);
    {
      auto c = gort::make_chan<int>();
      gort::test::Goroutines gs;
      block_for(gs, rt::WaitReason::ChanReceive, 20ms, [c] { mprof_blocked_receiver(c); }, [&] { c.send(1); });
    }
    gort::set_block_profile_rate(0);
    gort::pprof::lookup("block").write_to(block);
  });
  const std::string top = gort::test::go_tool_pprof({"-sample_index=alloc_objects", "-top"}, heap);
  EXPECT_NE(top.find("mprof_site_end_to_end"), std::string::npos) << top;
  if (std::getenv("GORT_MPROF_SHOW") != nullptr) std::fputs(top.c_str(), stderr);
  const std::string traces = gort::test::go_tool_pprof({"-sample_index=delay", "-traces"}, block);
  EXPECT_NE(traces.find("mprof_blocked_receiver"), std::string::npos) << traces;
  std::remove(heap.c_str());
  std::remove(block.c_str());
}
