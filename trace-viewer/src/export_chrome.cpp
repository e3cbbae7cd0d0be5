// export_chrome.cpp — see export_chrome.hpp.  Go: src/cmd/trace/jsontrace.go
// and internal/traceviewer/format (the event shapes).
#include "export_chrome.hpp"

#include "analysis/goroutines.hpp"
#include "symbolize.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace gort::viewer {

namespace {

using json = nlohmann::json;

double us(int64_t ns) { return double(ns) / 1000.0; }

class Writer {
 public:
  explicit Writer(std::ostream& out) : out_(out) {}
  void begin() { out_ << "{\"displayTimeUnit\":\"ms\",\"otherData\":{\"source\":\"gort trace-viewer\"},\"traceEvents\":[\n"; }
  void end() { out_ << "\n]}\n"; }
  void event(const json& j) {
    if (!first_) out_ << ",\n";
    first_ = false;
    out_ << j.dump(-1, ' ', false, json::error_handler_t::replace);
  }
  void process(int pid, const std::string& name, int sort) {
    event({{"ph", "M"}, {"pid", pid}, {"tid", 0}, {"name", "process_name"}, {"args", {{"name", name}}}});
    event({{"ph", "M"}, {"pid", pid}, {"tid", 0}, {"name", "process_sort_index"}, {"args", {{"sort_index", sort}}}});
  }
  void thread(int pid, uint64_t tid, const std::string& name, int64_t sort) {
    event({{"ph", "M"}, {"pid", pid}, {"tid", tid}, {"name", "thread_name"}, {"args", {{"name", name}}}});
    event({{"ph", "M"}, {"pid", pid}, {"tid", tid}, {"name", "thread_sort_index"}, {"args", {{"sort_index", sort}}}});
  }
  void slice(int pid, uint64_t tid, int64_t start, int64_t end, const std::string& name, const char* cat,
             json args = nullptr) {
    if (end <= start) return;
    json j = {{"ph", "X"}, {"pid", pid}, {"tid", tid}, {"ts", us(start)}, {"dur", us(end - start)},
              {"name", name}, {"cat", cat}};
    if (!args.is_null()) j["args"] = std::move(args);
    event(j);
  }
  void counter(int pid, const char* name, int64_t t, int64_t v) {
    event({{"ph", "C"}, {"pid", pid}, {"tid", 0}, {"ts", us(t)}, {"name", name}, {"args", {{name, v}}}});
  }

 private:
  std::ostream& out_;
  bool first_ = true;
};

json stack_json(const Trace& trace, uint64_t stack) {
  json frames = json::array();
  for (std::string& f : user_frames(trace, stack)) frames.push_back(std::move(f));
  return frames;
}

const char* worker_kind_name(uint8_t k) {
  switch (tf::GCWorkerKind(k)) {
    case tf::GCWorkerKind::Dedicated: return "dedicated";
    case tf::GCWorkerKind::Fractional: return "fractional";
    case tf::GCWorkerKind::Idle: return "idle";
  }
  return "?";
}

}  // namespace

void write_chrome_json(std::ostream& out, const Trace& trace, const Timeline& tl) {
  Writer w(out);
  w.begin();
  w.process(kPidProcs, "Procs", 1);
  w.process(kPidGoroutines, "Goroutines", 2);
  w.process(kPidGC, "GC", 0);

  // Procs.
  std::map<uint64_t, const Goroutine*> gs;
  for (const Goroutine& g : tl.goroutines) gs[g.id] = &g;
  auto group_of = [&](uint64_t id) -> std::string {
    auto it = gs.find(id);
    return it == gs.end() ? std::string() : it->second->group;
  };
  for (const Proc& p : tl.procs) {
    w.thread(kPidProcs, p.id, fmt::format("P{}", p.id), p.id);
    for (const PSlice& s : p.slices) {
      switch (s.kind) {
        case PKind::Goroutine:
          w.slice(kPidProcs, p.id, s.start, s.end, fmt::format("G{} {}", s.g, group_of(s.g)), "goroutine",
                  {{"goroutine", s.g}, {"group", group_of(s.g)}});
          break;
        case PKind::Syscall:
          w.slice(kPidProcs, p.id, s.start, s.end, fmt::format("G{} (blocking call)", s.g), "syscall",
                  {{"goroutine", s.g}, {"group", group_of(s.g)}});
          break;
        case PKind::GCWorker:
          w.slice(kPidProcs, p.id, s.start, s.end, fmt::format("GC mark worker ({})", worker_kind_name(s.worker_kind)),
                  "gc");
          break;
      }
    }
  }

  // Goroutines.
  for (const Goroutine& g : tl.goroutines) {
    w.thread(kPidGoroutines, g.id, fmt::format("G{} {}", g.id, g.group), int64_t(g.id));
    for (const GSlice& s : g.slices) {
      json args = json::object();
      if (s.state == SliceState::Blocked) args["reason"] = reason_text(trace, s.reason);
      if (s.state == SliceState::Runnable && s.reason != 0) args["reason"] = std::string(trace.string(s.reason));
      // Stacks say where a goroutine waited; a runnable slice's stack (its
      // unblocker's) is left to the summary's scheduler latency profile.
      if (s.stack != 0 && (s.state == SliceState::Blocked || s.state == SliceState::Syscall)) {
        args["stack"] = stack_json(trace, s.stack);
      }
      w.slice(kPidGoroutines, g.id, s.start, s.end, slice_state_name(s.state), "state", std::move(args));
    }
  }
  bool orphan_logs = false;
  for (const Log& l : tl.logs) {
    if (l.g == 0 && !orphan_logs) {
      orphan_logs = true;
      w.thread(kPidGoroutines, 0, "(no goroutine)", -1);
    }
    std::string cat(trace.string(l.category));
    w.event({{"ph", "i"}, {"s", "t"}, {"pid", kPidGoroutines}, {"tid", l.g}, {"ts", us(l.t)},
             {"name", cat.empty() ? l.message : cat + ": " + l.message}, {"cat", "log"},
             {"args", {{"category", cat}, {"message", l.message}, {"task", l.task}}}});
  }
  for (const Sample& s : tl.goroutine_count) w.counter(kPidGoroutines, "Goroutines", s.t, s.v);
  for (const Sample& s : tl.runnable_count) w.counter(kPidGoroutines, "Runnable", s.t, s.v);

  // GC.
  w.thread(kPidGC, 1, "GC cycles", 1);
  w.thread(kPidGC, 2, "Stop-the-world", 2);
  for (const GCCycle& c : tl.gc) {
    w.slice(kPidGC, 1, c.start, c.end, fmt::format("GC {}", c.cycle), "gc", {{"cycle", c.cycle}});
  }
  for (const STWPause& p : tl.stw) {
    std::string reason = p.began_before ? "(began before the trace)" : reason_text(trace, p.reason);
    w.slice(kPidGC, 2, p.start, p.end, fmt::format("STW ({})", reason), "stw", {{"reason", reason}});
  }
  for (const Sample& s : tl.heap_alloc) w.counter(kPidGC, "HeapAlloc", s.t, s.v);
  for (const Sample& s : tl.heap_goal) w.counter(kPidGC, "HeapGoal", s.t, s.v);

  // User regions: per goroutine, parents before children.
  if (!tl.regions.empty()) {
    w.process(kPidRegions, "User regions", 3);
    std::map<uint64_t, std::vector<const Region*>> by_g;
    for (const Region& r : tl.regions) by_g[r.g].push_back(&r);
    for (auto& [g, rs] : by_g) {
      w.thread(kPidRegions, g, fmt::format("G{}", g), int64_t(g));
      std::stable_sort(rs.begin(), rs.end(), [](const Region* a, const Region* b) {
        return a->start != b->start ? a->start < b->start : a->end > b->end;
      });
      for (const Region* r : rs) {
        w.slice(kPidRegions, g, r->start, r->end, std::string(trace.string(r->name)), "region", {{"task", r->task}});
      }
    }
  }
  if (!tl.tasks.empty()) {
    w.process(kPidTasks, "User tasks", 4);
    for (const Task& t : tl.tasks) {
      std::string name(trace.string(t.name));
      w.thread(kPidTasks, t.id, fmt::format("task {} {}", t.id, name), int64_t(t.id));
      w.slice(kPidTasks, t.id, t.start, t.end, name.empty() ? fmt::format("task {}", t.id) : name, "task",
              {{"task", t.id}, {"parent", t.parent}});
    }
  }
  w.end();
}

}  // namespace gort::viewer
