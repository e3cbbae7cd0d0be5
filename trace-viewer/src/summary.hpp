// summary.hpp — `trace-viewer summary`: every analysis as one Markdown report
// (readable as plain text too).  Go shows the same pages in `go tool trace`'s
// web UI: goroutine analysis, scheduler latency, the pprof-like profiles,
// GC and MMU.
#pragma once

#include "order.hpp"
#include "reader.hpp"
#include "timeline.hpp"

#include <ostream>
#include <string>

namespace gort::viewer {

struct SummaryOptions {
  std::string title;   // usually the file name
  size_t top = 10;     // rows per table / stacks per profile; 0: all
};

void write_summary(std::ostream& out, const Trace& trace, const Ordered& ordered, const Timeline& timeline,
                   const SummaryOptions& options);

}  // namespace gort::viewer
