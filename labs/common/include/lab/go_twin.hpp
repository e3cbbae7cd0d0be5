// lab/go_twin.hpp — builds and runs a lab's Go program (labs/<lab>/go/), and
// runs any other child process a lab needs (gnuplot, the lab itself again).
//
// The twin is built once with the installed `go` into the build tree
// (GORT_LABS_BINARY_DIR/<lab>/go-twin) and rebuilt when its source is newer.
#pragma once

#include <gort/support/process.hpp>

#include <optional>
#include <string>
#include <vector>

namespace lab {

/// Builds labs/<lab>/go when needed.  Returns the binary's path, or an error
/// text (no `go` on PATH, compile error) in `error`.
std::optional<std::string> build_go_twin(const std::string& lab, std::string* error);

/// Runs the built twin with args and extra environment entries ("NAME=value").
/// Returns nullopt with `error` set when it cannot be built or started.
std::optional<gort::ProcessResult> run_go_twin(const std::string& lab, const std::vector<std::string>& args,
                                               const std::vector<std::string>& env, std::string* error);

/// Runs the twin with args as run_go_twin does, passes its stderr (the twin's
/// progress lines) on to this process's, and returns its stdout when it exited
/// 0; otherwise nullopt with `error` set to "not run: <why>" or "exited with
/// status N: <its stderr>", the wording every lab's report prints.
std::optional<std::string> go_twin_output(const std::string& lab, const std::vector<std::string>& args,
                                          std::string* error);

/// Runs argv with extra environment entries ("NAME=value"), in directory cwd
/// (empty: this process's), feeds it `input` on stdin and captures both output
/// streams: gort::run_process's rules (argv[0] without a '/' is searched on
/// this process's PATH; no timeout: a lab's runs take as long as they take).
/// Returns nullopt with `error` set when the program cannot be started.
std::optional<gort::ProcessResult> run_program(const std::vector<std::string>& argv,
                                               const std::vector<std::string>& env, std::string* error,
                                               const std::string& input = {}, const std::string& cwd = {});

/// Runs this program again (Linux's /proc/self/exe: no dependence on argv[0]
/// or the working directory) with args and extra environment entries, for a
/// lab's child modes.  The child writes no profile unless env names one
/// (GORTCPUPROFILE/GORTMEMPROFILE, lab::profile_environment): --cpuprofile and
/// --memprofile profile this process.  Same results as run_program.
std::optional<gort::ProcessResult> run_self(const std::vector<std::string>& args,
                                            const std::vector<std::string>& env, std::string* error);

}  // namespace lab
