// cli.cpp — the labs' shared command-line conventions (see cli.hpp).
#include "lab/cli.hpp"

#include <fmt/format.h>

#include <cstdio>

namespace lab {

void add_common_flags(CLI::App& app, const std::string& lab, CommonFlags* flags) {
  app.add_flag("--short", flags->short_mode, "small counts, for the test suite");
  app.add_option("--svg", flags->svg_path, "write the plot as SVG to FILE (\"\" for none)")->default_val(lab + ".svg");
  app.add_option("--json", flags->json_path, "write every measurement as JSON to FILE");
  app.add_flag("--go", flags->with_go, "also run the Go program of the same experiment (labs/" + lab + "/go)");
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

std::nullopt_t usage_error(const std::string& lab, const std::string& msg, int* exit_code) {
  fmt::print(stderr, "{}: {}\n", lab, msg);
  *exit_code = 2;
  return std::nullopt;
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

}  // namespace lab
