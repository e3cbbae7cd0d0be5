// spsc_ring_alloc_test.cpp — the course's CI gate for the SPSC ring: a
// zero-allocation guard on the hot path.  gort_lab_alloc_counter replaces
// every global operator new in this test binary and counts each C++ heap
// allocation process-wide; push and pop must add none, on one thread and with
// a producer and a consumer thread running.  The ring's only allocation is its
// slot array, in the constructor.
#include <gtest/gtest.h>
#include <lab/alloc_counter.hpp>
#include <spsc_ring.hpp>

#include <atomic>
#include <cstdint>
#include <new>
#include <thread>

namespace {

/// C++ heap allocations of the whole process so far.
std::uint64_t allocations() { return lab::read_cxx_heap_counts().allocations; }

// The guard would be worthless if the counter missed allocations.
TEST(LabSpscRingAlloc, CounterSeesAnAllocation) {
  const std::uint64_t before = allocations();
  void* p = ::operator new(64);  // a call of the function, which no compiler may elide
  const std::uint64_t after = allocations();
  ::operator delete(p);
  EXPECT_EQ(after - before, 1u);
}

TEST(LabSpscRingAlloc, ConstructionAllocatesTheSlotsOnce) {
  const std::uint64_t before = allocations();
  spsc::Ring<std::uint64_t> ring(1024);
  EXPECT_EQ(allocations() - before, 1u);
}

template <spsc::IndexLayout L, spsc::OtherIndex R>
void expect_push_pop_allocate_nothing() {
  spsc::Ring<std::uint64_t, L, R> ring(64);
  std::uint64_t v = 0, sum = 0;
  const std::uint64_t before = allocations();
  for (std::uint64_t i = 0; i < 100'000; ++i) {
    ASSERT_TRUE(ring.try_push(i));
    if (i % 3 == 0) {
      ASSERT_TRUE(ring.try_push(i));
    }
    ASSERT_TRUE(ring.try_pop(&v));
    sum += v;
    if (i % 3 == 0) {
      ring.pop(&v, [] {});
      ring.push(v, [] {});
      ring.pop(&v, [] {});
    }
  }
  while (ring.try_pop(&v)) sum += v;
  EXPECT_EQ(allocations() - before, 0u) << "push and pop allocated (sum " << sum << ")";
}

TEST(LabSpscRingAlloc, PushAndPopAllocateNothing) {
  expect_push_pop_allocate_nothing<spsc::IndexLayout::kPadded, spsc::OtherIndex::kReadEveryTime>();
  expect_push_pop_allocate_nothing<spsc::IndexLayout::kSharedLine, spsc::OtherIndex::kReadEveryTime>();
  expect_push_pop_allocate_nothing<spsc::IndexLayout::kPadded, spsc::OtherIndex::kCached>();
  expect_push_pop_allocate_nothing<spsc::IndexLayout::kSharedLine, spsc::OtherIndex::kCached>();
}

// The hot path as the lab runs it: a producer and a consumer thread, counted
// from when both are running to when both are done (thread start and join,
// which allocate, stay outside the window).
TEST(LabSpscRingAlloc, ATransferBetweenTwoThreadsAllocatesNothing) {
  constexpr std::uint64_t kMessages = 200'000;
  spsc::Ring<std::uint64_t> ring(256);
  std::atomic<int> ready{0}, done{0};
  std::atomic<bool> go{false};
  std::uint64_t wrong = 0;
  const auto wait_for_go = [&] {
    ready.fetch_add(1);
    while (!go.load()) std::this_thread::yield();
  };
  std::thread consumer([&] {
    wait_for_go();
    std::uint64_t v = 0;
    for (std::uint64_t expected = 0; expected < kMessages; ++expected) {
      ring.pop(&v, [] { std::this_thread::yield(); });
      wrong += v != expected ? 1 : 0;
    }
    done.fetch_add(1);
  });
  std::thread producer([&] {
    wait_for_go();
    for (std::uint64_t i = 0; i < kMessages; ++i) ring.push(i, [] { std::this_thread::yield(); });
    done.fetch_add(1);
  });
  while (ready.load() < 2) std::this_thread::yield();
  const std::uint64_t before = allocations();
  go.store(true);
  while (done.load() < 2) std::this_thread::yield();
  const std::uint64_t after = allocations();
  producer.join();
  consumer.join();
  EXPECT_EQ(wrong, 0u);
  EXPECT_EQ(after - before, 0u);
}

}  // namespace
