// results.cpp — medians and JSON for the lab's results (see results.hpp); the
// Go twin's -json output uses exactly these field names.
#include "results.hpp"

#include <lab/report.hpp>

#include <algorithm>

namespace chanbench {

double median_ns_per_msg(const ThroughputResult& v, std::uint64_t messages) {
  if (v.run_ns.empty() || messages == 0) return 0;
  const std::vector<double> ns(v.run_ns.begin(), v.run_ns.end());
  return lab::summarize(ns).p50 / static_cast<double>(messages);
}

double median_msgs_per_sec(const ThroughputResult& v, std::uint64_t messages) {
  const double ns = median_ns_per_msg(v, messages);
  return ns > 0 ? 1e9 / ns : 0;
}

const ThroughputResult* find_variant(const ThroughputResults& r, const std::string& name) {
  for (const ThroughputResult& v : r.variants) {
    if (v.name == name) return &v;
  }
  return nullptr;
}

const ToggleMode* find_mode(const ToggleResults& r, const std::string& name) {
  for (const ToggleMode& m : r.modes) {
    if (m.mode == name) return &m;
  }
  return nullptr;
}

BridgeSample bridge_peaks(const BridgeResults& b) {
  BridgeSample peak;
  for (const BridgeSample& s : b.samples) {
    peak.t_ns = std::max(peak.t_ns, s.t_ns);
    peak.sent = std::max(peak.sent, s.sent);
    peak.received = std::max(peak.received, s.received);
    peak.backlog = std::max(peak.backlog, s.backlog);
    peak.rss_bytes = std::max(peak.rss_bytes, s.rss_bytes);
    peak.heap_alloc_bytes = std::max(peak.heap_alloc_bytes, s.heap_alloc_bytes);
  }
  return peak;
}

namespace {

/// The per-variant JSON without the derived medians (they need the message count).
nlohmann::json variant_json(const ThroughputResult& v) {
  return {{"name", v.name},
          {"capacity", v.capacity},
          {"run_ns", v.run_ns},
          {"producer_waits", v.producer_waits},
          {"consumer_waits", v.consumer_waits},
          {"in_order", v.in_order}};
}

/// An optional part as JSON: null when the run left it out.
template <class T>
nlohmann::json optional_json(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

/// Reads an optional part: absent or null leaves it empty.
template <class T>
void optional_from_json(const nlohmann::json& j, const char* key, std::optional<T>* out) {
  if (j.contains(key) && !j.at(key).is_null()) *out = j.at(key).get<T>();
}

}  // namespace

void to_json(nlohmann::json& j, const ThroughputResult& v) { j = variant_json(v); }

void from_json(const nlohmann::json& j, ThroughputResult& v) {
  j.at("name").get_to(v.name);
  j.at("capacity").get_to(v.capacity);
  j.at("run_ns").get_to(v.run_ns);
  j.at("producer_waits").get_to(v.producer_waits);
  j.at("consumer_waits").get_to(v.consumer_waits);
  j.at("in_order").get_to(v.in_order);
}

void to_json(nlohmann::json& j, const ThroughputResults& v) {
  nlohmann::json variants = nlohmann::json::array();
  for (const ThroughputResult& r : v.variants) {
    nlohmann::json e = variant_json(r);
    e["ns_per_msg_median"] = median_ns_per_msg(r, v.messages);
    e["msgs_per_sec_median"] = median_msgs_per_sec(r, v.messages);
    variants.push_back(std::move(e));
  }
  j = {{"messages", v.messages}, {"runs", v.runs}, {"wait", v.wait}, {"variants", variants}};
}

void from_json(const nlohmann::json& j, ThroughputResults& v) {
  j.at("messages").get_to(v.messages);
  j.at("runs").get_to(v.runs);
  j.at("wait").get_to(v.wait);
  j.at("variants").get_to(v.variants);
}

void to_json(nlohmann::json& j, const ToggleMode& v) {
  j = {{"mode", v.mode},       {"from_a", v.from_a},   {"from_b", v.from_b},
       {"selects", v.selects}, {"repeats", v.repeats}, {"closed_receives", v.closed_receives},
       {"in_order", v.in_order}, {"ns", v.ns}};
}

void from_json(const nlohmann::json& j, ToggleMode& v) {
  j.at("mode").get_to(v.mode);
  j.at("from_a").get_to(v.from_a);
  j.at("from_b").get_to(v.from_b);
  j.at("selects").get_to(v.selects);
  j.at("repeats").get_to(v.repeats);
  j.at("closed_receives").get_to(v.closed_receives);
  j.at("in_order").get_to(v.in_order);
  j.at("ns").get_to(v.ns);
}

void to_json(nlohmann::json& j, const ToggleResults& v) {
  j = {{"a_messages", v.a_messages},
       {"b_messages", v.b_messages},
       {"modes", v.modes},
       {"nil_default_selects", v.nil_default_selects},
       {"nil_default_defaults", v.nil_default_defaults}};
}

void from_json(const nlohmann::json& j, ToggleResults& v) {
  j.at("a_messages").get_to(v.a_messages);
  j.at("b_messages").get_to(v.b_messages);
  j.at("modes").get_to(v.modes);
  j.at("nil_default_selects").get_to(v.nil_default_selects);
  j.at("nil_default_defaults").get_to(v.nil_default_defaults);
}

void to_json(nlohmann::json& j, const BridgeSample& v) {
  j = {{"t_ns", v.t_ns},       {"sent", v.sent},           {"received", v.received},
       {"backlog", v.backlog}, {"rss_bytes", v.rss_bytes}, {"heap_alloc_bytes", v.heap_alloc_bytes}};
}

void from_json(const nlohmann::json& j, BridgeSample& v) {
  j.at("t_ns").get_to(v.t_ns);
  j.at("sent").get_to(v.sent);
  j.at("received").get_to(v.received);
  j.at("backlog").get_to(v.backlog);
  j.at("rss_bytes").get_to(v.rss_bytes);
  j.at("heap_alloc_bytes").get_to(v.heap_alloc_bytes);
}

void to_json(nlohmann::json& j, const BridgeResults& v) {
  j = {{"message_bytes", v.message_bytes},
       {"max_messages", v.max_messages},
       {"limit_ns", v.limit_ns},
       {"consumer_delay_ns", v.consumer_delay_ns},
       {"sample_every_ns", v.sample_every_ns},
       {"samples", v.samples},
       {"sent", v.sent},
       {"received", v.received},
       {"dropped", v.dropped},
       {"stopped_by", v.stopped_by},
       {"in_order", v.in_order}};
}

void from_json(const nlohmann::json& j, BridgeResults& v) {
  j.at("message_bytes").get_to(v.message_bytes);
  j.at("max_messages").get_to(v.max_messages);
  j.at("limit_ns").get_to(v.limit_ns);
  j.at("consumer_delay_ns").get_to(v.consumer_delay_ns);
  j.at("sample_every_ns").get_to(v.sample_every_ns);
  j.at("samples").get_to(v.samples);
  j.at("sent").get_to(v.sent);
  j.at("received").get_to(v.received);
  j.at("dropped").get_to(v.dropped);
  j.at("stopped_by").get_to(v.stopped_by);
  j.at("in_order").get_to(v.in_order);
}

void to_json(nlohmann::json& j, const RuntimeResults& v) {
  j = {{"runtime", v.runtime},
       {"version", v.version},
       {"gomaxprocs", v.gomaxprocs},
       {"throughput", optional_json(v.throughput)},
       {"toggle", optional_json(v.toggle)},
       {"bridge", optional_json(v.bridge)}};
}

void from_json(const nlohmann::json& j, RuntimeResults& v) {
  j.at("runtime").get_to(v.runtime);
  j.at("version").get_to(v.version);
  j.at("gomaxprocs").get_to(v.gomaxprocs);
  optional_from_json(j, "throughput", &v.throughput);
  optional_from_json(j, "toggle", &v.toggle);
  optional_from_json(j, "bridge", &v.bridge);
}

void to_json(nlohmann::json& j, const LabRun& v) {
  j = {{"command", v.command},
       {"machine", v.machine},
       {"load_before", v.load_before},
       {"gort", v.gort},
       {"go", optional_json(v.go)},
       {"go_error", v.go_error.empty() ? nlohmann::json(nullptr) : nlohmann::json(v.go_error)}};
}

}  // namespace chanbench
