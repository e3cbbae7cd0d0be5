// timeline.cpp — see timeline.hpp.  Go: src/internal/trace/summary.go
// (goroutine state intervals), src/cmd/trace/procgen.go and gstate.go (per-P
// and per-goroutine tracks).
#include "timeline.hpp"

#include "symbolize.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <set>

namespace gort::viewer {

const char* slice_state_name(SliceState s) {
  switch (s) {
    case SliceState::Running: return "running";
    case SliceState::Runnable: return "runnable";
    case SliceState::Blocked: return "blocked";
    case SliceState::Syscall: return "syscall";
    case SliceState::Assist: return "GC assist";
  }
  return "?";
}

const Goroutine* Timeline::goroutine(uint64_t id) const {
  auto it = std::lower_bound(goroutines.begin(), goroutines.end(), id,
                             [](const Goroutine& g, uint64_t v) { return g.id < v; });
  return it != goroutines.end() && it->id == id ? &*it : nullptr;
}

namespace {

using E = tf::Ev;

int64_t clamp_value(uint64_t v) {
  return v > uint64_t(std::numeric_limits<int64_t>::max()) ? std::numeric_limits<int64_t>::max() : int64_t(v);
}

struct GBuild {
  Goroutine g;
  bool open = true;
  SliceState cur = SliceState::Runnable;
  int64_t since = 0;
  uint64_t reason = 0, stack = 0;
  bool assisting = false;
  std::vector<size_t> regions;  // open regions, indexes into Timeline::regions
};

enum class Act : uint8_t { None, Run, Sys, Worker };

struct TBuild {
  int32_t p = -1;
  Act act = Act::None;
  uint64_t g = 0;
  uint8_t worker_kind = 0;
  int64_t since = 0;
  bool sweeping = false;
  int64_t sweep_since = 0;
};

class Builder {
 public:
  Builder(const Trace& trace, const Ordered& ordered) : tr_(trace), ord_(ordered) {
    tl_.duration = ordered.end_ns;
  }

  Timeline build() {
    for (const auto& [id, b] : tr_.threads()) ts_[id];
    for (const Event& e : ord_.events) step(e);
    finish();
    return std::move(tl_);
  }

 private:
  // ---- goroutines ----
  GBuild& gb(uint64_t id) { return gs_[id]; }

  void close_slice(GBuild& b, int64_t t) {
    b.g.slices.push_back(GSlice{b.since, t, b.cur, b.reason, b.stack});
    b.since = t;
  }

  void open_slice(GBuild& b, int64_t t, SliceState s, uint64_t reason, uint64_t stack) {
    b.cur = s;
    b.since = t;
    b.reason = reason;
    b.stack = stack;
  }

  static SliceState slice_for(GState s, bool assisting) {
    switch (s) {
      case GState::Running: return assisting ? SliceState::Assist : SliceState::Running;
      case GState::Syscall: return SliceState::Syscall;
      case GState::Waiting: return SliceState::Blocked;
      default: return SliceState::Runnable;
    }
  }

  void goroutine_event(const Event& e) {
    auto it = gs_.find(e.target);
    if (it == gs_.end()) {
      GBuild& b = gb(e.target);
      b.g.id = e.target;
      if (e.type == E::GoCreate) {
        b.g.start = e.time;
        b.g.creator = e.g;
        b.g.create_stack = e.args[1];
        b.g.start_stack = e.args[2];
        open_slice(b, e.time, SliceState::Runnable, 0, e.args[1]);
        return;
      }
      b.g.existed_at_start = true;
      b.g.start = 0;
      if (e.type == E::GoStatus) {
        open_slice(b, 0, slice_for(e.to, false), e.to == GState::Waiting ? e.args[3] : 0, 0);
        return;
      }
      open_slice(b, 0, slice_for(e.from, false), 0, 0);  // inferred
    }
    GBuild& b = gb(e.target);
    if (!b.open) return;  // unreachable in a legal stream
    if (e.type == E::GCMarkAssistBegin || e.type == E::GCMarkAssistEnd) {
      const bool on = e.type == E::GCMarkAssistBegin;
      if (!on && (e.flags & kBeganBeforeTrace)) {
        for (GSlice& s : b.g.slices) {
          if (s.state == SliceState::Running) s.state = SliceState::Assist;
        }
        if (b.cur == SliceState::Running) b.cur = SliceState::Assist;
      }
      b.assisting = on;
      if (b.cur == SliceState::Running || b.cur == SliceState::Assist) {
        close_slice(b, e.time);
        b.cur = on ? SliceState::Assist : SliceState::Running;
        b.reason = b.stack = 0;
      }
      return;
    }
    const uint64_t prev_stack = b.stack;
    close_slice(b, e.time);
    switch (e.to) {
      case GState::Runnable: {
        uint64_t reason = 0, stack = 0;
        if (e.type == E::GoStop) {
          reason = e.args[0];
          stack = e.args[1];
        } else if (e.type == E::GoUnblock) {
          stack = e.args[1];
        } else if (e.type == E::GoSyscallEndBlocked) {
          stack = prev_stack;
        }
        open_slice(b, e.time, SliceState::Runnable, reason, stack);
        break;
      }
      case GState::Running:
        open_slice(b, e.time, slice_for(GState::Running, b.assisting), 0, 0);
        break;
      case GState::Waiting:
        open_slice(b, e.time, SliceState::Blocked, e.args[0], e.args[1]);
        break;
      case GState::Syscall:
        open_slice(b, e.time, SliceState::Syscall, 0, e.args[0]);
        break;
      case GState::Dead:
      case GState::None:
        b.open = false;
        b.g.ended = true;
        b.g.end = e.time;
        for (size_t r : b.regions) tl_.regions[r].end = e.time;
        b.regions.clear();
        break;
    }
  }

  // ---- threads and Ps ----
  void segment(TBuild& t, int64_t now) {
    if (t.p >= 0 && t.act != Act::None && now > t.since) {
      PSlice s;
      s.start = t.since;
      s.end = now;
      s.g = t.g;
      switch (t.act) {
        case Act::Run: s.kind = PKind::Goroutine; break;
        case Act::Sys: s.kind = PKind::Syscall; break;
        default:
          s.kind = PKind::GCWorker;
          s.g = 0;
          s.worker_kind = t.worker_kind;
          break;
      }
      ps_[uint32_t(t.p)].push_back(s);
    }
    t.since = now;
  }
  void set_p(uint64_t thread, int64_t now, int32_t p) {
    TBuild& t = ts_[thread];
    segment(t, now);
    t.p = p;
    if (p >= 0) ps_[uint32_t(p)];
  }
  void set_act(uint64_t thread, int64_t now, Act a, uint64_t g) {
    TBuild& t = ts_[thread];
    segment(t, now);
    t.act = a;
    t.g = g;
  }

  void step(const Event& e) {
    if (e.target != 0) goroutine_event(e);
    const int64_t now = e.time;
    switch (e.type) {
      case E::GoMaxProcs:
        tl_.gomaxprocs.push_back(Sample{now, clamp_value(e.args[0])});
        break;
      case E::ProcStatus:
        ps_[uint32_t(e.args[0])];
        if (e.args[1] == uint64_t(tf::ProcState::Running)) set_p(e.args[2], now, int32_t(e.args[0]));
        break;
      case E::ProcStart:
        set_p(e.thread, now, int32_t(e.args[0]));
        break;
      case E::ProcStop:
        set_p(e.thread, now, -1);
        break;
      case E::ProcSteal:
        set_p(e.args[1], now, -1);
        break;
      case E::GoStatus:
        if (e.to == GState::Running) set_act(e.args[2], now, Act::Run, e.target);
        if (e.to == GState::Syscall) set_act(e.args[2], now, Act::Sys, e.target);
        break;
      case E::GoStart:
      case E::GoSyscallEnd:
        set_act(e.thread, now, Act::Run, e.target);
        break;
      case E::GoStop:
      case E::GoBlock:
      case E::GoDestroy:
        set_act(e.thread, now, Act::None, 0);
        break;
      case E::GoSyscallBegin:
        set_act(e.thread, now, Act::Sys, e.target);
        break;
      case E::GoSyscallEndBlocked:
        set_act(e.thread, now, Act::None, 0);
        if (e.flags & kReleasedP) set_p(e.thread, now, -1);
        break;
      case E::GCWorkerBegin: {
        set_act(e.thread, now, Act::Worker, 0);
        ts_[e.thread].worker_kind = uint8_t(e.args[0]);
        break;
      }
      case E::GCWorkerEnd: {
        TBuild& t = ts_[e.thread];
        if (e.flags & kBeganBeforeTrace) {
          t.act = Act::Worker;  // it has been working since the thread's last change
          t.worker_kind = uint8_t(tf::GCWorkerKind::Dedicated);
        }
        set_act(e.thread, now, Act::None, 0);
        break;
      }
      case E::GCBegin:
        open_gc_ = tl_.gc.size();
        tl_.gc.push_back(GCCycle{now, now, e.args[0], false, false});
        break;
      case E::GCEnd:
        if ((e.flags & kBeganBeforeTrace) || open_gc_ == kNone) {
          tl_.gc.push_back(GCCycle{0, now, e.args[0], true, true});
        } else {
          tl_.gc[open_gc_].end = now;
          tl_.gc[open_gc_].ended = true;
        }
        open_gc_ = kNone;
        break;
      case E::STWBegin:
        open_stw_ = tl_.stw.size();
        tl_.stw.push_back(STWPause{now, now, e.args[0], false});
        break;
      case E::STWEnd:
        if ((e.flags & kBeganBeforeTrace) || open_stw_ == kNone) {
          tl_.stw.push_back(STWPause{0, now, 0, true});
        } else {
          tl_.stw[open_stw_].end = now;
        }
        open_stw_ = kNone;
        break;
      case E::GCSweepBegin: {
        TBuild& t = ts_[e.thread];
        t.sweeping = true;
        t.sweep_since = now;
        break;
      }
      case E::GCSweepEnd: {
        TBuild& t = ts_[e.thread];
        const int64_t since = t.sweeping ? t.sweep_since : 0;
        t.sweeping = false;
        tl_.sweeps.push_back(Sweep{since, now, e.thread, e.g});
        if (e.g != 0) gb(e.g).g.sweep_ns += now - since;
        break;
      }
      case E::HeapAlloc:
        tl_.heap_alloc.push_back(Sample{now, clamp_value(e.args[0])});
        break;
      case E::HeapGoal:
        tl_.heap_goal.push_back(Sample{now, clamp_value(e.args[0])});
        break;
      case E::TimerFire:
        tl_.timer_fires++;
        tl_.timer_late_total = clamp_value(uint64_t(tl_.timer_late_total) + uint64_t(clamp_value(e.args[0])));
        tl_.timer_late_max = std::max(tl_.timer_late_max, clamp_value(e.args[0]));
        break;
      case E::UserTaskBegin: {
        auto [it, fresh] = tasks_.try_emplace(e.args[0]);
        if (fresh) it->second = Task{e.args[0], e.args[1], e.args[2], now, now, true, false};
        break;
      }
      case E::UserTaskEnd: {
        auto [it, fresh] = tasks_.try_emplace(e.args[0]);
        if (fresh) it->second = Task{e.args[0], 0, 0, 0, now, false, false};
        it->second.end = now;
        it->second.ended = true;
        break;
      }
      case E::UserRegionBegin: {
        gb(e.g).regions.push_back(tl_.regions.size());
        tl_.regions.push_back(Region{e.g, e.args[0], now, now, e.args[1], false, false});
        break;
      }
      case E::UserRegionEnd: {
        GBuild& b = gb(e.g);
        if ((e.flags & kBeganBeforeTrace) || b.regions.empty()) {
          tl_.regions.push_back(Region{e.g, e.args[0], b.g.start, now, e.args[1], true, true});
        } else {
          Region& r = tl_.regions[b.regions.back()];
          r.end = now;
          r.ended = true;
          b.regions.pop_back();
        }
        break;
      }
      case E::UserLog:
        tl_.logs.push_back(Log{now, e.g, e.args[0], e.args[1],
                               e.message < ord_.messages.size() ? ord_.messages[e.message] : std::string()});
        break;
      default:
        break;
    }
  }

  void finish() {
    const int64_t end = tl_.duration;
    // Goroutines.
    std::vector<uint64_t> ids;
    ids.reserve(gs_.size());
    for (auto& [id, b] : gs_) ids.push_back(id);
    std::sort(ids.begin(), ids.end());
    for (uint64_t id : ids) {
      GBuild& b = gs_[id];
      if (b.g.id == 0) continue;  // only a sweep/region record, never a state event
      if (b.open) {
        close_slice(b, end);
        b.g.end = end;
        for (size_t r : b.regions) tl_.regions[r].end = end;
      }
      b.g.group = group_name(tr_, b.g.existed_at_start, b.g.create_stack, b.g.start_stack);
      tl_.goroutines.push_back(std::move(b.g));
    }
    // Ps.
    for (auto& [id, t] : ts_) segment(t, end);
    int64_t maxprocs = 0;
    for (const Sample& s : tl_.gomaxprocs) maxprocs = std::max(maxprocs, s.v);
    for (int64_t p = 0; p < maxprocs; p++) ps_[uint32_t(p)];
    for (auto& [id, slices] : ps_) {
      std::sort(slices.begin(), slices.end(), [](const PSlice& a, const PSlice& b) { return a.start < b.start; });
      tl_.procs.push_back(Proc{id, std::move(slices)});
    }
    // GC, STW and sweeps still open at the end.
    if (open_gc_ != kNone) tl_.gc[open_gc_].end = end;
    if (open_stw_ != kNone) tl_.stw[open_stw_].end = end;
    for (auto& [id, t] : ts_) {
      if (t.sweeping) tl_.sweeps.push_back(Sweep{t.sweep_since, end, id, 0});
    }
    // Tasks, regions, threads.
    for (auto& [id, task] : tasks_) {
      if (!task.ended) task.end = end;
      tl_.tasks.push_back(task);
    }
    std::stable_sort(tl_.regions.begin(), tl_.regions.end(),
                     [](const Region& a, const Region& b) { return a.start < b.start; });
    std::set<uint64_t> threads;
    for (const auto& [id, t] : ts_) threads.insert(id);
    tl_.threads = threads.size();
    counters();
  }

  /// Step counters from +1/-1 changes, one sample per distinct time.
  static std::vector<Sample> accumulate(std::vector<std::pair<int64_t, int>>& deltas) {
    std::sort(deltas.begin(), deltas.end());
    std::vector<Sample> out;
    int64_t v = 0;
    out.push_back(Sample{0, 0});
    for (size_t i = 0; i < deltas.size();) {
      const int64_t t = deltas[i].first;
      while (i < deltas.size() && deltas[i].first == t) v += deltas[i++].second;
      if (out.back().t == t) {
        out.back().v = v;
      } else if (out.back().v != v) {
        out.push_back(Sample{t, v});
      }
    }
    return out;
  }

  void counters() {
    std::vector<std::pair<int64_t, int>> alive, runnable;
    for (const Goroutine& g : tl_.goroutines) {
      alive.emplace_back(g.start, +1);
      if (g.ended) alive.emplace_back(g.end, -1);
      for (const GSlice& s : g.slices) {
        if (s.state == SliceState::Runnable && s.end > s.start) {
          runnable.emplace_back(s.start, +1);
          runnable.emplace_back(s.end, -1);
        }
      }
    }
    tl_.goroutine_count = accumulate(alive);
    tl_.runnable_count = accumulate(runnable);
  }

  static constexpr size_t kNone = ~size_t{0};
  const Trace& tr_;
  const Ordered& ord_;
  Timeline tl_;
  std::unordered_map<uint64_t, GBuild> gs_;
  std::map<uint64_t, TBuild> ts_;
  std::map<uint32_t, std::vector<PSlice>> ps_;
  std::map<uint64_t, Task> tasks_;
  size_t open_gc_ = kNone, open_stw_ = kNone;
};

}  // namespace

Timeline build_timeline(const Trace& trace, const Ordered& ordered) { return Builder(trace, ordered).build(); }

}  // namespace gort::viewer
