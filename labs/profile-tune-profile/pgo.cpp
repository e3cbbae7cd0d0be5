// pgo.cpp — the scratch builds and the measured child runs of step 5 (see
// pgo.hpp).
#include "pgo.hpp"

#include <fmt/format.h>
#include <gort/support/process.hpp>
#include <lab/go_twin.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <sstream>
#include <system_error>

namespace ptp {

namespace {

namespace fs = std::filesystem;

/// The training run's repetitions: three runs of the load (a few seconds)
/// cover the service's paths; more adds compile-irrelevant counts.
constexpr int kTrainingRuns = 3;

/// A measured child gets this long (its run takes seconds); one still
/// running then is counted as hung, killed, and its side's run is missing.
constexpr int kChildTimeoutMs = 120'000;

/// Instrumentation: counters updated atomically where the target allows,
/// since the service runs on every M at once.
constexpr const char* kGenerateFlags = "-fprofile-generate -fprofile-update=prefer-atomic";
/// Use: functions the training never ran keep their -O2 code
/// (-fprofile-partial-training) rather than being optimised for size, and
/// objects without a .gcda (the training never touched them) compile quietly.
constexpr const char* kUseFlags = "-fprofile-use -fprofile-partial-training -fprofile-correction -Wno-missing-profile";

/// Seconds since t0.
double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

/// Runs argv with its output captured; "" on success, else what failed (the
/// output's tail).
std::string run_step(const std::vector<std::string>& argv, const std::string& what) {
  fmt::print(stderr, "profile-tune-profile: step 5: {}\n", what);
  std::string why;
  auto r = lab::run_program(argv, {}, &why);
  if (!r) return what + ": could not start: " + why;
  if (r->exit_code != 0) {
    std::string text = r->out + r->err;
    if (text.size() > 3000) text = "..." + text.substr(text.size() - 3000);
    return fmt::format("{}: exit status {}:\n{}", what, r->exit_code, text);
  }
  return {};
}

/// cmake -S <source> -B dir for this lab alone, with `flags` added to the C
/// and C++ compiler and linker flags.
std::vector<std::string> configure_argv(const std::string& dir, const std::string& flags) {
  return {"cmake", "-S", PGO_SOURCE_DIR, "-B", dir, "-G", "Ninja", "-DGORT_BUILD_TESTS=OFF",
          "-DGORT_BUILD_BENCH=OFF", "-DGORT_BUILD_LABS=ON", "-DGORT_LABS=profile-tune-profile",
          "-DCMAKE_CXX_FLAGS=" + flags, "-DCMAKE_C_FLAGS=" + flags, "-DCMAKE_EXE_LINKER_FLAGS=" + flags};
}

/// The .gcda files under dir.
int64_t count_gcda(const std::string& dir, bool remove) {
  int64_t n = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->path().extension() != ".gcda") continue;
    ++n;
    if (remove) fs::remove(it->path(), ec);
  }
  return n;
}

}  // namespace

std::vector<std::string> bench_child_argv(const std::string& binary, const Config& c, int runs, int gogc) {
  return {binary,          "--bench-child", "--encoding", "direct", "--child-gogc", std::to_string(gogc),
          "--runs",        std::to_string(runs), "--requests", std::to_string(c.requests), "--connections",
          std::to_string(c.connections), "--warmup", std::to_string(c.warmup), "--procs", std::to_string(c.procs)};
}

bool parse_bench_child(const std::string& out, std::vector<RunSample>* samples) {
  std::istringstream lines(out);
  bool any = false;
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    const nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("requests_per_second")) return false;
    RunSample s;
    s.requests_per_second = j.value("requests_per_second", 0.0);
    s.cpu_us_per_request = j.value("cpu_us_per_request", 0.0);
    s.p99_us = j.value("p99_us", 0.0);
    s.gc_cycles = j.value("gc_cycles", int64_t{0});
    samples->push_back(s);
    any = true;
  }
  return any;
}

PgoResult run_pgo_step(const Config& c, int gogc) {
  PgoResult p;
  p.before.label = "release (-O2)";
  p.after.label = "PGO (-O2 -fprofile-use)";
  if (!c.run_pgo) {
    p.status = "skipped";
    p.reason = c.pgo_skip_reason;
    return p;
  }
  p.build_dir = c.pgo_dir.empty() ? std::string(PGO_BINARY_DIR) + "/pgo-build" : c.pgo_dir;
  const std::string binary = p.build_dir + "/labs/profile-tune-profile/profile-tune-profile";
  const auto fail = [&](std::string why) {
    p.status = "failed";
    p.reason = std::move(why);
    return p;
  };
  // 1. The instrumented build.
  auto t0 = std::chrono::steady_clock::now();
  if (auto e = run_step(configure_argv(p.build_dir, kGenerateFlags), "configuring the -fprofile-generate build");
      !e.empty()) {
    return fail(e);
  }
  if (auto e = run_step({"ninja", "-C", p.build_dir, "profile-tune-profile"},
                        "building with -fprofile-generate (minutes)");
      !e.empty()) {
    return fail(e);
  }
  p.generate_build_seconds = since(t0);
  // 2. Training: the load on the instrumented binary; stale profiles first removed.
  count_gcda(p.build_dir, /*remove=*/true);
  t0 = std::chrono::steady_clock::now();
  if (auto e = run_step(bench_child_argv(binary, c, kTrainingRuns, gogc), "training run (the load, instrumented)");
      !e.empty()) {
    return fail(e);
  }
  p.training_seconds = since(t0);
  p.gcda_files = count_gcda(p.build_dir, /*remove=*/false);
  if (p.gcda_files == 0) return fail("the training run wrote no .gcda file");
  // 3. The optimised build from the same objects' profiles.
  t0 = std::chrono::steady_clock::now();
  if (auto e = run_step(configure_argv(p.build_dir, kUseFlags), "configuring the -fprofile-use build"); !e.empty()) {
    return fail(e);
  }
  if (auto e = run_step({"ninja", "-C", p.build_dir, "profile-tune-profile"}, "building with -fprofile-use (minutes)");
      !e.empty()) {
    return fail(e);
  }
  p.use_build_seconds = since(t0);
  // 4. Interleaved child runs: this (release) binary, then the PGO one, and so on.
  // /proc/self/exe, not the path it names: exec resolves it to this very
  // binary even when a rebuild has replaced the file since it started.
  const std::string self = "/proc/self/exe";
  for (int i = 0; i < c.runs; ++i) {
    fmt::print(stderr, "profile-tune-profile: step 5: run {}/{}: release and PGO\n", i + 1, c.runs);
    for (int side = 0; side < 2; ++side) {
      const bool pgo_first = i % 2 == 1;
      const bool pgo = (side == 0) == pgo_first;
      gort::ProcessOptions opts;
      opts.timeout_ms = kChildTimeoutMs;
      const gort::ProcessResult r = gort::run_process(bench_child_argv(pgo ? binary : self, c, 1, gogc), opts);
      if (!r.started) return fail("a measured child could not start: " + r.error);
      // The child prints its run's line as soon as it is measured, so a run
      // survives a failure while the server shuts down; the failure is kept.
      const bool measured = parse_bench_child(r.out, pgo ? &p.after.runs : &p.before.runs);
      if (r.exit_code != 0 || r.timed_out) {
        ChildFailure f;
        f.binary = pgo ? "PGO" : "release";
        f.measured = measured;
        f.what = r.timed_out ? fmt::format("still running after {} s, killed", kChildTimeoutMs / 1000)
                             : fmt::format("exit status {}: {}", r.exit_code, r.err.substr(0, 1500));
        p.child_failures.push_back(std::move(f));
      } else if (!measured) {
        return fail("a measured child's output could not be read: " + r.out);
      }
    }
  }
  p.status = "done";
  return p;
}

}  // namespace ptp
