// report.cpp — Markdown tables and the plots (see report.hpp).
#include "report.hpp"

#include <fmt/format.h>
#include <lab/report.hpp>

#include <algorithm>
#include <vector>

#include "throughput.hpp"

namespace chanbench {

namespace {

/// Bytes in a MiB, for the plot's axis.
constexpr double kMiB = 1024.0 * 1024.0;

/// One speed-up the course predicts: `slower`'s ns/message over `faster`'s.
struct ExpectedSpeedup {
  const char* faster;
  const char* slower;
  /// The course's expectation, as text.
  const char* expected;
  /// The same range as numbers (0: no range given).
  double lo, hi;
};

/// 9.3's expectations: "The atomic SPSC should be 5–10× the channel; the mutex
/// queue may beat the buffered channel for small messages" (no figure for the
/// latter: above 1× means the mutex queue is ahead).
constexpr ExpectedSpeedup kExpected[] = {
    {"ring", "unbuffered", "5–10×", 5, 10},
    {"ring", "buffered1", "5–10×", 5, 10},
    {"ring", "buffered1024", "5–10×", 5, 10},
    {"mutex", "buffered1", "may be above 1×", 0, 0},
    {"mutex", "buffered1024", "may be above 1×", 0, 0},
};

/// "gort" or "Go (go1.19.8)".
std::string runtime_name(const RuntimeResults& r) {
  return r.runtime == "go" ? "Go (" + r.version + ")" : std::string("gort");
}

/// gort, then the Go twin if it ran.
std::vector<const RuntimeResults*> runtimes(const LabRun& run) {
  std::vector<const RuntimeResults*> out{&run.gort};
  if (run.go) out.push_back(&*run.go);
  return out;
}

/// Messages per second with a unit ("41.2M/s").
std::string rate(double per_sec) {
  if (per_sec >= 1e6) return lab::format_sig3(per_sec / 1e6) + "M/s";
  if (per_sec >= 1e3) return lab::format_sig3(per_sec / 1e3) + "k/s";
  return lab::format_sig3(per_sec) + "/s";
}

/// A median of per-run counts divided by the messages ("0.013").
std::string per_message(const std::vector<std::uint64_t>& counts, std::uint64_t messages) {
  if (counts.empty() || messages == 0) return "—";
  const std::vector<double> c(counts.begin(), counts.end());
  return lab::format_sig3(lab::summarize(c).p50 / static_cast<double>(messages));
}

/// The throughput table of one runtime.
std::string throughput_table(const ThroughputResults& t) {
  lab::MarkdownTable table({"variant", "queue", "ns/msg (median):", "msgs/s (median):", "ns/msg min–max:",
                            "producer waits/msg:", "consumer waits/msg:", "in order"});
  for (const ThroughputResult& v : t.variants) {
    std::vector<double> per_msg;
    for (std::int64_t ns : v.run_ns) per_msg.push_back(static_cast<double>(ns) / static_cast<double>(t.messages));
    const lab::Distribution d = lab::summarize(per_msg);
    table.add_row({v.name, variant_description(v.name, v.capacity), lab::format_sig3(median_ns_per_msg(v, t.messages)),
                   rate(median_msgs_per_sec(v, t.messages)),
                   fmt::format("{}–{}", lab::format_sig3(d.min), lab::format_sig3(d.max)),
                   per_message(v.producer_waits, t.messages), per_message(v.consumer_waits, t.messages),
                   v.in_order ? "yes" : "**NO**"});
  }
  return table.str();
}

/// slower's median ns/msg over faster's, or nullopt when either is missing.
std::optional<double> speedup(const ThroughputResults& t, const std::string& faster, const std::string& slower) {
  const ThroughputResult* f = find_variant(t, faster);
  const ThroughputResult* s = find_variant(t, slower);
  if (f == nullptr || s == nullptr) return std::nullopt;
  const double f_ns = median_ns_per_msg(*f, t.messages);
  if (f_ns <= 0) return std::nullopt;
  return median_ns_per_msg(*s, t.messages) / f_ns;
}

/// Where a measured speed-up falls against the course's expectation.
std::string verdict(double x, const ExpectedSpeedup& e) {
  if (e.hi <= 0) return x > 1 ? fmt::format("{} ahead", e.faster) : fmt::format("{} ahead", e.slower);
  if (x < e.lo) return "below the course's range";
  if (x > e.hi) return "above the course's range";
  return "within the course's range";
}

/// The speed-ups table: one row per expectation, a column pair per runtime.
std::string speedups_table(const LabRun& run) {
  std::vector<std::string> titles{"speed-up", "course expects"};
  for (const RuntimeResults* r : runtimes(run)) {
    titles.push_back(runtime_name(*r) + ":");
    titles.push_back(runtime_name(*r) + " vs course");
  }
  lab::MarkdownTable table(titles);
  for (const ExpectedSpeedup& e : kExpected) {
    std::vector<std::string> row{fmt::format("{} over {}", e.faster, e.slower), e.expected};
    bool any = false;
    for (const RuntimeResults* r : runtimes(run)) {
      std::optional<double> x;
      if (r->throughput) x = speedup(*r->throughput, e.faster, e.slower);
      any = any || x.has_value();
      row.push_back(x ? lab::format_sig3(*x) + "×" : "—");
      row.push_back(x ? verdict(*x, e) : "—");
    }
    if (any) table.add_row(row);
  }
  return table.str();
}

/// gort and Go per variant: ns/msg each and Go over gort.
std::string side_by_side(const ThroughputResults& g, const ThroughputResults& go) {
  lab::MarkdownTable table({"variant", "gort ns/msg:", "Go ns/msg:", "Go / gort:"});
  for (const ThroughputResult& v : g.variants) {
    const ThroughputResult* other = find_variant(go, v.name);
    if (other == nullptr) continue;
    const double a = median_ns_per_msg(v, g.messages);
    const double b = median_ns_per_msg(*other, go.messages);
    table.add_row({v.name, lab::format_sig3(a), lab::format_sig3(b), a > 0 ? lab::format_sig3(b / a) + "×" : "—"});
  }
  return table.str();
}

/// The toggle table: one row per mode and runtime.
std::string toggle_table(const LabRun& run) {
  lab::MarkdownTable table({"runtime", "mode", "from A:", "from B:", "selects:", "repeats while both open:",
                            "closed receives:", "in order", "ns/select:"});
  for (const RuntimeResults* r : runtimes(run)) {
    if (!r->toggle) continue;
    for (const ToggleMode& m : r->toggle->modes) {
      table.add_row({runtime_name(*r), m.mode, std::to_string(m.from_a), std::to_string(m.from_b),
                     std::to_string(m.selects), std::to_string(m.repeats), std::to_string(m.closed_receives),
                     m.in_order ? "yes" : "**NO**",
                     m.selects > 0 ? lab::format_sig3(static_cast<double>(m.ns) / static_cast<double>(m.selects))
                                   : "—"});
    }
  }
  return table.str();
}

/// What the toggle's numbers say, computed from gort's run.
std::string toggle_reading(const ToggleResults& t) {
  std::string out;
  const ToggleMode* toggle = find_mode(t, "toggle");
  const ToggleMode* both = find_mode(t, "both");
  const ToggleMode* closed = find_mode(t, "closedNotNil");
  if (toggle != nullptr) {
    out += fmt::format(
        "*toggle*: {} repeats in {} receives while both upstreams were open — {}. ",
        toggle->repeats, 2 * t.b_messages,
        toggle->repeats == 0 ? "the values alternated A, B, A, B: the nil case was never chosen although its "
                               "channel (still held by the selector) had values ready"
                             : "**a disabled case ran**");
  }
  if (both != nullptr) {
    out += fmt::format(
        "*both*: {} repeats — with both cases enabled select picks one of the ready cases at random, so about "
        "half the receives repeat the upstream before. ",
        both->repeats);
  }
  if (closed != nullptr) {
    out += fmt::format(
        "*closedNotNil*: {} receives found a closed channel (the other modes: 2, one per upstream) — a closed "
        "channel is always ready, so leaving it in the select wastes a pick on a zero value each time it wins; "
        "setting it to nil is how a Go merge loop stops listening to a finished input. ",
        closed->closed_receives);
  }
  out += fmt::format("`select {{ case <-nilChan: … default: … }}` ran its default {} of {} times.\n\n",
                     t.nil_default_defaults, t.nil_default_selects);
  return out;
}

/// "12.3 MiB → 140 MiB".
std::string from_to(std::uint64_t first, std::uint64_t peak) {
  return lab::format_bytes(static_cast<double>(first)) + " → " + lab::format_bytes(static_cast<double>(peak));
}

/// The bridge table: one row per runtime.
std::string bridge_table(const LabRun& run) {
  lab::MarkdownTable table({"runtime", "stopped by", "sent:", "received:", "dropped at stop:", "peak backlog:",
                            "peak backlog bytes:", "RSS first → peak:", "HeapAlloc first → peak:",
                            "RSS growth / backlog bytes:", "in order"});
  for (const RuntimeResults* r : runtimes(run)) {
    if (!r->bridge || r->bridge->samples.empty()) continue;
    const BridgeResults& b = *r->bridge;
    const BridgeSample peak = bridge_peaks(b);
    const BridgeSample& first = b.samples.front();
    const double backlog_bytes = static_cast<double>(peak.backlog * b.message_bytes);
    const double growth = static_cast<double>(peak.rss_bytes) - static_cast<double>(first.rss_bytes);
    table.add_row({runtime_name(*r), b.stopped_by, std::to_string(b.sent), std::to_string(b.received),
                   std::to_string(b.dropped), std::to_string(peak.backlog), lab::format_bytes(backlog_bytes),
                   from_to(first.rss_bytes, peak.rss_bytes), from_to(first.heap_alloc_bytes, peak.heap_alloc_bytes),
                   backlog_bytes > 0 ? lab::format_sig3(growth / backlog_bytes) + "×" : "—",
                   b.in_order ? "yes" : "**NO**"});
  }
  return table.str();
}

/// The bridge's setup line of one runtime.
std::string bridge_setup(const RuntimeResults& r) {
  const BridgeResults& b = *r.bridge;
  return fmt::format(
      "{}: at most {} messages of {} B, time limit {}, the consumer pauses {} after each message, memory sampled "
      "every {} ({} samples).\n",
      runtime_name(r), b.max_messages, b.message_bytes, lab::format_duration_ns(static_cast<double>(b.limit_ns)),
      lab::format_duration_ns(static_cast<double>(b.consumer_delay_ns)),
      lab::format_duration_ns(static_cast<double>(b.sample_every_ns)), b.samples.size());
}

/// The plot line of one file.
std::string plot_line(const std::string& what, const std::string& path, const std::optional<std::string>& error) {
  if (path.empty()) return fmt::format("{}: no plot requested.\n", what);
  if (error) return fmt::format("{}: plot not drawn ({}).\n", what, *error);
  return fmt::format("{}: `{}`.\n", what, path);
}

}  // namespace

std::string markdown_report(const LabRun& run, const PlotFiles& plots) {
  std::string out;
  out += "# chan-bench: channels against a mutex queue and an atomic ring, nil-channel select, unbounded bridge\n\n";
  out += fmt::format("Command: `{}`  \nMachine: {}; load average before the runs {}.  \nGOMAXPROCS: {}",
                     run.command, run.machine, run.load_before, run.gort.gomaxprocs);
  if (run.go) out += fmt::format(" (gort), {} (Go)", run.go->gomaxprocs);
  out += ".\n\n";
  if (!run.go && !run.go_error.empty()) out += "Go twin: " + run.go_error + "\n\n";

  out += "## 1. Throughput: one producer, one consumer\n\n";
  if (!run.gort.throughput) {
    out += "Not run (--parts).\n\n";
  } else {
    const ThroughputResults& t = *run.gort.throughput;
    out += fmt::format(
        "A producer goroutine sends 0, 1, ..., N-1 through one queue to a consumer goroutine, which checks each "
        "value arrives once and in order; the wall clock runs from starting the two goroutines to both finishing. "
        "{} messages per run, {} timed runs per variant, interleaved round by round after one untimed warm-up each; "
        "a blocked mutex or ring side waits as *{}* says (channels park). The transfer, the mutex queue and the "
        "ring are spsc-ring's. *waits/msg*: tries that found the queue full (producer) or empty (consumer), per "
        "message, median run.\n\n",
        t.messages, t.runs, t.wait);
    for (const RuntimeResults* r : runtimes(run)) {
      if (!r->throughput) continue;
      out += fmt::format("### {}\n\n", runtime_name(*r)) + throughput_table(*r->throughput) + "\n";
    }
    out += "## 2. Against the course's expectations\n\n";
    out +=
        "Each speed-up is the slower variant's median ns/message over the faster one's. The course (9.3): \"The "
        "atomic SPSC should be 5–10× the channel; the mutex queue may beat the buffered channel for small "
        "messages.\" Measured, not fitted: README.md and NOTES.md §9.8 explain what this machine gives and why.\n\n";
    out += speedups_table(run) + "\n";
    if (run.go && run.go->throughput) {
      out += "## 3. gort and Go side by side\n\n";
      out += side_by_side(t, *run.go->throughput) + "\n";
    }
  }

  out += "## 4. The nil-channel toggle\n\n";
  if (!run.gort.toggle) {
    out += "Not run (--parts).\n\n";
  } else {
    const ToggleResults& t = *run.gort.toggle;
    out += fmt::format(
        "Upstream A sends 0..{} and closes, upstream B sends 0..{} and closes; both are filled before the selector "
        "starts, so at every select both cases are ready and only the selector decides. *toggle*: after each value "
        "the case just served is disabled by setting its channel variable to nil and the other re-enabled (a "
        "closed upstream is set to nil for good). *both*: both cases enabled. *closedNotNil*: both enabled and "
        "closed channels left in the select. *repeats*: receives from the same upstream as the one before while "
        "both were open.\n\n",
        t.a_messages - 1, t.b_messages - 1);
    out += toggle_table(run) + "\n";
    out += toggle_reading(t);
  }

  out += "## 5. The unbounded bridge and a slow consumer\n\n";
  if (!run.gort.bridge) {
    out += "Not run (--parts).\n\n";
  } else {
    out +=
        "A producer sends as fast as it can to a bridge goroutine, which buffers everything in its own queue "
        "(gort: a std::deque; Go: a slice) and offers the oldest to a consumer that pauses after each message; the "
        "send case is disabled with a nil channel while the queue is empty. The run stops at the time limit or "
        "when the consumer has everything, whichever comes first; what is still buffered then is dropped. "
        "*RSS growth / backlog bytes*: how much of the process's growth the backlog explains (above 1×: the "
        "queue's own overhead and freed memory not yet returned to the OS).\n\n";
    for (const RuntimeResults* r : runtimes(run)) {
      if (r->bridge) out += bridge_setup(*r);
    }
    out += "\n" + bridge_table(run) + "\n";
    out +=
        "Nothing slows the producer down: the backlog grows at the producer's rate minus the consumer's, the "
        "memory with it, and a message's wait grows with the backlog (the last one buffered would wait backlog × "
        "consumer delay). In gort the queue is C++ heap, invisible to the collector: HeapAlloc stays flat while "
        "RSS climbs, so GOGC and GOMEMLIMIT cannot see it. In Go the slice is on the collected heap, so HeapAlloc "
        "climbs too, but the collector cannot free a buffer the bridge still holds. A bounded channel would have "
        "pushed back on the producer instead.\n\n";
  }

  out += "## 6. Plots\n\n";
  out += plot_line("Throughput (messages/s per variant, log scale; Go dashed)", plots.throughput_path,
                   plots.throughput_error);
  out += plot_line("Bridge memory over time (backlog, RSS and HeapAlloc in MiB; Go dashed)", plots.bridge_path,
                   plots.bridge_error);
  return out;
}

lab::Plot throughput_plot(const LabRun& run) {
  lab::Plot p;
  std::string order;
  for (std::size_t i = 0; i < all_variants().size(); ++i) {
    order += fmt::format("{}{} {}", i == 0 ? "" : ", ", i + 1, all_variants()[i]);
  }
  p.title = "chan-bench: messages/s, median run (" + order + ")";
  p.xlabel = "variant";
  p.ylabel = "messages/s";
  p.logy = true;
  for (const RuntimeResults* r : runtimes(run)) {
    if (!r->throughput) continue;
    lab::Series s{runtime_name(*r), {}, {}, false, r->runtime == "go"};
    for (const ThroughputResult& v : r->throughput->variants) {
      const auto at = std::find(all_variants().begin(), all_variants().end(), v.name);
      s.x.push_back(static_cast<double>(at - all_variants().begin() + 1));
      s.y.push_back(median_msgs_per_sec(v, r->throughput->messages));
    }
    p.series.push_back(std::move(s));
  }
  return p;
}

lab::Plot bridge_plot(const LabRun& run) {
  lab::Plot p;
  p.title = "chan-bench: unbounded bridge with a slow consumer";
  p.xlabel = "seconds";
  p.ylabel = "MiB";
  for (const RuntimeResults* r : runtimes(run)) {
    if (!r->bridge) continue;
    const BridgeResults& b = *r->bridge;
    const bool go = r->runtime == "go";
    lab::Series backlog{runtime_name(*r) + " backlog", {}, {}, false, go};
    lab::Series rss{runtime_name(*r) + " RSS", {}, {}, false, go};
    lab::Series heap{runtime_name(*r) + " HeapAlloc", {}, {}, false, go};
    for (const BridgeSample& s : b.samples) {
      const double t = static_cast<double>(s.t_ns) / 1e9;
      for (lab::Series* series : {&backlog, &rss, &heap}) series->x.push_back(t);
      backlog.y.push_back(static_cast<double>(s.backlog * b.message_bytes) / kMiB);
      rss.y.push_back(static_cast<double>(s.rss_bytes) / kMiB);
      heap.y.push_back(static_cast<double>(s.heap_alloc_bytes) / kMiB);
    }
    for (lab::Series* series : {&backlog, &rss, &heap}) p.series.push_back(std::move(*series));
  }
  return p;
}

}  // namespace chanbench
