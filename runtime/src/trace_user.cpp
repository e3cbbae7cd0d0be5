// trace_user.cpp — user annotations of the execution trace: tasks, regions and
// logs (mirrors golang/go src/runtime/trace/annotation.go and the runtime's
// trace_userTaskCreate, trace_userRegion, trace_userLog).
//
// Task ids come from one counter whether or not a trace runs, so a task begun
// before start() and ended after it keeps one id; its events are written only
// while tracing.  Names and categories are interned strings; a log's message
// travels in the event itself (cut at kTraceMaxBytes).
#include <gort/trace.hpp>

#include <atomic>

#include "trace_runtime.hpp"
#include "trace_buffer.hpp"
#include "trace_intern.hpp"

namespace gort::trace {

using runtime::Ev;
using runtime::TraceWriter;

namespace {

std::atomic<uint64_t> next_task_id{1};

uint64_t begin_task(uint64_t parent, std::string_view name) {
  const uint64_t id = next_task_id.fetch_add(1, std::memory_order_relaxed);
  if (!runtime::trace_on()) return id;
  TraceWriter w;
  if (!w.ok()) return id;
  const uint64_t a[3] = {id, parent, runtime::trace_intern_string(w, name)};
  w.event(Ev::UserTaskBegin, a, 3);
  return id;
}

/// Writes a region event (begin or end) of task for name.
void region_event(Ev ev, uint64_t task, std::string_view name) {
  if (!runtime::trace_on()) return;
  TraceWriter w;
  if (!w.ok()) return;
  const uint64_t a[2] = {task, runtime::trace_intern_string(w, name)};
  w.event(ev, a, 2);
}

void log_event(uint64_t task, std::string_view category, std::string_view message) {
  if (!runtime::trace_on()) return;
  TraceWriter w;
  if (!w.ok()) return;
  const uint64_t a[2] = {task, runtime::trace_intern_string(w, category)};
  w.event_with_bytes(Ev::UserLog, a, 2, message);
}

}  // namespace

Task::Task(std::string_view name) : id_(begin_task(0, name)) {}
Task::Task(const Task& parent, std::string_view name) : id_(begin_task(parent.id_, name)) {}
Task::~Task() { end(); }

void Task::end() {
  if (ended_) return;
  ended_ = true;
  runtime::trace_simple(Ev::UserTaskEnd, id_);
}

Region::Region(std::string_view name) : task_(0), name_(name) { region_event(Ev::UserRegionBegin, task_, name_); }
Region::Region(const Task& task, std::string_view name) : task_(task.id()), name_(name) {
  region_event(Ev::UserRegionBegin, task_, name_);
}
Region::~Region() { end(); }

void Region::end() {
  if (!open_) return;
  open_ = false;
  region_event(Ev::UserRegionEnd, task_, name_);
}

void log(std::string_view category, std::string_view message) { log_event(0, category, message); }
void log(const Task& task, std::string_view category, std::string_view message) {
  log_event(task.id(), category, message);
}

}  // namespace gort::trace
