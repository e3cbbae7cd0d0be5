// mgcwork.cpp — the work of a concurrent mark: the global pool of grey objects,
// the per-thread markers that drain it, the mark's counters, and the test for
// "no work left" that starts mark termination (mirrors work.full and gcWork in
// mgcwork.go, gcMarkWorkAvailable and the nwait/nproc test of gcMarkDone).
//
// Model.  A marker (a background or idle worker on an M's g0, an assist on an
// allocating goroutine, a write-barrier flush, a stack scan) uses its thread's
// MarkState: it greys objects onto the state's local stack, drains it and, when
// it stops or holds more than it can use, moves grey objects to the global pool,
// where any other marker takes them in batches.  Go keeps the local part per P
// (p.gcw) and the global part as a lock-free stack of 512-byte workbufs; here
// the local part is per thread — nothing in a marker's use can switch
// goroutines, so a thread's state is always empty when another user needs it —
// and the global part is a vector under a mutex, taken 256 objects at a time
// (one lock round trip per ~5 µs of scanning).  An oblet of a large object
// (mark.cpp) is an entry like a grey object, so a marker that stops in the
// middle of a large array publishes the oblets it has not scanned.
//
// The mark has no work left when the pool is empty, no marker is inside its
// ActiveMarker scope (holding local grey objects) and every goroutine stack has
// been scanned.  The marker that observes this on its way out wakes the
// mark-termination goroutine (mgc.cpp), which then checks the write-barrier
// buffers with the world stopped and either ends the mark or resumes it.  A
// wake-up is only a hint: one episode can leave a wake-up nobody took (the
// goroutine found the mark done without sleeping), so the goroutine tests the
// condition again after every wake-up, as gcMarkDone re-tests it on entry.
#include <mutex>
#include <vector>

#include <gort/runtime/internal/gc_support.hpp>

#include "mark.hpp"
#include "mgcwork.hpp"
#include "mwbbuf.hpp"

namespace gort::gc::detail {

namespace {

struct GreyPool {
  std::mutex lock;
  /// Grey objects no marker holds; guarded by lock.
  std::vector<GreyObject> objects;
  /// objects.size(), readable without the lock (a hint, exact under it).
  std::atomic<std::size_t> size{0};
};

GreyPool& pool() {
  static auto* p = new GreyPool();  // markers may run during static destruction
  return *p;
}

/// Markers inside an ActiveMarker scope.
std::atomic<int32_t> active_markers{0};

/// Set by the marker that wakes the termination goroutine, cleared by it before
/// it looks again: one wake-up per "out of work" episode.
std::atomic<bool> mark_done_signalled{false};
/// What the termination goroutine parks on.
std::atomic<uint32_t> mark_done_sema{0};

/// Objects a marker takes from the pool at a time (see the file comment).
constexpr std::size_t kTakeBatch = 256;
/// Local grey objects above which a concurrent marker gives half to the pool
/// between drain chunks, so an idle marker never waits on a busy one's stack.
constexpr std::size_t kShareAbove = 512;
/// Scan work between two looks at the local stack's size and the stop test.
constexpr int64_t kDrainChunkBytes = 64 << 10;

}  // namespace

MarkCounters& mark_counters() {
  static auto* c = new MarkCounters();
  return *c;
}

void reset_mark_work() {
  GreyPool& p = pool();
  {
    std::lock_guard<std::mutex> guard(p.lock);
    p.objects.clear();
    p.size.store(0, std::memory_order_relaxed);
  }
  MarkCounters& c = mark_counters();
  c.bytes_marked = 0;
  c.heap_scan_work = 0;
  c.stack_scan_work = 0;
  c.globals_scan_work = 0;
  c.bg_scan_credit = 0;
  c.assist_ns = 0;
  c.dedicated_ns = 0;
  c.fractional_ns = 0;
  c.idle_ns = 0;
  mark_done_signalled.store(false, std::memory_order_relaxed);
}

void grey_pool_put(std::vector<GreyObject>& objs) {
  if (objs.empty()) return;
  GreyPool& p = pool();
  std::lock_guard<std::mutex> guard(p.lock);
  p.objects.insert(p.objects.end(), objs.begin(), objs.end());
  p.size.store(p.objects.size(), std::memory_order_release);
  objs.clear();
}

bool grey_pool_take(std::vector<GreyObject>& out, std::size_t max) {
  GreyPool& p = pool();
  if (p.size.load(std::memory_order_acquire) == 0) return false;
  std::lock_guard<std::mutex> guard(p.lock);
  if (p.objects.empty()) return false;
  const std::size_t take = std::min(max, p.objects.size());
  out.insert(out.end(), p.objects.end() - static_cast<std::ptrdiff_t>(take), p.objects.end());
  p.objects.resize(p.objects.size() - take);
  p.size.store(p.objects.size(), std::memory_order_release);
  return true;
}

bool grey_pool_empty() { return pool().size.load(std::memory_order_acquire) == 0; }

MarkState& thread_marker() {
  // Destroyed when its thread exits (Ms exit only at runtime teardown, when
  // no mark runs; the buffers must not outlive them as leaks).
  static thread_local MarkState state(MarkMode::Concurrent);
  return state;
}

// mirrors gcWork.dispose: hand the local work and the counters to everyone
void MarkState::publish() {
  grey_pool_put(grey_);
  MarkCounters& c = mark_counters();
  if (bytes_marked != 0) c.bytes_marked.fetch_add(bytes_marked, std::memory_order_relaxed);
  if (bytes_scanned != 0) c.heap_scan_work.fetch_add(bytes_scanned, std::memory_order_relaxed);
  bytes_marked = 0;
  bytes_scanned = 0;
  objects_scanned = 0;
}

// mirrors gcDrain's loop: local work first, then the global pool
int64_t MarkState::drain_concurrent(int64_t budget, bool (*stop)()) {
  int64_t done = 0;
  for (;;) {
    if (grey_.empty() && !grey_pool_take(grey_, kTakeBatch)) break;
    done += drain_local(std::min(budget - done, kDrainChunkBytes), stop);
    if (done >= budget || (stop != nullptr && stop())) break;
    if (grey_.size() > kShareAbove) {
      std::vector<GreyObject> half(grey_.begin(), grey_.begin() + static_cast<std::ptrdiff_t>(grey_.size() / 2));
      grey_.erase(grey_.begin(), grey_.begin() + static_cast<std::ptrdiff_t>(grey_.size() / 2));
      grey_pool_put(half);
    }
  }
  publish();
  return done;
}

ActiveMarker::ActiveMarker() { active_markers.fetch_add(1, std::memory_order_acq_rel); }

ActiveMarker::~ActiveMarker() {
  active_markers.fetch_sub(1, std::memory_order_acq_rel);
  signal_if_mark_done();
}

bool mark_work_exhausted() {
  return grey_pool_empty() && active_markers.load(std::memory_order_acquire) == 0 &&
         runtime::stacks_pending() == 0;
}

bool signal_if_mark_done() {
  if (!allocate_black.load(std::memory_order_relaxed) || !mark_work_exhausted()) return false;
  if (mark_done_signalled.exchange(true, std::memory_order_acq_rel)) return false;
  runtime::semrelease(&mark_done_sema);
  return true;
}

// mirrors gcMarkDone's entry test, re-made after every wake-up: a permit can
// be stale (a marker signalled an episode the last look found over already, or
// one that ended before the cycle's roots were greyed), so waking proves nothing
void wait_for_mark_done() {
  for (;;) {
    mark_done_signalled.store(false, std::memory_order_seq_cst);
    if (mark_work_exhausted()) return;
    runtime::semacquire(&mark_done_sema, runtime::WaitReason::GCMarkTermination);
  }
}

}  // namespace gort::gc::detail
