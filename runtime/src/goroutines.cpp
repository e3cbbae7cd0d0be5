// goroutines.cpp — the list of live goroutines (gort/goroutines.hpp) and the
// goleak-style wait for them to end.
//
// Go programmers get this list from runtime.Stack(buf, true), which stops the
// world, formats every goroutine and restarts it; go.uber.org/goleak parses
// that text.  live_goroutines reads the same state from allgs the way the
// goroutine profile does (goroutine_profile.cpp), with the world stopped so no
// goroutine starts, parks or exits while its fields are copied: a record's
// id, creator and go-statement pc are written before the release store that
// makes it runnable and stay until it is dead, and a waiting goroutine wrote
// its wait reason and park time before the store that made it Waiting, so the
// acquire load of the status orders every read after it.  The one field a
// stopped world does not freeze is the wait reason of a goroutine that a
// timer or the network poller, running on an M without a P, readies
// meanwhile; goroutine_state_text (dump.cpp) says how that read is handled.
// Goroutines in a blocking call (Syscall) keep running through the stop, but
// do not touch these fields.
//
// Only raw words are taken while the world is stopped; the "created by" names
// come afterwards from the same symbolizer as tracebacks
// (symbolize_return_address: the innermost user function around the go
// statement's return address), once per distinct creation site.
//
// verify_none is goleak.VerifyNone's retry loop: goleak re-reads the stacks
// with back-off sleeps from 1 µs up to 100 ms until a deadline.  Here the
// cheap signal is num_goroutine (a few per-P counters), so the loop polls it —
// a short run of yields first, since a goroutine released a moment ago
// usually needs one turn of its P to return, then sleeps doubling to 1 ms so
// a wait of a second does not burn a core — and stops the world only to name
// the survivors.
#include <gort/goroutines.hpp>
#include <gort/runtime.hpp>
#include <gort/runtime/internal/gc_support.hpp>

#include <algorithm>
#include <string_view>
#include <unordered_map>

#include "crash.hpp"
#include "current.hpp"
#include "dump.hpp"
#include "g.hpp"
#include "m.hpp"
#include "nanotime.hpp"
#include "sched.hpp"
#include "traceback.hpp"

namespace gort {

namespace {

using runtime::G;
using runtime::GStatus;

/// What is copied from one G with the world stopped.
struct RawRecord {
  int64_t id;
  int64_t parent_id;
  const void* gopc;
  const char* state;  // static text (goroutine_state_text)
  int64_t waitsince;  // nanotime at park; 0 unless waiting
};

/// Copies every live, non-system G but self.  Precondition: the world is
/// stopped by the caller.
void copy_live(const G* self, std::vector<RawRecord>* out) {
  runtime::LockGuard guard(runtime::sched.allglock);
  for (const G* gp = runtime::sched.allg; gp != nullptr; gp = gp->alllink) {
    if (gp == self || gp->is_g0) continue;
    const GStatus s = runtime::readgstatus(gp);
    if (s == GStatus::Dead || s == GStatus::Idle || gp->system) continue;
    out->push_back(RawRecord{gp->goid, gp->parent_goid, gp->gopc, runtime::goroutine_state_text(gp),
                             s == GStatus::Waiting ? gp->waitsince : 0});
  }
}

/// Where the qualified name starts in a demangled function name: after the
/// return type the demangler prints for a function template ("void
/// ns::f<T>(T)"), i.e. after the last space outside <> and () that comes
/// before the parameter list; 0 when there is none.
std::size_t qualified_name_start(std::string_view demangled) {
  int depth = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i < demangled.size(); ++i) {
    const char c = demangled[i];
    if (c == '<') {
      ++depth;
    } else if (c == '>') {
      --depth;
    } else if (c == '(' && depth == 0) {
      // "(anonymous namespace)::" is part of the name, not its parameter list.
      if (demangled.substr(i, 21) == "(anonymous namespace)") {
        i += 20;
        continue;
      }
      break;
    } else if (c == ' ' && depth == 0) {
      start = i + 1;
    }
  }
  return start;
}

/// Whether an ignore-list name matches a record's creating function: equal,
/// or equal to the part before its template arguments or parameter list,
/// with or without the return type a function template's name is printed with.
bool created_by_matches(std::string_view name, std::string_view created_by) {
  created_by.remove_prefix(qualified_name_start(created_by));
  if (created_by == name) return true;
  return created_by.size() > name.size() && created_by.substr(0, name.size()) == name &&
         (created_by[name.size()] == '(' || created_by[name.size()] == '<');
}

/// Whether options tell verify_none to leave r alone.
bool ignored(const GoroutineRecord& r, const goleak::Options& options) {
  for (const std::string& name : options.ignore_created_by) {
    if (created_by_matches(name, r.created_by)) return true;
  }
  return std::find(options.ignore_ids.begin(), options.ignore_ids.end(), r.id) != options.ignore_ids.end();
}

/// live_goroutines() without the ones options ignore.
std::vector<GoroutineRecord> unignored_live(const goleak::Options& options) {
  std::vector<GoroutineRecord> all = live_goroutines();
  std::erase_if(all, [&](const GoroutineRecord& r) { return ignored(r, options); });
  return all;
}

}  // namespace

std::vector<GoroutineRecord> live_goroutines() {
  runtime::M* mp = runtime::current_m();
  const G* self = mp != nullptr ? mp->curg : nullptr;
  if (self == nullptr) runtime::gothrow("live_goroutines called outside a goroutine");
  std::vector<RawRecord> raw;
  // Room for every record that exists now, so the stopped world rarely waits
  // on the allocator; records created before the stop are appended anyway.
  raw.reserve(runtime::sched.allglen.load(std::memory_order_relaxed));
  // Go's runtime.Stack(buf, true), which goleak reads, stops the world with
  // this reason too.
  runtime::stop_the_world_gc(runtime::StwReason::AllGoroutinesStack);
  copy_live(self, &raw);
  const int64_t now = runtime::nanotime();
  runtime::start_the_world_gc();

  std::sort(raw.begin(), raw.end(), [](const RawRecord& a, const RawRecord& b) { return a.id < b.id; });
  struct Site {
    std::string function, file;
    int line = 0;
  };
  std::unordered_map<const void*, Site> sites;
  std::vector<GoroutineRecord> out;
  out.reserve(raw.size());
  for (const RawRecord& r : raw) {
    GoroutineRecord& rec = out.emplace_back();
    rec.id = r.id;
    rec.parent_id = r.parent_id;
    rec.state = r.state;
    if (r.waitsince != 0 && now > r.waitsince) rec.waiting_for = std::chrono::nanoseconds(now - r.waitsince);
    if (r.gopc == nullptr || r.parent_id == 0) continue;  // the main goroutine
    auto [it, added] = sites.try_emplace(r.gopc);
    if (added) runtime::symbolize_return_address(r.gopc, &it->second.function, &it->second.file, &it->second.line);
    rec.created_by = it->second.function;
    rec.creation_file = it->second.file;
    rec.creation_line = it->second.line;
  }
  return out;
}

std::string describe(const GoroutineRecord& r) {
  std::string s = "goroutine " + std::to_string(r.id) + " [" + r.state;
  // Go prints the wait time once it reaches a minute (goroutineheader).
  const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(r.waiting_for).count();
  if (minutes >= 1) s += ", " + std::to_string(minutes) + " minutes";
  s += "]:\n";
  if (r.parent_id != 0) {
    s += "created by " + (r.created_by.empty() ? std::string("?") : r.created_by) + " in goroutine " +
         std::to_string(r.parent_id) + "\n";
    if (!r.creation_file.empty()) s += "\t" + r.creation_file + ":" + std::to_string(r.creation_line) + "\n";
  }
  return s;
}

namespace goleak {

std::vector<GoroutineRecord> verify_none(std::chrono::nanoseconds max_wait, const Options& options) {
  using Clock = std::chrono::steady_clock;
  // Yields before the first sleep: enough turns for every P's run queue to
  // let a just-released goroutine reach its return.
  constexpr int kYields = 64;
  // Sleep back-off bounds: the first sleep is short against a goroutine that
  // is a few microseconds from exiting; 1 ms caps the overshoot of the wait.
  constexpr std::chrono::nanoseconds kFirstSleep = std::chrono::microseconds(10);
  constexpr std::chrono::nanoseconds kMaxSleep = std::chrono::milliseconds(1);
  const bool may_ignore = !options.ignore_created_by.empty() || !options.ignore_ids.empty();
  const Clock::time_point deadline = Clock::now() + max_wait;
  std::chrono::nanoseconds pause = kFirstSleep;
  for (int poll = 0;; ++poll) {
    if (num_goroutine() <= 1) return {};
    const Clock::time_point now = Clock::now();
    const bool last = now >= deadline;
    // With an ignore list the survivors may all be ignored: look at them on
    // the first poll and at each sleep, not at every yield.
    if (last || (may_ignore && (poll == 0 || poll >= kYields))) {
      std::vector<GoroutineRecord> left = unignored_live(options);
      if (left.empty() || last) return left;
    }
    if (poll < kYields) {
      gosched();
    } else {
      sleep(std::min(pause, std::chrono::duration_cast<std::chrono::nanoseconds>(deadline - now)));
      pause = std::min(pause * 2, kMaxSleep);
    }
  }
}

std::string describe(const std::vector<GoroutineRecord>& leaks) {
  if (leaks.empty()) return {};
  std::string s = "found unexpected goroutines:\n";
  for (const GoroutineRecord& r : leaks) s += "\n" + gort::describe(r);
  return s;
}

}  // namespace goleak

}  // namespace gort
