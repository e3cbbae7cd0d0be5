// lab/gctrace.hpp — reading GODEBUG=gctrace=1 lines, Go's and gort's alike.
//
// Go 1.19 prints one line per cycle at the end of mark termination
// (gcMarkTermination in runtime/mgc.go):
//
//   gc 4 @0.046s 1%: 0.015+1.4+0.029 ms clock, 0.12+0.46/1.4/0.18+0.23 ms cpu,
//   10->12->9 MB, 11 MB goal, 0 MB stacks, 0 MB globals, 8 P
//
// with " (forced)" appended after runtime.GC.  The numbers are printed by
// itoaDiv (the start time: milliseconds with 3 decimals) and fmtNSAsMS (phase
// times: "0", two significant digits with at most 3 decimals, whole
// milliseconds from 10 ms up); byte counts are shifted right by 20 ("MB" is
// MiB).  The parser accepts exactly that shape and nothing else — a line from
// another Go version, a truncated line or a field in the wrong unit is
// rejected with the reason — so a gort line that parses has Go's format, and
// the same code reads both runtimes' logs for the report.
//
// Deliberately standard-library only (library gort_lab_gctrace): gc-forensics,
// layout-forensics and gc-forensics' test (against Go's real lines) link it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lab {

/// One gctrace line, field by field, in the units Go prints.
struct GctraceLine {
  /// "gc N": cycles completed so far, this one included.
  uint32_t cycle = 0;
  /// "@T s": when the cycle began, in seconds since the runtime started.
  double start_s = 0;
  /// "U%": percent of all available CPU time since start spent in GC (truncated).
  int cpu_percent = 0;
  /// "A+B+C ms clock": wall time of sweep termination (stop-the-world), the
  /// concurrent mark, and mark termination (stop-the-world), in ms.
  double clock_sweep_term_ms = 0, clock_mark_ms = 0, clock_mark_term_ms = 0;
  /// "D+E/F/G+H ms cpu": CPU time of sweep termination, mark assists,
  /// background mark workers, idle mark workers and mark termination, in ms.
  double cpu_sweep_term_ms = 0, cpu_assist_ms = 0, cpu_background_ms = 0, cpu_idle_ms = 0,
         cpu_mark_term_ms = 0;
  /// "h0->h1->h2 MB": live heap when the cycle started, when the mark ended,
  /// and the heap the mark found reachable, in MiB (rounded down).
  uint64_t heap_start_mb = 0, heap_end_mb = 0, heap_marked_mb = 0;
  /// "G MB goal": the heap goal of this cycle, in MiB.
  uint64_t goal_mb = 0;
  /// "S MB stacks", "X MB globals": stack and global memory the pacer counts as
  /// scan work, in MiB.
  uint64_t stacks_mb = 0, globals_mb = 0;
  /// "P P": GOMAXPROCS during the cycle.
  int procs = 0;
  /// " (forced)": the cycle was started by runtime.GC / gc::collect.
  bool forced = false;

  /// The cycle's stop-the-world time: both pauses of the clock triple, in ms.
  double pause_ms() const { return clock_sweep_term_ms + clock_mark_term_ms; }
};

/// Parses one line (without its newline).  Returns nullopt when the line is
/// not exactly Go 1.19's gctrace format; *why (when given) then says which
/// field did not match.
std::optional<GctraceLine> parse_gctrace_line(std::string_view line, std::string* why = nullptr);

/// A program's stderr split into its gctrace lines and everything else.
struct GctraceLog {
  /// The lines in Go's format, in order.
  std::vector<GctraceLine> cycles;
  /// Their text as printed, index for index with cycles.
  std::vector<std::string> cycle_text;
  /// Lines that begin like a gctrace line ("gc " and a digit) but do not
  /// parse, each followed by ": " and the reason.
  std::vector<std::string> rejected;
  /// All other lines (other runtime output, warnings).
  std::vector<std::string> other;
};

/// Splits text (a whole stderr capture) into lines and sorts them as above.
GctraceLog read_gctrace_log(std::string_view text);

}  // namespace lab
