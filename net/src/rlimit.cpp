// rlimit.cpp — the soft RLIMIT_NOFILE raised to the hard limit at start-up,
// as Go 1.19's os package does in its init (os/rlimit.go; go.dev/issue/46279):
// the low default soft limit (1024) exists for select(2)'s fixed-size fd_set,
// which a poller-based program never uses, and 10,000 connections should not
// need `ulimit -n`.  Only the soft limit moves; a hard limit set on purpose is
// respected.  A static initialiser does it when a program links gort::net's
// listen or dial (this file comes with them), before main; listen and dial
// also call it, so it has happened before the first socket whatever the
// order of static initialisation.  Children started by support/process get
// the original limit back (gort_net_original_open_file_limit).
#include "rlimit.hpp"

#include <mutex>

namespace gort::net::detail {

namespace {

std::once_flag raise_once;
rlimit original{};
bool raised = false;

const bool raised_at_startup = (raise_open_file_limit(), true);

}  // namespace

void raise_open_file_limit() {
  std::call_once(raise_once, [] {
    rlimit lim{};
    if (getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur == lim.rlim_max) return;
    original = lim;
    lim.rlim_cur = lim.rlim_max;
    raised = setrlimit(RLIMIT_NOFILE, &lim) == 0;
  });
}

}  // namespace gort::net::detail

extern "C" bool gort_net_original_open_file_limit(rlimit* out) {
  using namespace gort::net::detail;
  raise_open_file_limit();
  if (raised) *out = original;
  return raised;
}
