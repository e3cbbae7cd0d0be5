// transfer.cpp — producer and consumer goroutines around each queue (see transfer.hpp).
#include <spsclab/transfer.hpp>

#include <gort/gort.hpp>
#include <spsc_ring.hpp>

#include <chrono>
#include <cstdint>
#include <memory>

#include <spsclab/mutex_queue.hpp>

namespace spsclab {
namespace {

/// Runs produce() and consume() as two goroutines and returns the wall time
/// until both have returned.
template <class Produce, class Consume>
std::int64_t time_pair(Produce&& produce, Consume&& consume) {
  gort::WaitGroup wg;
  wg.add(2);
  const auto start = std::chrono::steady_clock::now();
  gort::go([&] {
    consume();
    wg.done();
  });
  gort::go([&] {
    produce();
    wg.done();
  });
  wg.wait();
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count();
}

/// A transfer through a queue with try_push/try_pop (ring or mutex queue),
/// waiting as config.wait says whenever a side is blocked.
template <class Queue>
TransferRun transfer_polling(Queue& q, const TransferConfig& config) {
  TransferRun run;
  bool in_order = true;
  const WaitPolicy wait = config.wait;
  run.ns = time_pair(
      [&] {
        std::uint64_t waits = 0;
        for (std::uint64_t i = 0; i < config.messages; ++i) {
          waits += retry_until([&] { return q.try_push(i); }, wait);
        }
        run.producer_waits = waits;
      },
      [&] {
        std::uint64_t waits = 0;
        std::uint64_t v = 0;
        for (std::uint64_t expected = 0; expected < config.messages; ++expected) {
          waits += retry_until([&] { return q.try_pop(&v); }, wait);
          in_order = in_order && v == expected;
        }
        run.consumer_waits = waits;
      });
  run.in_order = in_order;
  return run;
}

/// A transfer through a spsc::Ring of layout L and index reads R, with its
/// index placement.
template <spsc::IndexLayout L, spsc::OtherIndex R>
TransferRun transfer_ring(const TransferConfig& config) {
  // On the heap: the ring is over-aligned (64) and the lab's goroutine stacks
  // are better spent elsewhere; it is allocated before the timed part.
  auto ring = std::make_unique<spsc::Ring<std::uint64_t, L, R>>(config.capacity);
  TransferRun run = transfer_polling(*ring, config);
  const auto head = reinterpret_cast<std::uintptr_t>(ring->head_address());
  const auto tail = reinterpret_cast<std::uintptr_t>(ring->tail_address());
  run.placement = IndexPlacement{static_cast<std::int64_t>(tail - head),
                                 head / spsc::kCacheLineBytes == tail / spsc::kCacheLineBytes};
  return run;
}

/// A transfer through a buffered channel of config.capacity.
TransferRun transfer_chan(const TransferConfig& config) {
  auto c = gort::make_chan<std::uint64_t>(static_cast<std::int64_t>(config.capacity));
  TransferRun run;
  bool in_order = true;
  run.ns = time_pair(
      [&] {
        for (std::uint64_t i = 0; i < config.messages; ++i) c.send(i);
      },
      [&] {
        for (std::uint64_t expected = 0; expected < config.messages; ++expected) {
          in_order = in_order && c.recv() == expected;
        }
      });
  run.in_order = in_order;
  return run;
}

}  // namespace

TransferRun run_transfer(Variant v, const TransferConfig& config) {
  switch (v) {
    case Variant::kRing:
      return transfer_ring<spsc::IndexLayout::kPadded, spsc::OtherIndex::kReadEveryTime>(config);
    case Variant::kRingWithoutPad:
      return transfer_ring<spsc::IndexLayout::kSharedLine, spsc::OtherIndex::kReadEveryTime>(config);
    case Variant::kCachedRing:
      return transfer_ring<spsc::IndexLayout::kPadded, spsc::OtherIndex::kCached>(config);
    case Variant::kCachedRingWithoutPad:
      return transfer_ring<spsc::IndexLayout::kSharedLine, spsc::OtherIndex::kCached>(config);
    case Variant::kChan: return transfer_chan(config);
    case Variant::kMutexQueue: {
      MutexQueue q(config.capacity);
      return transfer_polling(q, config);
    }
  }
  return {};
}

}  // namespace spsclab
