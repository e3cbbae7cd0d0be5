// service.cpp — the allocation service of course lab 6.3 (see workload.hpp),
// and its refactored form (step 4): the same requests, the same random
// sequence and pacing, with the two allocation sites the heap profile puts
// first — the chunk node and its payload in serve_request — replaced by
// reuse.  The three chunks a request discards are each worker's preallocated
// scratch (nodes with payload buffers of the largest size, resliced per
// request); the head chunk, which the cache keeps, comes from a gort::Pool
// that the cache's evicted entries are put into (Go: sync.Pool), keeping its
// payload when the buffer is large enough.
#include <gort/gort.hpp>
#include <gort/memstats.hpp>
#include <gort/pool.hpp>

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
/// The largest payload size: the capacity of a scratch payload buffer, so that
/// any draw fits in it.
constexpr uint32_t kMaxPayloadBytes = 1792;

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

/// Cache entries evicted by the refactored service, reused as kept heads
/// (Go: a sync.Pool of *chunk).  A pool of managed objects holds roots.
using ChunkPool = gort::Pool<gc::Root<Chunk>>;

/// One worker's preallocated request memory (the refactor's first site): the
/// kChunksPerRequest - 1 chunks a request discards, each with a payload
/// buffer of kMaxPayloadBytes.  Precondition: on a goroutine.
gc::Slice<gc::Ptr<Chunk>> make_scratch() {
  auto scratch = gc::make_slice<gc::Ptr<Chunk>>(kChunksPerRequest - 1);
  for (std::size_t i = 0; i < scratch.len(); ++i) {
    gc::Ref<Chunk> c = gc::make<Chunk>();
    c->payload = gc::make_slice<char>(kMaxPayloadBytes);
    scratch[i] = c;
  }
  return scratch;
}

/// The head chunk of a refactored request, with a payload of `size` bytes: an
/// evicted entry from the pool when there is one (its payload kept when large
/// enough), else a new chunk (the refactor's second site).
gc::Ref<Chunk> kept_chunk(ChunkPool& pool, uint32_t size) {
  gc::Ref<Chunk> c;
  if (std::optional<gc::Root<Chunk>> reused = pool.get()) c = reused->ref();
  else c = gc::make<Chunk>();
  if (c->payload.cap() >= size) c->payload = c->payload.slice(0, size);
  else c->payload = gc::make_slice<char>(size);
  return c;
}

/// serve_request done the refactored way: the same draws and the same reads,
/// with the discarded chunks taken from scratch and the head from the pool.
/// Precondition: on a goroutine; scratch from make_scratch.
Request serve_request_reusing(Rng& rng, gc::Slice<gc::Ptr<Chunk>> scratch, ChunkPool& pool, uint64_t* checksum) {
  Request r;
  for (int k = 0; k < kChunksPerRequest; ++k) {
    const uint32_t size = kPayloadSizes[rng.next() % kPayloadSizes.size()];
    gc::Ref<Chunk> c;
    if (k + 1 < kChunksPerRequest) {
      c = scratch[static_cast<std::size_t>(k)];
      c->payload = c->payload.slice(0, size);
    } else {
      c = kept_chunk(pool, size);
    }
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
  /// Requests served after the clock started.
  int64_t requests = 0;
  /// Sum of the payloads read back (printed nowhere; keeps the reads honest).
  uint64_t checksum = 0;
};

/// The requests worker w of p.workers serves when the run has a fixed count:
/// an equal share, the first p.requests % p.workers workers one more.
int64_t requests_of_worker(const WorkloadParams& p, int w) {
  return p.requests / p.workers + (w < p.requests % p.workers ? 1 : 0);
}

/// Worker w: fills its cache, reports ready, waits for the clock to start,
/// then serves requests at rate_per_worker bytes/s until the duration is over
/// (or its share of p.requests is served).  The refactored service also puts
/// every evicted cache entry into the pool.
void serve(const WorkloadParams& p, int w, gc::Slice<gc::Ptr<Chunk>> cache, gort::WaitGroup& ready,
           gort::WaitGroup& clock_started, ChunkPool& pool, WorkerTally* tally) {
  Rng rng = worker_rng(w);
  gc::Slice<gc::Ptr<Chunk>> scratch = p.refactor ? make_scratch() : gc::Slice<gc::Ptr<Chunk>>();
  for (std::size_t i = 0; i < cache.len(); ++i) {
    cache[i] = (p.refactor ? serve_request_reusing(rng, scratch, pool, &tally->checksum)
                           : serve_request(rng, &tally->checksum))
                   .head;
  }
  ready.done();
  clock_started.wait();
  const double rate_per_worker = p.rate_bytes_per_s / p.workers;
  const bool counted = p.requests > 0;
  const int64_t quota = counted ? requests_of_worker(p, w) : 0;
  const Clock::time_point start = Clock::now();
  const Clock::time_point end = start + p.duration;
  for (int64_t served = 0;; ++served) {
    const Clock::time_point now = Clock::now();
    if (counted ? served >= quota : now >= end) break;
    Request r = p.refactor ? serve_request_reusing(rng, scratch, pool, &tally->checksum)
                           : serve_request(rng, &tally->checksum);
    if (cache.len() > 0) {
      const std::size_t slot = rng.next() % cache.len();
      const gc::Ref<Chunk> evicted = cache[slot];
      cache[slot] = r.head;
      // Pooled only once nothing else refers to it: another worker may take it next.
      if (p.refactor && evicted) pool.put(gc::Root<Chunk>(evicted));
    }
    tally->bytes += r.bytes;
    ++tally->requests;
    const auto due = start + std::chrono::nanoseconds(static_cast<int64_t>(tally->bytes * 1e9 / rate_per_worker));
    const auto ahead = due - Clock::now();
    if (ahead > kPaceSlack) gort::sleep(counted ? ahead : std::min<Clock::duration>(ahead, end - now));
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
  ChunkPool pool;
  // ready: every cache is filled; clock_started: the counters are read and
  // the clock runs.  Two steps, so that no request is served before the counters are
  // read and allocs/op counts the served requests exactly.
  gort::WaitGroup ready, clock_started, done;
  ready.add(p.workers);
  clock_started.add(1);
  done.add(p.workers);
  for (int w = 0; w < p.workers; ++w) {
    gort::go([&, w, cache = caches[w]] {
      serve(p, w, cache, ready, clock_started, pool, &tallies[w]);
      done.done();
    });
  }
  ready.wait();
  const gort::MemStats before = gort::read_mem_stats();
  const Clock::time_point start = Clock::now();
  clock_started.done();
  done.wait();
  WorkloadOutcome out;
  out.elapsed_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count();
  const gort::MemStats after = gort::read_mem_stats();
  out.mallocs = after.Mallocs - before.Mallocs;
  out.gc_cycles = after.NumGC - before.NumGC;
  out.gc_before = before.NumGC;
  for (const WorkerTally& t : tallies) {
    out.requested_bytes += t.bytes;
    out.requests += t.requests;
  }
  out.retained_objects = static_cast<int64_t>(slots) * p.workers;
  at_end();
  return out;
}

}  // namespace gclab
