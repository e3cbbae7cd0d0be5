// explain.hpp — the worked example's "decode every field", done by the lab on a
// line from its own run: each field of one gctrace line, what it means, and
// what the numbers say (pause total, how far the heap grew during the mark,
// what the next goal is under this GOGC).
#pragma once

#include <optional>
#include <string>

#include <lab/gctrace.hpp>

namespace gclab {

using lab::GctraceLine;
using lab::GctraceLog;

/// A Markdown bullet list decoding `line` (whose printed text is `text`) from
/// a run under GOGC = gogc (nullopt: off) on `runtime` ("gort" or "go"); the
/// fields where gort counts something other than Go say so.
std::string explain_gctrace_line(const GctraceLine& line, const std::string& text, std::optional<int> gogc,
                                 const std::string& runtime);

/// The cycle of a log worth explaining: the middle one of the cycles that were
/// not forced (the first cycles of a run are still ramping up).  Index into
/// log.cycles; nullopt when there is none.
std::optional<std::size_t> line_to_explain(const GctraceLog& log);

}  // namespace gclab
