// service.cpp — the allocation service of course lab 6.3 (see workload.hpp).
#include <gort/gort.hpp>

#include <array>
#include <chrono>
#include <vector>

#include "workload.hpp"

namespace gclab {

namespace gc = gort::gc;

namespace {

using Clock = std::chrono::steady_clock;

/// Chunks allocated per request: a short list, so the mark has pointers to
/// follow and not only bytes to skip.
constexpr int kChunksPerRequest = 4;

/// Payload sizes a request draws from; all are Go size classes (no rounding
/// waste) and their mean is exactly kMeanPayloadBytes ("1 KiB-ish, mixed").
constexpr std::array<uint32_t, 6> kPayloadSizes{256, 512, 1024, 1024, 1536, 1792};
constexpr uint64_t kMeanPayloadBytes = 1024;

/// A worker sleeps only when at least this far ahead of its schedule: shorter
/// sleeps cost more in timer work than they smooth the rate.
constexpr std::chrono::milliseconds kPaceSlack{1};

/// One element of a request: the next chunk and the payload bytes.  Its size is
/// that of Go's struct{ next *chunk; payload []byte } (32 bytes).
struct Chunk {
  /// The chunk allocated before this one in the same request.
  gc::Ptr<Chunk> next;
  /// The request's data.
  gc::Slice<char> payload;
  /// Lists the managed fields for the collector.
  void trace(gc::Tracer& t) const {
    t.visit(next);
    t.visit(payload);
  }
};

/// xorshift64 (Marsaglia's 13/7/17 triple): the same sequence as the Go twin's,
/// cheap enough not to show next to an allocation.
struct Rng {
  /// Current state; never 0.
  uint64_t state;
  /// Advances the state and returns it.
  uint64_t next() {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  }
};

/// Seeds worker w's generator (the golden-ratio constant spreads the seeds).
Rng worker_rng(int w) { return Rng{0x9E3779B97F4A7C15ULL * static_cast<uint64_t>(w + 1)}; }

/// What one request produced.
struct Request {
  /// Its first chunk (the one the cache keeps), detached from the rest.
  gc::Ref<Chunk> head;
  /// Bytes requested: payloads plus chunk nodes.
  uint64_t bytes = 0;
};

/// Serves one request: builds its chunk list, reads it back into *checksum
/// (so the work is real), and detaches the head.  Precondition: on a goroutine.
Request serve_request(Rng& rng, uint64_t* checksum) {
  Request r;
  for (int k = 0; k < kChunksPerRequest; ++k) {
    const uint32_t size = kPayloadSizes[rng.next() % kPayloadSizes.size()];
    gc::Ref<Chunk> c = gc::make<Chunk>();
    c->payload = gc::make_slice<char>(size);
    c->payload[size - 1] = static_cast<char>(k + 1);
    c->next = r.head;
    r.head = c;
    r.bytes += size + sizeof(Chunk);
  }
  for (gc::Ref<Chunk> c = r.head; c; c = c->next) *checksum += c->payload.len() + c->payload[c->payload.len() - 1];
  r.head->next = nullptr;
  return r;
}

/// What one worker counted in the paced phase.
struct WorkerTally {
  /// Bytes requested (payloads plus nodes) after the clock started.
  uint64_t bytes = 0;
  /// Sum of the payloads read back (printed nowhere; keeps the reads honest).
  uint64_t checksum = 0;
};

/// Worker w: fills its cache, waits for every worker to be ready, then serves
/// requests at rate_per_worker bytes/s until the duration is over.
void serve(const WorkloadParams& p, int w, gc::Slice<gc::Ptr<Chunk>> cache, gort::WaitGroup& ready,
           WorkerTally* tally) {
  Rng rng = worker_rng(w);
  for (std::size_t i = 0; i < cache.len(); ++i) cache[i] = serve_request(rng, &tally->checksum).head;
  ready.done();
  ready.wait();
  const double rate_per_worker = p.rate_bytes_per_s / p.workers;
  const Clock::time_point start = Clock::now();
  const Clock::time_point end = start + p.duration;
  while (true) {
    const Clock::time_point now = Clock::now();
    if (now >= end) break;
    Request r = serve_request(rng, &tally->checksum);
    if (cache.len() > 0) cache[rng.next() % cache.len()] = r.head;
    tally->bytes += r.bytes;
    const auto due = start + std::chrono::nanoseconds(static_cast<int64_t>(tally->bytes * 1e9 / rate_per_worker));
    const auto ahead = due - Clock::now();
    if (ahead > kPaceSlack) gort::sleep(std::min<Clock::duration>(ahead, end - now));
  }
}

}  // namespace

WorkloadOutcome run_service(const WorkloadParams& p, const std::function<void()>& at_end) {
  const uint64_t entry_bytes = kMeanPayloadBytes + sizeof(Chunk);
  const auto slots = static_cast<std::size_t>(static_cast<uint64_t>(p.live_bytes) / p.workers / entry_bytes);
  // The caches hang off one managed array held here, so they outlive the
  // workers until at_end has sampled the heap.
  auto caches = gc::make_slice<gc::Slice<gc::Ptr<Chunk>>>(static_cast<std::size_t>(p.workers));
  for (int w = 0; w < p.workers; ++w) caches[w] = gc::make_slice<gc::Ptr<Chunk>>(slots);
  std::vector<WorkerTally> tallies(static_cast<std::size_t>(p.workers));
  gort::WaitGroup ready, done;
  ready.add(p.workers + 1);  // the workers and this goroutine, which starts the clock
  done.add(p.workers);
  for (int w = 0; w < p.workers; ++w) {
    gort::go([&, w, cache = caches[w]] {
      serve(p, w, cache, ready, &tallies[w]);
      done.done();
    });
  }
  ready.done();
  ready.wait();
  const Clock::time_point start = Clock::now();
  done.wait();
  WorkloadOutcome out;
  out.elapsed_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count();
  for (const WorkerTally& t : tallies) out.requested_bytes += t.bytes;
  out.retained_objects = static_cast<int64_t>(slots) * p.workers;
  at_end();
  return out;
}

}  // namespace gclab
