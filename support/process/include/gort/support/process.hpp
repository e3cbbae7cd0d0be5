// gort/support/process.hpp — running a child process to completion, for the
// tests and the labs alike (the test programs, a lab's Go twin, `go build`,
// gnuplot, a lab's own child modes).  Not part of the installed gort library.
//
// One set of rules for every child:
//   - argv[0] with a '/' is run as given; a bare name is searched on the PATH
//     of *this* process (execvp's rule), never on a PATH passed in env;
//   - the environment is this process's, with env's "NAME=value" entries
//     replacing inherited ones of the same name or added;
//   - stdin is a pipe that receives `input` and is then closed, so a child
//     that reads stdin sees end of file instead of waiting on a terminal;
//   - the working directory is cwd, or this process's when cwd is empty;
//   - with a timeout, a child still running is sent SIGQUIT (a gort or Go
//     program then prints its goroutine dump: the evidence of a hang), and
//     SIGKILL when it has not exited a grace period later.
#pragma once

#include <string>
#include <vector>

namespace gort {

/// How to run a child process; every field has a usable default.
struct ProcessOptions {
  /// "NAME=value" entries over this process's environment.
  std::vector<std::string> env;
  /// Fed to the child's stdin, which is then closed (empty: end of file at once).
  std::string input;
  /// The child's working directory; empty: this process's.
  std::string cwd;
  /// Milliseconds before SIGQUIT is sent; 0: no timeout.
  int timeout_ms = 0;
  /// Milliseconds between SIGQUIT and SIGKILL: ample for a goroutine dump,
  /// and a bound on a dump that itself hangs.
  int quit_grace_ms = 2000;
};

/// What a child process did.
struct ProcessResult {
  /// False when the program could not be started (not found, not
  /// executable, no such cwd); `error` then says why and nothing else is set.
  bool started = false;
  std::string error;
  /// Exit status, or 128 + signal when a signal ended it.
  int exit_code = -1;
  std::string out;
  std::string err;
  /// Still running at the timeout: sent SIGQUIT, then SIGKILL if needed.
  bool timed_out = false;
};

/// Runs argv to completion under the rules above and captures both output
/// streams.  Thread-safe; blocks the calling thread (from a goroutine, call it
/// inside gort::blocking).  Precondition: argv is not empty.
ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options = {});

/// "NAME=value" for an option list variable such as TSAN_OPTIONS or
/// ASAN_OPTIONS: this process's value with `option` appended (':'-separated),
/// so a child gets the caller's sanitizer settings plus one of its own.
std::string env_with_option(const std::string& name, const std::string& option);

}  // namespace gort
