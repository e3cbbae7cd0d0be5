// heap_arrays.cpp — the array child on gort (see heap_arrays.hpp).
#include "heap_arrays.hpp"

#include <fmt/format.h>
#include <gort/gort.hpp>

#include <sys/resource.h>

#include <chrono>
#include <cstdio>

#include "results.hpp"
#include "structs.hpp"

namespace layoutlab {

namespace {

namespace gc = gort::gc;
using Clock = std::chrono::steady_clock;

/// Nanoseconds from a to b.
std::int64_t ns_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(b - a).count();
}

/// Minor page faults of this process so far (getrusage's ru_minflt).
std::uint64_t minor_faults() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<std::uint64_t>(u.ru_minflt);
}

/// The managed objects every Node of an array points at: one name, one next
/// node (shared, so marking follows two pointers per element to objects
/// already grey after the first, as in the Go twin).
template <class N>
struct NodeTargets {
  gc::String name{"node"};
  gc::Ref<N> next = gc::make<N>();
};

// Writes element i's fields once (every byte of the array gets touched, as
// Go's fill loop touches it); values are arbitrary but not zero.
void set_fields(Sandwich& s, std::uint64_t i) { s = {true, static_cast<std::int64_t>(i), false, 1, true}; }
void set_fields(SandwichPacked& s, std::uint64_t i) { s = {static_cast<std::int64_t>(i), 1, true, false, true}; }
void set_fields(Mixed& m, std::uint64_t i) { m = {1, static_cast<std::uint32_t>(i), 2, i, 3, 4}; }
void set_fields(MixedPacked& m, std::uint64_t i) { m = {i, static_cast<std::uint32_t>(i), 4, 2, 1, 3}; }
void set_fields(Nested& n, std::uint64_t i) { n = {true, {static_cast<std::int64_t>(i), true}, false}; }
void set_fields(NestedPacked& n, std::uint64_t i) { n = {{static_cast<std::int64_t>(i), true}, true, false}; }
void set_fields(Narrow& n, std::uint64_t i) { n = {true, 2, false, static_cast<std::int32_t>(i), true, 3}; }
void set_fields(NarrowPacked& n, std::uint64_t i) { n = {static_cast<std::int32_t>(i), 2, 3, true, false, true}; }
template <class N>
void set_node(N& n, std::uint64_t i, const NodeTargets<N>& to) {
  n.active = true;
  n.name = to.name;
  n.count = static_cast<std::int64_t>(i);
  n.enabled = true;
  n.next = to.next;
  n.score = 1.5f;
}

/// Forces `rounds` cycles and fills the child's cycle numbers and pauses.
void measured_cycles(int rounds, ArrayChild* out) {
  out->num_gc_before = gort::read_mem_stats().NumGC;
  for (int r = 0; r < rounds; ++r) gc::collect();
  const gort::MemStats end = gort::read_mem_stats();
  out->num_gc_after = end.NumGC;
  for (std::uint32_t k = out->num_gc_before + 1; k <= out->num_gc_after; ++k) {
    out->pause_ns.push_back(end.PauseNs[(k + 255) % 256]);
  }
}

/// The measurement for element type T.
template <class T, class Fill>
ArrayChild measure(const ArrayParams& p, Fill fill) {
  ArrayChild out;
  out.name = p.name;
  out.layout = p.layout;
  out.elements = p.elements;
  out.element_bytes = sizeof(T);
  out.scannable = gc::Traceable<T>;
  gc::collect();
  const gort::MemStats settled = gort::read_mem_stats();
  out.heap_alloc_before = settled.HeapAlloc;
  out.num_gc_start = settled.NumGC;
  const std::uint64_t faults = minor_faults();
  const auto t0 = Clock::now();
  gc::Slice<T> s = gc::make_slice<T>(p.elements);
  const auto t1 = Clock::now();
  for (std::uint64_t i = 0; i < p.elements; ++i) fill(s[i], i);
  const auto t2 = Clock::now();
  out.page_faults = minor_faults() - faults;
  out.make_ns = ns_between(t0, t1);
  out.fill_ns = ns_between(t1, t2);
  out.heap_alloc_after = gort::read_mem_stats().HeapAlloc;
  measured_cycles(p.rounds, &out);
  // The array is used after the cycles, so it is live (on this goroutine's
  // stack) through every one of them.
  if (p.elements > 0 && s.data() == nullptr) throw std::runtime_error("the array vanished");
  return out;
}

/// The measurement for the bad (Bad) or packed (Packed) struct of a pair.
template <class Bad, class Packed>
ArrayChild measure_pair(const ArrayParams& p) {
  const auto fill_bad = [](Bad& e, std::uint64_t i) { set_fields(e, i); };
  const auto fill_packed = [](Packed& e, std::uint64_t i) { set_fields(e, i); };
  return p.layout == "bad" ? measure<Bad>(p, fill_bad) : measure<Packed>(p, fill_packed);
}

/// The Node pair: the fill also points every element at the shared targets.
ArrayChild measure_nodes(const ArrayParams& p) {
  if (p.layout == "bad") {
    NodeTargets<Node> to;
    return measure<Node>(p, [&to](Node& e, std::uint64_t i) { set_node(e, i, to); });
  }
  NodeTargets<NodePacked> to;
  return measure<NodePacked>(p, [&to](NodePacked& e, std::uint64_t i) { set_node(e, i, to); });
}

/// The empty-heap baseline: the same cycles without an array.
ArrayChild measure_none(const ArrayParams& p) {
  ArrayChild out;
  out.name = out.layout = "none";
  gc::collect();
  const gort::MemStats settled = gort::read_mem_stats();
  out.heap_alloc_before = out.heap_alloc_after = settled.HeapAlloc;
  out.num_gc_start = settled.NumGC;
  measured_cycles(p.rounds, &out);
  return out;
}

}  // namespace

std::vector<std::string> array_child_args(const ArrayParams& p) {
  return {"--child-array", p.name + "/" + p.layout, "--elements", std::to_string(p.elements), "--gc-rounds",
          std::to_string(p.rounds)};
}

int run_array_child(const ArrayParams& p) {
  const bool known_layout = p.layout == "bad" || p.layout == "packed" || (p.layout == "none" && p.name == "none");
  if (!known_layout) {
    fmt::print(stderr, "layout-forensics: --child-array {}/{}: unknown layout\n", p.name, p.layout);
    return 2;
  }
  ArrayChild result;
  std::string failure;
  gort::run([&] {
    try {
      if (p.name == "none") {
        result = measure_none(p);
      } else if (p.name == "Sandwich") {
        result = measure_pair<Sandwich, SandwichPacked>(p);
      } else if (p.name == "Mixed") {
        result = measure_pair<Mixed, MixedPacked>(p);
      } else if (p.name == "Node") {
        result = measure_nodes(p);
      } else if (p.name == "Nested") {
        result = measure_pair<Nested, NestedPacked>(p);
      } else if (p.name == "Narrow") {
        result = measure_pair<Narrow, NarrowPacked>(p);
      } else {
        failure = "unknown struct " + p.name;
      }
    } catch (const std::exception& e) {
      failure = e.what();
    }
  });
  if (!failure.empty()) {
    fmt::print(stderr, "layout-forensics: array child: {}\n", failure);
    return 2;
  }
  std::fputs((nlohmann::json(result).dump() + "\n").c_str(), stdout);
  return 0;
}

}  // namespace layoutlab
