// analysis/goroutines.cpp — see goroutines.hpp.  Go: src/internal/trace/summary.go.
#include "goroutines.hpp"

#include <algorithm>
#include <unordered_map>

namespace gort::viewer {

std::string reason_text(const Trace& trace, uint64_t reason) {
  std::string_view s = trace.string(reason);
  return s.empty() ? std::string("(unknown)") : std::string(s);
}

GoroutineAnalysis analyze_goroutines(const Trace& trace, const Timeline& tl) {
  GoroutineAnalysis a;
  std::unordered_map<std::string, size_t> group_index;
  for (const Goroutine& g : tl.goroutines) {
    GoroutineStats s;
    s.id = g.id;
    s.group = g.group;
    s.start = g.start;
    s.end = g.end;
    s.existed_at_start = g.existed_at_start;
    s.ended = g.ended;
    s.total = g.end - g.start;
    s.sweep = g.sweep_ns;
    for (const GSlice& sl : g.slices) {
      const int64_t d = sl.end - sl.start;
      switch (sl.state) {
        case SliceState::Running: s.exec += d; break;
        case SliceState::Assist:
          s.exec += d;
          s.assist += d;
          break;
        case SliceState::Runnable: s.sched_wait += d; break;
        case SliceState::Syscall: s.syscall += d; break;
        case SliceState::Blocked:
          s.block += d;
          s.block_by_reason[reason_text(trace, sl.reason)] += d;
          break;
      }
    }
    auto [it, fresh] = group_index.try_emplace(g.group, a.groups.size());
    if (fresh) {
      a.groups.emplace_back();
      a.groups.back().name = g.group;
    }
    GroupStats& gr = a.groups[it->second];
    gr.count++;
    gr.total += s.total;
    gr.exec += s.exec;
    gr.sched_wait += s.sched_wait;
    gr.block += s.block;
    gr.syscall += s.syscall;
    gr.assist += s.assist;
    gr.sweep += s.sweep;
    for (const auto& [r, d] : s.block_by_reason) {
      gr.block_by_reason[r] += d;
      a.block_by_reason[r] += d;
    }
    gr.goroutines.push_back(g.id);
    a.goroutines.push_back(std::move(s));
  }
  std::stable_sort(a.groups.begin(), a.groups.end(), [](const GroupStats& x, const GroupStats& y) {
    if (x.exec != y.exec) return x.exec > y.exec;
    return x.name < y.name;
  });
  return a;
}

}  // namespace gort::viewer
