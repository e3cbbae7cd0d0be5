// lab_stack_growth_test.cpp — the stack-growth lab, run in its short mode as a
// subprocess: the report's structure, the plausibility of its numbers (stack
// used grows with depth at a 256+-byte stride, StackInuse counts whole slots,
// resident pages follow the depth, a reused slot keeps its high-water pages,
// slots are reused across rounds), the overflow child's report, and bad flags.
#include <gtest/gtest.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "test_util.hpp"

namespace {

using nlohmann::json;

/// gort's stack slot and usable limit (runtime/src/stack.hpp).
constexpr std::uint64_t kSlotBytes = 256 * 1024;
constexpr std::uint64_t kLimitBytes = 245760;
constexpr std::uint64_t kPageBytes = 4096;

/// A unique file name in the temporary directory.
std::string temp_path(const std::string& stem) {
  const char* dir = std::getenv("TMPDIR");
  return std::string(dir != nullptr ? dir : "/tmp") + "/" + stem + "-" + std::to_string(getpid());
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// One short run of the lab, shared by the tests that read its output.
struct ShortRun {
  gort::test::ProcessResult result;
  json data;
  std::string svg;
  std::string svg_path;
};

const ShortRun& short_run() {
  static const ShortRun run = [] {
    ShortRun r;
    const std::string json_path = temp_path("stack-growth.json");
    r.svg_path = temp_path("stack-growth.svg");
    r.result = gort::test::run_process({GORT_LAB_PROGRAM, "--short", "--json", json_path, "--svg", r.svg_path});
    const std::string text = read_file(json_path);
    if (!text.empty()) r.data = json::parse(text, nullptr, false);
    r.svg = read_file(r.svg_path);
    std::remove(json_path.c_str());
    std::remove(r.svg_path.c_str());
    return r;
  }();
  return run;
}

TEST(LabStackGrowth, ShortRunPrintsEverySection) {
  const ShortRun& r = short_run();
  ASSERT_EQ(r.result.exit_code, 0) << r.result.err;
  for (const char* heading : {"# stack-growth", "## 1. depth(n) in one goroutine", "## 2. Stack churn",
                              "## 3. Stack in use over time", "## 4. Beyond the limit"}) {
    EXPECT_NE(r.result.out.find(heading), std::string::npos) << heading << "\n" << r.result.out;
  }
  EXPECT_NE(r.result.out.find("| n=0 "), std::string::npos) << r.result.out;
  EXPECT_NE(r.result.out.find("goroutine per call"), std::string::npos) << r.result.out;
  ASSERT_FALSE(r.data.is_discarded()) << "no --json output";
  EXPECT_TRUE(r.data["go"].is_null()) << "the Go twin runs only with --go";
}

TEST(LabStackGrowth, StackUsedGrowsByAFrameOfAtLeast256BytesPerCall) {
  const json& g = short_run().data["gort"];
  ASSERT_TRUE(g.is_object());
  const double per_frame = g["bytes_per_frame"].get<double>();
  EXPECT_GE(per_frame, 256.0) << "each depth call keeps a 256-byte buffer";
  EXPECT_LE(per_frame, 2048.0) << "a depth frame is the buffer plus a little (sanitizers add redzones)";
  std::uint64_t prev_used = 0;
  int prev_n = -1;
  for (const json& s : g["growth"]) {
    if (s["label"].get<std::string>().find("again") != std::string::npos) break;
    const int n = s["n"].get<int>();
    const auto used = s["used_bytes_max"].get<std::uint64_t>();
    EXPECT_GT(n, prev_n) << "steps ascend";
    if (prev_n >= 0) {
      const double expected = per_frame * (n - prev_n);
      EXPECT_NEAR(static_cast<double>(used - prev_used), expected, 64.0) << "linear in n at step n=" << n;
    }
    // The used range is resident: touched pages are backed (page rounding adds at most two).
    const auto resident = s["resident_used_bytes"].get<std::uint64_t>();
    EXPECT_GE(resident + kPageBytes, used) << "n=" << n;
    EXPECT_LE(resident, used + 2 * kPageBytes) << "n=" << n;
    EXPECT_LE(used, kLimitBytes);
    prev_used = used;
    prev_n = n;
  }
  // The "max" step comes within a few frames plus the headroom of the limit.
  EXPECT_GT(prev_used + 16 * 1024 + 4 * static_cast<std::uint64_t>(per_frame) + 8192, kLimitBytes)
      << "the max step should nearly fill the stack";
}

TEST(LabStackGrowth, StackInuseCountsWholeSlotsWhileResidentMemoryFollowsDepth) {
  const json& g = short_run().data["gort"];
  ASSERT_TRUE(g.is_object());
  EXPECT_EQ(g["slot_bytes"].get<std::uint64_t>(), kSlotBytes);
  EXPECT_EQ(g["stack_limit_bytes"].get<std::uint64_t>(), kLimitBytes);
  std::uint64_t prev_inuse = 0;
  for (const json& s : g["growth"]) {
    const auto inuse = s["process"]["stack_inuse"].get<std::uint64_t>();
    const auto sys = s["process"]["stack_sys"].get<std::uint64_t>();
    EXPECT_EQ(inuse % kSlotBytes, 0u) << "StackInuse counts 256 KiB slots";
    EXPECT_GE(sys, inuse);
    EXPECT_GT(s["process"]["rss"].get<std::uint64_t>(), 0u);
    // One goroutine at any depth binds one slot: StackInuse does not follow n.
    // A step may carve one slot (its goroutine ran on a P whose cache was
    // empty) and the first also the sampler's; 200 KiB more depth adds nothing.
    if (prev_inuse != 0) {
      EXPECT_LE(static_cast<double>(inuse) - static_cast<double>(prev_inuse), 2.0 * kSlotBytes) << s["label"];
    }
    prev_inuse = inuse;
  }
}

TEST(LabStackGrowth, AReusedSlotKeepsThePagesOfItsDeepestOwner) {
  const json& growth = short_run().data["gort"]["growth"];
  ASSERT_GE(growth.size(), 3u);
  const json& again = growth.back();
  ASSERT_NE(again["label"].get<std::string>().find("again"), std::string::npos) << again;
  const json* first = nullptr;
  const json* deepest = nullptr;
  for (const json& s : growth) {
    if (s["n"] == again["n"] && first == nullptr) first = &s;
    if (deepest == nullptr || s["n"].get<int>() > (*deepest)["n"].get<int>()) deepest = &s;
  }
  ASSERT_NE(first, nullptr);
  // Same depth, same used range, but the slot below it is still resident from the deep run.
  EXPECT_EQ(again["used_bytes_max"], (*first)["used_bytes_max"]);
  EXPECT_GE(again["resident_slot_bytes"].get<std::uint64_t>() + 2 * kPageBytes,
            (*deepest)["used_bytes_max"].get<std::uint64_t>())
      << "the slot keeps the deep run's pages";
  EXPECT_GT(again["resident_slot_bytes"].get<std::uint64_t>(),
            again["resident_used_bytes"].get<std::uint64_t>() + 8 * kPageBytes);
}

TEST(LabStackGrowth, ChurnSpreadsTheSameFramesAndReusesSlots) {
  const json& g = short_run().data["gort"];
  const int total = g["total_frames"].get<int>();
  ASSERT_GT(total, 0);
  const json& churn = g["churn"];
  ASSERT_EQ(churn.size(), 4u) << "1, 4, 16 goroutines and goroutine-per-call in --short";
  for (const json& c : churn) {
    const int k = c["goroutines"].get<int>();
    const int frames = c["frames_per_goroutine"].get<int>();
    EXPECT_EQ(k * frames, total) << c["style"];
    ASSERT_EQ(c["rounds"].size(), 3u);
    ASSERT_EQ(c["round_ns"].size(), 3u);
    for (const json& s : c["rounds"]) {
      EXPECT_EQ(s["goroutines"].get<int>(), k);
      // k goroutines held at once: at least k slots bound.
      EXPECT_GE(s["process"]["stack_inuse"].get<std::uint64_t>(), static_cast<std::uint64_t>(k) * kSlotBytes);
    }
    // Round 1 carves what the slots already carved cannot hold; later rounds
    // reuse them.  A slot freed on another P waits in that P's cache (at most
    // 32, runtime/src/p.hpp kStackCacheMax) while the spawning P carves anew,
    // so later rounds may add up to that many per P, never a round's worth.
    const auto first_slots = c["rounds"].front()["process"]["stack_inuse"].get<std::uint64_t>() / kSlotBytes;
    const auto last_slots = c["rounds"].back()["process"]["stack_inuse"].get<std::uint64_t>() / kSlotBytes;
    EXPECT_LE(static_cast<double>(last_slots) - static_cast<double>(first_slots), 32.0 * g["gomaxprocs"].get<int>())
        << c["style"];
  }
  const json& per_call = churn.back();
  EXPECT_EQ(per_call["style"], "goroutine per call");
  EXPECT_EQ(per_call["frames_per_goroutine"], 1);
  // Each link of the chain touches a page or two of its slot, not 256 KiB.
  const json& held = per_call["rounds"].back();
  EXPECT_LT(held["resident_used_bytes"].get<std::uint64_t>(), static_cast<std::uint64_t>(total) * 2 * kPageBytes);
}

// Each style ends with a GC, which gives the exited goroutines' slots back:
// the per-call style's StackInuse falls from hundreds of cached slots to the
// few goroutines alive (main, the sampler, a GC goroutine finishing), and the
// time series shows the fall.
TEST(LabStackGrowth, GcGivesTheChurnedSlotsBack) {
  const json& g = short_run().data["gort"];
  const json& per_call = g["churn"].back();
  ASSERT_EQ(per_call["style"], "goroutine per call");
  const int total = g["total_frames"].get<int>();
  const auto after_exit = per_call["after_exit"]["stack_inuse"].get<std::uint64_t>();
  const auto after_gc = per_call["after_gc"]["stack_inuse"].get<std::uint64_t>();
  EXPECT_GE(after_exit, static_cast<std::uint64_t>(total) * kSlotBytes) << "exited goroutines' slots wait in caches";
  EXPECT_LE(after_gc, 4 * kSlotBytes) << "after exit " << after_exit;
  bool fell = false;
  std::uint64_t peak = 0;
  for (const json& s : g["samples"]) {
    const auto inuse = s["stacks"]["stack_inuse"].get<std::uint64_t>();
    peak = std::max(peak, inuse);
    fell |= peak >= after_exit && inuse <= after_gc;
  }
  EXPECT_TRUE(fell) << "a sample after the per-call style's GC shows StackInuse down from its peak";
}

TEST(LabStackGrowth, TimeSeriesIsSampledAndPlotted) {
  const ShortRun& r = short_run();
  const json& g = r.data["gort"];
  ASSERT_GE(g["samples"].size(), 2u);
  double prev = -1;
  for (const json& s : g["samples"]) {
    EXPECT_GE(s["t_ms"].get<double>(), prev);
    prev = s["t_ms"].get<double>();
    EXPECT_EQ(s["stacks"]["stack_inuse"].get<std::uint64_t>() % kSlotBytes, 0u);
  }
  EXPECT_EQ(g["phases"].back()["name"], "end");
  if (r.result.out.find("Plot not drawn") == std::string::npos) {
    EXPECT_NE(r.svg.find("<svg"), std::string::npos) << "the report says the plot was drawn";
    EXPECT_NE(r.svg.find("gort StackInuse"), std::string::npos);
  }
}

TEST(LabStackGrowth, OverflowChildShowsTheRuntimesReport) {
  const ShortRun& r = short_run();
  const json& o = r.data["overflow"];
  ASSERT_TRUE(o.is_object());
  EXPECT_EQ(o["exit_code"], 2);
  EXPECT_EQ(o["limit_line"], "runtime: goroutine stack exceeds 245760-byte limit");
  EXPECT_TRUE(o["fatal_line"].get<bool>());
  EXPECT_EQ(o["stack_bytes"].get<std::uint64_t>(), kLimitBytes) << "stack=[lo, hi] spans the usable slot";
  EXPECT_NE(r.result.out.find("fatal error: stack overflow"), std::string::npos);
}

TEST(LabStackGrowth, OverflowModeExitsWithStatus2AndGosMessage) {
  std::vector<std::string> env;
#if defined(GORT_TSAN)
  // The report is printed from a signal handler by allocating symbolizers;
  // TSAN would report every such call (as in crash_test.cpp).
  env.push_back(gort::env_with_option("TSAN_OPTIONS", "report_signal_unsafe=0"));
#endif
  auto r = gort::test::run_process({GORT_LAB_PROGRAM, "--overflow"}, env);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("runtime: goroutine stack exceeds 245760-byte limit\n"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("fatal error: stack overflow\n"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("goroutine "), std::string::npos) << "a traceback follows\n" << r.err;
}

TEST(LabStackGrowth, MalformedFlagsExitWithStatus2AndOneLine) {
  struct Case {
    std::vector<std::string> args;
    const char* names;
  };
  const Case cases[] = {
      {{"--depths", "0,abc"}, "--depths"},     {{"--depths", "max"}, "--depths"},
      {{"--goroutines", "0"}, "--goroutines"}, {{"--total-frames", "-3"}, "--total-frames"},
      {{"--rounds", "0"}, "--rounds"},         {{"--sample-ms", "x"}, "--sample-ms"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> argv{GORT_LAB_PROGRAM};
    argv.insert(argv.end(), c.args.begin(), c.args.end());
    auto r = gort::test::run_process(argv);
    EXPECT_EQ(r.exit_code, 2) << c.args[0] << " " << c.args[1] << "\n" << r.err;
    EXPECT_NE(r.err.find(c.names), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "one line:\n" << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
}

TEST(LabStackGrowth, ADepthBeyondTheLimitIsRefusedNotCrashed) {
  auto r =
      gort::test::run_process({GORT_LAB_PROGRAM, "--short", "--depths", "0,16,5000", "--svg", "", "--no-overflow"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--depths 5000: would overflow"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("fatal error"), std::string::npos) << r.err;
}

TEST(LabStackGrowth, HelpExitsZero) {
  auto r = gort::test::run_process({GORT_LAB_PROGRAM, "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("--depths"), std::string::npos);
  EXPECT_NE(r.out.find("--overflow"), std::string::npos);
}

}  // namespace
