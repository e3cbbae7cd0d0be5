// go_side.cpp — running the Go twin and quoting the Go compiler's escape
// analysis (see go_side.hpp).
#include "go_side.hpp"

#include <fmt/format.h>
#include <lab/go_twin.hpp>
#include <lab/progress.hpp>

#include <cctype>
#include <sstream>
#include <string_view>

namespace escape {

std::optional<RuntimeResults> run_go_benchmarks(const Options& o, std::string* why) {
  // One run of the twin per snippet, so progress can be shown between them
  // (the twin's own output is captured until it exits).  Every run measures
  // the harness loop too; the first run's is kept.
  std::optional<RuntimeResults> merged;
  lab::Progress progress("escape-clinic: Go twin snippets", static_cast<long>(o.snippets.size()));
  for (std::size_t i = 0; i < o.snippets.size(); ++i) {
    const std::vector<std::string> args{"-snippets=" + o.snippets[i], "-benchtime=" + o.benchtime.text,
                                        "-count=" + std::to_string(o.count), "-json"};
    auto run = lab::run_go_twin("escape-clinic", args, {}, why);
    if (!run) return std::nullopt;
    if (run->exit_code != 0) {
      *why = fmt::format("the Go twin exited with status {}: {}", run->exit_code, run->err);
      return std::nullopt;
    }
    auto results = results_from_json(run->out, why);
    if (!results) {
      *why = "the Go twin's output is not the expected JSON: " + *why;
      return std::nullopt;
    }
    if (!merged) {
      merged = std::move(results);
    } else {
      for (auto& m : results->measurements)
        if (m.snippet != kHarnessSnippet) merged->measurements.push_back(std::move(m));
    }
    progress.update(static_cast<long>(i + 1));
  }
  progress.finish();
  return merged;
}

namespace {

/// Splits one -m line of a snippet file, "./a.go:11:17: moved to heap: x",
/// into the file's letter, the line number and the message.  Returns false for
/// any other line (other files, the "# package" header).
bool split_decision(const std::string& line, char* letter, std::string* line_number, std::string* message) {
  constexpr std::string_view kPrefix = "./";
  constexpr std::string_view kSuffix = ".go:";
  if (line.size() < kPrefix.size() + 1 + kSuffix.size() || line.compare(0, kPrefix.size(), kPrefix) != 0) return false;
  const char c = line[kPrefix.size()];
  if (c < 'a' || c > 'g' || line.compare(kPrefix.size() + 1, kSuffix.size(), kSuffix) != 0) return false;
  std::size_t i = kPrefix.size() + 1 + kSuffix.size();
  const std::size_t number_start = i;
  while (i < line.size() && std::isdigit(static_cast<unsigned char>(line[i]))) ++i;
  if (i == number_start || i >= line.size() || line[i] != ':') return false;
  *line_number = line.substr(number_start, i - number_start);
  ++i;
  while (i < line.size() && std::isdigit(static_cast<unsigned char>(line[i]))) ++i;  // the column
  if (line.compare(i, 2, ": ") != 0) return false;
  *letter = c;
  *message = line.substr(i + 2);
  return true;
}

/// Picks the escape decisions of the snippet files out of `go build
/// -gcflags=-m` output, grouped by snippet letter.
std::map<std::string, std::vector<std::string>> parse_escape_decisions(const std::string& compiler_output) {
  std::map<std::string, std::vector<std::string>> out;
  std::istringstream lines(compiler_output);
  std::string line;
  while (std::getline(lines, line)) {
    char letter = 0;
    std::string line_number, message;
    if (!split_decision(line, &letter, &line_number, &message)) continue;
    if (message.find("inlin") != std::string::npos) continue;  // "can inline", "inlining call to"
    const std::string id(1, static_cast<char>(std::toupper(static_cast<unsigned char>(letter))));
    out[id].push_back(fmt::format("{}.go:{}: {}", letter, line_number, message));
  }
  return out;
}

}  // namespace

std::optional<std::map<std::string, std::vector<std::string>>> go_escape_decisions(std::string* why) {
  fmt::print(stderr, "escape-clinic: go build -gcflags=-m on the Go twin\n");
  // -m output comes from the compiler on stderr; a cached build replays it.
  auto built = lab::run_program({"go", "build", "-gcflags=-m", "-o", "/dev/null", "."},
                                {"GOCACHE=" ESCAPE_CLINIC_GO_CACHE, "GOFLAGS=-mod=mod", "GOPROXY=off"}, why, {},
                                ESCAPE_CLINIC_GO_DIR);
  if (!built) return std::nullopt;
  if (built->exit_code != 0) {
    *why = "go build -gcflags=-m failed: " + built->err;
    return std::nullopt;
  }
  return parse_escape_decisions(built->err);
}

}  // namespace escape
