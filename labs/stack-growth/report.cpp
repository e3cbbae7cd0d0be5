// report.cpp — Markdown tables and the time-series plot (see report.hpp).
#include "report.hpp"

#include <fmt/format.h>
#include <lab/report.hpp>

#include <algorithm>
#include <vector>

namespace stacklab {

namespace {

/// Bytes per MiB, for the plot's axis.
constexpr double kMiB = 1024.0 * 1024.0;

/// A byte count with a binary unit ("4 KiB", "1.25 MiB").
std::string bytes(std::uint64_t b) { return lab::format_bytes(static_cast<double>(b)); }

/// A signed difference of two byte counts ("+1.00 MiB", "-256 KiB", "0 B").
std::string delta(std::uint64_t from, std::uint64_t to) {
  if (to >= from) return (to > from ? "+" : "") + bytes(to - from);
  return "-" + bytes(from - to);
}

/// "gort" or "Go 1.19.8" as a heading.
std::string runtime_name(const RuntimeResults& r) {
  return r.runtime == "go" ? "Go (" + r.version + ")" : std::string("gort");
}

/// The per-step table of the growth experiment.
std::string growth_table(const RuntimeResults& r) {
  lab::MarkdownTable t(
      {"step", "stack used:", "resident, used range:", "resident, whole slot:", "StackInuse:", "StackSys:", "RSS:"});
  for (const HeldSnapshot& s : r.growth) {
    t.add_row({s.label, bytes(s.used_bytes_max), bytes(s.resident_used_bytes),
               s.resident_slot_bytes ? bytes(*s.resident_slot_bytes) : "—", bytes(s.process.stack_inuse),
               bytes(s.process.stack_sys), bytes(s.process.rss)});
  }
  return t.str();
}

/// StackInuse and RSS side by side for the steps both runtimes ran.
std::string growth_comparison(const RuntimeResults& g, const RuntimeResults& go) {
  lab::MarkdownTable t({"step", "stack used, gort:", "stack used, Go:", "StackInuse, gort:", "StackInuse, Go:",
                        "RSS - baseline, gort:", "RSS - baseline, Go:"});
  for (const HeldSnapshot& s : g.growth) {
    auto other =
        std::find_if(go.growth.begin(), go.growth.end(), [&](const HeldSnapshot& o) { return o.label == s.label; });
    if (other == go.growth.end()) continue;
    t.add_row({s.label, bytes(s.used_bytes_max), bytes(other->used_bytes_max), bytes(s.process.stack_inuse),
               bytes(other->process.stack_inuse), delta(g.baseline.rss, s.process.rss),
               delta(go.baseline.rss, other->process.rss)});
  }
  return t.str();
}

/// Change of StackInuse at each round's hold against the previous one (the
/// first round against the style's start).
std::vector<std::int64_t> inuse_steps(const ChurnStyle& c) {
  std::vector<std::int64_t> out;
  std::uint64_t prev = c.before.stack_inuse;
  for (const HeldSnapshot& s : c.rounds) {
    out.push_back(static_cast<std::int64_t>(s.process.stack_inuse) - static_cast<std::int64_t>(prev));
    prev = s.process.stack_inuse;
  }
  return out;
}

/// A StackInuse change in bytes, with the slot count where stacks are slots.
std::string inuse_step_text(double d, const RuntimeResults& r) {
  const auto magnitude = static_cast<std::uint64_t>(d >= 0 ? d : -d);
  std::string text = (d > 0 ? "+" : d < 0 ? "-" : "") + bytes(magnitude);
  if (r.slot_bytes && *r.slot_bytes > 0) {
    text += fmt::format(" ({} slots)", lab::format_sig3(d / static_cast<double>(*r.slot_bytes)));
  }
  return text;
}

/// The churn table: one row per style.
std::string churn_table(const RuntimeResults& r) {
  lab::MarkdownTable t({"style", "goroutines x frames",
                        "StackInuse held, round 1:", "new in round 1:", "new per later round:",
                        "stacks reused per later round:", "resident, used / whole slot:", "RSS held, last round:",
                        "StackInuse after exit:", "after GC:", "RSS after GC:", "time/round (median):"});
  for (const ChurnStyle& c : r.churn) {
    if (c.rounds.empty()) continue;
    const auto steps = inuse_steps(c);
    double later = 0;
    for (std::size_t i = 1; i < steps.size(); ++i) later += static_cast<double>(steps[i]);
    const double later_mean = steps.size() > 1 ? later / static_cast<double>(steps.size() - 1) : 0;
    std::string reused = "—";
    if (r.slot_bytes && *r.slot_bytes > 0 && steps.size() > 1) {
      const double new_slots = later_mean / static_cast<double>(*r.slot_bytes);
      reused = lab::format_sig3(static_cast<double>(c.goroutines) - new_slots) + " of " + std::to_string(c.goroutines);
    }
    const HeldSnapshot& last = c.rounds.back();
    std::string resident = bytes(last.resident_used_bytes);
    if (last.resident_slot_bytes) resident += " / " + bytes(*last.resident_slot_bytes);
    std::vector<double> ns(c.round_ns.begin(), c.round_ns.end());
    t.add_row({c.style, fmt::format("{} x {}", c.goroutines, c.frames_per_goroutine),
               bytes(c.rounds.front().process.stack_inuse), inuse_step_text(static_cast<double>(steps.front()), r),
               steps.size() > 1 ? inuse_step_text(later_mean, r) : "—", reused, resident, bytes(last.process.rss),
               bytes(c.after_exit.stack_inuse), bytes(c.after_gc.stack_inuse), bytes(c.after_gc.rss),
               lab::format_duration_ns(lab::summarize(ns).p50)});
  }
  return t.str();
}

/// Peak StackInuse and RSS of the time series, and the phases' start times.
std::string series_summary(const RuntimeResults& r) {
  std::uint64_t peak_inuse = 0, peak_rss = 0;
  for (const StackSample& s : r.samples) {
    peak_inuse = std::max(peak_inuse, s.stacks.stack_inuse);
    peak_rss = std::max(peak_rss, s.stacks.rss);
  }
  std::string out =
      fmt::format("{}: {} samples; peak StackInuse {}, peak RSS {}. Phases (ms from start): ", runtime_name(r),
                  r.samples.size(), bytes(peak_inuse), bytes(peak_rss));
  for (std::size_t i = 0; i < r.phases.size(); ++i) {
    out += fmt::format("{}{} @{}", i ? ", " : "", r.phases[i].name, lab::format_sig3(r.phases[i].t_ms));
  }
  return out + ".\n";
}

/// The quoted overflow report of one runtime.
std::string overflow_section(const OverflowReport& o) {
  std::string out;
  if (o.exit_code < 0) return fmt::format("{}: not run ({}).\n\n", o.runtime, o.head.empty() ? "" : o.head.front());
  out += fmt::format("{}: exit status {}; {}; {}; stack size in the report {}.\n\n", o.runtime, o.exit_code,
                     o.limit_line ? "`" + *o.limit_line + "`" : "no limit line",
                     o.fatal_line ? "`fatal error: stack overflow`" : "no `fatal error: stack overflow` line",
                     o.stack_bytes ? bytes(*o.stack_bytes) : "not printed");
  out += "```\n";
  for (const std::string& line : o.head) out += line + "\n";
  if (o.total_lines > static_cast<int>(o.head.size())) {
    out += fmt::format("... ({} more lines of traceback)\n", o.total_lines - static_cast<int>(o.head.size()));
  }
  return out + "```\n\n";
}

/// The sections of one runtime: growth, churn.
std::string runtime_sections(const RuntimeResults& r) {
  std::string out;
  out += fmt::format("### {}\n\n", runtime_name(r));
  out += fmt::format("GOMAXPROCS={}, stack limit {} B per goroutine", r.gomaxprocs, r.stack_limit_bytes);
  if (r.slot_bytes) out += fmt::format(" in {} slots", bytes(*r.slot_bytes));
  out += fmt::format(". Baseline: StackInuse {}, StackSys {}, RSS {}.\n", bytes(r.baseline.stack_inuse),
                     bytes(r.baseline.stack_sys), bytes(r.baseline.rss));
  out += fmt::format("depth frame: {} B per call; the goroutine's own frames down to depth(0): {} B.\n\n",
                     lab::format_sig3(r.bytes_per_frame), lab::format_sig3(r.entry_to_depth0_bytes));
  return out + growth_table(r) + "\n";
}

}  // namespace

std::string markdown_report(const LabRun& run, const std::string& svg_path,
                            const std::optional<std::string>& svg_error) {
  std::string out;
  out += "# stack-growth: goroutine stacks under depth(n)\n\n";
  out += fmt::format("Command: `{}`  \nMachine: {}.\n\n", run.command, lab::machine_description());

  out += "## 1. depth(n) in one goroutine\n\n";
  out +=
      "Each step holds one goroutine at depth(0) while the lab measures. *stack used*: entry frame address "
      "minus the deepest frame address. *resident*: pages mincore(2) reports in memory, for the used range "
      "and (gort) for the whole usable slot below the entry frame. StackInuse/StackSys: MemStats; RSS: VmRSS.\n\n";
  out += runtime_sections(run.gort);
  if (run.go) {
    out += runtime_sections(*run.go);
    out += "### Side by side\n\n" + growth_comparison(run.gort, *run.go) + "\n";
  } else if (!run.go_error.empty()) {
    out += "Go twin: " + run.go_error + "\n\n";
  }

  out += fmt::format("## 2. Stack churn: {} frames spread over K goroutines\n\n", run.gort.total_frames);
  out +=
      "Each style runs the same total of depth frames per round, held at the bottom, for several rounds. "
      "*new*: change of StackInuse at the hold against the previous round (gort: in 256 KiB slots, carved "
      "or taken again after a GC released them); *reused*: goroutines that ran on a slot another one left. "
      "Each style ends with a GC.\n\n";
  for (const RuntimeResults* r : {&run.gort, run.go ? &*run.go : nullptr}) {
    if (r == nullptr) continue;
    out += fmt::format("### {}\n\n", runtime_name(*r)) + churn_table(*r) + "\n";
  }

  out += "## 3. Stack in use over time\n\n";
  if (svg_path.empty()) {
    out += "No plot requested.\n";
  } else if (svg_error) {
    out += fmt::format("Plot not drawn ({}).\n", *svg_error);
  } else {
    out += fmt::format("Plot: `{}` (StackInuse and RSS, MiB on a log scale, against milliseconds).\n", svg_path);
  }
  out += "\n" + series_summary(run.gort);
  if (run.go) out += "\n" + series_summary(*run.go);
  out += "\n";

  out += "## 4. Beyond the limit: the stack-overflow report\n\n";
  if (!run.overflow) {
    out += "Not run (--no-overflow).\n\n";
  } else {
    out += overflow_section(*run.overflow);
    if (run.go_overflow) out += overflow_section(*run.go_overflow);
  }
  return out;
}

lab::Plot time_series_plot(const LabRun& run) {
  lab::Plot p;
  p.title = "stack-growth: stack in use over time";
  p.xlabel = "time since start (ms)";
  p.ylabel = "MiB";
  p.logy = true;
  for (const RuntimeResults* r : {&run.gort, run.go ? &*run.go : nullptr}) {
    if (r == nullptr) continue;
    // The Go twin's curves are dashed, gort's solid.
    lab::Series inuse{runtime_name(*r) + " StackInuse", {}, {}, false, r->runtime == "go"};
    lab::Series rss{runtime_name(*r) + " RSS", {}, {}, false, r->runtime == "go"};
    for (const StackSample& s : r->samples) {
      inuse.x.push_back(s.t_ms);
      inuse.y.push_back(static_cast<double>(s.stacks.stack_inuse) / kMiB);
      rss.x.push_back(s.t_ms);
      rss.y.push_back(static_cast<double>(s.stacks.rss) / kMiB);
    }
    p.series.push_back(std::move(inuse));
    p.series.push_back(std::move(rss));
  }
  return p;
}

}  // namespace stacklab
