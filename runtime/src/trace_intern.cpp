// trace_intern.cpp — strings and stacks of the execution trace, interned per
// trace (mirrors traceStringTable and traceStackTable in golang/go
// src/runtime/trace2string.go, trace2stack.go).
//
// A string or stack gets an id the first time some thread writes an event
// naming it; that thread defines it (String/Stack event) in its own batch just
// before the event, so the reader finds every definition somewhere in the
// file (readers collect definitions before they order events).  The tables
// sit behind one mutex: stacks of a trace are few (one per distinct call
// site), so a thread takes it only on a miss in its small per-thread cache of
// stack hashes.  Stack ids are keyed by a 64-bit hash of the return addresses;
// two different stacks of one trace sharing a hash would share an id — with
// 64 bits and some thousands of stacks, odds below 1e-12.
#include "trace_intern.hpp"

#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include <gort/runtime/internal/callers.hpp>

#include "trace_runtime.hpp"

namespace gort::runtime {

namespace {

std::mutex intern_mu;
std::unordered_map<uint64_t, uint64_t> stack_ids;  // hash of pcs -> id
std::unordered_set<uintptr_t> stack_pcs;           // every pc of every stack
std::unordered_map<std::string, uint64_t> string_ids;
uint64_t next_stack_id = 1;
uint64_t next_string_id = kTraceDynamicStrings;
/// Bumped at each trace start: per-thread caches of older traces are stale.
std::atomic<uint64_t> intern_generation{0};

/// A thread's recently used stacks: hash -> id, direct-mapped.
struct StackCache {
  static constexpr int kSlots = 64;
  uint64_t generation = 0;
  uint64_t hash[kSlots] = {};
  uint64_t id[kSlots] = {};
};
thread_local StackCache tls_stack_cache;

__attribute__((noinline, noipa)) StackCache* stack_cache() {
  StackCache* c = &tls_stack_cache;
  asm volatile("" : "+r"(c));
  return c;
}

uint64_t hash_pcs(void* const* pcs, int n) {
  uint64_t h = 0xcbf29ce484222325ULL ^ uint64_t(n);
  for (int i = 0; i < n; ++i) {
    h ^= reinterpret_cast<uintptr_t>(pcs[i]);
    h *= 0x100000001b3ULL;
    h ^= h >> 29;
  }
  return h | 1;  // 0 marks an empty cache slot
}

}  // namespace

void trace_intern_reset() {
  std::lock_guard<std::mutex> g(intern_mu);
  stack_ids.clear();
  stack_pcs.clear();
  string_ids.clear();
  next_stack_id = 1;
  next_string_id = kTraceDynamicStrings;
  intern_generation.fetch_add(1, std::memory_order_relaxed);
}

uint64_t trace_intern_stack(TraceWriter& w, void* const* pcs, int n) {
  if (n <= 0) return 0;
  if (n > kTraceMaxStackDepth) n = kTraceMaxStackDepth;
  const uint64_t h = hash_pcs(pcs, n);
  StackCache* c = stack_cache();
  const uint64_t gen = intern_generation.load(std::memory_order_relaxed);
  if (c->generation != gen) *c = StackCache{gen};
  const int slot = int(h % StackCache::kSlots);
  if (c->hash[slot] == h) return c->id[slot];
  uint64_t id;
  bool define = false;
  {
    std::lock_guard<std::mutex> g(intern_mu);
    auto [it, inserted] = stack_ids.try_emplace(h, next_stack_id);
    if (inserted) {
      ++next_stack_id;
      define = true;
      for (int i = 0; i < n; ++i) stack_pcs.insert(reinterpret_cast<uintptr_t>(pcs[i]));
    }
    id = it->second;
  }
  // A define by this thread precedes every use by it; another thread's use
  // may come first in the file, which readers allow.
  if (define) w.stack(id, pcs, n);
  c->hash[slot] = h;
  c->id[slot] = id;
  return id;
}

uint64_t trace_string_id(std::string_view s, bool* is_new) {
  *is_new = false;
  if (s.empty()) return 0;
  if (s.size() > kTraceMaxBytes) s = s.substr(0, kTraceMaxBytes);
  std::lock_guard<std::mutex> g(intern_mu);
  auto [it, inserted] = string_ids.try_emplace(std::string(s), next_string_id);
  if (inserted) ++next_string_id;
  *is_new = inserted;
  return it->second;
}

uint64_t trace_intern_string(TraceWriter& w, std::string_view s) {
  bool is_new = false;
  const uint64_t id = trace_string_id(s, &is_new);
  if (is_new) {
    const uint64_t args[1] = {id};
    w.event_with_bytes(Ev::String, args, 1, s);
  }
  return id;
}

std::vector<uintptr_t> trace_stack_pcs() {
  std::lock_guard<std::mutex> g(intern_mu);
  return {stack_pcs.begin(), stack_pcs.end()};
}

uint64_t trace_current_stack(TraceWriter& w, int skip) {
  uintptr_t pcs[kTraceMaxStackDepth];
  // callers(0)'s first entry is the return address into this function, the
  // frame this function's skip counts first.
  const int n = callers(skip, pcs, kTraceMaxStackDepth);
  return trace_intern_stack(w, reinterpret_cast<void* const*>(pcs), n);
}

}  // namespace gort::runtime
