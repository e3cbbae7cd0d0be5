// gort/trace.hpp — the execution tracer (Go's runtime/trace package).
//
// start() begins recording what the scheduler and the collector do — every
// goroutine's creation, start, stop, block and unblock with the reason, Ps
// acquired and released, blocking calls, timers, stop-the-world pauses, GC
// cycles, mark assists, sweeps, the heap and its goal — into a file that
// `trace-viewer summary|export|html` reads (format: trace-viewer/FORMAT.md).
// The environment variable GORTTRACE=FILE traces a whole program run, from
// just before main's function starts until it returns.
//
// User annotations mirror runtime/trace: a Task groups work across goroutines
// (trace.NewTask), a Region times a span of one goroutine (trace.StartRegion),
// log() records a message (trace.Log).  They cost nothing but an id while no
// trace runs.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace gort::trace {

/// Starts tracing into a new file at path (truncated if it exists)
/// (runtime/trace.Start).  Throws std::system_error if the file cannot be
/// created and std::logic_error if tracing is already on or the caller is not a
/// goroutine.  Stops the world briefly to record every goroutine's state.
/// Precondition: called from a goroutine.
void start(const std::string& path);

/// Stops tracing and completes the file (runtime/trace.Stop): every thread's
/// buffered events, the names of the recorded code addresses and the
/// end-of-trace record are written before it returns.  Does nothing when no
/// trace runs.  Precondition: called from a goroutine.
void stop();

/// True between start() and stop().
bool is_enabled();

/// A logical operation that may span goroutines (runtime/trace.Task): its
/// begin and end, and the regions and logs naming it, show in the trace.
class Task {
 public:
  /// Begins a top-level task named name (trace.NewTask on a background context).
  explicit Task(std::string_view name);
  /// Begins a task named name inside parent.
  Task(const Task& parent, std::string_view name);
  /// Ends the task if end() was not called.
  ~Task();
  Task(Task&& other) noexcept : id_(other.id_), ended_(std::exchange(other.ended_, true)) {}
  Task& operator=(Task&&) = delete;
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;
  /// Ends the task (Task.End); later calls do nothing.
  void end();
  /// The task's id in the trace (never 0).
  uint64_t id() const { return id_; }

 private:
  uint64_t id_;
  bool ended_ = false;
};

/// A timed span of the calling goroutine (runtime/trace.StartRegion): begins
/// at construction and ends at end() or destruction, on the same goroutine.
/// Regions of one goroutine nest.
class Region {
 public:
  /// Begins a region named name outside any task.
  explicit Region(std::string_view name);
  /// Begins a region named name of task.
  Region(const Task& task, std::string_view name);
  ~Region();
  Region(const Region&) = delete;
  Region& operator=(const Region&) = delete;
  /// Ends the region (Region.End); later calls do nothing.
  void end();

 private:
  uint64_t task_;
  std::string name_;
  bool open_ = true;
};

/// Runs fn() inside a region named name (runtime/trace.WithRegion).
template <class F>
decltype(auto) with_region(std::string_view name, F&& fn) {
  Region r(name);
  return std::forward<F>(fn)();
}

/// Records message under category, outside any task (runtime/trace.Log).
void log(std::string_view category, std::string_view message);

/// Records message under category for task.
void log(const Task& task, std::string_view category, std::string_view message);

}  // namespace gort::trace
