// g.cpp — goroutine status transitions and the names Go prints for them.
#include "g.hpp"

#include <cstdio>

#include "crash.hpp"
#include "sched.hpp"

namespace gort::runtime {

const char* gstatus_string(GStatus s) {
  // Go's gStatusStrings (traceback.go).
  switch (s) {
    case GStatus::Idle: return "idle";
    case GStatus::Runnable: return "runnable";
    case GStatus::Running: return "running";
    case GStatus::Syscall: return "syscall";
    case GStatus::Waiting: return "waiting";
    case GStatus::Dead: return "dead";
    case GStatus::Preempted: return "preempted";
  }
  return "???";
}

void report_bad_gstatus(G* gp, GStatus oldval, GStatus newval, GStatus cur) {
  std::fprintf(stderr, "runtime: casgstatus: goroutine %lld: bad status %s -> %s (is %s)\n",
               static_cast<long long>(gp->goid), gstatus_string(oldval), gstatus_string(newval),
               gstatus_string(cur));
  gothrow("casgstatus: bad incoming values");
}

void casgstatus(G* gp, GStatus oldval, GStatus newval) {
  GStatus cur = oldval;
  if (!gp->status.compare_exchange_strong(cur, newval, std::memory_order_acq_rel)) {
    report_bad_gstatus(gp, oldval, newval, cur);
  }
}

}  // namespace gort::runtime
