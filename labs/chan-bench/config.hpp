// config.hpp — the parameters of the lab's three parts, decided by the
// command line (options.hpp) and passed on to the Go twin unchanged.
#pragma once

#include <spsclab/wait_policy.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace chanbench {

/// Part 1: one producer, one consumer, several queues.
struct ThroughputConfig {
  /// The variants' names (throughput.hpp), in report order.
  std::vector<std::string> variants;
  /// Values per run (the course: 10M).
  std::uint64_t messages = 0;
  /// Slots of the mutex queue and the ring (a power of two); the channels'
  /// capacities are in their names.
  std::size_t capacity = 0;
  /// Timed runs per variant.
  int runs = 0;
  /// How a blocked mutex-queue or ring side waits.
  spsclab::WaitPolicy wait = spsclab::WaitPolicy::kBackoff;
};

/// Part 2: the nil-channel select toggle.
struct ToggleConfig {
  /// Values upstream A sends before closing; upstream B sends half as many,
  /// so it closes first and the run shows a closed case being disabled too.
  std::uint64_t a_messages = 0;
};

/// Part 3: the unbounded bridge.
struct BridgeConfig {
  /// Most messages the producer sends.
  std::uint64_t max_messages = 0;
  /// The run stops at this time whatever is left.
  std::chrono::nanoseconds limit{};
  /// The slow consumer's pause after each message.
  std::chrono::nanoseconds consumer_delay{};
  /// How often memory is sampled.
  std::chrono::nanoseconds sample_every{};
};

/// Everything one run does.
struct LabConfig {
  /// Which parts run.
  bool run_throughput = true, run_toggle = true, run_bridge = true;
  ThroughputConfig throughput;
  ToggleConfig toggle;
  BridgeConfig bridge;
  /// GOMAXPROCS for every part.
  int procs = 2;
};

}  // namespace chanbench
