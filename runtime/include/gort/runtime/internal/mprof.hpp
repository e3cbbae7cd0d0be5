// gort/runtime/internal/mprof.hpp — the memory, block and mutex profiles' records
// (runtime/src/mprof.cpp has the model; mirrors mprof.go).
//
// The collector (gc/) reports sampled allocations and their frees here; chan/
// and the runtime's own semaphores report blocking and mutex contention.  The
// pprof library reads the records back (Go's runtime.MemProfile,
// BlockProfile, MutexProfile).  Times are nanoseconds of the monotonic clock:
// gort's cputicks is nanotime, so a "cycle" of Go's records is a nanosecond.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace gort::runtime {

/// A profile bucket (mirrors bucket): one per (kind, stack, size).  Opaque
/// outside mprof.cpp; buckets live for the rest of the process.
struct ProfBucket;

/// Frames kept per stack (Go's maxStack).
inline constexpr int kProfMaxStack = 32;

/// Go's default MemProfileRate: one sample per 512 KiB allocated, on average.
inline constexpr int kDefaultMemProfileRate = 512 * 1024;

// ---- heap profile -------------------------------------------------------------

/// The current MemProfileRate in bytes (0: off, 1: every allocation).
int mem_profile_rate();

/// Bytes to allocate before the next sample (mirrors nextSample): an
/// exponentially distributed draw of mean mem_profile_rate(); 0 when the rate
/// is 1 and INT64_MAX when profiling is off.  Any thread; no lock.
int64_t next_sample();

/// Records a sampled allocation of `size` bytes (mirrors mProf_Malloc) with the
/// calling thread's stack from the frame that holds return address
/// `caller_pc` outward (the allocation entry point's return address, so the
/// allocator's own frames are left out; the whole stack when it is not found).
/// Returns the bucket the collector remembers with the object (Go's
/// setprofilebucket) for mprof_free.  Any thread; takes the profile's locks;
/// allocates with malloc.
ProfBucket* mprof_malloc(std::size_t size, uintptr_t caller_pc);

/// Records the free of an object mprof_malloc recorded in b (mirrors
/// mProf_Free).  Called by the sweeper; any thread; takes one profile lock.
void mprof_free(ProfBucket* b, std::size_t size);

/// Ends a heap profiling cycle (mirrors mProf_NextCycle).  Called by mark
/// termination with the world stopped.
void mprof_next_cycle();

/// Publishes the cycle mark termination just ended (mirrors mProf_Flush);
/// once per cycle, after the world restarted.
void mprof_flush();

/// Publishes the frees of a sweep that finished (mirrors mProf_PostSweep):
/// gc::collect calls it once the whole heap is swept, so the profile is that
/// of the cycle it ran.
void mprof_post_sweep();

/// One bucket of the heap profile (mirrors MemProfileRecord).
struct MemProfileRecord {
  int64_t alloc_bytes = 0, free_bytes = 0;
  int64_t alloc_objects = 0, free_objects = 0;
  /// Return addresses, innermost first (the leaf is the allocating function).
  std::vector<uintptr_t> stack;
};

/// The published heap profile (mirrors MemProfile): every bucket, or only
/// those with bytes in use unless inuse_zero.  Any thread; takes the locks.
std::vector<MemProfileRecord> mem_profile(bool inuse_zero);

/// Unsamples a heap record (mirrors scaleHeapSample in protomem.go): count
/// objects totalling size bytes, sampled at rate, stand for count/(1-e^-(avg/rate))
/// objects of the same average size (each object of s bytes was sampled with
/// probability 1-e^-(s/rate)).  Returns {objects, bytes}.
std::pair<int64_t, int64_t> scale_heap_sample(int64_t count, int64_t size, int64_t rate);

// ---- block and mutex profiles -------------------------------------------------

/// The block profile's rate in nanoseconds (0: off, 1: every event).
int64_t block_profile_rate();

/// The mutex profile's fraction (0: off; n: on average 1 in n events).
int64_t mutex_profile_rate();

/// Records that the caller blocked for `ns` nanoseconds, when Go's sampling
/// rule keeps it (mirrors blockevent): the stack starts at the caller's frame.
/// Precondition: block_profile_rate() was > 0 when the blocking began (the
/// caller took its start time only then).  Any thread; takes a profile lock.
void block_event(int64_t ns);

/// Records `ns` nanoseconds that waiters spent for a lock the caller releases
/// now, when the mutex fraction samples it (mirrors mutexevent): the stack is
/// the caller's, i.e. the unlocker's.  Any thread; takes a profile lock.
void mutex_event(int64_t ns);

/// One bucket of the block or mutex profile (mirrors BlockProfileRecord).
struct BlockProfileRecord {
  /// Events, with sampled short ones weighted up (Go's count: an event of d
  /// ns under rate r > d counts r/d times).
  int64_t count = 0;
  /// Nanoseconds of delay (Go's Cycles, at gort's one cycle per ns).
  int64_t cycles = 0;
  std::vector<uintptr_t> stack;
};

/// The block profile (mirrors BlockProfile).  Any thread; takes the locks.
std::vector<BlockProfileRecord> block_profile();

/// The mutex profile (mirrors MutexProfile); values as recorded, unscaled by
/// the fraction.  Any thread; takes the locks.
std::vector<BlockProfileRecord> mutex_profile();

/// Nanoseconds on the monotonic clock (gort's cputicks), for block start times.
int64_t prof_nanotime();

}  // namespace gort::runtime
