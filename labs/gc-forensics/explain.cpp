// explain.cpp — see explain.hpp.
#include "explain.hpp"

#include <fmt/format.h>
#include <lab/report.hpp>

#include <algorithm>
#include <vector>

namespace gclab {

namespace {

/// Go's defaultHeapMinimum in MiB: the goal never drops below 4 MiB x GOGC/100.
constexpr double kHeapMinimumMb = 4;

/// n with its English ordinal suffix: 1st, 2nd, 3rd, 4th, 11th, 22nd.
std::string ordinal(uint32_t n) {
  const char* suffix = "th";
  if (n % 100 < 11 || n % 100 > 13) {
    if (n % 10 == 1) suffix = "st";
    else if (n % 10 == 2) suffix = "nd";
    else if (n % 10 == 3) suffix = "rd";
  }
  return std::to_string(n) + suffix;
}

/// The part of text between the first `open` and the `close` after it, as
/// printed (so "0.10" stays "0.10"); empty when either is missing.
std::string between(const std::string& text, const std::string& open, const std::string& close) {
  const std::size_t start = text.find(open);
  if (start == std::string::npos) return {};
  const std::size_t end = text.find(close, start + open.size());
  if (end == std::string::npos) return {};
  return text.substr(start + open.size(), end - start - open.size());
}

/// Milliseconds as a Go duration string ("44µs", "1.4ms").
std::string ms_text(double ms) { return lab::format_duration_ns(ms * 1e6); }

}  // namespace

std::string explain_gctrace_line(const GctraceLine& g, const std::string& text, std::optional<int> gogc,
                                 const std::string& runtime) {
  const bool gort = runtime == "gort";
  std::string out = fmt::format("```\n{}\n```\n\n", text);
  out += fmt::format("- `gc {}` — the {} cycle since the program started{}.\n", g.cycle, ordinal(g.cycle),
                     g.forced ? " (`(forced)`: started by an explicit collection)" : "");
  out += fmt::format("- `@{:.3f}s` — it began {} after the runtime started.\n", g.start_s,
                     lab::format_duration_ns(g.start_s * 1e9));
  out += fmt::format(
      "- `{}%` — the GC has used {}% (truncated) of all the CPU time GOMAXPROCS={} Ps had since the start: "
      "stop-the-world phases, assists and background workers; idle-time marking is not counted, as in Go.\n",
      g.cpu_percent, g.cpu_percent, g.procs);
  out += fmt::format(
      "- `{} ms clock` — wall time of the three phases: {} of stop-the-world sweep termination, {} of "
      "concurrent mark (goroutines keep running), {} of stop-the-world mark termination.  The pauses "
      "goroutines feel add up to {}.\n",
      between(text, "%: ", " ms clock"), ms_text(g.clock_sweep_term_ms), ms_text(g.clock_mark_ms),
      ms_text(g.clock_mark_term_ms), ms_text(g.pause_ms()));
  out += fmt::format(
      "- `{} ms cpu` — CPU time: the two pauses times the Ps they stopped ({} and {}); during the mark {} in "
      "assists (allocating goroutines made to mark in proportion to what they allocate), {} in background "
      "mark workers (the 25% of GOMAXPROCS the pacer plans), {} in idle-time marking.\n",
      between(text, "clock, ", " ms cpu"), ms_text(g.cpu_sweep_term_ms), ms_text(g.cpu_mark_term_ms),
      ms_text(g.cpu_assist_ms), ms_text(g.cpu_background_ms), ms_text(g.cpu_idle_ms));
  const long grew = static_cast<long>(g.heap_end_mb) - static_cast<long>(g.heap_start_mb);
  const long freed = static_cast<long>(g.heap_end_mb) - static_cast<long>(g.heap_marked_mb);
  out += fmt::format(
      "- `{}->{}->{} MB` — {} MB of heap was in use when the cycle started (the trigger), {} MB when the mark "
      "ended ({} MB allocated during the concurrent mark), and the mark found {} MB reachable: the live heap. "
      "The sweep reclaims the other {} MB.\n",
      g.heap_start_mb, g.heap_end_mb, g.heap_marked_mb, g.heap_start_mb, g.heap_end_mb, grew, g.heap_marked_mb,
      freed);
  std::string next_goal;
  if (gogc) {
    const double live = static_cast<double>(g.heap_marked_mb);
    const double scan = live + static_cast<double>(g.stacks_mb + g.globals_mb);
    const double next = std::max(live + scan * *gogc / 100.0, kHeapMinimumMb * *gogc / 100.0);
    next_goal = fmt::format(
        " With GOGC={} the next goal is about live + (live + stacks + globals) x {}/100 = {:.0f} MB (Go 1.19's "
        "formula, never below 4 MB x GOGC/100), unless GOMEMLIMIT asks for less.",
        *gogc, *gogc, next);
  } else {
    next_goal = " With GOGC=off only the memory limit sets the goal.";
  }
  out += fmt::format(
      "- `{} MB goal` — the heap size this cycle aimed to finish under; it started at {:.0f}% of it and ended "
      "the mark at {:.0f}%.{}\n",
      g.goal_mb, g.goal_mb ? 100.0 * static_cast<double>(g.heap_start_mb) / static_cast<double>(g.goal_mb) : 0.0,
      g.goal_mb ? 100.0 * static_cast<double>(g.heap_end_mb) / static_cast<double>(g.goal_mb) : 0.0, next_goal);
  out += fmt::format("- `{} MB stacks` — {}\n", g.stacks_mb,
                     gort ? "goroutine stack bytes the mark scanned (gort scans the used part of each stack; "
                            "Go prints the stack space allocated, which its pacer counts as scan work)."
                          : "goroutine stack space allocated, which the pacer counts as scan work.");
  out += fmt::format("- `{} MB globals` — {}\n", g.globals_mb,
                     gort ? "gort's globals are its gc::Root handles, 8 bytes each (Go counts the data and "
                            "bss segments of the binary)."
                          : "the data and bss segments of the binary, scanned as roots.");
  out += fmt::format("- `{} P` — GOMAXPROCS: {} Ps ran the program and the collector.\n", g.procs, g.procs);
  return out;
}

std::optional<std::size_t> line_to_explain(const GctraceLog& log) {
  std::vector<std::size_t> heap_triggered;
  for (std::size_t i = 0; i < log.cycles.size(); ++i) {
    if (!log.cycles[i].forced) heap_triggered.push_back(i);
  }
  if (heap_triggered.empty()) return std::nullopt;
  return heap_triggered[heap_triggered.size() / 2];
}

}  // namespace gclab
