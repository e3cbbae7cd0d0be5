// order.cpp — see order.hpp.  Go: src/internal/trace/order.go (the
// per-event advance functions and their state checks) and reader.go (the
// frontier: try the earliest event first, then the others in time order).
#include "order.hpp"

#include <deque>
#include <queue>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

namespace gort::viewer {

const char* gstate_name(GState s) {
  switch (s) {
    case GState::None: return "unknown";
    case GState::Runnable: return "runnable";
    case GState::Running: return "running";
    case GState::Syscall: return "in a blocking call";
    case GState::Waiting: return "blocked";
    case GState::Dead: return "dead";
  }
  return "?";
}

namespace {

using E = tf::Ev;

constexpr bool is_definition(E t) {
  return t == E::String || t == E::Stack || t == E::Frame || t == E::ThreadName;
}

GState from_status(uint64_t s) {
  switch (tf::GoState(s)) {
    case tf::GoState::Runnable: return GState::Runnable;
    case tf::GoState::Running: return GState::Running;
    case tf::GoState::Syscall: return GState::Syscall;
    case tf::GoState::Waiting: return GState::Waiting;
  }
  return GState::None;  // unreachable: the reader checked the range
}

struct ThreadState {
  uint64_t id = 0;
  Trace::Cursor cursor;
  RawEvent head;
  bool has_head = false;
  int32_t p = -1;
  uint64_t g = 0;
  bool working = false, worker_seen = false;
  bool sweeping = false, sweep_seen = false;
  bool parked = false;  // its head waits for a state change (see wait_keys)

  void advance() {
    while ((has_head = cursor.next(head)) && is_definition(head.type)) {
    }
  }
};

struct GInfo {
  GState st = GState::None;
  uint64_t thread = 0;  // running or in a blocking call on
  bool assisting = false, assist_seen = false;
  std::vector<std::pair<uint64_t, uint64_t>> regions;  // open (task, name str)
};

struct PInfo {
  bool known = false;
  bool held = false;
  uint64_t holder = 0;
};

/// What a parked event waits for / what an applied event changed.
struct WaitKey {
  enum Kind : uint8_t { Thread, Goroutine, Proc, World } kind;
  uint64_t id;
  bool operator==(const WaitKey&) const = default;
};
struct WaitKeyHash {
  size_t operator()(const WaitKey& k) const { return std::hash<uint64_t>()(k.id * 4 + k.kind); }
};

constexpr bool is_world_event(E t) {
  return t == E::STWBegin || t == E::STWEnd || t == E::GCBegin || t == E::GCEnd;
}

struct Key {
  int64_t time;
  uint64_t offset;
  size_t idx;
  bool operator>(const Key& o) const {
    if (time != o.time) return time > o.time;
    return offset > o.offset;
  }
};

class Orderer {
 public:
  explicit Orderer(const Trace& trace) : tr_(trace) {}

  Ordered run() {
    Ordered out;
    out.end_ns = tr_.end_ns();
    // Goroutines that a GoCreate or GoStatus introduces somewhere: their
    // other events wait for it rather than being inferred.
    for (const auto& [id, batches] : tr_.threads()) {
      Trace::Cursor c = tr_.cursor(id);
      RawEvent ev;
      while (c.next(ev)) {
        if (ev.type == E::GoCreate || ev.type == E::GoStatus) declared_.insert(ev.args[0]);
      }
    }
    std::priority_queue<Key, std::vector<Key>, std::greater<Key>> heap;
    for (const auto& [id, batches] : tr_.threads()) {
      size_t i = index(id);
      ThreadState& t = threads_[i];
      t.cursor = tr_.cursor(id);
      t.advance();
      if (t.has_head) heap.push(Key{t.head.time, t.head.offset, i});
    }
    uint64_t defs = tr_.count(E::String) + tr_.count(E::Stack) + tr_.count(E::Frame) + tr_.count(E::ThreadName);
    out.events.reserve(tr_.event_count() - defs);
    // A head that is not legal now is parked on the state it depends on
    // (wait_keys) and goes back into the heap when an applied event changes
    // that state (changed_keys), so an event is re-tried only when it might
    // have become legal.  The attempts are also budgeted: a file crafted so
    // that huge numbers of heads stay illegal fails instead of running for
    // hours.
    std::unordered_map<WaitKey, std::vector<size_t>, WaitKeyHash> waiters;
    size_t parked = 0;
    const uint64_t budget = 64 * (tr_.event_count() + threads_.size()) + 1'000'000;
    uint64_t attempts = 0;
    int64_t last = 0;
    std::vector<WaitKey> keys;
    for (;;) {
      if (heap.empty()) {
        if (parked == 0) break;
        stuck(parked);
      }
      const Key k = heap.top();
      heap.pop();
      ThreadState& t = threads_[k.idx];
      if (++attempts > budget) {
        throw TraceError(t.head.offset, fmt::format("cannot order the events: gave up after {} attempts (too many "
                                                    "threads' events wait for each other)",
                                                    attempts - 1));
      }
      if (!check(t, t.head).empty()) {
        t.parked = true;
        parked++;
        keys.clear();
        wait_keys(t, t.head, keys);
        for (const WaitKey& w : keys) waiters[w].push_back(k.idx);
        continue;
      }
      Event& e = out.events.emplace_back();
      apply(t, t.head, e, out);
      if (t.head.time < last) {
        e.time = last;
        e.flags |= kTimeAdjusted;
        out.adjusted++;
        out.max_adjust_ns = std::max(out.max_adjust_ns, last - t.head.time);
      } else {
        e.time = t.head.time;
        last = t.head.time;
      }
      keys.clear();
      changed_keys(e, keys);
      for (const WaitKey& w : keys) {
        auto it = waiters.find(w);
        if (it == waiters.end()) continue;
        for (size_t idx : it->second) {
          ThreadState& p = threads_[idx];
          if (!p.parked) continue;  // woken by another key already
          p.parked = false;
          parked--;
          heap.push(Key{p.head.time, p.head.offset, idx});
        }
        waiters.erase(it);
      }
      t.advance();
      if (t.has_head) heap.push(Key{t.head.time, t.head.offset, k.idx});
    }
    return out;
  }

 private:
  /// No head is legal: the trace is broken at the earliest one.
  [[noreturn]] void stuck(size_t parked) const {
    const ThreadState* first = nullptr;
    for (const ThreadState& t : threads_) {
      if (!t.parked) continue;
      if (!first || t.head.time < first->head.time ||
          (t.head.time == first->head.time && t.head.offset < first->head.offset)) {
        first = &t;
      }
    }
    std::string others;
    if (parked > 1) {
      others = fmt::format("; none of the other {} threads' next events can come first either", parked - 1);
    }
    throw TraceError(first->head.offset, fmt::format("cannot order event {} on thread {} at {} ns: {}{}",
                                                     event_name(first->head.type), first->id, first->head.time,
                                                     check(*first, first->head), others));
  }

  /// The state check(t, e) reads: e can become legal only when one of these changes.
  void wait_keys(const ThreadState& t, const RawEvent& e, std::vector<WaitKey>& out) const {
    out.push_back({WaitKey::Thread, t.id});
    if (t.g != 0) out.push_back({WaitKey::Goroutine, t.g});
    switch (e.type) {
      case E::ProcStatus:
        out.push_back({WaitKey::Proc, e.args[0]});
        out.push_back({WaitKey::Thread, e.args[2]});
        break;
      case E::ProcStart:
        out.push_back({WaitKey::Proc, e.args[0]});
        break;
      case E::ProcSteal: {
        out.push_back({WaitKey::Proc, e.args[0]});
        out.push_back({WaitKey::Thread, e.args[1]});
        const ThreadState* v = find_thread(e.args[1]);
        if (v && v->g != 0) out.push_back({WaitKey::Goroutine, v->g});
        break;
      }
      case E::GoStatus:
        out.push_back({WaitKey::Goroutine, e.args[0]});
        out.push_back({WaitKey::Thread, e.args[2]});
        break;
      case E::GoCreate:
      case E::GoStart:
      case E::GoUnblock:
        out.push_back({WaitKey::Goroutine, e.args[0]});
        break;
      default:
        if (is_world_event(e.type)) out.push_back({WaitKey::World, 0});
        break;
    }
  }

  /// The state an applied event may have changed (a superset of what it did).
  static void changed_keys(const Event& e, std::vector<WaitKey>& out) {
    out.push_back({WaitKey::Thread, e.thread});
    if (e.target != 0) out.push_back({WaitKey::Goroutine, e.target});
    if (e.g != 0) out.push_back({WaitKey::Goroutine, e.g});
    if (e.p >= 0) out.push_back({WaitKey::Proc, uint64_t(e.p)});
    switch (e.type) {
      case E::ProcStatus:
      case E::GoStatus:
        out.push_back({WaitKey::Thread, e.args[2]});
        break;
      case E::ProcSteal:
        out.push_back({WaitKey::Thread, e.args[1]});
        break;
      default:
        if (is_world_event(e.type)) out.push_back({WaitKey::World, 0});
        break;
    }
  }

  size_t index(uint64_t id) {
    auto [it, fresh] = index_.try_emplace(id, threads_.size());
    if (fresh) threads_.emplace_back().id = id;
    return it->second;
  }
  ThreadState& thread(uint64_t id) { return threads_[index(id)]; }
  const ThreadState* find_thread(uint64_t id) const {
    auto it = index_.find(id);
    return it == index_.end() ? nullptr : &threads_[it->second];
  }
  const GInfo* find_g(uint64_t id) const {
    auto it = gs_.find(id);
    return it == gs_.end() ? nullptr : &it->second;
  }
  GState gstate(uint64_t id) const {
    const GInfo* g = find_g(id);
    return g ? g->st : GState::None;
  }
  const PInfo* find_p(uint64_t p) const { return p < ps_.size() ? &ps_[p] : nullptr; }
  PInfo& pinfo(uint64_t p) {
    if (p >= ps_.size()) ps_.resize(p + 1);
    ps_[p].known = true;
    return ps_[p];
  }
  std::string_view str(uint64_t id) const { return tr_.string(id); }

  /// Why thread t's event e cannot happen now ("" if it can).
  std::string check(const ThreadState& t, const RawEvent& e) const {
    auto running = [&]() -> std::string {
      if (t.g == 0) return fmt::format("{} on thread {} with no running goroutine", event_name(e.type), t.id);
      GState s = gstate(t.g);
      if (s != GState::Running) {
        return fmt::format("goroutine {} on thread {} is {}, not running", t.g, t.id, gstate_name(s));
      }
      return {};
    };
    auto appears = [&](uint64_t g, GState want) -> std::string {
      // A goroutine seen for the first time: inferred unless a GoCreate or
      // GoStatus elsewhere will introduce it.
      GState s = gstate(g);
      if (s == GState::None) {
        if (declared_.count(g)) return fmt::format("goroutine {} has not been created yet", g);
        return {};
      }
      if (s != want) return fmt::format("goroutine {} is {}, not {}", g, gstate_name(s), gstate_name(want));
      return {};
    };
    switch (e.type) {
      case E::ProcStatus: {
        const uint64_t p = e.args[0];
        const PInfo* pi = find_p(p);
        const bool run = e.args[1] == uint64_t(tf::ProcState::Running);
        if (pi && pi->known) {
          if (run ? (pi->held && pi->holder == e.args[2]) : !pi->held) return {};  // restated
          return fmt::format("P {} already has a state ({}) that this status contradicts", p,
                             pi->held ? fmt::format("held by thread {}", pi->holder) : std::string("idle"));
        }
        if (run) {
          const ThreadState* h = find_thread(e.args[2]);
          if (h && h->p >= 0) return fmt::format("thread {} already holds P {}", e.args[2], h->p);
        }
        return {};
      }
      case E::ProcStart: {
        if (t.p >= 0) return fmt::format("thread {} already holds P {}", t.id, t.p);
        const PInfo* pi = find_p(e.args[0]);
        if (pi && pi->held) return fmt::format("P {} is held by thread {}", e.args[0], pi->holder);
        return {};
      }
      case E::ProcStop: {
        if (t.p < 0) return fmt::format("thread {} holds no P", t.id);
        if (t.g != 0 && gstate(t.g) != GState::Syscall) {
          return fmt::format("thread {} still runs goroutine {}", t.id, t.g);
        }
        if (t.working) return fmt::format("thread {} still runs a GC mark worker", t.id);
        return {};
      }
      case E::ProcSteal: {
        const uint64_t p = e.args[0], victim = e.args[1];
        if (victim == t.id) {
          // A self-steal: a thread in a blocking call gives its P to a stop
          // in progress (Go 1.22's entersyscall_gcwait).  Go's parser reads it
          // as a ProcStop of the P the thread holds (advanceProcSteal).
          if (t.p < 0 || uint64_t(t.p) != p) {
            return fmt::format("thread {} steals P {} from itself but holds {}", t.id, p,
                               t.p < 0 ? std::string("no P") : fmt::format("P {}", t.p));
          }
          return {};
        }
        const PInfo* pi = find_p(p);
        if (!pi || !pi->held || pi->holder != victim) {
          return fmt::format("P {} is not held by thread {} ({})", p, victim,
                             pi && pi->held ? fmt::format("held by thread {}", pi->holder) : std::string("idle"));
        }
        const ThreadState* v = find_thread(victim);
        if (!v || v->g == 0 || gstate(v->g) != GState::Syscall) {
          return fmt::format("thread {} is not in a blocking call", victim);
        }
        return {};
      }
      case E::GoStatus: {
        const uint64_t g = e.args[0];
        const GState want = from_status(e.args[1]);
        const GInfo* gi = find_g(g);
        const bool on_thread = want == GState::Running || want == GState::Syscall;
        if (gi && gi->st != GState::None) {
          if (gi->st == want && (!on_thread || gi->thread == e.args[2])) return {};  // restated
          return fmt::format("goroutine {} is already {}", g, gstate_name(gi->st));
        }
        if (on_thread) {
          const ThreadState* h = find_thread(e.args[2]);
          if (h && h->g != 0) return fmt::format("thread {} already runs goroutine {}", e.args[2], h->g);
        }
        return {};
      }
      case E::GoCreate: {
        GState s = gstate(e.args[0]);
        if (s != GState::None) return fmt::format("goroutine {} already exists ({})", e.args[0], gstate_name(s));
        return {};
      }
      case E::GoStart: {
        if (std::string r = appears(e.args[0], GState::Runnable); !r.empty()) return r;
        if (t.g != 0) return fmt::format("thread {} already runs goroutine {}", t.id, t.g);
        if (t.p < 0) return fmt::format("thread {} holds no P", t.id);
        if (t.working) return fmt::format("thread {} runs a GC mark worker", t.id);
        return {};
      }
      case E::GoUnblock:
        return appears(e.args[0], GState::Waiting);
      case E::GoStop:
      case E::GoBlock:
      case E::GoDestroy:
      case E::GoSyscallBegin:
      case E::UserRegionBegin:
        return running();
      case E::GoSyscallEnd:
      case E::GoSyscallEndBlocked: {
        if (t.g == 0) return fmt::format("{} on thread {} with no goroutine in a blocking call", event_name(e.type), t.id);
        GState s = gstate(t.g);
        if (s != GState::Syscall) return fmt::format("goroutine {} is {}, not in a blocking call", t.g, gstate_name(s));
        if (e.type == E::GoSyscallEnd && t.p < 0) return fmt::format("thread {} holds no P to return to", t.id);
        return {};
      }
      case E::STWBegin:
        return stw_ ? std::string("the world is already stopped") : std::string();
      case E::STWEnd:
        return !stw_ && stw_seen_ ? std::string("the world is not stopped") : std::string();
      case E::GCBegin:
        return gc_ ? fmt::format("GC cycle {} is still running", gc_cycle_) : std::string();
      case E::GCEnd:
        if (gc_ && e.args[0] != gc_cycle_) return fmt::format("GC cycle {} is running, not {}", gc_cycle_, e.args[0]);
        if (!gc_ && gc_seen_) return "no GC cycle is running";
        return {};
      case E::GCMarkAssistBegin:
      case E::GCMarkAssistEnd: {
        if (std::string r = running(); !r.empty()) return r;
        const GInfo* gi = find_g(t.g);
        if (e.type == E::GCMarkAssistBegin && gi->assisting) return fmt::format("goroutine {} is already assisting", t.g);
        if (e.type == E::GCMarkAssistEnd && !gi->assisting && gi->assist_seen) {
          return fmt::format("goroutine {} is not assisting", t.g);
        }
        return {};
      }
      case E::GCSweepBegin:
        return t.sweeping ? fmt::format("thread {} is already sweeping", t.id) : std::string();
      case E::GCSweepEnd:
        return !t.sweeping && t.sweep_seen ? fmt::format("thread {} is not sweeping", t.id) : std::string();
      case E::GCWorkerBegin:
        if (t.working) return fmt::format("thread {} already runs a GC mark worker", t.id);
        if (t.p < 0) return fmt::format("thread {} holds no P", t.id);
        if (t.g != 0) return fmt::format("thread {} runs goroutine {}", t.id, t.g);
        return {};
      case E::GCWorkerEnd:
        if (!t.working && t.worker_seen) return fmt::format("thread {} runs no GC mark worker", t.id);
        if (!t.working && t.p < 0) return fmt::format("thread {} holds no P", t.id);
        return {};
      case E::UserRegionEnd: {
        if (std::string r = running(); !r.empty()) return r;
        const GInfo* gi = find_g(t.g);
        if (!gi->regions.empty()) {
          auto [task, name] = gi->regions.back();
          if (task != e.args[0] || name != e.args[1]) {
            return fmt::format("region \"{}\" (task {}) ends on goroutine {}, but its innermost open region is \"{}\" (task {})",
                               str(e.args[1]), e.args[0], t.g, str(name), task);
          }
        }
        return {};
      }
      default:  // GoMaxProcs, TimerFire, HeapAlloc, HeapGoal, user tasks and logs
        return {};
    }
  }

  void set_g(uint64_t g, GState to, uint64_t thread, Event& out, GState from) {
    GInfo& gi = gs_[g];
    out.target = g;
    out.from = from;
    out.to = to;
    gi.st = to;
    gi.thread = thread;
  }

  /// Applies a legal event; fills out (all but its time).
  void apply(ThreadState& t, const RawEvent& e, Event& out, Ordered& ord) {
    out.offset = e.offset;
    out.thread = t.id;
    out.g = t.g;
    out.p = t.p;
    out.type = e.type;
    for (int i = 0; i < tf::kMaxArgs; i++) out.args[i] = e.args[i];
    switch (e.type) {
      case E::ProcStatus: {
        PInfo& pi = pinfo(e.args[0]);
        if (e.args[1] == uint64_t(tf::ProcState::Running)) {
          pi.held = true;
          pi.holder = e.args[2];
          thread(e.args[2]).p = int32_t(e.args[0]);
        }
        out.p = int32_t(e.args[0]);
        break;
      }
      case E::ProcStart: {
        PInfo& pi = pinfo(e.args[0]);
        pi.held = true;
        pi.holder = t.id;
        t.p = int32_t(e.args[0]);
        out.p = t.p;
        break;
      }
      case E::ProcStop:
        pinfo(uint64_t(t.p)).held = false;
        t.p = -1;
        break;
      case E::ProcSteal: {
        pinfo(e.args[0]).held = false;
        // t may be invalidated by thread(): threads_ is a deque, references stay valid.
        thread(e.args[1]).p = -1;
        out.p = int32_t(e.args[0]);
        break;
      }
      case E::GoStatus: {
        const uint64_t g = e.args[0];
        const GState to = from_status(e.args[1]);
        const GState prev = gstate(g);
        const bool on_thread = to == GState::Running || to == GState::Syscall;
        set_g(g, to, on_thread ? e.args[2] : 0, out, prev);
        if (on_thread) thread(e.args[2]).g = g;
        break;
      }
      case E::GoCreate:
        set_g(e.args[0], GState::Runnable, 0, out, GState::None);
        break;
      case E::GoStart: {
        GState prev = gstate(e.args[0]);
        if (prev == GState::None) {
          out.flags |= kInferred;
          prev = GState::Runnable;
        }
        set_g(e.args[0], GState::Running, t.id, out, prev);
        t.g = e.args[0];
        break;
      }
      case E::GoUnblock: {
        GState prev = gstate(e.args[0]);
        if (prev == GState::None) {
          out.flags |= kInferred;
          prev = GState::Waiting;
        }
        set_g(e.args[0], GState::Runnable, 0, out, prev);
        break;
      }
      case E::GoStop:
        set_g(t.g, GState::Runnable, 0, out, GState::Running);
        t.g = 0;
        break;
      case E::GoBlock:
        set_g(t.g, GState::Waiting, 0, out, GState::Running);
        t.g = 0;
        break;
      case E::GoDestroy: {
        set_g(t.g, GState::Dead, 0, out, GState::Running);
        GInfo& gi = gs_[t.g];
        gi.regions.clear();
        gi.assisting = false;
        t.g = 0;
        break;
      }
      case E::GoSyscallBegin:
        set_g(t.g, GState::Syscall, t.id, out, GState::Running);
        break;
      case E::GoSyscallEnd:
        set_g(t.g, GState::Running, t.id, out, GState::Syscall);
        break;
      case E::GoSyscallEndBlocked:
        set_g(t.g, GState::Runnable, 0, out, GState::Syscall);
        t.g = 0;
        if (t.p >= 0) {
          pinfo(uint64_t(t.p)).held = false;
          t.p = -1;
          out.flags |= kReleasedP;
        }
        break;
      case E::STWBegin:
        stw_ = stw_seen_ = true;
        break;
      case E::STWEnd:
        if (!stw_) out.flags |= kBeganBeforeTrace;
        stw_ = false;
        stw_seen_ = true;
        break;
      case E::GCBegin:
        gc_ = gc_seen_ = true;
        gc_cycle_ = e.args[0];
        break;
      case E::GCEnd:
        if (!gc_) out.flags |= kBeganBeforeTrace;
        gc_ = false;
        gc_seen_ = true;
        break;
      case E::GCMarkAssistBegin: {
        GInfo& gi = gs_[t.g];
        gi.assisting = gi.assist_seen = true;
        out.target = t.g;
        out.from = out.to = GState::Running;
        break;
      }
      case E::GCMarkAssistEnd: {
        GInfo& gi = gs_[t.g];
        if (!gi.assisting) out.flags |= kBeganBeforeTrace;
        gi.assisting = false;
        gi.assist_seen = true;
        out.target = t.g;
        out.from = out.to = GState::Running;
        break;
      }
      case E::GCSweepBegin:
        t.sweeping = t.sweep_seen = true;
        break;
      case E::GCSweepEnd:
        if (!t.sweeping) out.flags |= kBeganBeforeTrace;
        t.sweeping = false;
        t.sweep_seen = true;
        break;
      case E::GCWorkerBegin:
        t.working = t.worker_seen = true;
        break;
      case E::GCWorkerEnd:
        if (!t.working) out.flags |= kBeganBeforeTrace;
        t.working = false;
        t.worker_seen = true;
        break;
      case E::UserRegionBegin:
        gs_[t.g].regions.emplace_back(e.args[0], e.args[1]);
        break;
      case E::UserRegionEnd: {
        GInfo& gi = gs_[t.g];
        if (gi.regions.empty()) {
          out.flags |= kBeganBeforeTrace;
        } else {
          gi.regions.pop_back();
        }
        break;
      }
      case E::UserLog:
        out.message = uint32_t(ord.messages.size());
        ord.messages.emplace_back(e.bytes);
        break;
      default:
        break;
    }
  }

  const Trace& tr_;
  std::deque<ThreadState> threads_;
  std::unordered_map<uint64_t, size_t> index_;
  std::unordered_map<uint64_t, GInfo> gs_;
  std::vector<PInfo> ps_;
  std::unordered_set<uint64_t> declared_;
  bool stw_ = false, stw_seen_ = false;
  bool gc_ = false, gc_seen_ = false;
  uint64_t gc_cycle_ = 0;
};

bool legal_transition(GState from, GState to) {
  switch (from) {
    case GState::None: return to != GState::None && to != GState::Dead;
    case GState::Runnable: return to == GState::Running;
    case GState::Running:
      return to == GState::Running || to == GState::Runnable || to == GState::Waiting || to == GState::Dead ||
             to == GState::Syscall;
    case GState::Syscall: return to == GState::Running || to == GState::Runnable;
    case GState::Waiting: return to == GState::Runnable;
    case GState::Dead: return false;
  }
  return false;
}

}  // namespace

Ordered order(const Trace& trace) { return Orderer(trace).run(); }

Validation validate(const Trace& trace, const Ordered& ordered) {
  Validation v;
  constexpr size_t kMaxProblems = 20;
  uint64_t more = 0;
  auto problem = [&](const Event& e, const std::string& what) {
    v.ok = false;
    if (v.problems.size() < kMaxProblems) {
      v.problems.push_back(fmt::format("offset {}: event {} on thread {} at {} ns: {}", e.offset, event_name(e.type),
                                       e.thread, e.time, what));
    } else {
      more++;
    }
  };
  for (uint8_t t = 1; t < uint8_t(E::kCount); t++) {
    if (trace.count(E(t)) != 0) v.counts[event_name(t)] = trace.count(E(t));
  }
  v.definitions = trace.count(E::String) + trace.count(E::Stack) + trace.count(E::Frame) + trace.count(E::ThreadName);
  v.events = ordered.events.size();
  std::unordered_map<uint64_t, GState> gs;
  std::unordered_map<uint64_t, uint64_t> tg;  // thread -> goroutine
  std::unordered_map<uint64_t, int32_t> tp;   // thread -> P
  std::unordered_set<int32_t> procs;
  std::unordered_set<uint64_t> threads;
  for (const auto& [id, b] : trace.threads()) threads.insert(id);
  int64_t last = 0;
  for (const Event& e : ordered.events) {
    threads.insert(e.thread);
    if (e.time < last) problem(e, fmt::format("time goes backwards (previous event at {} ns)", last));
    last = std::max(last, e.time);
    if (e.time > ordered.end_ns) problem(e, "after the end of the trace");
    auto g_of = tg.find(e.thread);
    const uint64_t cur_g = g_of == tg.end() ? 0 : g_of->second;
    if (cur_g != e.g) problem(e, fmt::format("thread runs goroutine {}, the event says {}", cur_g, e.g));
    auto p_of = tp.find(e.thread);
    const int32_t cur_p = p_of == tp.end() ? -1 : p_of->second;
    const bool p_changes = e.type == E::ProcStart || e.type == E::ProcStatus || e.type == E::ProcSteal;
    if (!p_changes && cur_p != e.p) problem(e, fmt::format("thread holds P {}, the event says {}", cur_p, e.p));
    if (e.target != 0) {
      GState& s = gs[e.target];
      GState prev = s;
      if (prev == GState::None && (e.flags & kInferred)) prev = e.from;
      if (prev != e.from) {
        problem(e, fmt::format("goroutine {} was {}, the event says {}", e.target, gstate_name(s), gstate_name(e.from)));
      }
      if (!legal_transition(e.from, e.to)) {
        problem(e, fmt::format("goroutine {}: {} -> {} is not a legal transition", e.target, gstate_name(e.from),
                               gstate_name(e.to)));
      }
      if (e.from == GState::Waiting && e.type != E::GoUnblock) {
        problem(e, fmt::format("blocked goroutine {} resumed without an unblock", e.target));
      }
      s = e.to;
    }
    switch (e.type) {
      case E::GoStart:
        tg[e.thread] = e.target;
        break;
      case E::GoStop:
      case E::GoBlock:
      case E::GoDestroy:
      case E::GoSyscallEndBlocked:
        tg[e.thread] = 0;
        if (e.flags & kReleasedP) tp[e.thread] = -1;
        break;
      case E::GoStatus:
        if (e.to == GState::Running || e.to == GState::Syscall) tg[e.args[2]] = e.target;
        break;
      case E::ProcStatus:
        procs.insert(e.p);
        if (e.args[1] == uint64_t(tf::ProcState::Running)) tp[e.args[2]] = e.p;
        break;
      case E::ProcStart:
        if (cur_p >= 0) problem(e, fmt::format("thread already holds P {}", cur_p));
        procs.insert(e.p);
        tp[e.thread] = e.p;
        break;
      case E::ProcStop:
        tp[e.thread] = -1;
        break;
      case E::ProcSteal:
        tp[e.args[1]] = -1;
        break;
      default:
        break;
    }
  }
  for (const auto& [g, s] : gs) {
    if (s == GState::Waiting) v.blocked_at_end++;
  }
  v.goroutines = gs.size();
  v.threads = threads.size();
  v.procs = procs.size();
  if (more) v.problems.push_back(fmt::format("... and {} more", more));
  return v;
}

}  // namespace gort::viewer
