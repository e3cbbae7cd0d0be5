// sudog.cpp — the sudog allocator (mirrors acquireSudog/releaseSudog in proc.go)
// and the goroutine-facing random source (fastrand).
//
// Every P caches up to kSudogCacheMax free sudogs; an empty cache takes half a
// cache's worth from the central list under sched.sudoglock, a full one gives
// half back, so a goroutine that blocks and wakes on the same P touches no
// shared memory for its sudog.  Sudogs are carved from chunks that live until
// teardown (sudog_release_all); a sudog is never returned to the C++ heap while
// the runtime runs, so a waker holding a stale pointer under a channel lock can
// never touch freed memory.  Go allocates them on the GC heap for the same
// reason; gort has no GC under the runtime, so chunks play that role.
#include <gort/runtime/internal/sudog.hpp>

#include <vector>

#include "current.hpp"
#include "lock_futex.hpp"
#include "m.hpp"
#include "p.hpp"
#include "proc.hpp"
#include "sched.hpp"

namespace gort::runtime {

namespace {

/// Sudogs per chunk: one 4 KiB page's worth of 64-byte records is too few for a
/// burst of 10k blocked goroutines, 256 (16 KiB) amortises the lock well.
constexpr std::size_t kSudogChunk = 256;

/// The central free list and the chunks behind every sudog ever made.
struct SudogCentral {
  Lock lock;
  Sudog* free = nullptr;  // linked through Sudog::next
  std::vector<Sudog*> chunks;
};

SudogCentral& central() {
  static SudogCentral c;
  return c;
}

/// Moves up to `want` sudogs from the central list (new chunks if it runs dry)
/// into pp's cache.
void refill(P* pp, int32_t want) {
  SudogCentral& c = central();
  LockGuard g(c.lock);
  while (pp->nsudogcache < want) {
    if (c.free == nullptr) {
      Sudog* chunk = new Sudog[kSudogChunk];
      c.chunks.push_back(chunk);
      for (std::size_t i = 0; i < kSudogChunk; ++i) {
        chunk[i].next = c.free;
        c.free = &chunk[i];
      }
    }
    Sudog* s = c.free;
    c.free = s->next;
    s->next = nullptr;
    pp->sudogcache[pp->nsudogcache++] = s;
  }
}

/// Moves pp's cached sudogs from index `keep` on to the central list.
void spill(P* pp, int32_t keep) {
  SudogCentral& c = central();
  LockGuard g(c.lock);
  while (pp->nsudogcache > keep) {
    Sudog* s = pp->sudogcache[--pp->nsudogcache];
    s->next = c.free;
    c.free = s;
  }
}

}  // namespace

// Both read the TLS slot directly (current.hpp): they never park or yield
// between reading it and returning, and noinline keeps them from being merged
// into a caller that does (a channel operation parks right after).  One call
// fewer on every blocking channel operation's two sudog moves.
__attribute__((noinline)) Sudog* acquire_sudog() {
  P* pp = tls_current_m->p;
  if (pp->nsudogcache == 0) refill(pp, kSudogCacheMax / 2);
  return pp->sudogcache[--pp->nsudogcache];
}

__attribute__((noinline)) void release_sudog(Sudog* s) {
  *s = Sudog{};
  P* pp = tls_current_m->p;
  if (pp->nsudogcache == kSudogCacheMax) spill(pp, kSudogCacheMax / 2);
  pp->sudogcache[pp->nsudogcache++] = s;
}

void sudogcache_flush(P* pp) { spill(pp, 0); }

void sudog_release_all() {
  SudogCentral& c = central();
  LockGuard g(c.lock);
  for (Sudog* chunk : c.chunks) delete[] chunk;
  c.chunks.clear();
  c.free = nullptr;
}

uint32_t fastrand() { return fastrand(current_m()); }

uint32_t fastrandn(uint32_t n) { return fastrandn(current_m(), n); }

}  // namespace gort::runtime
