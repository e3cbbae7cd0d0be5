// results.cpp — JSON for the measured numbers and the checks of predictions.
#include "results.hpp"

#include <algorithm>
#include <cmath>

namespace escape {

const Measurement* RuntimeResults::find(const std::string& snippet, const std::string& variant) const {
  for (const auto& m : measurements)
    if (m.snippet == snippet && m.variant == variant) return &m;
  return nullptr;
}

nlohmann::json to_json(const RuntimeResults& r) {
  nlohmann::json j;
  j["runtime"] = r.runtime;
  j["benchtime"] = r.benchtime;
  j["count"] = r.count;
  j["measurements"] = nlohmann::json::array();
  for (const auto& m : r.measurements) {
    j["measurements"].push_back({{"snippet", m.snippet},
                                 {"variant", m.variant},
                                 {"iterations", m.iterations},
                                 {"ns_per_op_runs", m.ns_per_op_runs},
                                 {"ns_per_op", m.ns_per_op},
                                 {"managed_allocs_per_op", m.managed_allocs_per_op},
                                 {"managed_bytes_per_op", m.managed_bytes_per_op},
                                 {"cxx_allocs_per_op", m.cxx_allocs_per_op},
                                 {"cxx_bytes_per_op", m.cxx_bytes_per_op}});
  }
  return j;
}

std::optional<RuntimeResults> results_from_json(const std::string& text, std::string* error) {
  try {
    const auto j = nlohmann::json::parse(text);
    RuntimeResults r;
    r.runtime = j.at("runtime").get<std::string>();
    r.benchtime = j.at("benchtime").get<std::string>();
    r.count = j.at("count").get<int>();
    for (const auto& e : j.at("measurements")) {
      Measurement m;
      m.snippet = e.at("snippet").get<std::string>();
      m.variant = e.at("variant").get<std::string>();
      m.iterations = e.at("iterations").get<int64_t>();
      m.ns_per_op_runs = e.at("ns_per_op_runs").get<std::vector<double>>();
      m.ns_per_op = e.at("ns_per_op").get<double>();
      m.managed_allocs_per_op = e.at("managed_allocs_per_op").get<double>();
      m.managed_bytes_per_op = e.at("managed_bytes_per_op").get<double>();
      m.cxx_allocs_per_op = e.at("cxx_allocs_per_op").get<double>();
      m.cxx_bytes_per_op = e.at("cxx_bytes_per_op").get<double>();
      r.measurements.push_back(std::move(m));
    }
    return r;
  } catch (const std::exception& e) {
    *error = e.what();
    return std::nullopt;
  }
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

int64_t whole_allocs(double per_op) {
  // The ratio of two integers: an exact whole ratio may come out a hair below
  // the integer in floating point, which must not truncate to one less.
  constexpr double kRatioRounding = 1e-9;
  return static_cast<int64_t>(std::floor(per_op + kRatioRounding));
}

double stray_allocs(double per_op) { return std::max(0.0, per_op - static_cast<double>(whole_allocs(per_op))); }

std::string measured_place(const Measurement& m) {
  const bool managed = whole_allocs(m.managed_allocs_per_op) > 0;
  const bool cxx = whole_allocs(m.cxx_allocs_per_op) > 0;
  if (managed && cxx) return "managed heap + C++ heap";
  if (managed) return place_name(Place::ManagedHeap);
  if (cxx) return place_name(Place::CxxHeap);
  return place_name(Place::Stack);
}

int64_t measured_allocs_in(Place predicted, const Measurement& m) {
  switch (predicted) {
    case Place::ManagedHeap: return whole_allocs(m.managed_allocs_per_op);
    case Place::CxxHeap: return whole_allocs(m.cxx_allocs_per_op);
    case Place::Stack: break;
  }
  return whole_allocs(m.managed_allocs_per_op) + whole_allocs(m.cxx_allocs_per_op);
}

bool prediction_holds(const Prediction& p, const Measurement& m) {
  return measured_place(m) == place_name(p.place) && measured_allocs_in(p.place, m) == p.allocs_per_op;
}

}  // namespace escape
