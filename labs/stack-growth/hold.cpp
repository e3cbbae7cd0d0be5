// hold.cpp — the hold-and-measure protocol (see hold.hpp).
#include "hold.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "memory_probe.hpp"
#include "runtime_stats.hpp"

namespace stacklab {

namespace {

/// resident_bytes, or an exception naming the range when mincore refuses it
/// (a range the lab believed mapped is not: better no report than a wrong one).
std::uint64_t resident_or_throw(std::uintptr_t lo, std::uintptr_t hi) {
  if (auto r = resident_bytes(lo, hi)) return *r;
  throw std::runtime_error(fmt::format("mincore refused the stack range [{:#x}, {:#x})", lo, hi));
}

}  // namespace

Hold::Hold(int goroutines, int bottoms)
    : spans_(static_cast<std::size_t>(goroutines)), release_(gort::make_chan<int>()) {
  arrived_.add(bottoms);
}

void Hold::at_deepest(int index, std::uintptr_t entry, std::uintptr_t deepest, bool bottom) {
  spans_[static_cast<std::size_t>(index)] = Span{entry, deepest};
  if (!bottom) return;
  arrived_.done();
  (void)release_.recv2();  // returns when release() closes the channel
}

void Hold::wait_arrivals() { arrived_.wait(); }

void Hold::release() { release_.close(); }

HeldSnapshot Hold::measure(std::string label, int n, std::uint64_t slot_window_bytes) const {
  HeldSnapshot s;
  s.label = std::move(label);
  s.n = n;
  s.goroutines = static_cast<int>(spans_.size());
  std::uint64_t used_sum = 0;
  std::uint64_t slot_resident = 0;
  for (const Span& sp : spans_) {
    if (sp.entry == 0 || sp.deepest > sp.entry) throw std::logic_error("hold: a goroutine did not report its frames");
    const std::uint64_t used = sp.entry - sp.deepest;
    used_sum += used;
    s.used_bytes_max = std::max(s.used_bytes_max, used);
    s.resident_used_bytes += resident_or_throw(sp.deepest, sp.entry);
    if (slot_window_bytes > 0) slot_resident += resident_or_throw(sp.entry - slot_window_bytes, sp.entry);
  }
  s.used_bytes_mean = spans_.empty() ? 0 : static_cast<double>(used_sum) / static_cast<double>(spans_.size());
  if (slot_window_bytes > 0) s.resident_slot_bytes = slot_resident;
  s.process = read_process_stacks();
  return s;
}

}  // namespace stacklab
