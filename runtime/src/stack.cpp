// stack.cpp — slot allocator and guard modes; the design is in stack.hpp.
#include "stack.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <vector>

#include "lock_futex.hpp"

#if defined(GORT_ASAN)
#include <sanitizer/asan_interface.h>
#endif

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102  // Linux 6.13; absent from Debian 12's headers
#endif

namespace gort::runtime {

namespace {

/// Free slots released per hold of the pool's lock in free_stack_slots: one
/// batch's madvise calls take tens of microseconds, during which goroutines
/// starting on other Ps still find the rest of the free slots in the pool
/// rather than carving new ones; 32 (a full per-P cache) amortises the lock.
constexpr std::size_t kReleaseBatch = 32;

struct StackState {
  Lock lock;
  std::vector<char*> chunks;  // every chunk mapped, for release_all
  char* cur = nullptr;        // next unused slot in the newest chunk
  char* end = nullptr;        // end of the newest chunk
  std::size_t slots = 0;      // slots carved
  std::size_t guarded_mprotect = 0;
  std::size_t mprotect_budget = 0;  // slots that may still get an mprotect guard
  GuardMode mode = GuardMode::GuardInstall;
  bool warned_canary = false;
  std::vector<StackSlot> free;      // free slots beyond the per-P caches, pages as left
  std::vector<StackSlot> released;  // free slots whose pages went back to the OS
};

StackState& state() {
  static StackState s;
  return s;
}

std::once_flag mode_once;
GuardMode probed_mode = GuardMode::GuardInstall;
std::size_t probed_budget = 0;

long read_max_map_count() {
  long v = 65530;
  if (FILE* f = std::fopen("/proc/sys/vm/max_map_count", "r")) {
    if (std::fscanf(f, "%ld", &v) != 1) v = 65530;
    std::fclose(f);
  }
  return v;
}

void probe_mode() {
  const long page = sysconf(_SC_PAGESIZE);
  void* p = mmap(nullptr, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p != MAP_FAILED && madvise(p, page, MADV_GUARD_INSTALL) == 0) {
    probed_mode = GuardMode::GuardInstall;
  } else {
    probed_mode = GuardMode::Mprotect;
    // Reserve a quarter of the VMA limit (at least 8192) for malloc, libraries,
    // the GC's arenas and the program; each guarded slot costs two VMAs.
    long max = read_max_map_count();
    long reserve = max / 4 > 8192 ? max / 4 : 8192;
    probed_budget = max > reserve ? std::size_t(max - reserve) / 2 : 0;
    std::fprintf(stderr,
                 "runtime: MADV_GUARD_INSTALL unavailable (kernel < 6.13): stack guards use "
                 "mprotect for the first %zu goroutine stacks, canary checks beyond\n",
                 probed_budget);
  }
  if (p != MAP_FAILED) munmap(p, 2 * page);
}

[[noreturn]] void fatal_oom(const char* what) {
  std::fprintf(stderr, "fatal error: %s: %s\n", what, std::strerror(errno));
  std::fflush(stderr);
  _exit(2);
}

void guard_slot(StackState& s, char* slot, StackSlot* out) {
  switch (s.mode) {
    case GuardMode::GuardInstall:
      if (madvise(slot, kGuardBytes, MADV_GUARD_INSTALL) != 0) fatal_oom("stack guard install");
      out->guarded = true;
      return;
    case GuardMode::Mprotect:
      if (s.guarded_mprotect < s.mprotect_budget && mprotect(slot, kGuardBytes, PROT_NONE) == 0) {
        ++s.guarded_mprotect;
        out->guarded = true;
        return;
      }
      s.mode = GuardMode::Canary;
      [[fallthrough]];
    case GuardMode::Canary:
      if (!s.warned_canary) {
        s.warned_canary = true;
        std::fprintf(stderr,
                     "runtime: vm.max_map_count budget for stack guards used up after %zu "
                     "goroutine stacks; further stacks are canary-checked\n",
                     s.guarded_mprotect);
      }
      std::memcpy(out->lo, &kStackCanary, sizeof kStackCanary);
      out->guarded = false;
      return;
  }
}

/// Gives a free slot's stack pages back to the OS (MADV_DONTNEED: the next
/// touch of a page maps a fresh zero page).  An unguarded slot keeps the page
/// holding its canary, so the canary check still holds when it is reused.
void release_slot_pages(const StackSlot& slot) {
  static const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  char* from = slot.guarded ? slot.lo : slot.lo + page;
  if (madvise(from, static_cast<std::size_t>(slot.hi - from), MADV_DONTNEED) != 0) fatal_oom("stack release");
}

}  // namespace

const char* guard_mode_name(GuardMode m) {
  switch (m) {
    case GuardMode::GuardInstall: return "madvise-guard";
    case GuardMode::Mprotect: return "mprotect";
    case GuardMode::Canary: return "canary";
  }
  return "?";
}

void stack_init() {
  std::call_once(mode_once, probe_mode);
  StackState& s = state();
  LockGuard g(s.lock);
  s.mode = probed_mode;
  s.mprotect_budget = probed_budget;
  s.guarded_mprotect = 0;
  s.cur = s.end = nullptr;
  s.slots = 0;
}

StackSlot stackpool_carve() {
  StackState& s = state();
  LockGuard g(s.lock);
  if (s.cur == s.end) {
    const std::size_t bytes = kSlotBytes * kChunkSlots;
    void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) fatal_oom("out of memory allocating goroutine stacks");
    s.chunks.push_back(static_cast<char*>(p));
    s.cur = static_cast<char*>(p);
    s.end = s.cur + bytes;
  }
  char* slot = s.cur;
  s.cur += kSlotBytes;
  ++s.slots;
  StackSlot out{slot + kGuardBytes, slot + kSlotBytes, false};
  guard_slot(s, slot, &out);
  return out;
}

void stackpool_put(const StackSlot* slots, std::size_t n) {
  StackState& s = state();
  LockGuard g(s.lock);
  s.free.insert(s.free.end(), slots, slots + n);
}

std::size_t stackpool_get(StackSlot* out, std::size_t max) {
  StackState& s = state();
  LockGuard g(s.lock);
  std::size_t n = 0;
  for (std::vector<StackSlot>* list : {&s.free, &s.released}) {
    while (n < max && !list->empty()) {
      out[n++] = list->back();
      list->pop_back();
    }
  }
  return n;
}

void free_stack_slots() {
  StackState& s = state();
  std::size_t todo;
  {
    LockGuard g(s.lock);
    todo = s.free.size();
  }
  StackSlot batch[kReleaseBatch];
  while (todo > 0) {
    std::size_t n = 0;
    {
      LockGuard g(s.lock);
      while (n < kReleaseBatch && n < todo && !s.free.empty()) {
        batch[n++] = s.free.back();
        s.free.pop_back();
      }
    }
    if (n == 0) return;  // goroutines took the rest meanwhile
    todo -= n;
    for (std::size_t i = 0; i < n; ++i) release_slot_pages(batch[i]);
    LockGuard g(s.lock);
    s.released.insert(s.released.end(), batch, batch + n);
  }
}

void stack_release_all() {
  StackState& s = state();
  LockGuard g(s.lock);
  s.free.clear();
  s.released.clear();
  for (char* c : s.chunks) {
#if defined(GORT_ASAN)
    // Frames that never returned (every goroutine's entry frame) left their
    // redzones poisoned; the next mapping at this address must not inherit them.
    __asan_unpoison_memory_region(c, kSlotBytes * kChunkSlots);
#endif
    munmap(c, kSlotBytes * kChunkSlots);
  }
  s.chunks.clear();
  s.cur = s.end = nullptr;
  s.slots = 0;
  s.guarded_mprotect = 0;
  s.mode = probed_mode;
}

GuardMode stack_guard_mode() { return state().mode; }

std::size_t stack_reserved_bytes() {
  StackState& s = state();
  LockGuard g(s.lock);
  return s.chunks.size() * kSlotBytes * kChunkSlots;
}

std::size_t stack_slots_in_use() {
  StackState& s = state();
  LockGuard g(s.lock);
  return s.slots - s.released.size();
}

std::size_t stack_slots_released() {
  StackState& s = state();
  LockGuard g(s.lock);
  return s.released.size();
}

bool stack_guard_contains(const char* lo, const void* addr) {
  const char* a = static_cast<const char*>(addr);
  return a >= lo - kGuardBytes && a < lo;
}

}  // namespace gort::runtime
