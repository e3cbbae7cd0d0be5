// params.hpp — what one run of the experiment is: the workload (the course's
// allocation service, or the worked example's retained buffers) and the GC
// settings it runs under (GOGC, GOMEMLIMIT).
//
// Go reads GOGC, GOMEMLIMIT and GODEBUG once, at start (readGOGC,
// readGOMEMLIMIT, parsedebugvars), and so does gort (pacer.cpp, env.cpp).  So
// each GC setting is a separate process: the lab starts itself (a hidden
// --child mode) or the Go twin with the setting in its environment, exactly as
// the course runs `GOGC=50 GODEBUG=gctrace=1 go run allocator.go`.  The
// workload travels as flags, rendered by one function for both programs.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gclab {

/// Which experiment a run performs.
enum class Workload {
  /// The course's step 1: a service allocating short-lived objects at --rate.
  Service,
  /// The worked example: --buffers 1 KiB buffers kept in one slice.
  Retain,
};

/// The workload's name in flags, JSON and reports ("service", "retain").
const char* workload_name(Workload w);

/// Parses a workload name; nullopt when it is neither.
std::optional<Workload> parse_workload(std::string_view name);

/// The worked example's pause: time.Sleep(10 * time.Millisecond) every --pause-every buffers.
inline constexpr std::chrono::milliseconds kRetainPause{10};

/// How often the heap sampler reads the memory statistics: 10 ms gives 100
/// points a second for the plot, and far fewer cycles than the 256 PauseNs
/// slots can complete between two reads even at GOGC=50 (so no pause is lost).
inline constexpr std::chrono::milliseconds kSampleInterval{10};

/// The workload's size and shape (flags of the lab, of its child, of the Go twin).
struct WorkloadParams {
  /// Which experiment (--scenario).
  Workload workload = Workload::Service;
  /// Service: bytes allocated per second by all workers together.
  double rate_bytes_per_s = 100e6;
  /// Service: how long the paced allocation runs.
  std::chrono::nanoseconds duration = std::chrono::seconds(10);
  /// Service: goroutines serving requests, the rate split evenly among them.
  int workers = 4;
  /// Service: bytes kept live in the workers' caches (the steady live heap).
  int64_t live_bytes = int64_t{32} << 20;
  /// Retain: buffers of 1 KiB allocated and kept (the worked example: 1,000,000).
  int64_t buffers = 1'000'000;
  /// Retain: a 10 ms sleep after every this many buffers (the example: 50,000).
  int64_t pause_every = 50'000;
  /// Service: when positive, serve exactly this many requests (split among
  /// the workers, still paced at rate) instead of running for duration: a
  /// fixed operation count makes allocs/op comparable (course step 4).
  int64_t requests = 0;
  /// Service: serve requests the refactored way (step 4): the three chunks a
  /// request discards come from each worker's preallocated scratch, and the
  /// kept head chunk from a gort::Pool of evicted cache entries.
  bool refactor = false;
};

/// The flags that give a child (dash "--") or the Go twin (dash "-") these
/// parameters, in canonical units both parse: "--rate=100000000B/s".
std::vector<std::string> workload_flags(const WorkloadParams& p, std::string_view dash);

/// The GC settings of one run: GOGC and GOMEMLIMIT.
struct GcSetting {
  /// GOGC percent; nullopt is GOGC=off.
  std::optional<int> gogc = 100;
  /// GOMEMLIMIT in bytes; nullopt is no limit (GOMEMLIMIT=off).
  std::optional<int64_t> memlimit;
};

/// The setting as environment text, the run's name in tables: "GOGC=100",
/// "GOGC=off GOMEMLIMIT=512MiB".
std::string gc_setting_label(const GcSetting& s);

/// The setting as a file-name part, "-gogc100", "-gogcoff-memlimit512MiB": what
/// the per-setting files (plots, profiles) put before their extension.
std::string gc_setting_slug(const GcSetting& s);

/// The environment a run gets: GOGC, GOMEMLIMIT (off when none, so an inherited
/// one cannot leak in) and GODEBUG with gctrace=1 added to whatever GODEBUG
/// this process has (so GODEBUG=gcstoptheworld=1 reaches the runs too).
std::vector<std::string> gc_setting_env(const GcSetting& s);

}  // namespace gclab
