// view_model.hpp — the JSON the web front-end (trace-viewer/web/) draws
// from: a compact, columnar description of the timeline.  The schema is the
// contract with the front-end (README.md, "View model"):
//
//   {"version": 1,
//    "meta": {"title", "duration_ns", "procs", "goroutines", "events", "threads", "gc_cycles"},
//    "strings": ["", ...],                        // *_str fields index into it
//    "procs": [{"id", "name", "slices": {"start", "dur", "g", "kind"}}],
//    "goroutines": [{"id", "name", "group_str", "slices": {"start", "dur", "state", "reason_str"}}],
//    "gc": {"start", "dur", "cycle"},
//    "stw": {"start", "dur", "reason_str"},
//    "counters": [{"name", "unit", "t", "v"}],    // HeapAlloc, HeapGoal, Goroutines, Runnable
//    "regions": {"g", "start", "dur", "name_str"},
//    "logs": {"t", "g", "category_str", "message_str"}}
//
// Times are integer ns since the trace started.  The arrays of one object have
// equal lengths and are sorted by start time.  P slice kinds and goroutine
// slice states are timeline.hpp's PKind and SliceState codes.  A goroutine's
// slices cover its life (creation or trace start .. end or trace end) without
// gaps or overlaps; empty slices are left out.
#pragma once

#include "order.hpp"
#include "reader.hpp"
#include "timeline.hpp"

#include <ostream>
#include <string>
#include <string_view>

namespace gort::viewer {

inline constexpr int kViewModelVersion = 1;

/// Writes the view model of timeline; extra_meta, when not empty, is more
/// members of "meta" as JSON text without braces (`"window":{...}`).
void write_view_model(std::ostream& out, const Trace& trace, const Timeline& timeline, const std::string& title,
                      std::string_view extra_meta = {});
/// The view model as a string (write_view_model).
std::string view_model_json(const Trace& trace, const Timeline& timeline, const std::string& title,
                            std::string_view extra_meta = {});

}  // namespace gort::viewer
