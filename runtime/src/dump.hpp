// dump.hpp — goroutine dumps (dump.cpp).
#pragma once

#include <cstdio>
#include <cstring>

#include "g.hpp"
#include "traceback.hpp"

namespace gort::runtime {

/// Where a goroutine dump goes: text, walks to name and print, and go
/// statements to name.  A FILE in the dying process (FileDumpSink) or, from a
/// fatal signal's handler, the crash report that another process symbolizes
/// (crash_report.cpp).
class DumpSink {
 public:
  virtual void text(const char* s, std::size_t n) = 0;
  /// Prints w's frames (print_walk's format).
  virtual void frames(const Walk& w, bool show_runtime) = 0;
  /// Prints "created by ... in goroutine N" for the go statement at pc.
  virtual void created_by(const void* pc, int64_t parent_goid) = 0;

  void text(const char* s) { text(s, std::strlen(s)); }

 protected:
  ~DumpSink() = default;
};

/// DumpSink to a FILE, symbolized here (allocates: not for signal handlers).
class FileDumpSink final : public DumpSink {
 public:
  explicit FileDumpSink(FILE* out) : out_(out) {}
  using DumpSink::text;
  void text(const char* s, std::size_t n) override;
  void frames(const Walk& w, bool show_runtime) override;
  void created_by(const void* pc, int64_t parent_goid) override;

 private:
  FILE* out_;
};

/// What a goroutine header prints between the brackets: the wait reason while
/// gp waits ("chan receive"), else its status ("runnable").  A static string;
/// async-signal-safe.
const char* goroutine_state_text(const G* gp);

/// Go's goroutine header, built without allocation (async-signal-safe).
void dump_goroutine_header(DumpSink& out, const G* gp);

/// A goroutine that is not the caller: header, frames of its parked stack (or
/// "goroutine running on other thread; stack unavailable") and its "created
/// by".  Async-signal-safe when out is.
void dump_goroutine(DumpSink& out, const G* gp, bool show_runtime);

/// "created by" of gp, unless it is the main goroutine.
void dump_created_by(DumpSink& out, const G* gp);

/// Every live goroutine but `current`, in goroutine-id order, each preceded by
/// a blank line (Go's tracebackothers).  Sorts in scratch memory from mmap, so
/// it is async-signal-safe when out is.
void dump_other_goroutines(DumpSink& out, const G* current, bool show_runtime);

/// "goroutine N [status, M minutes, locked to thread]:" as Go prints it.
void print_goroutine_header(FILE* out, const G* gp);

/// Go's dump for a dying program at `level`: current first (if any), then (for
/// All and above) every other live goroutine, each preceded by a blank line.
void dump_goroutines(FILE* out, const G* current, TracebackLevel level);

/// Ends the process after a dump: abort() for GOTRACEBACK=crash, else exit 2.
[[noreturn]] void die_after_dump(TracebackLevel level);

/// The GOTRACEBACK level in force (env.cpp).
TracebackLevel debug_traceback_level();

}  // namespace gort::runtime
