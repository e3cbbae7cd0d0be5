// report.hpp — escape-clinic's Markdown report: predictions against the
// counts, before against after, gort next to Go, and each snippet's code.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "results.hpp"

namespace escape {

/// What the report says besides the measurements.
struct ReportContext {
  /// The command line as run.
  std::string command;
  /// lab::machine_description().
  std::string machine;
  /// Why the Go side is missing when --go was given and it could not run
  /// (empty: it ran, or was not asked for).
  std::string go_note;
  /// The Go compiler's escape decisions per snippet letter (empty map: not run).
  std::map<std::string, std::vector<std::string>> go_decisions;
};

/// The predictions the gort measurements contradict, one line each
/// ("C before: predicted C++ heap, 1/op; measured stack, 0/op").
std::vector<std::string> contradicted_predictions(const RuntimeResults& gort);

/// The whole report.  go is the Go twin's results when it ran.
std::string markdown_report(const ReportContext& ctx, const RuntimeResults& gort,
                            const std::optional<RuntimeResults>& go);

}  // namespace escape
