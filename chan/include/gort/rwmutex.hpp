// gort/rwmutex.hpp — sync.RWMutex (mirrors src/sync/rwmutex.go, Go 1.19).
//
// A reader/writer lock: any number of readers or one writer.  Writer-preferring
// as in Go: once a writer calls lock(), new readers block until it has had the
// lock, so a stream of readers cannot starve a writer (and a goroutine must not
// take a read lock recursively: a writer queued in between deadlocks it).
// Satisfies Lockable (lock/unlock/try_lock) and SharedLockable
// (lock_shared/unlock_shared/try_lock_shared), so std::unique_lock and
// std::shared_lock work.  Parks goroutines, never OS threads.
#pragma once

#include <atomic>
#include <cstdint>

#include <gort/locker.hpp>
#include <gort/mutex.hpp>

namespace gort {

class RWMutex {
 public:
  constexpr RWMutex() = default;
  RWMutex(const RWMutex&) = delete;
  RWMutex& operator=(const RWMutex&) = delete;

  /// Takes a read lock, parking while a writer holds or waits for the lock
  /// (Go's RLock).  Precondition: called from a goroutine.
  void rlock() {
    if (reader_count_.fetch_add(1, std::memory_order_acquire) + 1 < 0) rlock_slow();
  }

  /// Takes a read lock if no writer holds or waits for it; returns whether it
  /// did (Go's TryRLock).  Never blocks.
  bool try_rlock();

  /// Releases a read lock (Go's RUnlock); the last reader to leave lets a
  /// waiting writer in.  Releasing a read lock nobody holds is Go's fatal
  /// "sync: RUnlock of unlocked RWMutex".  Precondition: a read lock is held.
  void runlock() {
    const int32_t r = reader_count_.fetch_sub(1, std::memory_order_release) - 1;
    if (r < 0) runlock_slow(r);  // a writer is waiting (or nothing was held)
  }

  /// Takes the write lock: waits for other writers, blocks new readers, then
  /// waits for the readers already in to leave (Go's Lock).  Precondition:
  /// called from a goroutine.
  void lock();

  /// Takes the write lock if nobody holds or waits for any lock; returns
  /// whether it did (Go's TryLock).  Never blocks.
  bool try_lock();

  /// Releases the write lock, letting in the readers that queued meanwhile and
  /// then the next writer (Go's Unlock).  Releasing an unlocked RWMutex is Go's
  /// fatal "sync: Unlock of unlocked RWMutex".  Precondition: write-locked.
  void unlock();

  /// SharedLockable names for std::shared_lock: rlock, try_rlock, runlock.
  void lock_shared() { rlock(); }
  bool try_lock_shared() { return try_rlock(); }
  void unlock_shared() { runlock(); }

  /// A Locker whose lock/unlock are rlock/runlock (Go's RLocker), e.g. for a
  /// Cond whose waiters hold read locks.  Valid while this RWMutex lives.
  Locker rlocker() {
    return Locker(this, [](void* p) { static_cast<RWMutex*>(p)->rlock(); },
                  [](void* p) { static_cast<RWMutex*>(p)->runlock(); });
  }

 private:
  /// A writer subtracts this from reader_count_ so that it goes negative while
  /// a writer is pending or in (Go's rwmutexMaxReaders = 1 << 30): readers
  /// then see < 0 and park; the readers already in are count + kMaxReaders.
  static constexpr int32_t kMaxReaders = 1 << 30;

  /// Parks a reader behind a pending writer (the rest of RLock).
  void rlock_slow();
  /// A reader leaving while a writer waits; r is the count after leaving
  /// (mirrors rUnlockSlow).
  void runlock_slow(int32_t r);

  /// Held by the writer, and by a writer waiting for readers to leave: orders
  /// writers among themselves (Go's w).
  Mutex w_;
  /// The pending writer parks here until the last reader ahead of it leaves.
  std::atomic<uint32_t> writer_sem_{0};
  /// Readers that arrived while a writer was pending park here.
  std::atomic<uint32_t> reader_sem_{0};
  /// Readers in or waiting, minus kMaxReaders while a writer is pending or in.
  std::atomic<int32_t> reader_count_{0};
  /// Readers a pending writer still waits for (they were in when it arrived).
  std::atomic<int32_t> reader_wait_{0};
};

}  // namespace gort
