// transfer.hpp — one run of the experiment: a producer goroutine sends the
// values 0, 1, ..., messages-1 through one queue to a consumer goroutine, which
// checks that each arrives once and in order.  Shared by spsc-ring and
// chan-bench (library gort_lab_spsc_transfer, queues.cmake).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include <spsclab/variants.hpp>
#include <spsclab/wait_policy.hpp>

namespace spsclab {

/// What one run sends, and through what.
struct TransferConfig {
  /// Values sent (the course's 10M in a full run).
  std::uint64_t messages = 0;
  /// Slots of the ring, the channel's buffer and the mutex queue: a power of
  /// two for the rings, at least 1 for the mutex queue, any size for the
  /// channel (0: unbuffered).
  std::size_t capacity = 0;
  /// What a ring or mutex-queue side does when full or empty (channels park).
  WaitPolicy wait = WaitPolicy::kBackoff;
};

/// Where a ring's indices were (ring variants only).
struct IndexPlacement {
  /// Bytes from head's address to tail's.
  std::int64_t head_to_tail_bytes = 0;
  /// head and tail fall on the same 64-byte line.
  bool same_cache_line = false;
};

/// What one run measured.
struct TransferRun {
  /// Wall time from starting the two goroutines to both having finished.
  std::int64_t ns = 0;
  /// Times the producer found the queue full / the consumer found it empty
  /// (0 for channels, which park instead).
  std::uint64_t producer_waits = 0;
  std::uint64_t consumer_waits = 0;
  /// Every value arrived once and in order.
  bool in_order = false;
  /// The ring's index placement (ring variants).
  std::optional<IndexPlacement> placement;
};

/// Runs one transfer through variant v.  Precondition: called from a goroutine
/// (inside gort::run); config.messages >= 1; config.capacity as TransferConfig
/// says for v.
TransferRun run_transfer(Variant v, const TransferConfig& config);

}  // namespace spsclab
