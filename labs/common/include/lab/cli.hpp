// lab/cli.hpp — the command-line conventions every lab shares (CLI11).
//
// A malformed flag gets one line on stderr, "<lab>: <what is wrong>", and exit
// status 2, as Go's flag package exits on a bad flag; --help prints and exits 0.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

// Declared, not included: CLI11 2.1 is header-only and costs some 15 s of
// compile time per translation unit at -O2, so only the files that build a
// CLI::App (each lab's options.cpp, cli.cpp) include <CLI/CLI.hpp>.
namespace CLI {
class App;
}  // namespace CLI

namespace lab {

/// The flags every lab has.
struct CommonFlags {
  /// --short: the small counts the test suite runs.
  bool short_mode = false;
  /// --svg FILE: where the plot goes (empty: no plot).
  std::string svg_path;
  /// --json FILE: every measurement as JSON (empty: none).
  std::string json_path;
  /// --go: also build and run the lab's Go program with the same parameters.
  bool with_go = false;
  /// --cpuprofile FILE: a CPU profile of the lab's run, as `go test -cpuprofile`
  /// (empty: none).  Applied through GORTCPUPROFILE when parsed.
  std::string cpuprofile_path;
  /// --memprofile FILE: the heap profile at the end of the lab's run, as
  /// `go test -memprofile` (empty: none).  Applied through GORTMEMPROFILE.
  std::string memprofile_path;
};

/// What the common flags mean in one lab, for their help texts.  Labs fill it
/// with designated initializers; every member has an initializer so the ones
/// a lab leaves out are empty without -Wmissing-field-initializers.
struct CommonFlagHelp {
  /// What --short runs: "100 goroutines of 2ms unless given".
  std::string short_mode{};
  /// What --svg draws: "the CDF of completion times"; empty when the lab draws
  /// no plot (then there is no --svg flag).
  std::string svg{};
  /// What --json writes: "every measurement" unless the lab says more.
  std::string json = "every measurement";
  /// Appended to --go's help, for a twin that does more than run the experiment.
  std::string go_extra{};
};

/// Adds --short, --svg (default `<lab>.svg`, when the lab draws a plot), --json,
/// --go, --cpuprofile and --memprofile to app, with one wording across the labs
/// and the lab's specifics from help.  The two profile flags set GORTCPUPROFILE
/// and GORTMEMPROFILE in this process's environment as they are parsed, so the
/// lab's gort::run profiles itself; children run with run_self do not inherit
/// them (profile_environment names their own files).
void add_common_flags(CLI::App& app, const std::string& lab, const CommonFlagHelp& help, CommonFlags* flags);

/// The environment entries that give a child run of this lab its own profile
/// files: GORTCPUPROFILE / GORTMEMPROFILE of this process with `slug` put
/// before the file's extension ("cpu.pprof", "-gogc50" -> "cpu-gogc50.pprof");
/// none when the flags were not given.
std::vector<std::string> profile_environment(const std::string& slug);

/// FILE with `slug` inserted before its extension (after the last '.' of the
/// file name, if any), as the labs name one file per setting.
std::string with_slug(const std::string& file, const std::string& slug);

/// Parses argv into app.  Returns true to go on; false when the lab must exit
/// with *exit_code (0 after --help, 2 after an error line on stderr).
bool parse_command_line(CLI::App& app, const std::string& lab, int argc, char** argv, int* exit_code);

/// The command as typed, for a report: "<lab> <arg1> <arg2> ..." (the
/// program's own path replaced by the lab's name; an empty argument or one
/// with shell metacharacters single-quoted, so the line can be pasted back).
std::string command_text(const std::string& lab, int argc, char** argv);

/// Prints "<lab>: <msg>" on stderr, sets *exit_code to 2 and returns nullopt
/// (so a parser can `return usage_error(...)`).
std::nullopt_t usage_error(const std::string& lab, const std::string& msg, int* exit_code);

/// Parses a positive Go duration ("10ms", "1.5s", "250us", "100µs", "2m", "1h2m"):
/// Go's time.ParseDuration syntax.  Returns nullopt when s is not one, or is
/// zero or negative (no lab has a use for those), or exceeds 10^15 ns.
std::optional<std::chrono::nanoseconds> parse_go_duration(const std::string& s);

/// Parses the whole of s as a decimal integer in [lo, hi]; nullopt when s is
/// not one (sign, spaces or trailing text included) or lies outside.
std::optional<int64_t> parse_integer(const std::string& s, int64_t lo, int64_t hi);

/// Splits "a,b,c" at commas (an empty string gives one empty item).
std::vector<std::string> split_list(const std::string& s);

/// Parses a comma-separated list of names from `known` (a lab's --variants,
/// --structs, --scenarios...) into known's order with duplicates dropped;
/// nullopt when an item is not in known (so also for an empty string, whose
/// one item is empty).  Precondition: none.
std::optional<std::vector<std::string>> parse_subset(const std::string& s, const std::vector<std::string>& known);

}  // namespace lab
