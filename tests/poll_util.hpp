// poll_util.hpp — bounded polls for tests that wait for another goroutine's
// effect (context, errgroup and singleflight suites): yield until a condition
// holds instead of sleeping and hoping; and their leak check, built on
// gort::goleak::verify_none.
#pragma once

#include <gort/goroutines.hpp>
#include <gort/runtime.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

namespace gort::test {

/// Upper bound for polls of a condition another goroutine will make true: far
/// beyond any legitimate delay, so reaching it means the condition never came.
inline constexpr auto kPollBound = std::chrono::seconds(30);

/// Yields until pred() holds or the poll bound passes; returns pred().
/// Precondition: called from a goroutine.
template <class Pred>
bool eventually(Pred pred) {
  const auto give_up = std::chrono::steady_clock::now() + kPollBound;
  while (!pred() && std::chrono::steady_clock::now() < give_up) gort::gosched();
  return pred();
}

/// The leak check of the suites, goleak.VerifyNone's: waits until the calling
/// goroutine is the only one left, so no goroutine still holds what the test
/// is about to destroy, nor leaks it when the runtime abandons goroutines at
/// the end of gort::run (closures of abandoned goroutines are never
/// destroyed).  A goroutine that reported its result may still be returning.
/// Succeeds when they all ended within the bound; otherwise the failure names
/// each survivor's go statement and wait reason (gort::goleak::describe).
/// Precondition: called from the main goroutine.
inline ::testing::AssertionResult wait_for_other_goroutines() {
  const std::vector<gort::GoroutineRecord> leaks = gort::goleak::verify_none(kPollBound);
  if (leaks.empty()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << gort::goleak::describe(leaks);
}

}  // namespace gort::test
