// experiment.cpp — warm-ups and interleaved timed runs on gort (see experiment.hpp).
#include "experiment.hpp"

#include <gort/gort.hpp>
#include <lab/progress.hpp>

#include <algorithm>

#include "line_round_trip.hpp"

namespace spsclab {

RuntimeResults run_on_gort(const ExperimentConfig& config) {
  gort::gomaxprocs(config.procs);
  RuntimeResults r;
  r.runtime = "gort";
  r.version = "gort";
  r.gomaxprocs = gort::gomaxprocs();
  r.messages = config.transfer.messages;
  r.capacity = config.transfer.capacity;
  r.runs = config.runs;
  r.wait = wait_policy_name(config.transfer.wait);
  TransferConfig warm_up = config.transfer;
  warm_up.messages = std::max<std::uint64_t>(1, config.transfer.messages / 10);
  for (Variant v : config.variants) {
    run_transfer(v, warm_up);
    r.variants.emplace_back().name = variant_name(v);
  }
  r.line_round_trips = warm_up.messages;
  time_line_round_trips(std::max<std::uint64_t>(1, r.line_round_trips / 10), config.transfer.wait);
  lab::Progress progress("spsc-ring: gort runs", static_cast<long>(config.runs * (config.variants.size() + 1)));
  long done = 0;
  for (int round = 0; round < config.runs; ++round) {
    r.line_round_trip_run_ns.push_back(time_line_round_trips(r.line_round_trips, config.transfer.wait));
    progress.update(++done);
    for (std::size_t i = 0; i < config.variants.size(); ++i) {
      const TransferRun run = run_transfer(config.variants[i], config.transfer);
      VariantResult& out = r.variants[i];
      out.run_ns.push_back(run.ns);
      out.producer_waits.push_back(run.producer_waits);
      out.consumer_waits.push_back(run.consumer_waits);
      out.in_order = out.in_order && run.in_order;
      if (run.placement) {
        out.head_to_tail_bytes = run.placement->head_to_tail_bytes;
        out.same_cache_line = run.placement->same_cache_line;
      }
      progress.update(++done);
    }
  }
  progress.finish();
  return r;
}

}  // namespace spsclab
