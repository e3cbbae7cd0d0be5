// results.hpp — what one run of the lab measured, for the report and --json:
// per variant and runtime the load's throughput and latency, allocations per
// request and GC cycles, the allocation profile's top sites, and the two
// misuse catches.  The Go twin prints the same shape (go/main.go), so one
// from_json reads both runtimes.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pool_lab {

/// One line of `go tool pprof -top`: a function and its flat share.
struct ProfileSite {
  std::string function;
  /// Flat value in the sample index's unit (objects, or bytes).
  int64_t flat = 0;
  /// Flat share of the profile's total, in percent.
  double flat_percent = 0;
};

/// One variant under load on one runtime.
struct VariantResult {
  std::string variant;  // "baseline" | "pooled"
  std::string load;     // "wrk" | "in-process"
  int connections = 0;
  /// Requests the handler answered during the measured load, and non-200 answers or failed requests.
  int64_t requests = 0;
  int64_t errors = 0;
  double seconds = 0;
  double requests_per_second = 0;
  /// Latency percentiles in microseconds (the client's view: wrk's, or the in-process client's).
  double p50_us = 0, p90_us = 0, p99_us = 0, max_us = 0;
  /// Managed-heap allocations (MemStats.Mallocs delta) and bytes (TotalAlloc delta) per request.
  double allocs_per_op = 0;
  double bytes_per_op = 0;
  /// C++ heap allocations and bytes per request (operator new; gort only, -1 for Go).
  double cxx_allocs_per_op = -1;
  double cxx_bytes_per_op = -1;
  /// Collections that ran during the measured load.
  int64_t gc_cycles = 0;
  /// Requests of the profiled phase and the profile's top sites by alloc_objects and alloc_space.
  int64_t profile_requests = 0;
  std::vector<ProfileSite> top_objects;
  std::vector<ProfileSite> top_space;
  /// The heap profile written for this variant (gort-<variant>.pb.gz, go-<variant>.pb.gz).
  std::string profile_path;
  /// Why the profile could not be read ("" when it was).
  std::string profile_error;
  /// In-process load only: a sample of request latencies in µs, for the plot.
  std::vector<double> latency_sample_us;
};

/// One runtime's run: the variants in the order run.
struct RuntimeResult {
  std::string runtime;  // "gort" | "go"
  int procs = 0;
  std::vector<VariantResult> variants;
};

/// What a misuse child showed.
struct MisuseResult {
  std::string runtime = "gort";  // "gort" | "go"
  std::string mode;              // "assert" | "race"
  /// The child ran (false: not run in this build, see how_to_run).
  bool ran = false;
  int exit_code = 0;
  /// Children run: 1, or up to kRaceAttempts for Go's race detector, which
  /// misses some runs (the report says how many it took).
  int attempts = 0;
  /// The detector fired: the assertion's exit code, or ThreadSanitizer's report.
  bool caught = false;
  /// The detector's message (the assertion's line, or the first lines of TSAN's report).
  std::string message;
  /// Body sizes of the first and the last response the child's client saw.
  int64_t first_response_bytes = 0;
  int64_t last_response_bytes = 0;
  /// Which build shows the catch and the command that runs it.
  std::string how_to_run;
};

/// The whole run.
struct LabRun {
  std::string command, machine, load_before;
  RuntimeResult gort;
  std::optional<RuntimeResult> go;
  std::string go_error;
  std::vector<MisuseResult> misuse;
  /// This binary is a ThreadSanitizer build (the race misuse must be caught).
  bool tsan_build = false;
  /// Where the profiles were written ("" when they were removed after reading).
  std::string profile_dir;
};

void to_json(nlohmann::json& j, const ProfileSite& s);
void from_json(const nlohmann::json& j, ProfileSite& s);
void to_json(nlohmann::json& j, const VariantResult& v);
void from_json(const nlohmann::json& j, VariantResult& v);
void to_json(nlohmann::json& j, const RuntimeResult& r);
void from_json(const nlohmann::json& j, RuntimeResult& r);
void to_json(nlohmann::json& j, const MisuseResult& m);
void to_json(nlohmann::json& j, const LabRun& r);

}  // namespace pool_lab
