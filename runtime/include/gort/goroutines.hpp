// gort/goroutines.hpp — the goroutines still alive, and a leak check built on
// them (what Go programmers get from runtime.Stack(buf, true) and from
// go.uber.org/goleak's Find and VerifyNone).
//
//   gort::ErrGroup g(ctx);
//   ... g.wait(); cancel();
//   auto leaks = gort::goleak::verify_none(std::chrono::seconds(1));
//   if (!leaks.empty()) std::fputs(gort::goleak::describe(leaks).c_str(), stderr);
//
// live_goroutines() lists every goroutine of the program except the caller and
// the runtime's own (Go's isSystemGoroutine: the ones num_goroutine does not
// count), each with its id, where it was created (the function holding its go
// statement, and that statement's file and line: the "created by" line of a Go
// traceback) and its state as a Go traceback's header prints it ("chan
// receive", "select", "sleep", "sync.WaitGroup.Wait", "runnable", ...).
// goleak::verify_none waits, bounded, for those goroutines to end and returns
// the ones that did not: a test's or a program's leak check after it has
// cancelled and waited for everything it started.
//
// Cost.  Taking the list stops the world for as long as it takes to copy a few
// words per goroutine (the goroutine profile's stop, without its stack walks),
// then names each distinct creation site once with the symbolizer.  It is a
// diagnostic, not something for a hot path; verify_none takes it only when the
// goroutine count says someone besides the caller may be alive.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace gort {

/// One live goroutine, as the header and "created by" lines of Go's traceback
/// show it.
struct GoroutineRecord {
  /// Goroutine id (gort::goid() inside it; 1 is main).
  int64_t id = 0;
  /// Id of the goroutine that ran its go statement (0 for the main goroutine).
  int64_t parent_id = 0;
  /// The function that holds the go statement, demangled with its parameter
  /// list ("worker_pool::start(int)"), as "created by" prints it; empty when
  /// it cannot be named (no symbols) or for the main goroutine.
  std::string created_by;
  /// Source file and line of the go statement; empty and 0 when unknown.
  std::string creation_file;
  int creation_line = 0;
  /// What the goroutine is doing, in Go's words: the wait reason while it is
  /// blocked ("chan receive", "chan send", "select", "sleep", "semacquire",
  /// "sync.Mutex.Lock", "sync.WaitGroup.Wait", "IO wait", ...), otherwise
  /// "runnable", "running" (only a goroutine running in another thread than
  /// the world-stop could reach) or "syscall" (inside gort::blocking).
  std::string state;
  /// How long it has been blocked; zero unless it is waiting.
  std::chrono::nanoseconds waiting_for{0};
};

/// Every goroutine alive besides the caller and the runtime's own, in id order
/// (Go's runtime.Stack(buf, true) with the stacks left out).  A goroutine
/// created and not yet run is listed "runnable"; one that has returned is not
/// listed.  Stops the world briefly (see the file comment).
/// Precondition: called from a goroutine (inside gort::run) that holds no
/// runtime lock; not from a signal handler or a thread outside gort.
std::vector<GoroutineRecord> live_goroutines();

/// Go's traceback text for one record, as a goroutine dump prints it:
/// "goroutine 7 [chan receive]:\ncreated by f() in goroutine 1\n\tfile.cpp:12\n".
std::string describe(const GoroutineRecord& r);

/// go.uber.org/goleak's checks for gort programs and tests.
namespace goleak {

/// How long verify_none waits by default for goroutines that are on their way
/// out (a worker that has seen its channel closed but not yet returned):
/// goleak waits about as long (its retries with back-off up to 100 ms).
inline constexpr std::chrono::nanoseconds kDefaultMaxWait = std::chrono::seconds(1);

/// What verify_none may ignore.  Every member has an initializer, so designated
/// initializers may name only the ones they set.
struct Options {
  /// Goroutines whose creating function is one of these (goleak.IgnoreCreatedBy).
  /// A name matches a record's created_by when it equals it, or equals the
  /// part before its template arguments or parameter list ("pool::start"
  /// matches "pool::start(int)" and "pool::start<Task>(int)"); the return
  /// type printed before a function template's name is skipped ("void
  /// pool::start<Task>(Task)" matches too).
  std::vector<std::string> ignore_created_by{};
  /// Goroutines with these ids, e.g. those of a live_goroutines() taken before
  /// the checked code ran (goleak.IgnoreCurrent), or the main goroutine when
  /// the check runs elsewhere.
  std::vector<int64_t> ignore_ids{};
};

/// Waits until no goroutine besides the caller (and the ignored ones) is alive,
/// or max_wait has passed, and returns the goroutines still alive then (empty:
/// no leak; goleak.Find returning nil).  It polls the goroutine count — first
/// yielding, then in short sleeps doubling to 1 ms — and takes live_goroutines
/// only when the count says more than the caller is alive, so a clean program
/// pays no stop of the world.  Precondition: as live_goroutines'; call it after
/// everything the checked code started has been cancelled and waited for.
std::vector<GoroutineRecord> verify_none(std::chrono::nanoseconds max_wait = kDefaultMaxWait,
                                         const Options& options = {});

/// The leak report goleak prints: "found unexpected goroutines:" and each
/// record's describe() text after a blank line; empty for no records.
std::string describe(const std::vector<GoroutineRecord>& leaks);

}  // namespace goleak

}  // namespace gort
