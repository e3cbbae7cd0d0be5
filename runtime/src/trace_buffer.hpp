// trace_buffer.hpp — per-thread event batches of the execution tracer (mirrors
// traceBuf, traceAcquire/traceRelease and the per-M seqlock of golang/go
// src/runtime/trace2buf.go and trace2runtime.go).
//
// Model.  Every thread that writes an event owns one TraceThread, created on
// its first event and kept in a process-wide registry for as long as the
// process lives (a thread that exits leaves its record behind, marked
// orphaned, so its last batch is still written at stop).  A thread appends
// events to its own buffer without any lock.  When the buffer is full the
// thread writes it to the file as one batch, under the file's mutex.
//
// Stopping safely (the seqlock).  A writer increments its record's `seq` before
// it looks at trace_enabled and again when it is done, so seq is odd exactly
// while it may be appending.  stop() clears trace_enabled, then waits, for each
// record, until seq is even: after that no writer can be inside the buffer (a
// later writer increments seq first and then sees tracing off), and stop may
// write the buffer out from its own thread.  Two sequentially consistent
// atomic adds per event are the price: the same as Go's.
//
// Invariants: a record's buffer is touched only by its thread while its seq is
// odd, and by stop (or start) only while it is even and tracing is off or the
// world is stopped; timestamps within a batch never decrease.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <gort/trace_format.hpp>

namespace gort::runtime {

/// Bytes of events one thread buffers before writing a batch: 64 KiB holds
/// some 8,000 typical events, so a busy thread writes a batch every few ms.
inline constexpr std::size_t kTraceBufferBytes = 64 * 1024;
/// Room one event may take: type, delta, four arguments, a pc list of up to
/// kTraceMaxStackDepth return addresses (Stack) as uvarints.
inline constexpr int kTraceMaxStackDepth = 32;
inline constexpr std::size_t kTraceMaxEventBytes =
    1 + 12 * trace::format::kMaxUvarintBytes + kTraceMaxStackDepth * trace::format::kMaxUvarintBytes;
/// Longest byte string (log message, name) one event carries; longer ones are
/// cut to this length (a quarter of a buffer, so it always fits in an empty one).
inline constexpr std::size_t kTraceMaxBytes = kTraceBufferBytes / 4;

/// Encodes one event at p: its type, the time delta, the format's fixed
/// arguments (args[i], 0 past nargs) and, for a type that carries one, the
/// byte string; returns the byte after it.  The one encoder of events (the
/// per-thread buffers and stop's Frame batch both use it).
/// Precondition: room for kTraceMaxEventBytes + bytes.size().
uint8_t* encode_event(uint8_t* p, trace::format::Ev ev, uint64_t delta_ns, const uint64_t* args, int nargs,
                      std::string_view bytes = {});

/// Batches written to the trace file since it was opened.
uint64_t trace_batches_written();

/// A thread's event buffer.
struct TraceThread {
  /// Odd while the owning thread may be appending (see the file comment).
  std::atomic<uint64_t> seq{0};
  /// The thread id the batches carry (an M id, or kFirstNonMThread + n).
  uint64_t thread_id = 0;
  /// Time of the first event in the buffer and of the last one (ns since the
  /// trace started); meaningful while `used` > 0.
  uint64_t base_ns = 0;
  uint64_t last_ns = 0;
  /// Bytes of events in `buf`.
  std::size_t used = 0;
  /// The trace generation the buffer's contents belong to: a record left over
  /// from an earlier trace is emptied before its first event in a new one.
  uint64_t generation = 0;
  /// False once the owning thread has exited.
  std::atomic<bool> alive{true};
  /// Next record in the registry.
  TraceThread* next = nullptr;
  alignas(64) uint8_t buf[kTraceBufferBytes];
};

/// Appends one event to the calling thread's buffer while tracing is on.
/// Construction enters the seqlock; ok() says whether tracing is on (if not,
/// nothing may be written); destruction leaves the seqlock.  Not reentrant.
class TraceWriter {
 public:
  TraceWriter();
  ~TraceWriter();
  TraceWriter(const TraceWriter&) = delete;
  TraceWriter& operator=(const TraceWriter&) = delete;

  bool ok() const { return ok_; }
  /// Appends ev (stamped now) with its fixed arguments.
  void event(trace::format::Ev ev, const uint64_t* args, int nargs);
  /// The same, stamped at `at` (ns since the trace started; raised to the
  /// thread's last stamp if earlier, so a batch's times never decrease).
  void event_at(uint64_t at, trace::format::Ev ev, const uint64_t* args, int nargs);
  /// Appends ev with its fixed arguments and a byte string (String, UserLog).
  void event_with_bytes(trace::format::Ev ev, const uint64_t* args, int nargs, std::string_view bytes);
  /// Appends a Stack definition.
  void stack(uint64_t id, void* const* pcs, int n);
  TraceThread* thread() const { return t_; }

 private:
  /// Makes room for `bytes` more, writing the buffer out as a batch first if needed.
  uint8_t* reserve(std::size_t bytes);
  /// Advances the thread's clock to `now` (never backwards) and returns the
  /// delta from its previous event.
  uint64_t advance_clock(uint64_t now);
  TraceThread* t_;
  bool ok_;
};

/// Opens a new trace generation on file descriptor fd (start's part, with the
/// world stopped and trace_enabled still false): later writers empty their
/// stale buffers first.  Time 0 of the trace is start_ns (nanotime).
void trace_buffers_open(int fd, int64_t start_ns);

/// Nanoseconds since the trace started.
uint64_t trace_now();

/// The trace time of nanotime() value ns (0 for a time before the trace began).
uint64_t trace_stamp_at(int64_t ns);

/// Stop's part: with trace_enabled already false, waits for every writer to
/// leave its buffer, writes every non-empty buffer as a batch and forgets the
/// records of exited threads.
void trace_buffers_drain();

/// Closes the trace file (stop's last step).
void trace_buffers_close();

/// Writes raw bytes to the trace file under its mutex (header, trailer).
void trace_file_write(const void* data, std::size_t n);

/// Writes a batch of thread_id from [data, data+n) with base time base_ns.
void trace_write_batch(uint64_t thread_id, uint64_t base_ns, const uint8_t* data, std::size_t n);

}  // namespace gort::runtime
