// view_model.cpp — see view_model.hpp.
#include "view_model.hpp"

#include "analysis/goroutines.hpp"

#include <sstream>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace gort::viewer {

namespace {

using json = nlohmann::json;

std::string quote(std::string_view s) {
  return json(std::string(s)).dump(-1, ' ', false, json::error_handler_t::replace);
}

class Strings {
 public:
  Strings() { id(""); }
  uint64_t id(std::string_view s) {
    auto [it, fresh] = ids_.try_emplace(std::string(s), list_.size());
    if (fresh) list_.emplace_back(s);
    return it->second;
  }
  const std::vector<std::string>& list() const { return list_; }

 private:
  std::unordered_map<std::string, uint64_t> ids_;
  std::vector<std::string> list_;
};

/// Writes {"a": [..], "b": [..]} from equal-length integer columns.
void columns(std::ostream& out, std::initializer_list<std::pair<const char*, const std::vector<int64_t>*>> cols) {
  out << '{';
  bool first = true;
  for (const auto& [name, v] : cols) {
    if (!first) out << ',';
    first = false;
    out << '"' << name << "\":[";
    for (size_t i = 0; i < v->size(); i++) {
      if (i) out << ',';
      out << (*v)[i];
    }
    out << ']';
  }
  out << '}';
}

void samples(std::ostream& out, const char* name, const char* unit, const std::vector<Sample>& s) {
  std::vector<int64_t> t, v;
  for (const Sample& x : s) {
    t.push_back(x.t);
    v.push_back(x.v);
  }
  out << "{\"name\":\"" << name << "\",\"unit\":\"" << unit << "\",\"t\":[";
  for (size_t i = 0; i < t.size(); i++) out << (i ? "," : "") << t[i];
  out << "],\"v\":[";
  for (size_t i = 0; i < v.size(); i++) out << (i ? "," : "") << v[i];
  out << "]}";
}

}  // namespace

void write_view_model(std::ostream& out, const Trace& trace, const Timeline& tl, const std::string& title,
                      std::string_view extra_meta) {
  Strings strs;
  std::ostringstream body;
  // procs
  body << ",\n\"procs\":[";
  for (size_t i = 0; i < tl.procs.size(); i++) {
    const Proc& p = tl.procs[i];
    std::vector<int64_t> start, dur, g, kind;
    for (const PSlice& s : p.slices) {
      if (s.end <= s.start) continue;
      start.push_back(s.start);
      dur.push_back(s.end - s.start);
      g.push_back(int64_t(s.g));
      kind.push_back(int64_t(s.kind));
    }
    body << (i ? ",\n" : "\n") << "{\"id\":" << p.id << ",\"name\":\"P" << p.id << "\",\"slices\":";
    columns(body, {{"start", &start}, {"dur", &dur}, {"g", &g}, {"kind", &kind}});
    body << '}';
  }
  body << "],\n\"goroutines\":[";
  for (size_t i = 0; i < tl.goroutines.size(); i++) {
    const Goroutine& g = tl.goroutines[i];
    std::vector<int64_t> start, dur, state, reason;
    for (const GSlice& s : g.slices) {
      if (s.end <= s.start) continue;
      start.push_back(s.start);
      dur.push_back(s.end - s.start);
      state.push_back(int64_t(s.state));
      uint64_t r = 0;
      if (s.state == SliceState::Blocked) r = strs.id(reason_text(trace, s.reason));
      if (s.state == SliceState::Runnable && s.reason != 0) r = strs.id(trace.string(s.reason));
      reason.push_back(int64_t(r));
    }
    body << (i ? ",\n" : "\n") << "{\"id\":" << g.id << ",\"name\":\"G" << g.id
         << "\",\"group_str\":" << strs.id(g.group) << ",\"slices\":";
    columns(body, {{"start", &start}, {"dur", &dur}, {"state", &state}, {"reason_str", &reason}});
    body << '}';
  }
  body << "],\n\"gc\":";
  {
    std::vector<int64_t> start, dur, cycle;
    for (const GCCycle& c : tl.gc) {
      start.push_back(c.start);
      dur.push_back(c.end - c.start);
      cycle.push_back(int64_t(c.cycle > uint64_t(INT64_MAX) ? INT64_MAX : c.cycle));
    }
    columns(body, {{"start", &start}, {"dur", &dur}, {"cycle", &cycle}});
  }
  body << ",\n\"stw\":";
  {
    std::vector<int64_t> start, dur, reason;
    for (const STWPause& p : tl.stw) {
      start.push_back(p.start);
      dur.push_back(p.end - p.start);
      reason.push_back(int64_t(strs.id(p.began_before ? "(began before the trace)" : reason_text(trace, p.reason))));
    }
    columns(body, {{"start", &start}, {"dur", &dur}, {"reason_str", &reason}});
  }
  body << ",\n\"counters\":[";
  samples(body, "HeapAlloc", "bytes", tl.heap_alloc);
  body << ",\n";
  samples(body, "HeapGoal", "bytes", tl.heap_goal);
  body << ",\n";
  samples(body, "Goroutines", "count", tl.goroutine_count);
  body << ",\n";
  samples(body, "Runnable", "count", tl.runnable_count);
  body << "],\n\"regions\":";
  {
    std::vector<int64_t> g, start, dur, name;
    for (const Region& r : tl.regions) {
      g.push_back(int64_t(r.g));
      start.push_back(r.start);
      dur.push_back(r.end - r.start);
      name.push_back(int64_t(strs.id(trace.string(r.name))));
    }
    columns(body, {{"g", &g}, {"start", &start}, {"dur", &dur}, {"name_str", &name}});
  }
  body << ",\n\"logs\":";
  {
    std::vector<int64_t> t, g, cat, msg;
    for (const Log& l : tl.logs) {
      t.push_back(l.t);
      g.push_back(int64_t(l.g));
      cat.push_back(int64_t(strs.id(trace.string(l.category))));
      msg.push_back(int64_t(strs.id(l.message)));
    }
    columns(body, {{"t", &t}, {"g", &g}, {"category_str", &cat}, {"message_str", &msg}});
  }
  body << "\n}\n";

  out << "{\"version\":" << kViewModelVersion << ",\n\"meta\":{\"title\":" << quote(title)
      << ",\"duration_ns\":" << tl.duration << ",\"procs\":" << tl.procs.size()
      << ",\"goroutines\":" << tl.goroutines.size() << ",\"events\":" << trace.event_count()
      << ",\"threads\":" << tl.threads << ",\"gc_cycles\":" << tl.gc.size();
  if (!extra_meta.empty()) out << ',' << extra_meta;
  out << "},\n\"strings\":[";
  const auto& list = strs.list();
  for (size_t i = 0; i < list.size(); i++) out << (i ? "," : "") << quote(list[i]);
  out << ']' << body.str();
}

std::string view_model_json(const Trace& trace, const Timeline& tl, const std::string& title,
                            std::string_view extra_meta) {
  std::ostringstream out;
  write_view_model(out, trace, tl, title, extra_meta);
  return out.str();
}

}  // namespace gort::viewer
