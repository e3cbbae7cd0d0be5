// summary.cpp — see summary.hpp.  Go: the pages of src/cmd/trace
// (goroutines.go, pprof.go, the MMU view of mmu.go).
#include "summary.hpp"

#include "analysis/blocking.hpp"
#include "analysis/gc.hpp"
#include "analysis/goroutines.hpp"
#include "analysis/mmu.hpp"
#include "analysis/sched_latency.hpp"
#include "symbolize.hpp"
#include "units.hpp"

#include <algorithm>
#include <limits>
#include <map>

#include <fmt/format.h>
#include <fmt/ostream.h>

namespace gort::viewer {

namespace {

/// A table cell: no line breaks, '|' escaped.
std::string cell(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n' || c == '\r') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

size_t limit(size_t n, size_t top) { return top == 0 ? n : std::min(n, top); }

void more(std::ostream& out, size_t shown, size_t total, const char* what) {
  if (shown < total) fmt::print(out, "\n… and {} more {} (`--top 0` shows all).\n", total - shown, what);
}

void overview(std::ostream& out, const Trace& trace, const Ordered& ord, const Timeline& tl) {
  uint64_t created = 0, existing = 0, ended = 0;
  for (const Goroutine& g : tl.goroutines) {
    (g.existed_at_start ? existing : created)++;
    if (g.ended) ended++;
  }
  int64_t maxprocs = 0;
  for (const Sample& s : tl.gomaxprocs) maxprocs = std::max(maxprocs, s.v);
  fmt::print(out, "| | |\n|---|---|\n");
  fmt::print(out, "| Duration | {} |\n", format_duration(tl.duration));
  fmt::print(out, "| Events | {} ({} definitions) |\n", trace.event_count(),
             trace.event_count() - ord.events.size());
  fmt::print(out, "| Threads | {} |\n", tl.threads);
  fmt::print(out, "| GOMAXPROCS | {} ({} Ps seen) |\n", maxprocs ? fmt::format("{}", maxprocs) : std::string("?"),
             tl.procs.size());
  fmt::print(out, "| Goroutines | {} ({} created in the trace, {} existing at its start, {} ended) |\n",
             tl.goroutines.size(), created, existing, ended);
  fmt::print(out, "| GC cycles | {} |\n", tl.gc.size());
  if (tl.timer_fires) {
    fmt::print(out, "| Timers fired | {} (late by {} on average, at most {}) |\n", tl.timer_fires,
               format_duration(tl.timer_late_total / int64_t(tl.timer_fires)), format_duration(tl.timer_late_max));
  }
  if (ord.adjusted) {
    fmt::print(out, "| Out-of-order timestamps | {} events ran later than stamped, by at most {} |\n", ord.adjusted,
               format_duration(ord.max_adjust_ns));
  }
}

void goroutine_section(std::ostream& out, const GoroutineAnalysis& ga, size_t top) {
  fmt::print(out, "\n## Goroutine analysis\n\n");
  fmt::print(out,
             "Goroutines grouped by where they were created (the `go` call site's function and line; see "
             "README). Times are sums over the group's goroutines.\n\n");
  fmt::print(out, "| Group | Goroutines | Total | Execution | Sched wait | Blocked | Syscall | GC assist | Sweep |\n");
  fmt::print(out, "|---|--:|--:|--:|--:|--:|--:|--:|--:|\n");
  size_t n = limit(ga.groups.size(), top);
  for (size_t i = 0; i < n; i++) {
    const GroupStats& g = ga.groups[i];
    fmt::print(out, "| {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", cell(g.name), g.count,
               format_duration(g.total), format_duration(g.exec), format_duration(g.sched_wait),
               format_duration(g.block), format_duration(g.syscall), format_duration(g.assist),
               format_duration(g.sweep));
  }
  more(out, n, ga.groups.size(), "groups");

  std::vector<const GoroutineStats*> by_exec;
  for (const GoroutineStats& g : ga.goroutines) by_exec.push_back(&g);
  std::stable_sort(by_exec.begin(), by_exec.end(),
                   [](const GoroutineStats* a, const GoroutineStats* b) { return a->exec > b->exec; });
  fmt::print(out, "\n### Goroutines by execution time\n\n");
  fmt::print(out,
             "| Goroutine | Group | Start | End | Execution | Sched wait | Blocked | Syscall | GC assist | Sweep | "
             "Blocked by reason |\n");
  fmt::print(out, "|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|---|\n");
  n = limit(by_exec.size(), top);
  for (size_t i = 0; i < n; i++) {
    const GoroutineStats& g = *by_exec[i];
    std::string reasons;
    for (const auto& [r, d] : g.block_by_reason) {
      if (!reasons.empty()) reasons += ", ";
      reasons += fmt::format("{} {}", r, format_duration(d));
    }
    fmt::print(out, "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", g.id, cell(g.group),
               g.existed_at_start ? std::string("(start)") : format_duration(g.start),
               g.ended ? format_duration(g.end) : std::string("(alive)"), format_duration(g.exec),
               format_duration(g.sched_wait), format_duration(g.block), format_duration(g.syscall),
               format_duration(g.assist), format_duration(g.sweep), cell(reasons));
  }
  more(out, n, by_exec.size(), "goroutines");
}

void reason_section(std::ostream& out, const BlockingAnalysis& ba) {
  fmt::print(out, "\n### Blocked time by wait reason\n\n");
  if (ba.by_reason.empty()) {
    fmt::print(out, "No goroutine blocked.\n");
    return;
  }
  fmt::print(out, "| Wait reason | Total | Waits |\n|---|--:|--:|\n");
  for (const ReasonTotal& r : ba.by_reason) {
    fmt::print(out, "| {} | {} | {} |\n", cell(r.reason), format_duration(r.total), r.count);
  }
}

void latency_section(std::ostream& out, const Distribution& d) {
  fmt::print(out, "\n## Scheduler latency\n\n");
  fmt::print(out, "Time from runnable to running, {} waits, {} in all.\n\n", d.count, format_duration(d.total));
  if (d.count == 0) return;
  fmt::print(out, "| Min | p50 | p90 | p99 | Max | Mean |\n|--:|--:|--:|--:|--:|--:|\n");
  fmt::print(out, "| {} | {} | {} | {} | {} | {} |\n\n", format_duration(d.min), format_duration(d.p50),
             format_duration(d.p90), format_duration(d.p99), format_duration(d.max),
             format_duration(d.total / int64_t(d.count)));
  size_t first = d.buckets.size(), last = 0;
  uint64_t most = 0;
  for (size_t i = 0; i < d.buckets.size(); i++) {
    if (d.buckets[i].count) {
      first = std::min(first, i);
      last = i;
      most = std::max(most, d.buckets[i].count);
    }
  }
  fmt::print(out, "| Latency | Waits | |\n|---|--:|---|\n");
  for (size_t i = first; i <= last && i < d.buckets.size(); i++) {
    const Bucket& b = d.buckets[i];
    std::string range = b.hi == std::numeric_limits<int64_t>::max()
                            ? fmt::format("≥ {}", format_duration(b.lo))
                            : fmt::format("{} – {}", format_duration(b.lo), format_duration(b.hi));
    size_t bar = most ? size_t((b.count * 40 + most - 1) / most) : 0;
    fmt::print(out, "| {} | {} | {} |\n", range, b.count, std::string(bar, '#'));
  }
}

void profile(std::ostream& out, const Trace& trace, const Profile& p, const char* what, size_t top) {
  fmt::print(out, "\n### {}\n\n", p.title);
  if (p.count == 0) {
    fmt::print(out, "Nothing recorded.\n");
    return;
  }
  fmt::print(out, "{} in {} {}.\n\n```\n", format_duration(p.total), p.count, what);
  const size_t n = limit(p.entries.size(), top);
  for (size_t i = 0; i < n; i++) {
    const ProfileEntry& e = p.entries[i];
    fmt::print(out, "{:>10} {:>6}x  ", format_duration(e.total), e.count);
    auto pcs = trace.stack(e.stack);
    if (pcs.empty()) fmt::print(out, "(no stack)\n");
    for (size_t k = 0; k < pcs.size(); k++) {
      if (k) fmt::print(out, "{:19}", "");
      fmt::print(out, "{}\n", describe_pc(trace, pcs[k]));
    }
  }
  fmt::print(out, "```\n");
  more(out, n, p.entries.size(), "stacks");
}

void gc_section(std::ostream& out, const GCAnalysis& ga, const Timeline& tl, size_t top) {
  fmt::print(out, "\n## Garbage collection\n\n");
  fmt::print(out, "| | |\n|---|---|\n");
  fmt::print(out, "| Cycles | {} ({} with a GC running) |\n", ga.cycles.size(), format_duration(ga.gc_total));
  fmt::print(out, "| Stop-the-world pauses | {} ({} in all) |\n", ga.pauses.size(), format_duration(ga.pause_total));
  if (!ga.pauses.empty()) {
    fmt::print(out, "| Pause p50 / p99 / max | {} / {} / {} |\n", format_duration(ga.pause_dist.p50),
               format_duration(ga.pause_dist.p99), format_duration(ga.pause_dist.max));
  }
  fmt::print(out, "| Mark assists | {} ({} assists) |\n", format_duration(ga.assist_total), ga.assist_count);
  fmt::print(out, "| Mark workers | {} dedicated, {} fractional, {} idle |\n", format_duration(ga.worker_total[0]),
             format_duration(ga.worker_total[1]), format_duration(ga.worker_total[2]));
  fmt::print(out, "| Sweeping | {} ({} sweeps) |\n", format_duration(ga.sweep_total), ga.sweep_count);
  if (!tl.heap_alloc.empty()) {
    int64_t peak = 0;
    for (const Sample& s : tl.heap_alloc) peak = std::max(peak, s.v);
    fmt::print(out, "| Heap (live) | peak {}, last {} |\n", format_bytes(peak), format_bytes(tl.heap_alloc.back().v));
  }
  if (!tl.heap_goal.empty()) fmt::print(out, "| Heap goal | last {} |\n", format_bytes(tl.heap_goal.back().v));

  if (!ga.cycles.empty()) {
    fmt::print(out, "\n### Cycles\n\n| Cycle | Start | Duration |\n|--:|--:|--:|\n");
    const size_t n = limit(ga.cycles.size(), top);
    for (size_t i = 0; i < n; i++) {
      const GCCycle& c = ga.cycles[i];
      fmt::print(out, "| {} | {}{} | {}{} |\n", c.cycle, format_duration(c.start),
                 c.began_before ? " (before the trace)" : "", format_duration(c.end - c.start),
                 c.ended ? "" : " (still running at the end)");
    }
    more(out, n, ga.cycles.size(), "cycles");
  }
  if (!ga.pauses.empty()) {
    std::vector<const PauseInfo*> longest;
    for (const PauseInfo& p : ga.pauses) longest.push_back(&p);
    std::stable_sort(longest.begin(), longest.end(), [](const PauseInfo* a, const PauseInfo* b) {
      return a->end - a->start > b->end - b->start;
    });
    fmt::print(out, "\n### Longest stop-the-world pauses\n\n| Start | Duration | Reason |\n|--:|--:|---|\n");
    const size_t n = limit(longest.size(), top);
    for (size_t i = 0; i < n; i++) {
      fmt::print(out, "| {} | {} | {} |\n", format_duration(longest[i]->start),
                 format_duration(longest[i]->end - longest[i]->start), cell(longest[i]->reason));
    }
    more(out, n, longest.size(), "pauses");
  }
}

void mmu_section(std::ostream& out, const std::vector<MMUPoint>& m) {
  fmt::print(out, "\n## Minimum mutator utilisation\n\n");
  fmt::print(out,
             "The lowest share of the Ps left to goroutines in any window of the given length (stop-the-world "
             "pauses, mark workers and mark assists count as GC).\n\n");
  if (m.empty()) {
    fmt::print(out, "The trace is shorter than the smallest window (100µs).\n");
    return;
  }
  fmt::print(out, "| Window | MMU |\n|--:|--:|\n");
  for (const MMUPoint& p : m) fmt::print(out, "| {} | {} |\n", format_duration(p.window), format_percent(p.mmu));
}

void annotations(std::ostream& out, const Trace& trace, const Timeline& tl, size_t top) {
  if (tl.tasks.empty() && tl.regions.empty() && tl.logs.empty()) return;
  fmt::print(out, "\n## User annotations\n\n");
  fmt::print(out, "{} tasks, {} regions, {} log messages.\n", tl.tasks.size(), tl.regions.size(), tl.logs.size());
  if (!tl.regions.empty()) {
    struct Agg {
      uint64_t count = 0;
      int64_t total = 0, max = 0;
    };
    std::map<std::string, Agg> by_name;
    for (const Region& r : tl.regions) {
      Agg& a = by_name[std::string(trace.string(r.name))];
      a.count++;
      a.total += r.end - r.start;
      a.max = std::max(a.max, r.end - r.start);
    }
    fmt::print(out, "\n| Region | Count | Total | Max |\n|---|--:|--:|--:|\n");
    for (const auto& [name, a] : by_name) {
      fmt::print(out, "| {} | {} | {} | {} |\n", cell(name), a.count, format_duration(a.total),
                 format_duration(a.max));
    }
  }
  if (!tl.logs.empty()) {
    fmt::print(out, "\n| Time | Goroutine | Category | Message |\n|--:|--:|---|---|\n");
    const size_t n = limit(tl.logs.size(), top);
    for (size_t i = 0; i < n; i++) {
      const Log& l = tl.logs[i];
      fmt::print(out, "| {} | {} | {} | {} |\n", format_duration(l.t), l.g, cell(trace.string(l.category)),
                 cell(l.message));
    }
    more(out, n, tl.logs.size(), "log messages");
  }
}

}  // namespace

void write_summary(std::ostream& out, const Trace& trace, const Ordered& ord, const Timeline& tl,
                   const SummaryOptions& opt) {
  const GoroutineAnalysis ga = analyze_goroutines(trace, tl);
  const BlockingAnalysis ba = analyze_blocking(trace, tl);
  const Distribution lat = scheduler_latency(tl);
  const GCAnalysis gca = analyze_gc(trace, tl);
  const auto mmu = analyze_mmu(tl);

  fmt::print(out, "# Trace summary: {}\n\n", opt.title);
  overview(out, trace, ord, tl);
  goroutine_section(out, ga, opt.top);
  reason_section(out, ba);
  latency_section(out, lat);
  fmt::print(out, "\n## Blocking profiles\n");
  if (!trace.has_frames()) fmt::print(out, "\nThe trace has no Frame records: stacks show raw pcs.\n");
  profile(out, trace, ba.sync, "waits", opt.top);
  profile(out, trace, ba.network, "waits", opt.top);
  profile(out, trace, ba.syscall, "calls", opt.top);
  profile(out, trace, ba.sched, "waits", opt.top);
  gc_section(out, gca, tl, opt.top);
  mmu_section(out, mmu);
  annotations(out, trace, tl, opt.top);
}

}  // namespace gort::viewer
