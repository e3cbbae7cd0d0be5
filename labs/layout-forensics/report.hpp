// report.hpp — the lab's Markdown report and its plot.
//
// Sections: (1) each struct laid out by the calculator, field by field, in
// declaration order and reordered; (2) the calculator against sizeof/alignof/
// offsetof and Go's unsafe.Sizeof/Alignof/Offsetof; (3) each reorder's delta;
// (4) the 1M-element arrays on the managed heap; (5) false sharing; (6) gort
// and Go side by side; (7) the build-time guard; (8) the plot.  Every table is
// printed by one function, for gort and the Go twin alike.
#pragma once

#include <lab/plot.hpp>

#include <optional>
#include <string>

#include "results.hpp"

namespace layoutlab {

/// The Markdown report.  `svg_path` is where the plot went (empty: not
/// requested); `svg_error` says why it could not be drawn.
std::string markdown_report(const LabRun& run, const std::string& svg_path,
                            const std::optional<std::string>& svg_error);

/// ns/increment of every false-sharing run, one line per variant and runtime
/// (Go's dashed); no series when the part did not run.
lab::Plot sharing_plot(const LabRun& run);

/// True when every runtime's measured layouts agree with the calculator
/// (sizes, alignments, every field's offset).
bool layouts_agree(const LabRun& run);

}  // namespace layoutlab
