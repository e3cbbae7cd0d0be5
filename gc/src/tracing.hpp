// tracing.hpp — how the collector emits execution-trace events (mgc.cpp,
// trace_events.cpp; gort/gc/trace_hooks.hpp).
// Part of the collector's internal interface, one header per source file (see
// gc/README.md); not installed.
#pragma once

#include <atomic>

#include <gort/gc/trace_hooks.hpp>
#include <gort/runtime/internal/trace_events.hpp>

namespace gort::gc::detail {

/// The hooks that write the runtime's execution trace (trace_events.cpp):
/// installed unless a program installs its own.
extern const TraceHooks runtime_tracer_hooks;
/// The installed hooks (null: none).
extern std::atomic<const TraceHooks*> installed_trace_hooks;
/// Calls hook member `which` with args when hooks are installed; with the
/// runtime tracer's hooks and no trace running, costs two loads and a branch.
template <class Member, class... Args>
inline void trace_event(Member which, Args... args) {
  const TraceHooks* h = installed_trace_hooks.load(std::memory_order_acquire);
  if (h == &runtime_tracer_hooks && !runtime::trace_on()) [[likely]] return;
  if (h != nullptr && h->*which != nullptr) (h->*which)(args...);
}

}  // namespace gort::gc::detail
