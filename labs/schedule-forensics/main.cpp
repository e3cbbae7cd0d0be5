// schedule-forensics — the course's week-2 lab on gort.
//
// Spawns N goroutines that each do D of work and records each one's time to
// completion, for every variant asked for: GOMAXPROCS 1, 2 or all CPUs; a busy
// CPU loop, the loop with a yield every 1/100 of the work, or a sleep; async
// preemption on or off.  All variants run in one gort::run, one after another,
// so one execution trace (--trace) holds them all, each as a task.  With --go
// the Go program of the same experiment (go/main.go) runs with the same
// parameters and both appear in the tables and the plot.  NOTES.md section 9
// explains the numbers.
#include <gort/gort.hpp>
#include <gort/trace.hpp>
#include <fmt/format.h>
#include <lab/cli.hpp>
#include <lab/go_twin.hpp>
#include <lab/progress.hpp>
#include <lab/report.hpp>

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>

#include "busy_work.hpp"
#include "experiment.hpp"
#include "options.hpp"
#include "report.hpp"
#include "results.hpp"

namespace schedlab {
namespace {

/// A thread (not a goroutine: with one P and a busy loop no goroutine would get
/// to run) that prints how many goroutines are done, once a second.
class ProgressThread {
 public:
  /// Starts reporting `what`: done out of total.
  ProgressThread(std::string what, int total, const std::atomic<int>* done)
      : thread_([this, what = std::move(what), total, done] {
          lab::Progress progress(what, total);
          std::unique_lock lock(mu_);
          while (!stop_) {
            cv_.wait_for(lock, std::chrono::seconds(1));
            progress.update(done->load(std::memory_order_relaxed));
          }
          progress.finish();
        }) {}

  ~ProgressThread() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }

 private:
  /// Guards stop_.
  std::mutex mu_;
  /// Wakes the thread early when the variant is done.
  std::condition_variable cv_;
  /// Set when the variant is done.
  bool stop_ = false;
  std::thread thread_;
};

/// Runs every variant on gort; throws what trace::start throws.
RuntimeRuns run_on_gort(const Options& o) {
  RuntimeRuns runs;
  runs.runtime = "gort";
  runs.goroutines = o.goroutines;
  runs.work_ns = o.work.count();
  gort::run([&] {
    fmt::print(stderr, "schedule-forensics: calibrating the busy loop\n");
    BusyWork busy = calibrate(o.work);
    runs.steps_per_chunk = busy.steps_per_chunk;
    warm_up(o.goroutines);
    if (!o.trace_path.empty()) gort::trace::start(o.trace_path);
    for (std::size_t i = 0; i < o.variants.size(); ++i) {
      const Variant& v = o.variants[i];
      std::atomic<int> done{0};
      ProgressThread progress(fmt::format("gort {} ({}/{})", variant_label(v), i + 1, o.variants.size()),
                              o.goroutines, &done);
      runs.variants.push_back(run_variant(v, busy, o.goroutines, o.work, &done));
    }
    if (!o.trace_path.empty()) gort::trace::stop();
  });
  return runs;
}

/// Runs the Go twin once per async-preemption setting asked for (Go reads
/// GODEBUG=asyncpreemptoff only at start) and merges its variants.  Returns
/// nullopt with *why set when it cannot run.
std::optional<RuntimeRuns> run_on_go(const Options& o, std::string* why) {
  std::optional<RuntimeRuns> merged;
  for (bool async : {true, false}) {
    bool wanted = false;
    for (const auto& v : o.variants) wanted = wanted || (v.async_preempt == async);
    if (!wanted) continue;
    std::vector<std::string> args = o.twin_args;
    args.push_back(async ? "-async-preempt=on" : "-async-preempt=off");
    args.push_back("-json");
    std::vector<std::string> env;
    if (!async) env.push_back("GODEBUG=asyncpreemptoff=1");
    fmt::print(stderr, "schedule-forensics: running the Go program ({})\n", async ? "async preemption on" : "off");
    auto run = lab::run_go_twin("schedule-forensics", args, env, why);
    if (!run) return std::nullopt;
    if (run->exit_code != 0) {
      *why = fmt::format("the Go program exited with status {}: {}", run->exit_code, run->err);
      return std::nullopt;
    }
    auto runs = runs_from_json(run->out, why);
    if (!runs) {
      *why = "the Go program's output is not the expected JSON: " + *why;
      return std::nullopt;
    }
    if (!merged) merged = std::move(runs);
    else for (auto& v : runs->variants) merged->variants.push_back(std::move(v));
  }
  // The twin runs once per async setting; list its variants in gort's order.
  auto rank = [&](const VariantResult& r) {
    for (std::size_t i = 0; i < o.variants.size(); ++i) {
      const Variant& v = o.variants[i];
      if (v.procs == r.variant.procs && v.loop == r.variant.loop && v.async_preempt == r.variant.async_preempt) return i;
    }
    return o.variants.size();
  };
  if (merged) {
    std::stable_sort(merged->variants.begin(), merged->variants.end(),
                     [&](const VariantResult& a, const VariantResult& b) { return rank(a) < rank(b); });
  }
  return merged;
}

int lab_main(int argc, char** argv) {
  int exit_code = 0;
  auto options = parse_options(argc, argv, &exit_code);
  if (!options) return exit_code;
  const Options& o = *options;

  std::vector<RuntimeRuns> all;
  try {
    all.push_back(run_on_gort(o));
  } catch (const std::exception& e) {
    fmt::print(stderr, "schedule-forensics: {}\n", e.what());
    return 1;
  }
  ReportContext ctx;
  ctx.command = lab::command_text("schedule-forensics", argc, argv);
  ctx.machine = lab::machine_description();
  ctx.trace_path = o.trace_path;
  if (o.with_go) {
    if (auto go = run_on_go(o, &ctx.go_note)) all.push_back(std::move(*go));
    else fmt::print(stderr, "schedule-forensics: Go program not run: {}\n", ctx.go_note);
  }
  if (o.svg_path.empty()) {
    ctx.plot_note = "not drawn (--svg \"\")";
  } else if (std::string error = write_cdf_svg(all, o.svg_path); error.empty()) {
    ctx.plot_note = "`" + o.svg_path + "`";
  } else {
    ctx.plot_note = "not drawn: " + error;
    fmt::print(stderr, "schedule-forensics: plot not drawn: {}\n", error);
  }
  if (!o.json_path.empty()) {
    nlohmann::json j;
    j["command"] = ctx.command;
    j["runs"] = nlohmann::json::array();
    for (const auto& runs : all) j["runs"].push_back(to_json(runs));
    if (!lab::write_json_file("schedule-forensics", o.json_path, j.dump())) return 1;
  }
  std::fputs(markdown_report(ctx, all).c_str(), stdout);
  return 0;
}

}  // namespace
}  // namespace schedlab

int main(int argc, char** argv) { return schedlab::lab_main(argc, argv); }
