// results.cpp — JSON of the measurements (see results.hpp).
#include "results.hpp"

namespace schedlab {

nlohmann::json to_json(const RuntimeRuns& runs) {
  nlohmann::json j;
  j["runtime"] = runs.runtime;
  j["goroutines"] = runs.goroutines;
  j["work_ns"] = runs.work_ns;
  j["steps_per_chunk"] = runs.steps_per_chunk;
  j["variants"] = nlohmann::json::array();
  for (const auto& r : runs.variants) {
    nlohmann::json v;
    v["procs"] = r.variant.procs;
    v["loop"] = loop_kind_name(r.variant.loop);
    v["async_preempt"] = r.variant.async_preempt;
    v["wall_ns"] = r.wall_ns;
    v["cpu_ns"] = r.cpu_ns;
    auto& spawn = v["spawn_ns"] = nlohmann::json::array();
    auto& start = v["start_ns"] = nlohmann::json::array();
    auto& end = v["end_ns"] = nlohmann::json::array();
    for (const auto& g : r.goroutines) {
      spawn.push_back(g.spawn_ns);
      start.push_back(g.start_ns);
      end.push_back(g.end_ns);
    }
    j["variants"].push_back(std::move(v));
  }
  return j;
}

std::optional<RuntimeRuns> runs_from_json(const std::string& text, std::string* error) {
  try {
    auto j = nlohmann::json::parse(text);
    RuntimeRuns runs;
    runs.runtime = j.at("runtime").get<std::string>();
    runs.goroutines = j.at("goroutines").get<int>();
    runs.work_ns = j.at("work_ns").get<int64_t>();
    runs.steps_per_chunk = j.at("steps_per_chunk").get<uint64_t>();
    for (const auto& v : j.at("variants")) {
      VariantResult r;
      r.variant.procs = v.at("procs").get<int>();
      const auto loop = v.at("loop").get<std::string>();
      if (loop == "busy") r.variant.loop = LoopKind::Busy;
      else if (loop == "gosched") r.variant.loop = LoopKind::Gosched;
      else if (loop == "sleep") r.variant.loop = LoopKind::Sleep;
      else throw std::runtime_error("unknown loop kind '" + loop + "'");
      r.variant.async_preempt = v.at("async_preempt").get<bool>();
      r.wall_ns = v.at("wall_ns").get<int64_t>();
      r.cpu_ns = v.value("cpu_ns", int64_t{0});
      const auto& spawn = v.at("spawn_ns");
      const auto& start = v.at("start_ns");
      const auto& end = v.at("end_ns");
      if (spawn.size() != start.size() || spawn.size() != end.size() || spawn.empty())
        throw std::runtime_error("spawn_ns, start_ns and end_ns differ in length or are empty");
      for (std::size_t i = 0; i < spawn.size(); ++i)
        r.goroutines.push_back({spawn[i].get<int64_t>(), start[i].get<int64_t>(), end[i].get<int64_t>()});
      runs.variants.push_back(std::move(r));
    }
    return runs;
  } catch (const std::exception& e) {
    *error = e.what();
    return std::nullopt;
  }
}

namespace {
std::vector<double> differences(const VariantResult& r, int64_t GoroutineTimes::*to) {
  std::vector<double> out;
  out.reserve(r.goroutines.size());
  for (const auto& g : r.goroutines) out.push_back(static_cast<double>(g.*to - g.spawn_ns));
  return out;
}
}  // namespace

std::vector<double> completion_ns(const VariantResult& r) { return differences(r, &GoroutineTimes::end_ns); }
std::vector<double> first_run_wait_ns(const VariantResult& r) { return differences(r, &GoroutineTimes::start_ns); }

}  // namespace schedlab
