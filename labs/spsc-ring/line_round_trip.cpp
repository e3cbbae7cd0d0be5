// line_round_trip.cpp — one line bounced between two goroutines (see line_round_trip.hpp).
#include "line_round_trip.hpp"

#include <gort/gort.hpp>
#include <spsc_ring.hpp>

#include <atomic>
#include <chrono>

namespace spsclab {

namespace {

/// The bounced counter, alone on its line.
struct alignas(spsc::kCacheLineBytes) Line {
  /// 2k: the first side's turn; 2k+1: the second side's.
  std::atomic<std::uint64_t> turn{0};
};

/// Takes `steps` turns of parity `parity`: waits for the counter to show this
/// side's parity, then advances it.
void take_turns(Line* line, std::uint64_t parity, std::uint64_t steps, WaitPolicy wait) {
  for (std::uint64_t i = 0; i < steps; ++i) {
    std::uint64_t v = 0;
    retry_until(
        [&] {
          v = line->turn.load(std::memory_order_acquire);
          return (v & 1) == parity;
        },
        wait);
    line->turn.store(v + 1, std::memory_order_release);
  }
}

}  // namespace

std::int64_t time_line_round_trips(std::uint64_t round_trips, WaitPolicy wait) {
  Line line;
  gort::WaitGroup wg;
  wg.add(2);
  const auto start = std::chrono::steady_clock::now();
  gort::go([&] {
    take_turns(&line, 1, round_trips, wait);
    wg.done();
  });
  gort::go([&] {
    take_turns(&line, 0, round_trips, wait);
    wg.done();
  });
  wg.wait();
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace spsclab
