// wait_reason.cpp — Go's text for each wait reason (waitReasonStrings, runtime2.go).
#include <gort/runtime/internal/wait_reason.hpp>

namespace gort::runtime {

const char* wait_reason_string(WaitReason r) {
  static constexpr const char* kNames[] = {
      "",
      "GC assist marking",
      "IO wait",
      "chan receive (nil chan)",
      "chan send (nil chan)",
      "dumping heap",
      "garbage collection",
      "garbage collection scan",
      "panicwait",
      "select",
      "select (no cases)",
      "GC assist wait",
      "GC sweep wait",
      "GC scavenge wait",
      "chan receive",
      "chan send",
      "finalizer wait",
      "force gc (idle)",
      "semacquire",
      "sleep",
      "sync.Cond.Wait",
      "sync.Mutex.Lock",
      "sync.RWMutex.RLock",
      "sync.RWMutex.Lock",
      "sync.WaitGroup.Wait",
      "trace reader (blocked)",
      "wait for GC cycle",
      "GC worker (idle)",
      "GC worker (active)",
      "preempted",
      "debug call",
      "GC mark termination",
      "stopping the world",
  };
  static_assert(sizeof(kNames) / sizeof(kNames[0]) == static_cast<int>(WaitReason::kCount));
  auto i = static_cast<unsigned>(r);
  return i < static_cast<unsigned>(WaitReason::kCount) ? kNames[i] : "unknown wait reason";
}

}  // namespace gort::runtime
