// wait_policy.hpp — what a ring or mutex-queue side does when it finds the
// queue full (the producer) or empty (the consumer), before trying again.
//
// The default, `backoff`, spins first and yields later: up to kSpinTries
// failed tries each followed by the CPU's pause hint, then gort::gosched()
// (Go: runtime.Gosched()) and the count starts again.  While the two sides run
// on two Ps the other side answers well within the spins (a line moves
// between cores in about a hundred nanoseconds), so a run measures what the
// exercise is about: two cores passing head and tail back and forth.  When
// the other side is not running (both goroutines on one P, or the OS gave the
// other P's thread no CPU), the yield lets it run instead of burning the P.
//
// `spin` never yields: a pause and a safe point (gort::preempt_point()) per
// try.  Each side keeps its P; if both sit on one P, the spinner holds it until
// the 10 ms preemption, once per ring's worth of messages (the Go twin's empty
// loop waits for Go's asynchronous preemption the same way).
//
// `gosched` yields on every failed try.  With two Ps a yield finds nothing else
// to run, so in gort it returns at once (a look at the run queues, no switch);
// Go's Gosched always goes through schedule().  But once both goroutines sit on
// one P, a yield hands the P to the other side, which fills or drains the whole
// ring before yielding back: the sides take turns a ring at a time, no line
// crosses cores, and the run is several times faster than a parallel one,
// whatever the padding.  The report's waits/message column shows it (about
// 1/capacity when they took turns).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace spsclab {

/// How a blocked ring or mutex-queue side waits before trying again.
enum class WaitPolicy {
  /// kSpinTries pause-and-retry, then one gort::gosched(), and again.
  kBackoff,
  /// a pause instruction and a safe point per failed try, never a yield.
  kSpin,
  /// gort::gosched() per failed try.
  kGosched,
};

/// Failed tries a `backoff` side spins through before it yields: 100 pauses
/// (about 3 µs on Machine A's EPYC, where a pause takes tens of cycles) cover
/// many times a cache-line transfer between two running cores, and are short
/// against a time slice when the other side is not running.  The Go twin uses
/// the same count (its tries have no pause, so its spins are shorter).
inline constexpr int kSpinTries = 100;

/// "backoff", "spin" or "gosched".
const char* wait_policy_name(WaitPolicy w);

/// The policy named `name`, or nullopt.
std::optional<WaitPolicy> parse_wait_policy(const std::string& name);

/// One side's waiting through one blocked spell: make one per push or pop
/// that may block, call wait() after each failed try.
class Waiter {
 public:
  /// A waiter that has not waited yet.
  explicit Waiter(WaitPolicy policy) : policy_(policy) {}

  /// Waits once as the policy says.  Precondition: called from a goroutine.
  void wait();

 private:
  /// The policy.
  WaitPolicy policy_;
  /// Failed tries since the last yield (backoff).
  int spins_ = 0;
};

/// Calls try_once() until it returns true, waiting as `policy` says after each
/// failure, and returns the number of failures.  Precondition: called from a
/// goroutine; something else eventually makes try_once() succeed.
template <class Try>
std::uint64_t retry_until(Try&& try_once, WaitPolicy policy) {
  if (try_once()) return 0;
  Waiter waiter(policy);
  std::uint64_t failures = 0;
  do {
    waiter.wait();
    ++failures;
  } while (!try_once());
  return failures;
}

}  // namespace spsclab
