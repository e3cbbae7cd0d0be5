// lab_run.hpp — one run of the lab under test (GORT_LAB_PROGRAM, defined per
// lab test target in tests/CMakeLists.txt) with --json and --svg pointed into
// a scratch directory, and what it wrote read back: the one way the lab tests
// start their lab.
#pragma once

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "test_util.hpp"

namespace gort::test {

/// The whole content of the file at path; empty when it cannot be read.
inline std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// What one run of a lab did and wrote.
struct LabRun {
  /// Exit status and both output streams of the lab.
  ProcessResult result;
  /// The --json file parsed; null when the lab wrote none, discarded when it is malformed.
  nlohmann::json data;
  /// The --svg file's text; empty when the lab wrote none.
  std::string svg;
  /// Further files the caller asked for by name, as written into the scratch directory.
  std::map<std::string, std::string> files;
};

/// Runs GORT_LAB_PROGRAM --json D/out.json --svg D/out.svg args... in a fresh
/// scratch directory D (tag names the lab, name the test's run), then reads
/// back the JSON, the SVG and each of `more_files` (names inside D, e.g. a
/// second plot) before D is removed.  Precondition: compiled into a lab test
/// target; the lab stops within timeout_ms.
inline LabRun run_lab_in_scratch(const std::string& tag, const std::string& name, const std::vector<std::string>& args,
                                 int timeout_ms = kChildTimeoutMs, const std::vector<std::string>& more_files = {}) {
  ScratchDir dir(tag, name);
  const std::string json_path = (dir / "out.json").string();
  const std::string svg_path = (dir / "out.svg").string();
  std::vector<std::string> argv{GORT_LAB_PROGRAM, "--json", json_path, "--svg", svg_path};
  argv.insert(argv.end(), args.begin(), args.end());
  LabRun r;
  r.result = run_process(argv, {}, timeout_ms);
  const std::string text = read_file(json_path);
  r.data = text.empty() ? nlohmann::json() : nlohmann::json::parse(text, nullptr, false);
  r.svg = read_file(svg_path);
  for (const std::string& f : more_files) r.files[f] = read_file((dir / f).string());
  return r;
}

/// Runs GORT_LAB_PROGRAM with `leading` then each case's flag and value, and
/// checks the refusal every lab gives a malformed flag: exit status 2, one line
/// on stderr that names the flag, nothing on stdout.  Precondition: compiled
/// into a lab test target; each case is {flag, value}.
inline void expect_flags_refused(const std::vector<std::vector<std::string>>& cases,
                                 const std::vector<std::string>& leading = {}) {
  for (const auto& c : cases) {
    std::vector<std::string> argv{GORT_LAB_PROGRAM};
    argv.insert(argv.end(), leading.begin(), leading.end());
    argv.insert(argv.end(), c.begin(), c.end());
    const ProcessResult r = run_process(argv);
    EXPECT_EQ(r.exit_code, 2) << c[0] << " " << c[1] << "\n" << r.err;
    EXPECT_NE(r.err.find(c[0]), std::string::npos) << "the message names the flag:\n" << r.err;
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "one line:\n" << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
}

}  // namespace gort::test
