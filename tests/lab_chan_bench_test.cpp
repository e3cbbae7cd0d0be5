// lab_chan_bench_test.cpp — the chan-bench lab, run in its short mode as a
// subprocess: the report's sections; part 1's JSON (every variant ran every
// run and delivered every value in order, the queues' capacities, channels
// never counted waits, the medians are the runs' medians); part 2's nil
// channels (the toggle never chose a disabled case, a nil case beside a
// default never ran, a closed channel left in a select keeps being chosen);
// part 3's bridge (bounded by time, every message accounted for, the consumer
// no faster than its delay allows, the backlog grew); the plots; --parts; the
// Go twin beside it; bad flags.  No timing thresholds: the figures are the
// lab's to report, not the test's to judge.
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

/// Part 1's variants in the lab's order, and their queues' capacities at the
/// default --capacity 1024.
const std::vector<std::string> kVariants{"unbuffered", "buffered1", "buffered1024", "mutex", "ring"};
const std::vector<std::uint64_t> kCapacities{0, 1, 1024, 1024, 1024};

/// One run of the lab with --json and --svg into a scratch directory, the
/// bridge's plot (out-bridge.svg) read back too.
LabRun run_lab(const std::string& name, const std::vector<std::string>& args) {
  return gort::test::run_lab_in_scratch("lab-chan-bench", name, args, gort::test::kChildTimeoutMs, {"out-bridge.svg"});
}

/// Messages of the shared short run: --short's own 100,000, or a tenth in the
/// sanitizer builds, where every channel operation and atomic is instrumented.
constexpr std::uint64_t kShortMessages = gort::test::kSanitizerDivisor > 1 ? 10'000 : 100'000;
/// Upstream A's values in part 2 (B sends half): --short's own 20,000, or a
/// tenth under the sanitizers.
constexpr std::uint64_t kToggleMessages = gort::test::kSanitizerDivisor > 1 ? 2'000 : 20'000;

/// The short run, shared by the tests that read it.
const LabRun& short_run() {
  static const LabRun run = run_lab("short", {"--short", "--messages", std::to_string(kShortMessages),
                                              "--toggle-messages", std::to_string(kToggleMessages)});
  return run;
}

/// The nearest-rank median of a run's per-message times, as the lab computes it.
double median_ns_per_msg(const json& variant, double messages) {
  std::vector<double> ns;
  for (const json& t : variant["run_ns"]) ns.push_back(t.get<double>());
  std::sort(ns.begin(), ns.end());
  return ns[(ns.size() + 1) / 2 - 1] / messages;
}

/// Checks one runtime's part 1: every variant, every run, every value in order.
void expect_throughput(const json& t, int runs, std::uint64_t messages) {
  ASSERT_TRUE(t.is_object());
  EXPECT_EQ(t["messages"].get<std::uint64_t>(), messages);
  EXPECT_EQ(t["runs"].get<int>(), runs);
  ASSERT_EQ(t["variants"].size(), kVariants.size());
  for (std::size_t i = 0; i < kVariants.size(); ++i) {
    const json& v = t["variants"][i];
    EXPECT_EQ(v["name"], kVariants[i]);
    EXPECT_EQ(v["capacity"].get<std::uint64_t>(), kCapacities[i]) << v["name"];
    EXPECT_TRUE(v["in_order"].get<bool>()) << v["name"];
    ASSERT_EQ(v["run_ns"].size(), static_cast<std::size_t>(runs)) << v["name"];
    ASSERT_EQ(v["producer_waits"].size(), static_cast<std::size_t>(runs));
    ASSERT_EQ(v["consumer_waits"].size(), static_cast<std::size_t>(runs));
    for (const json& ns : v["run_ns"]) EXPECT_GT(ns.get<std::int64_t>(), 0) << v["name"];
  }
}

/// Checks one runtime's part 2: the nil channel disables its case.
void expect_toggle(const json& t, std::uint64_t a) {
  ASSERT_TRUE(t.is_object());
  const std::uint64_t b = a / 2;
  EXPECT_EQ(t["a_messages"].get<std::uint64_t>(), a);
  EXPECT_EQ(t["b_messages"].get<std::uint64_t>(), b);
  ASSERT_EQ(t["modes"].size(), 3u);
  for (const json& m : t["modes"]) {
    EXPECT_TRUE(m["in_order"].get<bool>()) << m["mode"];
    EXPECT_EQ(m["from_a"].get<std::uint64_t>(), a) << m["mode"];
    EXPECT_EQ(m["from_b"].get<std::uint64_t>(), b) << m["mode"];
  }
  const json& toggle = t["modes"][0];
  const json& both = t["modes"][1];
  const json& closed = t["modes"][2];
  EXPECT_EQ(toggle["mode"], "toggle");
  EXPECT_EQ(both["mode"], "both");
  EXPECT_EQ(closed["mode"], "closedNotNil");
  // Both upstreams were ready at every select, so only the nil assignments
  // kept the toggle alternating: never the same upstream twice while both
  // were open, and each closed channel seen exactly once.
  EXPECT_EQ(toggle["repeats"].get<std::uint64_t>(), 0u);
  EXPECT_EQ(toggle["closed_receives"].get<std::uint64_t>(), 2u);
  EXPECT_EQ(toggle["selects"].get<std::uint64_t>(), a + b + 2);
  // Both cases enabled: select chooses at random among ready cases; 2b
  // choices with no repeat at all would have probability 2^-(2b-1).
  EXPECT_GT(both["repeats"].get<std::uint64_t>(), 0u);
  EXPECT_EQ(both["closed_receives"].get<std::uint64_t>(), 2u);
  // A closed channel left in the select stays ready: after B closes it keeps
  // being chosen beside A's a-b remaining values (the probability of its
  // never winning again is 2^-(a-b)).
  EXPECT_GT(closed["closed_receives"].get<std::uint64_t>(), 2u);
  EXPECT_EQ(closed["selects"].get<std::uint64_t>(), a + b + closed["closed_receives"].get<std::uint64_t>());
  // select { case <-nilChan: default: } always runs the default.
  EXPECT_EQ(t["nil_default_selects"].get<std::uint64_t>(), a);
  EXPECT_EQ(t["nil_default_defaults"].get<std::uint64_t>(), a);
}

/// Checks one runtime's part 3 of the short mode (20,000 messages, 400ms,
/// 1ms per message, sampled every 20ms).
void expect_bridge(const json& b) {
  ASSERT_TRUE(b.is_object());
  EXPECT_EQ(b["message_bytes"].get<std::uint64_t>(), 64u);
  EXPECT_EQ(b["max_messages"].get<std::uint64_t>(), 20000u);
  EXPECT_EQ(b["limit_ns"].get<std::int64_t>(), 400'000'000);
  EXPECT_EQ(b["consumer_delay_ns"].get<std::int64_t>(), 1'000'000);
  EXPECT_EQ(b["sample_every_ns"].get<std::int64_t>(), 20'000'000);
  EXPECT_TRUE(b["in_order"].get<bool>());
  const auto sent = b["sent"].get<std::uint64_t>();
  const auto received = b["received"].get<std::uint64_t>();
  // The consumer sleeps 1ms after each message, so it cannot take all 20,000
  // within the run: the time limit, not the drain, must have stopped it, and
  // every message sent was either received or dropped from the buffer.
  EXPECT_EQ(b["stopped_by"], "time");
  EXPECT_LE(sent, 20000u);
  EXPECT_GT(sent, received);
  EXPECT_EQ(sent, received + b["dropped"].get<std::uint64_t>());
  const json& samples = b["samples"];
  // One sample at the start, then one per period until the limit.
  ASSERT_GE(samples.size(), 2u);
  std::int64_t last_t = -1;
  std::uint64_t peak_backlog = 0;
  for (const json& s : samples) {
    EXPECT_GT(s["t_ns"].get<std::int64_t>(), last_t);
    last_t = s["t_ns"].get<std::int64_t>();
    EXPECT_GT(s["rss_bytes"].get<std::uint64_t>(), 0u);
    EXPECT_LE(s["backlog"].get<std::uint64_t>(), sent);
    peak_backlog = std::max(peak_backlog, s["backlog"].get<std::uint64_t>());
  }
  EXPECT_GE(last_t, 400'000'000);
  EXPECT_GT(peak_backlog, 0u) << "the producer outran the consumer, so the buffer must have held messages";
}

TEST(LabChanBench, ShortRunPrintsEverySection) {
  const LabRun& r = short_run();
  ASSERT_EQ(r.result.exit_code, 0) << r.result.err;
  for (const char* heading :
       {"# chan-bench", "## 1. Throughput", "### gort", "## 2. Against the course's expectations",
        "| ring over unbuffered |", "| ring over buffered1024 |", "| mutex over buffered1024 |",
        "## 4. The nil-channel toggle", "| gort | toggle |", "| gort | both |", "| gort | closedNotNil |",
        "## 5. The unbounded bridge", "RSS first → peak", "## 6. Plots", "load average before the runs"}) {
    EXPECT_NE(r.result.out.find(heading), std::string::npos) << heading << "\n" << r.result.out;
  }
  for (const std::string& v : kVariants) {
    EXPECT_NE(r.result.out.find("| " + v + " |"), std::string::npos) << v << "\n" << r.result.out;
  }
  EXPECT_EQ(r.result.out.find("**NO**"), std::string::npos) << "a queue lost or reordered values";
  EXPECT_EQ(r.result.out.find("## 3. gort and Go"), std::string::npos) << "the Go twin runs only with --go";
  EXPECT_NE(r.result.err.find("chan-bench: throughput runs:"), std::string::npos) << r.result.err;
  EXPECT_NE(r.result.err.find("chan-bench: bridge stopped by time"), std::string::npos) << r.result.err;
  ASSERT_FALSE(r.data.is_discarded()) << "no --json output";
  EXPECT_TRUE(r.data["go"].is_null());
  EXPECT_EQ(r.data["gort"]["runtime"], "gort");
  EXPECT_EQ(r.data["gort"]["gomaxprocs"].get<int>(), 2);
  EXPECT_NE(r.data["command"].get<std::string>().find("--short"), std::string::npos);
}

TEST(LabChanBench, EveryVariantDeliversEveryValueInOrderInEveryRun) {
  const json& t = short_run().data["gort"]["throughput"];
  expect_throughput(t, 2, kShortMessages);
  EXPECT_EQ(t["wait"], "backoff");
}

TEST(LabChanBench, ChannelsParkInsteadOfCountingWaits) {
  const json& variants = short_run().data["gort"]["throughput"]["variants"];
  for (int i : {0, 1, 2}) {
    for (const json& w : variants[i]["producer_waits"]) EXPECT_EQ(w.get<std::uint64_t>(), 0u) << variants[i]["name"];
    for (const json& w : variants[i]["consumer_waits"]) EXPECT_EQ(w.get<std::uint64_t>(), 0u) << variants[i]["name"];
  }
}

TEST(LabChanBench, MediansAreTheRunsMedians) {
  const json& t = short_run().data["gort"]["throughput"];
  const double messages = t["messages"].get<double>();
  for (const json& v : t["variants"]) {
    const double median = median_ns_per_msg(v, messages);
    EXPECT_DOUBLE_EQ(v["ns_per_msg_median"].get<double>(), median) << v["name"];
    EXPECT_NEAR(v["msgs_per_sec_median"].get<double>() * median, 1e9, 1e9 * 1e-9) << v["name"];
  }
}

TEST(LabChanBench, NilChannelDisablesItsSelectCase) {
  expect_toggle(short_run().data["gort"]["toggle"], kToggleMessages);
  EXPECT_NE(short_run().result.out.find("ran its default"), std::string::npos);
}

TEST(LabChanBench, UnboundedBridgeIsStoppedByItsTimeLimit) { expect_bridge(short_run().data["gort"]["bridge"]); }

TEST(LabChanBench, PlotsHaveTheirLines) {
  const LabRun& r = short_run();
  if (r.result.out.find("plot not drawn") != std::string::npos) GTEST_SKIP() << "gnuplot missing";
  EXPECT_NE(r.svg.find("<svg"), std::string::npos);
  EXPECT_NE(r.svg.find("gort"), std::string::npos);
  EXPECT_NE(r.files.at("out-bridge.svg").find("<svg"), std::string::npos);
  for (const char* line : {"gort backlog", "gort RSS", "gort HeapAlloc"}) {
    EXPECT_NE(r.files.at("out-bridge.svg").find(line), std::string::npos) << line;
  }
}

// --parts runs only what it names; the rest is null in the JSON and said so.
TEST(LabChanBench, PartsRunOnlyWhatTheyName) {
  const LabRun r = run_lab("parts", {"--short", "--parts", "toggle", "--toggle-messages", "100"});
  ASSERT_EQ(r.result.exit_code, 0) << r.result.err;
  EXPECT_TRUE(r.data["gort"]["throughput"].is_null());
  EXPECT_TRUE(r.data["gort"]["bridge"].is_null());
  expect_toggle(r.data["gort"]["toggle"], 100);
  EXPECT_NE(r.result.out.find("Not run (--parts)"), std::string::npos) << r.result.out;
  EXPECT_TRUE(r.files.at("out-bridge.svg").empty()) << "no bridge plot without the bridge";
}

// Capacity 1 for the mutex queue and the ring: every push fills the queue and
// every pop empties it, so each message waits for the other side.
TEST(LabChanBench, CapacityOneStillDeliversInOrder) {
  const LabRun r = run_lab("capacity-one", {"--parts", "throughput", "--capacity", "1", "--messages", "5000",
                                            "--runs", "1", "--variants", "mutex,ring"});
  ASSERT_EQ(r.result.exit_code, 0) << r.result.err;
  const json& t = r.data["gort"]["throughput"];
  ASSERT_EQ(t["variants"].size(), 2u);
  for (const json& v : t["variants"]) {
    EXPECT_EQ(v["capacity"].get<std::uint64_t>(), 1u);
    EXPECT_TRUE(v["in_order"].get<bool>()) << v["name"];
  }
}

TEST(LabChanBench, GoTwinRunsTheSameExperimentSideBySide) {
  const LabRun r = run_lab("go", {"--short", "--go", "--runs", "1", "--messages", "20000", "--toggle-messages",
                                  std::to_string(kToggleMessages)});
  ASSERT_EQ(r.result.exit_code, 0) << r.result.err;
  ASSERT_TRUE(r.data["go_error"].is_null()) << r.data["go_error"];
  const json& go = r.data["go"];
  EXPECT_EQ(go["runtime"], "go");
  EXPECT_EQ(go["version"].get<std::string>().rfind("go1.", 0), 0u) << go["version"];
  EXPECT_EQ(go["gomaxprocs"].get<int>(), 2);
  expect_throughput(go["throughput"], 1, 20000);
  expect_toggle(go["toggle"], kToggleMessages);
  expect_bridge(go["bridge"]);
  EXPECT_NE(r.result.out.find("### Go (go1."), std::string::npos) << r.result.out;
  EXPECT_NE(r.result.out.find("## 3. gort and Go side by side"), std::string::npos) << r.result.out;
  EXPECT_NE(r.files.at("out-bridge.svg").find("Go (go1."), std::string::npos);
}

TEST(LabChanBench, MalformedFlagsExitWithStatus2AndOneLine) {
  const std::vector<std::vector<std::string>> cases = {
      {"--capacity", "1000"},        {"--capacity", "0"},          {"--variants", "ring,queue"},
      {"--variants", ""},            {"--messages", "0"},          {"--runs", "x"},
      {"--procs", "0"},              {"--wait", "sleep"},          {"--parts", "throughput,plot"},
      {"--toggle-messages", "1"},    {"--bridge-messages", "-5"},  {"--bridge-time", "5"},
      {"--consumer-delay", "0s"},    {"--sample-every", "1h"},
  };
  gort::test::expect_flags_refused(cases);
}

TEST(LabChanBench, HelpExitsZero) {
  auto r = gort::test::run_process({GORT_LAB_PROGRAM, "--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* flag : {"--parts", "--variants", "--messages", "--capacity", "--runs", "--procs", "--wait",
                           "--toggle-messages", "--bridge-messages", "--bridge-time", "--consumer-delay",
                           "--sample-every", "--short", "--json", "--svg", "--go", "--cpuprofile", "--memprofile"}) {
    EXPECT_NE(r.out.find(flag), std::string::npos) << flag;
  }
}

}  // namespace
