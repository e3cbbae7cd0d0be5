// mprof.cpp — the memory, block and mutex profiles' records (mirrors mprof.go
// of Go 1.19, with nextSample/fastexprand from malloc.go).
//
// One bucket table for the three kinds: a bucket is keyed by (kind, stack,
// size) and found through a hash table of 179,999 chains (Go's buckHashSize)
// that readers walk without a lock; insertion takes profInsertLock, and every
// bucket is also on its kind's list (mbuckets, bbuckets, xbuckets), newest
// first.  Buckets are never freed: a program has as many as it has distinct
// sampled stacks.
//
// The heap profile is published per GC cycle, as Go does, so that it shows
// the heap as of the last completed cycle rather than a skewed mix of recent
// allocations and frees still to be swept.  A bucket's memRecord keeps an
// `active` (published) cycle and three future ones indexed by the cycle
// number mod 3:
//   - an allocation during cycle C goes to future[C+2];
//   - a free by the sweep after mark termination C goes to future[C+1];
//   - mark termination advances C (mprof_next_cycle, world stopped) and, once
//     the world runs, mprof_flush adds future[C] to active: the allocations
//     made before the previous mark termination and the frees of the sweep
//     that followed it, which is complete by then (the next cycle cannot
//     start before the sweep is done);
//   - gc::collect, having swept everything itself, publishes future[C+1] early
//     (mprof_post_sweep), so right after gc::collect the profile is that of
//     the cycle it ran.
// So an object that died shows as freed once two cycles have ended (or one
// gc::collect).  Go's cycle counter packs a "flushed" bit so one cycle is
// flushed once (mProfCycleHolder).
//
// Sampling (the collector's side, gc/src/mcache_sample.cpp): each P's mcache
// counts down the bytes to its next sample, per span class, drawn by
// next_sample from an exponential distribution of mean MemProfileRate, so
// samples form a Poisson process over the bytes allocated.  A sampled object's bucket is remembered by the
// collector (a profile special on its span) and its free recorded by the
// sweeper.
//
// Block and mutex events: a blocking operation (channel send or receive,
// select, sema-based sync, Cond) takes its start time when the block profile
// is on and reports the delay until its waker readied it (Go's releasetime)
// through block_event, which keeps the event with Go's sampling rule
// (blocksampled: every event at least `rate` ns, shorter ones with
// probability ns/rate, each kept one weighted by rate/ns).  A semaphore
// release that wakes a waiter of a Mutex or RWMutex reports the waiter's wait
// through mutex_event with the releaser's stack (the unlocker is charged, as
// Go's semrelease1 does), sampled 1 in `fraction`.
//
// Locks (Go 1.19's): profInsertLock for bucket insertion, profMemActiveLock
// for the active records, one lock per future cycle, profBlockLock for the
// block and mutex records.  Lock order: active, then a future lock; the
// insert lock is never held with another.
//
// Deviations: cputicks is nanotime, so the block rate and delays are in
// nanoseconds (Go converts the rate from ns to CPU ticks); stacks are taken
// with the runtime's unwinder (callers), starting at the frame that
// called the runtime's entry point instead of Go's fixed skip counts.
#include <gort/runtime/internal/mprof.hpp>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include <gort/profile_rates.hpp>
#include <gort/runtime/internal/callers.hpp>
#include <gort/runtime/internal/fatal.hpp>
#include <gort/runtime/internal/hooks.hpp>
#include <gort/runtime/internal/lock.hpp>

#include "nanotime.hpp"
#include "sched.hpp"

namespace gort::runtime {

namespace {

enum class BucketType : uint8_t { Mem = 1, Block, Mutex };

/// Go's buckHashSize: a prime, so stack hashes spread over every chain.
constexpr std::size_t kBuckHashSize = 179999;

/// Go's memRecordCycle.
struct MemRecordCycle {
  uint64_t allocs = 0, frees = 0;
  uint64_t alloc_bytes = 0, free_bytes = 0;
  void add(const MemRecordCycle& b) {
    allocs += b.allocs;
    frees += b.frees;
    alloc_bytes += b.alloc_bytes;
    free_bytes += b.free_bytes;
  }
};

/// Go's memRecord: the published cycle and three in flight (see the file comment).
struct MemRecord {
  MemRecordCycle active;
  MemRecordCycle future[3];
};

/// Go's blockRecord.
struct BlockRecord {
  double count = 0;
  int64_t cycles = 0;
};

}  // namespace

/// Go's bucket, followed in the same allocation by its stack.
struct ProfBucket {
  std::atomic<ProfBucket*> next{nullptr};  // hash chain
  ProfBucket* allnext = nullptr;           // the kind's list
  BucketType typ{};
  uintptr_t hash = 0;
  std::size_t size = 0;
  int nstk = 0;
  union {
    MemRecord mem;
    BlockRecord block;
  };
  uintptr_t stk[1];  // nstk entries (the allocation is sized for them)

  ProfBucket() : mem{} {}
  std::vector<uintptr_t> stack() const { return {stk, stk + nstk}; }
};

namespace {

constexpr uint32_t kFutures = 3;
/// Go's mProfCycleWrap: the cycle count wraps at a multiple of 3, so the
/// future indices stay in step across the wrap.
constexpr uint32_t kCycleWrap = kFutures * (2u << 24);

Lock prof_insert_lock;
Lock prof_mem_active_lock;
Lock prof_mem_future_lock[kFutures];
Lock prof_block_lock;

std::atomic<ProfBucket*> mbuckets{nullptr}, bbuckets{nullptr}, xbuckets{nullptr};
std::atomic<std::atomic<ProfBucket*>*> buckhash{nullptr};

/// Go's mProfCycleHolder: the cycle number shifted left once, the low bit set
/// once that cycle was flushed.
std::atomic<uint32_t> mprof_cycle{0};

uint32_t cycle_read() { return mprof_cycle.load(std::memory_order_acquire) >> 1; }

std::atomic<int> mem_profile_rate_bytes{kDefaultMemProfileRate};
std::atomic<int64_t> block_rate_ns{0};
std::atomic<int64_t> mutex_fraction{0};

/// The profiles' random numbers (Go uses the M's fastrand): a thread's own
/// xorshift, seeded from its address and the clock; no goroutine switch can
/// happen while it is used.
uint32_t prof_fastrand() {
  thread_local uint64_t state = 0;
  if (state == 0) state = (reinterpret_cast<uintptr_t>(&state) ^ uint64_t(nanotime())) | 1;
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return static_cast<uint32_t>(state >> 32);
}

bool eqslice(const ProfBucket* b, const uintptr_t* stk, int n) {
  return b->nstk == n && std::memcmp(b->stk, stk, sizeof(uintptr_t) * n) == 0;
}

/// mirrors newBucket (persistentalloc: never freed)
ProfBucket* new_bucket(BucketType typ, int nstk) {
  const std::size_t bytes = sizeof(ProfBucket) + sizeof(uintptr_t) * (nstk > 0 ? nstk - 1 : 0);
  void* mem = std::calloc(1, bytes);
  if (mem == nullptr) fatal("runtime: cannot allocate memory");
  auto* b = new (mem) ProfBucket();
  b->typ = typ;
  b->nstk = nstk;
  if (typ != BucketType::Mem) b->block = BlockRecord{};
  return b;
}

std::atomic<ProfBucket*>& all_list(BucketType typ) {
  switch (typ) {
    case BucketType::Mem: return mbuckets;
    case BucketType::Mutex: return xbuckets;
    default: return bbuckets;
  }
}

/// mirrors stkbucket: the bucket of (typ, size, stk), created when missing.
ProfBucket* stkbucket(BucketType typ, std::size_t size, const uintptr_t* stk, int nstk) {
  std::atomic<ProfBucket*>* bh = buckhash.load(std::memory_order_acquire);
  if (bh == nullptr) {
    std::lock_guard<Lock> g(prof_insert_lock);
    bh = buckhash.load(std::memory_order_acquire);
    if (bh == nullptr) {
      bh = static_cast<std::atomic<ProfBucket*>*>(std::calloc(kBuckHashSize, sizeof(std::atomic<ProfBucket*>)));
      if (bh == nullptr) fatal("runtime: cannot allocate memory");
      buckhash.store(bh, std::memory_order_release);
    }
  }
  // Go's hash: add-shift-xor over the pcs and the size.
  uintptr_t h = 0;
  for (int i = 0; i < nstk; ++i) {
    h += stk[i];
    h += h << 10;
    h ^= h >> 6;
  }
  h += size;
  h += h << 10;
  h ^= h >> 6;
  h += h << 3;
  h ^= h >> 11;
  std::atomic<ProfBucket*>& chain = bh[h % kBuckHashSize];
  auto find = [&]() -> ProfBucket* {
    for (ProfBucket* b = chain.load(std::memory_order_acquire); b != nullptr;
         b = b->next.load(std::memory_order_relaxed)) {
      if (b->typ == typ && b->hash == h && b->size == size && eqslice(b, stk, nstk)) return b;
    }
    return nullptr;
  };
  if (ProfBucket* b = find()) return b;
  std::lock_guard<Lock> g(prof_insert_lock);
  if (ProfBucket* b = find()) return b;
  ProfBucket* b = new_bucket(typ, nstk);
  std::memcpy(b->stk, stk, sizeof(uintptr_t) * nstk);
  b->hash = h;
  b->size = size;
  std::atomic<ProfBucket*>& all = all_list(typ);
  b->next.store(chain.load(std::memory_order_relaxed), std::memory_order_relaxed);
  b->allnext = all.load(std::memory_order_relaxed);
  chain.store(b, std::memory_order_release);
  all.store(b, std::memory_order_release);
  return b;
}

/// The calling thread's stack from the frame returning to first_pc outward
/// (Go's callers with a skip count): the frames inside the profiler and the
/// runtime entry that called it are dropped.  Returns the number kept.
__attribute__((noinline)) int callers_from(uintptr_t first_pc, uintptr_t* out) {
  uintptr_t pcs[kProfMaxStack + 16];
  const int n = callers(0, pcs, kProfMaxStack + 16);
  int start = 0;
  while (start < n && pcs[start] != first_pc) ++start;
  if (start == n) start = 0;  // not found (cannot happen outside a tail call): keep everything
  int kept = 0;
  for (int i = start; i < n && kept < kProfMaxStack; ++i) out[kept++] = pcs[i];
  return kept;
}

/// mirrors mProf_FlushLocked.  Holds the active lock and future[index]'s.
void flush_locked(uint32_t index) {
  for (ProfBucket* b = mbuckets.load(std::memory_order_acquire); b != nullptr; b = b->allnext) {
    MemRecordCycle& mpc = b->mem.future[index];
    b->mem.active.add(mpc);
    mpc = MemRecordCycle{};
  }
}

void flush_index(uint32_t index) {
  std::lock_guard<Lock> a(prof_mem_active_lock);
  std::lock_guard<Lock> f(prof_mem_future_lock[index]);
  flush_locked(index);
}

/// mirrors saveblockevent
void save_block_event(int64_t cycles, int64_t rate, uintptr_t caller_pc, BucketType which) {
  uintptr_t stk[kProfMaxStack];
  const int nstk = callers_from(caller_pc, stk);
  ProfBucket* b = stkbucket(which, 0, stk, nstk);
  std::lock_guard<Lock> g(prof_block_lock);
  if (which == BucketType::Block && cycles < rate) {
    // Remove sampling bias (golang.org/cl/299991): an event of d < rate ns
    // was kept with probability d/rate, so it stands for rate/d events.
    b->block.count += double(rate) / double(cycles);
    b->block.cycles += rate;
  } else {
    b->block.count += 1;
    b->block.cycles += cycles;
  }
}

std::vector<BlockProfileRecord> block_records(BucketType typ) {
  std::vector<BlockProfileRecord> out;
  std::lock_guard<Lock> g(prof_block_lock);
  for (ProfBucket* b = all_list(typ).load(std::memory_order_acquire); b != nullptr; b = b->allnext) {
    BlockProfileRecord r;
    r.count = int64_t(b->block.count);
    // Go: a record of count < 1 (a single sampled event) still counts once.
    if (r.count == 0 && b->block.count > 0) r.count = 1;
    r.cycles = b->block.cycles;
    r.stack = b->stack();
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

int64_t prof_nanotime() { return nanotime(); }

// ---- heap ------------------------------------------------------------------------

int mem_profile_rate() { return mem_profile_rate_bytes.load(std::memory_order_relaxed); }

// mirrors nextSample and fastexprand in malloc.go
int64_t next_sample() {
  int mean = mem_profile_rate();
  if (mean <= 0) return INT64_MAX;
  if (mean == 1) return 0;
  // fastexprand: the largest step is -ln(2^-26) * mean, about 20 * mean;
  // Go caps mean so that it fits 32 bits.
  if (mean > 0x7000000) mean = 0x7000000;
  constexpr int kRandomBitCount = 26;
  const uint32_t q = uint32_t((uint64_t(prof_fastrand()) * (1u << kRandomBitCount)) >> 32) + 1;
  double qlog = std::log2(double(q)) - kRandomBitCount;
  if (qlog > 0) qlog = 0;
  constexpr double kMinusLog2 = -0.6931471805599453;  // -ln(2)
  return int64_t(qlog * (kMinusLog2 * double(mean))) + 1;
}

// mirrors mProf_Malloc
ProfBucket* mprof_malloc(std::size_t size, uintptr_t caller_pc) {
  uintptr_t stk[kProfMaxStack];
  const int nstk = callers_from(caller_pc, stk);
  const uint32_t index = (cycle_read() + 2) % kFutures;
  ProfBucket* b = stkbucket(BucketType::Mem, size, stk, nstk);
  std::lock_guard<Lock> g(prof_mem_future_lock[index]);
  MemRecordCycle& mpc = b->mem.future[index];
  mpc.allocs++;
  mpc.alloc_bytes += size;
  return b;
}

// mirrors mProf_Free
void mprof_free(ProfBucket* b, std::size_t size) {
  const uint32_t index = (cycle_read() + 1) % kFutures;
  std::lock_guard<Lock> g(prof_mem_future_lock[index]);
  MemRecordCycle& mpc = b->mem.future[index];
  mpc.frees++;
  mpc.free_bytes += size;
}

// mirrors mProf_NextCycle (mProfCycleHolder.increment)
void mprof_next_cycle() {
  uint32_t prev = mprof_cycle.load(std::memory_order_relaxed);
  for (;;) {
    const uint32_t next = (((prev >> 1) + 1) % kCycleWrap) << 1;
    if (mprof_cycle.compare_exchange_weak(prev, next, std::memory_order_acq_rel)) return;
  }
}

// mirrors mProf_Flush (mProfCycleHolder.setFlushed)
void mprof_flush() {
  uint32_t prev = mprof_cycle.load(std::memory_order_relaxed);
  while (!mprof_cycle.compare_exchange_weak(prev, prev | 1, std::memory_order_acq_rel)) {
  }
  if ((prev & 1) != 0) return;  // already flushed
  flush_index((prev >> 1) % kFutures);
}

// mirrors mProf_PostSweep
void mprof_post_sweep() { flush_index((cycle_read() + 1) % kFutures); }

// mirrors MemProfile
std::vector<MemProfileRecord> mem_profile(bool inuse_zero) {
  const uint32_t index = cycle_read() % kFutures;
  std::lock_guard<Lock> a(prof_mem_active_lock);
  {
    std::lock_guard<Lock> f(prof_mem_future_lock[index]);
    flush_locked(index);
  }
  ProfBucket* head = mbuckets.load(std::memory_order_acquire);
  bool clear = true;
  for (ProfBucket* b = head; b != nullptr; b = b->allnext) {
    if (b->mem.active.allocs != 0 || b->mem.active.frees != 0) clear = false;
  }
  if (clear) {
    // Absolutely no data, suggesting that a garbage collection has not yet
    // happened.  To allow profiling before one, flush all pending records
    // into the active profile (as Go does).
    for (ProfBucket* b = head; b != nullptr; b = b->allnext) {
      for (uint32_t c = 0; c < kFutures; ++c) {
        std::lock_guard<Lock> f(prof_mem_future_lock[c]);
        b->mem.active.add(b->mem.future[c]);
        b->mem.future[c] = MemRecordCycle{};
      }
    }
  }
  std::vector<MemProfileRecord> out;
  for (ProfBucket* b = head; b != nullptr; b = b->allnext) {
    const MemRecordCycle& a = b->mem.active;
    if (!inuse_zero && a.alloc_bytes == a.free_bytes) continue;
    MemProfileRecord r;
    r.alloc_bytes = int64_t(a.alloc_bytes);
    r.free_bytes = int64_t(a.free_bytes);
    r.alloc_objects = int64_t(a.allocs);
    r.free_objects = int64_t(a.frees);
    r.stack = b->stack();
    out.push_back(std::move(r));
  }
  return out;
}

// mirrors scaleHeapSample in protomem.go
std::pair<int64_t, int64_t> scale_heap_sample(int64_t count, int64_t size, int64_t rate) {
  if (count == 0 || size == 0) return {0, 0};
  if (rate <= 1) return {count, size};  // all samples were collected
  const double avg_size = double(size) / double(count);
  const double scale = 1 / (1 - std::exp(-avg_size / double(rate)));
  return {int64_t(double(count) * scale), int64_t(double(size) * scale)};
}

// ---- block and mutex ---------------------------------------------------------------

int64_t block_profile_rate() { return block_rate_ns.load(std::memory_order_relaxed); }
int64_t mutex_profile_rate() { return mutex_fraction.load(std::memory_order_relaxed); }

// mirrors blockevent and blocksampled
__attribute__((noinline)) void block_event(int64_t ns) {
  const uintptr_t caller = reinterpret_cast<uintptr_t>(__builtin_return_address(0));
  if (ns <= 0) ns = 1;
  const int64_t rate = block_profile_rate();
  if (rate <= 0 || (rate > ns && int64_t(prof_fastrand() % uint64_t(rate)) > ns)) return;
  save_block_event(ns, rate, caller, BucketType::Block);
}

// mirrors mutexevent
__attribute__((noinline)) void mutex_event(int64_t ns) {
  const uintptr_t caller = reinterpret_cast<uintptr_t>(__builtin_return_address(0));
  if (ns < 0) ns = 0;
  const int64_t rate = mutex_profile_rate();
  if (rate > 0 && prof_fastrand() % uint64_t(rate) == 0) save_block_event(ns, rate, caller, BucketType::Mutex);
}

std::vector<BlockProfileRecord> block_profile() { return block_records(BucketType::Block); }
std::vector<BlockProfileRecord> mutex_profile() { return block_records(BucketType::Mutex); }

}  // namespace gort::runtime

namespace gort {

// mirrors the MemProfileRate variable: the collector's caches redraw their
// countdowns at the new rate at their next slow path
// (GcHooks::mem_profile_rate_changed).
void set_mem_profile_rate(int bytes) {
  if (bytes < 0) bytes = 0;
  runtime::mem_profile_rate_bytes.store(bytes, std::memory_order_relaxed);
  const runtime::GcHooks* hooks = runtime::gc_hooks();
  if (hooks != nullptr && hooks->mem_profile_rate_changed != nullptr) hooks->mem_profile_rate_changed();
}

int mem_profile_rate() { return runtime::mem_profile_rate(); }

// mirrors SetBlockProfileRate (a cycle is a nanosecond here, so no conversion)
void set_block_profile_rate(int ns) {
  runtime::block_rate_ns.store(ns <= 0 ? 0 : ns, std::memory_order_relaxed);
}

// mirrors SetMutexProfileFraction
int set_mutex_profile_fraction(int n) {
  if (n < 0) return int(runtime::mutex_fraction.load(std::memory_order_relaxed));
  return int(runtime::mutex_fraction.exchange(n, std::memory_order_relaxed));
}

}  // namespace gort
