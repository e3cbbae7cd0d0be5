// gctrace.cpp — the gctrace line parser (see lab/gctrace.hpp for the format).
#include <lab/gctrace.hpp>

#include <charconv>

namespace lab {

namespace {

/// Reads a line left to right, field by field; the first mismatch stops it and
/// records what was expected where.
class LineReader {
 public:
  explicit LineReader(std::string_view line) : line_(line) {}

  /// Consumes `text` exactly, or fails naming it.
  bool literal(std::string_view text) {
    if (!ok()) return false;
    if (line_.substr(pos_, text.size()) != text) return fail("\"" + std::string(text) + "\"");
    pos_ += text.size();
    return true;
  }

  /// Reads an unsigned decimal integer (no sign, at least one digit).
  bool integer(uint64_t* out, std::string_view what) {
    if (!ok()) return false;
    const std::size_t start = pos_;
    while (pos_ < line_.size() && is_digit(line_[pos_])) ++pos_;
    if (pos_ == start) return fail(std::string(what));
    auto [ptr, ec] = std::from_chars(line_.data() + start, line_.data() + pos_, *out);
    if (ec != std::errc()) return fail(std::string(what) + " in range");
    return true;
  }

  /// Reads a number as Go's itoaDiv(…, 3) prints it: digits, '.', exactly 3 digits.
  bool seconds_with_millis(double* out, std::string_view what) {
    return decimal(out, what, 3, 3);
  }

  /// Reads a time as Go's fmtNSAsMS prints it: digits and at most 3 decimals.
  bool millis(double* out, std::string_view what) { return decimal(out, what, 0, 3); }

  /// True when every character was consumed.
  bool at_end() {
    if (!ok()) return false;
    if (pos_ != line_.size()) return fail("end of line");
    return true;
  }

  /// True while nothing failed.
  bool ok() const { return error_.empty(); }

  /// True when the next characters are `text` (nothing consumed).
  bool next_is(std::string_view text) const { return ok() && line_.substr(pos_, text.size()) == text; }

  /// What failed, with the column: "expected \"ms clock\" at column 30".
  const std::string& error() const { return error_; }

 private:
  /// True for an ASCII decimal digit (Go prints no other).
  static bool is_digit(char c) { return c >= '0' && c <= '9'; }

  /// Reads digits, then optionally '.' and between min_frac and max_frac digits
  /// (min_frac > 0: the fraction is required).
  bool decimal(double* out, std::string_view what, int min_frac, int max_frac) {
    if (!ok()) return false;
    const std::size_t start = pos_;
    while (pos_ < line_.size() && is_digit(line_[pos_])) ++pos_;
    if (pos_ == start) return fail(std::string(what));
    int frac = 0;
    if (pos_ < line_.size() && line_[pos_] == '.') {
      ++pos_;
      while (pos_ < line_.size() && is_digit(line_[pos_])) {
        ++pos_;
        ++frac;
      }
      if (frac == 0) return fail(std::string(what) + " (digits after '.')");
    }
    if (frac < min_frac || frac > max_frac) {
      return fail(std::string(what) + " with " + (min_frac == max_frac ? std::to_string(min_frac)
                                                                          : "at most " + std::to_string(max_frac)) +
                  " decimals");
    }
    auto [ptr, ec] = std::from_chars(line_.data() + start, line_.data() + pos_, *out);
    if (ec != std::errc()) return fail(std::string(what));
    return true;
  }

  /// Records the first mismatch (what was expected, and where); returns false.
  bool fail(const std::string& expected) {
    if (error_.empty()) error_ = "expected " + expected + " at column " + std::to_string(pos_ + 1);
    return false;
  }

  /// The line being read.
  std::string_view line_;
  /// Next character to read.
  std::size_t pos_ = 0;
  /// The first mismatch, empty while none.
  std::string error_;
};

/// Largest cycle number and P count accepted: Go's numgc is a uint32 and
/// GOMAXPROCS is capped at 1024 (_MaxGomaxprocs); beyond that a number is garbage.
constexpr uint64_t kMaxCycle = UINT32_MAX;
constexpr uint64_t kMaxProcs = 1024;

}  // namespace

std::optional<GctraceLine> parse_gctrace_line(std::string_view line, std::string* why) {
  GctraceLine g;
  LineReader r(line);
  uint64_t cycle = 0, percent = 0, procs = 0;
  r.literal("gc ");
  r.integer(&cycle, "cycle number");
  r.literal(" @");
  r.seconds_with_millis(&g.start_s, "start time in seconds");
  r.literal("s ");
  r.integer(&percent, "GC CPU percent");
  r.literal("%: ");
  r.millis(&g.clock_sweep_term_ms, "sweep termination clock time");
  r.literal("+");
  r.millis(&g.clock_mark_ms, "mark clock time");
  r.literal("+");
  r.millis(&g.clock_mark_term_ms, "mark termination clock time");
  r.literal(" ms clock, ");
  r.millis(&g.cpu_sweep_term_ms, "sweep termination CPU time");
  r.literal("+");
  r.millis(&g.cpu_assist_ms, "assist CPU time");
  r.literal("/");
  r.millis(&g.cpu_background_ms, "background mark CPU time");
  r.literal("/");
  r.millis(&g.cpu_idle_ms, "idle mark CPU time");
  r.literal("+");
  r.millis(&g.cpu_mark_term_ms, "mark termination CPU time");
  r.literal(" ms cpu, ");
  r.integer(&g.heap_start_mb, "heap at start (MB)");
  r.literal("->");
  r.integer(&g.heap_end_mb, "heap at mark end (MB)");
  r.literal("->");
  r.integer(&g.heap_marked_mb, "marked heap (MB)");
  r.literal(" MB, ");
  r.integer(&g.goal_mb, "heap goal (MB)");
  r.literal(" MB goal, ");
  r.integer(&g.stacks_mb, "stacks (MB)");
  r.literal(" MB stacks, ");
  r.integer(&g.globals_mb, "globals (MB)");
  r.literal(" MB globals, ");
  r.integer(&procs, "P count");
  r.literal(" P");
  if (r.next_is(" (forced)")) {
    r.literal(" (forced)");
    g.forced = true;
  }
  r.at_end();
  if (r.ok() && (cycle == 0 || cycle > kMaxCycle)) {
    if (why != nullptr) *why = "cycle number " + std::to_string(cycle) + " out of range (Go counts from 1)";
    return std::nullopt;
  }
  if (r.ok() && (procs == 0 || procs > kMaxProcs)) {
    if (why != nullptr) *why = "P count " + std::to_string(procs) + " out of range 1..1024";
    return std::nullopt;
  }
  if (r.ok() && percent > 100) {
    if (why != nullptr) *why = "GC CPU percent " + std::to_string(percent) + " above 100";
    return std::nullopt;
  }
  if (!r.ok()) {
    if (why != nullptr) *why = r.error();
    return std::nullopt;
  }
  g.cycle = static_cast<uint32_t>(cycle);
  g.cpu_percent = static_cast<int>(percent);
  g.procs = static_cast<int>(procs);
  return g;
}

GctraceLog read_gctrace_log(std::string_view text) {
  GctraceLog log;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    std::string why;
    if (auto g = parse_gctrace_line(line, &why)) {
      log.cycles.push_back(*g);
      log.cycle_text.emplace_back(line);
    } else if (line.size() > 3 && line.substr(0, 3) == "gc " && line[3] >= '0' && line[3] <= '9') {
      log.rejected.push_back(std::string(line) + ": " + why);
    } else {
      log.other.emplace_back(line);
    }
  }
  return log;
}

}  // namespace lab
