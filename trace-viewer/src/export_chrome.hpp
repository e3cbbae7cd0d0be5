// export_chrome.hpp — `trace-viewer export`: the trace as Chrome trace-event
// JSON (the "JSON Object Format": {"traceEvents": [...], "displayTimeUnit"}),
// which Perfetto (ui.perfetto.dev) and chrome://tracing open.
//
// Mirrors what Go's src/cmd/trace/jsontrace.go hands to its trace viewer:
//   process "Procs"       one thread per P: a complete ("X") event per
//                         goroutine execution slice ("G12 group"), per mark
//                         worker slice and per blocking call that kept the P
//   process "Goroutines"  one thread per goroutine: its running / runnable /
//                         blocked (reason in args) / syscall / GC assist
//                         slices, back to back (blocked and syscall slices
//                         carry their stack without runtime frames); user
//                         log messages as instant
//                         events; counters Goroutines and Runnable
//   process "GC"          thread "GC cycles" and thread "Stop-the-world";
//                         counters HeapAlloc and HeapGoal
//   process "User regions" one thread per goroutine with regions (nested)
//   process "User tasks"  one thread per task
// Metadata events name every process and thread and give sort indexes.
// Timestamps are µs (floating point) since the trace started.  Slices on one
// thread never overlap unless nested; empty slices are left out.
#pragma once

#include "reader.hpp"
#include "timeline.hpp"

#include <ostream>

namespace gort::viewer {

/// Process ids used in the export.
enum ChromePid : int { kPidProcs = 1, kPidGoroutines = 2, kPidGC = 3, kPidRegions = 4, kPidTasks = 5 };

void write_chrome_json(std::ostream& out, const Trace& trace, const Timeline& timeline);

}  // namespace gort::viewer
