// variants.cpp — names and descriptions of the compared queues (see variants.hpp).
#include <spsclab/variants.hpp>

namespace spsclab {

const std::vector<Variant>& all_variants() {
  static const std::vector<Variant> kAll{Variant::kRing,       Variant::kRingWithoutPad,
                                         Variant::kCachedRing, Variant::kCachedRingWithoutPad,
                                         Variant::kChan,       Variant::kMutexQueue};
  return kAll;
}

const char* variant_name(Variant v) {
  switch (v) {
    case Variant::kRing: return "ring";
    case Variant::kRingWithoutPad: return "withoutPad";
    case Variant::kCachedRing: return "cached";
    case Variant::kCachedRingWithoutPad: return "cachedWithoutPad";
    case Variant::kChan: return "chan";
    case Variant::kMutexQueue: return "mutex";
  }
  return "?";
}

const char* variant_description(Variant v) {
  switch (v) {
    case Variant::kRing: return "SPSC ring, head and tail on cache lines of their own";
    case Variant::kRingWithoutPad: return "SPSC ring, head and tail on one cache line";
    case Variant::kCachedRing: return "SPSC ring with cached copies of the other index, padded";
    case Variant::kCachedRingWithoutPad: return "SPSC ring with cached copies of the other index, one cache line";
    case Variant::kChan: return "buffered channel of the same capacity";
    case Variant::kMutexQueue: return "mutex-protected circular buffer of the same capacity";
  }
  return "?";
}

std::optional<Variant> parse_variant(const std::string& name) {
  for (Variant v : all_variants()) {
    if (name == variant_name(v)) return v;
  }
  return std::nullopt;
}

}  // namespace spsclab
