// external.cpp — wrk, go tool pprof and the misuse children (see external.hpp).
#include "external.hpp"

#include <fmt/format.h>
#include <gort/support/process.hpp>
#include <lab/go_twin.hpp>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>

#include "service.hpp"

namespace pool_lab {

namespace {

/// TSAN's exit status for the race child, distinct from every status the lab
/// itself uses (0-4), so the parent knows TSAN ended it.
constexpr int kTsanExitCode = 66;

/// Most runs of the Go twin's race child: enough that a detector catching
/// four runs in five misses all of them about once in 125 full runs.
constexpr int kRaceAttempts = 3;

/// Lines of ThreadSanitizer's report kept for the Markdown report: the
/// warning, both accesses and their top frames.
constexpr int kTsanReportLines = 16;

/// pprof's -hide pattern for the collector's own functions: a name whose last
/// word is in gort::gc ("gort::gc::String::String", "char* gort::gc::detail::new_array"
/// as a template function's name carries its return type), but not a program
/// function that merely returns a gc type ("gort::gc::Ref pool_lab::f").
constexpr const char* kHideCollectorFrames = "(^|[ *&])gort::gc::[^ ]*$";

/// A wrk latency figure ("512.34us", "1.23ms", "2.00s") in microseconds.
double wrk_duration_us(const std::string& number, const std::string& unit) {
  const double v = std::strtod(number.c_str(), nullptr);
  if (unit == "us") return v;
  if (unit == "ms") return v * 1e3;
  if (unit == "s") return v * 1e6;
  if (unit == "m") return v * 60e6;
  return v;
}

/// The lines of text.
std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

/// "first_response_bytes=N last_response_bytes=M" from the child's stdout.
void read_response_sizes(const std::string& out, MisuseResult* m) {
  static const std::regex re(R"(first_response_bytes=(\d+) last_response_bytes=(\d+))");
  std::smatch s;
  if (std::regex_search(out, s, re)) {
    m->first_response_bytes = std::stoll(s[1]);
    m->last_response_bytes = std::stoll(s[2]);
  }
}

/// True when this binary was built with ThreadSanitizer.
constexpr bool tsan_build() {
#if defined(GORT_TSAN) || defined(__SANITIZE_THREAD__)
  return true;
#else
  return false;
#endif
}

}  // namespace

std::string write_wrk_script(const std::string& dir, const std::string& body) {
  const std::string path = dir + "/order.lua";
  std::ofstream f(path);
  f << "-- POST /order with one JSON order (pool-the-hot-path)\n"
    << "wrk.method = \"POST\"\n"
    << "wrk.body = [[" << body << "]]\n"
    << "wrk.headers[\"Content-Type\"] = \"application/json\"\n";
  if (!f) throw std::runtime_error("cannot write " + path);
  return path;
}

WrkResult run_wrk(const std::string& url, const std::string& script, int threads, int connections, int seconds) {
  WrkResult w;
  std::string error;
  auto r = lab::run_program({"wrk", fmt::format("-t{}", threads), fmt::format("-c{}", connections),
                             fmt::format("-d{}s", seconds), "--timeout", "10s", "--latency", "-s", script, url},
                            {}, &error);
  if (!r) {
    w.error = "wrk could not be started: " + error;
    return w;
  }
  if (r->exit_code != 0) {
    w.error = fmt::format("wrk exited with status {}: {}", r->exit_code, r->err);
    return w;
  }
  const std::string& t = r->out;
  std::smatch m;
  static const std::regex requests_re(R"((\d+) requests in ([\d.]+)(us|ms|s|m),)");
  static const std::regex rps_re(R"(Requests/sec:\s+([\d.]+))");
  static const std::regex latency_re(R"(Latency\s+([\d.]+)(us|ms|s|m)\s+([\d.]+)(us|ms|s|m)\s+([\d.]+)(us|ms|s|m))");
  static const std::regex pct_re(R"(\s+(50|90|99)%\s+([\d.]+)(us|ms|s|m))");
  static const std::regex non2xx_re(R"(Non-2xx or 3xx responses: (\d+))");
  static const std::regex sock_re(R"(Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+))");
  if (!std::regex_search(t, m, requests_re)) {
    w.error = "unreadable wrk output: " + t;
    return w;
  }
  w.requests = std::stoll(m[1]);
  w.seconds = wrk_duration_us(m[2], m[3]) / 1e6;
  if (std::regex_search(t, m, rps_re)) w.requests_per_second = std::strtod(m[1].str().c_str(), nullptr);
  if (std::regex_search(t, m, latency_re)) w.max_us = wrk_duration_us(m[5], m[6]);
  for (std::sregex_iterator it(t.begin(), t.end(), pct_re), end; it != end; ++it) {
    const double us = wrk_duration_us((*it)[2], (*it)[3]);
    const std::string p = (*it)[1];
    (p == "50" ? w.p50_us : p == "90" ? w.p90_us : w.p99_us) = us;
  }
  if (std::regex_search(t, m, non2xx_re)) w.errors += std::stoll(m[1]);
  if (std::regex_search(t, m, sock_re)) {
    for (int i = 1; i <= 4; ++i) w.errors += std::stoll(m[i]);
  }
  return w;
}

std::vector<ProfileSite> pprof_top(const std::string& profile, const std::string& base, const std::string& index,
                                   int n, std::string* error) {
  // -lines: one row per source line, the allocation *site*; -hide drops the
  // collector's own frames (gc::String's constructor, make_slice, new_array),
  // so each allocation is charged to the program's line that asked for it, as
  // Go's profiles never show mallocgc; -nodefraction=0 keeps every row, so
  // the shares below are of the whole profile.
  std::vector<std::string> argv{"go", "tool", "pprof", "-top", "-lines", "-nodefraction=0",
                                std::string("-hide=") + kHideCollectorFrames, "-sample_index=" + index};
  if (!base.empty()) argv.push_back("-diff_base=" + base);
  argv.push_back(profile);
  std::string why;
  auto r = lab::run_program(argv, {}, &why);
  if (!r) {
    *error = "go tool pprof could not be started: " + why;
    return {};
  }
  if (r->exit_code != 0) {
    *error = fmt::format("go tool pprof exited with status {}: {}", r->exit_code, r->err);
    return {};
  }
  // After the "flat  flat%  sum%  cum  cum%" header come rows such as
  //     1600 27.59% 27.59%       1600 27.59%  pool_lab::::decode_order ../labs/pool-the-hot-path/service.cpp:137
  // or, for alloc_space, "  512kB 12.5% ...".  A value may carry a unit.
  static const std::regex row(
      R"(^\s*(-?[\d.]+)([kMGT]?B)?\s+-?[\d.]+%\s+-?[\d.]+%\s+-?[\d.]+[kMGT]?B?\s+-?[\d.]+%\s+(.+)$)");
  std::vector<ProfileSite> rows;
  double total = 0;
  bool in_table = false;
  for (const std::string& line : lines_of(r->out)) {
    if (line.find("flat%") != std::string::npos) {
      in_table = true;
      continue;
    }
    std::smatch m;
    if (!in_table || !std::regex_match(line, m, row)) continue;
    double v = std::strtod(m[1].str().c_str(), nullptr);
    const std::string unit = m[2];
    if (unit == "kB") v *= 1024;
    if (unit == "MB") v *= 1024.0 * 1024;
    if (unit == "GB") v *= 1024.0 * 1024 * 1024;
    // A path loses its directories: "../labs/pool-the-hot-path/service.cpp:137" -> "service.cpp:137"
    // (a function name such as "encoding/json.(*decodeState).literalStore" has no space before its '/').
    std::string site;
    std::istringstream words(m[3].str());
    for (std::string word; words >> word;) {
      const std::size_t slash = word.rfind('/');
      if (!site.empty() && slash != std::string::npos) word.erase(0, slash + 1);
      site += (site.empty() ? "" : " ") + word;
    }
    rows.push_back({site, static_cast<int64_t>(v), 0});
    total += v;
  }
  std::vector<ProfileSite> sites;
  for (ProfileSite& s : rows) {
    if (s.flat <= 0) continue;
    s.flat_percent = total > 0 ? 100.0 * static_cast<double>(s.flat) / total : 0;
    sites.push_back(s);
    if (static_cast<int>(sites.size()) == n) break;
  }
  if (sites.empty()) *error = "go tool pprof listed no allocation sites:\n" + r->out;
  return sites;
}

MisuseResult run_misuse_child(const std::string& mode) {
  MisuseResult m;
  m.mode = mode;
  if (mode == "assert") {
    m.how_to_run = "every build: pool-the-hot-path --misuse assert (exits with status 3 when the assertion fires)";
  } else {
    m.how_to_run =
        "the TSAN build: nice scripts/build.sh tsan -DGORT_LABS=pool-the-hot-path --target pool-the-hot-path, then "
        "build-tsan/labs/pool-the-hot-path/pool-the-hot-path --misuse race";
  }
  fmt::print(stderr, "pool-the-hot-path: misuse {} in a child process\n", mode);
  std::string error;
  // The child halts at TSAN's first report with its own status; this process
  // (which is not racing) keeps its own settings.
  std::vector<std::string> env{gort::env_with_option("TSAN_OPTIONS", fmt::format("halt_on_error=1:exitcode={}",
                                                                                   kTsanExitCode))};
  auto r = lab::run_self({"--misuse", mode}, env, &error);
  if (!r) {
    m.message = "the child could not be started: " + error;
    return m;
  }
  m.ran = true;
  m.attempts = 1;
  m.exit_code = r->exit_code;
  read_response_sizes(r->out, &m);
  const std::vector<std::string> err = lines_of(r->err);
  if (mode == "assert") {
    for (const std::string& line : err) {
      if (line.find("assertion failed") != std::string::npos) m.message = line;
    }
    m.caught = r->exit_code == kAssertionExitCode && !m.message.empty();
  } else {
    for (std::size_t i = 0; i < err.size(); ++i) {
      if (err[i].find("WARNING: ThreadSanitizer: data race") == std::string::npos) continue;
      for (std::size_t k = i; k < err.size() && k < i + kTsanReportLines; ++k) m.message += err[k] + "\n";
      break;
    }
    m.caught = r->exit_code == kTsanExitCode && !m.message.empty();
    if (!tsan_build() && m.message.empty()) {
      m.message = "not a TSAN build: nothing here watches the unsynchronised accesses";
    }
  }
  if (!m.caught && m.message.empty()) {
    m.message = fmt::format("the child exited with status {} without the expected catch; its stderr:\n{}",
                            r->exit_code, r->err.substr(0, 2000));
  }
  return m;
}

MisuseResult run_go_misuse(const std::string& mode, const std::string& dir, bool skip_race) {
  MisuseResult m;
  m.runtime = "go";
  m.mode = mode;
  const std::string src = POOL_LAB_GO_DIR;
  m.how_to_run = mode == "assert" ? fmt::format("cd {} && go run . -misuse=assert", src)
                                  : fmt::format("cd {} && go run -race . -misuse=race", src);
  std::string error;
  std::optional<gort::ProcessResult> r;
  if (mode == "assert") {
    m.attempts = 1;
    fmt::print(stderr, "pool-the-hot-path: Go twin misuse assert\n");
    r = lab::run_go_twin("pool-the-hot-path", {"-misuse=assert"}, {}, &error);
  } else {
    if (skip_race) {
      m.message = "not run in --short mode (building the race runtime takes a minute)";
      return m;
    }
    fmt::print(stderr, "pool-the-hot-path: Go twin misuse race (go build -race)\n");
    // Absolute: go build runs in the twin's source directory.
    const std::string bin = (std::filesystem::absolute(dir) / "go-twin-race").string();
    auto b = lab::run_program({"go", "build", "-race", "-o", bin, "."}, {}, &error, "", src);
    if (!b || b->exit_code != 0) {
      m.message = "go build -race failed: " + (b ? b->err : error);
      return m;
    }
    // Go's detector misses some runs of this child (about one in five of
    // 100 requests here: which accesses it orders depends on the schedule),
    // so the child is run again, a bounded number of times.
    for (int attempt = 1; attempt <= kRaceAttempts; ++attempt) {
      m.attempts = attempt;
      r = lab::run_program({bin, "-misuse=race"}, {"GORACE=halt_on_error=1"}, &error);
      if (!r || r->exit_code == kTsanExitCode) break;
    }
  }
  if (!r) {
    m.message = "the twin could not be run: " + error;
    return m;
  }
  m.ran = true;
  m.exit_code = r->exit_code;
  read_response_sizes(r->out, &m);
  const std::vector<std::string> err = lines_of(r->err);
  for (std::size_t i = 0; i < err.size(); ++i) {
    if (mode == "assert" && err[i].find("assertion failed") != std::string::npos) {
      m.message = err[i];
      break;
    }
    if (mode == "race" && err[i].find("WARNING: DATA RACE") != std::string::npos) {
      for (std::size_t k = i; k < err.size() && k < i + kTsanReportLines; ++k) m.message += err[k] + "\n";
      break;
    }
  }
  // Go's race detector exits 66 after a report (GORACE exitcode's default).
  m.caught = !m.message.empty() && r->exit_code == (mode == "assert" ? kAssertionExitCode : kTsanExitCode);
  if (m.message.empty()) {
    m.message = fmt::format("exited with status {} without the expected catch: {}", r->exit_code,
                            r->err.substr(0, 2000));
  }
  return m;
}

}  // namespace pool_lab
