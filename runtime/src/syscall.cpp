// syscall.cpp — blocking calls (mirrors entersyscall, exitsyscall,
// exitsyscallfast and exitsyscall0 in proc.go).
//
// A goroutine about to block its thread (a system call, a foreign library
// call) lends its P instead of holding it: entersyscall marks the P Syscall and
// leaves it attached to nothing.  If the call returns quickly, exitsyscall takes
// the same P back with one CAS, and nothing else happened (the common case costs
// two atomic operations).  If the call lasts, sysmon sees the P's syscalltick
// unchanged for a whole tick (~20 µs), CASes it to Idle and hands it to another
// M (handoffp), so the other goroutines of that P keep running.  The goroutine
// returning then looks for any idle P; if there is none, it queues itself on the
// global run queue and its thread stops, like any idle M, until it is needed.
// A goroutine locked to its thread takes the same paths, but where the others
// wait on the global queue for any M, its own thread waits for it
// (stoplockedm), and an idle P found on the way to the scheduler runs it at
// once on that thread (exitsyscall0; proc.cpp lists every locked-thread path).
//
// The garbage collector scans a goroutine in a blocking call from the stack
// pointer entersyscall recorded (g.syscallsp), after spilling every callee-saved
// register there.
//
// A stop-the-world takes Syscall Ps directly (they run no goroutine), so a long
// blocking call never delays a stop; the returning goroutine then waits.
#include <gort/runtime.hpp>

#include "current.hpp"
#include "nanotime.hpp"
#include "gc_stack_scan.hpp"
#include "proc.hpp"
#include "sched.hpp"
#include "trace_runtime.hpp"

namespace gort {

using namespace runtime;

void entersyscall() {
  M* mp = current_m();
  G* gp = mp->curg;
  P* pp = mp->p;
  // The caller's frames stay put during the call, but pointers it kept in
  // callee-saved registers would be invisible to a stack scan: spill them all
  // into this frame and record the stack pointer below them (Go's save(pc, sp)).
  __builtin_unwind_init();
  char* sp;
  asm volatile("mov %%rsp, %0" : "=r"(sp));
  gp->syscall_sp = sp;
  setgstatus(gp, GStatus::Running, GStatus::Syscall);
  trace_go_syscall_begin();
  pp->syscall_mid = mp->id;
  pp->syscall_begin_ns = trace_on() ? nanotime() : 0;
  pp->syscalltick.store(pp->syscalltick.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  mp->oldp = pp;
  mp->p = nullptr;
  pp->m = nullptr;
  pp->status.store(PStatus::Syscall, std::memory_order_seq_cst);
  sysmon_kick();
  if (sched.gcwaiting.load(std::memory_order_seq_cst)) {
    // A stop is in progress and may be waiting for this P (entersyscall_gcwait).
    // The P goes to the stop as a ProcSteal from its lender, as Go 1.22's
    // entersyscall_gcwait records it: this M (a self-steal), unless the P
    // was retaken and lent again by another M's call meanwhile.
    sched.lock.lock();
    PStatus s = PStatus::Syscall;
    const uint64_t stamp = trace_stamp();
    if (sched.stopwait > 0 && pp->status.compare_exchange_strong(s, PStatus::GCStop)) {
      trace_proc_steal(stamp, pp);
      if (--sched.stopwait == 0) notewakeup(&sched.stopnote);
    }
    sched.lock.unlock();
  }
}

void exitsyscall() {
  M* mp = current_m();
  G* gp = mp->curg;
  P* oldp = mp->oldp;
  mp->oldp = nullptr;
  // Fast path: the P is still ours to take back.
  PStatus s = PStatus::Syscall;
  const uint64_t stamp = trace_stamp();
  if (oldp != nullptr && oldp->status.compare_exchange_strong(s, PStatus::Running, std::memory_order_acq_rel)) {
    oldp->m = mp;
    mp->p = oldp;
    setgstatus(gp, GStatus::Syscall, GStatus::Running);
    if (oldp->syscall_mid != mp->id) {
      // The P was retaken meanwhile, handed to another M, and lent again by
      // that M's blocking call: taking it back steals it from that call
      // (mirrors exitsyscallfast_reacquired's trace events).
      trace_proc_steal(stamp, oldp);
      trace_simple(Ev::ProcStart, uint64_t(oldp->id));
    }
    trace_simple(Ev::GoSyscallEnd);
    if (sched.gc_marking.load(std::memory_order_relaxed)) wait_for_stack_scan(gp);
    return;
  }
  // Retaken meanwhile: any idle P will do (exitsyscallfast_pidle).
  P* pp = nullptr;
  if (sched.npidle.load() > 0 && !sched.gcwaiting.load()) {
    sched.lock.lock();
    if (!sched.gcwaiting.load(std::memory_order_relaxed)) pp = pidleget();
    sched.lock.unlock();
  }
  if (pp != nullptr) {
    acquirep(pp);
    // The P came off the idle list without a startm: sysmon may be asleep
    // through idleness and must watch this P again (exitsyscallfast_pidle).
    sysmon_wake();
    setgstatus(gp, GStatus::Syscall, GStatus::Running);
    trace_simple(Ev::GoSyscallEnd);
    if (sched.gc_marking.load(std::memory_order_relaxed)) wait_for_stack_scan(gp);
    return;
  }
  exitsyscall_wait_for_p(mp);  // resumes on some M that holds a P
}

}  // namespace gort
