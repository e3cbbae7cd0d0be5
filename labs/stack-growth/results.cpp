// results.cpp — JSON for the lab's results (see results.hpp); the Go twin's
// -json output uses exactly these field names.
#include "results.hpp"

namespace stacklab {

namespace {

/// An optional number as JSON (null when absent).
nlohmann::json optional_json(const std::optional<std::uint64_t>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

/// Reads an optional number that may be null or missing.
std::optional<std::uint64_t> optional_from(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  return it->get<std::uint64_t>();
}

}  // namespace

void to_json(nlohmann::json& j, const ProcessStacks& v) {
  j = {{"stack_inuse", v.stack_inuse}, {"stack_sys", v.stack_sys}, {"rss", v.rss}};
}

void from_json(const nlohmann::json& j, ProcessStacks& v) {
  j.at("stack_inuse").get_to(v.stack_inuse);
  j.at("stack_sys").get_to(v.stack_sys);
  j.at("rss").get_to(v.rss);
}

void to_json(nlohmann::json& j, const HeldSnapshot& v) {
  j = {{"label", v.label},
       {"n", v.n},
       {"goroutines", v.goroutines},
       {"used_bytes_max", v.used_bytes_max},
       {"used_bytes_mean", v.used_bytes_mean},
       {"resident_used_bytes", v.resident_used_bytes},
       {"resident_slot_bytes", optional_json(v.resident_slot_bytes)},
       {"process", v.process}};
}

void from_json(const nlohmann::json& j, HeldSnapshot& v) {
  j.at("label").get_to(v.label);
  j.at("n").get_to(v.n);
  j.at("goroutines").get_to(v.goroutines);
  j.at("used_bytes_max").get_to(v.used_bytes_max);
  j.at("used_bytes_mean").get_to(v.used_bytes_mean);
  j.at("resident_used_bytes").get_to(v.resident_used_bytes);
  v.resident_slot_bytes = optional_from(j, "resident_slot_bytes");
  j.at("process").get_to(v.process);
}

void to_json(nlohmann::json& j, const ChurnStyle& v) {
  j = {{"style", v.style},
       {"goroutines", v.goroutines},
       {"frames_per_goroutine", v.frames_per_goroutine},
       {"before", v.before},
       {"rounds", v.rounds},
       {"round_ns", v.round_ns},
       {"after_exit", v.after_exit},
       {"after_gc", v.after_gc}};
}

void from_json(const nlohmann::json& j, ChurnStyle& v) {
  j.at("style").get_to(v.style);
  j.at("goroutines").get_to(v.goroutines);
  j.at("frames_per_goroutine").get_to(v.frames_per_goroutine);
  j.at("before").get_to(v.before);
  j.at("rounds").get_to(v.rounds);
  j.at("round_ns").get_to(v.round_ns);
  j.at("after_exit").get_to(v.after_exit);
  j.at("after_gc").get_to(v.after_gc);
}

void to_json(nlohmann::json& j, const StackSample& v) {
  j = {{"t_ms", v.t_ms}, {"stacks", v.stacks}, {"goroutines", v.goroutines}};
}

void from_json(const nlohmann::json& j, StackSample& v) {
  j.at("t_ms").get_to(v.t_ms);
  j.at("stacks").get_to(v.stacks);
  j.at("goroutines").get_to(v.goroutines);
}

void to_json(nlohmann::json& j, const Phase& v) { j = {{"name", v.name}, {"t_ms", v.t_ms}}; }

void from_json(const nlohmann::json& j, Phase& v) {
  j.at("name").get_to(v.name);
  j.at("t_ms").get_to(v.t_ms);
}

void to_json(nlohmann::json& j, const RuntimeResults& v) {
  j = {{"runtime", v.runtime},
       {"version", v.version},
       {"gomaxprocs", v.gomaxprocs},
       {"stack_limit_bytes", v.stack_limit_bytes},
       {"slot_bytes", optional_json(v.slot_bytes)},
       {"baseline", v.baseline},
       {"depth_steps", v.depth_steps},
       {"growth", v.growth},
       {"entry_to_depth0_bytes", v.entry_to_depth0_bytes},
       {"bytes_per_frame", v.bytes_per_frame},
       {"total_frames", v.total_frames},
       {"churn", v.churn},
       {"samples", v.samples},
       {"phases", v.phases}};
}

void from_json(const nlohmann::json& j, RuntimeResults& v) {
  j.at("runtime").get_to(v.runtime);
  j.at("version").get_to(v.version);
  j.at("gomaxprocs").get_to(v.gomaxprocs);
  j.at("stack_limit_bytes").get_to(v.stack_limit_bytes);
  v.slot_bytes = optional_from(j, "slot_bytes");
  j.at("baseline").get_to(v.baseline);
  j.at("depth_steps").get_to(v.depth_steps);
  j.at("growth").get_to(v.growth);
  j.at("entry_to_depth0_bytes").get_to(v.entry_to_depth0_bytes);
  j.at("bytes_per_frame").get_to(v.bytes_per_frame);
  j.at("total_frames").get_to(v.total_frames);
  j.at("churn").get_to(v.churn);
  j.at("samples").get_to(v.samples);
  j.at("phases").get_to(v.phases);
}

void to_json(nlohmann::json& j, const OverflowReport& v) {
  j = {{"runtime", v.runtime},
       {"exit_code", v.exit_code},
       {"limit_line", v.limit_line ? nlohmann::json(*v.limit_line) : nlohmann::json(nullptr)},
       {"fatal_line", v.fatal_line},
       {"stack_bytes", optional_json(v.stack_bytes)},
       {"head", v.head},
       {"total_lines", v.total_lines}};
}

void to_json(nlohmann::json& j, const LabRun& v) {
  j = {{"command", v.command},
       {"gort", v.gort},
       {"go", v.go ? nlohmann::json(*v.go) : nlohmann::json(nullptr)},
       {"go_error", v.go_error.empty() ? nlohmann::json(nullptr) : nlohmann::json(v.go_error)},
       {"overflow", v.overflow ? nlohmann::json(*v.overflow) : nlohmann::json(nullptr)},
       {"go_overflow", v.go_overflow ? nlohmann::json(*v.go_overflow) : nlohmann::json(nullptr)}};
}

void derive_frame_bytes(RuntimeResults& r) {
  const HeldSnapshot* zero = nullptr;
  const HeldSnapshot* deepest = nullptr;
  for (const HeldSnapshot& s : r.growth) {
    if (s.n == 0 && zero == nullptr) zero = &s;
    if (s.n > 0 && (deepest == nullptr || s.n > deepest->n)) deepest = &s;
  }
  if (zero == nullptr || deepest == nullptr) return;
  r.entry_to_depth0_bytes = static_cast<double>(zero->used_bytes_max);
  r.bytes_per_frame =
      (static_cast<double>(deepest->used_bytes_max) - static_cast<double>(zero->used_bytes_max)) / deepest->n;
}

}  // namespace stacklab
