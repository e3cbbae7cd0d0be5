// run_result.cpp — RunResult <-> JSON (see run_result.hpp for the schema).
#include "run_result.hpp"

namespace gclab {

nlohmann::json to_json(const RunResult& r) {
  nlohmann::json samples = nlohmann::json::array();
  for (const HeapSample& s : r.samples) samples.push_back({s.t_s, s.heap_alloc, s.heap_inuse, s.next_gc});
  return {
      {"runtime", r.runtime},
      {"workload", r.workload},
      {"gogc", r.gogc},
      {"memlimit", r.memlimit},
      {"procs", r.procs},
      {"elapsed_ns", r.elapsed_ns},
      {"requested_bytes", r.requested_bytes},
      {"total_alloc_bytes", r.total_alloc_bytes},
      {"num_gc", r.num_gc},
      {"num_forced_gc", r.num_forced_gc},
      {"pauses_ns", r.pauses_ns},
      {"lost_pauses", r.lost_pauses},
      {"gc_cpu_fraction", r.gc_cpu_fraction},
      {"peak_heap_alloc", r.peak_heap_alloc},
      {"peak_heap_inuse", r.peak_heap_inuse},
      {"retained_objects", r.retained_objects},
      {"requests", r.requests},
      {"refactor", r.refactor},
      {"mallocs", r.mallocs},
      {"measured_gc_cycles", r.measured_gc_cycles},
      {"gc_cycles_before", r.gc_cycles_before},
      {"samples", samples},
  };
}

std::optional<RunResult> run_result_from_json(const std::string& text, std::string* why) {
  try {
    const nlohmann::json j = nlohmann::json::parse(text);
    RunResult r;
    j.at("runtime").get_to(r.runtime);
    j.at("workload").get_to(r.workload);
    j.at("gogc").get_to(r.gogc);
    j.at("memlimit").get_to(r.memlimit);
    j.at("procs").get_to(r.procs);
    j.at("elapsed_ns").get_to(r.elapsed_ns);
    j.at("requested_bytes").get_to(r.requested_bytes);
    j.at("total_alloc_bytes").get_to(r.total_alloc_bytes);
    j.at("num_gc").get_to(r.num_gc);
    j.at("num_forced_gc").get_to(r.num_forced_gc);
    j.at("pauses_ns").get_to(r.pauses_ns);
    j.at("lost_pauses").get_to(r.lost_pauses);
    j.at("gc_cpu_fraction").get_to(r.gc_cpu_fraction);
    j.at("peak_heap_alloc").get_to(r.peak_heap_alloc);
    j.at("peak_heap_inuse").get_to(r.peak_heap_inuse);
    j.at("retained_objects").get_to(r.retained_objects);
    j.at("requests").get_to(r.requests);
    j.at("refactor").get_to(r.refactor);
    j.at("mallocs").get_to(r.mallocs);
    j.at("measured_gc_cycles").get_to(r.measured_gc_cycles);
    j.at("gc_cycles_before").get_to(r.gc_cycles_before);
    for (const auto& s : j.at("samples")) {
      r.samples.push_back({s.at(0).get<double>(), s.at(1).get<uint64_t>(), s.at(2).get<uint64_t>(),
                           s.at(3).get<uint64_t>()});
    }
    return r;
  } catch (const nlohmann::json::exception& e) {
    *why = e.what();
    return std::nullopt;
  }
}

}  // namespace gclab
