// lab_spsc_ring_test.cpp — the spsc-ring lab, run in its short mode as a
// subprocess: the report's structure, the plausibility of its JSON (every
// variant ran every run and delivered every value in order, the padded ring's
// indices are a line apart and withoutPad's share one, the medians are the
// runs' medians, the calibration ran every round), the plot, the edge settings
// (capacity 1, one P, every wait policy), the Go twin beside it, and bad
// flags.  No timing thresholds: the figures are the lab's to report, not the
// test's to judge.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "lab_run.hpp"
#include "test_util.hpp"

namespace {

using nlohmann::json;
using gort::test::LabRun;

/// The variants in the lab's order.
const std::vector<std::string> kVariants{"ring", "withoutPad", "cached", "cachedWithoutPad", "chan", "mutex"};

/// One run of the lab with --json and --svg into a scratch directory.
LabRun run_lab(const std::string& name, const std::vector<std::string>& args) {
  return gort::test::run_lab_in_scratch("lab-spsc-ring", name, args);
}

/// Messages of the shared short run: --short's own 200,000, or a tenth in the
/// sanitizer builds, where every atomic access of the ring is instrumented (a
/// whole short run took 25–30 s under TSAN, and every test runs it again).
constexpr std::uint64_t kShortMessages = gort::test::kSanitizerDivisor > 1 ? 20'000 : 200'000;

/// The short run, shared by the tests that read it.
const LabRun& short_run() {
  static const LabRun run = run_lab("short", {"--short", "--messages", std::to_string(kShortMessages)});
  return run;
}

/// The nearest-rank median of a run's per-message times, as the lab computes it.
double median_ns_per_msg(const json& variant, double messages) {
  std::vector<double> ns;
  for (const json& t : variant["run_ns"]) ns.push_back(t.get<double>());
  std::sort(ns.begin(), ns.end());
  return ns[(ns.size() + 1) / 2 - 1] / messages;
}

/// Checks one runtime's results: every variant, every run, every value in order.
void expect_complete(const json& r, const std::vector<std::string>& variants, int runs, std::uint64_t messages) {
  ASSERT_TRUE(r.is_object());
  EXPECT_EQ(r["messages"].get<std::uint64_t>(), messages);
  EXPECT_EQ(r["runs"].get<int>(), runs);
  ASSERT_EQ(r["variants"].size(), variants.size());
  for (std::size_t i = 0; i < variants.size(); ++i) {
    const json& v = r["variants"][i];
    EXPECT_EQ(v["name"], variants[i]);
    EXPECT_TRUE(v["in_order"].get<bool>()) << v["name"];
    ASSERT_EQ(v["run_ns"].size(), static_cast<std::size_t>(runs)) << v["name"];
    ASSERT_EQ(v["producer_waits"].size(), static_cast<std::size_t>(runs));
    ASSERT_EQ(v["consumer_waits"].size(), static_cast<std::size_t>(runs));
    for (const json& ns : v["run_ns"]) EXPECT_GT(ns.get<std::int64_t>(), 0) << v["name"];
  }
  // The calibration: one cache line bounced messages/10 times, once per round.
  EXPECT_EQ(r["line_round_trips"].get<std::uint64_t>(), std::max<std::uint64_t>(1, messages / 10));
  ASSERT_EQ(r["line_round_trip_run_ns"].size(), static_cast<std::size_t>(runs));
  for (const json& ns : r["line_round_trip_run_ns"]) EXPECT_GT(ns.get<std::int64_t>(), 0);
}

TEST(LabSpscRing, ShortRunPrintsEverySection) {
  const LabRun& r = short_run();
  ASSERT_EQ(r.result.exit_code, 0) << r.result.err;
  for (const char* heading : {"# spsc-ring", "## 1. Setup", "One cache line's round trip", "## 2. Throughput",
                              "### gort", "## 3. Ratios",
                              "## 5. Plot", "| withoutPad / ring |", "| cachedWithoutPad / cached |",
                              "| chan / ring |", "| mutex / ring |"}) {
    EXPECT_NE(r.result.out.find(heading), std::string::npos) << heading << "\n" << r.result.out;
  }
  for (const std::string& v : kVariants) {
    EXPECT_NE(r.result.out.find("| " + v + " |"), std::string::npos) << v << "\n" << r.result.out;
  }
  EXPECT_EQ(r.result.out.find("**NO**"), std::string::npos) << "a variant lost or reordered values";
  EXPECT_EQ(r.result.out.find("## 4. gort and Go"), std::string::npos) << "the Go twin runs only with --go";
  EXPECT_NE(r.result.err.find("spsc-ring: gort runs:"), std::string::npos) << "progress on stderr\n" << r.result.err;
  ASSERT_FALSE(r.data.is_discarded()) << "no --json output";
  EXPECT_TRUE(r.data["go"].is_null());
  EXPECT_NE(r.data["command"].get<std::string>().find("--short"), std::string::npos);
  EXPECT_FALSE(r.data["load_before"].get<std::string>().empty());
  EXPECT_NE(r.result.out.find("load average before the runs"), std::string::npos);
}

TEST(LabSpscRing, EveryVariantDeliversEveryValueInOrderInEveryRun) {
  const json& g = short_run().data["gort"];
  expect_complete(g, kVariants, 3, kShortMessages);
  EXPECT_EQ(g["runtime"], "gort");
  EXPECT_EQ(g["gomaxprocs"].get<int>(), 2);
  EXPECT_EQ(g["capacity"].get<std::uint64_t>(), 1024u);
  EXPECT_EQ(g["wait"], "backoff");
}

/// Checks the index placement of one runtime's ring variants (the first four).
void expect_placements(const json& variants) {
  ASSERT_EQ(variants.size(), kVariants.size());
  for (int padded : {0, 2}) {
    EXPECT_EQ(variants[padded]["head_to_tail_bytes"].get<std::int64_t>(), 64) << variants[padded]["name"];
    EXPECT_FALSE(variants[padded]["same_cache_line"].get<bool>()) << variants[padded]["name"];
  }
  for (int shared : {1, 3}) {
    EXPECT_EQ(variants[shared]["head_to_tail_bytes"].get<std::int64_t>(), 8) << variants[shared]["name"];
    EXPECT_TRUE(variants[shared]["same_cache_line"].get<bool>()) << variants[shared]["name"];
  }
}

TEST(LabSpscRing, PaddedIndicesAreALineApartAndWithoutPadsShareOne) {
  const json& variants = short_run().data["gort"]["variants"];
  expect_placements(variants);
  for (int i : {4, 5}) {
    EXPECT_TRUE(variants[i]["head_to_tail_bytes"].is_null()) << variants[i]["name"];
    EXPECT_TRUE(variants[i]["same_cache_line"].is_null());
  }
}

TEST(LabSpscRing, MediansAreTheRunsMedians) {
  const json& g = short_run().data["gort"];
  const double messages = g["messages"].get<double>();
  for (const json& v : g["variants"]) {
    const double median = median_ns_per_msg(v, messages);
    EXPECT_DOUBLE_EQ(v["ns_per_msg_median"].get<double>(), median) << v["name"];
    EXPECT_NEAR(v["msgs_per_sec_median"].get<double>() * median, 1e9, 1e9 * 1e-9) << v["name"];
  }
}

TEST(LabSpscRing, ChannelsParkInsteadOfCountingWaits) {
  const json& chan = short_run().data["gort"]["variants"][4];
  ASSERT_EQ(chan["name"], "chan");
  for (const json& w : chan["producer_waits"]) EXPECT_EQ(w.get<std::uint64_t>(), 0u);
  for (const json& w : chan["consumer_waits"]) EXPECT_EQ(w.get<std::uint64_t>(), 0u);
}

TEST(LabSpscRing, PlotHasALinePerVariant) {
  const LabRun& r = short_run();
  if (r.result.out.find("Plot not drawn") != std::string::npos) GTEST_SKIP() << "gnuplot missing";
  EXPECT_NE(r.svg.find("<svg"), std::string::npos);
  for (const std::string& v : kVariants) EXPECT_NE(r.svg.find("gort " + v), std::string::npos) << v;
}

// Capacity 1 is the sharpest edge: every push fills the ring and every pop
// empties it, so each message waits for the other side.
TEST(LabSpscRing, CapacityOneStillDeliversInOrder) {
  const LabRun r = run_lab("capacity-one", {"--capacity", "1", "--messages", "5000", "--runs", "2"});
  ASSERT_EQ(r.result.exit_code, 0) << r.result.err;
  expect_complete(r.data["gort"], kVariants, 2, 5000);
  EXPECT_EQ(r.data["gort"]["capacity"].get<std::uint64_t>(), 1u);
}

// Each wait policy, on two Ps and a small ring (many full and empty spells).
TEST(LabSpscRing, EveryWaitPolicyDeliversInOrder) {
  for (const char* wait : {"backoff", "spin", "gosched"}) {
    const LabRun r = run_lab(std::string("wait-") + wait,
                             {"--wait", wait, "--capacity", "16", "--messages", "5000", "--runs", "1", "--variants",
                              "ring,withoutPad,cached,mutex"});
    ASSERT_EQ(r.result.exit_code, 0) << wait << "\n" << r.result.err;
    expect_complete(r.data["gort"], {"ring", "withoutPad", "cached", "mutex"}, 1, 5000);
    EXPECT_EQ(r.data["gort"]["wait"], wait);
  }
}

// On one P the sides must yield to each other: gosched hands the P over.
TEST(LabSpscRing, OnePWithGoschedTakesTurns) {
  const LabRun r =
      run_lab("one-p", {"--procs", "1", "--wait", "gosched", "--messages", "20000", "--runs", "1", "--variants",
                        "ring,withoutPad,mutex"});
  ASSERT_EQ(r.result.exit_code, 0) << r.result.err;
  const json& g = r.data["gort"];
  expect_complete(g, {"ring", "withoutPad", "mutex"}, 1, 20000);
  EXPECT_EQ(g["gomaxprocs"].get<int>(), 1);
  EXPECT_EQ(g["wait"], "gosched");
  // One P: a side runs until the ring is full (or empty), then yields, so
  // each side waits about once per ring's worth of messages, never per message.
  for (const json& v : {g["variants"][0], g["variants"][1]}) {
    EXPECT_LE(v["producer_waits"][0].get<std::uint64_t>(), 2u * 20000 / 1024 + 2) << v["name"];
    EXPECT_LE(v["consumer_waits"][0].get<std::uint64_t>(), 2u * 20000 / 1024 + 2) << v["name"];
  }
}

TEST(LabSpscRing, GoTwinRunsTheSameVariantsSideBySide) {
  const LabRun r = run_lab("go", {"--short", "--go", "--runs", "1", "--messages", "20000"});
  ASSERT_EQ(r.result.exit_code, 0) << r.result.err;
  ASSERT_TRUE(r.data["go_error"].is_null()) << r.data["go_error"];
  const json& go = r.data["go"];
  expect_complete(go, kVariants, 1, 20000);
  EXPECT_EQ(go["runtime"], "go");
  EXPECT_EQ(go["version"].get<std::string>().rfind("go1.", 0), 0u) << go["version"];
  EXPECT_EQ(go["gomaxprocs"].get<int>(), 2);
  EXPECT_EQ(go["wait"], "backoff");
  expect_placements(go["variants"]);
  EXPECT_NE(r.result.out.find("### Go (go1."), std::string::npos) << r.result.out;
  EXPECT_NE(r.result.out.find("## 4. gort and Go side by side"), std::string::npos) << r.result.out;
}

TEST(LabSpscRing, MalformedFlagsExitWithStatus2AndOneLine) {
  const std::vector<std::vector<std::string>> cases = {
      {"--capacity", "1000"}, {"--capacity", "0"}, {"--variants", "ring,queue"}, {"--messages", "0"},
      {"--runs", "x"},        {"--procs", "0"},    {"--wait", "sleep"},
  };
  gort::test::expect_flags_refused(cases);
}

TEST(LabSpscRing, HelpExitsZero) {
  auto r = gort::test::run_process({GORT_LAB_PROGRAM, "--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* flag : {"--variants", "--messages", "--capacity", "--runs", "--procs", "--wait", "--short",
                           "--json", "--svg", "--go"}) {
    EXPECT_NE(r.out.find(flag), std::string::npos) << flag;
  }
}

}  // namespace
