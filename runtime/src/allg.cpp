// allg.cpp — goroutine records: where they come from and the list of all of
// them (mirrors malg and allgadd in proc.go).
//
// A G record is carved from a slab of kGSlabRecords records (one mmap) and is
// never freed while the runtime runs: a dead G waits on a free list for reuse
// (gfput/gfget, newproc.cpp), so a pointer to a G stays valid for the whole run,
// as a *g does in Go, and dumps and the collector's stack scan may walk allgs
// without fearing freed memory.  A new record has no stack; it gets one when it
// first runs (stack.hpp).  Slabs are unmapped only at teardown, when no
// goroutine runs.
#include <new>
#include <vector>

#include <sys/mman.h>

#include "crash.hpp"
#include "fiber.hpp"
#include "gc_stack_scan.hpp"
#include "proc.hpp"
#include "sched.hpp"

namespace gort::runtime {

namespace {

/// G records per slab: 1024 records of ~256 bytes = one 256 KiB mmap.
constexpr std::size_t kGSlabRecords = 1024;

struct GSlabs {
  Lock lock;
  std::vector<void*> slabs;
  G* cur = nullptr;
  G* end = nullptr;
};

GSlabs& gslabs() {
  static GSlabs s;
  return s;
}

/// Registers a freshly carved G in allgs (mirrors allgadd).
void allgadd(G* gp) {
  LockGuard g(sched.allglock);
  // A record created during a mark owes it no stack scan: it was not counted
  // when the mark began (begin_stack_scans), so it must not be counted down.
  mark_new_g_scanned(gp);
  gp->alllink = sched.allg;
  sched.allg = gp;
  sched.allglen.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace

G* malg() {
  GSlabs& s = gslabs();
  G* gp;
  {
    LockGuard g(s.lock);
    if (s.cur == s.end) {
      const std::size_t bytes = kGSlabRecords * sizeof(G);
      void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (p == MAP_FAILED) gothrow("out of memory allocating goroutine records");
      s.slabs.push_back(p);
      s.cur = static_cast<G*>(p);
      s.end = s.cur + kGSlabRecords;
    }
    gp = ::new (s.cur++) G();
  }
  gp->status.store(GStatus::Dead, std::memory_order_relaxed);
  allgadd(gp);
  return gp;
}

void allg_destroy_all() {
  LockGuard g(sched.allglock);
  for (G* gp = sched.allg; gp != nullptr; gp = gp->alllink) fiber_destroy(&gp->fiber);
  sched.allg = nullptr;
  sched.allglen.store(0);
}

void gslabs_release_all() {
  GSlabs& s = gslabs();
  LockGuard g(s.lock);
  for (void* p : s.slabs) munmap(p, kGSlabRecords * sizeof(G));
  s.slabs.clear();
  s.cur = s.end = nullptr;
}

}  // namespace gort::runtime
