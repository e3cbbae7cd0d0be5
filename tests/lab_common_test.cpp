// lab_common_test.cpp — labs/common: the flag parsers every lab relies on for
// "bad input gets one clear line", the command line quoted into reports, and
// the percentiles and units of the report tables, and the one way every lab
// writes its --json file.
#include <gtest/gtest.h>
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
