// lab_pool_the_hot_path_test.cpp — the pool-the-hot-path lab, run in its short
// mode (in-process load) as a subprocess with the Go twin beside it: every
// request of each variant served, the pooled variant allocating fewer managed
// objects per request than the baseline (counts, not times), the profile's
// top three sites read by go tool pprof with the encode buffer's growth among
// the baseline's and gone from the pooled one's, the inserted assertion
// catching Put-without-Reset in gort and in Go, ThreadSanitizer catching the
// race in the TSAN build (and the symptom shown in the others), bad flags, and
// a missing wrk said plainly.  No timing thresholds.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "lab_run.hpp"
#include "test_util.hpp"

namespace {

using gort::test::LabRun;
using nlohmann::json;

/// Requests per variant of the shared run (and of its profiled phase): small
/// enough for TSAN, large enough that every site is sampled many times.
constexpr int kRequests = 200;
constexpr int kProfileRequests = 50;

/// The short run with the Go twin, shared by the tests that read it.
const LabRun& short_run() {
  static const LabRun run = gort::test::run_lab_in_scratch(
      "lab-pool-the-hot-path", "short",
      {"--short", "--go", "--requests", std::to_string(kRequests), "--profile-requests",
       std::to_string(kProfileRequests)});
  return run;
}

/// The variant called name in a runtime's results.
const json& variant(const json& runtime, const std::string& name) {
  for (const json& v : runtime["variants"]) {
    if (v["variant"] == name) return v;
  }
  static const json none;
  ADD_FAILURE() << "no variant " << name << " in " << runtime.dump();
  return none;
}

/// Whether any of the sites names `what`.
bool lists(const json& sites, const std::string& what) {
  for (const json& s : sites) {
    if (s["function"].get<std::string>().find(what) != std::string::npos) return true;
  }
  return false;
}

/// The misuse result of runtime/mode.
const json& misuse(const json& data, const std::string& runtime, const std::string& mode) {
  for (const json& m : data["misuse"]) {
    if (m["runtime"] == runtime && m["mode"] == mode) return m;
  }
  static const json none;
  ADD_FAILURE() << "no misuse " << runtime << "/" << mode;
  return none;
}

TEST(LabPoolTheHotPath, ShortRunReportsEverySection) {
  const LabRun& r = short_run();
  ASSERT_EQ(r.result.exit_code, 0) << r.result.err;
  for (const char* heading : {"## 1. The service under load", "## 2. The allocation profile: top three sites",
                              "## 3. The pool: baseline → pooled", "## 4. The misuse: Put without Reset",
                              "### gort baseline", "### gort pooled", "### Go baseline", "### Go pooled"}) {
    EXPECT_NE(r.result.out.find(heading), std::string::npos) << heading << "\n" << r.result.out;
  }
  ASSERT_TRUE(r.data.is_object());
  EXPECT_NE(r.svg.find("<svg"), std::string::npos);
}

TEST(LabPoolTheHotPath, EveryRequestServedAndThePoolSavesAllocations) {
  const LabRun& r = short_run();
  ASSERT_TRUE(r.data.is_object()) << r.result.err;
  for (const char* rt : {"gort", "go"}) {
    const json& runtime = r.data[rt];
    ASSERT_TRUE(runtime.is_object()) << rt << " " << r.data.value("go_error", "");
    ASSERT_EQ(runtime["variants"].size(), 2u);
    for (const json& v : runtime["variants"]) {
      EXPECT_EQ(v["requests"], kRequests) << rt << " " << v["variant"];
      EXPECT_EQ(v["errors"], 0) << rt << " " << v["variant"];
      EXPECT_EQ(v["load"], "in-process");
      EXPECT_GT(v["requests_per_second"].get<double>(), 0);
      EXPECT_LE(v["p50_us"].get<double>(), v["p99_us"].get<double>());
      EXPECT_LE(v["p99_us"].get<double>(), v["max_us"].get<double>());
    }
    // The pooled encode buffer replaces a fresh buffer and its growth.
    EXPECT_LT(variant(runtime, "pooled")["allocs_per_op"].get<double>(),
              variant(runtime, "baseline")["allocs_per_op"].get<double>())
        << rt;
  }
  // gort's baseline allocates per request: 19 strings, the items' growth (4),
  // the buffer's growth (4), the order and the buffer: at least 29 objects.
  EXPECT_GE(variant(r.data["gort"], "baseline")["allocs_per_op"].get<double>(), 29.0);
  // nlohmann's documents and gort::http's strings live on the C++ heap.
  EXPECT_GT(variant(r.data["gort"], "baseline")["cxx_allocs_per_op"].get<double>(), 0);
  EXPECT_EQ(variant(r.data["go"], "baseline")["cxx_allocs_per_op"], -1) << "Go has one heap";
}

TEST(LabPoolTheHotPath, ProfileTopSitesShowTheEncodeBufferBeforeAndNotAfter) {
  const LabRun& r = short_run();
  ASSERT_TRUE(r.data.is_object());
  const json& base = variant(r.data["gort"], "baseline");
  const json& pooled = variant(r.data["gort"], "pooled");
  for (const json* v : {&base, &pooled}) {
    ASSERT_EQ((*v)["profile_error"], "") << (*v)["profile_error"];
    ASSERT_EQ((*v)["top_objects"].size(), 3u);
    ASSERT_EQ((*v)["top_space"].size(), 3u);
    EXPECT_EQ((*v)["profile_requests"], kProfileRequests);
  }
  // Sites are source lines of the lab, the collector's frames hidden.
  EXPECT_TRUE(lists(base["top_objects"], "decode_order service.cpp:")) << base["top_objects"].dump();
  EXPECT_FALSE(lists(base["top_objects"], "gort::gc::")) << base["top_objects"].dump();
  EXPECT_TRUE(lists(base["top_space"], "ByteBuffer::write")) << base["top_space"].dump();
  EXPECT_FALSE(lists(pooled["top_space"], "ByteBuffer::write")) << pooled["top_space"].dump();
  EXPECT_FALSE(lists(pooled["top_objects"], "ByteBuffer::write")) << pooled["top_objects"].dump();
  // Go's decode allocates through encoding/json's reflection.
  EXPECT_TRUE(lists(variant(r.data["go"], "baseline")["top_objects"], "encoding/json"))
      << variant(r.data["go"], "baseline")["top_objects"].dump();
}

TEST(LabPoolTheHotPath, TheAssertionCatchesPutWithoutResetInBothRuntimes) {
  const LabRun& r = short_run();
  ASSERT_TRUE(r.data.is_object());
  for (const char* rt : {"gort", "go"}) {
    const json& m = misuse(r.data, rt, "assert");
    EXPECT_TRUE(m["ran"].get<bool>()) << rt;
    EXPECT_TRUE(m["caught"].get<bool>()) << rt << ": " << m["message"];
    EXPECT_EQ(m["exit_code"], 3) << rt;
    EXPECT_NE(m["message"].get<std::string>().find("Put without Reset"), std::string::npos) << m["message"];
  }
}

TEST(LabPoolTheHotPath, TheRaceIsCaughtByTheTsanBuildAndShownElsewhere) {
  const LabRun& r = short_run();
  ASSERT_TRUE(r.data.is_object());
  const json& m = misuse(r.data, "gort", "race");
  EXPECT_TRUE(m["ran"].get<bool>());
  EXPECT_NE(m["how_to_run"].get<std::string>().find("--misuse race"), std::string::npos);
  if (r.data["tsan_build"].get<bool>()) {
    EXPECT_TRUE(m["caught"].get<bool>()) << m["message"];
    EXPECT_EQ(m["exit_code"], 66);
    EXPECT_NE(m["message"].get<std::string>().find("ThreadSanitizer: data race"), std::string::npos);
  } else {
    EXPECT_FALSE(m["caught"].get<bool>());
    EXPECT_EQ(m["exit_code"], 0);
    // Without a detector the bug shows as responses carrying earlier ones.
    EXPECT_GT(m["last_response_bytes"].get<int64_t>(), m["first_response_bytes"].get<int64_t>());
  }
  // The twin's race build is skipped in --short, and the report says how to run it.
  const json& g = misuse(r.data, "go", "race");
  EXPECT_FALSE(g["ran"].get<bool>());
  EXPECT_NE(g["how_to_run"].get<std::string>().find("go run -race"), std::string::npos);
}

TEST(LabPoolTheHotPath, MisuseAssertAloneExitsWithStatus3) {
  auto r = gort::test::run_process({GORT_LAB_PROGRAM, "--misuse", "assert"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("assertion failed: a buffer from the pool holds"), std::string::npos) << r.err;
}

TEST(LabPoolTheHotPath, MissingWrkIsSaidPlainly) {
  auto r = gort::test::run_process({GORT_LAB_PROGRAM, "--load", "wrk"}, {"PATH=/nonexistent"});
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.err.find("wrk is not on PATH"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

TEST(LabPoolTheHotPath, MalformedFlagsExitWithStatus2AndOneLine) {
  const std::vector<std::vector<std::string>> cases = {
      {"--variant", "fast"},       {"--variant", ""},           {"--load", "ab"},
      {"--requests", "0"},         {"--connections", "x"},      {"--threads", "0"},
      {"--duration", "500ms"},     {"--duration", "10"},        {"--profile-requests", "-1"},
      {"--misuse", "double-put"},  {"--procs", "1000"},         {"--warmup", "1e3"},
  };
  gort::test::expect_flags_refused(cases, {"--load", "inproc"});
}

TEST(LabPoolTheHotPath, HelpExitsZero) {
  auto r = gort::test::run_process({GORT_LAB_PROGRAM, "--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* flag : {"--variant", "--load", "--duration", "--requests", "--connections", "--threads",
                           "--profile-requests", "--profile-dir", "--misuse", "--short", "--json", "--svg", "--go",
                           "--cpuprofile", "--memprofile"}) {
    EXPECT_NE(r.out.find(flag), std::string::npos) << flag;
  }
}

}  // namespace
