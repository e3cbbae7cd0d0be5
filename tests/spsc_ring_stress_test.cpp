// spsc_ring_stress_test.cpp — the spsc-ring lab's ring itself
// (labs/spsc-ring/include/spsc_ring.hpp), in both layouts and both ways of
// reading the other index: full and empty edges, the 64-bit index wrap, the
// layouts, and many bounded producer/consumer runs on two
// threads, each checking that every value arrives once and in order — the
// course's `go test -race -count=1000`, which the TSAN build of this test is
// at half the count (ThreadSanitizer reports any slot access the
// acquire/release pairs fail to order).
#include <gtest/gtest.h>
#include <spsc_ring.hpp>

#include <atomic>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <thread>

#include "test_util.hpp"

namespace {

/// A value whose halves must agree: a torn or stale slot read shows up as a
/// mismatch even where TSAN is not watching.
struct Message {
  std::uint64_t seq = 0;
  std::uint64_t check = 0;
};

Message message(std::uint64_t seq) { return {seq, ~seq * 0x9E3779B97F4A7C15ull}; }

/// Fills a ring of each capacity to the brim and drains it, checking the
/// answers at both edges and the order, starting at `start`.
template <spsc::IndexLayout L, spsc::OtherIndex R>
void check_full_and_empty_edges(std::uint64_t start) {
  for (std::size_t capacity : {1u, 2u, 4u, 8u, 64u}) {
    spsc::Ring<std::uint64_t, L, R> ring(capacity, start);
    std::uint64_t v = 12345;
    EXPECT_FALSE(ring.try_pop(&v)) << "a new ring is empty";
    EXPECT_EQ(v, 12345u) << "a failed pop leaves *out alone";
    std::uint64_t next_in = 0, next_out = 0;
    // Three times round: fill, one more refused; half drain, refill; drain, one more refused.
    for (int lap = 0; lap < 3; ++lap) {
      while (ring.size() < capacity) ASSERT_TRUE(ring.try_push(next_in++));
      EXPECT_FALSE(ring.try_push(999)) << "full at capacity " << capacity;
      EXPECT_EQ(ring.size(), capacity);
      for (std::size_t i = 0; i < (capacity + 1) / 2; ++i) {
        ASSERT_TRUE(ring.try_pop(&v));
        EXPECT_EQ(v, next_out++);
      }
      while (ring.size() < capacity) ASSERT_TRUE(ring.try_push(next_in++));
      EXPECT_FALSE(ring.try_push(999));
      while (ring.try_pop(&v)) EXPECT_EQ(v, next_out++);
      EXPECT_EQ(ring.size(), 0u);
      EXPECT_FALSE(ring.try_pop(&v)) << "empty after draining at capacity " << capacity;
    }
    EXPECT_EQ(next_in, next_out);
  }
}

/// check_full_and_empty_edges for every layout and way of reading the other index.
void check_every_kind(std::uint64_t start) {
  check_full_and_empty_edges<spsc::IndexLayout::kPadded, spsc::OtherIndex::kReadEveryTime>(start);
  check_full_and_empty_edges<spsc::IndexLayout::kSharedLine, spsc::OtherIndex::kReadEveryTime>(start);
  check_full_and_empty_edges<spsc::IndexLayout::kPadded, spsc::OtherIndex::kCached>(start);
  check_full_and_empty_edges<spsc::IndexLayout::kSharedLine, spsc::OtherIndex::kCached>(start);
}

TEST(LabSpscRingRing, FullAndEmptyEdges) { check_every_kind(0); }

// The indices are free-running 64-bit counters: started just below 2^64 they
// wrap to 0 within the first laps, and full/empty and the slot mapping must
// not notice (tail - head is modular; 2^64 is a multiple of the capacity).
TEST(LabSpscRingRing, IndicesWrapAround2To64) {
  check_every_kind(std::numeric_limits<std::uint64_t>::max() - 5);
}

TEST(LabSpscRingRing, RefusesACapacityThatIsNotAPowerOfTwo) {
  for (std::size_t capacity : {0ul, 3ul, 6ul, 1000ul, (1ul << 32) + 1, 1ul << 33}) {
    EXPECT_THROW((spsc::Ring<std::uint64_t>(capacity)), std::invalid_argument) << capacity;
  }
}

TEST(LabSpscRingRing, LayoutPutsTheIndicesWhereItsNameSays) {
  spsc::Ring<std::uint64_t, spsc::IndexLayout::kPadded> padded(16);
  spsc::Ring<std::uint64_t, spsc::IndexLayout::kSharedLine> shared(16);
  const auto line = [](const void* p) { return reinterpret_cast<std::uintptr_t>(p) / spsc::kCacheLineBytes; };
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(padded.head_address()) % spsc::kCacheLineBytes, 0u);
  EXPECT_NE(line(padded.head_address()), line(padded.tail_address()));
  EXPECT_EQ(line(shared.head_address()), line(shared.tail_address()));
  // Nothing else of the ring shares the indices' lines: the ring is the
  // indices' lines plus one line of read-only fields.
  EXPECT_EQ(sizeof(padded), 3 * spsc::kCacheLineBytes);
  EXPECT_EQ(sizeof(shared), 2 * spsc::kCacheLineBytes);
  // The cached copies sit with their owner's index: the same sizes.
  EXPECT_EQ((sizeof(spsc::Ring<std::uint64_t, spsc::IndexLayout::kPadded, spsc::OtherIndex::kCached>)),
            3 * spsc::kCacheLineBytes);
  EXPECT_EQ((sizeof(spsc::Ring<std::uint64_t, spsc::IndexLayout::kSharedLine, spsc::OtherIndex::kCached>)),
            2 * spsc::kCacheLineBytes);
}

/// One producer thread and one consumer thread pass `messages` values through
/// a ring of `capacity` whose indices start at `start`; returns the number of
/// values that arrived out of order or damaged (0 expected).  Both sides yield
/// the thread when blocked, so the run ends whatever the machine's load.
template <spsc::IndexLayout L, spsc::OtherIndex R>
std::uint64_t transfer_on_two_threads(std::size_t capacity, std::uint64_t start, std::uint64_t messages) {
  spsc::Ring<Message, L, R> ring(capacity, start);
  std::uint64_t wrong = 0;
  std::thread consumer([&] {
    Message m;
    for (std::uint64_t expected = 0; expected < messages; ++expected) {
      ring.pop(&m, [] { std::this_thread::yield(); });
      const Message want = message(expected);
      wrong += (m.seq != want.seq || m.check != want.check) ? 1 : 0;
    }
  });
  std::thread producer([&] {
    for (std::uint64_t i = 0; i < messages; ++i) ring.push(message(i), [] { std::this_thread::yield(); });
  });
  producer.join();
  consumer.join();
  Message leftover;
  wrong += ring.try_pop(&leftover) ? 1 : 0;  // nothing beyond the last value
  return wrong;
}

/// One run of transfer_on_two_threads with the kind `kind` (0-3: padded or
/// shared line, read every time or cached).
std::uint64_t transfer_of_kind(int kind, std::size_t capacity, std::uint64_t start, std::uint64_t messages) {
  using spsc::IndexLayout;
  using spsc::OtherIndex;
  switch (kind) {
    case 0: return transfer_on_two_threads<IndexLayout::kPadded, OtherIndex::kReadEveryTime>(capacity, start, messages);
    case 1:
      return transfer_on_two_threads<IndexLayout::kSharedLine, OtherIndex::kReadEveryTime>(capacity, start, messages);
    case 2: return transfer_on_two_threads<IndexLayout::kPadded, OtherIndex::kCached>(capacity, start, messages);
    default: return transfer_on_two_threads<IndexLayout::kSharedLine, OtherIndex::kCached>(capacity, start, messages);
  }
}

// The course's -count=1000: a thousand bounded runs of one producer and one
// consumer, over both layouts and both ways of reading the other index,
// capacities from 1 (every message meets a full and an empty ring) to 256,
// and every fourth run with indices that wrap through 2^64 mid-run.  The
// sanitizer builds run half, as every stress test there does
// (gort::test::scaled): under TSAN each run's two new threads cost ~25 ms
// alone, and the thousand took 45 s (the course's -race gate asks -count=100).
TEST(LabSpscRingRing, AThousandProducerConsumerRunsDeliverEveryValueOnceInOrder) {
  const int kRuns = gort::test::scaled(1000);
  constexpr std::uint64_t kMessages = 2000;
  const std::size_t capacities[] = {1, 2, 4, 16, 256};
  for (int run = 0; run < kRuns; ++run) {
    const std::size_t capacity = capacities[run % 5];
    const std::uint64_t start = run % 4 == 3 ? std::numeric_limits<std::uint64_t>::max() - kMessages / 2 : 0;
    const int kind = (run / 5) % 4;  // every kind meets every capacity
    const std::uint64_t wrong = transfer_of_kind(kind, capacity, start, kMessages);
    ASSERT_EQ(wrong, 0u) << "run " << run << ", kind " << kind << ", capacity " << capacity << ", start " << start;
  }
}

}  // namespace
