// gort/runtime/internal/trace_events.hpp — how the layers above the runtime (the
// collector, the channels) write execution-trace events: the tracer lives in
// the runtime, and gc/ and chan/ report their events through these two calls.
#pragma once

#include <atomic>
#include <cstdint>

#include <gort/runtime/internal/stw_reason.hpp>
#include <gort/trace_format.hpp>

namespace gort::runtime {

/// True while a trace is being written (gort::trace::start .. stop).  Alone on
/// its cache line: every traced call site reads it.
extern std::atomic<bool> trace_enabled;

/// Returns whether events are being traced; one relaxed load.
inline bool trace_on() { return trace_enabled.load(std::memory_order_relaxed); }

/// Appends event ev with its fixed arguments (as many as the format's EvSpec
/// lists; the rest are ignored) to the calling thread's batch, stamped now.
/// Does nothing if tracing stopped meanwhile.  Lock-free for the caller unless
/// the batch is full (then it is written to the file under the file's mutex);
/// never parks or yields, so it may be called with runtime locks held.
/// Precondition: ev has no byte string or pc list (see the user annotations).
void trace_event(trace::format::Ev ev, uint64_t a0 = 0, uint64_t a1 = 0, uint64_t a2 = 0, uint64_t a3 = 0);

}  // namespace gort::runtime
