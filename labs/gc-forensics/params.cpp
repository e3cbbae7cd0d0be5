// params.cpp — workload flags and GC-setting environments (see params.hpp).
#include "params.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>

#include "units.hpp"

namespace gclab {

const char* workload_name(Workload w) {
  switch (w) {
    case Workload::Service: return "service";
    case Workload::Retain: return "retain";
  }
  return "?";
}

std::optional<Workload> parse_workload(std::string_view name) {
  if (name == "service") return Workload::Service;
  if (name == "retain") return Workload::Retain;
  return std::nullopt;
}

std::vector<std::string> workload_flags(const WorkloadParams& p, std::string_view dash) {
  const std::string d(dash);
  return {
      d + "scenario=" + workload_name(p.workload),
      fmt::format("{}rate={}B/s", d, std::llround(p.rate_bytes_per_s)),
      fmt::format("{}duration={}ns", d, p.duration.count()),
      fmt::format("{}workers={}", d, p.workers),
      fmt::format("{}live={}", d, p.live_bytes),
      fmt::format("{}buffers={}", d, p.buffers),
      fmt::format("{}pause-every={}", d, p.pause_every),
      fmt::format("{}requests={}", d, p.requests),
      fmt::format("{}refactor={}", d, p.refactor ? "true" : "false"),
  };
}

std::string gc_setting_label(const GcSetting& s) {
  std::string label = "GOGC=" + (s.gogc ? std::to_string(*s.gogc) : std::string("off"));
  if (s.memlimit) label += " GOMEMLIMIT=" + byte_count_text(*s.memlimit);
  return label;
}

std::string gc_setting_slug(const GcSetting& s) {
  std::string slug = "-gogc" + (s.gogc ? std::to_string(*s.gogc) : std::string("off"));
  if (s.memlimit) slug += "-memlimit" + byte_count_text(*s.memlimit);
  return slug;
}

std::vector<std::string> gc_setting_env(const GcSetting& s) {
  std::string godebug = "gctrace=1";
  if (const char* inherited = std::getenv("GODEBUG"); inherited != nullptr && *inherited != '\0') {
    godebug = std::string(inherited) + ",gctrace=1";  // later entries win, in Go and in gort
  }
  return {
      "GOGC=" + (s.gogc ? std::to_string(*s.gogc) : std::string("off")),
      "GOMEMLIMIT=" + (s.memlimit ? std::to_string(*s.memlimit) : std::string("off")),
      "GODEBUG=" + godebug,
  };
}

}  // namespace gclab
