// results.cpp — per-op figures and JSON (see results.hpp); the Go twin's
// -json output uses exactly these field names.
#include "results.hpp"

#include <lab/report.hpp>

#include <algorithm>

namespace ifacebench {

namespace {

/// Operations over all timed runs (at least 1, so a division is defined).
double total_ops(const Measurement& m) {
  const double ops = static_cast<double>(m.ops) * static_cast<double>(m.run_ns.size());
  return ops > 0 ? ops : 1;
}

}  // namespace

double ns_per_op(const Measurement& m) {
  if (m.run_ns.empty() || m.ops == 0) return 0;
  const std::vector<double> ns(m.run_ns.begin(), m.run_ns.end());
  return lab::summarize(ns).p50 / static_cast<double>(m.ops);
}

double min_ns_per_op(const Measurement& m) {
  if (m.run_ns.empty() || m.ops == 0) return 0;
  return static_cast<double>(*std::min_element(m.run_ns.begin(), m.run_ns.end())) / static_cast<double>(m.ops);
}

double cxx_allocs_per_op(const Measurement& m) { return static_cast<double>(m.cxx_allocs) / total_ops(m); }
double managed_allocs_per_op(const Measurement& m) { return static_cast<double>(m.managed_allocs) / total_ops(m); }
double allocs_per_op(const Measurement& m) { return cxx_allocs_per_op(m) + managed_allocs_per_op(m); }
double bytes_per_op(const Measurement& m) {
  return static_cast<double>(m.cxx_bytes + m.managed_bytes) / total_ops(m);
}

const Measurement* find_measurement(const RuntimeResults& r, const std::string& group, const std::string& name) {
  for (const Measurement& m : r.measurements) {
    if (m.group == group && m.name == name) return &m;
  }
  return nullptr;
}

void to_json(nlohmann::json& j, const Measurement& m) {
  j = {{"group", m.group},
       {"name", m.name},
       {"ops", m.ops},
       {"run_ns", m.run_ns},
       {"cxx_allocs", m.cxx_allocs},
       {"cxx_bytes", m.cxx_bytes},
       {"managed_allocs", m.managed_allocs},
       {"managed_bytes", m.managed_bytes},
       {"result", m.result},
       {"logged_lines", m.logged_lines},
       {"ns_per_op_median", ns_per_op(m)},
       {"ns_per_op_min", min_ns_per_op(m)},
       {"allocs_per_op", allocs_per_op(m)},
       {"bytes_per_op", bytes_per_op(m)}};
}

void from_json(const nlohmann::json& j, Measurement& m) {
  j.at("group").get_to(m.group);
  j.at("name").get_to(m.name);
  j.at("ops").get_to(m.ops);
  j.at("run_ns").get_to(m.run_ns);
  j.at("cxx_allocs").get_to(m.cxx_allocs);
  j.at("cxx_bytes").get_to(m.cxx_bytes);
  j.at("managed_allocs").get_to(m.managed_allocs);
  j.at("managed_bytes").get_to(m.managed_bytes);
  j.at("result").get_to(m.result);
  j.at("logged_lines").get_to(m.logged_lines);
}

void to_json(nlohmann::json& j, const RuntimeResults& r) {
  j = {{"runtime", r.runtime}, {"version", r.version},     {"gomaxprocs", r.gomaxprocs},
       {"runs", r.runs},       {"log_level", r.log_level}, {"measurements", r.measurements}};
}

void from_json(const nlohmann::json& j, RuntimeResults& r) {
  j.at("runtime").get_to(r.runtime);
  j.at("version").get_to(r.version);
  j.at("gomaxprocs").get_to(r.gomaxprocs);
  j.at("runs").get_to(r.runs);
  j.at("log_level").get_to(r.log_level);
  j.at("measurements").get_to(r.measurements);
}

void to_json(nlohmann::json& j, const LabRun& r) {
  j = {{"command", r.command},
       {"machine", r.machine},
       {"load_before", r.load_before},
       {"gort", r.gort},
       {"gort_disassembly", r.gort_disassembly},
       {"go", r.go ? nlohmann::json(*r.go) : nlohmann::json(nullptr)},
       {"go_disassembly", r.go_disassembly ? nlohmann::json(*r.go_disassembly) : nlohmann::json(nullptr)},
       {"go_escape_lines", r.go_escape_lines},
       {"go_error", r.go_error.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.go_error)}};
}

}  // namespace ifacebench
