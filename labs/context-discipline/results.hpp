// results.hpp — what the lab measures, in one shape for gort and for Go.
//
// The C++ lab fills RuntimeResults on gort; the Go twin (go/main.go) prints the
// same fields as JSON with -json, read back by from_json, so the report and the
// --json file treat both runtimes alike.  Field names are the members' own.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ctxlab {

/// How one blocking operation of a request ended.
struct OpOutcome {
  /// "ok", or the error's text ("context canceled", "context deadline exceeded", ...).
  std::string result;
  /// Whether it returned with the request context's error.
  bool context_error = false;
  /// From the client's context ending (deadline or cancel call) to the operation's
  /// return; 0 when the client did not give up.
  int64_t after_client_gave_up_ns = 0;
};

/// One request to the service's /item endpoint and what its two blocking
/// operations (the slow store and the downstream call) did.
struct RequestCase {
  /// "completes" (the client waits), "client-deadline" (its context times
  /// out) or "client-cancel" (it cancels explicitly).
  std::string client;
  /// The status the client read (0: it gave up first).
  int status = 0;
  /// From the client giving up to the request context's done() closing on the
  /// server (an after_func on it); 0 when the client did not give up.
  int64_t ctx_done_after_ns = 0;
  OpOutcome store;
  OpOutcome downstream;
  /// Whether the handler's downstream request was written: if the client gave
  /// up before it was, the downstream never saw the request.
  bool downstream_reached = false;
  /// Whether the downstream server's handler saw its own request context end
  /// (the cancellation crossed the connection).
  bool downstream_handler_cancelled = false;
};

/// Part 1: every blocking operation of the handler takes the request context.
struct ServiceResult {
  int64_t store_delay_ns = 0;
  int64_t downstream_delay_ns = 0;
  int64_t client_patience_ns = 0;
  std::vector<RequestCase> cases;
};

/// One goroutine the leak check named.
struct LeakRecord {
  int64_t id = 0;
  std::string created_by;
  std::string creation_file;
  int creation_line = 0;
  std::string state;
  /// Whether it descends from the handler's goroutine (gort: parent ids;
  /// Go 1.19 prints no parent, so the twin names it by its creating function).
  bool from_handler = false;
};

/// Part 1b: the leak check on one handler variant.
struct LeakCheck {
  /// "disciplined" or "leaky".
  std::string variant;
  /// Goroutines that outlived the request (empty: the check passed).
  std::vector<LeakRecord> leaks;
  /// The check's verdict as a test would print it ("" when it passed).
  std::string message;
  /// Goroutines left once the leaked ones were released (must be 0).
  int64_t left_after_release = 0;
};

/// One worker of the errgroup fan-out.
struct WorkerOutcome {
  int index = 0;
  /// "failed" (the one that returns the error), "cancelled" or "completed".
  std::string outcome;
  /// From the failure to this worker's return (0 for the failing one).
  int64_t observed_cancel_after_ns = 0;
};

/// Part 2: errgroup fan-out of N workers, one failing.
struct FanoutResult {
  int workers = 0;
  int failing_worker = 0;
  int64_t fail_after_ns = 0;
  int64_t worker_delay_ns = 0;
  /// What wait() returned.
  std::string wait_error;
  /// From the failure to wait() returning.
  int64_t wait_returned_after_ns = 0;
  std::vector<WorkerOutcome> outcomes;
};

/// One stampede run: many concurrent requests for one uncached key.
struct StampedeRun {
  /// "without singleflight" / "with singleflight".
  bool singleflight = false;
  int requests = 0;
  /// Requests answered 200 with the key's value.
  int ok = 0;
  /// Calls that reached the upstream store.
  int64_t upstream_calls = 0;
  /// Requests served from the cache (the key had arrived by then).
  int64_t cache_hits = 0;
  /// Requests whose value came from a shared flight (SingleFlight's shared flag).
  int64_t shared = 0;
  /// From the first request sent to the last answer read.
  int64_t wall_ns = 0;
};

/// Part 3: the cache stampede.
struct StampedeResult {
  int64_t upstream_delay_ns = 0;
  std::vector<StampedeRun> runs;
};

/// One after_func demonstration.
struct AfterFuncCase {
  /// "timeout", "explicit-cancel", "stop-before-cancel".
  std::string trigger;
  /// Whether the release callback ran.
  bool fired = false;
  /// What stop() returned when called (after the run), and whether it was called first.
  bool stop_returned = false;
  /// From the context ending to the callback starting (0 when it did not fire).
  int64_t fired_after_ns = 0;
  /// The context's err() when the callback ran (or after cancel).
  std::string ctx_err;
  /// Resources still held at the end (must be 0 when fired, 1 when stopped).
  int held_at_end = 0;
};

/// Part 4: after_func cleanup.
struct AfterFuncResult {
  int64_t timeout_ns = 0;
  /// "native" (gort::after_func) or "emulated" (Go 1.19: a goroutine on ctx.Done()).
  std::string implementation;
  std::vector<AfterFuncCase> cases;
};

/// Everything measured on one runtime; an absent part was not run.
struct RuntimeResults {
  /// "gort" or "go".
  std::string runtime;
  /// "gort" or Go's runtime.Version().
  std::string version;
  int gomaxprocs = 0;
  std::optional<ServiceResult> service;
  std::vector<LeakCheck> leak;
  std::optional<FanoutResult> fanout;
  std::optional<StampedeResult> stampede;
  std::optional<AfterFuncResult> afterfunc;
};

/// Everything one invocation of the lab produced: the --json file's shape.
struct LabRun {
  std::string command;
  std::string machine;
  /// /proc/loadavg's first three fields before the runs.
  std::string load_before;
  RuntimeResults gort;
  std::optional<RuntimeResults> go;
  /// Why the Go twin's results are missing although --go was given.
  std::string go_error;
};

/// The lab's own problems with r, one line each (empty: the lab behaved): an
/// operation that ignored the context, a fan-out worker that did not see the
/// cancellation, a stampede with SingleFlight that called upstream more than
/// once, an after_func that did not fire (or fired after stop), a disciplined
/// handler that leaked.  A leaky variant's leak is not a problem of the lab
/// but the leak check's verdict: see leak_verdicts.
std::vector<std::string> check(const RuntimeResults& r);

/// The leak check's failures in r: one line per variant that leaked, naming
/// its goroutines (empty: nothing outlived a request).
std::vector<std::string> leak_verdicts(const RuntimeResults& r);

// JSON conversions (nlohmann's ADL hooks); optional members are null when absent.
void to_json(nlohmann::json& j, const RuntimeResults& v);
void from_json(const nlohmann::json& j, RuntimeResults& v);
void to_json(nlohmann::json& j, const LabRun& v);

}  // namespace ctxlab
