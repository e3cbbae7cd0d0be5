// bridge.hpp — part 3 of the exercise: the "unbounded channel".
//
// A bridge goroutine sits between an input and an output channel (both
// unbuffered) and keeps whatever the producer sends and the consumer has not
// yet taken in a buffer of its own (a std::deque; Go's version appends to a
// slice).  Its select has three cases: receive from the input, send the
// buffer's head to the output, and stop.  When the buffer is empty the send
// case's channel is nil — part 2's pattern again — so the bridge never sends
// a value it does not have.  The producer never blocks for long: that is why
// such bridges exist (a sender that must not stall on a slow receiver: an
// event source, a logger, a fan-out).  With a consumer slower than the
// producer the buffer grows without bound: that is why they are dangerous.
// Nothing pushes back on the producer, the memory shows up nowhere but in the
// process's size, and the backlog's latency grows with it.
//
// The run is bounded twice: the producer stops after max_messages, and the
// main goroutine stops everything at the time limit (closing a stop channel
// every goroutine selects on), throwing away what is still buffered; it ends
// early if the consumer has taken every message.  Meanwhile it samples the
// backlog, the process's RSS and the runtime's HeapAlloc at a fixed period.
// In gort the buffer is C++ heap (malloc), which the collector neither sees
// nor counts: RSS grows, HeapAlloc does not.  In Go the slice is on the
// collected heap: HeapAlloc grows as well, and the collector cannot free it,
// because the bridge still holds it.
#pragma once

#include <cstdint>

#include "config.hpp"
#include "results.hpp"

namespace chanbench {

/// One message: a sequence number and 56 bytes of payload, 64 bytes in all
/// (one cache line; a small event record).  The Go twin's message has the
/// same size, so the two backlogs weigh the same per message.
struct Message {
  std::uint64_t seq = 0;
  std::uint8_t payload[56] = {};
};
static_assert(sizeof(Message) == 64, "the Go twin's message is 64 bytes");

/// The process's resident set size in bytes (/proc/self/statm), or 0 when it
/// cannot be read.
std::uint64_t resident_bytes();

/// Runs part 3 on gort.  Precondition: called from a goroutine inside
/// gort::run; config.max_messages >= 1 and the durations are positive.
BridgeResults run_bridge(const BridgeConfig& config);

}  // namespace chanbench
