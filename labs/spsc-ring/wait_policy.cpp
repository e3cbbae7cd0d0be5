// wait_policy.cpp — spinning and yielding between tries (see wait_policy.hpp).
#include <spsclab/wait_policy.hpp>

#include <gort/gort.hpp>

namespace spsclab {

const char* wait_policy_name(WaitPolicy w) {
  switch (w) {
    case WaitPolicy::kBackoff: return "backoff";
    case WaitPolicy::kSpin: return "spin";
    case WaitPolicy::kGosched: return "gosched";
  }
  return "?";
}

std::optional<WaitPolicy> parse_wait_policy(const std::string& name) {
  for (WaitPolicy w : {WaitPolicy::kBackoff, WaitPolicy::kSpin, WaitPolicy::kGosched}) {
    if (name == wait_policy_name(w)) return w;
  }
  return std::nullopt;
}

void Waiter::wait() {
  switch (policy_) {
    case WaitPolicy::kBackoff:
      if (++spins_ < kSpinTries) {
        __builtin_ia32_pause();
        return;
      }
      spins_ = 0;
      gort::gosched();
      return;
    case WaitPolicy::kSpin:
      __builtin_ia32_pause();
      gort::preempt_point();
      return;
    case WaitPolicy::kGosched:
      gort::gosched();
      return;
  }
}

}  // namespace spsclab
