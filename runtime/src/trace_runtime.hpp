// trace_runtime.hpp — the runtime's side of the execution tracer: the calls the
// scheduler makes at each traced event (mirrors the traceGoStart, traceGoPark,
// traceProcStart, ... helpers of golang/go src/runtime/trace2runtime.go).
//
// Every helper is inline and costs one relaxed load and a not-taken branch
// while tracing is off (the flag sits alone on its cache line, read-mostly);
// the work is out of line in trace_buffer.cpp.  Each must be called on the
// thread where the event happens, in the order the events happen on that
// thread: the batch of a thread is its timeline (format in
// gort/trace_format.hpp).  None of them parks, yields or takes a runtime lock,
// so they may be called anywhere in the scheduler, with locks held.
#pragma once

#include <atomic>
#include <cstdint>

#include <gort/runtime/internal/trace_events.hpp>
#include <gort/runtime/internal/wait_reason.hpp>
#include <gort/trace_format.hpp>

#include "g.hpp"

namespace gort::runtime {

using trace::format::Ev;

/// Fixed string ids: every trace defines them at its start (trace.cpp), so the
/// hot paths name a wait reason or a stop reason by number.
inline constexpr uint64_t kTraceWaitReasonStrings = 1;  // + WaitReason
inline constexpr uint64_t kTraceStwReasonStrings = kTraceWaitReasonStrings + uint64_t(WaitReason::kCount);
inline constexpr uint64_t kTraceStopReasonStrings = kTraceStwReasonStrings + uint64_t(StwReason::kCount);
/// Why a goroutine stopped while still runnable (GoStop's reason).
enum class TraceStopReason : uint8_t { Gosched, Preempted, Yield, kCount };
/// First id of strings interned while the trace runs.
inline constexpr uint64_t kTraceDynamicStrings = kTraceStopReasonStrings + uint64_t(TraceStopReason::kCount);

/// Returns the string id of a wait reason / stop reason / stop-the-world reason.
inline uint64_t trace_string(WaitReason r) { return kTraceWaitReasonStrings + uint64_t(r); }
inline uint64_t trace_string(TraceStopReason r) { return kTraceStopReasonStrings + uint64_t(r); }
inline uint64_t trace_string(StwReason r) { return kTraceStwReasonStrings + uint64_t(r); }

/// GoCreate for gp, created by the running context.
void trace_go_create_slow(const G* gp);
inline void trace_go_create(const G* gp) {
  if (trace_on()) [[unlikely]] trace_go_create_slow(gp);
}

/// GoBlock for the running goroutine with Go's wait reason and its stack.
void trace_go_block_slow(WaitReason reason);
inline void trace_go_block(WaitReason reason) {
  if (trace_on()) [[unlikely]] trace_go_block_slow(reason);
}

/// GoSyscallBegin for the running goroutine, with the stack of the call.
void trace_go_syscall_begin_slow();
inline void trace_go_syscall_begin() {
  if (trace_on()) [[unlikely]] trace_go_syscall_begin_slow();
}

/// GoSyscallEndBlocked for gp, leaving its blocking call on M mp without a P;
/// while start is writing its snapshot, preceded by gp's status if this
/// thread is the one to state it (see trace_claim_status in trace.cpp).
void trace_go_syscall_end_blocked_slow(const G* gp, const M* mp);
inline void trace_go_syscall_end_blocked(const G* gp, const M* mp) {
  if (trace_on()) [[unlikely]] trace_go_syscall_end_blocked_slow(gp, mp);
}

/// GoStop: the running goroutine yields but stays runnable; with the stack
/// that yielded (Go's GoSched and GoPreempt carry it too).
void trace_go_stop_slow(TraceStopReason reason);
inline void trace_go_stop(TraceStopReason reason) {
  if (trace_on()) [[unlikely]] trace_go_stop_slow(reason);
}

/// GoStart of gp on this thread.
inline void trace_go_start(const G* gp) {
  if (trace_on()) [[unlikely]] trace_event(Ev::GoStart, uint64_t(gp->goid));
}

/// GoUnblock: the running context made gp runnable; with the stack that did
/// (mirrors traceGoUnpark: the scheduler-latency profile charges the wait to it).
void trace_go_unblock_slow(const G* gp);
inline void trace_go_unblock(const G* gp) {
  if (trace_on()) [[unlikely]] trace_go_unblock_slow(gp);
}

/// A time stamp for an event that a compare-and-swap decides (0 while not
/// tracing).  Taken before the CAS: the thread that loses the race notices it
/// only after the CAS, so the stamped event comes first in the trace too.
uint64_t trace_stamp_slow();
inline uint64_t trace_stamp() { return trace_on() ? trace_stamp_slow() : 0; }

struct P;

/// ProcSteal of pp, lent by M pp->syscall_mid's blocking call, stamped at
/// `stamp` (trace_stamp before the CAS that took it) — or just after that call's
/// GoSyscallBegin (pp->syscall_begin_ns) if that is later: the stamp can be
/// taken while an earlier call of the same M still held the P, which then
/// returned and lent it again before the CAS took it; stamped at `stamp`, the
/// steal would precede that earlier call's GoSyscallEnd.  (Go 1.22 orders a
/// steal by the P's sequence number instead.)  A stamp of 0 (tracing was off
/// before the CAS, on after it) is such a case too: trace::start's stop turned
/// every lent P into a stopped one, so a P lent now was lent by a call that
/// began while tracing, and the steal is stamped just after that call began.
/// Dropping the steal there left the ProcStart that follows it taking a P the
/// trace shows lent to another thread.
/// Precondition: the caller's CAS took pp from status Syscall.
void trace_proc_steal_slow(uint64_t stamp, const P* pp);
inline void trace_proc_steal(uint64_t stamp, const P* pp) {
  if (trace_on()) [[unlikely]] trace_proc_steal_slow(stamp, pp);
}

/// Events without arguments or with plain numbers.
inline void trace_simple(Ev ev, uint64_t a0 = 0, uint64_t a1 = 0) {
  if (trace_on()) [[unlikely]] trace_event(ev, a0, a1);
}

}  // namespace gort::runtime
