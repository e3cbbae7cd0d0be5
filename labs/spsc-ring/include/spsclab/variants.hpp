// variants.hpp — the queues the lab compares, by the names its flags, JSON and
// Go twin share.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace spsclab {

/// One queue the producer and the consumer can talk through.
enum class Variant {
  /// spsc::Ring with head and tail on cache lines of their own.
  kRing,
  /// spsc::Ring with head and tail on one cache line (the course's withoutPad).
  kRingWithoutPad,
  /// spsc::Ring with padded indices and cached copies of the other side's index.
  kCachedRing,
  /// spsc::Ring with cached copies and everything on one cache line.
  kCachedRingWithoutPad,
  /// A buffered gort::Chan<uint64_t> of the same capacity.
  kChan,
  /// A gort::Mutex-protected circular buffer of the same capacity.
  kMutexQueue,
};

/// Every variant in the lab's order (the report's rows).
const std::vector<Variant>& all_variants();

/// The variant's flag and JSON name: "ring", "withoutPad", "cached",
/// "cachedWithoutPad", "chan", "mutex".
const char* variant_name(Variant v);

/// A short description for the report ("ring, head/tail padded to 64 B").
const char* variant_description(Variant v);

/// The variant named `name` (variant_name's spelling), or nullopt.
std::optional<Variant> parse_variant(const std::string& name);

}  // namespace spsclab
