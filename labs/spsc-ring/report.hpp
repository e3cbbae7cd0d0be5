// report.hpp — the lab's Markdown report and its plot.
//
// Sections: (1) the setup and where each ring's indices landed, (2) throughput
// per runtime, (3) the ratios the course predicts (withoutPad/ring, chan/ring,
// mutex/ring) against its expectations, (4) gort and Go side by side, (5) the
// plot.  Every table is printed by one function, for gort and the Go twin alike.
#pragma once

#include <lab/plot.hpp>

#include <optional>
#include <string>

#include "results.hpp"

namespace spsclab {

/// The Markdown report.  `svg_path` is where the plot went (empty: not
/// requested); `svg_error` says why it could not be drawn.
std::string markdown_report(const LabRun& run, const std::string& svg_path,
                            const std::optional<std::string>& svg_error);

/// ns/message of every timed run (log scale), one line per variant and
/// runtime (Go's dashed).
lab::Plot runs_plot(const LabRun& run);

}  // namespace spsclab
