// trace_viewer_cli_test.cpp — the trace-viewer command as a user runs it:
// subcommands, outputs, exit statuses and error messages.
#include "trace_builder.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <gort/support/process.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace gort::viewer {
namespace {

struct Result {
  int status = -1;
  std::string out, err;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string dir() { return ::testing::TempDir(); }

/// Runs trace-viewer with args (shell words: paths are quoted by the caller)
/// under a timeout; a hang fails the test with what it printed.
Result run(const std::string& args) {
  gort::ProcessOptions o;
  o.timeout_ms = 120'000;
  const auto p = gort::run_process({"/bin/sh", "-c", std::string("'") + GORT_TRACE_VIEWER + "' " + args}, o);
  EXPECT_TRUE(p.started) << p.error;
  EXPECT_FALSE(p.timed_out) << "trace-viewer " << args << " still ran after 120 s\n" << p.out << p.err;
  return {p.exit_code, p.out, p.err};
}

std::string write_trace(const std::string& name, const std::vector<uint8_t>& bytes) {
  const std::string path = dir() + name;
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  return path;
}

std::vector<uint8_t> seed(const std::string& name) {
  for (auto& [n, b] : test::seed_traces()) {
    if (n == name) return b;
  }
  return {};
}

TEST(TraceViewerCli, ValidatePrintsCountsAndOk) {
  const std::string path = write_trace("tv_ok.gtrace", seed("scheduling"));
  Result r = run("validate '" + path + "'");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("GoStart"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nok\n"), std::string::npos) << r.out;
  EXPECT_TRUE(r.err.empty()) << r.err;
}

TEST(TraceViewerCli, ValidateNamesFileOffsetAndExpectation) {
  auto bytes = seed("scheduling");
  bytes.resize(bytes.size() - 3);  // cut into the end-of-trace record
  const std::string path = write_trace("tv_cut.gtrace", bytes);
  Result r = run("validate '" + path + "'");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("trace-viewer: " + path + ": offset "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("the trace was cut short"), std::string::npos) << r.err;
}

TEST(TraceViewerCli, MissingFileAndBadFlags) {
  Result r = run("summary /nonexistent/x.gtrace");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("/nonexistent/x.gtrace: cannot open"), std::string::npos) << r.err;
  r = run("summary --no-such-flag x");
  EXPECT_EQ(r.status, 2);
  EXPECT_FALSE(r.err.empty());
  r = run("");
  EXPECT_EQ(r.status, 2);
  r = run("export x.gtrace");  // -o is required
  EXPECT_EQ(r.status, 2);
  r = run("--help");
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("summary"), std::string::npos);
}

TEST(TraceViewerCli, SummaryExportAndHtml) {
  const std::string path = write_trace("tv_gc.gtrace", seed("gc"));
  Result r = run("summary '" + path + "' --top 3");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("# Trace summary: tv_gc.gtrace"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("## Minimum mutator utilisation"), std::string::npos);

  const std::string json_path = dir() + "tv_gc.json";
  r = run("export '" + path + "' -o '" + json_path + "'");
  EXPECT_EQ(r.status, 0) << r.err;
  auto doc = nlohmann::json::parse(slurp(json_path));
  EXPECT_TRUE(doc["traceEvents"].is_array());

  const std::string html_path = dir() + "tv_gc.html";
  r = run("html '" + path + "' -o '" + html_path + "'");
  EXPECT_EQ(r.status, 0) << r.err;
  const std::string page = slurp(html_path);
  EXPECT_NE(page.find("id=\"trace-data\""), std::string::npos);
  EXPECT_NE(page.find("\"title\":\"tv_gc.gtrace\""), std::string::npos);

  // A broken trace writes no output file.
  const std::string bad = write_trace("tv_bad.gtrace", {'n', 'o', 'p', 'e'});
  const std::string none = dir() + "tv_none.json";
  std::remove(none.c_str());
  r = run("export '" + bad + "' -o '" + none + "'");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("offset 0: not a gort trace"), std::string::npos) << r.err;
  EXPECT_TRUE(slurp(none).empty());
}

}  // namespace
}  // namespace gort::viewer
