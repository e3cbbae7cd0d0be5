// lab/report.hpp — what every lab's Markdown report is made of: distributions
// summarised the way the course tabulates them, tables, and Go-style units.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lab {

/// A distribution summarised as the course's latency tables show it.
struct Distribution {
  /// Number of samples summarised.
  std::size_t count = 0;
  double min = 0, p50 = 0, p90 = 0, p99 = 0, max = 0, mean = 0;
};

/// Summarises samples with nearest-rank percentiles (the p-th percentile is the
/// smallest sample with at least p% of the samples at or below it).
/// Precondition: none; an empty input gives count 0 and zeros.
Distribution summarize(std::vector<double> samples);

/// The value below which fraction q (0..1] of the sorted samples lie, by
/// nearest rank.  Precondition: sorted is sorted ascending and not empty.
double nearest_rank(const std::vector<double>& sorted, double q);

/// A Markdown table: a header row, then rows of the same width.
class MarkdownTable {
 public:
  /// Starts a table with these column titles; a title ending in ':' right-aligns
  /// its column (the ':' is not printed).
  explicit MarkdownTable(std::vector<std::string> titles);

  /// Appends a row.  Precondition: one cell per column.
  void add_row(std::vector<std::string> cells);

  /// The table as GitHub-flavoured Markdown, one line per row, ending in '\n'.
  std::string str() const;

 private:
  /// Column titles as printed.
  std::vector<std::string> titles_;
  /// Per column: right-aligned (numbers) or left-aligned (names).
  std::vector<bool> right_;
  /// Body rows, each titles_.size() cells.
  std::vector<std::vector<std::string>> rows_;
};

/// A duration in nanoseconds as Go's time.Duration.String prints it, rounded to
/// 3 significant digits ("10.2ms", "1.5s", "850µs", "42ns").
std::string format_duration_ns(double ns);

/// A byte count with a binary unit to 3 significant digits ("512 B", "1.50 KiB",
/// "24.0 MiB").
std::string format_bytes(double bytes);

/// A number with 3 significant digits and no unit ("0.123", "45.6", "12345").
std::string format_sig3(double v);

/// Writes a lab's `--json` document (already serialised) to path, followed by a
/// newline; on failure prints "<lab>: cannot write --json file <path>: <reason>"
/// on stderr and returns false (the lab then exits 1).  Precondition: none.
bool write_json_file(std::string_view lab, const std::string& path, const std::string& json_text);

/// The 1-, 5- and 15-minute load averages from /proc/loadavg ("0.05 0.10 0.08"),
/// or "unknown": how busy the machine was when a lab's timings were taken.
std::string load_average();

/// A short description of this machine for reports: CPU model, CPU count,
/// kernel release (from /proc/cpuinfo and uname).
std::string machine_description();

}  // namespace lab
