// toggle.hpp — part 2 of the exercise: the nil-channel select pattern.
//
// In Go a receive from a nil channel blocks forever, so a select case on a nil
// channel can never be chosen: setting the channel variable to nil disables
// the case, and setting it back enables it again.  gort models the nil
// channel as a default-constructed gort::Chan<T> (a handle with no channel
// behind it); gort::select leaves such cases out of its poll and lock orders
// (chan/src/select.cpp), as Go's selectgo does.
//
// Two upstream goroutines fill a channel each (A sends 0..a-1, B 0..a/2-1),
// then close it; their buffers hold every value, and the selecting goroutine
// starts only when both have finished, so at every select both cases are
// ready and only what the selector does decides which one runs.  Three ways
// of selecting, each over fresh upstreams:
//
//   toggle        the course's pattern: after a value from A, A's variable is
//                 set to nil and B's restored, and the reverse; the values
//                 must alternate A, B, A, B while both are open;
//   both          both cases always enabled (a closed one set to nil): select
//                 chooses at random, about half the receives repeat the
//                 upstream before;
//   closedNotNil  both enabled and a closed channel left in the select: a
//                 closed channel is always ready, so every further pick of it
//                 is a wasted receive of the zero value.
//
// A fourth check: select(<-nilChan, default) must run the default every time.
#pragma once

#include "config.hpp"
#include "results.hpp"

namespace chanbench {

/// Runs part 2 on gort.  Precondition: called from a goroutine inside
/// gort::run; config.a_messages >= 2.
ToggleResults run_toggle(const ToggleConfig& config);

}  // namespace chanbench
