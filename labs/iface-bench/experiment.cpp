// experiment.cpp — warm-ups and interleaved, counted runs on gort (see
// experiment.hpp).
#include "experiment.hpp"

#include <gort/gort.hpp>
#include <lab/alloc_counter.hpp>
#include <lab/progress.hpp>

#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>

#include "boxing.hpp"
#include "handler.hpp"
#include "loops.hpp"

namespace ifacebench {

namespace {

/// One variant to measure: run(n) does n operations and returns a result
/// that depends on all of them.
struct Workload {
  Measurement m;
  std::function<int64_t(uint64_t)> run;
  /// The logger a logger variant writes to (null for the other groups).
  std::shared_ptr<LevelLogger> logger;
};

/// Both heaps' cumulative counters at one instant.
struct HeapCounters {
  uint64_t managed_allocs, managed_bytes, cxx_allocs, cxx_bytes;
};

/// Reads the managed heap first (read_mem_stats stops the world), then the
/// C++ heap, so the C++ read is the last thing before a timed run.
HeapCounters read_before() {
  const gort::MemStats m = gort::read_mem_stats();
  const lab::CxxHeapCounts c = lab::read_cxx_heap_counts();
  return {m.Mallocs, m.TotalAlloc, c.allocations, c.bytes};
}

/// Reads the C++ heap first, the first thing after a timed run.
HeapCounters read_after() {
  const lab::CxxHeapCounts c = lab::read_cxx_heap_counts();
  const gort::MemStats m = gort::read_mem_stats();
  return {m.Mallocs, m.TotalAlloc, c.allocations, c.bytes};
}

/// The workloads of config, in report order.
std::vector<Workload> workloads(const ExperimentConfig& config) {
  std::vector<Workload> out;
  auto objects = std::make_shared<StepObjects>(make_step_objects());
  for (const std::string& p : config.paths) {
    Workload w;
    w.m.group = "three-way";
    w.m.name = p;
    w.m.ops = config.calls;
    w.run = [p, objects](uint64_t n) { return run_step_path(p, *objects, 1, static_cast<int64_t>(n)); };
    out.push_back(std::move(w));
  }
  for (const std::string& v : config.loggers) {
    Workload w;
    w.m.group = "logger";
    w.m.name = v;
    w.m.ops = config.requests;
    w.logger = std::make_shared<LevelLogger>(config.log_level);
    LevelLogger* logger = w.logger.get();
    w.run = [v, logger](uint64_t n) { return run_handler(v, *logger, static_cast<int64_t>(n)); };
    out.push_back(std::move(w));
  }
  for (const std::string& b : config.boxing) {
    Workload w;
    w.m.group = "boxing";
    w.m.name = b;
    w.m.ops = config.boxes;
    w.run = [b](uint64_t n) { return run_boxing(b, static_cast<int64_t>(n)); };
    out.push_back(std::move(w));
  }
  return out;
}

}  // namespace

RuntimeResults run_on_gort(const ExperimentConfig& config) {
  RuntimeResults r;
  r.runtime = "gort";
  r.version = "gort";
  r.gomaxprocs = gort::gomaxprocs();
  r.runs = config.runs;
  r.log_level = config.log_level == Level::Debug ? "debug" : "info";
  std::vector<Workload> ws = workloads(config);
  for (Workload& w : ws) w.run(std::max<uint64_t>(1, w.m.ops / 10));
  std::vector<int64_t> lines_before;
  for (const Workload& w : ws) lines_before.push_back(w.logger ? w.logger->lines() : 0);
  lab::Progress progress("iface-bench: gort runs", static_cast<long>(ws.size()) * config.runs);
  long done = 0;
  for (int round = 0; round < config.runs; ++round) {
    for (Workload& w : ws) {
      gort::gc::collect();  // testing.B's runN: no garbage from the last run is charged to this one
      const HeapCounters before = read_before();
      const auto start = std::chrono::steady_clock::now();
      w.m.result = w.run(w.m.ops);
      const auto elapsed = std::chrono::steady_clock::now() - start;
      const HeapCounters after = read_after();
      w.m.run_ns.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count());
      w.m.managed_allocs += after.managed_allocs - before.managed_allocs;
      w.m.managed_bytes += after.managed_bytes - before.managed_bytes;
      w.m.cxx_allocs += after.cxx_allocs - before.cxx_allocs;
      w.m.cxx_bytes += after.cxx_bytes - before.cxx_bytes;
      progress.update(++done);
    }
  }
  progress.finish();
  for (std::size_t i = 0; i < ws.size(); ++i) {
    if (ws[i].logger) ws[i].m.logged_lines = ws[i].logger->lines() - lines_before[i];
    r.measurements.push_back(std::move(ws[i].m));
  }
  return r;
}

}  // namespace ifacebench
