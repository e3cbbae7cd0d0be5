// scenario_run.cpp — starting a run and reading its output (see scenario_run.hpp).
#include "scenario_run.hpp"

#include <fmt/format.h>
#include <lab/cli.hpp>
#include <lab/go_twin.hpp>

#include <algorithm>

namespace gclab {

namespace {

/// The last few lines of a stderr capture, for an error message.
std::string tail(const std::string& text) {
  constexpr std::size_t kTailBytes = 2000;  // enough for a panic message and a few frames
  return text.size() <= kTailBytes ? text : "..." + text.substr(text.size() - kTailBytes);
}

/// Reads a finished run: exit status, JSON on stdout, gctrace on stderr.
std::optional<ScenarioRun> read_run(const std::optional<gort::ProcessResult>& run, const std::string& who,
                                    std::string* why) {
  if (!run) return std::nullopt;  // *why already says why
  if (run->exit_code != 0) {
    *why = fmt::format("{} exited with status {}: {}", who, run->exit_code, tail(run->err));
    return std::nullopt;
  }
  ScenarioRun out;
  auto result = run_result_from_json(run->out, why);
  if (!result) {
    *why = fmt::format("{} printed no result JSON ({}): {}", who, *why, tail(run->out));
    return std::nullopt;
  }
  out.result = std::move(*result);
  out.trace = read_gctrace_log(run->err);
  return out;
}

}  // namespace

std::vector<std::string> with_env(std::vector<std::string> base, const std::vector<std::string>& overrides) {
  for (const std::string& o : overrides) {
    const std::string name = o.substr(0, o.find('=') + 1);
    auto same = std::find_if(base.begin(), base.end(), [&](const std::string& e) { return e.rfind(name, 0) == 0; });
    if (same != base.end()) *same = o;
    else base.push_back(o);
  }
  return base;
}

std::optional<ScenarioRun> run_on_gort(const WorkloadParams& p, const GcSetting& s, std::string* why,
                                       const std::vector<std::string>& env) {
  std::vector<std::string> args{"--child"};
  for (std::string& f : workload_flags(p, "--")) args.push_back(std::move(f));
  // --cpuprofile/--memprofile: each setting's run profiles itself into a file
  // of its own (the parent runs no gort::run).
  const std::vector<std::string> profiles = env.empty() ? lab::profile_environment(gc_setting_slug(s)) : env;
  return read_run(lab::run_self(args, with_env(gc_setting_env(s), profiles), why), "the gort run", why);
}

std::optional<ScenarioRun> run_on_go(const WorkloadParams& p, const GcSetting& s, std::string* why,
                                     const std::vector<std::string>& args, const std::vector<std::string>& env) {
  std::vector<std::string> all = workload_flags(p, "-");
  all.insert(all.end(), args.begin(), args.end());
  all.push_back("-json");
  return read_run(lab::run_go_twin("gc-forensics", all, with_env(gc_setting_env(s), env), why), "the Go program",
                  why);
}

}  // namespace gclab
