// order.hpp — merges the per-thread event streams of a trace into one legal,
// time-ordered stream, replaying a state machine per goroutine, per P and per
// thread.
//
// Mirrors Go's src/internal/trace/order.go and the frontier loop of
// reader.go: each thread's next event is a candidate; the candidates are tried
// in timestamp order (ties: file order), and the first one that is legal in
// the current state is taken.  So a GoStart on thread B waits for the
// GoUnblock on thread A that makes its goroutine runnable even when B's
// timestamp is the same or slightly earlier.  If no candidate is legal the
// trace is broken: TraceError naming the earliest candidate, its thread, its
// offset and why it is not legal.  An event taken after a later-stamped one
// gets that later time (times never go backwards); Ordered counts how often.
// A candidate that is not legal is set aside until an applied event changes
// the state it depends on (its thread, goroutine, P, or the world), so each
// event is tried about once; the attempts are also budgeted, so no file,
// however crafted, keeps the ordering busy for long.
//
// Per-thread context (format: "an event happens on the thread of its batch,
// to the P that thread holds and the goroutine it runs"): the P from
// ProcStatus/ProcStart until ProcStop, a ProcSteal (by another thread, or by
// the holder itself, which Go reads as a ProcStop), or a
// GoSyscallEndBlocked; the goroutine from GoStatus/GoStart until
// GoStop/GoBlock/GoDestroy/GoSyscallEndBlocked.
//
// A goroutine with no GoCreate and no GoStatus anywhere in the trace is
// taken to have existed at trace start, in the state its first event needs
// (runnable for GoStart, waiting for GoUnblock).  An end event with no begin
// (GCEnd, STWEnd, GCMarkAssistEnd, GCSweepEnd, GCWorkerEnd, UserRegionEnd)
// is accepted once per context when nothing of that kind began in the trace:
// the activity began before the trace did.
#pragma once

#include "reader.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace gort::viewer {

/// A goroutine's state in the replay (Go: internal/trace GoState).
enum class GState : uint8_t { None, Runnable, Running, Syscall, Waiting, Dead };
const char* gstate_name(GState s);

/// Event flags.
enum : uint8_t {
  kInferred = 1,         // the target goroutine was first seen here; `from` is inferred
  kBeganBeforeTrace = 2, // an End whose Begin predates the trace
  kReleasedP = 4,        // GoSyscallEndBlocked: the thread gave up the P it held
  kTimeAdjusted = 8,     // the event's time was raised to keep the stream ordered
};

/// One event of the ordered stream.
struct Event {
  int64_t time = 0;
  uint64_t offset = 0;   // in the file
  uint64_t thread = 0;
  uint64_t g = 0;        // goroutine running on the thread before the event (0: none)
  int32_t p = -1;        // P the thread holds (ProcStart: acquired; ProcStop: released;
                         // ProcSteal: the stolen P); -1: none
  tf::Ev type = tf::Ev::None;
  uint8_t flags = 0;
  GState from = GState::None, to = GState::None;  // the target's transition
  uint64_t target = 0;   // goroutine whose state this event changes (0: none)
  uint64_t args[tf::kMaxArgs] = {};
  uint32_t message = 0;  // UserLog: index into Ordered::messages
};

struct Ordered {
  std::vector<Event> events;
  std::vector<std::string> messages;  // UserLog texts
  int64_t end_ns = 0;
  uint64_t adjusted = 0;       // events whose time was raised
  int64_t max_adjust_ns = 0;   // by at most this much
};

/// Orders a parsed trace; TraceError if its events have no legal order.
Ordered order(const Trace& trace);

/// An independent re-check of an ordered stream (what `trace-viewer
/// validate` reports and what tests assert on).
struct Validation {
  bool ok = true;
  std::vector<std::string> problems;   // empty when ok
  uint64_t events = 0;                 // ordered events
  uint64_t definitions = 0;            // String/Stack/Frame/ThreadName records
  std::map<std::string, uint64_t> counts;  // per event type name
  uint64_t goroutines = 0;
  uint64_t blocked_at_end = 0;         // goroutines still blocked when the trace ends
  uint64_t threads = 0;
  uint64_t procs = 0;
};
/// Checks: times non-decreasing; every goroutine's transitions chain (each
/// `from` is the previous `to`) and are legal; a blocked goroutine next
/// becomes runnable (or stays blocked to the end); a thread's goroutine and P
/// agree with the events it carries.
Validation validate(const Trace& trace, const Ordered& ordered);

}  // namespace gort::viewer
