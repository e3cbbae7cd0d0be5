// lab_survival_pool_test.cpp — the survival-pool lab, run in its short mode
// as a subprocess: every failure mode's section and its counts (they add up;
// a burst is dropped and counted; slow tasks time out; panics are recovered
// by a worker that keeps serving; no goroutine outlives cancel + wait), the
// broken pool's leak caught with its creation site and wait reason, the
// stress run's accounting, the Go twin beside it, and bad flags.  No timing
// thresholds: the figures are the lab's to report, not the test's to judge.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "lab_run.hpp"
#include "test_util.hpp"

namespace {

using nlohmann::json;
using gort::test::LabRun;

/// One run of the lab with --json and --svg into a scratch directory.
LabRun run_lab(const std::string& name, const std::vector<std::string>& args) {
  return gort::test::run_lab_in_scratch("lab-survival-pool", name, args);
}

/// The short run with the broken pool, shared by the tests that read it
/// (--short already cuts the stress tasks further in sanitizer builds).
const LabRun& short_run() {
  static const LabRun run = run_lab("short", {"--short", "--broken"});
  return run;
}

/// The five outcome counters of a counts object add up to its submissions.
void expect_adds_up(const json& c, const std::string& what) {
  const int64_t sum = c["completed"].get<int64_t>() + c["dropped"].get<int64_t>() + c["timed_out"].get<int64_t>() +
                      c["failed"].get<int64_t>() + c["abandoned"].get<int64_t>();
  EXPECT_EQ(c["submitted"].get<int64_t>(), sum) << what << ": " << c.dump();
  EXPECT_TRUE(c["adds_up"].get<bool>()) << what;
}

/// Checks one runtime's results of the short run with --broken.
void expect_survives(const json& r) {
  ASSERT_TRUE(r.is_object());
  const json& bp = r["backpressure"];
  expect_adds_up(bp["counts"], "backpressure");
  // The burst is many times what the queue and the workers can hold.
  EXPECT_GT(bp["counts"]["dropped"].get<int64_t>(), 0);
  EXPECT_LE(bp["counts"]["submitted"].get<int64_t>() - bp["counts"]["dropped"].get<int64_t>(),
            bp["counts"]["submitted"].get<int64_t>());
  const json& sd = r["shutdown"];
  expect_adds_up(sd["counts"], "shutdown");
  EXPECT_EQ(sd["counts"]["submitted"].get<int64_t>(), sd["workers"].get<int64_t>() + sd["queue"].get<int64_t>());
  EXPECT_EQ(sd["counts"]["dropped"].get<int64_t>(), 0);
  // Shutdown ends only after the drain deadline or an empty queue: the
  // cancel-to-last-worker time is a measured, positive figure.
  EXPECT_GT(sd["shutdown_ns"].get<int64_t>(), 0);
  const json& to = r["timeouts"];
  expect_adds_up(to["counts"], "timeouts");
  EXPECT_EQ(to["counts"]["timed_out"].get<int64_t>(), to["slow_tasks"].get<int64_t>());
  EXPECT_EQ(to["counts"]["completed"].get<int64_t>(), to["fast_tasks"].get<int64_t>());
  EXPECT_EQ(to["timeout_ns"].get<int64_t>(), 100'000'000);
  const json& pa = r["panics"];
  expect_adds_up(pa["counts"], "panics");
  EXPECT_EQ(pa["workers"].get<int>(), 1);
  EXPECT_EQ(pa["counts"]["failed"].get<int64_t>(), pa["panicking_tasks"].get<int64_t>());
  EXPECT_EQ(pa["counts"]["completed"].get<int64_t>(), pa["ordinary_tasks"].get<int64_t>());
  // The first task throws, so every ordinary task is served by the one worker after it recovered.
  EXPECT_EQ(pa["counts"]["served_after_panic"].get<int64_t>(), pa["ordinary_tasks"].get<int64_t>());
  EXPECT_EQ(pa["goroutines_before"], pa["goroutines_after"]);
  EXPECT_EQ(pa["first_panic"], "task 0: simulated bug");
  const json& lk = r["leak"];
  expect_adds_up(lk["clean_counts"], "leak");
  EXPECT_TRUE(lk["clean_leaks"].empty()) << lk["clean_leaks"].dump();
  EXPECT_TRUE(lk["broken_ran"].get<bool>());
  EXPECT_EQ(lk["broken_leaks"].get<int64_t>(), lk["workers"].get<int64_t>());
  EXPECT_EQ(lk["broken_leaks_worker_receive"].get<int64_t>(), lk["workers"].get<int64_t>());
  EXPECT_EQ(lk["broken_leaks_after_release"].get<int64_t>(), 0);
  ASSERT_EQ(lk["broken_sample"].size(), 3u);
  for (const json& g : lk["broken_sample"]) {
    EXPECT_EQ(g["state"], "chan receive");
    EXPECT_GT(g["creation_line"].get<int>(), 0);
    EXPECT_FALSE(g["creation_file"].get<std::string>().empty());
  }
  const json& st = r["stress"];
  expect_adds_up(st["counts"], "stress");
  EXPECT_EQ(st["counts"]["submitted"].get<int64_t>(), st["tasks"].get<int64_t>());  // blocking submissions
  EXPECT_EQ(st["counts"]["dropped"].get<int64_t>(), 0);
  // The task mix as the lab builds it: task i throws when i % panic_every ==
  // panic_every - 1 and waits past its deadline when i % slow_every == slow_every / 2.
  const int64_t tasks = st["tasks"].get<int64_t>(), pe = st["panic_every"].get<int64_t>(),
                se = st["slow_every"].get<int64_t>();
  int64_t throwing = 0, slow = 0;
  for (int64_t i = 0; i < tasks; ++i) {
    if (i % pe == pe - 1) {
      ++throwing;
    } else if (i % se == se / 2) {
      ++slow;
    }
  }
  EXPECT_EQ(st["counts"]["failed"].get<int64_t>(), throwing);
  EXPECT_EQ(st["counts"]["timed_out"].get<int64_t>(), slow);
  EXPECT_EQ(st["counts"]["abandoned"].get<int64_t>(), 0);
  EXPECT_EQ(st["leaks_after"].get<int64_t>(), 0);
  EXPECT_LE(st["latency_p50_ns"].get<int64_t>(), st["latency_p99_ns"].get<int64_t>());
  EXPECT_LE(st["latency_p99_ns"].get<int64_t>(), st["latency_max_ns"].get<int64_t>());
  EXPECT_EQ(st["latency_cdf_ns"].size(), 200u);
}

TEST(LabSurvivalPool, ShortRunSurvivesEveryFailureMode) {
  const LabRun& r = short_run();
  ASSERT_EQ(r.result.exit_code, 0) << r.result.err << r.result.out;
  ASSERT_FALSE(r.data.is_discarded()) << "no --json output";
  expect_survives(r.data["gort"]);
  EXPECT_TRUE(r.data["problems"].empty()) << r.data["problems"].dump();
  EXPECT_TRUE(r.data["go"].is_null()) << "the Go twin runs only with --go";
}

TEST(LabSurvivalPool, ReportHasEverySection) {
  const LabRun& r = short_run();
  for (const char* heading : {"# survival-pool", "## 1. Backpressure", "## 2. Graceful shutdown",
                              "## 3. Per-task timeouts", "## 4. Panic isolation", "## 5. Leak-clean",
                              "## Stress", "## Checks", "Every check held", "broken (`--broken`)",
                              "`task 0: simulated bug`"}) {
    EXPECT_NE(r.result.out.find(heading), std::string::npos) << heading << "\n" << r.result.out;
  }
  EXPECT_EQ(r.result.out.find("**no**"), std::string::npos) << r.result.out;
  EXPECT_EQ(r.result.out.find("FAILED"), std::string::npos) << r.result.out;
}

TEST(LabSurvivalPool, BrokenPoolsLeakIsNamedWithCreationSiteAndWaitReason) {
  const LabRun& r = short_run();
  // The report shows the leaked workers as a goroutine dump does.
  EXPECT_NE(r.result.out.find("[chan receive]:\ncreated by survival::Pool::Pool("), std::string::npos)
      << r.result.out;
  EXPECT_NE(r.result.out.find("labs/survival-pool/pool.cpp:"), std::string::npos) << r.result.out;
  // And on stderr, goleak's message.
  EXPECT_NE(r.result.err.find("found unexpected goroutines:"), std::string::npos) << r.result.err;
  for (const json& g : r.data["gort"]["leak"]["broken_sample"]) {
    EXPECT_NE(g["created_by"].get<std::string>().find("survival::Pool::Pool("), std::string::npos) << g.dump();
    EXPECT_NE(g["creation_file"].get<std::string>().find("labs/survival-pool/pool.cpp"), std::string::npos);
  }
}

TEST(LabSurvivalPool, PlotDrawsTheLatencyCdf) {
  const LabRun& r = short_run();
  if (r.result.out.find("Plot not drawn") != std::string::npos) GTEST_SKIP() << "gnuplot missing";
  EXPECT_NE(r.svg.find("<svg"), std::string::npos);
  EXPECT_NE(r.svg.find("gort"), std::string::npos);
}

TEST(LabSurvivalPool, DroppingStressAccountsForEveryTask) {
  // A tiny queue and dropping submissions: drops appear in the stress
  // counts, and everything still adds up.
  const int tasks = 10'000 / gort::test::kSanitizerDivisor;
  const LabRun r = run_lab("drop", {"--scenarios", "stress", "--overflow", "drop", "--tasks", std::to_string(tasks),
                                    "--workers", "10", "--queue", "1", "--spin", "2000", "--procs", "2"});
  ASSERT_EQ(r.result.exit_code, 0) << r.result.err;
  const json& st = r.data["gort"]["stress"];
  expect_adds_up(st["counts"], "stress");
  EXPECT_EQ(st["overflow"], "drop");
  EXPECT_EQ(st["counts"]["submitted"].get<int64_t>(), tasks);
  EXPECT_TRUE(r.data["gort"]["backpressure"].is_null());
  EXPECT_EQ(r.result.out.find("## 1. Backpressure"), std::string::npos);
}

TEST(LabSurvivalPool, GoTwinRunsTheSameScenariosSideBySide) {
  const LabRun r = run_lab("go", {"--short", "--broken", "--go"});
  ASSERT_EQ(r.result.exit_code, 0) << r.result.err;
  ASSERT_EQ(r.data["go_error"], "") << r.data["go_error"];
  const json& go = r.data["go"];
  expect_survives(go);
  EXPECT_EQ(go["runtime"], "go");
  EXPECT_EQ(go["version"].get<std::string>().rfind("go1.", 0), 0u) << go["version"];
  EXPECT_EQ(go["stress"]["tasks"], r.data["gort"]["stress"]["tasks"]);
  for (const json& g : go["leak"]["broken_sample"]) EXPECT_EQ(g["created_by"], "main.newPool");
  EXPECT_NE(r.result.out.find("| Go (go1."), std::string::npos) << r.result.out;
}

TEST(LabSurvivalPool, MalformedFlagsExitWithStatus2AndOneLine) {
  const std::vector<std::vector<std::string>> cases = {
      {"--tasks", "0"},        {"--workers", "9000"},    {"--queue", "x"},      {"--overflow", "wait"},
      {"--timeout", "0s"},     {"--timeout", "100"},     {"--drain", "-1s"},    {"--scenarios", "stress,chaos"},
      {"--producers", "0"},    {"--panic-every", "-1"},  {"--procs", "1000"},
  };
  gort::test::expect_flags_refused(cases);
}

TEST(LabSurvivalPool, HelpExitsZero) {
  auto r = gort::test::run_process({GORT_LAB_PROGRAM, "--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* flag : {"--scenarios", "--tasks", "--workers", "--queue", "--overflow", "--timeout", "--drain",
                           "--broken", "--short", "--json", "--svg", "--go", "--cpuprofile", "--memprofile"}) {
    EXPECT_NE(r.out.find(flag), std::string::npos) << flag;
  }
}

}  // namespace
