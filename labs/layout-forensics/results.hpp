// results.hpp — what the lab measures, in one shape for gort and for Go.
//
// The C++ lab fills RuntimeResults on gort; the Go twin (go/main.go) prints
// the same fields as JSON, which from_json reads back, so the report and the
// --json file treat both runtimes alike.  One array run is one child process
// (this program's hidden --child-array mode, or the twin's -mode=array) under
// GODEBUG=gctrace=1: its JSON (ArrayChild) on stdout, its gctrace lines on
// stderr, put together by read_array_run.
#pragma once

#include <gort/support/process.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace layoutlab {

/// A field's offset as one runtime laid it out.
struct FieldOffset {
  std::string name;
  std::uint64_t offset = 0;
};

/// A struct as one runtime laid it out (sizeof/alignof/offsetof, or
/// unsafe.Sizeof/Alignof/Offsetof), fields in declaration order.
struct StructLayout {
  std::string name;
  std::uint64_t size = 0;
  std::uint64_t align = 0;
  std::vector<FieldOffset> fields;
};

/// A bad struct and its packed version on one runtime.
struct LayoutPair {
  StructLayout bad;
  StructLayout packed;
};

/// What one array child prints on stdout.
struct ArrayChild {
  /// The struct ("Sandwich", ...), or "none" for the empty-heap baseline.
  std::string name;
  /// "bad", "packed" or "none".
  std::string layout;
  std::uint64_t elements = 0;
  /// sizeof / unsafe.Sizeof of one element (0 for the baseline).
  std::uint64_t element_bytes = 0;
  /// The element type holds pointers the collector follows.
  bool scannable = false;
  /// Wall time of make([]T, n) / gc::make_slice<T>(n), and of writing every element once.
  std::int64_t make_ns = 0;
  std::int64_t fill_ns = 0;
  /// MemStats.HeapAlloc after a forced cycle before the array, and after the fill.
  std::uint64_t heap_alloc_before = 0;
  std::uint64_t heap_alloc_after = 0;
  /// MemStats.NumGC after the settling cycle (before make): cycles from here
  /// to num_gc_before ran while the array was made and filled.
  std::uint32_t num_gc_start = 0;
  /// MemStats.NumGC just before and just after the measured forced cycles.
  std::uint32_t num_gc_before = 0;
  std::uint32_t num_gc_after = 0;
  /// MemStats.PauseNs of each measured cycle (both stop-the-world phases).
  std::vector<std::uint64_t> pause_ns;
  /// Minor page faults of the process during make and fill (getrusage): 4 KiB
  /// pages touched for the first time, or 2 MiB ones where the heap got huge pages.
  std::uint64_t page_faults = 0;
};

/// One array child with its measured cycles' gctrace lines.
struct ArrayRun {
  ArrayChild child;
  /// The gctrace lines of cycles num_gc_before+1 .. num_gc_after, as printed.
  std::vector<std::string> gctrace;
  /// Per measured cycle: the concurrent mark's wall time and the mark's CPU
  /// time (assist + background + idle), in ms, from those lines.
  std::vector<double> mark_clock_ms;
  std::vector<double> mark_cpu_ms;
  /// gctrace lines that began like one but did not parse (should be none).
  std::vector<std::string> rejected;
  /// The gctrace lines of cycles that ran during make and fill (started by
  /// the allocation), and the longest stop-the-world pause among them in ms
  /// (sweep termination + mark termination, from the clock triple).
  std::vector<std::string> alloc_gctrace;
  double alloc_pause_ms = 0;
};

/// One false-sharing variant's runs.
struct SharingVariant {
  /// "adjacent" (the counters side by side) or "padded" (a pad between them).
  std::string name;
  /// Bytes from the first counter's address to the second's, as measured.
  std::int64_t distance_bytes = 0;
  /// Both counters on one 64-byte line.
  bool same_line = false;
  /// Wall time of each timed run (both goroutines' increments).
  std::vector<std::int64_t> run_ns;
  /// Per run: the two goroutines' thread CPU time added (each measured around
  /// its own loop).  Over run_ns it says how much of the run both ran at
  /// once (2.0: always; 1.0: one at a time); over 2 × increments it is the
  /// CPU cost of one increment while running, which other load does not inflate.
  std::vector<std::int64_t> cpu_ns;
};

/// The false-sharing experiment on one runtime.
struct SharingResults {
  /// Ps during the runs (GOMAXPROCS).
  int gomaxprocs = 0;
  /// Increments per goroutine per run.
  std::uint64_t increments = 0;
  /// Bytes of padding between the padded variant's counters.
  std::uint64_t pad_bytes = 0;
  std::vector<SharingVariant> variants;
};

/// Everything measured on one runtime.
struct RuntimeResults {
  /// "gort" or "go".
  std::string runtime;
  /// "gort" or Go's runtime.Version().
  std::string version;
  std::vector<LayoutPair> layouts;
  std::vector<ArrayRun> arrays;
  std::optional<SharingResults> sharing;
};

/// Everything one invocation of the lab produced: the --json file's shape.
struct LabRun {
  /// The command as typed, for the report.
  std::string command;
  /// lab::machine_description() of the machine that ran it.
  std::string machine;
  /// /proc/loadavg's first three fields before the runs.
  std::string load_before;
  /// The structs the run covered, in report order.
  std::vector<std::string> structs;
  RuntimeResults gort;
  /// The Go twin's results (--go), or empty.
  std::optional<RuntimeResults> go;
  /// Why the Go twin's results are missing although --go was given.
  std::string go_error;
};

/// Reads a finished array child (exit status, JSON on stdout, gctrace on
/// stderr; `who` names it in errors).  Returns nullopt with *why set when it
/// failed or printed something unreadable.
std::optional<ArrayRun> read_array_run(const gort::ProcessResult& p, const std::string& who, std::string* why);

/// The median of values (nearest rank; 0 when empty).
double median(std::vector<double> values);

/// Median wall time per increment of a sharing variant (run time / increments).
double median_ns_per_increment(const SharingVariant& v, std::uint64_t increments);

/// Median thread CPU time per increment of a sharing variant (cpu / 2 × increments).
double median_cpu_ns_per_increment(const SharingVariant& v, std::uint64_t increments);

/// Median over the runs of (both goroutines' CPU time / wall time): 2.0 when
/// they always ran at once.
double median_parallelism(const SharingVariant& v);

/// The variant called `name`, or null.
const SharingVariant* find_sharing_variant(const SharingResults& s, const std::string& name);

/// The array run of struct `name` in `layout`, or null.
const ArrayRun* find_array(const RuntimeResults& r, const std::string& name, const std::string& layout);

// JSON conversions (nlohmann's ADL hooks): one field per member under the
// member's name; absent optionals are null.
void to_json(nlohmann::json& j, const FieldOffset& v);
void from_json(const nlohmann::json& j, FieldOffset& v);
void to_json(nlohmann::json& j, const StructLayout& v);
void from_json(const nlohmann::json& j, StructLayout& v);
void to_json(nlohmann::json& j, const LayoutPair& v);
void from_json(const nlohmann::json& j, LayoutPair& v);
void to_json(nlohmann::json& j, const ArrayChild& v);
void from_json(const nlohmann::json& j, ArrayChild& v);
void to_json(nlohmann::json& j, const ArrayRun& v);
void from_json(const nlohmann::json& j, ArrayRun& v);
void to_json(nlohmann::json& j, const SharingVariant& v);
void from_json(const nlohmann::json& j, SharingVariant& v);
void to_json(nlohmann::json& j, const SharingResults& v);
void from_json(const nlohmann::json& j, SharingResults& v);
void to_json(nlohmann::json& j, const RuntimeResults& v);
void from_json(const nlohmann::json& j, RuntimeResults& v);
void to_json(nlohmann::json& j, const LabRun& v);

}  // namespace layoutlab
