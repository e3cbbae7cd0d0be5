// rwmutex.cpp — sync.RWMutex, line for line Go 1.19's src/sync/rwmutex.go.
//
// Model: a Mutex (w_) serialises writers; reader_count_ counts readers and
// turns negative (by kMaxReaders) while a writer is pending or holds the lock;
// reader_wait_ counts the readers a pending writer still waits for.  Two
// runtime semaphores: readers park on reader_sem_ behind a writer, the writer
// parks on writer_sem_ behind departing readers.
//
// A writer: takes w_, subtracts kMaxReaders (new readers now park), and if r
// readers were in, adds r to reader_wait_ and parks unless they all left
// already.  Each departing reader that sees the negative count decrements
// reader_wait_; the one that brings it to zero releases the writer.  Unlock
// adds kMaxReaders back, releases one reader_sem_ count per reader that parked
// meanwhile, then w_.  Readers that arrived during the write thus go in before
// the next writer, which prevents both readers and writers from starving.
//
// Misuse is fatal as in Go: a read unlock with no reader in (the count was 0, or
// -kMaxReaders with a writer pending) and a write unlock when not write-locked.
#include <gort/runtime/internal/fatal.hpp>
#include <gort/runtime/internal/sema.hpp>
#include <gort/rwmutex.hpp>

namespace gort {

namespace {

/// Ends a function whose last call may park: without it the compiler turns that
/// call into a jump, and a parked goroutine's traceback would lose the frame
/// that says where it waits (Go's dumps show sync.(*RWMutex).Lock).
inline void keep_frame() { asm volatile(""); }

}  // namespace

void RWMutex::rlock_slow() {
  // A writer is pending or in: wait for its unlock to let us in.
  runtime::semacquire(&reader_sem_, runtime::WaitReason::SyncRWMutexRLock);
  keep_frame();
}

// mirrors TryRLock
bool RWMutex::try_rlock() {
  int32_t c = reader_count_.load(std::memory_order_relaxed);
  for (;;) {
    if (c < 0) return false;
    if (reader_count_.compare_exchange_weak(c, c + 1, std::memory_order_acquire, std::memory_order_relaxed)) {
      return true;
    }
  }
}

// mirrors rUnlockSlow
void RWMutex::runlock_slow(int32_t r) {
  if (r + 1 == 0 || r + 1 == -kMaxReaders) runtime::fatal("sync: RUnlock of unlocked RWMutex");
  // A writer is pending; the last reader it waits for lets it in.
  if (reader_wait_.fetch_sub(1, std::memory_order_acq_rel) - 1 == 0) runtime::semrelease(&writer_sem_, false);
}

// mirrors Lock
void RWMutex::lock() {
  // First, resolve competition with other writers.
  w_.lock();
  // Announce the pending writer to readers.
  const int32_t r = reader_count_.fetch_sub(kMaxReaders, std::memory_order_acq_rel);
  // Wait for the readers already in, unless they all left meanwhile.
  if (r != 0 && reader_wait_.fetch_add(r, std::memory_order_acq_rel) + r != 0) {
    runtime::semacquire(&writer_sem_, runtime::WaitReason::SyncRWMutexLock);
  }
  keep_frame();
}

// mirrors TryLock
bool RWMutex::try_lock() {
  if (!w_.try_lock()) return false;
  int32_t no_readers = 0;
  if (!reader_count_.compare_exchange_strong(no_readers, -kMaxReaders, std::memory_order_acq_rel,
                                             std::memory_order_relaxed)) {
    w_.unlock();
    return false;
  }
  return true;
}

// mirrors Unlock
void RWMutex::unlock() {
  // Announce to readers there is no active writer.
  const int32_t r = reader_count_.fetch_add(kMaxReaders, std::memory_order_acq_rel) + kMaxReaders;
  if (r >= kMaxReaders) runtime::fatal("sync: Unlock of unlocked RWMutex");
  // Let in the readers that parked while we held the lock.
  for (int32_t i = 0; i < r; ++i) runtime::semrelease(&reader_sem_, false);
  // Let other writers proceed.
  w_.unlock();
}

}  // namespace gort
