// results.cpp — reading array children, medians and JSON (see results.hpp);
// the Go twin's JSON uses exactly these field names.
#include "results.hpp"

#include <fmt/format.h>
#include <lab/gctrace.hpp>
#include <lab/report.hpp>

#include <algorithm>

namespace layoutlab {

namespace {

/// The end of a stderr capture, for an error message.
std::string tail(const std::string& text) {
  constexpr std::size_t kTailBytes = 2000;  // a panic message and a few frames
  return text.size() <= kTailBytes ? text : "..." + text.substr(text.size() - kTailBytes);
}

/// A JSON value that is null when v is empty.
template <class T>
nlohmann::json optional_json(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

}  // namespace

std::optional<ArrayRun> read_array_run(const gort::ProcessResult& p, const std::string& who, std::string* why) {
  if (p.exit_code != 0) {
    *why = fmt::format("{} exited with status {}: {}", who, p.exit_code, tail(p.err));
    return std::nullopt;
  }
  ArrayRun run;
  try {
    run.child = nlohmann::json::parse(p.out).get<ArrayChild>();
  } catch (const std::exception& e) {
    *why = fmt::format("{} printed no result JSON ({}): {}", who, e.what(), tail(p.out));
    return std::nullopt;
  }
  const lab::GctraceLog log = lab::read_gctrace_log(p.err);
  run.rejected = log.rejected;
  for (std::size_t i = 0; i < log.cycles.size(); ++i) {
    const lab::GctraceLine& g = log.cycles[i];
    if (g.cycle <= run.child.num_gc_before || g.cycle > run.child.num_gc_after) continue;
    run.gctrace.push_back(log.cycle_text[i]);
    run.mark_clock_ms.push_back(g.clock_mark_ms);
    run.mark_cpu_ms.push_back(g.cpu_assist_ms + g.cpu_background_ms + g.cpu_idle_ms);
  }
  for (std::size_t i = 0; i < log.cycles.size(); ++i) {
    const lab::GctraceLine& g = log.cycles[i];
    if (g.cycle <= run.child.num_gc_start || g.cycle > run.child.num_gc_before) continue;
    run.alloc_gctrace.push_back(log.cycle_text[i]);
    run.alloc_pause_ms = std::max(run.alloc_pause_ms, g.pause_ms());
  }
  return run;
}

double median(std::vector<double> values) { return lab::summarize(std::move(values)).p50; }

double median_ns_per_increment(const SharingVariant& v, std::uint64_t increments) {
  if (v.run_ns.empty() || increments == 0) return 0;
  return median(std::vector<double>(v.run_ns.begin(), v.run_ns.end())) / static_cast<double>(increments);
}

double median_cpu_ns_per_increment(const SharingVariant& v, std::uint64_t increments) {
  if (v.cpu_ns.empty() || increments == 0) return 0;
  return median(std::vector<double>(v.cpu_ns.begin(), v.cpu_ns.end())) / (2.0 * static_cast<double>(increments));
}

double median_parallelism(const SharingVariant& v) {
  std::vector<double> p;
  for (std::size_t i = 0; i < v.run_ns.size() && i < v.cpu_ns.size(); ++i) {
    if (v.run_ns[i] > 0) p.push_back(static_cast<double>(v.cpu_ns[i]) / static_cast<double>(v.run_ns[i]));
  }
  return median(std::move(p));
}

const SharingVariant* find_sharing_variant(const SharingResults& s, const std::string& name) {
  for (const SharingVariant& v : s.variants) {
    if (v.name == name) return &v;
  }
  return nullptr;
}

const ArrayRun* find_array(const RuntimeResults& r, const std::string& name, const std::string& layout) {
  for (const ArrayRun& a : r.arrays) {
    if (a.child.name == name && a.child.layout == layout) return &a;
  }
  return nullptr;
}

void to_json(nlohmann::json& j, const FieldOffset& v) { j = {{"name", v.name}, {"offset", v.offset}}; }
void from_json(const nlohmann::json& j, FieldOffset& v) {
  j.at("name").get_to(v.name);
  j.at("offset").get_to(v.offset);
}

void to_json(nlohmann::json& j, const StructLayout& v) {
  j = {{"name", v.name}, {"size", v.size}, {"align", v.align}, {"fields", v.fields}};
}
void from_json(const nlohmann::json& j, StructLayout& v) {
  j.at("name").get_to(v.name);
  j.at("size").get_to(v.size);
  j.at("align").get_to(v.align);
  j.at("fields").get_to(v.fields);
}

void to_json(nlohmann::json& j, const LayoutPair& v) { j = {{"bad", v.bad}, {"packed", v.packed}}; }
void from_json(const nlohmann::json& j, LayoutPair& v) {
  j.at("bad").get_to(v.bad);
  j.at("packed").get_to(v.packed);
}

void to_json(nlohmann::json& j, const ArrayChild& v) {
  j = {{"name", v.name},
       {"layout", v.layout},
       {"elements", v.elements},
       {"element_bytes", v.element_bytes},
       {"scannable", v.scannable},
       {"make_ns", v.make_ns},
       {"fill_ns", v.fill_ns},
       {"heap_alloc_before", v.heap_alloc_before},
       {"heap_alloc_after", v.heap_alloc_after},
       {"num_gc_start", v.num_gc_start},
       {"num_gc_before", v.num_gc_before},
       {"num_gc_after", v.num_gc_after},
       {"pause_ns", v.pause_ns},
       {"page_faults", v.page_faults}};
}
void from_json(const nlohmann::json& j, ArrayChild& v) {
  j.at("name").get_to(v.name);
  j.at("layout").get_to(v.layout);
  j.at("elements").get_to(v.elements);
  j.at("element_bytes").get_to(v.element_bytes);
  j.at("scannable").get_to(v.scannable);
  j.at("make_ns").get_to(v.make_ns);
  j.at("fill_ns").get_to(v.fill_ns);
  j.at("heap_alloc_before").get_to(v.heap_alloc_before);
  j.at("heap_alloc_after").get_to(v.heap_alloc_after);
  j.at("num_gc_start").get_to(v.num_gc_start);
  j.at("num_gc_before").get_to(v.num_gc_before);
  j.at("num_gc_after").get_to(v.num_gc_after);
  j.at("pause_ns").get_to(v.pause_ns);
  j.at("page_faults").get_to(v.page_faults);
}

void to_json(nlohmann::json& j, const ArrayRun& v) {
  j = {{"child", v.child},
       {"gctrace", v.gctrace},
       {"mark_clock_ms", v.mark_clock_ms},
       {"mark_cpu_ms", v.mark_cpu_ms},
       {"rejected", v.rejected},
       {"alloc_gctrace", v.alloc_gctrace},
       {"alloc_pause_ms", v.alloc_pause_ms},
       {"mark_clock_ms_median", median(v.mark_clock_ms)},
       {"mark_cpu_ms_median", median(v.mark_cpu_ms)},
       {"pause_ns_median", median(std::vector<double>(v.child.pause_ns.begin(), v.child.pause_ns.end()))},
       {"heap_alloc_growth", static_cast<std::int64_t>(v.child.heap_alloc_after) -
                                 static_cast<std::int64_t>(v.child.heap_alloc_before)}};
}
void from_json(const nlohmann::json& j, ArrayRun& v) {
  j.at("child").get_to(v.child);
  j.at("gctrace").get_to(v.gctrace);
  j.at("mark_clock_ms").get_to(v.mark_clock_ms);
  j.at("mark_cpu_ms").get_to(v.mark_cpu_ms);
  j.at("rejected").get_to(v.rejected);
  j.at("alloc_gctrace").get_to(v.alloc_gctrace);
  j.at("alloc_pause_ms").get_to(v.alloc_pause_ms);
}

void to_json(nlohmann::json& j, const SharingVariant& v) {
  j = {{"name", v.name},
       {"distance_bytes", v.distance_bytes},
       {"same_line", v.same_line},
       {"run_ns", v.run_ns},
       {"cpu_ns", v.cpu_ns}};
}
void from_json(const nlohmann::json& j, SharingVariant& v) {
  j.at("name").get_to(v.name);
  j.at("distance_bytes").get_to(v.distance_bytes);
  j.at("same_line").get_to(v.same_line);
  j.at("run_ns").get_to(v.run_ns);
  j.at("cpu_ns").get_to(v.cpu_ns);
}

void to_json(nlohmann::json& j, const SharingResults& v) {
  nlohmann::json variants = nlohmann::json::array();
  for (const SharingVariant& s : v.variants) {
    nlohmann::json e = s;
    e["ns_per_increment_median"] = median_ns_per_increment(s, v.increments);
    e["cpu_ns_per_increment_median"] = median_cpu_ns_per_increment(s, v.increments);
    e["parallelism_median"] = median_parallelism(s);
    variants.push_back(std::move(e));
  }
  j = {{"gomaxprocs", v.gomaxprocs},
       {"increments", v.increments},
       {"pad_bytes", v.pad_bytes},
       {"variants", variants}};
}
void from_json(const nlohmann::json& j, SharingResults& v) {
  j.at("gomaxprocs").get_to(v.gomaxprocs);
  j.at("increments").get_to(v.increments);
  j.at("pad_bytes").get_to(v.pad_bytes);
  j.at("variants").get_to(v.variants);
}

void to_json(nlohmann::json& j, const RuntimeResults& v) {
  j = {{"runtime", v.runtime},
       {"version", v.version},
       {"layouts", v.layouts},
       {"arrays", v.arrays},
       {"sharing", optional_json(v.sharing)}};
}
void from_json(const nlohmann::json& j, RuntimeResults& v) {
  j.at("runtime").get_to(v.runtime);
  j.at("version").get_to(v.version);
  j.at("layouts").get_to(v.layouts);
  if (j.contains("arrays")) j.at("arrays").get_to(v.arrays);
  const auto& sharing = j.at("sharing");
  if (!sharing.is_null()) v.sharing = sharing.get<SharingResults>();
}

void to_json(nlohmann::json& j, const LabRun& v) {
  j = {{"command", v.command},
       {"machine", v.machine},
       {"load_before", v.load_before},
       {"structs", v.structs},
       {"gort", v.gort},
       {"go", optional_json(v.go)},
       {"go_error", v.go_error.empty() ? nlohmann::json(nullptr) : nlohmann::json(v.go_error)}};
}

}  // namespace layoutlab
