// wait_policy.hpp — what a ring side does when it finds the ring full (the
// producer) or empty (the consumer).
//
// The default is to spin: the CPU's pause hint and a safe point per failed try
// (gort::preempt_point(), so a ring on one P still makes progress after the
// 10 ms preemption; the Go twin's empty spin loop relies on Go's async
// preemption).  Spinning keeps each side on its own P, so every run measures
// what the exercise is about: two cores passing head and tail back and forth.
//
// `gosched` yields instead: gort::gosched() (Go: runtime.Gosched()).  While
// the two sides run on two Ps a yield finds nothing else to run, so in gort it
// returns at once (a look at the run queues, no switch); Go's Gosched always
// goes through schedule() (the G is put on the global queue and picked up
// again).  But once both goroutines sit on one P (the second P's thread was
// late to steal one, or the OS gave it no CPU), a yield hands the P to the other
// side, which then fills or drains the whole ring before yielding back: the
// sides take turns a ring at a time, no line crosses cores, and a run is many
// times faster than the parallel one, whatever the padding.  The report's
// waits/message column shows it (about 1/capacity when they took turns).
#pragma once

#include <optional>
#include <string>

namespace spsclab {

/// How a blocked ring or mutex-queue side waits before trying again.
enum class WaitPolicy {
  /// gort::gosched() per failed try.
  kGosched,
  /// a pause instruction and a safe point per failed try.
  kSpin,
};

/// "gosched" or "spin".
const char* wait_policy_name(WaitPolicy w);

/// The policy named `name`, or nullopt.
std::optional<WaitPolicy> parse_wait_policy(const std::string& name);

/// Waits once as `w` says.  Precondition: called from a goroutine.
void wait_once(WaitPolicy w);

}  // namespace spsclab
