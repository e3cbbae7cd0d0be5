// lab_schedule_forensics_test.cpp — the schedule-forensics lab in its short mode
// (100 goroutines × 2 ms), run as a subprocess: the report's structure, and the
// scheduling facts its numbers must show whatever the machine's speed or load.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "report.hpp"
#include "test_util.hpp"

namespace {

namespace fs = std::filesystem;
using gort::test::run_process;

/// Runs the lab with args plus --json into dir, checks it succeeded, and
/// returns the parsed JSON (and the Markdown report in *report).
nlohmann::json run_lab(const fs::path& dir, std::vector<std::string> args, std::string* report = nullptr) {
  std::vector<std::string> argv{GORT_LAB_PROGRAM};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back("--json=" + (dir / "out.json").string());
  if (std::find_if(args.begin(), args.end(), [](const std::string& a) { return a.rfind("--svg", 0) == 0; }) == args.end())
    argv.push_back("--svg=" + (dir / "cdf.svg").string());
  auto r = run_process(argv);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  if (report) *report = r.out;
  std::ifstream f(dir / "out.json");
  std::stringstream text;
  text << f.rdbuf();
  return nlohmann::json::parse(text.str());
}

/// The variant of runtime `rt` with this loop kind (and async setting).
const nlohmann::json& variant(const nlohmann::json& j, const std::string& loop, bool async = true,
                              const std::string& rt = "gort") {
  for (const auto& runs : j.at("runs")) {
    if (runs.at("runtime") != rt) continue;
    for (const auto& v : runs.at("variants"))
      if (v.at("loop") == loop && v.at("async_preempt") == async) return v;
  }
  throw std::runtime_error("no variant " + loop);
}

std::vector<int64_t> completions(const nlohmann::json& v) {
  std::vector<int64_t> c;
  for (std::size_t i = 0; i < v.at("end_ns").size(); ++i)
    c.push_back(v["end_ns"][i].get<int64_t>() - v["spawn_ns"][i].get<int64_t>());
  std::sort(c.begin(), c.end());
  return c;
}

TEST(LabScheduleForensics, OnePWithoutPreemptionRunsGoroutinesOneAfterAnotherSoTheLastWaitsForAllWork) {
  const gort::test::ScratchDir dir("lab-sf", "busy");
  auto j = run_lab(dir, {"--short", "--procs=1", "--busy", "--async-preempt=off"});
  const auto& v = variant(j, "busy", false);
  ASSERT_EQ(v.at("end_ns").size(), 100u);
  // On one P a busy loop that is never preempted runs from its first
  // instruction to its end in one go: the runs do not overlap.
  std::vector<std::pair<int64_t, int64_t>> runs;
  int64_t work_sum = 0;
  for (std::size_t i = 0; i < 100; ++i) {
    runs.emplace_back(v["start_ns"][i].get<int64_t>(), v["end_ns"][i].get<int64_t>());
    work_sum += runs.back().second - runs.back().first;
    EXPECT_GE(runs.back().first, v["spawn_ns"][i].get<int64_t>());
  }
  std::sort(runs.begin(), runs.end());
  for (std::size_t i = 1; i < runs.size(); ++i) EXPECT_GE(runs[i].first, runs[i - 1].second) << "run " << i;
  // So the slowest goroutine finishes after the sum of everyone's work, the
  // tail the course asks about.
  auto c = completions(v);
  EXPECT_GE(c.back(), work_sum);
  EXPECT_LE(c.front() * 10, c.back()) << "the first goroutine should finish long before the last";
  // runnext: the goroutine spawned last runs first, as in Go.
  auto first = std::min_element(v["start_ns"].begin(), v["start_ns"].end()) - v["start_ns"].begin();
  EXPECT_EQ(first, 99);
}

TEST(LabScheduleForensics, SleepVariantFinishesEveryGoroutineWithinAFewSleeps) {
  const gort::test::ScratchDir dir("lab-sf", "sleep");
  auto j = run_lab(dir, {"--short", "--procs=1", "--busy", "--sleep", "--async-preempt=off"});
  const nlohmann::json& v = variant(j, "sleep");
  auto sleep = completions(v);
  const int64_t work = j["runs"][0]["work_ns"].get<int64_t>();
  // Every sleep lasts at least its duration, and they overlap on the one P: a
  // sleeping goroutine gives the P to the next, so others start before the
  // first sleep ends (in release, all 100 do) — where busy loops on one P
  // without preemption start only after another's end.  An order of events,
  // not a ratio of durations: until 2026-12-07 this compared the last sleep's
  // end with a tenth of the busy run's length, which a TSAN run on a machine
  // at load 10 broke.
  EXPECT_GE(sleep.front(), work);
  const int64_t first_end = *std::min_element(v["end_ns"].begin(), v["end_ns"].end());
  const auto started_before = std::count_if(v["start_ns"].begin(), v["start_ns"].end(),
                                            [&](const nlohmann::json& t) { return t.get<int64_t>() < first_end; });
  EXPECT_GT(started_before, 1) << "the first sleep ended before any other goroutine started";
}

TEST(LabScheduleForensics, GoschedSharesOneProcessorSoEveryGoroutineFinishesNearTheEnd) {
  const gort::test::ScratchDir dir("lab-sf", "gosched");
  auto j = run_lab(dir, {"--short", "--procs=1", "--gosched"});
  auto c = completions(variant(j, "gosched"));
  // Yielding every 1/100 of the work interleaves all goroutines: nobody is
  // done until most of everyone's work is (processor sharing, not FIFO).
  EXPECT_GE(c.front() * 2, c.back());
}

TEST(LabScheduleForensics, ReportHasATableRowPerVariantThePlotAndALabelledTrace) {
  const gort::test::ScratchDir dir("lab-sf", "report");
  std::string report;
  const std::string trace = (dir / "sf.trace").string();
  auto j = run_lab(dir, {"--short", "--goroutines=20", "--procs=1,2", "--trace=" + trace}, &report);
  EXPECT_NE(report.find("## Time to completion"), std::string::npos) << report;
  EXPECT_NE(report.find("| runtime | variant | min | p50 | p90 | p99 | max | N·D/P | wall |"), std::string::npos);
  for (const char* row : {"| gort | procs=1 busy |", "| gort | procs=1 gosched |", "| gort | procs=1 sleep |",
                          "| gort | procs=2 busy |", "| gort | procs=2 gosched |", "| gort | procs=2 sleep |"})
    EXPECT_NE(report.find(row), std::string::npos) << row << "\n" << report;
  EXPECT_EQ(j["runs"][0]["variants"].size(), 6u);
  std::ifstream svg(dir / "cdf.svg");
  std::string head((std::istreambuf_iterator<char>(svg)), {});
  EXPECT_NE(head.find("<svg"), std::string::npos) << "plot missing: " << report;
  EXPECT_NE(head.find("procs=2 gosched"), std::string::npos);
  // The trace is complete and holds one task per variant.
  auto v = run_process({GORT_TRACE_VIEWER, "validate", trace});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  auto s = run_process({GORT_TRACE_VIEWER, "summary", trace});
  EXPECT_NE(s.out.find("6 tasks, 120 regions"), std::string::npos) << s.out;
}

TEST(LabScheduleForensics, GoProgramRunsTheSameVariantsWhenGoIsInstalled) {
  if (run_process({"/bin/sh", "-c", "command -v go"}).exit_code != 0) GTEST_SKIP() << "go is not installed";
  const gort::test::ScratchDir dir("lab-sf", "go");
  std::string report;
  auto j = run_lab(dir, {"--short", "--goroutines=20", "--procs=1", "--busy", "--sleep", "--go"}, &report);
  EXPECT_NE(report.find("| go | procs=1 busy |"), std::string::npos) << report;
  EXPECT_NE(report.find("| go | procs=1 sleep |"), std::string::npos) << report;
  ASSERT_EQ(j["runs"].size(), 2u);
  EXPECT_EQ(completions(variant(j, "busy", true, "go")).size(), 20u);
}

/// One runtime's runs of 100 goroutines: a busy variant on one P whose CPU time
/// says each goroutine did cpu_per_goroutine_ms of work, and a sleep variant.
schedlab::RuntimeRuns synthetic_runs(double cpu_per_goroutine_ms) {
  schedlab::RuntimeRuns runs;
  runs.runtime = "gort";
  runs.goroutines = 100;
  runs.work_ns = 10'000'000;  // calibrated for 10 ms
  runs.steps_per_chunk = 1000;
  const auto work_ns = static_cast<int64_t>(cpu_per_goroutine_ms * 1e6);
  schedlab::VariantResult busy;
  busy.variant = {1, schedlab::LoopKind::Busy, true};
  for (int i = 0; i < runs.goroutines; ++i) busy.goroutines.push_back({0, i * work_ns, (i + 1) * work_ns});
  busy.wall_ns = runs.goroutines * work_ns;
  busy.cpu_ns = runs.goroutines * work_ns;
  schedlab::VariantResult sleep;
  sleep.variant = {1, schedlab::LoopKind::Sleep, true};
  for (int i = 0; i < runs.goroutines; ++i) sleep.goroutines.push_back({0, 0, 11'000'000});
  sleep.wall_ns = 11'000'000;
  sleep.cpu_ns = 1'000'000;
  runs.variants = {busy, sleep};
  return runs;
}

// A fresh machine once calibrated while busy and then ran faster: the report
// printed "10.0ms of work each", "N·D/P = 10.0s … no schedule can finish every
// busy goroutine sooner" and a busy max of 7.45 s.  D now comes from the CPU
// the variant used, and the drift is named.
TEST(LabScheduleForensics, ReportTakesDFromMeasuredCpuAndNamesACalibrationDrift) {
  const std::string drifted = schedlab::markdown_report({}, {synthetic_runs(7.0)});
  EXPECT_NE(drifted.find("measured: 7.00ms of CPU per goroutine"), std::string::npos) << drifted;
  EXPECT_NE(drifted.find("**the calibration drifted** (70% of the asked-for work"), std::string::npos) << drifted;
  // The busy row's N·D/P is 100 × 7 ms / 1 P, equal to its max, never above it.
  EXPECT_NE(drifted.find("| gort | procs=1 busy | 7.00ms |"), std::string::npos) << drifted;
  EXPECT_NE(drifted.find("| 700ms | 700ms | 700ms |"), std::string::npos) << drifted;
  EXPECT_EQ(drifted.find("| 1.00s |"), std::string::npos) << "calibrated N·D/P must not appear:\n" << drifted;
  // A sleeping variant has no CPU bound.
  EXPECT_NE(drifted.find("| gort | procs=1 sleep |"), std::string::npos) << drifted;
  EXPECT_NE(drifted.find("| — |"), std::string::npos) << drifted;

  const std::string steady = schedlab::markdown_report({}, {synthetic_runs(10.3)});
  EXPECT_EQ(steady.find("drifted"), std::string::npos) << steady;
  EXPECT_NE(steady.find("measured: 10.3ms of CPU per goroutine"), std::string::npos) << steady;
}

// --cpuprofile and --memprofile, as go test has them: the run profiles itself
// and go tool pprof reads both files; the busy variant's spin loop is where the
// CPU went.
TEST(LabScheduleForensics, CpuprofileAndMemprofileWriteWhatGoToolPprofReads) {
  const gort::test::ScratchDir dir("lab-sf", "profiles");
  const std::string cpu = (dir / "cpu.pprof").string(), mem = (dir / "mem.pprof").string();
  run_lab(dir, {"--short", "--procs=1", "--busy", "--cpuprofile=" + cpu, "--memprofile=" + mem});
  const std::string top = gort::test::go_tool_pprof({"-top"}, cpu);
  EXPECT_NE(top.find("Type: cpu"), std::string::npos) << top;
#if defined(GORT_TSAN)
  // TSAN delivers SIGPROF only at its interceptors, never inside spin's plain
  // arithmetic (pprof_cpu_test.cpp): the samples land in the loop around it.
  EXPECT_NE(top.find("busy_loop"), std::string::npos) << top;
#else
  EXPECT_NE(top.find("schedlab::spin"), std::string::npos) << top;  // the busy variant's arithmetic
#endif
  const std::string heap = gort::test::go_tool_pprof({"-sample_index=alloc_space", "-top"}, mem);
  EXPECT_NE(heap.find("Type: alloc_space"), std::string::npos) << heap;
}

TEST(LabScheduleForensics, MalformedFlagsAreRejectedWithStatus2AndTheFlagNamed) {
  struct Case { std::string arg, names; };
  for (const Case& c : {Case{"--procs=0", "--procs"}, Case{"--procs=1,x", "--procs"}, Case{"--work=10", "--work"},
                        Case{"--work=-5ms", "--work"}, Case{"--async-preempt=maybe", "--async-preempt"},
                        Case{"--goroutines=0", "--goroutines"}, Case{"--no-such-flag", "no-such-flag"}}) {
    auto r = run_process({GORT_LAB_PROGRAM, c.arg});
    EXPECT_EQ(r.exit_code, 2) << c.arg;
    EXPECT_NE(r.err.find(c.names), std::string::npos) << c.arg << ": " << r.err;
    EXPECT_TRUE(r.out.empty()) << c.arg;
  }
  auto help = run_process({GORT_LAB_PROGRAM, "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--gosched"), std::string::npos);
}

}  // namespace
