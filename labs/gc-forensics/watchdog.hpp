// watchdog.hpp — a child run that overstays its time ends with a message
// instead of hanging the lab (the parent waits for its children).
//
// A plain thread, not a goroutine: it must fire even when every P is stuck,
// which is exactly the case it exists for.  It touches no managed memory.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace gclab {

/// Ends the process with status 3 and `what` on stderr unless destroyed
/// within `limit`.
class Watchdog {
 public:
  /// Arms the watchdog.
  Watchdog(std::chrono::nanoseconds limit, std::string what);
  /// Disarms it and joins its thread.
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

 private:
  /// Guards disarmed_.
  std::mutex mu_;
  /// Wakes the thread when disarmed.
  std::condition_variable cv_;
  /// Set by the destructor.
  bool disarmed_ = false;
  /// Waits for the limit or the disarming, whichever comes first.
  std::thread thread_;
};

}  // namespace gclab
