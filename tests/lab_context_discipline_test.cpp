// lab_context_discipline_test.cpp — the context-discipline lab, run in its
// short mode as a subprocess: a client that gives up makes the handler's
// store read and downstream call return with the context's error (and the
// downstream's own handler end); the leak check passes the disciplined
// handler and fails the leaky one, naming its goroutine; the errgroup's other
// workers all see the first failure; the stampede calls upstream once with
// SingleFlight and once per miss without; after_func fires under timeout and
// cancel and not after stop(); the Go twin beside it; bad flags.  No timing
// thresholds: the figures are the lab's to report, not the test's to judge.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "lab_run.hpp"
#include "test_util.hpp"

namespace {

using gort::test::LabRun;
using nlohmann::json;

/// One run of the lab with --json and --svg into a scratch directory.
LabRun run_lab(const std::string& name, const std::vector<std::string>& args) {
  return gort::test::run_lab_in_scratch("lab-context-discipline", name, args);
}

/// The short run of every part, both handler variants (so the leak check
/// fails the leaky one and the program exits 1), shared by the tests that read it.
const LabRun& short_run() {
  static const LabRun run = run_lab("short", {"--short", "--variant", "disciplined,leaky"});
  return run;
}

/// Checks one runtime's results of the short run.
void expect_disciplined(const json& r, bool is_go) {
  ASSERT_TRUE(r.is_object());
  const json& cases = r["service"]["cases"];
  ASSERT_EQ(cases.size(), 3u);
  EXPECT_EQ(cases[0]["client"], "completes");
  EXPECT_EQ(cases[0]["status"], 200);
  EXPECT_EQ(cases[0]["store"]["result"], "ok");
  EXPECT_EQ(cases[0]["downstream"]["result"], "ok");
  EXPECT_FALSE(cases[0]["downstream_handler_cancelled"].get<bool>());
  for (std::size_t i = 1; i < 3; ++i) {
    const json& c = cases[i];
    EXPECT_EQ(c["status"], 0) << c.dump();
    for (const char* op : {"store", "downstream"}) {
      EXPECT_TRUE(c[op]["context_error"].get<bool>()) << op << ": " << c.dump();
      EXPECT_EQ(c[op]["result"], "context canceled") << c.dump();
      EXPECT_NE(c[op]["after_client_gave_up_ns"].get<int64_t>(), 0) << c.dump();
    }
    EXPECT_NE(c["ctx_done_after_ns"].get<int64_t>(), 0) << c.dump();
    // A downstream request that went out was cancelled on the downstream too.
    if (c["downstream_reached"].get<bool>()) {
      EXPECT_TRUE(c["downstream_handler_cancelled"].get<bool>()) << c.dump();
    }
  }
  // The cancelling client leaves only once the downstream request has arrived.
  EXPECT_TRUE(cases[2]["downstream_reached"].get<bool>()) << cases[2].dump();
  EXPECT_TRUE(cases[0]["downstream_reached"].get<bool>()) << cases[0].dump();
  EXPECT_EQ(cases[1]["client"], "client-deadline");
  EXPECT_EQ(cases[2]["client"], "client-cancel");

  const json& leak = r["leak"];
  ASSERT_EQ(leak.size(), 2u);
  EXPECT_EQ(leak[0]["variant"], "disciplined");
  EXPECT_TRUE(leak[0]["leaks"].empty()) << leak[0].dump();
  EXPECT_EQ(leak[1]["variant"], "leaky");
  ASSERT_EQ(leak[1]["leaks"].size(), 1u) << leak[1].dump();
  const json& g = leak[1]["leaks"][0];
  EXPECT_EQ(g["state"], "chan send");
  EXPECT_TRUE(g["from_handler"].get<bool>());
  EXPECT_GT(g["creation_line"].get<int>(), 0);
  const std::string creator = g["created_by"];
  EXPECT_NE(creator.find(is_go ? "main.(*service).leaky" : "ctxlab::Service::leaky("), std::string::npos) << creator;
  for (const json& l : leak) EXPECT_EQ(l["left_after_release"], 0) << l.dump();

  const json& f = r["fanout"];
  EXPECT_EQ(f["workers"], 8);
  EXPECT_EQ(f["wait_error"], "worker 3: shard unavailable");
  ASSERT_EQ(f["outcomes"].size(), 8u);
  for (const json& w : f["outcomes"]) {
    EXPECT_EQ(w["outcome"], w["index"] == 3 ? "failed" : "cancelled") << w.dump();
    if (w["index"] != 3) {
      EXPECT_GT(w["observed_cancel_after_ns"].get<int64_t>(), 0) << w.dump();
    }
  }

  const json& runs = r["stampede"]["runs"];
  ASSERT_EQ(runs.size(), 2u);
  // --short keeps the course's 1,000 requests, 200 in sanitizer builds.
  const int64_t n = gort::test::kSanitizerDivisor == 1 ? 1000 : 200;
  for (const json& s : runs) {
    EXPECT_EQ(s["requests"], n);
    EXPECT_EQ(s["ok"], n) << s.dump();
  }
  EXPECT_FALSE(runs[0]["singleflight"].get<bool>());
  // Without SingleFlight each miss is its own upstream call: every request
  // not served from the cache.
  EXPECT_EQ(runs[0]["upstream_calls"].get<int64_t>() + runs[0]["cache_hits"].get<int64_t>(), n) << runs[0].dump();
  EXPECT_GT(runs[0]["upstream_calls"].get<int64_t>(), 1) << runs[0].dump();
  EXPECT_EQ(runs[0]["shared"], 0);
  EXPECT_TRUE(runs[1]["singleflight"].get<bool>());
  EXPECT_EQ(runs[1]["upstream_calls"], 1) << runs[1].dump();
  // The requests that missed the cache together shared the one flight's value.
  EXPECT_GT(runs[1]["shared"].get<int64_t>(), 1) << runs[1].dump();
  EXPECT_LE(runs[1]["shared"].get<int64_t>() + runs[1]["cache_hits"].get<int64_t>(), n) << runs[1].dump();

  const json& af = r["afterfunc"];
  EXPECT_EQ(af["implementation"], is_go ? "emulated" : "native");
  ASSERT_EQ(af["cases"].size(), 3u);
  const json& timeout = af["cases"][0];
  EXPECT_EQ(timeout["trigger"], "timeout");
  EXPECT_TRUE(timeout["fired"].get<bool>());
  EXPECT_EQ(timeout["ctx_err"], "context deadline exceeded");
  EXPECT_EQ(timeout["held_at_end"], 0);
  const json& cancel = af["cases"][1];
  EXPECT_EQ(cancel["trigger"], "explicit-cancel");
  EXPECT_TRUE(cancel["fired"].get<bool>());
  EXPECT_EQ(cancel["ctx_err"], "context canceled");
  EXPECT_EQ(cancel["held_at_end"], 0);
  EXPECT_FALSE(cancel["stop_returned"].get<bool>());
  const json& stopped = af["cases"][2];
  EXPECT_EQ(stopped["trigger"], "stop-before-cancel");
  EXPECT_TRUE(stopped["stop_returned"].get<bool>());
  EXPECT_FALSE(stopped["fired"].get<bool>());
  EXPECT_EQ(stopped["held_at_end"], 1);
}

TEST(LabContextDiscipline, ShortRunHonoursTheContextEverywhere) {
  const LabRun& r = short_run();
  ASSERT_FALSE(r.data.is_discarded()) << "no --json output";
  ASSERT_TRUE(r.data.is_object()) << r.result.err;
  expect_disciplined(r.data["gort"], false);
  EXPECT_TRUE(r.data["problems"].empty()) << r.data["problems"].dump();
  EXPECT_TRUE(r.data["go"].is_null()) << "the Go twin runs only with --go";
}

TEST(LabContextDiscipline, LeakCheckFailsTheLeakyHandlerByName) {
  const LabRun& r = short_run();
  // The leak check's failure is the program's: exit status 1, the goroutine named.
  EXPECT_EQ(r.result.exit_code, 1) << r.result.err;
  ASSERT_EQ(r.data["leak_check_failures"].size(), 1u) << r.data.dump();
  EXPECT_NE(r.data["leak_check_failures"][0].get<std::string>().find("leaky handler"), std::string::npos);
  EXPECT_NE(r.result.err.find("FAIL leak check: leaky handler (gort): goroutine "), std::string::npos) << r.result.err;
  EXPECT_NE(r.result.err.find("[chan send] created by ctxlab::Service::leaky("), std::string::npos) << r.result.err;
  EXPECT_NE(r.result.err.find("found unexpected goroutines:"), std::string::npos) << r.result.err;
  EXPECT_NE(r.result.out.find("[chan send]:\ncreated by ctxlab::Service::leaky("), std::string::npos) << r.result.out;
  EXPECT_NE(r.result.out.find("labs/context-discipline/service.cpp:"), std::string::npos) << r.result.out;
}

TEST(LabContextDiscipline, DisciplinedHandlerAlonePassesAndExitsZero) {
  const LabRun r = run_lab("disciplined", {"--short", "--parts", "leak"});
  EXPECT_EQ(r.result.exit_code, 0) << r.result.err;
  ASSERT_EQ(r.data["gort"]["leak"].size(), 1u);
  EXPECT_TRUE(r.data["gort"]["leak"][0]["leaks"].empty());
  EXPECT_TRUE(r.data["leak_check_failures"].empty());
  EXPECT_TRUE(r.data["gort"]["service"].is_null());
  EXPECT_NE(r.result.out.find("Leak check: no goroutine outlived its request."), std::string::npos) << r.result.out;
  EXPECT_EQ(r.result.out.find("## 3. Cache stampede"), std::string::npos);
}

TEST(LabContextDiscipline, ReportHasEverySection) {
  const LabRun& r = short_run();
  for (const char* heading : {"# context-discipline", "## 1. Every blocking operation takes the request context",
                              "## 1b. The leak check", "## 2. errgroup fan-out", "## 3. Cache stampede",
                              "## 4. after_func cleanup", "## Checks", "The lab behaved", "**FAIL**",
                              "| gort | leaky |"}) {
    EXPECT_NE(r.result.out.find(heading), std::string::npos) << heading << "\n" << r.result.out;
  }
  EXPECT_EQ(r.result.out.find("**FAILED**"), std::string::npos) << r.result.out;
}

TEST(LabContextDiscipline, PlotShowsTheWorkers) {
  const LabRun& r = short_run();
  if (r.result.out.find("Plot not drawn") != std::string::npos) GTEST_SKIP() << "gnuplot missing";
  EXPECT_NE(r.svg.find("<svg"), std::string::npos);
  EXPECT_NE(r.svg.find("gort"), std::string::npos);
}

TEST(LabContextDiscipline, GoTwinRunsTheSamePartsSideBySide) {
  const LabRun r = run_lab("go", {"--short", "--variant", "disciplined,leaky", "--go"});
  ASSERT_EQ(r.data["go_error"], "") << r.data["go_error"];
  const json& go = r.data["go"];
  EXPECT_EQ(go["runtime"], "go");
  EXPECT_EQ(go["version"].get<std::string>().rfind("go1.", 0), 0u) << go["version"];
  expect_disciplined(go, true);
  EXPECT_TRUE(r.data["problems"].empty()) << r.data["problems"].dump();
  EXPECT_EQ(r.data["leak_check_failures"].size(), 2u) << r.data.dump();
  EXPECT_NE(r.result.out.find("| Go (go1."), std::string::npos) << r.result.out;
}

TEST(LabContextDiscipline, MalformedFlagsExitWithStatus2AndOneLine) {
  const std::vector<std::vector<std::string>> cases = {
      {"--parts", "service,chaos"}, {"--variant", "sloppy"},     {"--workers", "0"},
      {"--failing-worker", "8"},    {"--requests", "5000"},      {"--store-delay", "0s"},
      {"--patience", "1m"},         {"--timeout", "50"},         {"--upstream-delay", "-1s"},
      {"--procs", "1000"},          {"--leak-wait", "x"},
  };
  gort::test::expect_flags_refused(cases);
}

TEST(LabContextDiscipline, HelpExitsZero) {
  auto r = gort::test::run_process({GORT_LAB_PROGRAM, "--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* flag : {"--parts", "--variant", "--store-delay", "--downstream-delay", "--patience", "--workers",
                           "--requests", "--upstream-delay", "--timeout", "--short", "--json", "--svg", "--go",
                           "--cpuprofile", "--memprofile"}) {
    EXPECT_NE(r.out.find(flag), std::string::npos) << flag;
  }
}

}  // namespace
