// analysis/blocking.cpp — see blocking.hpp.  Go: src/cmd/trace/pprof.go.
#include "blocking.hpp"

#include "goroutines.hpp"

#include <algorithm>
#include <map>

namespace gort::viewer {

bool is_sync_reason(std::string_view r) {
  return r.find("chan") != std::string_view::npos || r.find("select") != std::string_view::npos ||
         r.find("sync") != std::string_view::npos || r.find("sema") != std::string_view::npos;
}

bool is_network_reason(std::string_view r) {
  return r == "IO wait" || r.find("network") != std::string_view::npos;
}

namespace {

/// Accumulates a profile keyed by the stack's pcs (two ids with the same pcs
/// are one stack).
class ProfileBuilder {
 public:
  ProfileBuilder(const Trace& trace, std::string title) : trace_(trace) { p_.title = std::move(title); }
  void add(uint64_t stack, int64_t d) {
    auto pcs = trace_.stack(stack);
    auto [it, fresh] = by_pcs_.try_emplace(std::vector<uint64_t>(pcs.begin(), pcs.end()), ProfileEntry{stack, 0, 0});
    it->second.total += d;
    it->second.count++;
    p_.total += d;
    p_.count++;
  }
  Profile done() {
    for (auto& [pcs, e] : by_pcs_) p_.entries.push_back(e);
    std::stable_sort(p_.entries.begin(), p_.entries.end(),
                     [](const ProfileEntry& a, const ProfileEntry& b) { return a.total > b.total; });
    return std::move(p_);
  }

 private:
  const Trace& trace_;
  Profile p_;
  std::map<std::vector<uint64_t>, ProfileEntry> by_pcs_;
};

}  // namespace

BlockingAnalysis analyze_blocking(const Trace& trace, const Timeline& tl) {
  BlockingAnalysis a;
  ProfileBuilder sync(trace, "Synchronization blocking profile"), net(trace, "Network blocking profile"),
      sys(trace, "Syscall profile"), sched(trace, "Scheduler latency profile");
  std::map<std::string, ReasonTotal> reasons;
  for (const Goroutine& g : tl.goroutines) {
    for (size_t i = 0; i < g.slices.size(); i++) {
      const GSlice& s = g.slices[i];
      const int64_t d = s.end - s.start;
      switch (s.state) {
        case SliceState::Blocked: {
          std::string r = reason_text(trace, s.reason);
          ReasonTotal& rt = reasons[r];
          rt.reason = r;
          rt.total += d;
          rt.count++;
          if (is_sync_reason(r)) sync.add(s.stack, d);
          if (is_network_reason(r)) net.add(s.stack, d);
          break;
        }
        case SliceState::Syscall:
          sys.add(s.stack, d);
          break;
        case SliceState::Runnable:
          if (i + 1 < g.slices.size()) sched.add(s.stack, d);
          break;
        default:
          break;
      }
    }
  }
  for (auto& [r, rt] : reasons) a.by_reason.push_back(rt);
  std::stable_sort(a.by_reason.begin(), a.by_reason.end(),
                   [](const ReasonTotal& x, const ReasonTotal& y) { return x.total > y.total; });
  a.sync = sync.done();
  a.network = net.done();
  a.syscall = sys.done();
  a.sched = sched.done();
  return a;
}

}  // namespace gort::viewer
