// throughput.cpp — warm-ups and interleaved timed runs of part 1 (see throughput.hpp).
#include "throughput.hpp"

#include <fmt/format.h>
#include <lab/progress.hpp>
#include <spsclab/transfer.hpp>

#include <algorithm>

namespace chanbench {

namespace {

/// The capacities of the course's two buffered channels.
constexpr std::size_t kSmallBuffer = 1;
constexpr std::size_t kLargeBuffer = 1024;

/// What one variant name means: which spsc-ring queue, of which capacity.
struct Queue {
  spsclab::Variant variant;
  std::size_t capacity;
};

/// The queue behind `name`; the mutex queue and the ring take --capacity.
Queue queue_of(const std::string& name, std::size_t capacity) {
  if (name == "unbuffered") return {spsclab::Variant::kChan, 0};
  if (name == "buffered1") return {spsclab::Variant::kChan, kSmallBuffer};
  if (name == "buffered1024") return {spsclab::Variant::kChan, kLargeBuffer};
  if (name == "mutex") return {spsclab::Variant::kMutexQueue, capacity};
  return {spsclab::Variant::kRing, capacity};
}

}  // namespace

const std::vector<std::string>& all_variants() {
  static const std::vector<std::string> kAll{"unbuffered", "buffered1", "buffered1024", "mutex", "ring"};
  return kAll;
}

std::string variant_description(const std::string& name, std::size_t capacity) {
  if (name == "unbuffered") return "unbuffered channel (every send meets a receive)";
  if (name == "buffered1") return "buffered channel, capacity 1";
  if (name == "buffered1024") return "buffered channel, capacity 1024";
  if (name == "mutex") return fmt::format("mutex + circular queue of {} slots", capacity);
  return fmt::format("atomic-only SPSC ring of {} slots, indices padded to 64 B", capacity);
}

ThroughputResults run_throughput(const ThroughputConfig& config) {
  ThroughputResults r;
  r.messages = config.messages;
  r.runs = config.runs;
  r.wait = spsclab::wait_policy_name(config.wait);
  std::vector<Queue> queues;
  for (const std::string& name : config.variants) {
    queues.push_back(queue_of(name, config.capacity));
    ThroughputResult& out = r.variants.emplace_back();
    out.name = name;
    out.capacity = queues.back().capacity;
    spsclab::TransferConfig warm_up{std::max<std::uint64_t>(1, config.messages / 10), queues.back().capacity,
                                    config.wait};
    out.in_order = spsclab::run_transfer(queues.back().variant, warm_up).in_order;
  }
  lab::Progress progress("chan-bench: throughput runs", static_cast<long>(config.runs * queues.size()));
  long done = 0;
  for (int round = 0; round < config.runs; ++round) {
    for (std::size_t i = 0; i < queues.size(); ++i) {
      const spsclab::TransferRun run =
          spsclab::run_transfer(queues[i].variant, {config.messages, queues[i].capacity, config.wait});
      ThroughputResult& out = r.variants[i];
      out.run_ns.push_back(run.ns);
      out.producer_waits.push_back(run.producer_waits);
      out.consumer_waits.push_back(run.consumer_waits);
      out.in_order = out.in_order && run.in_order;
      progress.update(++done);
    }
  }
  progress.finish();
  return r;
}

}  // namespace chanbench
