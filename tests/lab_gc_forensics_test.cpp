// lab_gc_forensics_test.cpp — the gc-forensics lab: its gctrace parser on Go's
// real lines (the worked example's) and on lines that are not Go's format, and
// the lab itself in --short mode as a subprocess: the report's structure, the
// gctrace lines gort printed parsing with Go's format, and the collector facts
// the numbers must show on any machine (the retained heap grows; GOGC=50 runs
// more cycles than GOGC=200; under GOGC=off the memory limit alone starts
// cycles and bounds the goal); steps 4 and 5: the heap profile's sites as go
// tool pprof lists them, the refactored service allocating less per request,
// and trace-viewer's analysis finding the mark phases in the trace.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "lab_run.hpp"
#include "test_util.hpp"

// The parser is tested directly (labs/common's gort_lab_gctrace library).
#include <lab/gctrace.hpp>

namespace {

namespace fs = std::filesystem;
using lab::GctraceLine;
using lab::parse_gctrace_line;
using gort::test::run_process;

/// The six lines of the course's worked example, as Go 1.19 printed them.
const std::vector<std::string> kWorkedExampleLines = {
    "gc 1 @0.003s 0%: 0.012+0.31+0.020 ms clock, 0.10+0.054/0.30/0.072+0.16 ms cpu, 4->4->2 MB, 5 MB goal, 0 MB "
    "stacks, 0 MB globals, 8 P",
    "gc 2 @0.012s 0%: 0.011+0.46+0.030 ms clock, 0.094+0.21/0.45/0.10+0.24 ms cpu, 4->5->3 MB, 5 MB goal, 0 MB "
    "stacks, 0 MB globals, 8 P",
    "gc 3 @0.024s 0%: 0.014+0.66+0.027 ms clock, 0.11+0.23/0.66/0.18+0.22 ms cpu, 6->7->5 MB, 7 MB goal, 0 MB "
    "stacks, 0 MB globals, 8 P",
    "gc 4 @0.046s 1%: 0.015+1.4+0.029 ms clock, 0.12+0.46/1.4/0.18+0.23 ms cpu, 10->12->9 MB, 11 MB goal, 0 MB "
    "stacks, 0 MB globals, 8 P",
    "gc 5 @0.094s 1%: 0.014+2.4+0.030 ms clock, 0.11+0.49/2.4/0.42+0.24 ms cpu, 18->20->15 MB, 19 MB goal, 0 MB "
    "stacks, 0 MB globals, 8 P",
    "gc 6 @0.187s 1%: 0.013+3.6+0.025 ms clock, 0.10+0.84/3.6/0.93+0.20 ms cpu, 30->33->24 MB, 31 MB goal, 0 MB "
    "stacks, 0 MB globals, 8 P",
};

TEST(LabGcForensicsParser, ReadsEveryFieldOfGosLines) {
  for (std::size_t i = 0; i < kWorkedExampleLines.size(); ++i) {
    std::string why;
    auto g = parse_gctrace_line(kWorkedExampleLines[i], &why);
    ASSERT_TRUE(g) << kWorkedExampleLines[i] << ": " << why;
    EXPECT_EQ(g->cycle, i + 1);
    EXPECT_EQ(g->procs, 8);
    EXPECT_FALSE(g->forced);
  }
  const GctraceLine g = *parse_gctrace_line(kWorkedExampleLines[3]);
  EXPECT_DOUBLE_EQ(g.start_s, 0.046);
  EXPECT_EQ(g.cpu_percent, 1);
  EXPECT_DOUBLE_EQ(g.clock_sweep_term_ms, 0.015);
  EXPECT_DOUBLE_EQ(g.clock_mark_ms, 1.4);
  EXPECT_DOUBLE_EQ(g.clock_mark_term_ms, 0.029);
  EXPECT_DOUBLE_EQ(g.cpu_sweep_term_ms, 0.12);
  EXPECT_DOUBLE_EQ(g.cpu_assist_ms, 0.46);
  EXPECT_DOUBLE_EQ(g.cpu_background_ms, 1.4);
  EXPECT_DOUBLE_EQ(g.cpu_idle_ms, 0.18);
  EXPECT_DOUBLE_EQ(g.cpu_mark_term_ms, 0.23);
  EXPECT_EQ(g.heap_start_mb, 10u);
  EXPECT_EQ(g.heap_end_mb, 12u);
  EXPECT_EQ(g.heap_marked_mb, 9u);
  EXPECT_EQ(g.goal_mb, 11u);
  EXPECT_EQ(g.stacks_mb, 0u);
  EXPECT_EQ(g.globals_mb, 0u);
  EXPECT_NEAR(g.pause_ms(), 0.044, 1e-12) << "the worked example's ~44 µs of pauses";
}

TEST(LabGcForensicsParser, ReadsForcedCyclesAndWholeMilliseconds) {
  // fmtNSAsMS prints whole milliseconds from 10 ms up; runtime.GC appends " (forced)".
  auto g = parse_gctrace_line(
      "gc 12 @61.250s 3%: 0.010+12+0.050 ms clock, 0.020+0/23/0+0.10 ms cpu, 745->745->731 MB, 746 MB goal, 0 MB "
      "stacks, 0 MB globals, 2 P (forced)");
  ASSERT_TRUE(g);
  EXPECT_TRUE(g->forced);
  EXPECT_DOUBLE_EQ(g->start_s, 61.25);
  EXPECT_DOUBLE_EQ(g->clock_mark_ms, 12);
  EXPECT_DOUBLE_EQ(g->cpu_background_ms, 23);
  EXPECT_EQ(g->heap_marked_mb, 731u);
  EXPECT_EQ(g->procs, 2);
}

TEST(LabGcForensicsParser, RejectsLinesNotInGosFormat) {
  const std::string good = kWorkedExampleLines[3];
  auto with = [&](const std::string& from, const std::string& to) {
    std::string s = good;
    const auto at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return s.replace(at, from.size(), to);
  };
  const std::vector<std::string> bad = {
      "",
      "GC forced",
      // Go 1.17's line: no stacks and globals fields.
      "gc 4 @0.046s 1%: 0.015+1.4+0.029 ms clock, 0.12+0.46/1.4/0.18+0.23 ms cpu, 10->12->9 MB, 11 MB goal, 8 P",
      good + " ",
      good + " (forced) extra",
      with("@0.046s", "@0.04s"),       // itoaDiv always prints 3 decimals
      with("@0.046s", "0.046s"),       // the @ is missing
      with("0.015+", "0.0151+"),       // fmtNSAsMS prints at most 3 decimals
      with("0.015+", "-0.015+"),       // no signs
      with("0.015+", ".015+"),         // a leading digit always
      with("1%", "101%"),              // a percentage of all CPU
      with("gc 4", "gc 0"),            // cycles count from 1
      with("gc 4", "gc x"),            // not a number
      with("ms clock", "ms wall"),     // field names exactly
      with("0.46/1.4/0.18", "0.46/1.4"),  // three mark components
      with("10->12->9 MB", "10->12->9 MiB"),
      with("11 MB goal", "11MB goal"),
      with("8 P", "0 P"),              // at least one P
      with("8 P", "8 Ps"),
  };
  for (const std::string& line : bad) {
    std::string why;
    EXPECT_FALSE(parse_gctrace_line(line, &why)) << "accepted: " << line;
    EXPECT_FALSE(why.empty()) << "no reason given for: " << line;
  }
}

TEST(LabGcForensicsParser, SortsALogIntoCyclesRejectedAndOtherLines) {
  const std::string log = kWorkedExampleLines[0] + "\nGC forced\n" + kWorkedExampleLines[1] +
                          "\r\ngc 3 @0.024s 0%: garbled\n\nruntime: GODEBUG: ignoring \"x\"\n";
  const lab::GctraceLog sorted = lab::read_gctrace_log(log);
  ASSERT_EQ(sorted.cycles.size(), 2u);
  EXPECT_EQ(sorted.cycle_text[1], kWorkedExampleLines[1]) << "the \\r of a CRLF line is not part of it";
  ASSERT_EQ(sorted.rejected.size(), 1u);
  EXPECT_EQ(sorted.rejected[0].rfind("gc 3 @0.024s 0%: garbled: expected", 0), 0u) << sorted.rejected[0];
  EXPECT_EQ(sorted.other.size(), 2u);
}

/// Whether `go` (for go tool pprof and the twin) is on PATH.
bool have_go() { return run_process({"/bin/sh", "-c", "command -v go"}).exit_code == 0; }

/// Runs the lab with args plus --json, --svg and --out-dir into dir, checks it
/// exited with `status`, and returns the parsed JSON (and the Markdown report
/// in *report).
nlohmann::json run_lab(const fs::path& dir, const std::vector<std::string>& args, std::string* report = nullptr,
                       int status = 0) {
  std::vector<std::string> argv{GORT_LAB_PROGRAM};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back("--json=" + (dir / "out.json").string());
  argv.push_back("--svg=" + (dir / "heap.svg").string());
  argv.push_back("--out-dir=" + (dir / "steps").string());
  const auto r = run_process(argv);
  EXPECT_EQ(r.exit_code, status) << r.err;
  if (report != nullptr) *report = r.out;
  std::ifstream f(dir / "out.json");
  std::stringstream text;
  text << f.rdbuf();
  return nlohmann::json::parse(text.str());
}

/// The run of `runtime` in the setting labelled `label`.
const nlohmann::json& run_of(const nlohmann::json& j, const std::string& label, const std::string& runtime = "gort") {
  for (const auto& s : j.at("settings")) {
    if (s.at("label") != label) continue;
    for (const auto& r : s.at("runs")) {
      if (r.at("runtime") == runtime) return r;
    }
  }
  throw std::runtime_error("no " + runtime + " run for " + label);
}

/// Checks what every run must show: every stderr gctrace line in Go's format,
/// numbered 1.., one per completed cycle, every cycle's pause collected, sane
/// distributions and a heap series.
void expect_consistent_run(const nlohmann::json& r) {
  SCOPED_TRACE(r.at("runtime").get<std::string>() + " GOGC=" + r.at("gogc").get<std::string>());
  EXPECT_TRUE(r.at("gctrace_rejected").empty()) << r.at("gctrace_rejected").dump();
  if (r.at("runtime") == "gort") {
    // Nothing but gctrace on gort's stderr: no runtime warning, no sanitizer report.
    EXPECT_TRUE(r.at("stderr_other").empty()) << r.at("stderr_other").dump();
  }
  const auto& lines = r.at("gctrace");
  for (std::size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(lines[i].at("cycle"), i + 1);
    EXPECT_TRUE(parse_gctrace_line(lines[i].at("text").get<std::string>())) << lines[i].at("text");
    EXPECT_EQ(lines[i].at("procs"), r.at("procs"));
  }
  // The last sample may precede a cycle that then completed and printed.
  const auto num_gc = r.at("num_gc").get<std::size_t>();
  EXPECT_GE(lines.size(), num_gc);
  EXPECT_LE(lines.size(), num_gc + 1);
  EXPECT_EQ(r.at("lost_pauses"), 0);
  EXPECT_EQ(r.at("pauses_ns").size(), num_gc);
  const auto& s = r.at("summary");
  EXPECT_LE(s.at("pause_p50_ns").get<double>(), s.at("pause_p99_ns").get<double>());
  EXPECT_LE(s.at("pause_p99_ns").get<double>(), s.at("pause_max_ns").get<double>());
  EXPECT_GE(r.at("gc_cpu_fraction").get<double>(), 0.0);
  EXPECT_LT(r.at("gc_cpu_fraction").get<double>(), 1.0);
  const auto& samples = r.at("samples");
  ASSERT_GE(samples.size(), 2u);
  for (std::size_t i = 1; i < samples.size(); ++i) EXPECT_GE(samples[i][0], samples[i - 1][0]);
  EXPECT_GE(r.at("peak_heap_inuse").get<uint64_t>(), r.at("peak_heap_alloc").get<uint64_t>());
  EXPECT_GT(r.at("total_alloc_bytes").get<uint64_t>(), 0u);
}

/// gctrace cycles per MiB the runtime allocated: GOGC's effect, whatever rate
/// a loaded machine achieved.
double cycles_per_mib(const nlohmann::json& r) {
  return static_cast<double>(r.at("gctrace").size()) / (r.at("total_alloc_bytes").get<double>() / (1 << 20));
}

// The work runs in one child per setting, so --cpuprofile FILE and
// --memprofile FILE give each setting's run its own files, named as the plots
// are (the setting before the extension); go tool pprof reads them and the
// service's request handler is where the memory went.
TEST(LabGcForensics, ProfileFlagsWriteOneProfilePerSetting) {
  const gort::test::ScratchDir dir("lab-gc", "profiles");
  const std::string cpu = (dir / "cpu.pprof").string(), mem = (dir / "mem.pprof").string();
  run_lab(dir, {"--short", "--gogc=100,off", "--requests=0", "--cpuprofile=" + cpu, "--memprofile=" + mem});
  EXPECT_FALSE(fs::exists(cpu)) << "the parent runs no gort::run";
  for (const char* slug : {"-gogc100", "-gogcoff"}) {
    const std::string c = (dir / ("cpu" + std::string(slug) + ".pprof")).string();
    const std::string m = (dir / ("mem" + std::string(slug) + ".pprof")).string();
    ASSERT_TRUE(fs::exists(c) && fs::exists(m)) << slug;
    EXPECT_NE(gort::test::go_tool_pprof({"-top"}, c).find("Type: cpu"), std::string::npos) << slug;
    const std::string heap = gort::test::go_tool_pprof({"-sample_index=alloc_space", "-top"}, m);
    EXPECT_NE(heap.find("serve_request"), std::string::npos) << slug << "\n" << heap;
  }
}

/// Checks steps 4 and 5 of a --short service run (4,000 requests per run).
void expect_steps_4_and_5(const nlohmann::json& j, const std::string& report, bool pprof_ran) {
  constexpr int64_t kRequests = 4'000;  // --short's --requests
  constexpr int64_t kAllocsPerRequest = 8;  // 4 chunks: a node and a payload each
  for (const char* section : {"## Step 4: the top five allocation sites", "### gort: top five sites, baseline",
                              "### gort: top five sites, refactored", "### Before and after",
                              "## Step 5: the GC mark phases in the trace", "trace-viewer serve "}) {
    EXPECT_NE(report.find(section), std::string::npos) << "missing " << section << " in\n" << report;
  }
  const auto& steps = j.at("steps_4_5");
  EXPECT_EQ(steps.at("requests"), kRequests);
  EXPECT_EQ(steps.at("one_run"), true) << "--short profiles, traces and benchmarks each variant in one run";
  EXPECT_EQ(steps.at("pprof_missing"), !pprof_ran);
  const auto& base = steps.at("gort").at("baseline");
  const auto& refactor = steps.at("gort").at("refactor");
  if (pprof_ran) {
    // go tool pprof's rows name the program's lines, the allocator hidden: the
    // request handler's two sites first, with every allocation recorded.
    const auto& rows = base.at("alloc_objects").at("rows");
    ASSERT_GE(rows.size(), 4u) << base.dump();
    for (int i = 0; i < 2; ++i) {
      const std::string site = rows[i].at("site");
      EXPECT_NE(site.find("serve_request"), std::string::npos) << site;
      EXPECT_NE(site.find("service.cpp:"), std::string::npos) << site;
      EXPECT_EQ(site.find("gort::gc::"), std::string::npos) << site;
      EXPECT_GE(std::stoll(rows[i].at("flat").get<std::string>()), kRequests * 4) << site;
    }
    EXPECT_NE(report.find("| 1 | "), std::string::npos) << report;
    // Refactored, the handler's sites are gone; the kept chunk's remain.
    for (const auto& row : refactor.at("alloc_objects").at("rows")) {
      if (row.at("flat") == "0") continue;
      EXPECT_EQ(row.at("site").get<std::string>().find("serve_request "), std::string::npos) << row.dump();
    }
    EXPECT_NE(refactor.at("alloc_objects").at("rows")[0].at("site").get<std::string>().find("kept_chunk"),
              std::string::npos) << refactor.dump();
    EXPECT_FALSE(base.at("alloc_space").at("rows").empty());
  }
  // The benchmark: a fixed request count, so the counts are exact on gort.
  const auto& b = base.at("bench");
  const auto& r = refactor.at("bench");
  EXPECT_EQ(b.at("requests"), kRequests);
  EXPECT_EQ(r.at("requests"), kRequests);
  EXPECT_EQ(b.at("mallocs"), kRequests * kAllocsPerRequest) << "every request allocates its 4 nodes and payloads";
  EXPECT_LT(r.at("mallocs").get<int64_t>(), kRequests * 2) << "at most the kept node and payload per request";
  EXPECT_LT(r.at("allocs_per_op").get<double>(), b.at("allocs_per_op").get<double>());
  EXPECT_LT(r.at("total_alloc_bytes").get<uint64_t>(), b.at("total_alloc_bytes").get<uint64_t>());
  EXPECT_LE(r.at("gc_cycles").get<int>(), b.at("gc_cycles").get<int>());
  EXPECT_GE(b.at("gc_cycles").get<int>(), 1) << "17 MB over a 4 MiB live heap at GOGC=100";
  // Step 5: trace-viewer's analysis finds the mark phases in the trace.
  const auto& trace = steps.at("trace");
  EXPECT_EQ(trace.at("error"), "") << trace.dump();
  const auto& phases = trace.at("mark_phases");
  ASSERT_GE(phases.size(), 1u) << trace.dump();
  int64_t prev_end = -1;
  for (const auto& m : phases) {
    const auto start = m.at("start_ns").get<int64_t>(), end = m.at("end_ns").get<int64_t>();
    const auto mark_start = m.at("mark_start_ns").get<int64_t>(), mark_end = m.at("mark_end_ns").get<int64_t>();
    EXPECT_LT(start, end) << m.dump();
    EXPECT_LE(start, mark_start) << m.dump();
    EXPECT_LT(mark_start, mark_end) << m.dump();
    EXPECT_LE(mark_end, end) << m.dump();
    EXPECT_GE(start, prev_end) << "cycles in order, one at a time";
    EXPECT_GE(m.at("pauses").get<int>(), 1) << "a cycle stops the world at least once";
    EXPECT_LE(end, trace.at("duration_ns").get<int64_t>());
    prev_end = end;
  }
  EXPECT_TRUE(fs::exists(trace.at("path").get<std::string>()));
}

TEST(LabGcForensics, ServiceRunsTheCoursesSettings) {
  const gort::test::ScratchDir dir("lab-gc", "service");
  std::string report;
  const bool pprof = have_go();
  // Without go, go tool pprof cannot read step 4's profiles: the report says
  // so and the lab exits with its own status, 3.
  const nlohmann::json j = run_lab(dir, {"--short"}, &report, pprof ? 0 : 3);
  expect_steps_4_and_5(j, report, pprof);
  for (const char* section : {"## Summary", "## GOGC=100\n", "## GOGC=50\n", "## GOGC=200\n",
                              "## GOGC=off GOMEMLIMIT=32MiB\n", "## Reading one gctrace line", "Cycles on gort:"}) {
    EXPECT_NE(report.find(section), std::string::npos) << "missing " << section << " in\n" << report;
  }
  ASSERT_EQ(j.at("settings").size(), 4u);
  for (const auto& s : j.at("settings")) {
    ASSERT_EQ(s.at("runs").size(), 1u) << s.dump();
    const auto& r = s.at("runs")[0];
    expect_consistent_run(r);
    EXPECT_EQ(r.at("workload"), "service");
    EXPECT_GT(r.at("requested_bytes").get<uint64_t>(), 0u);
    // The caches hold --live (4 MiB in --short) through the end.
    EXPECT_GE(r.at("samples").back()[1].get<uint64_t>(), uint64_t{3} << 20);
    // A plot is drawn, or the report says why: only a missing gnuplot may stop it.
    const std::string plot = s.at("plot").get<std::string>();
    if (plot.empty()) {
      EXPECT_NE(s.at("plot_error").get<std::string>().find("gnuplot"), std::string::npos) << s.at("plot_error");
    } else {
      EXPECT_TRUE(fs::exists(plot)) << plot;
      EXPECT_EQ(fs::path(plot).filename().string().rfind("heap-gogc", 0), 0u) << plot;
    }
  }
  const auto& gogc50 = run_of(j, "GOGC=50");
  const auto& gogc200 = run_of(j, "GOGC=200");
  EXPECT_GT(cycles_per_mib(gogc50), cycles_per_mib(gogc200)) << "GOGC=50 collects more often than GOGC=200";

  // GOGC=off: the 32 MiB limit alone starts cycles, and caps every goal.
  const auto& limited = run_of(j, "GOGC=off GOMEMLIMIT=32MiB");
  EXPECT_EQ(limited.at("gogc"), "off");
  // --short asks 100 MB in 1 s; a machine that allocates less than the limit
  // in that second (a TSAN build at load 10 did) never reaches it, and then
  // no cycle is due.  The run's own count of allocated bytes decides.
  if (limited.at("total_alloc_bytes").get<uint64_t>() > (uint64_t{32} << 20)) {
    ASSERT_GE(limited.at("gctrace").size(), 1u) << "no cycle under GOGC=off with a 32 MiB limit";
  }
  for (const auto& line : limited.at("gctrace")) EXPECT_LE(line.at("goal_mb").get<int>(), 32) << line.at("text");
}

/// The retain scenario's course set in --short mode (GOGC=100, 50, 200, then 100
/// under GOMEMLIMIT=20MiB), run once for the tests that read it.
struct RetainCourseRun {
  nlohmann::json json;
  std::string report;
};
const RetainCourseRun& retain_course_run() {
  static const RetainCourseRun run = [] {
    const gort::test::ScratchDir dir("lab-gc", "retain-course");
    RetainCourseRun r;
    r.json = run_lab(dir, {"--short", "--scenario=retain"}, &r.report);
    return r;
  }();
  return run;
}

TEST(LabGcForensics, RetainedHeapGrowsAndGogc50RunsMoreCyclesThanGogc200) {
  const nlohmann::json& j = retain_course_run().json;
  const std::string& report = retain_course_run().report;
  ASSERT_EQ(j.at("settings").size(), 4u);
  constexpr uint64_t kBuffers = 40'000;  // --short's --buffers
  for (const char* label : {"GOGC=50", "GOGC=200"}) {
    const auto& r = run_of(j, label);
    expect_consistent_run(r);
    EXPECT_EQ(r.at("retained_objects"), kBuffers);
    EXPECT_GE(r.at("peak_heap_alloc").get<uint64_t>(), kBuffers * 1024) << "every buffer is held at the end";
    const auto& samples = r.at("samples");
    EXPECT_GT(samples.back()[1].get<uint64_t>(), samples.front()[1].get<uint64_t>()) << "the heap grows";
    const auto& lines = r.at("gctrace");
    ASSERT_GE(lines.size(), 1u);
    if (lines.size() >= 2) {
      EXPECT_GT(lines.back().at("heap_mb")[2].get<int>(), lines.front().at("heap_mb")[2].get<int>())
          << "the live heap of later cycles holds more buffers";
    }
  }
  EXPECT_GT(run_of(j, "GOGC=50").at("gctrace").size(), run_of(j, "GOGC=200").at("gctrace").size())
      << report;
}

// The worked example's course set ends with GOGC=100 under GOMEMLIMIT=20MiB,
// below --short's 40 MB retained: the run finishes with every buffer kept, and
// once the live heap passes the limit the goal is the live heap, not more.
TEST(LabGcForensics, RetainCourseSetEndsWithTheMemoryLimitBelowTheLiveHeap) {
  const nlohmann::json& j = retain_course_run().json;
  const std::string& report = retain_course_run().report;
  ASSERT_EQ(j.at("settings").size(), 4u);
  EXPECT_NE(report.find("## GOGC=100 GOMEMLIMIT=20MiB\n"), std::string::npos) << report;
  const auto& r = run_of(j, "GOGC=100 GOMEMLIMIT=20MiB");
  expect_consistent_run(r);
  constexpr uint64_t kBuffers = 40'000;  // --short's --buffers
  EXPECT_EQ(r.at("retained_objects"), kBuffers);
  const auto& lines = r.at("gctrace");
  ASSERT_GE(lines.size(), 2u);
  int prev_live = 0;
  for (const auto& line : lines) {
    // 1 MB for gctrace's truncation to MB; the headroom keeps the goal under 20.
    if (prev_live >= 20) EXPECT_LE(line.at("goal_mb").get<int>(), prev_live + 1) << line.at("text");
    else EXPECT_LE(line.at("goal_mb").get<int>(), 20) << line.at("text");
    prev_live = line.at("heap_mb")[2].get<int>();
  }
  EXPECT_GT(prev_live, 20) << "the live heap passed the limit";
}

TEST(LabGcForensics, GoTwinLinesParseWithTheSameParser) {
  if (!have_go()) GTEST_SKIP() << "no go on PATH";
  const gort::test::ScratchDir dir("lab-gc", "twin");
  const nlohmann::json j = run_lab(dir, {"--short", "--scenario=retain", "--gogc=100", "--go"});
  const auto& go = run_of(j, "GOGC=100", "go");
  expect_consistent_run(go);
  EXPECT_EQ(go.at("retained_objects"), 40'000);
  EXPECT_GE(go.at("gctrace").size(), 1u);
  expect_consistent_run(run_of(j, "GOGC=100", "gort"));
}

TEST(LabGcForensics, BadFlagsExitWithStatus2AndNameTheFlag) {
  const std::vector<std::vector<std::string>> cases = {
      {"--rate", "100MBps"},     {"--rate", "fast"},     {"--rate", "0MB/s"},      {"--gogc", "fifty"},
      {"--gogc", "50,-1"},       {"--memlimit", "512MB"}, {"--memlimit", "lots"},  {"--duration", "10"},
      {"--scenario", "leak"},    {"--workers", "0"},     {"--live", "4 MiB"},      {"--buffers", "many"},
      {"--requests", "-1"},      {"--requests", "lots"},
  };
  gort::test::expect_flags_refused(cases);
}

TEST(LabGcForensics, HelpListsTheFlags) {
  const auto r = run_process({GORT_LAB_PROGRAM, "--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* flag : {"--scenario", "--gogc", "--memlimit", "--rate", "--short", "--go", "--svg", "--json",
                           "--requests", "--refactor", "--out-dir", "--memprofile"}) {
    EXPECT_NE(r.out.find(flag), std::string::npos) << flag;
  }
  EXPECT_EQ(r.out.find("--child"), std::string::npos) << "the internal mode stays out of --help";
}

}  // namespace
