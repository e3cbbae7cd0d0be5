// lab_profile_tune_profile_test.cpp — the profile-tune-profile lab, run in its
// short mode (with the Go twin) as a subprocess: the CPU profiles read back
// through go tool pprof with every top frame assigned to its owner, both
// encoders giving the same bytes, the interleaved runs counted per side, both
// traces read by trace-viewer's analyses with consistent figures, the PGO step
// skipped with its reason under --short, the twin's results beside gort's,
// the measuring child mode, and bad flags.  No timing thresholds: the figures
// are the lab's to report, not the test's to judge.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sstream>
#include <string>
#include <vector>

#include "lab_run.hpp"
#include "test_util.hpp"

namespace {

using gort::test::LabRun;
using nlohmann::json;

/// The short run with the Go twin, shared by the tests that read it.
const LabRun& short_run() {
  static const LabRun run = gort::test::run_lab_in_scratch("lab-profile-tune-profile", "short", {"--short", "--go"});
  return run;
}

/// A profile was read: 1..5 top rows, each with a name, a share and an owner.
void expect_profile_read(const json& p, const std::string& what) {
  ASSERT_TRUE(p.is_object()) << what;
  EXPECT_EQ(p["error"], "") << what << ": " << p["error"];
  ASSERT_GE(p["top"].size(), 1u) << what;
  EXPECT_LE(p["top"].size(), 5u) << what;
  double last = 101;
  for (const json& f : p["top"]) {
    EXPECT_FALSE(f["name"].get<std::string>().empty()) << what;
    EXPECT_FALSE(f["owner"].get<std::string>().empty()) << what;
    const double flat = f["flat_percent"].get<double>();
    EXPECT_LE(flat, last) << what << ": -top lists by flat time";
    EXPECT_LE(flat, f["cum_percent"].get<double>() + 0.05) << what;
    last = flat;
  }
}

/// Both sides of a comparison have `runs` runs of positive figures.
void expect_runs(const json& side, std::size_t runs, const std::string& what) {
  ASSERT_EQ(side["runs"].size(), runs) << what;
  EXPECT_FALSE(side["label"].get<std::string>().empty()) << what;
  for (const json& r : side["runs"]) {
    EXPECT_GT(r["requests_per_second"].get<double>(), 0) << what;
    EXPECT_GT(r["cpu_us_per_request"].get<double>(), 0) << what;
    EXPECT_GT(r["p99_us"].get<double>(), 0) << what;
    EXPECT_GE(r["gc_cycles"].get<int64_t>(), 0) << what;
  }
}

TEST(LabProfileTuneProfile, ShortRunProfilesFixesAndTraces) {
  const LabRun& r = short_run();
  ASSERT_EQ(r.result.exit_code, 0) << r.result.err << r.result.out;
  const json& g = r.data["gort"];
  ASSERT_TRUE(g.is_object()) << r.result.out;
  EXPECT_EQ(g["runtime"], "gort");
  expect_profile_read(g["profile_before"], "gort before");
  expect_profile_read(g["profile_after"], "gort after");
  EXPECT_EQ(g["profile_before"]["setting"], "document");
  EXPECT_EQ(g["profile_after"]["setting"], "direct");
  EXPECT_TRUE(g["encodings_identical"].get<bool>());
  expect_runs(g["fix_before"], 3, "fix before");
  expect_runs(g["fix_after"], 3, "fix after");
  expect_runs(g["gc_before"], 3, "GOGC before");
  expect_runs(g["gc_after"], 3, "GOGC after");
  EXPECT_EQ(g["fix_before"]["label"], "document");
  EXPECT_EQ(g["fix_after"]["label"], "direct");
  EXPECT_EQ(g["tuned_gogc"], 400);
  EXPECT_EQ(g["gc_after"]["label"], "GOGC=400");
  EXPECT_GE(g["estimated_cpu_saving_percent"].get<double>(), 0);
}

TEST(LabProfileTuneProfile, TracesAreReadByTraceViewersAnalyses) {
  const json& g = short_run().data["gort"];
  for (const char* key : {"trace_before", "trace_after"}) {
    const json& t = g[key];
    ASSERT_TRUE(t.is_object()) << key;
    EXPECT_EQ(t["error"], "") << key << ": " << t["error"];
    EXPECT_GT(t["duration_ms"].get<double>(), 0) << key;
    EXPECT_EQ(t["requests"], g["profile_before"]["requests"]) << key;
    // The analyses' figures agree with each other.
    EXPECT_LE(t["sched_p50_us"].get<double>(), t["sched_p99_us"].get<double>()) << key;
    EXPECT_LE(t["sched_p99_us"].get<double>(), t["sched_max_us"].get<double>()) << key;
    EXPECT_LE(t["pause_max_us"].get<double>(), t["pause_total_us"].get<double>() + 1e-9) << key;
    EXPECT_GE(t["pauses"].get<int64_t>(), t["gc_cycles"].get<int64_t>()) << key << ": a cycle stops the world";
    for (const char* mmu : {"mmu_1ms", "mmu_10ms"}) {
      EXPECT_GE(t[mmu].get<double>(), 0) << key << " " << mmu;
      EXPECT_LE(t[mmu].get<double>(), 1) << key << " " << mmu;
    }
    EXPECT_GE(t["gc_active_percent"].get<double>(), 0) << key;
    EXPECT_LE(t["gc_active_percent"].get<double>(), 100) << key;
  }
  EXPECT_EQ(g["trace_before"]["setting"], "GOGC=100");
  EXPECT_EQ(g["trace_after"]["setting"], "GOGC=400");
}

TEST(LabProfileTuneProfile, ShortModeSkipsPgoAndSaysWhy) {
  const LabRun& r = short_run();
  const json& p = r.data["pgo"];
  EXPECT_EQ(p["status"], "skipped");
  EXPECT_NE(p["reason"].get<std::string>().find("--short"), std::string::npos) << p["reason"];
  EXPECT_TRUE(p["before"]["runs"].empty());
  EXPECT_NE(r.result.out.find("(GCC -fprofile-generate / -fprofile-use): skipped — --short"), std::string::npos)
      << r.result.out;
  EXPECT_NE(r.result.out.find("Go 1.19 (the toolchain here) has no profile-guided optimisation"), std::string::npos);
}

TEST(LabProfileTuneProfile, ReportHasEveryStepAndBenchstatTables) {
  const LabRun& r = short_run();
  const std::string& out = r.result.out;
  for (const char* s : {"## 1. The CPU profile under load: the top five functions", "## 2. The pick and its estimate",
                        "## 3. The fix measured, and the profile again", "## 4. The trace: a GC stall, found and fixed",
                        "## 5. PGO", "## PERF_LOG", "| metric | document | direct | delta |",
                        "| metric | GOGC=100 | GOGC=400 | delta |", "Mann-Whitney", "### Change 1:",
                        "### Change 2:", "### Change 3:"}) {
    EXPECT_NE(out.find(s), std::string::npos) << s << "\n" << out;
  }
  // Three runs cannot reach p < 0.05 in a two-sided U test (the least p is 0.1): every delta is "~".
  EXPECT_NE(out.find("~ (p="), std::string::npos);
  EXPECT_EQ(out.find("% (p="), std::string::npos) << out;
  EXPECT_NE(r.svg.find("<svg"), std::string::npos);
}

TEST(LabProfileTuneProfile, GoTwinRunsTheSameStepsSideBySide) {
  const LabRun& r = short_run();
  ASSERT_FALSE(r.data.contains("go_error")) << r.data.value("go_error", "");
  const json& go = r.data["go"];
  ASSERT_TRUE(go.is_object());
  EXPECT_EQ(go["runtime"], "Go");
  expect_profile_read(go["profile_before"], "Go before");
  expect_profile_read(go["profile_after"], "Go after");
  bool go_runtime_frame = false;
  for (const char* key : {"profile_before", "profile_after"}) {
    for (const json& f : go[key]["top"]) go_runtime_frame |= f["owner"] == "Go runtime";
  }
  EXPECT_TRUE(go_runtime_frame) << go.dump();
  EXPECT_TRUE(go["encodings_identical"].get<bool>());
  expect_runs(go["fix_before"], 3, "Go fix before");
  expect_runs(go["fix_after"], 3, "Go fix after");
  expect_runs(go["gc_before"], 3, "Go GOGC before");
  expect_runs(go["gc_after"], 3, "Go GOGC after");
  EXPECT_EQ(go["requests_per_run"], r.data["gort"]["requests_per_run"]);
  EXPECT_EQ(go["trace_before"]["requests"], r.data["gort"]["trace_before"]["requests"]);
  EXPECT_NE(r.result.out.find("### 1b. Go: the CPU profile before the fix"), std::string::npos);
}

TEST(LabProfileTuneProfile, BenchChildPrintsOneJsonLinePerRun) {
  auto r = gort::test::run_process({GORT_LAB_PROGRAM, "--bench-child", "--runs", "2", "--requests", "40",
                                    "--connections", "2", "--warmup", "10", "--encoding", "document"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream lines(r.out);
  int n = 0;
  for (std::string line; std::getline(lines, line);) {
    const json j = json::parse(line, nullptr, false);
    ASSERT_TRUE(j.is_object()) << line;
    EXPECT_GT(j["requests_per_second"].get<double>(), 0);
    EXPECT_GT(j["cpu_us_per_request"].get<double>(), 0);
    ++n;
  }
  EXPECT_EQ(n, 2) << r.out;
}

TEST(LabProfileTuneProfile, MalformedFlagsExitWithStatus2AndOneLine) {
  const std::vector<std::vector<std::string>> cases = {
      {"--pgo", "yes"},   {"--pgo", ""},           {"--runs", "0"},       {"--runs", "101"},
      {"--requests", "x"}, {"--connections", "0"}, {"--gogc", "5"},       {"--encoding", "json"},
      {"--procs", "1000"}, {"--warmup", "-1"},     {"--child-gogc", "2"}, {"--profile-requests", "1e3"},
  };
  gort::test::expect_flags_refused(cases);
}

TEST(LabProfileTuneProfile, HelpExitsZero) {
  auto r = gort::test::run_process({GORT_LAB_PROGRAM, "--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* flag : {"--requests", "--runs", "--connections", "--profile-requests", "--warmup", "--gogc",
                           "--pgo", "--pgo-dir", "--work-dir", "--bench-child", "--short", "--json", "--svg", "--go",
                           "--cpuprofile", "--memprofile"}) {
    EXPECT_NE(r.out.find(flag), std::string::npos) << flag;
  }
}

}  // namespace
