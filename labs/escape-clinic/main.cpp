// escape-clinic — the course's week-4 lab (Lab 4.3, Escape Forensics) on gort.
//
// The course's seven escape snippets (A–G) translated to C++/gort: where Go's
// escape analysis moves a value to its heap, the translation puts it where a
// gort program must (the managed heap through gc::make, or the C++ heap
// through std::function); each has a refactor that keeps the value on the
// stack, and a prediction written beside the code before anything ran.  Every
// version runs as a Google Benchmark on the main goroutine; allocations are
// counted per operation for both heaps (measure.hpp), the predictions checked
// against the counts, and the before/after win measured.  With --go the Go
// twin (go/) runs the same snippets under testing.Benchmark, and the Go
// compiler's -m decisions are quoted next to the C++ predictions.
#include <gort/gort.hpp>
#include <fmt/format.h>
#include <lab/cli.hpp>
#include <lab/gort_run.hpp>
#include <lab/report.hpp>

#include <cstdio>

#include "bench_runner.hpp"
#include "go_side.hpp"
#include "options.hpp"
#include "report.hpp"
#include "results.hpp"

namespace escape {
namespace {

/// Writes the JSON file: the command, gort's results, Go's when it ran, and
/// the contradicted predictions.  Returns false when the file cannot be written.
bool write_json(const std::string& path, const std::string& command, const RuntimeResults& gort,
                const std::optional<RuntimeResults>& go) {
  nlohmann::json j;
  j["command"] = command;
  j["runs"] = nlohmann::json::array({to_json(gort)});
  if (go) j["runs"].push_back(to_json(*go));
  j["contradicted_predictions"] = contradicted_predictions(gort);
  nlohmann::json predictions = nlohmann::json::array();
  for (const Snippet& s : all_snippets()) {
    for (const auto* v : {&s.before, &s.after}) {
      predictions.push_back({{"snippet", s.id},
                             {"variant", v == &s.before ? kVariantBefore : kVariantAfter},
                             {"place", place_name(v->prediction.place)},
                             {"allocs_per_op", v->prediction.allocs_per_op}});
    }
  }
  j["predictions"] = predictions;
  return lab::write_json_file("escape-clinic", path, j.dump(2));
}

int lab_main(int argc, char** argv) {
  int exit_code = 0;
  auto options = parse_options(argc, argv, &exit_code);
  if (!options) return exit_code;
  const Options& o = *options;

  RuntimeResults gort;
  if (!lab::run_on_gort_reporting("escape-clinic", [&] { gort = run_gort_benchmarks(o); })) return 1;

  ReportContext ctx;
  ctx.command = lab::command_text("escape-clinic", argc, argv);
  ctx.machine = lab::machine_description();
  std::optional<RuntimeResults> go;
  if (o.with_go) {
    go = run_go_benchmarks(o, &ctx.go_note);
    if (go) {
      std::string why;
      if (auto decisions = go_escape_decisions(&why)) ctx.go_decisions = std::move(*decisions);
      else fmt::print(stderr, "escape-clinic: no -m output: {}\n", why);
    } else {
      fmt::print(stderr, "escape-clinic: Go twin not run: {}\n", ctx.go_note);
    }
  }
  if (!o.json_path.empty() && !write_json(o.json_path, ctx.command, gort, go)) return 1;
  std::fputs(markdown_report(ctx, gort, go).c_str(), stdout);
  return 0;
}

}  // namespace
}  // namespace escape

int main(int argc, char** argv) { return escape::lab_main(argc, argv); }
