// toggle.cpp — the nil-channel select toggle (see toggle.hpp).
#include "toggle.hpp"

#include <gort/gort.hpp>

#include <chrono>
#include <cstdint>

namespace chanbench {

namespace {

using Upstream = gort::Chan<std::uint64_t>;

/// How the selector treats its two cases (toggle.hpp's three modes).
enum class Mode { kToggle, kBoth, kClosedNotNil };

/// The mode's JSON and report name.
const char* mode_name(Mode m) {
  switch (m) {
    case Mode::kToggle: return "toggle";
    case Mode::kBoth: return "both";
    case Mode::kClosedNotNil: return "closedNotNil";
  }
  return "?";
}

/// Fills a with 0..na-1 and b with 0..nb-1, each from a goroutine of its own
/// that then closes it, and returns once both goroutines have finished.
/// Precondition: a has room for na values and b for nb.
void fill_upstreams(Upstream a, std::uint64_t na, Upstream b, std::uint64_t nb) {
  gort::WaitGroup wg;
  wg.add(2);
  for (auto [c, n] : {std::pair{a, na}, std::pair{b, nb}}) {
    gort::go([&wg, c = c, n = n]() mutable {
      for (std::uint64_t i = 0; i < n; ++i) c.send(i);
      c.close();
      wg.done();
    });
  }
  wg.wait();
}

/// One selecting loop over fresh upstreams of na and nb values, in mode m.
ToggleMode select_loop(Mode m, std::uint64_t na, std::uint64_t nb) {
  Upstream a = gort::make_chan<std::uint64_t>(static_cast<std::int64_t>(na));
  Upstream b = gort::make_chan<std::uint64_t>(static_cast<std::int64_t>(nb));
  fill_upstreams(a, na, b, nb);

  ToggleMode out;
  out.mode = mode_name(m);
  // The select's two case variables: a or b when enabled, nil when disabled.
  // a and b keep the channels alive, so the cases can be re-enabled.
  Upstream case_a = a;
  Upstream case_b = m == Mode::kToggle ? Upstream{} : b;
  bool a_open = true, b_open = true;
  std::uint64_t next[2] = {0, 0};
  bool in_order = true;
  int last = -1;
  const auto start = std::chrono::steady_clock::now();
  while (a_open || b_open) {
    int from = -1;
    bool ok = false;
    std::uint64_t v = 0;
    gort::select(gort::on_recv(case_a,
                               [&](std::uint64_t x, bool k) {
                                 from = 0;
                                 v = x;
                                 ok = k;
                               }),
                 gort::on_recv(case_b, [&](std::uint64_t x, bool k) {
                   from = 1;
                   v = x;
                   ok = k;
                 }));
    ++out.selects;
    if (!ok) {
      ++out.closed_receives;
      (from == 0 ? a_open : b_open) = false;
      if (m != Mode::kClosedNotNil) {
        // A closed upstream's case is disabled for good; in toggle mode the
        // closed one was the only case enabled, and the other takes over.
        case_a = a_open ? a : Upstream{};
        case_b = b_open ? b : Upstream{};
      }
      continue;
    }
    (from == 0 ? out.from_a : out.from_b) += 1;
    in_order = in_order && v == next[from];
    next[from] = v + 1;
    if (a_open && b_open && from == last) ++out.repeats;
    last = from;
    if (m == Mode::kToggle) {
      // Disable the case just served and enable the other, unless the other
      // upstream is closed (then this one stays: both nil would block forever).
      const bool other_open = from == 0 ? b_open : a_open;
      const bool serve_a = from == 0 ? !other_open : true;
      const bool serve_b = from == 1 ? !other_open : true;
      case_a = serve_a && a_open ? a : Upstream{};
      case_b = serve_b && b_open ? b : Upstream{};
    }
  }
  out.ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count();
  out.in_order = in_order && next[0] == na && next[1] == nb && out.from_a == na && out.from_b == nb;
  return out;
}

}  // namespace

ToggleResults run_toggle(const ToggleConfig& config) {
  ToggleResults r;
  r.a_messages = config.a_messages;
  r.b_messages = config.a_messages / 2;
  for (Mode m : {Mode::kToggle, Mode::kBoth, Mode::kClosedNotNil}) {
    r.modes.push_back(select_loop(m, r.a_messages, r.b_messages));
  }
  const Upstream nil_channel;
  r.nil_default_selects = config.a_messages;
  for (std::uint64_t i = 0; i < r.nil_default_selects; ++i) {
    gort::select(gort::on_recv(nil_channel, [](std::uint64_t, bool) {}),
                 gort::on_default([&] { ++r.nil_default_defaults; }));
  }
  return r;
}

}  // namespace chanbench
