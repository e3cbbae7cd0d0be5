// analysis/blocking.hpp — pprof-like profiles of where goroutines waited:
// total time and count per stack.
//
// Mirrors Go's src/cmd/trace/pprof.go: the "Synchronization blocking
// profile" (blocked on a channel, select or sync primitive: wait reasons
// containing "chan", "select", "sync" or "sema"), the "Network blocking
// profile" (wait reason "IO wait" or containing "network"), the "Syscall
// profile" (time in blocking calls, by the stack that entered the call) and
// the "Scheduler latency profile" (time runnable, by the stack of the event
// that made the goroutine runnable: its GoUnblock, GoStop or GoCreate call
// site).  Also the total blocked time per wait reason, for every reason.
#pragma once

#include "../timeline.hpp"

#include <string>
#include <vector>

namespace gort::viewer {

struct ProfileEntry {
  uint64_t stack = 0;  // a stack id with these pcs (0: no stack)
  int64_t total = 0;
  uint64_t count = 0;
};

struct Profile {
  std::string title;
  int64_t total = 0;
  uint64_t count = 0;
  std::vector<ProfileEntry> entries;  // by total, largest first
};

struct ReasonTotal {
  std::string reason;
  int64_t total = 0;
  uint64_t count = 0;
};

struct BlockingAnalysis {
  std::vector<ReasonTotal> by_reason;  // every wait reason, by total
  Profile sync, network, syscall, sched;
};

/// True for wait reasons of the synchronization profile / network profile.
bool is_sync_reason(std::string_view reason);
bool is_network_reason(std::string_view reason);

BlockingAnalysis analyze_blocking(const Trace& trace, const Timeline& timeline);

}  // namespace gort::viewer
