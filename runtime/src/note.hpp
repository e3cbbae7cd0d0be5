// note.hpp — one-shot sleep/wakeup for OS threads (mirrors note in lock_futex.go).
//
// An idle M sleeps on its note until another M hands it a P; sysmon and
// stop-the-world sleep on notes too.  A note is a futex word: 0 = clear,
// 1 = woken.  notewakeup may run before notesleep; the sleeper then returns at once.
#pragma once

#include <atomic>
#include <cstdint>

namespace gort::runtime {

struct Note {
  /// 0 while clear, 1 once woken; the futex word.
  std::atomic<uint32_t> key{0};
};

/// Resets n so it can be slept on again.  Precondition: no thread sleeps on n.
void noteclear(Note* n);
/// Wakes the (single) sleeper of n, or makes its next sleep return at once.
void notewakeup(Note* n);
/// Blocks the calling OS thread until n is woken.
void notesleep(Note* n);
/// Like notesleep but gives up after ns nanoseconds (ns < 0: no limit); returns
/// whether n was woken.
bool notetsleep(Note* n, int64_t ns);

}  // namespace gort::runtime
