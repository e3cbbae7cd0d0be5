// crash_report.cpp — the goroutine report of a fatal signal, printed whatever
// the signal interrupted (mirrors sighandler's crash path in signal_unix.go:
// dieFromSignal after traceback of the signalled goroutine and tracebackothers).
//
// A fault or SIGQUIT may land anywhere: inside malloc or free holding the
// arena lock, inside stdio holding a stream's lock, inside the symbolizer
// holding its own.  The interrupted frame never resumes, so any of those
// locks the report needs deadlocks it (a stack overflow inside malloc hung
// the old in-handler report in every run: libdw's dwfl_begin called calloc).
// Go's runtime has its symbol tables in memory and never allocates in a
// handler; gort names frames with libdw and the demangler, which allocate
// throughout (module lists, per-unit DWARF and line tables, names), so the
// report is split where Go's traceback is split, between unwinding and
// naming, and the naming is done in another process:
//
//   1. In the handler (async-signal-safe only): write the signal's lines with
//      write(2); unwind the signalled goroutine from the ucontext and every
//      other goroutine from its saved registers (traceback.cpp, libunwind's
//      local unwinder: no malloc); format headers with LineBuf; sort
//      goroutines in mmap'd scratch memory (dump.cpp).
//   2. Start the report helper: socketpair, glibc's _Fork (no atfork
//      handlers, no malloc locks: async-signal-safe), and in the child only
//      raw system calls before execve("/proc/self/exe", {"gort-crash-report",
//      "--gort-crash-report=<fd>"}).  The program starts afresh with a clean
//      heap; a constructor here (priority 101, before the program's own
//      static initialisers) sees the flag and runs the helper instead of the
//      program.
//   3. The handler streams the report to the helper as records — text, walks
//      (pcs and frame flags), go statements to name — then waits for it.  The
//      helper points the symbolizer at the crashed process's modules
//      (/proc/<pid>/maps, which that process's exit does not race: it waits),
//      prints the report to the stderr both share, and exits 0.
//   4. The handler ends the process: exit status 2 (abort for
//      GOTRACEBACK=crash).
// If the helper cannot start or fails (no /proc, exec denied, killed), the
// report is printed again from the handler with frames unnamed ("?" and the
// pc), so a report always comes out.
//
// Rejected: making libdw allocation-free by loading everything at start-up
// (every unit's DWARF, line tables and names: seconds and tens of MiB for a
// test binary, paid by every program that never crashes, and the demangler
// and libdw's lookups would still allocate); a bump allocator (libdw calls
// malloc directly and cannot be given one short of replacing malloc for the
// whole program); a helper thread (it would share the arenas and the stdio
// locks that the interrupted thread holds: glibc hands an existing arena to
// new threads past 8 per core); fork without exec (the child inherits the
// held arena lock and half-updated free lists).  Costs: one fork and exec of
// the program per crash — a stack overflow in the StackOverflow test program (tests/testprog/crash.cpp) went from
// 35 to 43 ms between start and exit on a 2-vCPU VM — and nothing until a
// fatal signal arrives.  Measured: overflows inside malloc and SIGQUITs
// landing in malloc or free, 60 runs each, all reported in full with exit
// status 2 (before: every overflow inside malloc hung, and about one SIGQUIT
// in four).
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "crash_report.hpp"
#include "dump.hpp"
#include "sigsafe_format.hpp"

extern char** environ;

namespace gort::runtime {

namespace {

/// The helper's command-line flag, followed by its end of the socket's fd.
constexpr char kHelperFlag[] = "--gort-crash-report=";

// ---- the report stream ------------------------------------------------------------

/// First bytes of a report stream: its format, and the process to symbolize.
struct StreamHeader {
  char magic[8];
  int64_t pid;
};
constexpr char kStreamMagic[8] = "gortcr1";

enum class RecordKind : uint8_t {
  Text = 1,       // n bytes of text follow
  Frames = 2,     // n pcs (uintptr_t), then n frame flags (uint8_t)
  CreatedBy = 3,  // pc and goid: a go statement to name
};

struct Record {
  RecordKind kind;
  uint8_t show_runtime;  // Frames
  uint8_t elided;        // Frames
  uint32_t n;
  uint64_t pc;           // CreatedBy
  int64_t goid;          // CreatedBy
};

// ---- system calls ----------------------------------------------------------------
//
// The handler calls the kernel directly: libc's wrappers are safe, but in
// sanitizer builds they are interceptors that allocate and lock in the
// sanitizer's runtime (TSAN's socketpair records the new descriptors), which
// a fault inside the sanitizer's malloc holds.

long sys_socketpair(int sv[2]) { return syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv); }
long sys_close(int fd) { return syscall(SYS_close, fd); }
long sys_wait(pid_t pid, int* status) { return syscall(SYS_wait4, pid, status, 0, nullptr); }
[[noreturn]] void sys_pause_forever() {
  for (;;) syscall(SYS_pause);
}

bool write_all(int fd, const void* p, std::size_t n, bool socket) {
  const char* s = static_cast<const char*>(p);
  while (n > 0) {
    // MSG_NOSIGNAL: a helper that died must not kill the reporter with SIGPIPE.
    const long w = socket ? syscall(SYS_sendto, fd, s, n, MSG_NOSIGNAL, nullptr, 0) : syscall(SYS_write, fd, s, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    s += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

void write_stderr(const char* s, std::size_t n) { write_all(2, s, n, false); }

/// The report printed from the handler itself, frames unnamed.
class RawSink final : public DumpSink {
 public:
  using DumpSink::text;
  void text(const char* s, std::size_t n) override { write_stderr(s, n); }
  void frames(const Walk& w, bool) override {
    for (int i = 0; i < w.n; ++i) {
      LineBuf<64> line;
      line.str("?\n\t?:0 pc=").hex(w.pc[i]).str("\n");
      text(line.c_str(), line.size());
    }
    if (w.elided) text("...additional frames elided...\n");
  }
  void created_by(const void* pc, int64_t parent_goid) override {
    LineBuf<96> line;
    line.str("created by ? in goroutine ").dec(parent_goid).str("\n\t?:0 pc=");
    line.hex(reinterpret_cast<uintptr_t>(pc)).str("\n");
    text(line.c_str(), line.size());
  }
};

/// The report streamed to the helper.  ok() turns false at the first failed
/// send (the helper is gone); the rest is dropped.
class StreamSink final : public DumpSink {
 public:
  explicit StreamSink(int fd) : fd_(fd) {
    StreamHeader h{};
    std::memcpy(h.magic, kStreamMagic, sizeof h.magic);
    h.pid = getpid();
    put(&h, sizeof h);
  }
  using DumpSink::text;
  void text(const char* s, std::size_t n) override {
    Record r{RecordKind::Text, 0, 0, static_cast<uint32_t>(n), 0, 0};
    put(&r, sizeof r);
    put(s, n);
  }
  void frames(const Walk& w, bool show_runtime) override {
    Record r{RecordKind::Frames, show_runtime, w.elided, static_cast<uint32_t>(w.n), 0, 0};
    put(&r, sizeof r);
    put(w.pc, sizeof w.pc[0] * static_cast<std::size_t>(w.n));
    put(w.flags, sizeof w.flags[0] * static_cast<std::size_t>(w.n));
  }
  void created_by(const void* pc, int64_t parent_goid) override {
    Record r{RecordKind::CreatedBy, 0, 0, 0, reinterpret_cast<uintptr_t>(pc), parent_goid};
    put(&r, sizeof r);
  }
  bool ok() const { return ok_; }

 private:
  void put(const void* p, std::size_t n) {
    if (ok_) ok_ = write_all(fd_, p, n, true);
  }

  int fd_;
  bool ok_ = true;
};

/// The signalled goroutine (or "goroutine 0 [idle]"), then the others for All.
void emit_report(DumpSink& out, G* gp, const void* uctx, TracebackLevel level) {
  const bool show_runtime = level >= TracebackLevel::System;
  Walk w;
  if (gp == nullptr) {
    out.text("\ngoroutine 0 [idle]:\n");
    if (show_runtime) {
      unwind_ucontext(uctx, &w);
      out.frames(w, true);
    }
  } else {
    out.text("\n");
    dump_goroutine_header(out, gp);
    unwind_ucontext(uctx, &w);
    out.frames(w, show_runtime);
    dump_created_by(out, gp);
  }
  if (level >= TracebackLevel::All) dump_other_goroutines(out, gp, show_runtime);
}

/// Starts the helper on one end of a socket pair; returns the other end, or -1.
/// Only raw system calls run in the child: it shares the parent's locks'
/// states (and, in sanitizer builds, the interceptors' too) until execve.
int start_helper(pid_t* child) {
  int sv[2];
  if (sys_socketpair(sv) != 0) return -1;
  LineBuf<48> flag;
  flag.str(kHelperFlag).dec(sv[1]);
  char argv0[] = "gort-crash-report";
  char* argv[] = {argv0, flag.data(), nullptr};
  const pid_t pid = _Fork();
  if (pid == 0) {
    sigset_t none;
    sigemptyset(&none);  // the handler's mask would be inherited across execve
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, nullptr, sizeof(uint64_t));
    syscall(SYS_fcntl, sv[1], F_SETFD, 0);
    syscall(SYS_execve, "/proc/self/exe", argv, environ);
    syscall(SYS_exit_group, 127);
  }
  sys_close(sv[1]);
  if (pid < 0) {
    sys_close(sv[0]);
    return -1;
  }
  *child = pid;
  return sv[0];
}

/// Streams the report to a helper; true when the helper printed all of it.
bool report_through_helper(G* gp, const void* uctx, TracebackLevel level) {
  pid_t child = 0;
  const int fd = start_helper(&child);
  if (fd < 0) return false;
  StreamSink sink(fd);
  emit_report(sink, gp, uctx, level);
  const bool sent = sink.ok();
  sys_close(fd);
  int status = 0;
  while (sys_wait(child, &status) < 0 && errno == EINTR) {
  }
  return sent && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/// The thread printing the report (its tid), 0 before any.  Claimed with a
/// builtin in uninstrumented code: in a TSAN build the first use of an
/// instrumented atomic records a stack in the sanitizer's stack depot, whose
/// lock a fault inside the sanitizer's own malloc holds.
long reporting_thread = 0;

/// Claims the report for thread self; returns the previous holder (0: claimed).
__attribute__((no_sanitize("thread"))) long claim_report(long self) {
  long expected = 0;
  __atomic_compare_exchange_n(&reporting_thread, &expected, self, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
  return expected;
}

// ---- the helper -------------------------------------------------------------------

/// Reads a report stream from fd and prints it to stderr, symbolized; the
/// exit status of the helper process (0: all printed).
int run_helper(int fd) {
  std::string in;
  char buf[65536];
  for (;;) {
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    in.append(buf, static_cast<std::size_t>(n));
  }
  StreamHeader h;
  if (in.size() < sizeof h) return 1;
  std::memcpy(&h, in.data(), sizeof h);
  if (std::memcmp(h.magic, kStreamMagic, sizeof h.magic) != 0) return 1;
  symbolize_process(static_cast<int>(h.pid));
  std::size_t at = sizeof h;
  while (at + sizeof(Record) <= in.size()) {
    Record r;
    std::memcpy(&r, in.data() + at, sizeof r);
    at += sizeof r;
    switch (r.kind) {
      case RecordKind::Text:
        if (r.n > in.size() - at) return 1;
        std::fwrite(in.data() + at, 1, r.n, stderr);
        at += r.n;
        break;
      case RecordKind::Frames: {
        Walk w;
        const std::size_t bytes = r.n * (sizeof w.pc[0] + sizeof w.flags[0]);
        if (r.n > static_cast<uint32_t>(kMaxFrames) || bytes > in.size() - at) return 1;
        w.n = static_cast<int>(r.n);
        w.elided = r.elided != 0;
        std::memcpy(w.pc, in.data() + at, r.n * sizeof w.pc[0]);
        std::memcpy(w.flags, in.data() + at + r.n * sizeof w.pc[0], r.n * sizeof w.flags[0]);
        at += bytes;
        if (w.n > 0) print_walk(stderr, w, 0, r.show_runtime != 0);
        break;
      }
      case RecordKind::CreatedBy:
        traceback_created_by(stderr, reinterpret_cast<const void*>(r.pc), r.goid);
        break;
      default:
        return 1;
    }
  }
  std::fflush(stderr);
  return at == in.size() ? 0 : 1;
}

/// Runs the helper instead of the program when started as one (see the file
/// comment).  glibc passes constructors the program's argc, argv and envp.
__attribute__((constructor(101))) void helper_entry(int argc, char** argv, char**) {
  if (argc != 2 || argv == nullptr || std::strncmp(argv[1], kHelperFlag, sizeof kHelperFlag - 1) != 0) return;
  const int fd = std::atoi(argv[1] + sizeof kHelperFlag - 1);
  _exit(run_helper(fd));
}

}  // namespace

void report_from_signal(const char* message, G* gp, const void* uctx, TracebackLevel level) {
  // One report per process (Go's startpanic_m lets one thread die): another
  // thread arriving meanwhile waits for this one to end the process.  The
  // reporting thread itself arriving again (a fault while it reports) ends it.
  const long self = syscall(SYS_gettid);
  if (const long holder = claim_report(self); holder != 0) {
    if (holder == self) _exit(2);
    sys_pause_forever();
  }
  write_stderr(message, std::strlen(message));
  if (level != TracebackLevel::None && !report_through_helper(gp, uctx, level)) {
    RawSink raw;
    emit_report(raw, gp, uctx, level);
  }
  if (level == TracebackLevel::Crash) abort();
  _exit(2);
}

}  // namespace gort::runtime
