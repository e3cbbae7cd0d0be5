// finalizer.cpp — finalizers (mirrors SetFinalizer, the finalizer specials,
// queuefinalizer and runfinq in mfinal.go).
//
// A finalizer is registered per object in a table keyed by the object's
// address.  During the mark, each finalizable object's referents are roots but
// the object itself is not (markrootSpans): so everything it uses survives, and
// it is finalized only when nothing else reaches it.  At mark termination every
// finalizable object the mark left white is marked (it lives one more cycle),
// its finalizer moves to the queue, and its table entry is dropped, so the
// finalizer runs once.  Queued objects are roots until their finalizer ran.
// A finalizer's closure is a runtime::Rooted (set_finalizer wraps it): its
// captures are a root range from registration until the closure is destroyed
// after its run, so what it uses lives until it has run, as Go marks the
// finalizer's closure.  A second finalizer for one object is fatal, as in Go.
// Finalizers run one after another on one goroutine, started when the queue
// becomes non-empty and ending when it is empty (Go keeps one goroutine parked
// for good; here the goroutine exists only while it has work, so it never shows
// in a deadlock report).  An exception escaping a finalizer ends the program as
// a panic in Go's finalizer goroutine does.
#include <gort/gc/object.hpp>
#include <gort/panic.hpp>
#include <gort/runtime.hpp>
#include <gort/runtime/internal/fatal.hpp>
#include <gort/runtime/internal/gc_support.hpp>

#include <mutex>
#include <unordered_map>
#include <vector>

#include "finalizer.hpp"
#include "mark.hpp"

namespace gort::gc::detail {

namespace {

struct Pending {
  void* object;
  std::function<void(void*)> fn;
};

struct Finalizers {
  std::mutex lock;
  /// Registered finalizers by object address.
  std::unordered_map<void*, std::function<void(void*)>> table;
  /// Finalizers due, in queue order (Go's finq).
  std::vector<Pending> queue;
  /// True while the finalizer goroutine runs (Go's fingRunning) ...
  bool running = false;
  /// ... in the runtime started at this time (a goroutine abandoned when a
  /// program ended does not count in the next one).
  int64_t running_in = 0;
};

Finalizers& finalizers() {
  static auto* f = new Finalizers();
  return *f;
}

void run_finalizers() {
  Finalizers& f = finalizers();
  for (;;) {
    std::vector<Pending> batch;
    {
      std::lock_guard<std::mutex> guard(f.lock);
      if (f.queue.empty()) {
        f.running = false;
        return;
      }
      batch.swap(f.queue);
    }
    // Each object is on this goroutine's stack (batch's elements are in C++
    // memory, so keep the pointer in a local as well while its finalizer runs).
    for (Pending& p : batch) {
      void* volatile object = p.object;
      p.fn(object);
      p.object = nullptr;
    }
  }
}

}  // namespace

void set_finalizer_raw(const void* obj, std::function<void(void*)> fn) {
  Span* s;
  uint32_t idx;
  if (obj == nullptr || !find_object(reinterpret_cast<uintptr_t>(obj), s, idx)) {
    throw Panic("runtime.SetFinalizer: pointer not in allocated block");
  }
  Finalizers& f = finalizers();
  std::unique_lock<std::mutex> guard(f.lock);
  if (fn) {
    if (!f.table.try_emplace(const_cast<void*>(obj), std::move(fn)).second) {
      guard.unlock();  // fatal prints tracebacks; hold nothing
      runtime::fatal("runtime.SetFinalizer: finalizer already set");
    }
  } else {
    f.table.erase(const_cast<void*>(obj));
  }
}

void mark_finalizer_roots(MarkState& state) {
  Finalizers& f = finalizers();
  std::lock_guard<std::mutex> guard(f.lock);
  for (auto& [object, fn] : f.table) {
    Span* s;
    uint32_t idx;
    if (!find_object(reinterpret_cast<uintptr_t>(object), s, idx)) continue;
    if (!s->spanclass.noscan()) state.scan_object(s->object_address(idx), static_cast<uint32_t>(s->elemsize));
  }
  for (const Pending& p : f.queue) state.mark_address(reinterpret_cast<uintptr_t>(p.object));
}

std::size_t queue_dead_finalizers(MarkState& state) {
  Finalizers& f = finalizers();
  std::lock_guard<std::mutex> guard(f.lock);
  std::size_t queued = 0;
  for (auto it = f.table.begin(); it != f.table.end();) {
    Span* s;
    uint32_t idx;
    if (find_object(reinterpret_cast<uintptr_t>(it->first), s, idx) && !state.is_marked(s, idx)) {
      state.set_marked(s, idx);  // revived until its finalizer ran
      state.bytes_marked += s->elemsize;
      f.queue.push_back(Pending{it->first, std::move(it->second)});
      it = f.table.erase(it);
      ++queued;
    } else {
      ++it;
    }
  }
  return queued;
}

void start_finalizer_goroutine() {
  Finalizers& f = finalizers();
  {
    std::lock_guard<std::mutex> guard(f.lock);
    const int64_t run = runtime::runtime_init_nanotime();
    if ((f.running && f.running_in == run) || f.queue.empty()) return;
    f.running = true;
    f.running_in = run;
  }
  gort::go(&run_finalizers);
}

std::size_t finalizer_count() {
  Finalizers& f = finalizers();
  std::lock_guard<std::mutex> guard(f.lock);
  return f.table.size();
}

}  // namespace gort::gc::detail
