// bench_runner.cpp — Google Benchmark driven from a goroutine, its runs
// turned into Measurements (see bench_runner.hpp).
#include "bench_runner.hpp"

#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <lab/progress.hpp>

#include <algorithm>
#include <map>
#include <stdexcept>

#include "measure.hpp"
#include "snippets.hpp"

namespace escape {
namespace {

/// Google Benchmark reports accumulated time in seconds; the lab reports ns/op.
constexpr double kNanosPerSecond = 1e9;

/// The harness check: an empty operation inside the counting window.
void bench_empty(benchmark::State& state) {
  measure_loop(state, [] { benchmark::ClobberMemory(); });
}

/// The repetitions of one benchmark so far.
struct Accumulated {
  /// The measurement being built (per-op figures filled in at the end).
  Measurement m;
  /// Totals over the repetitions, divided by m.iterations at the end.
  double managed_allocs = 0, managed_bytes = 0, cxx_allocs = 0, cxx_bytes = 0;
};

/// A reporter that prints nothing (stdout is the Markdown report) and keeps
/// each repetition's iteration count, time and counters.
class CollectingReporter final : public benchmark::BenchmarkReporter {
 public:
  /// Counts finished benchmarks against `total` on stderr.
  explicit CollectingReporter(long total) : progress_("escape-clinic: gort benchmarks", total) {}

  /// Accepts any machine: returning true lets the runs start.
  bool ReportContext(const Context&) override { return true; }

  /// Adds each repetition's numbers to its benchmark's totals; records errors.
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (run.run_type != Run::RT_Iteration) continue;  // aggregates: computed here from the repetitions
      if (run.error_occurred) {
        errors_.push_back(run.benchmark_name() + ": " + run.error_message);
        continue;
      }
      const std::string name = run.run_name.function_name;  // as registered: "A/before"
      Accumulated& a = by_name_[name];
      const std::size_t slash = name.find('/');
      a.m.snippet = name.substr(0, slash);
      a.m.variant = name.substr(slash + 1);
      a.m.iterations += run.iterations;
      a.m.ns_per_op_runs.push_back(run.real_accumulated_time * kNanosPerSecond / static_cast<double>(run.iterations));
      a.managed_allocs += run.counters.at(kCounterManagedAllocs).value;
      a.managed_bytes += run.counters.at(kCounterManagedBytes).value;
      a.cxx_allocs += run.counters.at(kCounterCxxAllocs).value;
      a.cxx_bytes += run.counters.at(kCounterCxxBytes).value;
      if (std::find(order_.begin(), order_.end(), name) == order_.end()) order_.push_back(name);
      progress_.update(++done_);
    }
  }

  /// Prints the closing progress line.
  void Finalize() override { progress_.finish(); }

  /// Errors the benchmarks reported (State::SkipWithError), one line each.
  const std::vector<std::string>& errors() const { return errors_; }

  /// The measurements in the order the benchmarks ran.
  std::vector<Measurement> measurements() const {
    std::vector<Measurement> out;
    for (const auto& name : order_) {
      const Accumulated& a = by_name_.at(name);
      Measurement m = a.m;
      const double n = static_cast<double>(m.iterations);
      m.ns_per_op = median(m.ns_per_op_runs);
      m.managed_allocs_per_op = a.managed_allocs / n;
      m.managed_bytes_per_op = a.managed_bytes / n;
      m.cxx_allocs_per_op = a.cxx_allocs / n;
      m.cxx_bytes_per_op = a.cxx_bytes / n;
      out.push_back(std::move(m));
    }
    return out;
  }

 private:
  /// Finished repetitions, on stderr.
  lab::Progress progress_;
  /// Repetitions reported so far.
  long done_ = 0;
  /// Per benchmark name ("A/before").
  std::map<std::string, Accumulated> by_name_;
  /// Benchmark names in first-report order.
  std::vector<std::string> order_;
  /// What errors() returns.
  std::vector<std::string> errors_;
};

/// Registers one benchmark with the run length and repetitions asked for.
void register_benchmark(const std::string& name, void (*fn)(benchmark::State&), const Options& o) {
  benchmark::internal::Benchmark* b = benchmark::RegisterBenchmark(name.c_str(), fn);
  b->UseRealTime()->Repetitions(o.count);
  if (o.benchtime.iterations > 0) b->Iterations(o.benchtime.iterations);
  else b->MinTime(o.benchtime.min_seconds);
}

}  // namespace

RuntimeResults run_gort_benchmarks(const Options& o) {
  // Google Benchmark wants Initialize before running; its own flags stay at
  // their defaults (argv holds only the program name).
  char program[] = "escape-clinic";
  char* argv[] = {program, nullptr};
  int argc = 1;
  benchmark::Initialize(&argc, argv);
  register_benchmark(fmt::format("{}/{}", kHarnessSnippet, kVariantEmpty), &bench_empty, o);
  long benchmarks = 1;
  for (const Snippet& s : all_snippets()) {
    if (std::find(o.snippets.begin(), o.snippets.end(), s.id) == o.snippets.end()) continue;
    register_benchmark(s.id + "/" + kVariantBefore, s.before.benchmark, o);
    register_benchmark(s.id + "/" + kVariantAfter, s.after.benchmark, o);
    benchmarks += 2;
  }
  CollectingReporter reporter(benchmarks * o.count);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::ClearRegisteredBenchmarks();
  if (!reporter.errors().empty()) throw std::runtime_error(reporter.errors().front());
  RuntimeResults r;
  r.runtime = "gort";
  r.benchtime = o.benchtime.text;
  r.count = o.count;
  r.measurements = reporter.measurements();
  return r;
}

}  // namespace escape
