// lab_common_test.cpp — labs/common: the flag parsers every lab relies on for
// "bad input gets one clear line", the command line quoted into reports, and
// the percentiles and units of the report tables, and the one way every lab
// writes its --json file.
#include <gtest/gtest.h>
#include <lab/benchstat.hpp>
#include <lab/cli.hpp>
#include <lab/report.hpp>

#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

using namespace std::chrono_literals;

TEST(LabBenchstat, MedianAndOrderStatisticInterval) {
  // n = 7: ranks 1 and 7 cover the median with 1 - 2/128 = 98.4%; ranks 2
  // and 6 with 1 - 2·8/128 = 87.5% < 95%, so the interval is [min, max].
  const lab::RunSummary s = lab::summarize_runs({5, 1, 4, 2, 7, 3, 6});
  EXPECT_EQ(s.n, 7u);
  EXPECT_DOUBLE_EQ(s.median, 4);
  EXPECT_DOUBLE_EQ(s.ci_low, 1);
  EXPECT_DOUBLE_EQ(s.ci_high, 7);
  EXPECT_NEAR(s.confidence, 1 - 2.0 / 128, 1e-12);
  // n = 10: ranks 2 and 9 give 1 - 2·11/1024 = 97.9%; ranks 3 and 8 only 89%.
  const lab::RunSummary t = lab::summarize_runs({10, 9, 8, 7, 6, 5, 4, 3, 2, 1});
  EXPECT_DOUBLE_EQ(t.median, 5.5);
  EXPECT_DOUBLE_EQ(t.ci_low, 2);
  EXPECT_DOUBLE_EQ(t.ci_high, 9);
  // n = 3: no 95% interval exists; [min, max] with its actual 75%.
  const lab::RunSummary u = lab::summarize_runs({3, 1, 2});
  EXPECT_DOUBLE_EQ(u.ci_low, 1);
  EXPECT_DOUBLE_EQ(u.ci_high, 3);
  EXPECT_NEAR(u.confidence, 0.75, 1e-12);
  EXPECT_EQ(lab::summarize_runs({}).n, 0u);
}

TEST(LabBenchstat, MannWhitneyExactAndApproximate) {
  // Fully separated 5+5: U = 0, P = 2/C(10,5) = 2/252 (two-sided).
  EXPECT_NEAR(lab::mann_whitney_p({1, 2, 3, 4, 5}, {6, 7, 8, 9, 10}), 2.0 / 252, 1e-12);
  // Interleaved samples are not different.
  EXPECT_GT(lab::mann_whitney_p({1, 3, 5, 7, 9}, {2, 4, 6, 8, 10}), 0.5);
  // Fully separated 3+3 cannot reach 0.05 (2/20 = 0.1): benchstat prints "~".
  EXPECT_NEAR(lab::mann_whitney_p({1, 2, 3}, {4, 5, 6}), 0.1, 1e-12);
  // Ties take the normal approximation; all equal is p = 1.
  EXPECT_DOUBLE_EQ(lab::mann_whitney_p({1, 1, 1}, {1, 1, 1}), 1.0);
  EXPECT_LT(lab::mann_whitney_p({1, 1, 2, 2, 3, 3, 3}, {8, 8, 9, 9, 9, 10, 10}), 0.01);
}

TEST(LabBenchstat, DeltaIsTildeUnlessSignificant) {
  const lab::RunComparison c = lab::compare_runs({100, 101, 99, 98, 102}, {110, 111, 109, 108, 112});
  EXPECT_TRUE(c.significant);
  EXPECT_NEAR(c.delta_percent, 10, 0.01);
  EXPECT_EQ(lab::format_delta(c).rfind("+10.0% (p=0.008 n=5+5)", 0), 0u) << lab::format_delta(c);
  const lab::RunComparison d = lab::compare_runs({100, 110, 90}, {105, 95, 100});
  EXPECT_FALSE(d.significant);
  EXPECT_EQ(lab::format_delta(d).rfind("~ (p=", 0), 0u) << lab::format_delta(d);
  EXPECT_EQ(lab::format_median_ci(lab::summarize_runs({90, 100, 110}), lab::format_sig3), "100 ±10%");
}

TEST(LabCli, GoDurationsParseAsTimeParseDurationDoes) {
  EXPECT_EQ(lab::parse_go_duration("10ms"), 10ms);
  EXPECT_EQ(lab::parse_go_duration("1.5s"), 1500ms);
  EXPECT_EQ(lab::parse_go_duration("250us"), 250us);
  EXPECT_EQ(lab::parse_go_duration("100\u00b5s"), 100us);
  EXPECT_EQ(lab::parse_go_duration("1m30s"), 90s);
  EXPECT_EQ(lab::parse_go_duration("1h2m"), 62min);
  EXPECT_EQ(lab::parse_go_duration("3ns"), 3ns);
  EXPECT_EQ(lab::parse_go_duration("1.s"), 1s);  // Go accepts a bare point on either side
  EXPECT_EQ(lab::parse_go_duration(".5s"), 500ms);
}

TEST(LabCli, MalformedZeroAndNegativeDurationsAreRefused) {
  for (const char* bad : {"", "10", "ms", "10 ms", "-1s", "0s", "0", ".s", "1x", "10ms5", "1e3s"}) {
    EXPECT_FALSE(lab::parse_go_duration(bad).has_value()) << "'" << bad << "'";
  }
}

TEST(LabCli, IntegersMustBeWholeAndInRange) {
  EXPECT_EQ(lab::parse_integer("42", 1, 100), 42);
  EXPECT_EQ(lab::parse_integer("1", 1, 100), 1);
  EXPECT_EQ(lab::parse_integer("100", 1, 100), 100);
  for (const char* bad : {"", "0", "101", "4 2", " 42", "42 ", "+42", "0x10", "1e2", "42a", "-5",
                          "99999999999999999999999"}) {
    EXPECT_FALSE(lab::parse_integer(bad, 1, 100).has_value()) << "'" << bad << "'";
  }
}

TEST(LabCli, ListsSplitAtEveryComma) {
  EXPECT_EQ(lab::split_list("1,2,all"), (std::vector<std::string>{"1", "2", "all"}));
  EXPECT_EQ(lab::split_list(""), (std::vector<std::string>{""}));
  EXPECT_EQ(lab::split_list("a,,b,"), (std::vector<std::string>{"a", "", "b", ""}));
}

TEST(LabCli, SubsetsComeBackInTheKnownOrderWithoutDuplicates) {
  const std::vector<std::string> known{"ring", "chan", "mutex"};
  EXPECT_EQ(lab::parse_subset("mutex,ring", known), (std::vector<std::string>{"ring", "mutex"}));
  EXPECT_EQ(lab::parse_subset("chan,chan,ring,chan", known), (std::vector<std::string>{"ring", "chan"}));
  EXPECT_EQ(lab::parse_subset("ring,chan,mutex", known), known);
  for (const char* bad : {"", "ring,", ",ring", "rings", "ring,spin", "Ring"}) {
    EXPECT_FALSE(lab::parse_subset(bad, known).has_value()) << "'" << bad << "'";
  }
}

TEST(LabCli, CommandTextQuotesWhatAShellWouldNeed) {
  std::string a0 = "/path/to/prog", a1 = "--svg", a2 = "", a3 = "--json", a4 = "a b'c.json", a5 = "--procs=1";
  char* argv[] = {a0.data(), a1.data(), a2.data(), a3.data(), a4.data(), a5.data()};
  EXPECT_EQ(lab::command_text("lab", 6, argv), "lab --svg '' --json 'a b'\\''c.json' --procs=1");
  EXPECT_EQ(lab::command_text("lab", 1, argv), "lab");
}

TEST(LabReport, PercentilesAreNearestRank) {
  std::vector<double> v;
  for (int i = 100; i >= 1; --i) v.push_back(i);  // unsorted on purpose
  const lab::Distribution d = lab::summarize(v);
  EXPECT_EQ(d.count, 100u);
  EXPECT_EQ(d.min, 1);
  EXPECT_EQ(d.p50, 50);
  EXPECT_EQ(d.p90, 90);
  EXPECT_EQ(d.p99, 99);
  EXPECT_EQ(d.max, 100);
  EXPECT_DOUBLE_EQ(d.mean, 50.5);
  EXPECT_EQ(lab::summarize({}).count, 0u);
  EXPECT_EQ(lab::summarize({7}).p99, 7);
}

TEST(LabReport, UnitsReadAsTheReportsPrintThem) {
  EXPECT_EQ(lab::format_duration_ns(10e6), "10.0ms");
  EXPECT_EQ(lab::format_duration_ns(10.1e9), "10.1s");
  EXPECT_EQ(lab::format_duration_ns(57.7e3), "57.7µs");
  EXPECT_EQ(lab::format_bytes(4096), "4 KiB");
  EXPECT_EQ(lab::format_bytes(216.0 * 1024 * 1024), "216 MiB");
  EXPECT_EQ(lab::format_bytes(1000.0 * 1024 * 1024), "1000 MiB");  // not 1e+03
  EXPECT_EQ(lab::format_bytes(1023.9 * 1024), "1024 KiB");
  EXPECT_EQ(lab::format_bytes(1.5 * 1024 * 1024 * 1024), "1.5 GiB");
  EXPECT_EQ(lab::format_sig3(1.2345), "1.23");
}

TEST(LabReport, JsonFileIsWrittenWholeOrRefusedWithTheReason) {
  const std::string path = ::testing::TempDir() + "lab_common_json_" + std::to_string(::getpid()) + ".json";
  ASSERT_TRUE(lab::write_json_file("some-lab", path, R"({"a":1})"));
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), "{\"a\":1}\n");
  ::unlink(path.c_str());

  ::testing::internal::CaptureStderr();
  EXPECT_FALSE(lab::write_json_file("some-lab", "/nonexistent-gort-dir/out.json", "{}"));
  EXPECT_EQ(::testing::internal::GetCapturedStderr(),
            "some-lab: cannot write --json file /nonexistent-gort-dir/out.json: No such file or directory\n");
}

}  // namespace
