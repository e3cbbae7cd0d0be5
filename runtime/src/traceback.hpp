// traceback.hpp — goroutine stack walks in Go's traceback format (traceback.go).
//
// Frames are found with libunwind and named with the ELF symbol tables and DWARF
// line tables (elfutils libdw), then printed as Go prints them:
//
//     worker(int)
//     	/src/app/main.cpp:17 +0x2c
//     created by main_fn() in goroutine 1
//     	/src/app/main.cpp:30 +0x51
//
// Three starting points: the calling thread itself, a parked goroutine (from the
// registers fcontext saved on its stack), and a signal context (faults).
//
// What is printed (details in symbolize.cpp):
//   - Calls the compiler inlined are frames of their own, innermost first, as
//     Go prints them: name, then "\t<file>:<line>" without an offset (the
//     offset belongs to the physical function, printed on its frame).  File and
//     line of a return address are looked up at pc-1, as Go does.
//   - Names are demangled.  Inlined functions without a linkage name (anonymous
//     namespaces, lambdas) are named from their DWARF scopes in the demangler's
//     spelling, except that lambdas are not numbered: "{lambda()}".
//   - show_runtime=false (GOTRACEBACK single/all) hides gort::runtime frames,
//     the go-statement and gort::run trampolines (gort::go<...>, gort::run<...>),
//     Boost's fcontext functions, the C++ throw hook and signal trampolines,
//     and everything below the outermost user frame (std::apply plumbing,
//     start_thread, __libc_start_main, _start).  If that hides every frame,
//     all are printed, as Go does.
//   - A goroutine's walk ends at its first function (goroutine_entry); any walk
//     ends after 100 frames with "...additional frames elided...".
// A walk is unwound (traceback.cpp: async-signal-safe) and then symbolized
// (symbolize.cpp: allocates, serialised by one process-wide lock since libdw
// is not thread-safe; the first call reads the process's modules and debug
// info).  So the traceback_* printers are not for signal handlers: a fatal
// signal's report unwinds with unwind_* there and has the walks symbolized
// in another process (crash_report.cpp).
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace gort::runtime {

struct G;

/// Which frames a traceback shows (GOTRACEBACK's levels).
enum class TracebackLevel : uint8_t {
  None,    // GOTRACEBACK=none: no goroutine tracebacks at all
  Single,  // default: the failing goroutine only, runtime frames hidden
  All,     // every user goroutine, runtime frames hidden
  System,  // every goroutine, runtime frames shown
  Crash,   // as System, then abort (core dump) instead of exit 2
};

// ---- unwinding (traceback.cpp): async-signal-safe ----------------------------

/// Physical frames a walk visits at most (Go's _TracebackMaxFrames).
inline constexpr int kMaxFrames = 100;

inline constexpr uint8_t kFrameExact = 1;   // pc is not a return address: look it up as is
inline constexpr uint8_t kFrameSignal = 2;  // a signal trampoline frame

/// The physical frames of one stack walk, innermost first: what unwinding
/// finds and symbolizing names.  About 1 KiB; lives on the walker's stack.
struct Walk {
  uintptr_t pc[kMaxFrames];
  uint8_t flags[kMaxFrames];
  int n = 0;
  bool elided = false;  // stopped at kMaxFrames with frames left

  /// The address frame i is looked up at: a return address's call, pc-1 (Go's tracepc).
  uintptr_t lookup_pc(int i) const { return (flags[i] & kFrameExact) != 0 ? pc[i] : pc[i] - 1; }
};

/// Appends the calling thread's frames to w, dropping unwind_current's own and
/// the `drop` innermost above it.  Async-signal-safe.
void unwind_current(Walk* w, int drop);

/// Appends parked goroutine gp's frames to w (none for a G that never ran).
/// Preconditions as traceback_parked's.  Async-signal-safe.
void unwind_parked(const G* gp, Walk* w);

/// Where a parked goroutine resumes: the return address into the function that
/// switched away, the stack pointer and the frame pointer it resumes with.
struct ParkedFrame {
  uintptr_t pc = 0;  // return address (look it up at pc-1)
  uintptr_t sp = 0;  // stack pointer after the switch returns
  uintptr_t fp = 0;  // rbp: the frame-pointer chain starts here
};

/// Reads gp's resume registers from its saved context; false for a G that
/// has not run yet (no context, or a first context nothing has switched from).  Precondition: gp is parked and stays so (the world is stopped,
/// or gp is the caller's to resume).  Async-signal-safe.
bool parked_frame(const G* gp, ParkedFrame* out);

/// Appends the frames of a signal handler's interrupted context (ucontext_t*)
/// to w.  Async-signal-safe.
void unwind_ucontext(const void* uctx, Walk* w);

/// Initialises libunwind (its first unwind sets up its caches): called once at
/// runtime start, so a fatal signal's first walk does no set-up.
void unwind_init();

/// Whether lookup address tpc lies in the main body of goroutine_entry, the
/// first function of every goroutine.  Async-signal-safe.
bool is_goroutine_entry(uintptr_t tpc);

/// The entry address of goroutine_entry, where every goroutine's walk ends
/// (newproc.cpp).
uintptr_t goroutine_entry_pc();

// ---- symbolizing and printing (symbolize.cpp): allocates, not for signal handlers

/// Names and prints w's frames from `skip` logical frames on, in Go's format
/// (see the file comment); takes the symbolizer lock.
void print_walk(FILE* out, const Walk& w, int skip, bool show_runtime);

/// Prints w's frames unnamed ("?" and the pc): what a report shows when no
/// symbolizer can run.  Allocates nothing (stdio aside).
void print_walk_unsymbolized(FILE* out, const Walk& w);

/// Makes the symbolizer read process pid's modules instead of this process's:
/// the crash report helper names the addresses of the process that crashed.
/// Precondition: called before the first symbolization.
void symbolize_process(int pid);

/// Prints the frames of the calling thread's stack, skipping `skip` innermost
/// frames.
///   In this implementation: traceback_current's own frame is never printed;
///   `skip` counts the logical frames above it (inlined calls included, hidden
///   ones too), so skip=1 drops the caller of traceback_current.  Its walk keeps
///   a few KiB on the stack and symbolizes into static buffers, but libdw and
///   the demangler do allocate: not for signal handlers.
void traceback_current(FILE* out, int skip, bool show_runtime);

/// Prints the frames of parked (not running) goroutine gp, starting from the
/// registers its last switch saved.  Precondition: gp is not running.
/// Prints nothing for a G that never ran (fiber.fctx is null).  The caller
/// must have seen gp's status after it parked (readgstatus, acquire): the
/// saved context is published before the status.
void traceback_parked(FILE* out, const G* gp, bool show_runtime);

/// Prints the frames starting at the interrupted context of a signal handler
/// (ucontext_t*).  Symbolizes in place: only for a signal that cannot have
/// interrupted malloc or the symbolizer (not for fatal signals).
void traceback_ucontext(FILE* out, const void* uctx, bool show_runtime);

/// Prints the frames of a list of return addresses (as unw_backtrace returns
/// them: the first is the innermost frame's pc, the rest are return addresses).
/// (unw_backtrace's first entry is the return address into its caller, so
/// every entry is looked up at pc-1.)
void traceback_pcs(FILE* out, void* const* pcs, int n, bool show_runtime);

/// Prints "created by <function> in goroutine N\n\t<file>:<line> +0x<off>\n" for
/// the go statement at pc (the return address recorded in G::gopc).
/// gort::go is normally inlined into its caller: <function> is the innermost
/// user function around the inlined gort::go (a lambda inlined into gort::run's
/// entry is named, not gort::run), <line> the line of the go statement, and the
/// offset is pc's from the start of the physical function containing it.  If
/// gort::go was not inlined, pc lies in gort::go<...> itself and that is named.
void traceback_created_by(FILE* out, const void* pc, int64_t parent_goid);

/// Names return address pc as traceback_created_by does (the innermost user
/// function around it, demangled) with its file and line; false when nothing
/// is known.  Takes the symbolizer lock and allocates: not for signal handlers.
bool symbolize_return_address(const void* pc, std::string* function, std::string* file, int* line);

}  // namespace gort::runtime
