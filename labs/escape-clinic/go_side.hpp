// go_side.hpp — the Go half of the side-by-side: the twin's measurements
// (go/, run with -json through lab::run_go_twin) and the Go compiler's own
// escape decisions for each snippet (`go build -gcflags=-m` on the twin).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "options.hpp"
#include "results.hpp"

namespace escape {

/// Runs the Go twin with the same snippets, -benchtime and -count, once per
/// snippet with progress on stderr.  Returns nullopt with *why set when it
/// cannot be built or run, or prints no JSON.
std::optional<RuntimeResults> run_go_benchmarks(const Options& o, std::string* why);

/// The compiler's escape decisions, per snippet letter: the -m lines of that
/// snippet's file (go/a.go for A ...), "file:line:col: message", inlining
/// notes left out.  Returns nullopt with *why set when go cannot build the twin.
std::optional<std::map<std::string, std::vector<std::string>>> go_escape_decisions(std::string* why);

}  // namespace escape
