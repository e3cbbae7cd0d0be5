// trace.cpp — starting and stopping the execution tracer, and the events that
// need more than a number (mirrors StartTrace, StopTrace and traceAdvance's
// status snapshot in golang/go src/runtime/trace2.go, and trace2status.go).
//
// Start: the world is stopped, the file header and the fixed string table
// (wait reasons, stop reasons, stop-the-world reasons) are written, then every
// P's and every goroutine's state at that instant (ProcStatus, GoStatus), so
// the reader's state machines begin from a known state; tracing is switched
// on before the world restarts, so the first event of any other thread comes
// after the snapshot.  The stop that start makes is itself not in the trace.
//
// A thread in a blocking call is not stopped by start's stop-the-world: one
// returning while the snapshot is written (its P taken by the stop, so it
// records GoSyscallEndBlocked) races the snapshot to state its goroutine.
// Exactly one of the two does (Go 1.22's statusWasTraced/acquireStatus): the
// snapshot reads a goroutine's status and stamps it before claiming it, the
// returning thread claims it before its event and its status change, so
// whichever claims first states the goroutine in its blocking call, on that
// thread, before the event that ends it.  A thread that checked whether to
// trace just before tracing was switched on records nothing: the snapshot
// waits until such a thread has made its goroutine's status change (M's
// trace_seq, Go's per-M trace seqlock and traceAdvance's ragged barrier), so
// it states the goroutine as the returning thread left it.
//
// Stop: tracing is switched off, every thread's buffer is drained into the
// file (trace_buffer.cpp's seqlock makes that safe without stopping the
// world), then the Frame records naming every pc the trace's stacks hold,
// then the end-of-trace record, stamped after the drain so that it follows
// every event in the file.  A reader that finds no end-of-trace record
// knows the file was cut short.
//
// Rejected: Go 1.22 splits a long trace into generations, each re-stating
// every state, so a reader can start anywhere and memory stays bounded.  gort
// writes one generation per file: lab traces are seconds long, and one
// generation keeps the format and the reader small.
#include <gort/trace.hpp>
#include <gort/runtime/internal/netpoll.hpp>
#include <gort/runtime/internal/sema.hpp>

#include <fcntl.h>

#include <algorithm>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <string>
#include <system_error>
#include <unordered_set>
#include <vector>

#include "current.hpp"
#include "nanotime.hpp"
#include "sched.hpp"
#include "trace_runtime.hpp"
#include "trace_buffer.hpp"
#include "trace_intern.hpp"
#include "traceback.hpp"

namespace gort::runtime {

using trace::format::GoState;
using trace::format::ProcState;
using trace::format::put_uvarint;

namespace {

/// Serialises start and stop (a goroutine waits on it, not its thread).
std::atomic<uint32_t> trace_control_sema{1};

/// True while start writes its snapshot of goroutine states.
std::atomic<bool> snapshot_in_progress{false};
/// Goroutines whose status the current snapshot has stated or a returning
/// thread has claimed (cleared by start while tracing is off).
std::mutex status_claims_mu;
std::unordered_set<const G*> status_claims;

/// Claims the right to state gp's status in this trace; true for exactly one
/// caller per goroutine and trace (mirrors acquireStatus).
bool trace_claim_status(const G* gp) {
  std::lock_guard<std::mutex> g(status_claims_mu);
  return status_claims.insert(gp).second;
}

/// Return addresses GoCreate names: the `go` call (gopc) and the goroutine's
/// first function.  The latter is an entry point, not a return address, so it
/// is recorded plus one: every stack pc is looked up at pc-1.
uint64_t create_stack(TraceWriter& w, const void* pc) {
  if (pc == nullptr) return 0;
  void* pcs[1] = {const_cast<void*>(pc)};
  return trace_intern_stack(w, pcs, 1);
}

const char* stop_reason_string(TraceStopReason r) {
  switch (r) {
    case TraceStopReason::Gosched: return "runtime.Gosched";
    case TraceStopReason::Preempted: return "preempted";
    case TraceStopReason::Yield: return "yield";
    case TraceStopReason::kCount: break;
  }
  return "?";
}

void define_fixed_strings(TraceWriter& w) {
  auto define = [&](uint64_t id, const char* s) {
    const uint64_t args[1] = {id};
    w.event_with_bytes(Ev::String, args, 1, s);
  };
  for (int r = 0; r < int(WaitReason::kCount); ++r) {
    define(trace_string(WaitReason(r)), wait_reason_string(WaitReason(r)));
  }
  for (int r = 0; r < int(StwReason::kCount); ++r) define(trace_string(StwReason(r)), stw_reason_string(StwReason(r)));
  for (int r = 0; r < int(TraceStopReason::kCount); ++r) {
    define(trace_string(TraceStopReason(r)), stop_reason_string(TraceStopReason(r)));
  }
}

/// Waits until no M is between the trace check of a goroutine leaving a
/// blocking call and that goroutine's status change (M::trace_seq; mirrors the
/// ragged barrier of traceAdvance).  Tracing is on by now: an M that checks
/// later traces the change itself and claims the goroutine's status first; one
/// that checked earlier has made its change once this returns, so the snapshot
/// reads the new status.  Without it the snapshot stated such a goroutine as
/// still in its call on that M, and the M's next goroutine could not be
/// ordered ("thread N already runs goroutine G").
void wait_for_status_changes() {
  std::vector<M*> ms;
  {
    LockGuard g(sched.lock);
    for (M* mp = sched.allm; mp != nullptr; mp = mp->alllink) ms.push_back(mp);
  }
  for (M* mp : ms) {
    while ((mp->trace_seq.load(std::memory_order_seq_cst) & 1) != 0) procyield(30);
  }
}

/// The id of the M running gp, or 0.  Read while gp's thread may be leaving
/// the state being recorded: a stale id is then discarded by the failed claim.
uint64_t m_id_of(const G* gp) {
  const M* mp = gp->m.load(std::memory_order_relaxed);
  return mp != nullptr ? uint64_t(mp->id) : 0;
}

/// The state of every P and goroutine, world stopped (traceAdvance's snapshot).
void write_statuses(TraceWriter& w, M* self) {
  const int32_t procs = gomaxprocs();
  uint64_t a[4] = {uint64_t(procs)};
  w.event(Ev::GoMaxProcs, a, 1);
  // Which network poller backend runs, as a log line of no task (category
  // "runtime"): the viewer lists it with the program's own logs.
  const uint64_t log[2] = {0, trace_intern_string(w, "runtime")};
  w.event_with_bytes(Ev::UserLog, log, 2, std::string("netpoll=") + netpoll_backend_name());
  for (int32_t i = 0; i < procs; ++i) {
    P* pp = allp[i].load(std::memory_order_acquire);
    const bool mine = self->p == pp;
    uint64_t s[3] = {uint64_t(pp->id), uint64_t(mine ? ProcState::Running : ProcState::Idle),
                     mine ? uint64_t(self->id) : 0};
    w.event(Ev::ProcStatus, s, 3);
  }
  LockGuard g(sched.allglock);
  for (G* gp = sched.allg; gp != nullptr; gp = gp->alllink) {
    // Status and stamp before the claim: a goroutine leaving a blocking call
    // changes its status only after its own (then failing) claim.
    const GStatus st = readgstatus(gp);
    const uint64_t stamp = trace_now();
    uint64_t s[4] = {uint64_t(gp->goid), 0, 0, 0};
    switch (st) {
      case GStatus::Runnable:
      case GStatus::Preempted:
        s[1] = uint64_t(GoState::Runnable);
        break;
      case GStatus::Running:
        s[1] = uint64_t(GoState::Running);
        s[2] = m_id_of(gp);
        break;
      case GStatus::Syscall:
        s[1] = uint64_t(GoState::Syscall);
        s[2] = m_id_of(gp);
        break;
      case GStatus::Waiting:
        s[1] = uint64_t(GoState::Waiting);
        s[3] = trace_string(gp->waitreason);
        break;
      default:
        continue;  // idle or dead records are not goroutines
    }
    if (!trace_claim_status(gp)) continue;  // stated by its thread already
    w.event_at(stamp, Ev::GoStatus, s, 4);
  }
}

/// Appends events to a batch built outside the tracer (stop's Frame batch,
/// written after every thread's buffer was drained).
struct LocalBatch {
  std::vector<uint8_t> bytes;
  void event(Ev ev, std::initializer_list<uint64_t> args, std::string_view data = {}) {
    const std::size_t at = bytes.size();
    bytes.resize(at + kTraceMaxEventBytes + data.size());
    const uint8_t* end = encode_event(bytes.data() + at, ev, 0, args.begin(), int(args.size()), data);
    bytes.resize(std::size_t(end - bytes.data()));
  }
  uint64_t string(std::string_view s) {
    bool is_new = false;
    const uint64_t id = trace_string_id(s, &is_new);
    if (is_new) event(Ev::String, {id}, s);
    return id;
  }
};

/// Frame records for every pc the trace's stacks name (symbolized once, at
/// the end, so the hot paths only record addresses).
void write_frames(uint64_t thread_id, uint64_t at_ns) {
  LocalBatch b;
  std::string function, file;
  for (uintptr_t pc : trace_stack_pcs()) {
    int line = 0;
    if (!symbolize_return_address(reinterpret_cast<void*>(pc), &function, &file, &line)) continue;
    const uint64_t fn = b.string(function);
    const uint64_t fl = b.string(file);
    b.event(Ev::Frame, {pc, fn, fl, uint64_t(line < 0 ? 0 : line)});
  }
  if (!b.bytes.empty()) trace_write_batch(thread_id, at_ns, b.bytes.data(), b.bytes.size());
}

}  // namespace

const char* stw_reason_string(StwReason r) {
  switch (r) {
    case StwReason::Unknown: return "unknown";
    case StwReason::SweepTermination: return "GC sweep termination";
    case StwReason::MarkTermination: return "GC mark termination";
    case StwReason::GoMaxProcs: return "GOMAXPROCS";
    case StwReason::ReadMemStats: return "ReadMemStats";
    case StwReason::StartTrace: return "start trace";
    case StwReason::Exit: return "exit";
    case StwReason::GoroutineProfile: return "goroutine profile";
    case StwReason::AllGoroutinesStack: return "all goroutines stack trace";
    case StwReason::MemProfileRate: return "set memory profile rate";
    case StwReason::kCount: break;
  }
  return "unknown";
}

void trace_go_create_slow(const G* gp) {
  TraceWriter w;
  if (!w.ok()) return;
  const uint64_t site = create_stack(w, gp->gopc);
  const uint64_t start =
      create_stack(w, gp->entry != nullptr ? reinterpret_cast<const char*>(gp->entry) + 1 : nullptr);
  const uint64_t a[3] = {uint64_t(gp->goid), site, start};
  w.event(Ev::GoCreate, a, 3);
}

void trace_go_syscall_begin_slow() {
  TraceWriter w;
  if (!w.ok()) return;
  // Skip this function: the stack starts at entersyscall, then the caller's
  // gort::blocking.
  const uint64_t a[1] = {trace_current_stack(w, 2)};
  w.event(Ev::GoSyscallBegin, a, 1);
}

void trace_go_syscall_end_blocked_slow(const G* gp, const M* mp) {
  TraceWriter w;
  if (!w.ok()) return;
  if (snapshot_in_progress.load(std::memory_order_seq_cst) && trace_claim_status(gp)) {
    const uint64_t s[4] = {uint64_t(gp->goid), uint64_t(GoState::Syscall), uint64_t(mp->id), 0};
    w.event(Ev::GoStatus, s, 4);
  }
  w.event(Ev::GoSyscallEndBlocked, nullptr, 0);
}

uint64_t trace_stamp_slow() {
  const uint64_t now = trace_now();
  return now != 0 ? now : 1;
}

void trace_proc_steal_slow(uint64_t stamp, const P* pp) {
  TraceWriter w;
  if (!w.ok()) return;
  // Never before the lending call's GoSyscallBegin (see trace_runtime.hpp); both stamps
  // were taken before this thread's CAS, so the event is still not later than now.
  if (pp->syscall_begin_ns != 0) stamp = std::max(stamp, trace_stamp_at(pp->syscall_begin_ns) + 1);
  if (stamp == 0) stamp = trace_now();  // not reached (see trace_runtime.hpp); a time rather than none
  const uint64_t a[2] = {uint64_t(pp->id), uint64_t(pp->syscall_mid)};
  w.event_at(stamp, Ev::ProcSteal, a, 2);
}

void trace_go_stop_slow(TraceStopReason reason) {
  TraceWriter w;
  if (!w.ok()) return;
  // Skip this function: the stack starts at leave (or the stop the world that
  // yields), then what yielded (gosched, a preemption point).
  const uint64_t a[2] = {trace_string(reason), trace_current_stack(w, 2)};
  w.event(Ev::GoStop, a, 2);
}

void trace_go_unblock_slow(const G* gp) {
  TraceWriter w;
  if (!w.ok()) return;
  // Skip this function: the stack starts at what readied gp (ready, the
  // poller's poll_readied, a park whose condition already held), then its
  // caller (a channel send, a semaphore release, the scheduler's poll).
  const uint64_t a[2] = {uint64_t(gp->goid), trace_current_stack(w, 2)};
  w.event(Ev::GoUnblock, a, 2);
}

void trace_go_block_slow(WaitReason reason) {
  TraceWriter w;
  if (!w.ok()) return;
  // Skip this function, trace_go_block and park: the stack starts at the
  // operation that blocked (chan receive, sleep, ...), as Go's does.
  const uint64_t a[2] = {trace_string(reason), trace_current_stack(w, 2)};
  w.event(Ev::GoBlock, a, 2);
}

}  // namespace gort::runtime

namespace gort::trace {

using namespace runtime;

void start(const std::string& path) {
  M* mp = current_m();
  if (mp == nullptr || mp->curg == nullptr) throw std::logic_error("gort::trace::start: not called from a goroutine");
  semacquire(&trace_control_sema, WaitReason::Semacquire);
  struct Release {
    ~Release() { semrelease(&trace_control_sema); }
  } release;
  if (trace_on()) throw std::logic_error("gort::trace::start: tracing is already enabled");
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "gort::trace::start: cannot create " + path);
  trace_intern_reset();
  {
    std::lock_guard<std::mutex> g(status_claims_mu);  // tracing is off: nobody claims
    status_claims.clear();
  }
  semacquire(&worldsema, WaitReason::Semacquire);
  stop_the_world(StwReason::StartTrace);
  mp = current_m();
  trace_buffers_open(fd, nanotime());
  uint8_t header[format::kHeaderBytes] = {};
  std::copy(format::kMagic.begin(), format::kMagic.end(), header);
  for (int i = 0; i < 4; ++i) header[format::kMagic.size() + i] = uint8_t(format::kVersion >> (8 * i));
  trace_file_write(header, sizeof header);
  snapshot_in_progress.store(true, std::memory_order_seq_cst);
  trace_enabled.store(true, std::memory_order_seq_cst);
  {
    TraceWriter w;
    define_fixed_strings(w);
    wait_for_status_changes();
    write_statuses(w, mp);
  }
  snapshot_in_progress.store(false, std::memory_order_seq_cst);
  start_the_world();
  semrelease(&worldsema);
}

void stop() {
  semacquire(&trace_control_sema, WaitReason::Semacquire);
  struct Release {
    ~Release() { semrelease(&trace_control_sema); }
  } release;
  if (!trace_on()) return;
  uint64_t thread_id = 0;
  {
    TraceWriter w;  // the caller's thread id, for the Frame batch
    thread_id = w.thread()->thread_id;
  }
  trace_enabled.store(false, std::memory_order_seq_cst);
  // The end is read once every writer that still saw tracing on has finished:
  // such a writer stamps its event after its check (a GoBlock unwinds the
  // stack first), so a time read before the drain can precede it.
  trace_buffers_drain();
  const uint64_t end_ns = trace_now();
  write_frames(thread_id, end_ns);
  const uint64_t batches = trace_batches_written();
  uint8_t trailer[1 + 2 * format::kMaxUvarintBytes];
  uint8_t* p = trailer;
  *p++ = format::kTrailerTag;
  p = put_uvarint(p, batches);
  p = put_uvarint(p, end_ns);
  trace_file_write(trailer, std::size_t(p - trailer));
  trace_buffers_close();
}

bool is_enabled() { return trace_on(); }

}  // namespace gort::trace
