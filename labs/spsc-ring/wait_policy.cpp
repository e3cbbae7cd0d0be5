// wait_policy.cpp — yielding or spinning between tries (see wait_policy.hpp).
#include "wait_policy.hpp"

#include <gort/gort.hpp>

namespace spsclab {

const char* wait_policy_name(WaitPolicy w) { return w == WaitPolicy::kGosched ? "gosched" : "spin"; }

std::optional<WaitPolicy> parse_wait_policy(const std::string& name) {
  if (name == "gosched") return WaitPolicy::kGosched;
  if (name == "spin") return WaitPolicy::kSpin;
  return std::nullopt;
}

void wait_once(WaitPolicy w) {
  if (w == WaitPolicy::kGosched) {
    gort::gosched();
    return;
  }
  __builtin_ia32_pause();
  gort::preempt_point();
}

}  // namespace spsclab
