// cli.cpp — the labs' shared command-line conventions (see cli.hpp).
#include "lab/cli.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace lab {

void add_common_flags(CLI::App& app, const std::string& lab, const CommonFlagHelp& help, CommonFlags* flags) {
  app.add_flag("--short", flags->short_mode, "small run for the test suite: " + help.short_mode);
  if (!help.svg.empty()) {
    app.add_option("--svg", flags->svg_path, "write " + help.svg + " as SVG to FILE (\"\" for none)")
        ->default_val(lab + ".svg");
  }
  app.add_option("--json", flags->json_path, "write " + help.json + " as JSON to FILE");
  app.add_flag("--go", flags->with_go,
               "also run the Go program of the same experiment (labs/" + lab + "/go)" + help.go_extra);
  app.add_option("--cpuprofile", flags->cpuprofile_path,
                 "write a CPU profile of the run to FILE, as go test -cpuprofile (read it with go tool pprof)")
      ->type_name("FILE")
      ->each([](const std::string& path) { ::setenv("GORTCPUPROFILE", path.c_str(), 1); });
  app.add_option("--memprofile", flags->memprofile_path,
                 "write the heap profile at the end of the run to FILE, as go test -memprofile")
      ->type_name("FILE")
      ->each([](const std::string& path) { ::setenv("GORTMEMPROFILE", path.c_str(), 1); });
}

std::string with_slug(const std::string& file, const std::string& slug) {
  const std::size_t slash = file.rfind('/');
  const std::size_t dot = file.rfind('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash) || dot == slash + 1) return file + slug;
  return file.substr(0, dot) + slug + file.substr(dot);
}

std::vector<std::string> profile_environment(const std::string& slug) {
  std::vector<std::string> env;
  for (const char* name : {"GORTCPUPROFILE", "GORTMEMPROFILE"}) {
    const char* path = std::getenv(name);
    if (path != nullptr && path[0] != '\0') env.push_back(std::string(name) + "=" + with_slug(path, slug));
  }
  return env;
}

bool parse_command_line(CLI::App& app, const std::string& lab, int argc, char** argv, int* exit_code) {
  try {
    app.parse(argc, argv);
    return true;
  } catch (const CLI::CallForHelp& e) {
    *exit_code = app.exit(e);
  } catch (const CLI::ParseError& e) {
    usage_error(lab, std::string(e.what()) + " (see --help)", exit_code);
  }
  return false;
}

std::string command_text(const std::string& lab, int argc, char** argv) {
  std::string s = lab;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    // Quoted as a shell would need it, so the line can be pasted back.
    const bool plain = !arg.empty() && arg.find_first_of(" \t'\"$`\\*?;&|<>()") == std::string::npos;
    if (plain) {
      s += " " + arg;
      continue;
    }
    s += " '";
    for (char c : arg) s += c == '\'' ? std::string("'\\''") : std::string(1, c);
    s += "'";
  }
  return s;
}

std::nullopt_t usage_error(const std::string& lab, const std::string& msg, int* exit_code) {
  fmt::print(stderr, "{}: {}\n", lab, msg);
  *exit_code = 2;
  return std::nullopt;
}

std::optional<int64_t> parse_integer(const std::string& s, int64_t lo, int64_t hi) {
  int64_t v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || v < lo || v > hi) return std::nullopt;
  return v;
}

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    std::size_t comma = s.find(',', start);
    out.push_back(s.substr(start, comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

std::optional<std::vector<std::string>> parse_subset(const std::string& s, const std::vector<std::string>& known) {
  const std::vector<std::string> items = split_list(s);
  for (const std::string& item : items) {
    if (std::find(known.begin(), known.end(), item) == known.end()) return std::nullopt;
  }
  std::vector<std::string> ordered;
  for (const std::string& k : known) {
    if (std::find(items.begin(), items.end(), k) != items.end()) ordered.push_back(k);
  }
  return ordered;
}

std::optional<std::chrono::nanoseconds> parse_go_duration(const std::string& s) {
  // time.ParseDuration: a sequence of decimal numbers, each with an optional
  // fraction and a unit suffix; units ns, us (µs), ms, s, m, h.
  struct Unit { const char* name; double ns; };
  static constexpr Unit kUnits[] = {{"ns", 1}, {"us", 1e3}, {"µs", 1e3}, {"μs", 1e3}, {"ms", 1e6},
                                    {"s", 1e9}, {"m", 60e9}, {"h", 3600e9}};
  double total = 0;
  std::size_t i = 0;
  if (s.empty()) return std::nullopt;
  while (i < s.size()) {
    std::size_t start = i;
    while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
    if (i == start) return std::nullopt;
    double value = 0;
    try {
      std::size_t used = 0;
      value = std::stod(s.substr(start, i - start), &used);
      if (used != i - start) return std::nullopt;
    } catch (...) {
      return std::nullopt;
    }
    const Unit* unit = nullptr;
    for (const Unit& u : kUnits) {
      std::size_t n = std::char_traits<char>::length(u.name);
      // Longest match first matters only for "m" vs "ms": "ms" is listed first.
      if (s.compare(i, n, u.name) == 0 && (unit == nullptr || n > std::char_traits<char>::length(unit->name)))
        unit = &u;
    }
    if (unit == nullptr) return std::nullopt;
    i += std::char_traits<char>::length(unit->name);
    total += value * unit->ns;
  }
  if (!(total >= 1) || total > 1e15) return std::nullopt;  // at least 1ns, at most ~11 days
  return std::chrono::nanoseconds(static_cast<int64_t>(std::llround(total)));
}

}  // namespace lab
