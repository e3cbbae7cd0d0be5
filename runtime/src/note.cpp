// note.cpp — futex-backed notes (mirrors notesleep/notewakeup in lock_futex.go).
#include "note.hpp"

#include <cstdint>

#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>

#include "nanotime.hpp"

namespace gort::runtime {

namespace {
void futex_wait(std::atomic<uint32_t>* addr, uint32_t val, int64_t ns) {
  struct timespec ts;
  struct timespec* tsp = nullptr;
  if (ns >= 0) {
    ts.tv_sec = ns / 1'000'000'000;
    ts.tv_nsec = ns % 1'000'000'000;
    tsp = &ts;
  }
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(addr), FUTEX_WAIT_PRIVATE, val, tsp, nullptr, 0);
}
void futex_wake(std::atomic<uint32_t>* addr, int n) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(addr), FUTEX_WAKE_PRIVATE, n, nullptr, nullptr, 0);
}
}  // namespace

void noteclear(Note* n) { n->key.store(0, std::memory_order_relaxed); }

void notewakeup(Note* n) {
  n->key.store(1, std::memory_order_release);
  futex_wake(&n->key, 1);
}

void notesleep(Note* n) {
  while (n->key.load(std::memory_order_acquire) == 0) futex_wait(&n->key, 0, -1);
}

bool notetsleep(Note* n, int64_t ns) {
  if (ns < 0) {
    notesleep(n);
    return true;
  }
  // Saturate: a timer due in ~292 years (a huge timeout) must not wrap.
  const int64_t now = nanotime();
  const int64_t deadline = ns > INT64_MAX - now ? INT64_MAX : now + ns;
  while (n->key.load(std::memory_order_acquire) == 0) {
    const int64_t left = deadline - nanotime();
    if (left <= 0) return false;
    futex_wait(&n->key, 0, left);
  }
  return true;
}

}  // namespace gort::runtime
