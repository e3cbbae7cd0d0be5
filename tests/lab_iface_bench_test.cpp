// lab_iface_bench_test.cpp — the iface-bench lab, run as a subprocess: the
// report's sections, the JSON's counts (every variant ran every run, the
// three-way paths and the handler versions computed the same results, the
// loggers recorded what their level allows), the allocations the design
// predicts (none for an int through format_args or std::any, one per op for
// a 24-byte std::any, a 24-byte std::function capture and a managed box),
// the disassembly (the virtual, std::function and template-of-interface
// loops make an indirect call, the concrete and template loops none), the
// report when objdump is missing, the Go twin beside it, and bad flags.  No
// timing thresholds: the figures are the lab's to report.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "lab_run.hpp"
#include "test_util.hpp"

namespace {

using nlohmann::json;
using gort::test::LabRun;

/// The variants in the lab's order.
const std::vector<std::string> kPaths{"concrete", "interface", "function", "generic", "generic-iface", "devirtualised"};
const std::vector<std::string> kLoggers{"interface", "concrete", "generic"};
const std::vector<std::string> kBoxing{"direct", "format-args", "any-int", "any-large", "to-string", "function",
                                       "gc-box"};

/// One run of the lab with --json and --svg into a scratch directory.
LabRun run_lab(const std::string& name, const std::vector<std::string>& args) {
  return gort::test::run_lab_in_scratch("lab-iface-bench", name, args);
}

/// Operations of the shared short run: a tenth of --short's in the sanitizer
/// builds, where every load of the loops is instrumented.
constexpr int kCalls = gort::test::kSanitizerDivisor > 1 ? 100'000 : 1'000'000;
constexpr int kRequests = gort::test::kSanitizerDivisor > 1 ? 10'000 : 100'000;
constexpr int kBoxes = gort::test::kSanitizerDivisor > 1 ? 2'000 : 20'000;
constexpr int kRuns = 3;

/// The short run, shared by the tests that read it.
const LabRun& short_run() {
  static const LabRun run = run_lab("short", {"--short", "--calls", std::to_string(kCalls), "--requests",
                                              std::to_string(kRequests), "--boxes", std::to_string(kBoxes)});
  return run;
}

/// The measurement group/name of a runtime's results (null json if absent).
json measurement(const json& r, const std::string& group, const std::string& name) {
  for (const json& m : r["measurements"]) {
    if (m["group"] == group && m["name"] == name) return m;
  }
  return json();
}

/// The disassembled function group/name (null json if absent).
json function(const json& d, const std::string& group, const std::string& name) {
  for (const json& f : d["functions"]) {
    if (f["group"] == group && f["name"] == name) return f;
  }
  return json();
}

/// Allocations per op of m on both heaps.
double allocs_per_op(const json& m) {
  const double ops = m["ops"].get<double>() * static_cast<double>(m["run_ns"].size());
  return (m["cxx_allocs"].get<double>() + m["managed_allocs"].get<double>()) / ops;
}

/// Checks one group: every variant, every run, one result.
void expect_group(const json& r, const std::string& group, const std::vector<std::string>& names, int runs,
                  std::uint64_t ops, bool same_result) {
  json first;
  for (const std::string& n : names) {
    const json m = measurement(r, group, n);
    ASSERT_TRUE(m.is_object()) << group << " " << n;
    EXPECT_EQ(m["ops"].get<std::uint64_t>(), ops) << n;
    ASSERT_EQ(m["run_ns"].size(), static_cast<std::size_t>(runs)) << n;
    for (const json& ns : m["run_ns"]) EXPECT_GT(ns.get<std::int64_t>(), 0) << n;
    if (first.is_null()) first = m;
    if (same_result) {
      EXPECT_EQ(m["result"], first["result"]) << group << ": " << n << " vs " << first["name"];
    }
  }
}

TEST(LabIfaceBench, ShortRunPrintsEverySection) {
  const LabRun& r = short_run();
  ASSERT_EQ(r.result.exit_code, 0) << r.result.err;
  for (const char* heading : {"# iface-bench", "## 1. Setup", "## 2. Three ways to call one method",
                              "## 3. Disassembly of each loop", "### gort (this binary, objdump)",
                              "## 4. A Logger called ten times", "## 5. Boxing", "## 6. Checks", "## 7. Plot"}) {
    EXPECT_NE(r.result.out.find(heading), std::string::npos) << heading << "\n" << r.result.out;
  }
  for (const std::string& p : kPaths) EXPECT_NE(r.result.out.find("| " + p + " |"), std::string::npos) << p;
  for (const std::string& b : kBoxing) EXPECT_NE(r.result.out.find("| " + b + " |"), std::string::npos) << b;
  EXPECT_EQ(r.result.out.find("FAILED"), std::string::npos) << r.result.out;
  EXPECT_EQ(r.result.out.find("### Go ("), std::string::npos) << "the Go twin runs only with --go";
  EXPECT_NE(r.result.err.find("iface-bench: gort runs:"), std::string::npos) << "progress on stderr\n" << r.result.err;
  ASSERT_FALSE(r.data.is_discarded()) << "no --json output";
  EXPECT_TRUE(r.data["go"].is_null());
  EXPECT_NE(r.data["command"].get<std::string>().find("--short"), std::string::npos);
}

TEST(LabIfaceBench, EveryVariantRanEveryRunAndTheGroupsAgree) {
  const json& g = short_run().data["gort"];
  EXPECT_EQ(g["runtime"], "gort");
  EXPECT_EQ(g["runs"].get<int>(), kRuns);
  EXPECT_EQ(g["log_level"], "info");
  EXPECT_EQ(g["measurements"].size(), kPaths.size() + kLoggers.size() + kBoxing.size());
  expect_group(g, "three-way", kPaths, kRuns, kCalls, true);
  expect_group(g, "logger", kLoggers, kRuns, kRequests, true);
  expect_group(g, "boxing", kBoxing, kRuns, kBoxes, true);
  for (const std::string& v : kLoggers) EXPECT_EQ(measurement(g, "logger", v)["logged_lines"].get<int64_t>(), 0) << v;
}

// The calls allocate nothing; boxing allocates exactly where the libraries'
// designs say.  "Less than one in a hundred ops" leaves room for the odd
// allocation of a runtime thread during a run; "at least one per op" is the
// box itself.
TEST(LabIfaceBench, AllocationsAreWhereTheDesignPutsThem) {
  const json& g = short_run().data["gort"];
  for (const std::string& p : kPaths) EXPECT_LT(allocs_per_op(measurement(g, "three-way", p)), 0.01) << p;
  for (const std::string& v : kLoggers) EXPECT_LT(allocs_per_op(measurement(g, "logger", v)), 0.01) << v;
  for (const char* b : {"direct", "format-args", "any-int", "to-string"}) {
    EXPECT_LT(allocs_per_op(measurement(g, "boxing", b)), 0.01) << b;
  }
  const double total = static_cast<double>(kBoxes) * kRuns;
  for (const char* b : {"any-large", "function"}) {
    const json m = measurement(g, "boxing", b);
    EXPECT_GE(m["cxx_allocs"].get<double>(), total) << b;
    EXPECT_LT(m["managed_allocs"].get<double>(), total / 100) << b;
  }
  const json box = measurement(g, "boxing", "gc-box");
  EXPECT_GE(box["managed_allocs"].get<double>(), total);
  EXPECT_GE(box["managed_bytes"].get<double>(), total * 8);
  EXPECT_LT(box["cxx_allocs"].get<double>(), total / 100);
}

TEST(LabIfaceBench, DisassemblyFindsTheIndirectCalls) {
  const LabRun& r = short_run();
  const json& d = r.data["gort_disassembly"];
  if (!d["error"].is_null()) GTEST_SKIP() << "objdump unavailable: " << d["error"];
  ASSERT_EQ(d["functions"].size(), kPaths.size() + kLoggers.size());
  // std::function's operator() is inlined into its loop only from -O2 on;
  // at the sanitizer builds' -O1 the loop calls it and it makes the
  // indirect call, so "function" is checked in the release build only.
  std::vector<const char*> indirect{"interface", "generic-iface"};
#if !defined(GORT_ASAN) && !defined(GORT_TSAN)
  indirect.push_back("function");
#endif
  for (const char* p : indirect) {
    const json f = function(d, "three-way", p);
    EXPECT_EQ(f["region"], "loop") << p;
    EXPECT_EQ(f["verdict"], "indirect call") << p;
    ASSERT_FALSE(f["indirect_lines"].empty()) << p;
    EXPECT_NE(f["indirect_lines"][0].get<std::string>().find("call *"), std::string::npos) << f["indirect_lines"];
    EXPECT_NE(r.result.out.find("<-- indirect call"), std::string::npos);
  }
  for (const char* p : {"concrete", "generic"}) {
    EXPECT_EQ(function(d, "three-way", p)["indirect_calls"].get<int>(), 0) << p;
  }
  EXPECT_EQ(function(d, "logger", "interface")["indirect_calls"].get<int>(), 10);
  EXPECT_EQ(function(d, "logger", "concrete")["indirect_calls"].get<int>(), 0);
  EXPECT_EQ(function(d, "logger", "generic")["indirect_calls"].get<int>(), 0);
#if !defined(GORT_ASAN) && !defined(GORT_TSAN)
  // -O2 (release): inlined, and the visible type devirtualised.  The
  // sanitizer builds are -O1 and call their checks from the loops.
  for (const char* p : {"concrete", "generic", "devirtualised"}) {
    EXPECT_EQ(function(d, "three-way", p)["verdict"], "inlined") << p;
  }
#endif
}

TEST(LabIfaceBench, MissingObjdumpIsReportedAndTheRestStillRuns) {
  const LabRun r = run_lab("no-objdump", {"--objdump", "/nonexistent/objdump", "--paths", "interface", "--loggers",
                                          "", "--boxing", "direct", "--calls", "1000", "--boxes", "100", "--runs",
                                          "1"});
  ASSERT_EQ(r.result.exit_code, 0) << r.result.err;
  EXPECT_NE(r.result.out.find("Not disassembled: /nonexistent/objdump could not be run"), std::string::npos)
      << r.result.out;
  EXPECT_FALSE(r.data["gort_disassembly"]["error"].is_null());
  expect_group(r.data["gort"], "three-way", {"interface"}, 1, 1000, true);
  expect_group(r.data["gort"], "boxing", {"direct"}, 1, 100, true);
}

TEST(LabIfaceBench, DebugLevelLogsTenLinesPerRequest) {
  const LabRun r = run_lab("debug", {"--log-level", "debug", "--paths", "", "--boxing", "", "--requests", "1000",
                                     "--runs", "2"});
  ASSERT_EQ(r.result.exit_code, 0) << r.result.err;
  const json& g = r.data["gort"];
  EXPECT_EQ(g["log_level"], "debug");
  expect_group(g, "logger", kLoggers, 2, 1000, true);
  for (const std::string& v : kLoggers) {
    EXPECT_EQ(measurement(g, "logger", v)["logged_lines"].get<int64_t>(), 10 * 1000 * 2) << v;
  }
}

TEST(LabIfaceBench, GoTwinRunsTheSameExperimentSideBySide) {
  const LabRun r = run_lab("go", {"--short", "--go", "--calls", "100000", "--requests", "10000", "--boxes", "2000",
                                  "--runs", "1"});
  ASSERT_EQ(r.result.exit_code, 0) << r.result.err;
  ASSERT_TRUE(r.data["go_error"].is_null()) << r.data["go_error"];
  const json& go = r.data["go"];
  EXPECT_EQ(go["runtime"], "go");
  EXPECT_EQ(go["version"].get<std::string>().rfind("go1.", 0), 0u) << go["version"];
  expect_group(go, "three-way", kPaths, 1, 100000, true);
  expect_group(go, "logger", kLoggers, 1, 10000, true);
  expect_group(go, "boxing", {"fmt-any", "fmt-itoa", "append-int"}, 1, 2000, true);
  // The three-way paths compute the same function on both runtimes.
  EXPECT_EQ(measurement(go, "three-way", "interface")["result"],
            measurement(r.data["gort"], "three-way", "interface")["result"]);
  EXPECT_EQ(measurement(go, "logger", "interface")["result"],
            measurement(r.data["gort"], "logger", "interface")["result"]);
  // Boxing into any allocates (convT64); AppendInt into a buffer does not.
  EXPECT_GE(allocs_per_op(measurement(go, "boxing", "fmt-any")), 1.0);
  EXPECT_LT(allocs_per_op(measurement(go, "boxing", "append-int")), 0.01);
  // go tool objdump: the interface, func-value and both generic loops call
  // indirectly (Go 1.19 stencils by GC shape and calls through the
  // dictionary); the concrete loop inlines.
  const json& d = r.data["go_disassembly"];
  ASSERT_TRUE(d["error"].is_null()) << d["error"];
  for (const char* p : {"interface", "function", "generic", "generic-iface"}) {
    const json f = function(d, "three-way", p);
    EXPECT_EQ(f["verdict"], "indirect call") << p << " " << f;
    ASSERT_FALSE(f["indirect_lines"].empty()) << p;
    EXPECT_NE(f["indirect_lines"][0].get<std::string>().find("CALL "), std::string::npos);
  }
  EXPECT_EQ(function(d, "three-way", "concrete")["verdict"], "inlined");
  EXPECT_EQ(function(d, "logger", "interface")["indirect_calls"].get<int>(), 10);
  EXPECT_EQ(function(d, "logger", "generic")["indirect_calls"].get<int>(), 10);
  bool escapes = false;
  for (const json& l : r.data["go_escape_lines"]) {
    escapes = escapes || l.get<std::string>().find("x escapes to heap") != std::string::npos;
  }
  EXPECT_TRUE(escapes) << r.data["go_escape_lines"];
  EXPECT_NE(r.result.out.find("### Go (go1."), std::string::npos) << r.result.out;
  EXPECT_NE(r.result.out.find("### Go (the twin, go tool objdump)"), std::string::npos);
}

TEST(LabIfaceBench, MalformedFlagsExitWithStatus2AndOneLine) {
  const std::vector<std::vector<std::string>> cases = {
      {"--paths", "concrete,bogus"}, {"--loggers", "virtual"}, {"--boxing", "any"},       {"--calls", "0"},
      {"--requests", "-5"},          {"--boxes", "1e6"},       {"--runs", "x"},           {"--log-level", "trace"},
      {"--objdump", ""},
  };
  gort::test::expect_flags_refused(cases);
  auto none = gort::test::run_process({GORT_LAB_PROGRAM, "--paths", "", "--loggers", "", "--boxing", ""});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.err.find("nothing to measure"), std::string::npos) << none.err;
}

TEST(LabIfaceBench, HelpExitsZero) {
  auto r = gort::test::run_process({GORT_LAB_PROGRAM, "--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* flag : {"--paths", "--loggers", "--boxing", "--calls", "--requests", "--boxes", "--runs",
                           "--log-level", "--objdump", "--short", "--json", "--svg", "--go", "--cpuprofile",
                           "--memprofile"}) {
    EXPECT_NE(r.out.find(flag), std::string::npos) << flag;
  }
}

}  // namespace
