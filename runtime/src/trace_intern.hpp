// trace_intern.hpp — interned strings and stacks of the execution trace
// (trace_intern.cpp has the model).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "trace_buffer.hpp"

namespace gort::runtime {

/// Forgets every id of the previous trace.  Precondition: tracing is off.
void trace_intern_reset();

/// Returns the id of the stack pcs[0..n) (return addresses, innermost first;
/// at most kTraceMaxStackDepth are kept), defining it through w on first use;
/// 0 for an empty stack.
uint64_t trace_intern_stack(TraceWriter& w, void* const* pcs, int n);

/// Returns the id of the calling thread's current stack without its `skip`
/// innermost frames (callers(): no allocation).
uint64_t trace_current_stack(TraceWriter& w, int skip);

/// Returns the id of string s, defining it through w on first use; 0 for "".
uint64_t trace_intern_string(TraceWriter& w, std::string_view s);

/// Returns the id of string s, setting *is_new when this call assigned it
/// (the caller must then define it); 0 for "".
uint64_t trace_string_id(std::string_view s, bool* is_new);

/// Every pc of every stack interned in this trace (for the Frame records).
std::vector<uintptr_t> trace_stack_pcs();

}  // namespace gort::runtime
