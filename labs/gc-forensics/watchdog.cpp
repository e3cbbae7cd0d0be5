// watchdog.cpp — see watchdog.hpp.
#include "watchdog.hpp"

#include <unistd.h>

#include <cstdio>

namespace gclab {

Watchdog::Watchdog(std::chrono::nanoseconds limit, std::string what)
    : thread_([this, limit, what = std::move(what)] {
        std::unique_lock lock(mu_);
        if (cv_.wait_for(lock, limit, [this] { return disarmed_; })) return;
        std::fprintf(stderr, "gc-forensics: %s did not finish within %.0fs; giving up\n", what.c_str(),
                     std::chrono::duration<double>(limit).count());
        std::fflush(stderr);
        _exit(3);
      }) {}

Watchdog::~Watchdog() {
  {
    std::lock_guard lock(mu_);
    disarmed_ = true;
  }
  cv_.notify_one();
  thread_.join();
}

}  // namespace gclab
