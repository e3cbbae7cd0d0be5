// window.hpp — a timeline reduced for one view of it: what `trace-viewer
// serve` sends the page for a time window, so that a response is bounded by
// the pixels that show it, not by the events of the trace (serve.cpp has the
// model).  The result is an ordinary Timeline, written by the same
// write_view_model as the whole-trace page.
//
// What is kept.  By default only what overlaps the window [from, to) (found
// by binary search: a lane's slices are sorted and do not overlap, so their
// ends are sorted too), plus each counter's sample in force at `from`.  With
// rest_px > 0 the rest of the trace is kept too, coarse, so that the page can
// still draw it while the user pans.
//
// The grid.  Time is cut into columns: inside the window there are `px`
// columns of (to − from) / px ns, one per pixel of the page's lanes; outside
// it (before `from`, after `to`) columns are duration / rest_px wide.  Column
// ids grow with time.
//
// Reduction, per lane (a P, a goroutine, the STW band): a slice
// at least as long as the column it starts in is kept as it is; consecutive
// shorter ones that start in the same column are merged into one slice from
// the first one's start to the last one's end, which takes the state that
// covers most of it (goroutines) or the kind and goroutine of the longest one
// (Ps, STW) — the rule the page uses when it draws a column.  Merging
// keeps a lane sorted and without overlaps, and a goroutine's slices still
// cover its life without gaps.  A lane then holds at most two slices per
// column, whatever the number of events.  Counters keep, per column, their
// highest sample and their last one; user regions shorter than their column
// are dropped, and at most one log entry per goroutine and column is kept.
// GC cycles, which last milliseconds each, are all kept, in or out of the
// window (meta.gc_cycles counts them).  Every merge and
// drop is counted.
#pragma once

#include "timeline.hpp"

#include <cstdint>

namespace gort::viewer {

/// The view a reduction is for: [from, to) in ns since the trace started, px
/// columns inside it; rest_px columns over the whole trace for what lies
/// outside it, or 0 to leave that out.
struct Window {
  int64_t from = 0, to = 0;
  int64_t px = 1;
  int64_t rest_px = 0;
};

/// What a reduction merged or left out.
struct WindowStats {
  uint64_t slices_in = 0, slices_out = 0;  // P, goroutine and STW slices before and after
  uint64_t regions_dropped = 0, logs_dropped = 0, samples_dropped = 0;
};

/// tl reduced for window w (see the file comment); w must have from < to, px ≥ 1 and rest_px ≥ 0.
Timeline reduce_timeline(const Timeline& tl, const Window& w, WindowStats* stats);

}  // namespace gort::viewer
