// gort/trace_format.hpp — the execution-trace file format, version 1: the one
// definition both the runtime's tracer (runtime/src/trace*.cpp) and the
// trace-viewer's reader use.  trace-viewer/FORMAT.md is the prose version.
//
// The design follows Go 1.22's trace (golang/go src/runtime/trace2event.go,
// src/internal/trace/event/go122): events are written into per-thread batches
// (Go: per-M) with delta-encoded timestamps and unsigned LEB128 arguments, so
// an event costs a few bytes and no lock; strings and stacks are interned and
// defined by their own events; the reader merges the batches by timestamp and
// replays a state machine per goroutine and per P.
//
// File      = Header Batch* Trailer
// Header    = 16 bytes: "gort trace" 0 0 (12 bytes), version u32 little-endian
// Batch     = 0xB1, uvarint thread, uvarint base_ns, uvarint length, length bytes of events
// Trailer   = 0xE1, uvarint batch_count, uvarint end_ns       (written by stop(); a file
//             without it was cut short)
// Event     = type u8, uvarint delta_ns, kSpecs[type].args uvarints
//             [, uvarint n, n uvarints (pc_list: Stack)] [, uvarint n, n bytes (bytes)]
//
// Timestamps are nanoseconds since the trace started (CLOCK_MONOTONIC).  An
// event's time is its batch's base_ns plus the deltas of the events before it
// in the batch, including its own.  Threads are numbered by the tracer: an M's
// thread is its M id; other runtime threads (sysmon, the scavenger, collector
// helpers, foreign threads) get ids from kFirstNonMThread up.  A thread's
// batches appear in the file in the order it wrote them (time order).
//
// An event happens on the thread of its batch, to the P that thread holds
// (after ProcStart, until ProcStop) and the goroutine it runs (after GoStart,
// until GoStop/GoBlock/GoDestroy/GoSyscallEndBlocked).  Ids 0 mean "none":
// string 0 is "", stack 0 is "no stack", goroutine 0 is "no goroutine".
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace gort::trace::format {

/// The 12 bytes a trace file starts with, then the version as a u32 LE.
inline constexpr std::string_view kMagic{"gort trace\0\0", 12};
inline constexpr uint32_t kVersion = 1;
inline constexpr std::size_t kHeaderBytes = 16;
/// Opens a batch / the trailer.
inline constexpr uint8_t kBatchTag = 0xB1;
inline constexpr uint8_t kTrailerTag = 0xE1;
/// Thread ids below this are M ids; at and above it, other runtime threads.
inline constexpr uint64_t kFirstNonMThread = 1u << 20;

/// Event types.  Arguments are listed as (name, ...); "str" is a string id,
/// "stack" a stack id, "bytes" the trailing length-prefixed byte string.
enum class Ev : uint8_t {
  None = 0,
  // ---- definitions (may appear in any batch; readers collect them first) ----
  String = 1,      // (id, bytes): string id means this text
  Stack = 2,       // (id, n, pc × n): stack id means these return addresses, innermost first
  Frame = 3,       // (pc, func str, file str, line): what a pc means; written at stop
  ThreadName = 4,  // (str): names the batch's thread ("sysmon", "scavenger", ...)
  // ---- processors ----
  GoMaxProcs = 5,  // (n): GOMAXPROCS is n from here on
  ProcStatus = 6,  // (p, status, thread): at trace start, P p is idle(0)/running(1) held by thread
  ProcStart = 7,   // (p): this thread acquired P p
  ProcStop = 8,    // (): this thread released its P
  ProcSteal = 9,   // (p, thread): this thread took P p, lent by thread's blocking call (sysmon
                   // retaking it, a stop-the-world, or an M taking back a P another M's
                   // call had been lent; thread == this thread: a blocking call handing
                   // its P to a stop in progress, read as a ProcStop as Go 1.22 does);
                   // stamped before the take
  // ---- goroutines ----
  GoStatus = 10,       // (goid, status, thread, str): at trace start; see GoState; thread
                       // for running/syscall, str = wait reason for waiting
  GoCreate = 11,       // (goid, stack, start stack): created goid; stack = the `go` call site;
                       // start stack = the goroutine's first function's entry + 1 (stack pcs
                       // are return addresses, looked up at pc - 1)
  GoStart = 12,        // (goid): this thread runs goid from here on
  GoStop = 13,         // (reason str, stack): still runnable (gosched, preempted)
  GoBlock = 14,        // (reason str, stack): parked; reason is Go's waitReason text
  GoUnblock = 15,      // (goid, stack): made goid runnable (by the running goroutine, if any)
  GoDestroy = 16,      // (): the running goroutine exited
  GoSyscallBegin = 17, // (stack): the running goroutine entered a blocking call
  GoSyscallEnd = 18,   // (): it returned and runs on (the thread's P)
  GoSyscallEndBlocked = 19,  // (): it returned without a P: runnable, queued
  // ---- timers ----
  TimerFire = 20,  // (late_ns): a timer ran, late_ns after it was due
  // ---- the world and the collector ----
  STWBegin = 21,          // (reason str)
  STWEnd = 22,            // ()
  GCBegin = 23,           // (cycle)
  GCEnd = 24,             // (cycle)
  GCMarkAssistBegin = 25, // (): the running goroutine assists the mark
  GCMarkAssistEnd = 26,   // ()
  GCSweepBegin = 27,      // (): the running context sweeps before allocating
  GCSweepEnd = 28,        // ()
  GCWorkerBegin = 29,     // (kind): this thread's P runs a mark worker (see GCWorkerKind)
  GCWorkerEnd = 30,       // ()
  HeapAlloc = 31,         // (bytes): the live heap (Go's heapLive)
  HeapGoal = 32,          // (bytes)
  // ---- user annotations (gort::trace::Task, Region, log) ----
  UserTaskBegin = 33,    // (task, parent task, name str)
  UserTaskEnd = 34,      // (task)
  UserRegionBegin = 35,  // (task, name str)
  UserRegionEnd = 36,    // (task, name str)
  UserLog = 37,          // (task, category str, bytes message)
  kCount
};

/// Goroutine states in GoStatus.
enum class GoState : uint8_t { Runnable = 1, Running = 2, Syscall = 3, Waiting = 4 };

/// ProcStatus states.
enum class ProcState : uint8_t { Idle = 0, Running = 1 };

/// Mark-worker kinds (Go's gcMarkWorkerMode).
enum class GCWorkerKind : uint8_t { Dedicated = 0, Fractional = 1, Idle = 2 };

/// Layout of one event type: its name, fixed uvarint arguments, and whether a
/// counted list of uvarints (Stack's pcs) or a byte string follows them.
struct EvSpec {
  const char* name;
  uint8_t args;
  bool pc_list;   // one more uvarint n, then n uvarints
  bool bytes;     // one more uvarint n, then n raw bytes
};

inline constexpr EvSpec kSpecs[] = {
    {"None", 0, false, false},
    {"String", 1, false, true},
    {"Stack", 1, true, false},
    {"Frame", 4, false, false},
    {"ThreadName", 1, false, false},
    {"GoMaxProcs", 1, false, false},
    {"ProcStatus", 3, false, false},
    {"ProcStart", 1, false, false},
    {"ProcStop", 0, false, false},
    {"ProcSteal", 2, false, false},
    {"GoStatus", 4, false, false},
    {"GoCreate", 3, false, false},
    {"GoStart", 1, false, false},
    {"GoStop", 2, false, false},
    {"GoBlock", 2, false, false},
    {"GoUnblock", 2, false, false},
    {"GoDestroy", 0, false, false},
    {"GoSyscallBegin", 1, false, false},
    {"GoSyscallEnd", 0, false, false},
    {"GoSyscallEndBlocked", 0, false, false},
    {"TimerFire", 1, false, false},
    {"STWBegin", 1, false, false},
    {"STWEnd", 0, false, false},
    {"GCBegin", 1, false, false},
    {"GCEnd", 1, false, false},
    {"GCMarkAssistBegin", 0, false, false},
    {"GCMarkAssistEnd", 0, false, false},
    {"GCSweepBegin", 0, false, false},
    {"GCSweepEnd", 0, false, false},
    {"GCWorkerBegin", 1, false, false},
    {"GCWorkerEnd", 0, false, false},
    {"HeapAlloc", 1, false, false},
    {"HeapGoal", 1, false, false},
    {"UserTaskBegin", 3, false, false},
    {"UserTaskEnd", 1, false, false},
    {"UserRegionBegin", 2, false, false},
    {"UserRegionEnd", 2, false, false},
    {"UserLog", 2, false, true},
};
static_assert(sizeof(kSpecs) / sizeof(kSpecs[0]) == std::size_t(Ev::kCount),
              "one EvSpec per event type");

/// Most uvarint arguments any event has before its list or bytes.
inline constexpr int kMaxArgs = 4;

/// Bytes a uvarint of 64 bits can take.
inline constexpr int kMaxUvarintBytes = 10;

/// Writes v as unsigned LEB128 at p; returns the byte after it.
/// Precondition: p has room for kMaxUvarintBytes.
inline uint8_t* put_uvarint(uint8_t* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = uint8_t(v) | 0x80;
    v >>= 7;
  }
  *p++ = uint8_t(v);
  return p;
}

/// Reads an unsigned LEB128 from [*p, end) into *v and advances *p; false if
/// the input ends inside it or it overflows 64 bits.
inline bool get_uvarint(const uint8_t** p, const uint8_t* end, uint64_t* v) {
  uint64_t x = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (*p == end) return false;
    uint8_t b = *(*p)++;
    if (shift == 63 && b > 1) return false;
    x |= uint64_t(b & 0x7f) << shift;
    if (b < 0x80) {
      *v = x;
      return true;
    }
  }
  return false;
}

}  // namespace gort::trace::format
