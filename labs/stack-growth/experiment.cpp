// experiment.cpp — growth steps and churn styles on gort (see experiment.hpp).
#include "experiment.hpp"

#include <fmt/format.h>
#include <gort/gc.hpp>
#include <gort/runtime.hpp>
#include <lab/progress.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "depth.hpp"
#include "hold.hpp"
#include "runtime_stats.hpp"
#include "sampler.hpp"

namespace stacklab {

namespace {

/// How long to wait for the goroutines of a finished step to exit before
/// giving up: they have returned already and only need to be scheduled once,
/// so seconds mean something is wrong (never hang instead).
constexpr std::chrono::seconds kExitTimeout{10};

/// Blocks until at most `base` goroutines exist (the ones of the last step have
/// exited and given their stacks back).  Throws after kExitTimeout.
void wait_for_goroutines(int base) {
  const auto deadline = Clock::now() + kExitTimeout;
  while (gort::num_goroutine() > base) {
    if (Clock::now() > deadline) {
      throw std::runtime_error(fmt::format("{} goroutines still alive {}s after their step ended (expected {})",
                                           gort::num_goroutine(), kExitTimeout.count(), base));
    }
    gort::sleep(std::chrono::microseconds(50));
  }
}

/// The deepest n that fits the stack with what r has measured so far.  Before
/// a positive step has measured the stride, the buffer alone is a lower bound
/// on it: enough to refuse an n that cannot possibly fit.
int fitting_depth(const RuntimeResults& r) {
  const double stride = r.bytes_per_frame > 0 ? r.bytes_per_frame : static_cast<double>(kDepthBufferBytes);
  return max_fitting_depth(r.stack_limit_bytes, r.entry_to_depth0_bytes, stride);
}

/// Shared state of one run: where times are measured from, the phase log, and
/// how many goroutines exist between steps.
struct Run {
  /// When the experiment started: phase and sample times count from here.
  Clock::time_point t0;
  /// What to run.
  const ExperimentConfig* config;
  /// Where the measurements go.
  RuntimeResults* results;
  /// Goroutines alive outside any step (main, the sampler).
  int base_goroutines;

  /// Logs the start of a phase.
  void phase(std::string name) const { results->phases.push_back({std::move(name), ms_since(t0)}); }
};

/// Starts `goroutines` goroutines running depth(n) (or, per_call, one chain of
/// depth_per_call(goroutines - 1)), holds them at the bottom, measures, and
/// lets them finish.  Returns the snapshot; *work_ns gets the time spent
/// building and unwinding the stacks, the hold excluded.
HeldSnapshot hold_and_measure(const Run& run, std::string label, int goroutines, int n, bool per_call,
                              std::int64_t* work_ns) {
  Hold hold(goroutines, per_call ? 1 : goroutines);
  gort::WaitGroup finished;
  const auto start = Clock::now();
  if (per_call) {
    finished.add(1);
    gort::go([&hold, &finished, goroutines] {
      (void)depth_per_call(goroutines - 1, STACKLAB_FRAME_ADDRESS(), hold);
      finished.done();
    });
  } else {
    finished.add(goroutines);
    for (int i = 0; i < goroutines; ++i) {
      gort::go([&hold, &finished, i, n] {
        (void)depth(n, i, STACKLAB_FRAME_ADDRESS(), hold);
        finished.done();
      });
    }
  }
  hold.wait_arrivals();
  const auto arrived = Clock::now();
  HeldSnapshot s;
  try {
    s = hold.measure(std::move(label), per_call ? 0 : n, kGortStackLimitBytes);
  } catch (...) {
    // The held goroutines point at `hold`: let them finish before it goes.
    hold.release();
    finished.wait();
    throw;
  }
  if (run.config->gc_while_held) gort::gc::collect();
  gort::sleep(run.config->hold);
  const auto released = Clock::now();
  hold.release();
  finished.wait();
  wait_for_goroutines(run.base_goroutines);
  if (work_ns != nullptr) {
    *work_ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>((arrived - start) + (Clock::now() - released)).count();
  }
  return s;
}

/// The growth steps: depth(n) in one goroutine for each n of the config.
/// They run with GOMAXPROCS=1: one goroutine at a time needs no more, and on a
/// single P every step's goroutine takes the slot the previous step's left on
/// top of that P's cache, so the repeated step runs on the deep step's slot.
void run_growth(const Run& run) {
  RuntimeResults& r = *run.results;
  const int procs = gort::gomaxprocs(1);
  struct RestoreProcs {
    int procs;
    ~RestoreProcs() { gort::gomaxprocs(procs); }
  } restore{procs};
  std::vector<int> steps = run.config->depths;
  if (steps.empty() || steps.front() != 0) steps.insert(steps.begin(), 0);
  int smallest_positive = 0, deepest = 0;
  for (int n : steps) {
    derive_frame_bytes(r);
    const int fitting = fitting_depth(r);
    if (n == kMaxDepthStep) {
      n = fitting;
    } else if (n > fitting) {
      throw FlagError(fmt::format("--depths {}: would overflow the {}-byte stack; at most {} fits (use 'max')", n,
                                  r.stack_limit_bytes, fitting));
    }
    r.depth_steps.push_back(n);
    run.phase(fmt::format("growth n={}", n));
    r.growth.push_back(hold_and_measure(run, fmt::format("n={}", n), 1, n, false, nullptr));
    if (n > 0 && (smallest_positive == 0 || n < smallest_positive)) smallest_positive = n;
    deepest = std::max(deepest, n);
  }
  derive_frame_bytes(r);
  if (smallest_positive > 0 && smallest_positive < deepest) {
    // The same shallow call again, on the slot the deepest step just left in
    // the P's cache: what a reused stack still holds.
    run.phase(fmt::format("growth n={} again", smallest_positive));
    r.growth.push_back(hold_and_measure(run, fmt::format("n={} again (after n={})", smallest_positive, deepest), 1,
                                        smallest_positive, false, nullptr));
  }
}

/// The churn styles: total_frames spread over each fan-out, then one goroutine per frame.
void run_churn(const Run& run, lab::Progress& progress) {
  const ExperimentConfig& c = *run.config;
  RuntimeResults& r = *run.results;
  struct Style {
    /// As the report names it.
    std::string name;
    /// Goroutines per round.
    int goroutines;
    /// depth frames each goroutine holds.
    int frames;
    /// One chain of depth_per_call instead of `goroutines` depth calls.
    bool per_call;
  };
  std::vector<Style> styles;
  for (int k : c.fanouts) {
    const int frames = std::max(1, r.total_frames / k);
    styles.push_back({k == 1 ? "1 goroutine" : fmt::format("{} goroutines", k), k, frames, false});
  }
  if (c.per_call) styles.push_back({"goroutine per call", r.total_frames, 1, true});
  const int fitting_frames = fitting_depth(r) + 1;
  for (const Style& st : styles) {
    if (st.frames > fitting_frames) {
      throw FlagError(
          fmt::format("--total-frames {}: {} of {} depth frames each would overflow the {}-byte stack (at most {} fit)",
                      r.total_frames, st.name, st.frames, r.stack_limit_bytes, fitting_frames));
    }
  }
  long done = 0;
  for (const Style& st : styles) {
    run.phase("churn: " + st.name);
    ChurnStyle cs;
    cs.style = st.name;
    cs.goroutines = st.goroutines;
    cs.frames_per_goroutine = st.frames;
    cs.before = read_process_stacks();
    for (int round = 1; round <= c.rounds; ++round) {
      std::int64_t ns = 0;
      cs.rounds.push_back(
          hold_and_measure(run, fmt::format("round {}", round), st.goroutines, st.frames - 1, st.per_call, &ns));
      cs.round_ns.push_back(ns);
      progress.update(++done);
    }
    cs.after_exit = read_process_stacks();
    gort::gc::collect();
    cs.after_gc = read_process_stacks();
    r.churn.push_back(std::move(cs));
  }
}

}  // namespace

int max_fitting_depth(std::uint64_t limit, double entry_to_depth0_bytes, double bytes_per_frame) {
  const double room = static_cast<double>(limit) - static_cast<double>(kHeadroomBytes) - entry_to_depth0_bytes;
  if (bytes_per_frame <= 0 || room < bytes_per_frame) return 1;
  return static_cast<int>(std::floor(room / bytes_per_frame));
}

RuntimeResults run_on_gort(const ExperimentConfig& config) {
  RuntimeResults r;
  r.runtime = "gort";
  r.version = "gort";
  r.gomaxprocs = gort::gomaxprocs();
  r.stack_limit_bytes = kGortStackLimitBytes;
  r.slot_bytes = kGortSlotBytes;
  Run run{Clock::now(), &config, &r, 0};
  Sampler sampler(run.t0, config.sample_interval);
  run.base_goroutines = gort::num_goroutine();
  r.baseline = read_process_stacks();
  run_growth(run);
  int deepest = 0;
  for (const HeldSnapshot& s : r.growth) deepest = std::max(deepest, s.n);
  r.total_frames = config.total_frames;
  if (r.total_frames == 0) {
    const int largest_fanout =
        config.fanouts.empty() ? 1 : *std::max_element(config.fanouts.begin(), config.fanouts.end());
    r.total_frames = std::max(largest_fanout, (deepest + 1) / largest_fanout * largest_fanout);
  }
  const long styles = static_cast<long>(config.fanouts.size()) + (config.per_call ? 1 : 0);
  lab::Progress progress("stack-growth: churn rounds", styles * config.rounds);
  run_churn(run, progress);
  progress.finish();
  run.phase("end");
  r.samples = sampler.stop();
  return r;
}

}  // namespace stacklab
