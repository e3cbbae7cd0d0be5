// results.cpp — medians and JSON for the lab's results (see results.hpp); the
// Go twin's -json output uses exactly these field names.
#include "results.hpp"

#include <lab/report.hpp>

namespace spsclab {

namespace {

/// The median of run_ns divided by the units each run did (0 without runs or units).
double median_per_unit(const std::vector<std::int64_t>& run_ns, std::uint64_t units) {
  if (run_ns.empty() || units == 0) return 0;
  const std::vector<double> ns(run_ns.begin(), run_ns.end());
  return lab::summarize(ns).p50 / static_cast<double>(units);
}

}  // namespace

double median_ns_per_msg(const VariantResult& v, std::uint64_t messages) {
  return median_per_unit(v.run_ns, messages);
}

double median_msgs_per_sec(const VariantResult& v, std::uint64_t messages) {
  const double ns = median_ns_per_msg(v, messages);
  return ns > 0 ? 1e9 / ns : 0;
}

double median_line_round_trip_ns(const RuntimeResults& r) {
  return median_per_unit(r.line_round_trip_run_ns, r.line_round_trips);
}

const VariantResult* find_variant(const RuntimeResults& r, const std::string& name) {
  for (const VariantResult& v : r.variants) {
    if (v.name == name) return &v;
  }
  return nullptr;
}

namespace {

/// The per-variant JSON without the derived medians (needs the message count).
nlohmann::json variant_json(const VariantResult& v) {
  return {{"name", v.name},
          {"run_ns", v.run_ns},
          {"producer_waits", v.producer_waits},
          {"consumer_waits", v.consumer_waits},
          {"in_order", v.in_order},
          {"head_to_tail_bytes", v.head_to_tail_bytes ? nlohmann::json(*v.head_to_tail_bytes) : nlohmann::json()},
          {"same_cache_line", v.same_cache_line ? nlohmann::json(*v.same_cache_line) : nlohmann::json()}};
}

}  // namespace

void to_json(nlohmann::json& j, const VariantResult& v) { j = variant_json(v); }

void from_json(const nlohmann::json& j, VariantResult& v) {
  j.at("name").get_to(v.name);
  j.at("run_ns").get_to(v.run_ns);
  j.at("producer_waits").get_to(v.producer_waits);
  j.at("consumer_waits").get_to(v.consumer_waits);
  j.at("in_order").get_to(v.in_order);
  const auto& distance = j.at("head_to_tail_bytes");
  if (!distance.is_null()) v.head_to_tail_bytes = distance.get<std::int64_t>();
  const auto& same = j.at("same_cache_line");
  if (!same.is_null()) v.same_cache_line = same.get<bool>();
}

void to_json(nlohmann::json& j, const RuntimeResults& v) {
  nlohmann::json variants = nlohmann::json::array();
  for (const VariantResult& r : v.variants) {
    nlohmann::json e = variant_json(r);
    e["ns_per_msg_median"] = median_ns_per_msg(r, v.messages);
    e["msgs_per_sec_median"] = median_msgs_per_sec(r, v.messages);
    variants.push_back(std::move(e));
  }
  j = {{"runtime", v.runtime},   {"version", v.version}, {"gomaxprocs", v.gomaxprocs},
       {"messages", v.messages}, {"capacity", v.capacity}, {"runs", v.runs},
       {"wait", v.wait},         {"variants", variants},
       {"line_round_trips", v.line_round_trips},
       {"line_round_trip_run_ns", v.line_round_trip_run_ns},
       {"line_round_trip_ns_median", median_line_round_trip_ns(v)}};
}

void from_json(const nlohmann::json& j, RuntimeResults& v) {
  j.at("runtime").get_to(v.runtime);
  j.at("version").get_to(v.version);
  j.at("gomaxprocs").get_to(v.gomaxprocs);
  j.at("messages").get_to(v.messages);
  j.at("capacity").get_to(v.capacity);
  j.at("runs").get_to(v.runs);
  j.at("wait").get_to(v.wait);
  j.at("variants").get_to(v.variants);
  j.at("line_round_trips").get_to(v.line_round_trips);
  j.at("line_round_trip_run_ns").get_to(v.line_round_trip_run_ns);
}

void to_json(nlohmann::json& j, const LabRun& v) {
  j = {{"command", v.command},
       {"machine", v.machine},
       {"load_before", v.load_before},
       {"gort", v.gort},
       {"go", v.go ? nlohmann::json(*v.go) : nlohmann::json(nullptr)},
       {"go_error", v.go_error.empty() ? nlohmann::json(nullptr) : nlohmann::json(v.go_error)}};
}

}  // namespace spsclab
